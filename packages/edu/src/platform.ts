/**
 * The edu driver on the platform bus, with a character device.
 *
 * The board code (`edu_board_add`) starts the device model and registers a
 * platform device `edu` with two resources, the MMIO window and the interrupt;
 * the platform driver (`edu_platform_driver`) binds to it, probes the device
 * with {@link edu_probe} and registers the misc device `/dev/edu`:
 *
 * ```sh
 * $ echo 10 > /dev/edu
 * $ cat /dev/edu
 * 3628800
 * ```
 *
 * A write is a decimal number n; the device computes n! (in 32 bits) and
 * reads return the device's last result as a line of text, from the file
 * position, to whoever opens it next (as `cat` after `echo` does). Reading
 * before any write returns nothing.
 *
 * @module
 */

import {
  copy_from_user,
  DEFINE_RES_IRQ,
  DEFINE_RES_MEM,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOMEM,
  type file,
  type file_operations,
  GFP_KERNEL,
  IORESOURCE_MEM,
  kfree,
  kmalloc,
  type loff_ref,
  MISC_DYNAMIC_MINOR,
  memcpy_to_js,
  misc_deregister,
  misc_register,
  type miscdevice,
  no_seek_end_llseek,
  PLATFORM_DEVID_NONE,
  type platform_device,
  platform_device_register_simple,
  platform_device_unregister,
  type platform_driver,
  platform_get_drvdata,
  platform_get_irq,
  platform_get_resource,
  platform_set_drvdata,
  sim_irq,
  type sim_worker_device,
  simple_read_from_buffer,
} from '@rfl/kernel';
import {
  EDU_DEFAULT_HWIRQ,
  EDU_DEFAULT_PHYS,
  type edu_device_options,
  edu_device_start,
} from './device.js';
import { type edu_dev, edu_factorial, edu_probe, edu_remove } from './driver.js';
import { EDU_MMIO_SIZE } from './regs.js';

/** The misc device of a bound edu: its driver state and last result, as reads return it. */
interface edu_misc extends miscdevice {
  readonly edu: edu_dev;
  text: Uint8Array;
}

/** The longest number a write may carry, newline included. */
const EDU_WRITE_MAX = 16;

async function edu_write(filp: file, buf: number, count: number, _ppos: loff_ref): Promise<number> {
  const state = filp.private_data as edu_misc;
  if (count <= 0 || count > EDU_WRITE_MAX) return -EINVAL;
  const kbuf = kmalloc(count, GFP_KERNEL);
  if (kbuf === 0) return -ENOMEM;
  const left = copy_from_user(kbuf, buf, count);
  const bytes = memcpy_to_js(kbuf, count);
  kfree(kbuf);
  if (left !== 0) return -EFAULT;
  const text = new TextDecoder().decode(bytes).trim();
  if (!/^\d+$/.test(text)) return -EINVAL;
  const n = Number(text);
  if (n > 0xffffffff) return -EINVAL;
  const result = await edu_factorial(state.edu, n);
  if (result < 0) return result;
  state.text = new TextEncoder().encode(`${result}\n`);
  return count;
}

function edu_read(filp: file, buf: number, count: number, ppos: loff_ref): number {
  const state = filp.private_data as edu_misc;
  return simple_read_from_buffer(buf, count, ppos, state.text);
}

/** The file operations of `/dev/edu`. */
export const edu_fops: file_operations = {
  llseek: no_seek_end_llseek,
  read: edu_read,
  write: edu_write,
};

async function edu_platform_probe(pdev: platform_device): Promise<number> {
  const mem = platform_get_resource(pdev, IORESOURCE_MEM, 0);
  if (mem === undefined) return -ENODEV;
  const irq = platform_get_irq(pdev, 0);
  if (irq < 0) return irq;
  const edu = edu_probe(pdev.dev, mem.start, irq);
  if (typeof edu === 'number') return edu;
  const misc: edu_misc = {
    minor: MISC_DYNAMIC_MINOR,
    name: 'edu',
    fops: edu_fops,
    edu,
    text: new Uint8Array(0),
  };
  const ret = misc_register(misc);
  if (ret < 0) {
    edu_remove(edu);
    return ret;
  }
  platform_set_drvdata(pdev, misc);
  return 0;
}

function edu_platform_remove(pdev: platform_device): void {
  const misc = platform_get_drvdata<edu_misc>(pdev);
  misc_deregister(misc);
  edu_remove(misc.edu);
}

/** The platform driver `edu`. */
export const edu_platform_driver: platform_driver = {
  driver: { name: 'edu' },
  probe: edu_platform_probe,
  remove: edu_platform_remove,
};

/** What {@link edu_board_add} plugged in. */
export interface edu_board {
  readonly device: sim_worker_device;
  readonly pdev: platform_device;
}

/**
 * Board code: starts an edu device model and registers its platform device
 * (`edu`, with its MMIO window and interrupt). Returns what to give to
 * {@link edu_board_remove}, or a negative errno.
 */
export async function edu_board_add(opts: edu_device_options = {}): Promise<edu_board | number> {
  const phys = opts.phys ?? EDU_DEFAULT_PHYS;
  const hwirq = opts.hwirq ?? EDU_DEFAULT_HWIRQ;
  const device = await edu_device_start({ ...opts, phys, hwirq });
  const irq = sim_irq(hwirq);
  if (irq === 0) {
    await device.stop();
    return -ENOMEM;
  }
  const pdev = await platform_device_register_simple('edu', PLATFORM_DEVID_NONE, [
    DEFINE_RES_MEM(phys, EDU_MMIO_SIZE),
    DEFINE_RES_IRQ(irq),
  ]);
  if (typeof pdev === 'number') {
    await device.stop();
    return pdev;
  }
  return { device, pdev };
}

/** Unregisters the platform device (unbinding the driver) and stops the model. */
export async function edu_board_remove(board: edu_board): Promise<void> {
  await platform_device_unregister(board.pdev);
  await board.device.stop();
}
