/**
 * `/sys/kernel/debug/gpio` (`gpiolib_seq_show()` and `gpiolib_dbg_show()` of
 * drivers/gpio/gpiolib.c): every registered chip with its number range, parent and
 * label, then each line that is claimed or used as an interrupt — its direction,
 * level, `IRQ` and `ACTIVE LOW` — and each named line. A driver may print its
 * own lines with `gc.dbg_show`. A removed chip is off the list at once, even while
 * open files keep its gpio_device.
 *
 * @example
 * ```ts
 * import { driver_core_fs_init, gpio_debugfs_show, gpio_device_get_desc, gpio_init, gpio_sim_add, gpio_sim_remove, gpiod_direction_output, gpiod_free, gpiod_request, vfs_init } from '@rfl/kernel';
 * # vfs_init();
 * # driver_core_fs_init();
 * # gpio_init();
 * const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 4, names: ['', 'button'] });
 * const led = gpio_device_get_desc(sim.chip.gpiodev!, 2);
 * gpiod_request(led, 'led');
 * gpiod_direction_output(led, 1);
 * gpio_debugfs_show() // => 'gpiochip0: GPIOs 512-515, gpio-sim.0:\n gpio-513 (button              )\n gpio-514 (                    |led                 ) out hi \n'
 * gpiod_free(led);
 * gpio_sim_remove(sim);
 * ```
 *
 * @module
 */

import { dev_name } from '../base/device.js';
import { debugfs_text_fops } from '../fs/debugfs/file.js';
import {
  debugfs_create_file,
  debugfs_initialized,
  debugfs_lookup_and_remove,
} from '../fs/debugfs/inode.js';
import { sprintf } from '../vsprintf.js';
import { gpiod_get_direction, gpiod_get_raw_value } from './consumer.js';
import { FLAG_ACTIVE_LOW, FLAG_IS_OUT, FLAG_REQUESTED, FLAG_USED_AS_IRQ } from './driver.js';
import { gpio_chip_hwgpio, gpio_device_list } from './gpiolib.js';

/** The text of `/sys/kernel/debug/gpio`. */
export function gpio_debugfs_show(): string {
  let out = '';
  gpio_device_list().forEach((gdev, n) => {
    const gc = gdev.chip!;
    out += `${n === 0 ? '' : '\n'}${dev_name(gdev.dev)}: `;
    out += `GPIOs ${gdev.base}-${gdev.base + gdev.ngpio - 1}`;
    if (gc.parent) out += `, parent: ${gc.parent.bus?.name ?? 'no-bus'}/${dev_name(gc.parent)}`;
    if (gc.label) out += `, ${gc.label}`;
    if (gc.can_sleep) out += ', can sleep';
    out += ':\n';
    if (gc.dbg_show) {
      out += gc.dbg_show(gc);
      return;
    }
    for (const desc of gdev.descs) {
      const gpio = gdev.base + gpio_chip_hwgpio(desc);
      const is_irq = (desc.flags & FLAG_USED_AS_IRQ) !== 0;
      if (is_irq || desc.flags & FLAG_REQUESTED) {
        gpiod_get_direction(desc);
        const is_out = (desc.flags & FLAG_IS_OUT) !== 0;
        const value = gpiod_get_raw_value(desc);
        out += sprintf(
          ' gpio-%-3u (%-20.20s|%-20.20s) %s %s %s%s\n',
          gpio,
          desc.name ?? '',
          desc.label ?? '',
          is_out ? 'out' : 'in ',
          value >= 0 ? (value ? 'hi' : 'lo') : '?  ',
          is_irq ? 'IRQ ' : '',
          desc.flags & FLAG_ACTIVE_LOW ? 'ACTIVE LOW' : '',
        );
      } else if (desc.name) {
        out += sprintf(' gpio-%-3u (%-20.20s)\n', gpio, desc.name);
      }
    }
  });
  return out;
}

/** Creates `/sys/kernel/debug/gpio` when debugfs is up; part of gpio_init(). */
export function gpiolib_debugfs_init(): void {
  if (!debugfs_initialized()) return;
  debugfs_lookup_and_remove('gpio', null);
  debugfs_create_file('gpio', 0o444, null, null, debugfs_text_fops(gpio_debugfs_show, null));
}
