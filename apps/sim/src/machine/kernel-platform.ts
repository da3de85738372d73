/**
 * The default machine's platform: the kernel's VFS (with whatever mounts itself in
 * `vfs_init()`: devtmpfs, sysfs, debugfs, proc), the system calls of {@link KernelSys},
 * and the terminal of `console.ts` on the shell's descriptors 0, 1 and 2.
 *
 * @module
 */

import {
  driver_core_fs_init,
  module,
  module_put,
  random_seed,
  set_fops_owner_ops,
  try_module_get,
  vfs_init,
} from '@rfl/kernel';
import type { BootOptions } from './boot.js';
import { console_open } from './console.js';
import { KernelSys } from './kernel-sys.js';
import type { Platform } from './machine.js';

/**
 * The module layer's side of `fops_get()`: an open file pins the module that owns its
 * operations, so `rmmod` of a module whose device is open fails with EBUSY. The VFS asks
 * for these hooks rather than depending on the module code; the machine connects the two.
 */
function connect_fops_owners(): void {
  set_fops_owner_ops({
    get: (owner) => !(owner instanceof module) || try_module_get(owner),
    put: (owner) => {
      if (owner instanceof module) module_put(owner);
    },
  });
}

export function kernelPlatform(options: BootOptions): Platform {
  connect_fops_owners();
  vfs_init();
  driver_core_fs_init();
  random_seed(options.seed);
  const sys = new KernelSys();
  return {
    sys,
    attachTerminal: async () => {
      const [out, err] = console_open(
        options.io.stdout,
        options.io.stderr,
        options.io.tty ?? false,
      );
      // Park both above the standard descriptors before placing them.
      await sys.dup2(out, 10);
      await sys.dup2(err, 11);
      await sys.close(out);
      await sys.close(err);
      await sys.dup2(10, 0);
      await sys.dup2(10, 1);
      await sys.dup2(11, 2);
      await sys.close(10);
      await sys.close(11);
    },
  };
}
