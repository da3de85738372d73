import {
  DEFINE_MUTEX,
  DEFINE_SPINLOCK,
  dmesg,
  GFP_KERNEL,
  kfree,
  kmalloc,
  mm_init,
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

/** One step of the demo session: what a person would type, and what the kernel does. */
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

/**
 * Boots the simulated machine with its debug options on and runs the demo session, printing
 * the new kernel log after each step as `dmesg` would show it.
 */
export async function runDemo(write: (text: string) => void): Promise<void> {
  mm_init({ kasan: true });
  pr_info('Linux version 6.12.0-rfl (rfl-ts) #1 SMP PREEMPT\n');
  write(`${dmesg()}\n`);
  let shown = dmesg().length;
  for (const [i, step] of STEPS.entries()) {
    write(`### ${i + 1}. ${step.title}\n$ dmesg\n`);
    await step.run();
    const log = dmesg();
    write(`${log.slice(shown) || '(nothing new)\n'}\n`);
    shown = log.length;
  }
}
