import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOptionsFromConf } from './check-cli.js';
import { git } from './git.js';
import { listSeries } from './series-state.js';

/** `rfl-patch series`: the series of the `patches/` archive with their state. Exit 0. */
export function cmdSeries(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      json: { type: 'boolean' },
      dir: { type: 'string' },
      rev: { type: 'string' },
    },
  });
  const cwd = process.cwd();
  let root = values.dir;
  if (!root) {
    let top = cwd;
    try {
      top = git(['rev-parse', '--show-toplevel'], { cwd }).toString().trim();
    } catch {
      // Outside a repository the archive is looked for here.
    }
    root = join(top, 'patches');
  }
  const series = listSeries(root, cwd, values.rev ?? 'HEAD', checkOptionsFromConf(cwd));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(series, null, 2)}\n`);
    return 0;
  }
  if (series.length === 0) {
    process.stdout.write(`no series in ${root}\n`);
    return 0;
  }
  const rows = series.map((s) => [
    s.changeId,
    `v${s.version}`,
    s.state,
    String(s.patches),
    `${s.check.errors}E ${s.check.warnings}W`,
    `${s.replies} repl${s.replies === 1 ? 'y' : 'ies'}, ${s.reviewed}/${s.patches} reviewed`,
    s.title,
  ]);
  const head = ['CHANGE-ID', 'VER', 'STATE', 'PATCHES', 'CHECK', 'REVIEWS', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  process.stdout.write(line(head));
  for (const r of rows) process.stdout.write(line(r));
  return 0;
}
