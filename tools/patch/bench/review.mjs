// pnpm --filter @rfl/patch bench (second part): `check` against checkpatch.pl and
// `range-diff` against `git range-diff`, each pair measured in the same run.
//
// checkpatch.pl comes from Debian's linux-source package: with BENCH_CHECKPATCH=path the
// script given is used; otherwise the bench looks in bench/.cache and, as root with
// apt-get, downloads linux-source once and keeps only scripts/checkpatch.pl and the two
// data files it reads. Without perl or the script, `check` is timed alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHistory } from './history.mjs';
import { extraCaCerts, extraCaNote, withoutExtraCa } from './node-env.mjs';

const BIN = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
const PATCHES = Number(process.env.BENCH_PATCHES ?? 400);
const root = mkdtempSync(join(tmpdir(), 'rfl-patch-bench2-'));
const env = {
  ...withoutExtraCa(process.env),
  HOME: root,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench Author',
  GIT_AUTHOR_EMAIL: 'author@example.org',
  GIT_COMMITTER_NAME: 'Bench Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.org',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env, maxBuffer: 1 << 30 }).toString();
// CPU time (user + system) of a command, from /usr/bin/time when the machine has it:
// on a loaded machine wall time mostly measures the wait for a core.
const HAS_TIME = existsSync('/usr/bin/time');
function measure(cmd, args, opts) {
  const t = process.hrtime.bigint();
  const r = HAS_TIME
    ? spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', join(root, 'time.txt'), cmd, ...args], opts)
    : spawnSync(cmd, args, opts);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  let cpu = Number.NaN;
  if (HAS_TIME) {
    // The last line: "Command exited with non-zero status N" may come first.
    const last = readFileSync(join(root, 'time.txt'), 'utf8').trim().split('\n').pop();
    const [u, sys] = last.split(' ').map(Number);
    cpu = (u + sys) * 1000;
  }
  return { ms, cpu, out: r.stdout?.toString() ?? '' };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function findCheckpatch() {
  if (process.env.BENCH_CHECKPATCH) return process.env.BENCH_CHECKPATCH;
  const cached = join(CACHE, 'linux', 'scripts', 'checkpatch.pl');
  if (existsSync(cached) && existsSync(join(CACHE, 'linux', 'drivers', 'gpio'))) return cached;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get && [ "$(id -u)" = 0 ]']);
  if (apt.status !== 0) return undefined;
  process.stderr.write('fetching checkpatch.pl from Debian linux-source (once)...\n');
  const work = join(CACHE, 'deb');
  mkdirSync(work, { recursive: true });
  const sh = (cmd) =>
    execFileSync('sh', ['-c', cmd], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    sh('apt-get update -qq');
    // linux-source is a metapackage; the source is in the versioned package it depends on.
    sh(
      "apt-get download -qq $(apt-cache depends linux-source | awk '/Depends: linux-source-/{print $2; exit}')",
    );
    const deb = readdirSync(work).find((n) => n.endsWith('.deb'));
    sh(`dpkg-deb --fsys-tarfile ${deb} | tar -x --wildcards './usr/src/linux-source-*.tar.xz'`);
    const tarball = execFileSync('sh', ['-c', 'ls usr/src/linux-source-*.tar.xz'], { cwd: work })
      .toString()
      .trim();
    const top = tarball.replace(/^usr\/src\//, '').replace(/\.tar\.xz$/, '');
    mkdirSync(join(CACHE, 'linux'), { recursive: true });
    // checkpatch.pl with the data files it reads, and real kernel C for the patches.
    sh(
      `tar -xJf ${tarball} -C ${join(CACHE, 'linux')} --strip-components=1 --wildcards ${top}/scripts/checkpatch.pl ${top}/scripts/spelling.txt ${top}/scripts/const_structs.checkpatch '${top}/drivers/gpio/*.c'`,
    );
  } catch (e) {
    process.stderr.write(`could not get checkpatch.pl: ${e.message}\n`);
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return existsSync(cached) ? cached : undefined;
}

// --- check ------------------------------------------------------------------------
const checkpatch = spawnSync('perl', ['-v']).status === 0 ? findCheckpatch() : undefined;
// Real kernel patches: edits of the kernel's own drivers/gpio C files when the source is
// at hand (the edits splice in other lines of the same files), else TypeScript text.
const gpio = join(CACHE, 'linux', 'drivers', 'gpio');
const cFiles = existsSync(gpio) ? readdirSync(gpio).filter((n) => n.endsWith('.c')) : [];
const kernelC = cFiles.length
  ? { ext: 'c', corpus: cFiles.flatMap((n) => readFileSync(join(gpio, n), 'utf8').split('\n')) }
  : {};
const src = join(root, 'src');
buildHistory(src, PATCHES, 1, kernelC);
const base = git(src, 'rev-list', '--max-parents=0', 'main').trim();
const series = join(root, 'series');
git(src, 'format-patch', '-q', '-o', series, `${base}..main`);
const files = readdirSync(series)
  .sort()
  .map((n) => join(series, n));

const rounds = 3;
// check is a short process whose time moves with the machine by up to 1.7x from one
// minute to the next (BENCHMARKS.md): five runs a side, reported as the median and as the
// best, the figure the packages' benches give.
const checkRounds = 5;
const rflCheck = [];
for (let i = 0; i < checkRounds; i++) {
  rflCheck.push(
    measure(process.execPath, [BIN, 'check', '--no-tree', '--terse', ...files], { cwd: root, env }),
  );
}
// The same runs with the machine's NODE_EXTRA_CA_CERTS (see node-env.mjs).
const rflCheckCa = [];
for (let i = 0; extraCaCerts && i < checkRounds; i++) {
  rflCheckCa.push(
    measure(process.execPath, [BIN, 'check', '--no-tree', '--terse', ...files], {
      cwd: root,
      env: { ...env, NODE_EXTRA_CA_CERTS: extraCaCerts },
    }),
  );
}
let perl;
if (checkpatch) {
  // One process for every patch, as our run; --no-tree as there is no kernel tree.
  const runs = [];
  for (let i = 0; i < checkRounds; i++) {
    runs.push(
      measure('perl', [checkpatch, '--no-tree', '--terse', '--no-summary', ...files], {
        cwd: root,
        env,
        maxBuffer: 1 << 28,
      }),
    );
  }
  perl = { runs, ms: median(runs.map((r) => r.ms)), cpu: median(runs.map((r) => r.cpu)) };
}

// --- range-diff -------------------------------------------------------------------
const RANGE = Number(process.env.BENCH_RANGE ?? 200);
const rd = join(root, 'rd');
buildHistory(rd, RANGE, 7);
const rdBase = git(rd, 'rev-list', '--max-parents=0', 'main').trim();
const v1 = git(rd, 'rev-list', '--reverse', `${rdBase}..main`).trim().split('\n');
git(rd, 'checkout', '-q', '-b', 'v2', rdBase);
// v2: every 7th message reworded, the last two patches dropped, three new ones added.
for (const [i, oid] of v1.slice(0, -2).entries()) {
  git(rd, 'cherry-pick', '--allow-empty', '--keep-redundant-commits', oid);
  if (i % 7 === 3) {
    const msg = git(rd, 'log', '-1', '--format=%B');
    git(rd, 'commit', '-q', '--amend', '--allow-empty', '-m', `${msg.trim()}\n\nReworded in v2.`);
  }
}
for (let i = 0; i < 3; i++) {
  execFileSync('sh', ['-c', `echo "new in v2 ${i}" > v2-${i}.txt`], { cwd: rd });
  git(rd, 'add', '.');
  git(rd, 'commit', '-q', '-m', `v2: add file ${i}`);
}
const rdArgs = ['--no-color', `${rdBase}..main`, `${rdBase}..v2`];
const gitRd = [];
const rflRd = [];
let same = true;
let bytes = true;
for (let i = 0; i < rounds; i++) {
  const opts = { cwd: rd, env, maxBuffer: 1 << 28 };
  const g = measure('git', ['range-diff', ...rdArgs], opts);
  const r = measure(process.execPath, [BIN, 'range-diff', ...rdArgs.slice(1)], opts);
  gitRd.push(g);
  rflRd.push(r);
  bytes &&= g.out === r.out;
  const headers = (t) => t.split('\n').filter((l) => l && !l.startsWith('    '));
  same &&= JSON.stringify(headers(g.out)) === JSON.stringify(headers(r.out));
}

const med = (xs, k) => median(xs.map((x) => x[k]));
const rows = [];
for (const k of ['ms', 'cpu']) {
  const what = k === 'ms' ? 'wall' : 'CPU (user+sys)';
  if (k === 'cpu' && !HAS_TIME) continue;
  rows.push([
    `check, ${files.length} patches in one process, ${what} (median of ${checkRounds})`,
    perl === undefined ? 'n/a' : fmt(perl[k]),
    fmt(med(rflCheck, k)),
    perl === undefined ? '' : `${(perl[k] / med(rflCheck, k)).toFixed(1)}×`,
  ]);
  const best = (xs) => Math.min(...xs.map((x) => x[k]));
  rows.push([
    `check, ${files.length} patches in one process, ${what} (best of ${checkRounds})`,
    perl === undefined ? 'n/a' : fmt(best(perl.runs)),
    fmt(best(rflCheck)),
    perl === undefined ? '' : `${(best(perl.runs) / best(rflCheck)).toFixed(1)}×`,
  ]);
  if (rflCheckCa.length)
    rows.push([
      `check as above, with NODE_EXTRA_CA_CERTS, ${what} (median of ${checkRounds})`,
      perl === undefined ? 'n/a' : fmt(perl[k]),
      fmt(med(rflCheckCa, k)),
      perl === undefined ? '' : `${(perl[k] / med(rflCheckCa, k)).toFixed(1)}×`,
    ]);
  rows.push([
    `range-diff, ${v1.length} vs ${v1.length + 1} commits, ${what} (median of ${rounds})`,
    fmt(med(gitRd, k)),
    fmt(med(rflRd, k)),
    `${(med(gitRd, k) / med(rflRd, k)).toFixed(2)}×`,
  ]);
}
process.stdout.write(
  `| measurement (2 cores) | reference | rfl-patch | ratio (reference / rfl) |\n| --- | --- | --- | --- |\n`,
);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.stdout.write(
  `\npatches for check: ${kernelC.ext ? `edits of the kernel's drivers/gpio/*.c (${cFiles.length} files)` : 'TypeScript text'}\nreference for check: ${checkpatch ? `perl ${checkpatch.replace(CACHE, 'bench/.cache/')}` : 'none (no perl or no checkpatch.pl)'}; for range-diff: ${git(rd, 'version').trim()}\n`,
);
process.stdout.write(`${extraCaNote()}\n`);
process.stdout.write(`range-diff pairing and markers identical to git: ${same ? 'yes' : 'NO'}\n`);
process.stdout.write(`range-diff output byte-identical to git: ${bytes ? 'yes' : 'no'}\n`);
rmSync(root, { recursive: true, force: true });
