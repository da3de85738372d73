import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary HOME so neither the user's nor the system's git config leaks into tests. */
const home = mkdtempSync(join(tmpdir(), 'rfl-patch-home-'));
Object.assign(process.env, {
  HOME: home,
  XDG_CONFIG_HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'A U Thor',
  GIT_AUTHOR_EMAIL: 'author@example.org',
  GIT_COMMITTER_NAME: 'C O Mitter',
  GIT_COMMITTER_EMAIL: 'committer@example.org',
  GIT_AUTHOR_DATE: '1700000000 +0200',
  GIT_COMMITTER_DATE: '1700000500 +0000',
  TZ: 'UTC',
});

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

export function gitRaw(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Buffer {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `rfl-patch-${tag}-`));
}

export function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'C O Mitter');
  git(dir, 'config', 'user.email', 'committer@example.org');
}

/** A small deterministic PRNG (mulberry32) so random histories repeat exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  'a.c',
  'lib/b.h',
  'lib/deep/c.rs',
  'sp ace.txt',
  'caf\u00e9.md',
  'tab\there',
  'd/e/f.txt',
  'q"uote',
];

function randomText(r: () => number, lines: number, crlf: boolean): Buffer {
  const words = [
    'alpha',
    'beta',
    'gamma',
    'delta',
    '\t{',
    '}',
    '',
    'return 0;',
    'x = y + z;',
    'caf\u00e9',
  ];
  let s = '';
  for (let i = 0; i < lines; i++)
    s += `${words[Math.floor(r() * words.length)]} ${Math.floor(r() * 50)}${crlf ? '\r\n' : '\n'}`;
  return Buffer.from(s);
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function listFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Makes `count` commits of random changes with every kind `git format-patch --binary`
 * can express: edits (with and without final newline), creations, deletions, renames
 * with edits, copies, mode changes, binary literal and delta changes, CRLF files, empty files,
 * quoted and non-ASCII names, non-UTF-8 content. Returns nothing; the history is in `dir`.
 */
export function randomHistory(dir: string, seed: number, count: number, crlf = false): void {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let date = 1600000000;
  for (let c = 0; c < count; c++) {
    const files = listFiles(dir);
    const op = files.length < 3 ? 0 : Math.floor(r() * 9);
    const target = files.length ? pick(files) : '';
    const full = join(dir, target);
    let subject = '';
    switch (op) {
      case 0: {
        const name = pick(NAMES).replace('.', `${c}.`);
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(
          join(dir, name),
          r() < 0.15 ? Buffer.alloc(0) : randomText(r, 3 + Math.floor(r() * 30), crlf && r() < 0.5),
        );
        subject = `add ${name}`;
        break;
      }
      case 1:
      case 2: {
        const text = readFileSync(full).toString('latin1').split('\n');
        const at = Math.floor(r() * text.length);
        const more = randomText(r, 1 + Math.floor(r() * 4), crlf && r() < 0.5)
          .toString('latin1')
          .split('\n');
        more.pop();
        text.splice(at, Math.floor(r() * 3), ...more);
        let out = text.join('\n');
        if (r() < 0.2) out = out.replace(/\n$/, '');
        if (r() < 0.1) out += '\xe9t\xe9\n';
        writeFileSync(full, Buffer.from(out, 'latin1'));
        subject = `edit ${target}`;
        break;
      }
      case 3: {
        unlinkSync(full);
        subject = `remove ${target}`;
        break;
      }
      case 4: {
        const to = `moved/${c}-${target.split('/').pop()}`;
        mkdirSync(join(dir, 'moved'), { recursive: true });
        const data = readFileSync(full);
        unlinkSync(full);
        writeFileSync(
          join(dir, to),
          r() < 0.5 ? Buffer.concat([data, Buffer.from('tail\n')]) : data,
        );
        subject = `move ${target}`;
        break;
      }
      case 5: {
        chmodSync(full, r() < 0.5 ? 0o755 : 0o644);
        writeFileSync(full, Buffer.concat([readFileSync(full), Buffer.from('mode\n')]));
        subject = `mode ${target}`;
        break;
      }
      case 6: {
        const name = `bin/blob${c % 3}.bin`;
        mkdirSync(join(dir, 'bin'), { recursive: true });
        let data: Buffer;
        try {
          data = readFileSync(join(dir, name));
          data = Buffer.concat([
            data.subarray(0, data.length >> 1),
            randomBytes(r, 16),
            data.subarray(data.length >> 1),
          ]);
        } catch {
          data = randomBytes(r, 200 + Math.floor(r() * 4000));
        }
        data[0] = 0;
        writeFileSync(join(dir, name), data);
        subject = `binary ${name}`;
        break;
      }
      case 8: {
        const copy = `copies/${c}-${target.split('/').pop()}`;
        mkdirSync(join(dir, 'copies'), { recursive: true });
        writeFileSync(
          join(dir, copy),
          Buffer.concat([readFileSync(full), Buffer.from('copied\n')]),
        );
        subject = `copy ${target}`;
        break;
      }
      default: {
        rmSync(full);
        const copy = `copy-${c}.txt`;
        writeFileSync(join(dir, copy), randomText(r, 5, false));
        subject = `replace ${target}`;
      }
    }
    git(dir, 'add', '-A');
    date += 3600;
    gitRaw(
      dir,
      ['commit', '-q', '--allow-empty', '-m', `${subject}\n\nCommit ${c} of seed ${seed}.`],
      {
        GIT_AUTHOR_DATE: `${date} +0200`,
        GIT_COMMITTER_DATE: `${date} +0000`,
      },
    );
  }
}

/** `git log` fields that must agree between two repositories. */
export function history(dir: string, range: string): string {
  return git(dir, 'log', '--format=%H %T %an <%ae> %ad%n%B', '--date=raw', range);
}

export function clone(src: string, dst: string, rev: string): void {
  git(tmpdir(), 'clone', '-q', '--no-checkout', src, dst);
  git(dst, 'checkout', '-q', '-B', 'main', rev);
}
