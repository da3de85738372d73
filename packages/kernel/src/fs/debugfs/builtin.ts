/**
 * The debugfs files of the kernel's own debugging features:
 *
 * - `/sys/kernel/debug/failslab/` and `/sys/kernel/debug/fail_page_alloc/`:
 *   the fault-injection attributes (`probability`, `interval`, `times`,
 *   `space`, `verbose`, `task-filter`, `ignore-gfp-wait`, ...), mode 0600;
 * - `/sys/kernel/debug/kmemleak` (0644): reading lists the unreferenced
 *   objects of the last scan, writing `scan`, `clear` or `off` runs the
 *   command.
 *
 * @module
 */

import { fault_debugfs_files } from '../../mm/fault-inject.js';
import { kmemleak_report, kmemleak_write } from '../../mm/kmemleak.js';
import { debugfs_text_fops } from './file.js';
import { debugfs_create_dir, debugfs_create_file } from './inode.js';

function fault_create_debugfs_attr(name: 'failslab' | 'fail_page_alloc'): void {
  const dir = debugfs_create_dir(name, null);
  if (typeof dir === 'number') return;
  for (const [file, attr] of Object.entries(fault_debugfs_files(name))) {
    debugfs_create_file(file, 0o600, dir, null, debugfs_text_fops(attr.read, attr.write));
  }
}

/** Creates the files above in a fresh debugfs (part of the driver-core boot). */
export function debugfs_builtin_init(): void {
  fault_create_debugfs_attr('failslab');
  fault_create_debugfs_attr('fail_page_alloc');
  debugfs_create_file(
    'kmemleak',
    0o644,
    null,
    null,
    debugfs_text_fops(kmemleak_report, kmemleak_write, 63),
  );
}
