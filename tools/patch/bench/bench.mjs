// pnpm --filter @rfl/patch bench: rfl-patch against git on the same series, same run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mailinfo, splitMbox } from '../dist/index.js';
import { buildHistory } from './history.mjs';
import { extraCaCerts, extraCaNote, withoutExtraCa } from './node-env.mjs';

const BIN = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));
const PATCHES = Number(process.env.BENCH_PATCHES ?? 400);
const root = mkdtempSync(join(tmpdir(), 'rfl-patch-bench-'));
const home = join(root, 'home');
const env = {
  ...withoutExtraCa(process.env),
  HOME: home,
  XDG_CONFIG_HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_COMMITTER_NAME: 'Bench Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.org',
  GIT_COMMITTER_DATE: '1800000000 +0000',
};
process.env = env;
execFileSync('mkdir', ['-p', home]);

const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, maxBuffer: 1 << 30 });
const time = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const best = (n, fn) => Math.min(...Array.from({ length: n }, fn));

const src = join(root, 'src');
buildHistory(src, PATCHES);
const count = Number(git(src, 'rev-list', '--count', 'main').toString()) - 1;
const base = git(src, 'rev-list', '--max-parents=0', 'main').toString().trim();
const series = join(root, 'series');
git(src, 'format-patch', '-q', '--binary', '-o', series, `${base}..main`);
const files = readdirSync(series)
  .map((n) => join(series, n))
  .sort();
const mbox = Buffer.concat(files.map((f) => readFileSync(f)));

// The repository a series is applied to holds the base and its history, not the
// commits the series was made from: a clone of the base alone (--no-local, or git would
// link the whole object store in). With the series' own objects at hand, `git am` skips
// writing every blob and tree a patch recreates, which nobody applying a mailed series
// gets to do.
// The runs before 2026-11-21 15:00 used such clones; `git am` is timed in one too
// (git-full), for comparison with them.
git(src, 'branch', '-f', 'bench-base', base);
function freshClone(name, full = false) {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  const only = ['--no-local', '--no-tags', '--single-branch', '--branch', 'bench-base'];
  git(root, 'clone', '-q', ...(full ? [] : only), '--no-checkout', src, dir);
  git(dir, 'checkout', '-q', '-B', 'main', base);
  return dir;
}

function amRun(tool) {
  const dir = freshClone(`${tool}-am`, tool === 'git-full');
  const ms = time(() => {
    const cmd = tool.startsWith('git')
      ? ['git', ['am', '-q', ...files]]
      : [process.execPath, [BIN, 'am', '-q', ...files]];
    // rfl-ca: rfl-patch with the machine's NODE_EXTRA_CA_CERTS (see node-env.mjs).
    const runEnv = tool === 'rfl-ca' ? { ...env, NODE_EXTRA_CA_CERTS: extraCaCerts } : env;
    const r = spawnSync(cmd[0], cmd[1], { cwd: dir, env: runEnv });
    if (r.status !== 0) throw new Error(`${tool} am failed: ${r.stderr}`);
  });
  return { ms, log: git(dir, 'log', '--format=%H %T', `${base}..HEAD`).toString() };
}

const rounds = 5;
const am = { git: [], rfl: [], 'rfl-ca': [], 'git-full': [] };
let identical = true;
for (let i = 0; i < rounds; i++) {
  const g = amRun('git');
  const r = amRun('rfl');
  am.git.push(g.ms);
  am.rfl.push(r.ms);
  identical &&= g.log === r.log && g.log.split('\n').length === count + 1;
  const full = amRun('git-full');
  am['git-full'].push(full.ms);
  identical &&= g.log === full.log;
  if (extraCaCerts) {
    const c = amRun('rfl-ca');
    am['rfl-ca'].push(c.ms);
    identical &&= g.log === c.log;
  }
}

const fmtGit = best(3, () =>
  time(() => git(src, 'format-patch', '-q', '--binary', '-o', join(root, 'fg'), `${base}..main`)),
);
const fmtRfl = best(3, () =>
  time(() =>
    execFileSync(process.execPath, [BIN, 'format', '-q', '-o', join(root, 'fr'), `${base}..main`], {
      cwd: src,
      env,
    }),
  ),
);
const sameFormat = readdirSync(join(root, 'fg')).every((n) =>
  readFileSync(join(root, 'fg', n)).equals(readFileSync(join(root, 'fr', n))),
);

const parseGit = time(() => {
  const split = join(root, 'split');
  execFileSync('mkdir', ['-p', split]);
  git(root, 'mailsplit', `-o${split}`, '-b', '--', ...files);
  for (const f of readdirSync(split))
    execFileSync('git', ['mailinfo', '-u', join(root, 'm'), join(root, 'p')], {
      input: readFileSync(join(split, f)),
      env,
    });
});
const parseRfl = best(3, () =>
  time(() => {
    for (const m of splitMbox(mbox)) mailinfo(m);
  }),
);

const startup = best(5, () => time(() => execFileSync(process.execPath, [BIN, '--help'], { env })));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rate = (ms) => Math.round((count / ms) * 1000).toLocaleString('en-US');

const report = `| measurement (${count} patches, ${cpus().length} cores, git ${git(root, 'version').toString().trim().replace('git version ', '')}) | git | rfl-patch | ratio |
| --- | --- | --- | --- |
| am, median of ${rounds} fresh clones | ${f(median(am.git))} | ${f(median(am.rfl))} | ${(median(am.git) / median(am.rfl)).toFixed(1)}× |
${extraCaCerts ? `| am as above, with NODE_EXTRA_CA_CERTS | ${f(median(am.git))} | ${f(median(am['rfl-ca']))} | ${(median(am.git) / median(am['rfl-ca'])).toFixed(1)}× |\n` : ''}| git am in a clone that holds the series' objects (the setup before 2026-11-21 15:00) | ${f(median(am['git-full']))} | | |
| format, best of 3 | ${f(fmtGit)} | ${f(fmtRfl)} | ${(fmtGit / fmtRfl).toFixed(1)}× |
| messages parsed per second (git: mailsplit + one mailinfo per message; rfl: in process) | ${rate(parseGit)} | ${rate(parseRfl)} | ${(parseGit / parseRfl).toFixed(0)}× |
| \`rfl-patch --help\` start-up, best of 5 | | ${Math.round(startup)} ms | |

Identical commits (ids and trees) from both \`am\` runs: ${identical ? 'yes' : 'NO'}. Byte-identical \`format\` output: ${sameFormat ? 'yes' : 'NO'}.
${extraCaNote()}.`;
console.log(report);
rmSync(root, { recursive: true, force: true });
if (!identical || !sameFormat) process.exitCode = 1;
