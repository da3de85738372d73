/**
 * `kfree_rcu()`: freeing an object after a grace period without writing a callback.
 *
 * The kernel's `kfree_rcu(ptr, rhf)` names the `rcu_head` field inside the object that
 * carries the callback; the simulated kernel keeps callbacks outside simulated memory,
 * so only the address is needed (like `kvfree_rcu_mightsleep(ptr)`, without sleeping).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, dmesg, dmesg_clear, kfree_rcu, kmalloc, mm_init, rcu_barrier, rcu_read_lock, rcu_read_unlock, readl } from '@rfl/kernel';
 * mm_init({ quiet: true, kasan: true });
 * # dmesg_clear();
 * const fox = kmalloc(64, GFP_KERNEL);
 * rcu_read_lock();
 * kfree_rcu(fox);
 * readl(fox); // still valid: the reader started before the free
 * rcu_read_unlock();
 * await rcu_barrier();
 * dmesg() // => ''
 * # mm_init({ quiet: true });
 * ```
 *
 * @module
 */

import { kfree } from '../mm/kmalloc.js';
import { kvfree } from '../mm/vmalloc.js';
import { call_rcu } from './update.js';

/** kfree() `addr` once every reader that may still see it has finished. */
export function kfree_rcu(addr: number): void {
  call_rcu({}, () => kfree(addr));
}

/** kvfree() `addr` after a grace period (for kvmalloc() memory). */
export function kvfree_rcu(addr: number): void {
  call_rcu({}, () => kvfree(addr));
}
