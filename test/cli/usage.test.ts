import { describe, expect, it } from 'vitest';
import { COMMANDS, type Command, commandUsage, EXIT, USAGE, UsageError } from '../../functions/cli/usage.ts';

// What `wirefeed --help` and `wirefeed COMMAND --help` say. That main prints them is test/cli/main.test.ts.

/** The flags an options block lists, in order ("--content", "FILE...", "-h, --help"). */
const flagsOf = (text: string) => [...text.matchAll(/^ {2}(\S+(?:, \S+)?)(?: [A-Z]+)? {2,}/gm)].map((m) => m[1]);

describe("each command's usage", () => {
  it.each([
    ['build', ['--content', '--out', '--state', '--full', '--json', '-h, --help']],
    ['check', ['--content', 'FILE...', '--json', '-h, --help']],
    ['serve', ['--content', '--out', '--port', '-h, --help']],
    ['publish', ['--content', '--site', '--state', '--full', '--distributed', '--json', '-h, --help']],
  ] as [Command, string[]][])('%s lists its own options and no other', (command, flags) => {
    // Act
    const text = commandUsage(command);

    // Assess
    expect(text).toMatch(new RegExp(`^Usage: wirefeed ${command} [^ ]`));
    expect(flagsOf(text.slice(text.indexOf('Options:'), text.indexOf('\n\n', text.indexOf('Options:'))))).toEqual(flags);
  });

  it('describes the report and its exit statuses for every command that prints one, and the stopping for serve', () => {
    // Act
    const texts = Object.fromEntries((Object.keys(COMMANDS) as Command[]).map((c) => [c, commandUsage(c)]));

    // Assess
    for (const command of ['build', 'check', 'publish']) {
      expect(texts[command], command).toContain('With --json, stdout holds one JSON object');
      expect(texts[command], command).toContain('Exit status:\n  0  every article published');
    }
    expect(texts.serve).not.toContain('--json');
    expect(texts.serve).toMatch(/Exit status: 0 once stopped \(Ctrl\+C, SIGTERM, SIGHUP, .*\); 2 a usage error\.$/s);
  });

  it('lines up every description in one column', () => {
    // Act
    const lines = [USAGE, ...(Object.keys(COMMANDS) as Command[]).map(commandUsage)].flatMap((text) => {
      const options = text.slice(text.indexOf('Options:\n') + 'Options:\n'.length);
      return options.slice(0, options.indexOf('\n\n')).split('\n');
    });

    // Assess
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line, line).toMatch(/^ {2}\S.{13} \S/); // flag from column 3, description from column 18
  });
});

describe('the whole usage', () => {
  it('shows each command with what it does, and how to ask for one command alone', () => {
    // Act / Assess
    for (const { synopsis, what } of Object.values(COMMANDS)) expect(USAGE).toContain(`  ${synopsis}\n      ${what}`);
    expect(USAGE).toContain("wirefeed COMMAND --help    that command's usage (also -h)");
  });

  it('documents exactly the exit codes the command line returns', () => {
    // Act
    const documented = [...USAGE.slice(USAGE.indexOf('Exit status:')).matchAll(/^ {2}(\d) {2}/gm)].map((m) => Number(m[1]));

    // Assess
    expect(documented).toEqual(Object.values(EXIT));
    expect(EXIT).toEqual({ ok: 0, rejected: 1, usage: 2, store: 3 });
  });
});

describe('UsageError', () => {
  it('is an Error named UsageError, carrying only its message', () => {
    // Act
    const error = new UsageError('publish needs --content s3://BUCKET[/PREFIX] and --site s3://BUCKET[/PREFIX]');

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UsageError');
    expect(String(error)).toBe('UsageError: publish needs --content s3://BUCKET[/PREFIX] and --site s3://BUCKET[/PREFIX]');
  });
});
