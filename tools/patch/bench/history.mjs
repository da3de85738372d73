// Builds a deterministic 400-commit history out of real source text (the TypeScript
// compiler's own lines), with the change mix of a kernel series: edits of a few hunks,
// new files, deletions, renames with edits, mode changes and binary files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `opts.corpus` replaces the TypeScript compiler's lines with other real text (the kernel
 * bench uses C files of the kernel), and `opts.ext` the file extension (`ts`).
 */
export function buildHistory(dir, commits, seed = 1, opts = {}) {
  const require = createRequire(import.meta.url);
  const corpus =
    opts.corpus ??
    readFileSync(require.resolve('typescript/lib/typescript.js'), 'utf8').split('\n');
  const ext = opts.ext ?? 'ts';
  const r = rng(seed);
  const pending = [];
  const int = (n) => Math.floor(r() * n);
  const slice = (n) => {
    const at = int(corpus.length - n);
    return corpus.slice(at, at + n);
  };
  const files = new Map();
  const dirs = [
    'drivers/gpio',
    'drivers/virtio',
    'rust/kernel',
    'rust/kernel/sync',
    'include/linux',
    'tools/patch',
  ];
  for (let i = 0; i < 60; i++)
    files.set(`${dirs[i % dirs.length]}/file${i}.${ext}`, {
      mode: '100644',
      lines: slice(150 + int(300)),
    });
  let out = '';
  let mark = 0;
  let date = 1700000000;
  const blob = (data) => {
    mark++;
    out += `blob\nmark :${mark}\ndata ${Buffer.byteLength(data)}\n${data}\n`;
    return mark;
  };
  const commit = (subject, ops, first) => {
    date += 600 + int(3600);
    const msg = `${subject}\n\nA change generated for the benchmark, commit ${date}.\n\nSigned-off-by: Bench Author <bench@example.org>\n`;
    out += `commit refs/heads/main\nauthor Bench Author <bench@example.org> ${date} +0100\ncommitter Bench Author <bench@example.org> ${date} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`;
    if (first) out += 'deleteall\n';
    out += `${ops.join('\n')}\n\n`;
  };
  const fileOp = (path) => {
    const f = files.get(path);
    return `M ${f.mode} :${blob(`${f.lines.join('\n')}\n`)} ${path}`;
  };
  commit('initial import', [...files.keys()].map(fileOp), true);
  for (let c = 0; c < commits; c++) {
    const names = [...files.keys()];
    const pick = names[int(names.length)];
    const kind = r();
    const ops = [];
    let subject;
    if (kind < 0.75) {
      const touched = new Set([pick, names[int(names.length)]].slice(0, 1 + int(2)));
      for (const path of touched) {
        const f = files.get(path);
        for (let h = 0; h < 1 + int(3); h++) {
          const at = int(f.lines.length);
          f.lines.splice(at, int(4), ...slice(1 + int(6)));
        }
        ops.push(fileOp(path));
      }
      subject = `${pick.split('/').slice(-2, -1)[0]}: update ${[...touched].map((p) => p.split('/').pop()).join(', ')}`;
    } else if (kind < 0.85) {
      const path = `${dirs[int(dirs.length)]}/new${c}.${ext}`;
      files.set(path, { mode: '100644', lines: slice(20 + int(80)) });
      ops.push(fileOp(path));
      subject = `add ${path}`;
    } else if (kind < 0.9 && names.length > 30) {
      files.delete(pick);
      ops.push(`D ${pick}`);
      subject = `remove ${pick}`;
    } else if (kind < 0.95) {
      const to = pick.replace(/file|new/, 'moved');
      if (to === pick || files.has(to)) continue;
      const f = files.get(pick);
      files.delete(pick);
      f.lines.splice(int(f.lines.length), 0, ...slice(2));
      files.set(to, f);
      ops.push(`D ${pick}`, fileOp(to));
      subject = `move ${pick} to ${to}`;
    } else if (kind < 0.97) {
      const f = files.get(pick);
      f.mode = f.mode === '100644' ? '100755' : '100644';
      ops.push(fileOp(pick));
      subject = `chmod ${pick}`;
    } else {
      const bytes = Buffer.alloc(2000 + int(6000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 7 === 0 ? 0 : int(256);
      mark++;
      out += `blob\nmark :${mark}\ndata ${bytes.length}\n`;
      const chunks = [Buffer.from(out, 'utf8'), bytes, Buffer.from('\n')];
      out = '';
      pending.push(...chunks);
      ops.push(`M 100644 :${mark} firmware/blob${c % 5}.bin`);
      subject = `firmware: update blob${c % 5}`;
    }
    commit(subject, ops, false);
  }
  pending.push(Buffer.from(out, 'utf8'));
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: Buffer.concat(pending) });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir });
}
