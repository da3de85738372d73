/**
 * What runs inside the test worker: the checks of one example, and the helper behind
 * `expr // => value` lines. Every failure is an error located in the document.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import type { Attributes } from './example.js';
import { EQ_HELPER } from './helpers.js';
import type { Diagnostic } from './typecheck.js';

/** What the generated test module knows of an example. */
export interface ExampleMeta {
  /** Absolute path of the document. */
  file: string;
  /** Path as reported. */
  path: string;
  item: string;
  /** Index of the example within its document. */
  index: number;
  line: number;
  column: number;
  lastLine: number;
  attributes: Pick<Attributes, 'noRun' | 'shouldThrow' | 'compileFail' | 'unknown'>;
  timeout: number;
}

/** A doctest failure at a place in a document; its stack points there so reporters show it. */
export class DoctestFailure extends Error {
  /** `path:line:column` in the document. */
  readonly location: string;

  constructor(
    meta: Pick<ExampleMeta, 'file' | 'path' | 'item'>,
    line: number,
    column: number,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DoctestFailure';
    this.location = `${meta.path}:${line}:${column}`;
    this.stack = `${this.name}: ${message}\n    at ${meta.item} (${meta.file}:${line}:${column})`;
  }
}

function formatDiagnostics(diags: Diagnostic[], path: string): string {
  return diags
    .map((d) => `${path}:${d.line}:${d.column} - error TS${d.code}: ${d.message}`)
    .join('\n');
}

/** The errno name of a thrown value: a `KernelError`'s `code`, as Node's system errors have. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error value: ${inspect(error)}`;
}

/** Finds where in the document a thrown error came from: its first frame inside the example. */
function locate(meta: ExampleMeta, error: unknown): { line: number; column: number } {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const escaped = meta.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const m of stack.matchAll(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'))) {
    const line = Number(m[1]);
    if (line > meta.line && line <= meta.lastLine) return { line, column: Number(m[2]) };
  }
  return { line: meta.line, column: meta.column + 1 };
}

class Timeout {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | Timeout> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Timeout>((resolve) => {
    timer = setTimeout(() => resolve(new Timeout()), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Compares an `expr // => value` line's two sides, failing at that line. */
function expectEqual(
  meta: ExampleMeta,
  actual: unknown,
  expected: unknown,
  line: number,
  column: number,
): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const failure = new DoctestFailure(
    meta,
    line,
    column + 1,
    `expected value mismatch\n  actual:   ${inspect(actual, { depth: 4 })}\n  expected: ${inspect(expected, { depth: 4 })}`,
  );
  Object.assign(failure, { actual, expected, showDiff: true });
  throw failure;
}

/** The diagnostics module of a document: each example's type errors, by index. */
type DiagnosticsModule = () => Promise<{ default: Diagnostic[][] }>;

/**
 * Runs one example with the checks its attributes ask for. The example runs while the
 * type-check of all examples is still under way on its own thread; a type error, once known,
 * takes precedence over whatever the run did, so an example that does not type-check fails
 * as a type error even when it ran.
 */
export async function runExample(
  meta: ExampleMeta,
  load: () => Promise<unknown>,
  diagnosticsOf: DiagnosticsModule,
  warm: () => Promise<unknown> = async () => {},
): Promise<void> {
  const fence = { line: meta.line, column: meta.column + 1 };
  const fail = (at: { line: number; column: number }, message: string, cause?: unknown): never => {
    throw new DoctestFailure(meta, at.line, at.column, message, cause);
  };
  const diagnostics = async () => (await diagnosticsOf()).default[meta.index] ?? [];
  const { attributes: attrs } = meta;
  if (attrs.unknown.length > 0) {
    fail(
      fence,
      `unknown doctest attribute ${attrs.unknown.join(', ')} (known: ignore, no_run, should_throw, compile_fail, name)`,
    );
  }
  if (attrs.compileFail) {
    const diags = await diagnostics();
    if (diags.length === 0) fail(fence, 'compile_fail example compiled without errors');
    const want = typeof attrs.compileFail === 'object' ? attrs.compileFail.code : undefined;
    if (want !== undefined && !diags.some((d) => d.code === want)) {
      fail(
        diags[0]!,
        `compile_fail expected error TS${want}, got:\n${formatDiagnostics(diags, meta.path)}`,
      );
    }
    return;
  }
  const typeErrors = (diags: Diagnostic[]) => {
    if (diags.length > 0) fail(diags[0]!, `type error\n${formatDiagnostics(diags, meta.path)}`);
  };
  if (attrs.noRun) return typeErrors(await diagnostics());

  (globalThis as Record<string, unknown>)[EQ_HELPER] = (
    actual: unknown,
    expected: unknown,
    line: number,
    column: number,
  ) => expectEqual(meta, actual, expected, line, column);
  // Loading the packages the example imports is not the example's time. A package that
  // fails to load is left for the example's own import to report.
  await warm().catch(() => {});
  const run = withTimeout(load(), meta.timeout).then(
    (value) => ({ threw: false, outcome: value as unknown }),
    (error: unknown) => ({ threw: true, outcome: error }),
  );
  const [{ threw, outcome }, diags] = await Promise.all([run, diagnostics()]);
  typeErrors(diags);
  if (outcome instanceof Timeout) fail(fence, `example timed out after ${meta.timeout} ms`);
  const expected = attrs.shouldThrow;
  if (!expected) {
    if (outcome instanceof DoctestFailure) throw outcome;
    if (threw) fail(locate(meta, outcome), `example threw ${describe(outcome)}`, outcome);
    return;
  }
  if (!threw) fail(fence, 'should_throw example completed without throwing');
  if (typeof expected === 'object' && 'errno' in expected && errnoOf(outcome) !== expected.errno) {
    fail(
      locate(meta, outcome),
      `should_throw=${expected.errno}, but the example threw ${describe(outcome)} (code ${errnoOf(outcome) ?? 'none'})`,
      outcome,
    );
  }
  if (typeof expected === 'object' && 'text' in expected) {
    const message = outcome instanceof Error ? outcome.message : String(outcome);
    if (!message.includes(expected.text)) {
      fail(
        locate(meta, outcome),
        `should_throw="${expected.text}", but the example threw ${describe(outcome)}`,
        outcome,
      );
    }
  }
}
