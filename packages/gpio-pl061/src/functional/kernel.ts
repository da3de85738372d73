/**
 * What every PL061 test starts from: the simulated kernel's subsystems reset as a boot
 * would leave them. (Test support: not part of the package's build.)
 *
 * @module
 */

import {
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  type gpio_desc,
  gpio_init,
  gpiod_to_irq,
  IRQ_HANDLED,
  io_init,
  irq_init,
  mm_init,
  panic_reset,
  pm_init,
  request_irq,
  resource_init,
  vfs_init,
} from '@rfl/kernel';

/**
 * Resets what a PL061 test uses: memory (with KASAN when asked), the VFS and the kernel's
 * pseudo file systems, the driver core, MMIO and resources, interrupts, gpiolib and power
 * management; no Oops state and an empty log.
 */
export function pl061_kernel_reset(options: { kasan?: boolean } = {}): void {
  mm_init({ quiet: true, kasan: options.kasan ?? false });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  io_init();
  resource_init();
  irq_init();
  gpio_init();
  pm_init();
  panic_reset();
  dmesg_clear();
}

/**
 * Requests the interrupt of `desc` with `flags` under `name`, with a handler that records
 * each irq number it is called with (then calls `on_irq`). Returns the irq, what
 * request_irq() returned and the recorded numbers.
 */
export function pl061_listen(
  desc: gpio_desc,
  flags: number,
  name: string,
  on_irq?: () => void,
): { irq: number; ret: number; events: number[] } {
  const events: number[] = [];
  const irq = gpiod_to_irq(desc);
  const ret = request_irq(
    irq,
    (n) => {
      events.push(n);
      on_irq?.();
      return IRQ_HANDLED;
    },
    flags,
    name,
    events,
  );
  return { irq, ret, events };
}
