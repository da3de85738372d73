/**
 * The legacy sysfs interface of gpiolib (drivers/gpio/gpiolib-sysfs.c): `/sys/class/gpio`.
 *
 * @module
 */

import type { gpio_device } from './driver.js';

export function gpiolib_sysfs_init(): void {}

export function gpiochip_sysfs_register(_gdev: gpio_device): number {
  return 0;
}

export function gpiochip_sysfs_unregister(_gdev: gpio_device): void {}
