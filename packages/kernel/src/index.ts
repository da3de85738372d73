export * from './atomic.js';
export * from './base/amba.js';
export * from './base/bind.js';
export * from './base/bus.js';
export * from './base/core.js';
export * from './base/dd.js';
export * from './base/deferred.js';
export type { device_attribute } from './base/device.js';
export * from './base/device.js';
export * from './base/devres.js';
export * from './base/driver.js';
export * from './base/driver_override.js';
export * from './base/init.js';
export * from './base/platform.js';
export * from './base/power.js';
export * from './base/resource.js';
export * from './base/virtio.js';
export * from './dma/mapping.js';
export * from './drivers/char/boot.js';
export * from './drivers/char/class_device.js';
export * from './drivers/char/mem.js';
export * from './drivers/char/misc.js';
export * from './drivers/char/random.js';
export * from './err-ptr.js';
export * from './errno.js';
export * from './fs/char_dev.js';
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
export * from './gpio/consumer.js';
export * from './gpio/driver.js';
export * from './gpio/gpio-sim.js';
export * from './gpio/gpiolib.js';
export { gpio_debugfs_show } from './gpio/gpiolib-debugfs.js';
export {
  GPIOCHIP_IRQ_RESOURCE_HELPERS,
  gpiochip_disable_irq,
  gpiochip_enable_irq,
  gpiochip_irq_relres,
  gpiochip_irq_reqres,
  gpiochip_irqchip_irq_valid,
  gpiochip_lock_as_irq,
  gpiochip_relres_irq,
  gpiochip_reqres_irq,
  gpiochip_unlock_as_irq,
} from './gpio/gpiolib-irqchip.js';
export {
  gpio_sysfs_edge_count,
  gpiod_export,
  gpiod_unexport,
} from './gpio/gpiolib-sysfs.js';
export * from './gpio/uapi.js';
export * from './io/accessors.js';
export * from './io/devres.js';
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
export {
  sim_worker_device,
  type sim_worker_device_options,
  sim_worker_device_start,
  sim_worker_devices_stop,
} from './io/worker-device.js';
export * from './irq/chip.js';
export * from './irq/devres.js';
export { generic_handle_irq } from './irq/handle.js';
export * from './irq/init.js';
export {
  dummy_irq_chip,
  handle_bad_irq,
  IRQ_DISABLE_UNLAZY,
  IRQ_HANDLED,
  IRQ_LEVEL,
  IRQ_NOAUTOEN,
  IRQ_NONE,
  IRQ_NOPROBE,
  IRQ_NOREQUEST,
  IRQ_NOTHREAD,
  IRQ_RETVAL,
  IRQ_SET_MASK_OK,
  IRQ_SET_MASK_OK_DONE,
  IRQ_SET_MASK_OK_NOCOPY,
  IRQ_TYPE_EDGE_BOTH,
  IRQ_TYPE_EDGE_FALLING,
  IRQ_TYPE_EDGE_RISING,
  IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK,
  IRQ_TYPE_NONE,
  IRQ_TYPE_SENSE_MASK,
  IRQ_WAKE_THREAD,
  IRQCHIP_IMMUTABLE,
  IRQCHIP_ONESHOT_SAFE,
  IRQCHIP_SET_TYPE_MASKED,
  IRQCHIP_SKIP_SET_WAKE,
  IRQF_COND_SUSPEND,
  IRQF_EARLY_RESUME,
  IRQF_FORCE_RESUME,
  IRQF_IRQPOLL,
  IRQF_NO_AUTOEN,
  IRQF_NO_DEBUG,
  IRQF_NO_SUSPEND,
  IRQF_NO_THREAD,
  IRQF_NOBALANCING,
  IRQF_ONESHOT,
  IRQF_PERCPU,
  IRQF_PROBE_SHARED,
  IRQF_SHARED,
  IRQF_TIMER,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_LOW,
  IRQF_TRIGGER_MASK,
  IRQF_TRIGGER_NONE,
  IRQF_TRIGGER_RISING,
  IRQS_PENDING,
  IRQS_SPURIOUS_DISABLED,
  irq_alloc_desc,
  type irq_chip,
  irq_data,
  irq_data_get_irq_chip_data,
  irq_desc,
  irq_desc_get_chip,
  irq_desc_get_handler_data,
  irq_descs,
  type irq_flow_handler_t,
  irq_free_desc,
  irq_get_irq_data,
  type irq_handler_t,
  type irq_thread_fn_t,
  irq_to_desc,
  type irqaction,
  irqd_to_hwirq,
  type irqreturn_t,
  kstat_irqs,
  no_irq_chip,
} from './irq/irqdesc.js';
export * from './irq/irqdomain.js';
export * from './irq/manage.js';
export {
  SIM_NR_IRQS,
  sim_intc_domain,
  sim_irq,
  sim_irq_line,
  sim_lower_irq,
  sim_pulse_irq,
  sim_raise_irq,
  sim_set_irq_level,
} from './irq/sim-intc.js';
export { irq_set_noirqdebug, note_interrupt } from './irq/spurious.js';
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
