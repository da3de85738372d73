import { parseArgs } from 'node:util';
import { displayPath } from './discover.js';
import { exampleCode, testName } from './example.js';
import {
  DEFAULT_TIMEOUT_MS,
  doctestPlugin,
  openSession,
  TYPECHECK_GRACE_MS,
  WORKER_OPTIONS,
} from './plugin.js';
import { CollectingReporter, formatJson, formatKtap } from './reporters.js';

const USAGE = `usage: rfl-doctest <command> [options] [paths...]

Runs the TypeScript examples of Markdown documents and TSDoc @example blocks as tests.
Paths are files or directories; none means every spec and package source of the workspace.

commands:
  run     type-check and run the examples; exit 0 iff all pass
  list    print the examples that would run

options:
  --reporter <default|ktap|json>   output of run (default: default)
  --timeout <ms>                   per-example timeout (default: ${DEFAULT_TIMEOUT_MS})
  --json                           list: print the extraction manifest as JSON
  -h, --help                       show this help
`;

class UsageError extends Error {}

function list(paths: string[], json: boolean): number {
  const session = openSession({ paths });
  const examples = session.files.flatMap((f) =>
    session.document(f)!.examples.map((e) => e.example),
  );
  if (json) {
    const manifest = examples.map((e) => ({
      file: displayPath(session.root, e.file),
      line: e.line,
      item: e.attributes.name ?? e.item,
      name: testName(e),
      attributes: e.attributes,
      code: exampleCode(e),
    }));
    process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  } else {
    for (const e of examples) process.stdout.write(`${testName(e)}\n`);
  }
  return 0;
}

async function run(paths: string[], reporterName: string, timeout: number): Promise<number> {
  const session = openSession({ paths, timeout });
  const { startVitest } = await import('vitest/node');
  const collector = new CollectingReporter((r) => {
    if (reporterName === 'ktap') process.stdout.write(formatKtap(r));
    if (reporterName === 'json') process.stdout.write(formatJson(r));
  });
  const reporters = reporterName === 'default' ? ['default', collector] : [collector];
  const vitest = await startVitest(
    'test',
    [],
    {
      root: session.root,
      config: false,
      watch: false,
      reporters,
      passWithNoTests: true,
      ...WORKER_OPTIONS,
      include: session.files.map((f) => displayPath(session.root, f)),
      testTimeout: timeout + TYPECHECK_GRACE_MS,
    },
    {
      plugins: [doctestPlugin(session, timeout)],
      logLevel: reporterName === 'default' ? 'info' : 'silent',
    },
  );
  await vitest.close();
  return collector.failed ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      reporter: { type: 'string', default: 'default' },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, ...paths] = positionals;
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new UsageError(`--timeout: not a positive integer: ${values.timeout}`);
  if (command === 'list') return list(paths, values.json);
  if (command === 'run') {
    if (!['default', 'ktap', 'json'].includes(values.reporter)) {
      throw new UsageError(`--reporter: expected default, ktap or json, not ${values.reporter}`);
    }
    return run(paths, values.reporter, timeout);
  }
  throw new UsageError(command ? `unknown command: ${command}` : 'missing command');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(
      `rfl-doctest: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (usage) process.stderr.write(USAGE);
    process.exitCode = 2;
  },
);
