import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// A fresh clone gets exactly what package.json declares from `npm ci`: a package that is only there
// because something else depends on it can vanish with any update. So every bare import is declared,
// and what the publisher and the command line import at run time is a runtime dependency.
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE = /\.(ts|js|cjs|mjs)$/;
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, folder), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && SOURCE.test(e.name)).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative paths and Node built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  return builtinModules.includes(name) ? undefined : name;
}

async function importsOf(files: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>(); // package -> first file importing it
  for (const file of files) {
    const text = await readFile(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const name = packageOf(match[1] as string);
      if (name && !found.has(name)) found.set(name, file);
    }
  }
  return found;
}

describe('package.json', () => {
  it('declares every package the code, the stack and the tests import', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
    const files = [...(await sourceFiles('functions')), ...(await sourceFiles('infra')), ...(await sourceFiles('test'))];
    // Act
    const imported = await importsOf(files);
    // Assess
    const undeclared = [...imported].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(undeclared).toEqual([]);
  });

  it('lists what the publisher and the command line import at run time as runtime dependencies, not dev ones', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const imported = await importsOf(await sourceFiles('functions'));
    const devOnly = [...imported].filter(([name]) => !runtime.has(name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(devOnly).toEqual([]);
  });
});

describe('the modules', () => {
  it('import each other without a cycle, so each can be read, tested and bundled on its own', async () => {
    // Prepare: every static relative import of functions/ and infra/.
    const files = [...(await sourceFiles('functions')), ...(await sourceFiles('infra'))].filter((f) => f.endsWith('.ts'));
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      const targets = [...text.matchAll(/\bfrom\s*'(\.[^']+)'/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1] as string)));
      graph.set(file, targets);
    }
    // Act: a depth-first walk that records every path that comes back to a module on it.
    const cycles: string[] = [];
    const done = new Set<string>();
    const walk = (file: string, trail: string[]) => {
      if (trail.includes(file)) {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) walk(next, [...trail, file]);
      done.add(file);
    };
    for (const file of files) walk(file, []);
    // Assess
    expect(cycles).toEqual([]);
  });
});
