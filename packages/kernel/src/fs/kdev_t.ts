/**
 * Device numbers (include/linux/kdev_t.h): the kernel's `dev_t` has 12 bits of major and
 * 20 of minor; user space sees the "new" encoding in `st_rdev` and passes it to mknod.
 *
 * @example
 * ```ts
 * import { MAJOR, MINOR, MKDEV, new_encode_dev } from '@rfl/kernel';
 * const dev = MKDEV(10, 130);
 * [MAJOR(dev), MINOR(dev)] // => [10, 130]
 * new_encode_dev(MKDEV(1, 3)).toString(16) // => '103'
 * ```
 *
 * @module
 */

export const MINORBITS = 20;
export const MINORMASK = (1 << MINORBITS) - 1;
export function MAJOR(dev: number): number {
  return dev >>> MINORBITS;
}
export function MINOR(dev: number): number {
  return dev & MINORMASK;
}
export function MKDEV(ma: number, mi: number): number {
  return ((ma << MINORBITS) | mi) >>> 0;
}
/** The user-space encoding of a dev_t in `st_rdev` and mknod (`new_encode_dev`). */
export function new_encode_dev(dev: number): number {
  const major = MAJOR(dev);
  const minor = MINOR(dev);
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}
/** The inverse of {@link new_encode_dev} (`new_decode_dev`). */
export function new_decode_dev(dev: number): number {
  const major = (dev & 0xfff00) >>> 8;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return MKDEV(major, minor);
}
