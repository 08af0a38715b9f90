import { stringify } from 'yaml';
import { type Head, STATE } from '../../functions/core/state/state.ts';
import type { LeaseTiming } from '../../functions/publish/protocol/lease.ts';
import { ask, requestsWaiting } from '../../functions/publish/protocol/requests.ts';
import { SITE_SETTINGS } from './content.ts';
import { type MemorySite, memorySite } from './engine.ts';

// A newsroom's archive in miniature and its rebuild to new settings: what the rebuild tests (a chain of
// holders, a fan-out) start from and compare with.

export const SITE_YAML = { contentType: 'application/yaml' };
export const NEW_SETTINGS = { ...SITE_SETTINGS, title: 'The Renamed Wire', feed_size: 4 };
/** Two files per checkpoint: a dozen-odd files make a long chain. */
export const BATCH = 2;

/** A newsroom's archive in miniature, published: tags spelt two ways, a draft, an embargo, a broken file, two files wanting one slug. */
export async function newsroom(lease: LeaseTiming): Promise<MemorySite> {
  const s = await memorySite({ feed_size: 3 });
  for (let i = 1; i <= 13; i++) {
    const day = String(i).padStart(2, '0');
    await s.article(`story-${day}.md`, { title: `Story ${i}`, date: `2026-11-${day}`, tags: i % 3 === 0 ? ['Port'] : i % 3 === 1 ? ['port', 'Election'] : [] });
  }
  await s.article('draft.md', { title: 'A draft', date: '2026-11-02', draft: true });
  await s.article('embargoed.md', { title: 'Embargoed', date: '2026-12-24T06:00:00Z' });
  await s.article('twin.md', { title: 'A twin', date: '2026-11-03', slug: 'story-3' });
  await s.content.put('articles/broken.md', '---\ntitle: [unclosed\n---\nBody', { contentType: 'text/markdown' });
  await s.publish({ lease });
  return s;
}

export async function headOf(s: MemorySite): Promise<Head> {
  return JSON.parse(Buffer.from((await s.state.get(STATE.head))?.body ?? '').toString('utf8')) as Head;
}

/** Settled: no rebuild under way, no request waiting. */
export const settled = async (s: MemorySite) => (await headOf(s)).rebuild === undefined && !(await requestsWaiting(s.state));

/** A newsroom's change during a rebuild: the content keys it touched. */
export type Change = (s: MemorySite) => Promise<string[]>;
export const late =
  (tags: string[]): Change =>
  async (s) => [await s.article('zz-late.md', { title: 'Late story', date: '2026-11-24', tags })];
export const correction: Change = async (s) => [await s.article('story-01.md', { title: 'Story 1, corrected', date: '2026-11-01', tags: ['Election'] })];
export const both =
  (...changes: Change[]): Change =>
  async (s) => {
    const keys: string[] = [];
    for (const change of changes) keys.push(...(await change(s)));
    return keys;
  };
export const LATE_AND_CORRECTION = both(late(['Port']), correction);

/** The same newsroom given the new settings and rebuilt by one holder with all the time it needs; then `change`, published by its keys. */
export async function uninterrupted(lease: LeaseTiming, change?: Change): Promise<MemorySite> {
  const s = await newsroom(lease);
  await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
  await s.publish({ request: ask.keys(['site.yaml']), lease });
  if (change) await s.publish({ request: ask.keys(await change(s)), lease });
  return s;
}
