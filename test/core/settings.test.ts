// The site's URLs are published in every link, and the hub is pinged from inside the stack: site.yaml (or
// SITE_URL) carrying credentials, or a hub over plain http to another machine, is a settings error (exit 2,
// nothing written), through the real `wirefeed build`.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, listFiles, SITE_SETTINGS, tempDir, writeContent } from '../helpers/content.ts';

async function build(settings: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), { 'a.md': articleText({ title: 'A', date: '2025-03-14' }) }, { ...SITE_SETTINGS, ...settings });
  const out = path.join(dir, 'dist');
  const io = captureIo(undefined, env);
  const code = await main(['build', '--content', content, '--out', out], io);
  return { code, io, files: await listFiles(out) };
}

describe('URLs in the settings', () => {
  it.each([
    ['url with a user and password', { url: 'https://editor:s3cret@news.test/' }, /^site\.yaml: "url" must not carry a user name or password/],
    ['url with a user only', { url: 'https://editor@news.test/' }, /^site\.yaml: "url" must not carry a user name or password/],
    ['a hub over plain http', { websub_hub: 'http://hub.example/' }, /^site\.yaml: "websub_hub" must be an https URL \(http only for localhost, 127\.0\.0\.1 or \[::1\]\)/],
    ['a hub with credentials', { websub_hub: 'https://bot:token@hub.example/' }, /^site\.yaml: "websub_hub" must not carry a user name or password/],
    ['a hub on a look-alike of localhost', { websub_hub: 'http://localhost.evil.example/' }, /"websub_hub" must be an https URL/],
  ])('%s: exit 2, one line naming site.yaml and the key, nothing written', async (_case, settings, message) => {
    // Act
    const { code, io, files } = await build(settings);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(message);
    expect(io.stderr.join('\n')).not.toContain('s3cret');
    expect(files).toEqual([]);
  });

  it('refuses credentials in SITE_URL too, and says the url came in SITE_URL', async () => {
    const { code, io, files } = await build({}, { SITE_URL: 'https://deploy:hunter2@news.test/' });
    expect(code).toBe(2);
    expect(io.stderr[0]).toMatch(/^site\.yaml: "url" must not carry a user name or password .*\(the url came from SITE_URL\)\n/);
    expect(io.stderr[0]).not.toContain('hunter2');
    expect(files).toEqual([]);
  });

  it.each(['https://hub.example/', 'http://localhost:8081/hub', 'http://127.0.0.1:8081/', 'http://[::1]:8081/'])('accepts the hub %s', async (hub) => {
    const { code, io, files } = await build({ websub_hub: hub });
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(files).toContain('rss.xml');
  });
});
