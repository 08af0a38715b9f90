import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonLog } from '../../functions/lambda/logger.ts';

// jsonLog writes to the process's stdout and stderr through console: the lines are captured there, as
// CloudWatch Logs would receive them.
describe('the JSON log', () => {
  let stdout: string[];
  let stderr: string[];

  beforeEach(() => {
    stdout = [];
    stderr = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void stdout.push(String(line)));
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void stderr.push(String(line)));
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes info to stdout and warnings and errors to stderr, one JSON object per line with the level, the message and the fields', () => {
    // Act
    jsonLog('info', 'published', { written: 9, keys: ['articles/a.md'] });
    jsonLog('warn', 'article rejected', { key: 'articles/b.md' });
    jsonLog('error', 'publish failed; the previous feeds are still in place');

    // Assess
    expect(stdout.map((line) => JSON.parse(line))).toEqual([{ level: 'info', message: 'published', written: 9, keys: ['articles/a.md'] }]);
    expect(stderr.map((line) => JSON.parse(line))).toEqual([
      { level: 'warn', message: 'article rejected', key: 'articles/b.md' },
      { level: 'error', message: 'publish failed; the previous feeds are still in place' },
    ]);
  });

  it('keeps a problem with newlines, quotes, control characters and any script on one line, byte for byte', () => {
    // Prepare
    const problem = 'line one\nline "two"\r\n\u0000\u001b[31m & <b>é 漢字 🗞️\u2028';

    // Act
    jsonLog('warn', 'article rejected', { key: 'articles/"odd"\nname.md', problem });

    // Assess
    expect(stderr).toHaveLength(1);
    expect([...(stderr[0] as string)].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]); // no raw newline or control character
    expect(JSON.parse(stderr[0] as string)).toEqual({ level: 'warn', message: 'article rejected', key: 'articles/"odd"\nname.md', problem });
  });
});
