// Rename symbols across the project with TypeScript's language service.
// Usage: node rename.mjs <spec.json>; spec: [{ "file": "...", "name": "Site", "to": "Settings" }, ...]
//   or { "declaredName": "site", "typeName": "Site", "to": "settings" } for every declaration of that name and type.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const files = new Map(config.fileNames.map((f) => [path.resolve(f), { version: 0, text: fs.readFileSync(f, 'utf8') }]));
const host = {
  getScriptFileNames: () => [...files.keys()],
  getScriptVersion: (f) => String(files.get(path.resolve(f))?.version ?? 0),
  getScriptSnapshot: (f) => {
    const e = files.get(path.resolve(f));
    if (e) return ts.ScriptSnapshot.fromString(e.text);
    return fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined;
  },
  getCurrentDirectory: () => root,
  getCompilationSettings: () => config.options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
};
const ls = ts.createLanguageService(host, ts.createDocumentRegistry());

function apply(edits) {
  const byFile = new Map();
  for (const e of edits) {
    const list = byFile.get(e.fileName) ?? [];
    if (!list.some((x) => x.start === e.start)) list.push(e);
    byFile.set(e.fileName, list);
  }
  for (const [file, list] of byFile) {
    const entry = files.get(path.resolve(file));
    let text = entry.text;
    for (const e of list.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.newText + text.slice(e.start + e.length);
    entry.text = text;
    entry.version++;
  }
  return byFile.size;
}

function renameAt(file, pos, to) {
  const locs = ls.findRenameLocations(file, pos, false, false, { providePrefixAndSuffixTextForRename: true }) ?? [];
  return locs.map((l) => ({ fileName: l.fileName, start: l.textSpan.start, length: l.textSpan.length, newText: `${l.prefixText ?? ''}${to}${l.suffixText ?? ''}` }));
}

for (const step of spec) {
  let edits = [];
  if (step.file) {
    const file = path.resolve(step.file);
    const sf = ls.getProgram().getSourceFile(file);
    let pos;
    const visit = (n) => {
      if (pos === undefined && (ts.isIdentifier(n) && n.text === step.name) && n.parent && (n.parent.name === n)) pos = n.getStart(sf);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (pos === undefined) throw new Error(`no declaration of ${step.name} in ${step.file}`);
    edits = renameAt(file, pos, step.to);
  } else {
    // every declaration named declaredName whose declared type mentions typeName, one at a time (positions move)
    for (let guard = 0; guard < 2000; guard++) {
      const program = ls.getProgram();
      const checker = program.getTypeChecker();
      let found;
      for (const sf of program.getSourceFiles()) {
        if (!files.has(path.resolve(sf.fileName))) continue;
        if (step.under && !path.relative(root, sf.fileName).startsWith(step.under)) continue;
        const visit = (n) => {
          if (found) return;
          if (ts.isIdentifier(n) && n.text === step.declaredName && n.parent && n.parent.name === n &&
              (ts.isParameter(n.parent) || ts.isVariableDeclaration(n.parent) || ts.isPropertySignature(n.parent) || ts.isPropertyDeclaration(n.parent) || ts.isBindingElement(n.parent))) {
            const t = checker.getTypeAtLocation(n);
            const s = checker.typeToString(checker.getNonNullableType(t), undefined, ts.TypeFormatFlags.NoTruncation);
            if (new RegExp(step.typePattern).test(s)) found = { file: sf.fileName, pos: n.getStart(sf) };
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
        if (found) break;
      }
      if (!found) break;
      apply(renameAt(found.file, found.pos, step.to));
      edits = [];
    }
  }
  if (edits.length) apply(edits);
  console.log('done', JSON.stringify(step));
}
for (const [file, e] of files) if (e.version > 0) fs.writeFileSync(file, e.text);
