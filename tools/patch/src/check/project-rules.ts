import type { CheckState, Line } from './engine.js';

/**
 * The packages of this repository that are drivers (the others are the kernel and
 * its abstractions); TypeScript under a kernel-style `drivers/` counts too.
 */
const DRIVER_PATH = /^(?:packages\/(?:gpio-pl061|virtio|asahi-gpu|miscdev)\/src\/|drivers\/)/;

/**
 * The files the project rules are for: TypeScript and JavaScript. A kernel tree's C
 * driver calls kmalloc() with no SAFETY: comment and may have /proc files of its own;
 * those are checkpatch.pl's business, not ours.
 */
const SCRIPT_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** The C-style drivers, written against the raw API on purpose (`src/c/`). */
const C_DRIVER_PATH = /\/src\/c\//;

/** Library sources whose exports are the public API (tests and benches are not). */
const PUBLIC_SOURCE = /^(?:packages|tools)\/[^/]+\/src\/(?!.*\.(?:test|spec)\.).*\.ts$/;

/**
 * A call of the raw kernel API: `k.name(`, a C-named (snake_case) function, or one of the
 * one-word C names (the safe packages' own functions are camelCase).
 */
const RAW_CALL = new RegExp(
  [
    String.raw`\bk\.[a-z_][a-z0-9_]*\s*\(`,
    String.raw`(?<![.\w$])[a-z][a-z0-9]*_[a-z0-9_]+\s*\(`,
    String.raw`(?<![.\w$])(?:k[mvz]?alloc|kv?zalloc|kcalloc|k?v?realloc|kv?free|vzalloc|ioremap|iounmap|(?:read|write)[bwlq]|io(?:read|write)(?:8|16|32|64)|mem(?:cpy|set|move|cmp)|printk|schedule|msleep|[mu]delay)\s*\(`,
  ].join('|'),
);

/** A public function, class or constant declared by an `export` line. */
const PUBLIC_ITEM =
  /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class|const)\s+([A-Za-z_$][\w$]*)/;

/** Test files, whose `.only`/`.skip` would silently drop tests from the run. */
const TEST_PATH = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

/**
 * The project's own rules for TypeScript, under their own type names (they are not
 * checkpatch.pl's), on an added line:
 *
 * - PROC_ENTRY (WARNING): a driver adds a `/proc` entry; the maintainers want sysfs
 *   ("no new driver should ever be using /proc at all", Greg KH, January 2023).
 * - TEST_ONLY_SKIP (ERROR): `.only` or `.skip` left on a test or suite.
 * - SAFETY_COMMENT (WARNING): a safe driver calls the raw `@rfl/kernel` API (a C-named
 *   function or `k.name(...)`) without a `// SAFETY:` comment on that line or the three
 *   before it, the rule the kernel crate follows for `unsafe` blocks.
 * - MISSING_EXAMPLE (CHECK, with `--strict`): an exported function, class or constant
 *   whose TSDoc block (added in the same hunk) has no `@example`, the doctest that keeps
 *   the documentation honest. An item with no TSDoc at all is reported too.
 */
/** What the rules need to know about a file, worked out once per file. */
interface FileKind {
  file: string;
  script: boolean;
  safeDriver: boolean;
  driver: boolean;
  test: boolean;
  publicSource: boolean;
}

let kind: FileKind = {
  file: '',
  script: false,
  safeDriver: false,
  driver: false,
  test: false,
  publicSource: false,
};

function kindOf(file: string): FileKind {
  if (kind.file !== file) {
    const script = SCRIPT_FILE.test(file);
    const driver = script && DRIVER_PATH.test(file);
    const test = script && TEST_PATH.test(file);
    kind = {
      file,
      script,
      driver,
      test,
      safeDriver: driver && !C_DRIVER_PATH.test(file) && !test,
      publicSource: PUBLIC_SOURCE.test(file),
    };
  }
  return kind;
}

export function checkProjectLine(st: CheckState, line: Line, text: string): void {
  const k = kindOf(st.realfile);
  if (!k.script) return;
  const h = st.hunk;
  if (k.safeDriver) {
    // Every kind of raw call ends in `(`.
    if (text.includes('(')) {
      const trimmed = text.trim();
      const code =
        trimmed.startsWith('//') || trimmed.startsWith('*')
          ? ''
          : text.includes('//')
            ? text.replace(/\/\/.*$/, '')
            : text;
      // The SAFETY: comment may be on this line or the three before it.
      const justified = h.safety >= h.count - 2 || isSafetyComment(text);
      if (!justified && RAW_CALL.test(code)) {
        st.report(
          'WARNING',
          'SAFETY_COMMENT',
          'Raw @rfl/kernel call in a safe driver without a // SAFETY: comment',
          line,
        );
      }
    }
  }
  if (k.publicSource) {
    const item = PUBLIC_ITEM.exec(text.trim());
    if (item && !(h.docDone && /@example\b/.test(h.doc))) {
      st.report('CHECK', 'MISSING_EXAMPLE', `Public item '${item[1]}' has no TSDoc @example`, line);
    }
  }
  // Each of the patterns names `proc`.
  if (
    k.driver &&
    text.includes('proc') &&
    /['"`]\/proc\/|\bproc_?[cC]reate\b|\bprocfs\b/.test(text)
  ) {
    st.report(
      'WARNING',
      'PROC_ENTRY',
      'Drivers should not add /proc entries - use sysfs instead',
      line,
    );
  }
  if (k.test && /\b(?:describe|it|test|suite|bench)\.(?:only|skip)\b/.test(text)) {
    st.report(
      'ERROR',
      'TEST_ONLY_SKIP',
      'Remove .only/.skip from tests - every test must run',
      line,
    );
  }
}

function isSafetyComment(text: string): boolean {
  return text.includes('SAFETY:') && /\/\/\s*SAFETY:/.test(text);
}

/**
 * Follows the hunk for the project rules: where the last `// SAFETY:` comment was and the
 * TSDoc block that ended just before the current line. Called for every context or added
 * line, `raw` with its ` ` or `+` (the checks look at what follows it; a `\r` at the end
 * changes nothing: trim() drops it and no pattern ends in it). Every TypeScript or
 * JavaScript file is followed; the rules have nothing to say about the others.
 */
export function trackProjectContext(st: CheckState, file: string, raw: string): void {
  if (!kindOf(file).script) return;
  const h = st.hunk;
  if (h.file !== file) {
    h.file = file;
    h.count = 0;
    h.safety = Number.NEGATIVE_INFINITY;
    h.doc = '';
    h.docOpen = false;
    h.docDone = false;
  }
  h.count++;
  if (isSafetyComment(raw)) h.safety = h.count;
  if (!h.docOpen) {
    // The first character after the indent decides, as long as it is plain ASCII and the
    // indent only tabs and spaces; the trimmed line is built only when it can matter.
    let i = 1;
    let c = raw.charCodeAt(i);
    while (c === 0x20 || c === 0x09) c = raw.charCodeAt(++i);
    if (i >= raw.length) return; // a blank line
    if (c > 0x20 && c < 0x7f && c !== 0x2f && c !== 0x2a) {
      // Anything but a decorator or a comment ends what the block documents.
      if (c !== 0x40) h.docDone = false;
      return;
    }
  }
  const trimmed = raw.slice(1).trim();
  if (h.docOpen) {
    h.doc += `${trimmed}\n`;
    if (trimmed.endsWith('*/')) {
      h.docOpen = false;
      h.docDone = true;
    }
  } else if (trimmed.startsWith('/**')) {
    h.doc = `${trimmed}\n`;
    h.docOpen = !trimmed.endsWith('*/');
    h.docDone = !h.docOpen;
  } else if (trimmed.startsWith('*')) {
    // The middle or end of a block that began before the hunk: what it says is unknown,
    // so give the item the benefit of the doubt.
    h.doc = '@example (not in the hunk)\n';
    h.docDone = trimmed.endsWith('*/');
  } else if (trimmed !== '' && !trimmed.startsWith('@') && !trimmed.startsWith('//')) {
    // Anything but a decorator or a comment ends what the block documents.
    h.docDone = false;
  }
}
