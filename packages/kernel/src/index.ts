export * from './atomic.js';
// The device model (drivers/base): buses, devices, drivers, binding, devres.
export * from './base/amba.js';
export * from './base/bind.js';
export * from './base/bus.js';
export * from './base/core.js';
export * from './base/dd.js';
// Both the driver core and the class devices of drivers/char have a device_attribute;
// the public one is the driver core's, whose show/store get a `struct device`.
export type { device_attribute } from './base/device.js';
export * from './base/device.js';
export * from './base/devres.js';
export * from './base/driver.js';
export * from './base/driver_override.js';
export * from './base/init.js';
export * from './base/platform.js';
export * from './base/resource.js';
export * from './base/virtio.js';
// k-devfs: kobjects, sysfs, debugfs, procfs, character and misc devices.
export * from './drivers/char/boot.js';
export * from './drivers/char/class_device.js';
export * from './drivers/char/mem.js';
export * from './drivers/char/misc.js';
export * from './drivers/char/random.js';
export * from './err-ptr.js';
export * from './errno.js';
export * from './fs/char_dev.js';
// fs: the VFS core (k-vfs)
export * from './fs/cred.js';
export * from './fs/dcache.js';
export * from './fs/debugfs/builtin.js';
export * from './fs/debugfs/file.js';
export * from './fs/debugfs/inode.js';
export * from './fs/devtmpfs.js';
export * from './fs/fcntl.js';
export * from './fs/fdtable.js';
export * from './fs/file_pseudo.js';
export * from './fs/file_table.js';
export * from './fs/fs.js';
export * from './fs/fs_struct.js';
export * from './fs/init.js';
export * from './fs/inode.js';
export * from './fs/ioctl.js';
export * from './fs/iov_iter.js';
export * from './fs/kdev_t.js';
export * from './fs/libfs.js';
export * from './fs/namei.js';
export * from './fs/namei_create.js';
export * from './fs/namespace.js';
export * from './fs/open.js';
export * from './fs/pipe.js';
export * from './fs/proc/array.js';
export * from './fs/proc/root.js';
export * from './fs/read_write.js';
export * from './fs/readdir.js';
export * from './fs/select.js';
export * from './fs/stat.js';
export * from './fs/stat_mode.js';
export * from './fs/super.js';
export * from './fs/sys_file.js';
export * from './fs/sys_path.js';
export * from './fs/sysfs/access.js';
export * from './fs/sysfs/dir.js';
export * from './fs/sysfs/file.js';
export * from './fs/sysfs/group.js';
export * from './fs/sysfs/kernfs.js';
export * from './fs/sysfs/kernfs_vfs.js';
export * from './fs/sysfs/mount.js';
export * from './fs/sysfs/slab.js';
export * from './fs/sysfs/symlink.js';
export * from './fs/tmpfs.js';
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
// k-module: Kconfig and loadable modules.
export * from './kconfig.js';
export * from './lib/kobject.js';
export * from './lib/kobject_roots.js';
export * from './lib/kobject_uevent.js';
export * from './lib/kref.js';
export * from './lib/list.js';
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
export * from './mm/mmap.js';
export * from './mm/page_alloc.js';
export * from './mm/slab.js';
export * from './mm/uaccess.js';
export * from './mm/uaccess-user.js';
export * from './mm/usercopy.js';
export * from './mm/vmalloc.js';
export * from './module/declare.js';
export * from './module/kmod.js';
export * from './module/main.js';
export * from './module/module.js';
export * from './module/params.js';
export * from './module/procfs.js';
export * from './module/symbols.js';
export * from './module/sysfs.js';
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
export * from './user/libc.js';
export * from './vsprintf.js';
