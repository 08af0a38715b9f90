import { describe, expect, it } from 'vitest';
import { hash, settingsHash } from '../../functions/core/hash.ts';
import { parseSettings } from '../../functions/core/settings.ts';

// hash.ts: the digest the state names things by, and the hash of the settings a state was built with
// (a different one means a full rebuild, so it must change exactly when the output would).

const site = (yaml: string) => parseSettings(Buffer.from(yaml));
const BASE = 'title: Test Wire\ndescription: Reports\nurl: https://news.test/\n';

describe('a digest', () => {
  it('is SHA-256 in URL-safe base64, the same for the same text on any machine', () => {
    expect(hash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(hash('')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the settings hash', () => {
  it('stays the same for the same settings written in another order or spelling, so no needless full rebuild runs', () => {
    // Prepare
    const one = site(`${BASE}author: {name: Desk, email: desk@news.test}\n`);
    const other = site('author: {email: desk@news.test, name: Desk}\nurl: https://news.test\ndescription: Reports\ntitle: Test Wire\nlanguage: en\n');

    // Act + Assess
    expect(settingsHash(other)).toBe(settingsHash(one));
  });

  it.each([
    ['the title', 'title: Test Wire!\ndescription: Reports\nurl: https://news.test/\n'],
    ['the url', 'title: Test Wire\ndescription: Reports\nurl: https://news.test/news/\n'],
    ['the feed size', `${BASE}feed_size: 20\n`],
    ['the feed content', `${BASE}feed_content: summary\n`],
    ['the language', `${BASE}language: en-GB\n`],
    ['the hub', `${BASE}websub_hub: https://hub.test/\n`],
  ])('changes with %s, which every page or feed shows', (_what, yaml) => {
    expect(settingsHash(site(yaml))).not.toBe(settingsHash(site(BASE)));
  });
});
