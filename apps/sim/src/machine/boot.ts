/**
 * Booting the default machine: the kernel's debug options on, its subsystems initialised
 * in the order of `start_kernel()`, and every sample driver's module loaded, with the log
 * a real boot leaves in the ring buffer. Everything that could differ between two boots
 * (addresses, times, random bytes) follows the virtual clock or `seed`.
 *
 * @module
 */

import {
  dma_init,
  io_init,
  irq_init,
  mm_init,
  module_reset,
  pr_info,
  printk_reset,
  register_console,
  request_module,
  resource_init,
  set_console_loglevel,
  sim_worker_devices_stop,
  UTS_RELEASE,
} from '@rfl/kernel';
import { SAMPLE_DRIVERS } from './drivers.js';
import type { Platform } from './machine.js';

/** Where the machine's terminal output goes on the host. */
export interface TerminalIO {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
  /** Whether the host's output is a terminal (`ls` then prints columns). */
  tty?: boolean;
}

export interface BootOptions {
  /** Seeds the machine's random numbers (`/dev/urandom`). */
  seed: number;
  io: TerminalIO;
  /**
   * Whether kernel messages of level KERN_ERR and more urgent also go to the terminal's
   * error stream as they are logged (a `quiet` boot's console); otherwise only `dmesg`
   * shows them.
   */
  console?: boolean;
}

/** The console level of a `quiet` boot: KERN_ERR and more urgent reach the console. */
const CONSOLE_LOGLEVEL_QUIET = 4;

/** Builds the machine's system calls and terminal once the kernel is up. */
export type PlatformFactory = (options: BootOptions) => Promise<Platform> | Platform;

/** Boots the kernel and loads every sample driver; resolves to the booted machine. */
export async function bootMachine(
  options: BootOptions,
  makePlatform: PlatformFactory,
): Promise<Platform> {
  // Device models of an earlier boot in this process go first: a worker keeps the
  // physical memory it was started with.
  await sim_worker_devices_stop();
  printk_reset();
  if (options.console) {
    const encoder = new TextEncoder();
    register_console((line) => options.io.stderr(encoder.encode(`${line}\n`)));
    set_console_loglevel(CONSOLE_LOGLEVEL_QUIET);
  }
  pr_info('Linux version %s (rfl-ts) #1 SMP PREEMPT\n', UTS_RELEASE);
  pr_info(
    'Command line: console=ttyS0%s rfl.seed=%d\n',
    options.console ? ' quiet' : '',
    options.seed,
  );
  mm_init({ kasan: true });
  // A reboot: the modules an earlier boot in this process loaded are gone with its memory.
  module_reset();
  io_init();
  resource_init();
  irq_init();
  dma_init();
  const platform = await makePlatform(options);
  // What systemd-modules-load does with /etc/modules-load.d: load each, log a failure.
  for (const driver of SAMPLE_DRIVERS) {
    const err = await request_module(driver.module, driver.params ?? '');
    if (err < 0) pr_info('rfl-sim: failed to load %s: %pe\n', driver.module, err);
  }
  pr_info('Run /bin/sh as init process\n');
  return platform;
}
