// The doctest benchmark: a generated corpus of 1000 examples, run by rfl-doctest (extract,
// type-check, run) and by vite-plugin-doctest (extract, run; it does not type-check) in the
// same process tree, one after the other, on the same machine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = dirname(here);
const corpus = join(here, '.corpus');
const DOCS = 100;
const PER_DOC = 10;

/** One example: typed code whose value the example checks, in each tool's dialect. */
function example(doc, i) {
  const n = doc * PER_DOC + i;
  const body = [
    `interface Page { pfn: number; order: number }`,
    `const pages: Page[] = Array.from({ length: ${(n % 7) + 1} }, (_, k) => ({ pfn: ${n} + k, order: k % 3 }));`,
    `const total = pages.reduce((sum, p) => sum + (1 << p.order), 0);`,
  ];
  const expected = Array.from({ length: (n % 7) + 1 }, (_, k) => 1 << (k % 3)).reduce(
    (a, b) => a + b,
    0,
  );
  return {
    rfl: ['```ts', ...body, `total // => ${expected}`, '```'].join('\n'),
    vpd: [
      `\`\`\`ts:ex${n}.ts@import.meta.vitest`,
      ...body,
      `expect(total).toBe(${expected});`,
      '```',
    ].join('\n'),
  };
}

function generate() {
  rmSync(corpus, { recursive: true, force: true });
  for (const dialect of ['rfl', 'vpd']) mkdirSync(join(corpus, dialect), { recursive: true });
  for (let d = 0; d < DOCS; d++) {
    const examples = Array.from({ length: PER_DOC }, (_, i) => example(d, i));
    for (const dialect of ['rfl', 'vpd']) {
      const text = examples.map((e, i) => `## Example ${i}\n\n${e[dialect]}\n`).join('\n');
      writeFileSync(
        join(corpus, dialect, `doc-${String(d).padStart(3, '0')}.md`),
        `# Document ${d}\n\n${text}`,
      );
    }
  }
}

function timed(label, file, args, cwd) {
  const start = process.hrtime.bigint();
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, [file, ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    throw new Error(`${label} failed: ${e.stderr || e.message}`);
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout };
}

generate();
const ours = timed(
  'rfl-doctest',
  join(pkg, 'bin', 'rfl-doctest.js'),
  ['run', join(corpus, 'rfl'), '--reporter', 'json'],
  pkg,
);
const oursReport = JSON.parse(ours.stdout);
const vitestBin = join(pkg, 'node_modules', 'vitest', 'vitest.mjs');
const total = DOCS * PER_DOC;
if (oursReport.passed !== total)
  throw new Error(`rfl-doctest passed ${oursReport.passed} of ${total}`);

/** vite-plugin-doctest, with vitest's defaults or with the worker settings rfl-doctest uses. */
function vitePluginDoctest(extra) {
  const args = [
    'run',
    '--config',
    join(here, 'vpd.config.mjs'),
    '--root',
    join(corpus, 'vpd'),
    '--reporter',
    'json',
    ...extra,
  ];
  const run = timed('vite-plugin-doctest', vitestBin, args, pkg);
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
  if (report.numPassedTests !== total)
    throw new Error(`vite-plugin-doctest passed ${report.numPassedTests} of ${total}`);
  return run.seconds;
}
const theirsDefault = vitePluginDoctest([]);
const theirsShared = vitePluginDoctest(['--pool', 'threads', '--no-isolate']);

const row = (label, s) => console.log(`  ${label.padEnd(58)} ${s.toFixed(2)} s`);
console.log(
  `doctest benchmark: ${total} examples in ${DOCS} documents, ${cpus().length} cores, node ${process.version}`,
);
row('rfl-doctest (extract + type-check + run)', ours.seconds);
row('vite-plugin-doctest, vitest defaults (extract + run)', theirsDefault);
row('vite-plugin-doctest, threads without isolation (extract + run)', theirsShared);
console.log(
  `  ratio rfl-doctest / vite-plugin-doctest (defaults):        ${(ours.seconds / theirsDefault).toFixed(2)}`,
);
console.log(
  `  ratio rfl-doctest / vite-plugin-doctest (same workers):    ${(ours.seconds / theirsShared).toFixed(2)}`,
);
