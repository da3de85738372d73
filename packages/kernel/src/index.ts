export * from './atomic.js';
// The device model (drivers/base): buses, devices, drivers, binding, devres.
export * from './base/amba.js';
export * from './base/bind.js';
export * from './base/bus.js';
export * from './base/core.js';
export * from './base/dd.js';
export * from './base/device.js';
export * from './base/devres.js';
export * from './base/driver.js';
export * from './base/driver_override.js';
export * from './base/init.js';
export * from './base/platform.js';
export * from './base/resource.js';
export * from './base/virtio.js';
export * from './err-ptr.js';
export * from './errno.js';
// k-devfs: kobjects, sysfs, debugfs, procfs, character and misc devices.
export * from './fs/sysfs/access.js';
export * from './fs/sysfs/dir.js';
export * from './fs/sysfs/file.js';
export * from './fs/sysfs/group.js';
export * from './fs/sysfs/kernfs.js';
export * from './fs/sysfs/symlink.js';
// k-irq: MMIO (ioremap over device models), IRQs, DMA, worker-thread devices.
export * from './io/accessors.js';
export {
  io_init,
  ioremap,
  ioremap_np,
  ioremap_uc,
  ioremap_wc,
  iounmap,
  type mmio_ops,
  type mmio_size,
  sim_mmio_name,
  sim_mmio_register,
  sim_mmio_unregister,
} from './io/mmio.js';
export * from './io/resource.js';
export * from './lib/kobject.js';
export * from './lib/kobject_roots.js';
export * from './lib/kobject_uevent.js';
export * from './lib/kref.js';
export * from './locking/completion.js';
export * from './locking/debug-locks.js';
export * from './locking/lockdep.js';
export * from './locking/lockdep-types.js';
export * from './locking/mutex.js';
export * from './locking/spinlock.js';
export * from './locking/wait.js';
export * from './mm/access.js';
export * from './mm/fault-inject.js';
export * from './mm/gfp.js';
export * from './mm/init.js';
export * from './mm/kasan.js';
export * from './mm/kmalloc.js';
export * from './mm/kmemleak.js';
export * from './mm/layout.js';
export * from './mm/meminfo.js';
export * from './mm/page_alloc.js';
export * from './mm/slab.js';
export * from './mm/vmalloc.js';
export * from './panic.js';
export * from './printk.js';
export * from './ratelimit.js';
export * from './rcu/kfree.js';
export * from './rcu/update.js';
export * from './refcount.js';
export * from './sched/core.js';
export * from './sched/hung-task.js';
export * from './sched/might-sleep.js';
export * from './sched/preempt.js';
export * from './sched/signal.js';
export * from './sched/task.js';
export * from './sched/workqueue.js';
export * from './stacktrace.js';
export * from './time/clock.js';
export * from './time/delay.js';
export * from './time/jiffies.js';
export * from './time/timer.js';
export * from './vsprintf.js';
