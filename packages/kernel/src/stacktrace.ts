/**
 * Stack traces for the kernel's reports, taken from the JavaScript call stack.
 *
 * The kernel prints `function+offset/size` per frame, decoded by
 * `scripts/decode_stacktrace.sh` into `function+0x1c/0x30 file.c:123`. JavaScript
 * has no code offsets, so a frame here prints as the decoded form without
 * them: ` function file:line`.
 *
 * Capturing is cheap (V8 records frames and formats them only when `.stack` is
 * read), so detectors keep the unformatted capture and decode it only when a
 * report is printed.
 *
 * @module
 */

/** One decoded frame. */
export interface StackFrame {
  readonly function: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** An undecoded capture; see {@link stack_capture}. */
export interface StackCapture {
  readonly stack?: string;
}

const MAX_FRAMES = 16;

// A JavaScript function reference as a value, for captureStackTrace's cut-off.
// biome-ignore lint/complexity/noBannedTypes: any callable is a valid cut-off.
type AnyFunction = Function;

/**
 * Records the current call stack, omitting `below` and every frame above it
 * (so a detector passes its public entry point and the trace starts at the
 * caller, as `__builtin_return_address(0)` would).
 */
export function stack_capture(below?: AnyFunction): StackCapture {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES;
  Error.captureStackTrace(holder, below);
  Error.stackTraceLimit = limit;
  return holder;
}

const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** A source path as the kernel prints it: relative to the repository root. */
function source_path(raw: string): string {
  let path = raw.startsWith('file://') ? decodeURIComponent(raw.slice(7)) : raw;
  const anchor = /\/(packages|apps|tools|specs)\//.exec(path);
  if (anchor) return path.slice(anchor.index + 1);
  const cwd = `${process.cwd()}/`;
  if (path.startsWith(cwd)) path = path.slice(cwd.length);
  return path;
}

/**
 * Decodes a capture into frames, dropping Node's internals and installed
 * dependencies (test runners), which are not part of the simulated kernel.
 */
export function stack_frames(capture: StackCapture | Error): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of (capture.stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = m[2] ?? '';
    if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
    let fn = m[1] ?? '<anonymous>';
    if (fn.startsWith('new ')) fn = fn.slice(4);
    frames.push({
      function: fn.replace(/^(Object|Module)\./, ''),
      file: source_path(file),
      line: Number(m[3]),
      column: Number(m[4]),
    });
  }
  return frames;
}

/** The frames of a capture as the lines of a `Call Trace:` block. */
export function stack_lines(capture: StackCapture | Error): string[] {
  return stack_frames(capture).map((f) => ` ${f.function} ${f.file}:${f.line}`);
}
