import type { CheckState, Line } from './engine.js';

/**
 * The packages of this repository that are drivers (the others are the kernel and
 * its abstractions); a kernel tree's `drivers/` counts too.
 */
const DRIVER_PATH = /^(?:packages\/(?:gpio-pl061|virtio|asahi-gpu|miscdev)\/src\/|drivers\/)/;

/** Test files, whose `.only`/`.skip` would silently drop tests from the run. */
const TEST_PATH = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

/**
 * The project's own rules for TypeScript, under their own type names (they are not
 * checkpatch.pl's), on an added line:
 *
 * - PROC_ENTRY (WARNING): a driver adds a `/proc` entry; the maintainers want sysfs
 *   ("no new driver should ever be using /proc at all", Greg KH, January 2023).
 * - TEST_ONLY_SKIP (ERROR): `.only` or `.skip` left on a test or suite.
 */
export function checkProjectLine(st: CheckState, line: Line, text: string): void {
  const file = st.realfile;
  if (DRIVER_PATH.test(file) && /['"`]\/proc\/|\bproc_?[cC]reate\b|\bprocfs\b/.test(text)) {
    st.report(
      'WARNING',
      'PROC_ENTRY',
      'Drivers should not add /proc entries - use sysfs instead',
      line,
    );
  }
  if (TEST_PATH.test(file) && /\b(?:describe|it|test|suite|bench)\.(?:only|skip)\b/.test(text)) {
    st.report(
      'ERROR',
      'TEST_ONLY_SKIP',
      'Remove .only/.skip from tests - every test must run',
      line,
    );
  }
}
