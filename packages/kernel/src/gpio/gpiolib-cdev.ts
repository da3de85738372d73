/**
 * The GPIO character device (drivers/gpio/gpiolib-cdev.c): `/dev/gpiochipN`.
 *
 * @module
 */

import { dev_name } from '../base/device.js';
import {
  alloc_chrdev_region,
  cdev,
  cdev_add,
  cdev_del,
  cdev_init,
  unregister_chrdev_region,
} from '../fs/char_dev.js';
import { devtmpfs_create_node, devtmpfs_delete_node } from '../fs/devtmpfs.js';
import type { file_operations } from '../fs/fs.js';
import { MAJOR, MKDEV } from '../fs/kdev_t.js';
import type { gpio_device } from './driver.js';

const GPIO_DEV_MAX = 256;

/** The first number of the `gpiochip` region (`gpio_devt`), 0 before gpiolib booted. */
let gpio_devt = 0;
const chrdevs = new WeakMap<gpio_device, cdev>();

const gpio_fileops: file_operations = {};

/** Reserves the `gpiochip` character-device numbers; part of gpio_init(). */
export function gpiolib_cdev_init(): void {
  if (gpio_devt) unregister_chrdev_region(gpio_devt, GPIO_DEV_MAX);
  const dev = { value: 0 };
  gpio_devt = alloc_chrdev_region(dev, 0, GPIO_DEV_MAX, 'gpiochip') === 0 ? dev.value : 0;
}

/** `gcdev_register()`: the cdev and node `/dev/gpiochipN` of a gpio_device. */
export function gcdev_register(gdev: gpio_device): number {
  if (!gpio_devt) return 0;
  const devt = MKDEV(MAJOR(gpio_devt), gdev.id);
  gdev.dev.devt = devt;
  const c = new cdev();
  cdev_init(c, gpio_fileops);
  c.owner = gdev.owner;
  const ret = cdev_add(c, devt, 1);
  if (ret) return ret;
  chrdevs.set(gdev, c);
  devtmpfs_create_node(dev_name(gdev.dev), 0o600, devt);
  return 0;
}

/** `gcdev_unregister()`: no new opens; open files keep the gpio_device. */
export function gcdev_unregister(gdev: gpio_device): void {
  const c = chrdevs.get(gdev);
  if (!c) return;
  chrdevs.delete(gdev);
  devtmpfs_delete_node(dev_name(gdev.dev), gdev.dev.devt);
  cdev_del(c);
}
