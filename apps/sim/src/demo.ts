/**
 * The demo session `pnpm start` runs: boot the default machine, show its boot log, use it
 * from the shell the way a person would (devices, files, modules, each sample driver),
 * then show the C API's classic bugs, each caught by the detector the real kernel would
 * use, with `dmesg -c` after each.
 *
 * @module
 */

import {
  DEFINE_MUTEX,
  DEFINE_SPINLOCK,
  dmesg,
  GFP_KERNEL,
  kfree,
  kmalloc,
  mutex_lock,
  mutex_unlock,
  pr_info,
  REFCOUNT_INIT,
  readl,
  refcount_dec,
  sim_advance,
  sim_spawn,
  spin_lock,
  spin_unlock,
  writel,
} from '@rfl/kernel';
import { bootMachine, type PlatformFactory } from './machine/boot.js';
import { SAMPLE_DRIVERS } from './machine/drivers.js';
import { runUntil } from './machine/idle.js';
import { kernelPlatform } from './machine/kernel-platform.js';
import { ShellSession } from './machine/machine.js';

/** What a person types first on a fresh machine. */
export const DEMO_SESSION = [
  'uname -a',
  'ls -l /dev',
  "echo 'hello from the sim' > /tmp/greeting",
  'cat /tmp/greeting',
  'head -c 32 /dev/urandom | hexdump -C',
  'dd if=/dev/zero of=/tmp/zeros bs=512 count=4',
  'ls -l /tmp',
  'stat /tmp/zeros',
  'cat /tmp/zeros /dev/null | head -c 8 | hexdump',
  'ls -l /sys/class/mem',
  'cat /sys/class/mem/urandom/dev',
  'head -n 3 /proc/self/status',
  'cat /nope; echo "status $?"',
  'frobnicate --now',
  'lsmod',
];

/** One kernel-side step: a bug the C API lets a driver write. */
interface Step {
  title: string;
  run: () => Promise<void>;
}

const foxes_lock = DEFINE_SPINLOCK('foxes_lock');
const foxes_mutex = DEFINE_MUTEX('foxes_mutex');

/**
 * The bugs the C API lets a driver write, one per step, each caught by the debug option the
 * real kernel would use, with the report it would print.
 */
const STEPS: Step[] = [
  {
    title: 'a kthread allocates and frees a fox (no report expected)',
    async run() {
      const t = sim_spawn('foxes', async () => {
        const fox = kmalloc(64, GFP_KERNEL);
        writel(0xf0c5, fox);
        pr_info('foxes: fox at %px holds %#x\n', fox, readl(fox));
        kfree(fox);
        return 0;
      });
      await t.exited;
    },
  },
  {
    title: 'a C driver reads a fox after freeing it (KASAN)',
    async run() {
      const fox = kmalloc(16, GFP_KERNEL);
      kfree(fox);
      readl(fox);
    },
  },
  {
    title: 'a task sleeps on a mutex while holding a spinlock (might_sleep)',
    async run() {
      const t = sim_spawn('cat', async () => {
        spin_lock(foxes_lock);
        await mutex_lock(foxes_mutex);
        mutex_unlock(foxes_mutex);
        spin_unlock(foxes_lock);
        return 0;
      });
      await t.exited;
      await sim_advance(1000);
    },
  },
  {
    title: 'two paths take the same locks in opposite orders (lockdep)',
    async run() {
      const list_lock = DEFINE_SPINLOCK('foxes_list_lock');
      const dev_lock = DEFINE_SPINLOCK('foxes_dev_lock');
      spin_lock(list_lock);
      spin_lock(dev_lock);
      spin_unlock(dev_lock);
      spin_unlock(list_lock);
      spin_lock(dev_lock);
      spin_lock(list_lock);
      spin_unlock(list_lock);
      spin_unlock(dev_lock);
    },
  },
  {
    title: 'the last reference is dropped with refcount_dec(), not _dec_and_test() (refcount_t)',
    async run() {
      const users = REFCOUNT_INIT(1);
      refcount_dec(users);
    },
  },
];

const decoder = new TextDecoder();

/**
 * Boots the default machine and runs the demo session, writing the transcript; resolves
 * to the exit status (0).
 */
/** KERN_INFO's level number. */
const LOGLEVEL_INFO = 6;

export async function runDemo(
  write: (text: string) => void,
  seed = 0,
  makePlatform: PlatformFactory = kernelPlatform,
): Promise<number> {
  const terminal = (bytes: Uint8Array) => write(decoder.decode(bytes));
  const platform = await bootMachine(
    { seed, io: { stdout: terminal, stderr: terminal } },
    makePlatform,
  );
  // The boot log as a console at the default level shows it: the driver core's pr_debug
  // lines (which the real kernel compiles out without DEBUG) stay in `dmesg`.
  write(dmesg({ level: LOGLEVEL_INFO }));
  const session = new ShellSession(platform);
  const type = async (line: string) => {
    write(`# ${line}\n`);
    await session.line(line);
  };
  write('\n## The machine, from its shell\n');
  for (const line of DEMO_SESSION) await type(line);
  for (const driver of SAMPLE_DRIVERS) {
    write(`\n## ${driver.module}: ${driver.title}\n`);
    for (const line of driver.demo) await type(line);
  }
  write('\n## Bugs the C API lets a driver write, and the detectors that catch them\n');
  await session.line('dmesg -C');
  for (const [i, step] of STEPS.entries()) {
    write(`### ${i + 1}. ${step.title}\n`);
    await runUntil(step.run());
    await type('dmesg -c');
  }
  await session.close();
  return 0;
}
