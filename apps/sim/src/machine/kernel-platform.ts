/**
 * The default machine's platform: the kernel's VFS (with whatever mounts itself in
 * `vfs_init()`: devtmpfs, sysfs, debugfs, proc), the system calls of {@link KernelSys},
 * and the terminal of `console.ts` on the shell's descriptors 0, 1 and 2.
 *
 * @module
 */

import { driver_core_fs_init, gpio_init, pm_init, random_seed, vfs_init } from '@rfl/kernel';
import type { BootOptions } from './boot.js';
import { console_open } from './console.js';
import { KernelSys } from './kernel-sys.js';
import type { Platform } from './machine.js';
import { pl061_board_init } from './pl061.js';

export async function kernelPlatform(options: BootOptions): Promise<Platform> {
  vfs_init();
  driver_core_fs_init();
  gpio_init();
  pm_init();
  await pl061_board_init();
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
