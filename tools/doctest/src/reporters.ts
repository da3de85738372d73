import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';

type UserConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0];

/** The outcome of one doctest, as the CLI's reporters print it. */
export interface DoctestResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** `path:line` of the example's fence. */
  location: string;
  /** `path:line:column` of the failure, and its message. */
  failure?: { location: string; message: string };
  output: string[];
}

/** The fence location is in the test name: `<path> - <item> (line N)`. */
function fenceLocation(name: string): string {
  const m = /^(.*?) - .* \(line (\d+)\)$/.exec(name);
  return m ? `${m[1]}:${m[2]}` : name;
}

function failureOf(test: TestCase, error: SerializedError | undefined): DoctestResult['failure'] {
  if (!error) return undefined;
  const location = (error as { location?: unknown }).location;
  const frame = error.stacks?.[0];
  return {
    location:
      typeof location === 'string'
        ? location
        : frame
          ? `${frame.file}:${frame.line}:${frame.column}`
          : fenceLocation(test.name),
    message: error.message,
  };
}

/**
 * Collects results in document order, then hands them to a printer; the KTAP and JSON
 * outputs are both complete documents, so nothing is printed before the run ends.
 */
export class CollectingReporter implements Reporter {
  readonly results: DoctestResult[] = [];
  readonly unhandled: string[] = [];
  readonly #logs = new Map<string, string[]>();
  readonly #print: (reporter: CollectingReporter) => void;

  constructor(print: (reporter: CollectingReporter) => void) {
    this.#print = print;
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.taskId) return;
    const lines = this.#logs.get(log.taskId) ?? [];
    lines.push(...log.content.replace(/\n$/, '').split('\n'));
    this.#logs.set(log.taskId, lines);
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<SerializedError>,
  ): void {
    const sorted = [...modules].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    for (const module of sorted) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        const status =
          result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped';
        const failure = result.state === 'failed' ? failureOf(test, result.errors?.[0]) : undefined;
        this.results.push({
          name: test.name,
          status,
          location: fenceLocation(test.name),
          ...(failure ? { failure } : {}),
          output: this.#logs.get(test.id) ?? [],
        });
      }
      for (const error of module.errors())
        this.unhandled.push(`${module.moduleId}: ${error.message}`);
    }
    for (const error of unhandled) this.unhandled.push(error.message);
    this.#print(this);
  }

  get failed(): boolean {
    return this.unhandled.length > 0 || this.results.some((r) => r.status === 'failed');
  }
}

/**
 * KTAP version 1, as KUnit prints the kernel's Rust doctests: a plan, one result line per
 * test, and a `# <name>.location: <file>:<line>` diagnostic before each.
 */
export function formatKtap(reporter: CollectingReporter): string {
  const out = ['KTAP version 1', `1..${reporter.results.length}`];
  reporter.results.forEach((r, i) => {
    out.push(`# ${r.name}.location: ${r.location}`);
    for (const line of r.output) out.push(`# ${line}`);
    if (r.failure) {
      const [first = '', ...rest] = r.failure.message.split('\n');
      out.push(`# ${r.failure.location}: ${first}`);
      for (const line of rest) out.push(`# ${line}`);
    }
    const verdict = r.status === 'failed' ? 'not ok' : 'ok';
    out.push(`${verdict} ${i + 1} ${r.name}${r.status === 'skipped' ? ' # SKIP ignore' : ''}`);
  });
  for (const message of reporter.unhandled)
    out.push(`# unhandled error: ${message.split('\n')[0]}`);
  return `${out.join('\n')}\n`;
}

/** The results as one JSON document, with the counts a CI summary needs. */
export function formatJson(reporter: CollectingReporter): string {
  const count = (s: DoctestResult['status']) =>
    reporter.results.filter((r) => r.status === s).length;
  return `${JSON.stringify(
    {
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      tests: reporter.results,
      unhandledErrors: reporter.unhandled,
    },
    null,
    2,
  )}\n`;
}
