import { describe, expect, it } from 'vitest';
import type { Entry, TimelineDir } from '../../../functions/core/state/state.ts';
import { applyTimeline, buildTimeline, CHUNK_SIZE, chunksFor, compareEntries, emptyDir, newest } from '../../../functions/core/state/timeline.ts';
import { mulberry32 } from '../../helpers/random.ts';

const entry = (n: number, day: number): Entry => ({ h: `h${n}`, id: `tag:news.test,2025:${n}`, p: `2025-01-${String(day).padStart(2, '0')}T00:00:00Z` });

/** A timeline in a Map, as the state store would hold it. */
class Stored {
  dir: TimelineDir = emptyDir();
  chunks = new Map<number, Entry[]>();
  touched = 0;
  change(removes: Entry[], inserts: Entry[]): void {
    const ids = chunksFor(this.dir, [...removes, ...inserts]);
    this.touched = ids.length;
    const loaded = new Map(ids.map((c) => [c, this.chunks.get(c) as Entry[]]));
    const result = applyTimeline(this.dir, loaded, removes, inserts);
    this.dir = result.dir;
    for (const c of result.remove) this.chunks.delete(c);
    for (const [c, chunk] of result.write) this.chunks.set(c, chunk);
  }
  async top(n: number): Promise<Entry[]> {
    return newest(this.dir, n, async (c) => this.chunks.get(c) as Entry[]);
  }
  all(): Entry[] {
    return this.dir.chunks.flatMap((r) => this.chunks.get(r.c) as Entry[]);
  }
}

describe('a timeline', () => {
  it('keeps every article in feed order through thousands of random adds, edits and removals, touching at most two chunks each', async () => {
    // Prepare
    const random = mulberry32(20261203);
    const model = new Map<string, Entry>();
    const timeline = new Stored();
    // Act
    for (let step = 0; step < 4000; step++) {
      const n = Math.floor(random() * 1500);
      const old = model.get(`h${n}`);
      if (old && random() < 0.4) {
        timeline.change([old], []);
        model.delete(old.h);
      } else {
        const next = entry(n, 1 + Math.floor(random() * 28)); // a new article, or an old one with a new date
        timeline.change(old ? [old] : [], [next]);
        model.set(next.h, next);
      }
      expect(timeline.touched).toBeLessThanOrEqual(2);
    }
    // Assess
    const expected = [...model.values()].sort(compareEntries);
    expect(timeline.all()).toEqual(expected);
    expect(timeline.dir.count).toBe(expected.length);
    expect(await timeline.top(50)).toEqual(expected.slice(0, 50));
    expect(Math.max(...timeline.dir.chunks.map((r) => r.n))).toBeLessThanOrEqual(CHUNK_SIZE);
  });

  it('reads only the first chunk for a feed of the newest articles, however long the archive', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => entry(i, 1 + (i % 28)));
    const built = buildTimeline(entries);
    let reads = 0;
    const top = await newest(built.dir, 50, async (c) => {
      reads++;
      return built.chunks.get(c) as Entry[];
    });
    expect(reads).toBe(1);
    expect(top).toEqual([...entries].sort(compareEntries).slice(0, 50));
  });

  it("places every entry in a chunk it loaded, even when a removal moves a chunk's oldest entry", () => {
    // Prepare: a full first chunk whose oldest entry is removed while newer and older ones arrive.
    const timeline = new Stored();
    const first = Array.from({ length: CHUNK_SIZE + 1 }, (_, i) => entry(i, 28 - Math.floor(i / 20)));
    timeline.change([], first);
    const [head] = timeline.dir.chunks;
    const oldest = timeline.chunks.get(head!.c)!.at(-1)!;
    // Act
    timeline.change(
      [oldest],
      [
        { ...entry(9001, 28), p: '2025-01-28T12:00:00Z' },
        { ...oldest, h: 'h9002', id: `${oldest.id}b` },
      ],
    );
    // Assess
    expect(timeline.all()).toEqual([...timeline.all()].sort(compareEntries));
    expect(timeline.dir.count).toBe(CHUNK_SIZE + 2);
  });

  it('treats removing an entry that is not there as nothing, so a replayed change is harmless', () => {
    const timeline = new Stored();
    timeline.change([], [entry(1, 1), entry(2, 2)]);
    timeline.change([entry(1, 1)], []);
    timeline.change([entry(1, 1)], []);
    expect(timeline.all().map((e) => e.h)).toEqual(['h2']);
    expect(timeline.dir.count).toBe(1);
  });

  it('gives up an emptied chunk, and an emptied timeline has no chunks', () => {
    const timeline = new Stored();
    timeline.change([], [entry(1, 1)]);
    timeline.change([entry(1, 1)], []);
    expect(timeline.dir.chunks).toEqual([]);
    expect(timeline.chunks.size).toBe(0);
  });
});
