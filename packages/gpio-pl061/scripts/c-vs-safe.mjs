#!/usr/bin/env node
// Writes spec/c-vs-safe.md: the C-style and the safe PL061 drivers side by side, function by
// function, with the line count of each function and the number of calls it makes into the raw
// `@rfl/kernel` API. Everything on the page is computed from the sources by this script, and a
// test checks that the committed page is what the script prints today.
//
//   node scripts/c-vs-safe.mjs           print the page
//   node scripts/c-vs-safe.mjs --write   write spec/c-vs-safe.md
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each operation of the driver: its name in C, its name in the safe driver. */
const PAIRS = [
  ['get_direction', 'pl061_get_direction', 'pl061Chip.getDirection'],
  ['direction_input', 'pl061_direction_input', 'pl061Chip.directionInput'],
  ['direction_output', 'pl061_direction_output', 'pl061Chip.directionOutput'],
  ['get', 'pl061_get_value', 'pl061Chip.get'],
  ['set', 'pl061_set_value', 'pl061Chip.set'],
  ['irq_set_type', 'pl061_irq_type', 'pl061Chip.setType'],
  ['chained irq handler', 'pl061_irq_handler', 'pl061Chip.handleIrqFlow'],
  ['irq_mask', 'pl061_irq_mask', 'pl061Chip.mask'],
  ['irq_unmask', 'pl061_irq_unmask', 'pl061Chip.unmask'],
  ['irq_ack', 'pl061_irq_ack', 'pl061Chip.ack'],
  ['irq_set_wake', 'pl061_irq_set_wake', 'pl061Chip.setWake'],
  ['probe', 'pl061_probe', 'pl061Driver.probe'],
  ['suspend', 'pl061_suspend', 'pl061Pm.suspend'],
  ['resume', 'pl061_resume', 'pl061Pm.resume'],
];

/** The `.ts` sources (not tests) of `dir`, recursively, sorted. */
function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

/** The local names a file imports from `@rfl/kernel`, and its namespace imports of it. */
function kernelImports(sf) {
  const names = new Set();
  const namespaces = new Set();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || st.moduleSpecifier.text !== '@rfl/kernel') continue;
    const b = st.importClause?.namedBindings;
    if (!b || st.importClause.isTypeOnly) continue;
    if (ts.isNamespaceImport(b)) namespaces.add(b.name.text);
    else for (const el of b.elements) if (!el.isTypeOnly) names.add(el.name.text);
  }
  return { names, namespaces };
}

/** Calls (and `new`s) of raw kernel functions inside `node`. */
function rawCalls(node, imports) {
  let n = 0;
  const visit = (x) => {
    if (ts.isCallExpression(x) || ts.isNewExpression(x)) {
      const callee = x.expression;
      if (ts.isIdentifier(callee) && imports.names.has(callee.text)) n += 1;
      else if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        imports.namespaces.has(callee.expression.text)
      ) {
        n += 1;
      }
    }
    ts.forEachChild(x, visit);
  };
  visit(node);
  return n;
}

/** The text of `[start, end)` with its common indentation removed. */
function dedent(text, start, end) {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lines = text.slice(lineStart, end).split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}

const isFn = (x) => x && (ts.isArrowFunction(x) || ts.isFunctionExpression(x));

/** Every named function of a file: declarations, arrow constants, methods of objects and classes. */
function functionsOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports = kernelImports(sf);
  const fns = [];
  const add = (name, node) => {
    const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
    fns.push({
      name,
      file: relative(PKG, file),
      lines: end - start + 1,
      rawCalls: rawCalls(node, imports),
      source: dedent(text, node.getStart(sf), node.getEnd()),
    });
  };
  const members = (prefix, obj) => {
    for (const p of obj.properties ?? obj.members ?? []) {
      const name = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
      if (!name) continue;
      if (ts.isMethodDeclaration(p)) add(`${prefix}.${name}`, p);
      else if (ts.isPropertyAssignment(p) && isFn(p.initializer)) add(`${prefix}.${name}`, p);
      else if (ts.isPropertyDeclaration(p) && isFn(p.initializer)) add(`${prefix}.${name}`, p);
    }
  };
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) add(st.name.text, st);
    else if (ts.isClassDeclaration(st) && st.name) members(st.name.text, st);
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        let init = d.initializer;
        while (ts.isSatisfiesExpression(init) || ts.isAsExpression(init)) init = init.expression;
        if (isFn(init)) add(d.name.text, st);
        else if (ts.isObjectLiteralExpression(init)) members(d.name.text, init);
      }
    }
  }
  return { fns, rawCalls: rawCalls(sf, imports), lines: text.split('\n').length - 1 };
}

function measure(files) {
  const all = files.map((f) => ({ file: relative(PKG, f), ...functionsOf(f) }));
  return {
    files: all,
    fns: all.flatMap((f) => f.fns),
    lines: all.reduce((s, f) => s + f.lines, 0),
    rawCalls: all.reduce((s, f) => s + f.rawCalls, 0),
  };
}

/** The page, as Markdown. */
export function render() {
  const c = measure(sources(join(PKG, 'src/c')));
  const safe = measure([join(PKG, 'src/driver.ts')]);
  const abstractions = measure(sources(join(PKG, 'src/safe')));
  const find = (side, name) => side.fns.find((f) => f.name === name);
  const cell = (f) => (f ? `\`${f.name}\` | ${f.lines} | ${f.rawCalls}` : '— | — | —');
  const out = [];
  out.push('# The two PL061 drivers side by side');
  out.push('');
  out.push(
    'Generated by `scripts/c-vs-safe.mjs` from the sources (`node scripts/c-vs-safe.mjs --write`);',
  );
  out.push(
    'a test fails when this page and the sources disagree. "Raw calls" counts the calls of functions imported from `@rfl/kernel`: the C-style driver\'s whole interface to the kernel, and none of the safe driver\'s, which goes through the abstractions in `src/safe/`.',
  );
  out.push('');
  out.push('| operation | C-style | lines | raw calls | safe | lines | raw calls |');
  out.push('|---|---|---:|---:|---|---:|---:|');
  for (const [op, cName, safeName] of PAIRS) {
    out.push(`| ${op} | ${cell(find(c, cName))} | ${cell(find(safe, safeName))} |`);
  }
  out.push('');
  out.push('| whole files | lines | raw calls |');
  out.push('|---|---:|---:|');
  out.push(`| C-style driver (\`src/c/\`) | ${c.lines} | ${c.rawCalls} |`);
  out.push(`| safe driver (\`src/driver.ts\`) | ${safe.lines} | ${safe.rawCalls} |`);
  out.push(
    `| safe abstractions (\`src/safe/\`) | ${abstractions.lines} | ${abstractions.rawCalls} |`,
  );
  out.push('');
  out.push(
    'The abstractions are written once and shared by every safe driver; where they touch a raw handle, a `// SAFETY:` comment says why that is sound.',
  );
  for (const [op, cName, safeName] of PAIRS) {
    const cf = find(c, cName);
    const sf = find(safe, safeName);
    if (!cf && !sf) continue;
    out.push('');
    out.push(`## ${op}`);
    for (const [label, f] of [
      ['C-style', cf],
      ['safe', sf],
    ]) {
      out.push('');
      if (!f) {
        out.push(`${label}: none.`);
        continue;
      }
      out.push(
        `${label}, \`${f.file}\`: ${f.lines} lines, ${f.rawCalls} raw call${f.rawCalls === 1 ? '' : 's'}.`,
      );
      out.push('');
      out.push('```ts ignore');
      out.push(f.source);
      out.push('```');
    }
  }
  return `${out.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const page = render();
  if (process.argv.includes('--write')) writeFileSync(join(PKG, 'spec/c-vs-safe.md'), page);
  else process.stdout.write(page);
}
