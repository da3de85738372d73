/**
 * Character device numbers and `cdev`s (fs/char_dev.c).
 *
 * A driver first reserves a range of device numbers — a major and a run of
 * minors — with {@link register_chrdev_region} (numbers it chose) or
 * {@link alloc_chrdev_region} (a free major picked by the kernel), then
 * attaches its `file_operations` to (part of) the range with a `cdev`
 * ({@link cdev_init} + {@link cdev_add}). Opening a character-device inode
 * looks up the cdev of its `i_rdev` and switches the file to the cdev's
 * operations; no cdev means `-ENXIO`.
 *
 * Dynamic majors come, as in the kernel, from 254 down to 234 (skipping a
 * major whose slot of the 255-entry hash table is in use), then from 511 down
 * to 384. Regions of one major may not overlap (`-EBUSY`); majors stop at 511
 * and a region may not run past minor 2^20 - 1 (`-EINVAL`, with the kernel's
 * messages).
 *
 * @example
 * ```ts
 * import { MAJOR, MINOR, alloc_chrdev_region, chrdev_init, unregister_chrdev_region } from '@rfl/kernel';
 * # chrdev_init();
 * const dev = { value: 0 };
 * alloc_chrdev_region(dev, 0, 4, 'foxes') // => 0
 * MAJOR(dev.value) // => 254
 * MINOR(dev.value) // => 0
 * unregister_chrdev_region(dev.value, 4);
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL, ENXIO } from '../errno.js';
import {
  type kobj_type,
  kobject,
  kobject_get,
  kobject_get_unless_zero,
  kobject_init,
  kobject_put,
  kobject_set_name,
} from '../lib/kobject.js';
import { WARN_ON } from '../panic.js';
import { pr_err } from '../printk.js';
import { fops_get, replace_fops } from './file_table.js';
import type { file, file_operations, inode, int_ret } from './fs.js';
import { set_chrdev_open } from './inode.js';
import { MAJOR, MINOR, MINORMASK, MKDEV } from './kdev_t.js';

/** Majors are below this (`CHRDEV_MAJOR_MAX`). */
export const CHRDEV_MAJOR_MAX = 512;
/** Size of the table of majors; majors share slot `major % 255`. */
export const CHRDEV_MAJOR_HASH_SIZE = 255;
/** The first dynamic range: 254 down to this. */
export const CHRDEV_MAJOR_DYN_END = 234;
/** The second dynamic range: 511 down to 384. */
export const CHRDEV_MAJOR_DYN_EXT_START = 511;
export const CHRDEV_MAJOR_DYN_EXT_END = 384;

/** A reserved region (`struct char_device_struct`). */
interface char_device_struct {
  major: number;
  baseminor: number;
  minorct: number;
  name: string;
  cdev: cdev | null;
}

/** The kernel's `chrdevs[]`: each slot a list sorted by major, then minor. */
let chrdevs: char_device_struct[][] = empty_table();

function empty_table<T>(): T[][] {
  return Array.from({ length: CHRDEV_MAJOR_HASH_SIZE }, () => []);
}

function major_to_index(major: number): number {
  return major % CHRDEV_MAJOR_HASH_SIZE;
}

function find_dynamic_major(): number {
  for (let i = CHRDEV_MAJOR_HASH_SIZE - 1; i >= CHRDEV_MAJOR_DYN_END; i--) {
    if ((chrdevs[i] ?? []).length === 0) return i;
  }
  for (let i = CHRDEV_MAJOR_DYN_EXT_START; i >= CHRDEV_MAJOR_DYN_EXT_END; i--) {
    if (!(chrdevs[major_to_index(i)] ?? []).some((cd) => cd.major === i)) return i;
  }
  return -EBUSY;
}

function __register_chrdev_region(
  major: number,
  baseminor: number,
  minorct: number,
  name: string,
): char_device_struct | number {
  if (major >= CHRDEV_MAJOR_MAX) {
    pr_err(
      'CHRDEV "%s" major requested (%u) is greater than the maximum (%u)\n',
      name,
      major,
      CHRDEV_MAJOR_MAX - 1,
    );
    return -EINVAL;
  }
  if (minorct > MINORMASK + 1 - baseminor) {
    pr_err(
      'CHRDEV "%s" minor range requested (%u-%u) is out of range of maximum range (%u-%u) for a single major\n',
      name,
      baseminor,
      baseminor + minorct - 1,
      0,
      MINORMASK,
    );
    return -EINVAL;
  }
  if (major === 0) {
    const found = find_dynamic_major();
    if (found < 0) {
      pr_err('CHRDEV "%s" dynamic allocation region is full\n', name);
      return found;
    }
    major = found;
  }
  const slot = chrdevs[major_to_index(major)]!;
  let at = 0;
  for (; at < slot.length; at++) {
    const curr = slot[at]!;
    if (curr.major < major) continue;
    if (curr.major > major) break;
    if (curr.baseminor + curr.minorct <= baseminor) continue;
    if (curr.baseminor >= baseminor + minorct) break;
    return -EBUSY;
  }
  const cd: char_device_struct = { major, baseminor, minorct, name, cdev: null };
  slot.splice(at, 0, cd);
  return cd;
}

function __unregister_chrdev_region(
  major: number,
  baseminor: number,
  minorct: number,
): char_device_struct | null {
  const slot = chrdevs[major_to_index(major)] ?? [];
  const i = slot.findIndex(
    (cd) => cd.major === major && cd.baseminor === baseminor && cd.minorct === minorct,
  );
  if (i < 0) return null;
  return slot.splice(i, 1)[0]!;
}

/**
 * `register_chrdev_region`: reserves `count` numbers from `from` (they may
 * span majors). 0, or `-EBUSY`/`-EINVAL`; on failure nothing stays reserved.
 */
export function register_chrdev_region(from: number, count: number, name: string): number {
  const to = from + count;
  for (let n = from; n < to; ) {
    let next = MKDEV(MAJOR(n) + 1, 0);
    if (next > to) next = to;
    const cd = __register_chrdev_region(MAJOR(n), MINOR(n), next - n, name);
    if (typeof cd === 'number') {
      for (let m = from; m < n; ) {
        let mnext = MKDEV(MAJOR(m) + 1, 0);
        if (mnext > to) mnext = to;
        __unregister_chrdev_region(MAJOR(m), MINOR(m), mnext - m);
        m = mnext;
      }
      return cd;
    }
    n = next;
  }
  return 0;
}

/**
 * `alloc_chrdev_region`: reserves `count` minors from `baseminor` on a free
 * dynamic major; stores the first number in `dev.value`. 0 or a negative errno.
 */
export function alloc_chrdev_region(
  dev: { value: number },
  baseminor: number,
  count: number,
  name: string,
): number {
  const cd = __register_chrdev_region(0, baseminor, count, name);
  if (typeof cd === 'number') return cd;
  dev.value = MKDEV(cd.major, cd.baseminor);
  return 0;
}

/** `unregister_chrdev_region`: releases what a register/alloc of the same numbers reserved. */
export function unregister_chrdev_region(from: number, count: number): void {
  const to = from + count;
  for (let n = from; n < to; ) {
    let next = MKDEV(MAJOR(n) + 1, 0);
    if (next > to) next = to;
    __unregister_chrdev_region(MAJOR(n), MINOR(n), next - n);
    n = next;
  }
}

/** `struct cdev`. */
export class cdev {
  readonly kobj = new kobject();
  owner: unknown = undefined;
  ops: file_operations | null = null;
  dev = 0;
  count = 0;
  constructor() {
    this.kobj.container = this;
  }
}

function cdev_default_release(_kobj: kobject): void {}
function cdev_dynamic_release(kobj: kobject): void {
  kobject_put(kobj.parent);
}

const ktype_cdev_default: kobj_type = { release: cdev_default_release };
const ktype_cdev_dynamic: kobj_type = { release: cdev_dynamic_release };

/** `cdev_alloc`: a cdev to fill in and `cdev_add`; freed by `cdev_del` or its last put. */
export function cdev_alloc(): cdev {
  const p = new cdev();
  kobject_init(p.kobj, ktype_cdev_dynamic);
  return p;
}

/** `cdev_init`: prepares a cdev embedded in the driver's structure, with `fops`. */
export function cdev_init(p: cdev, fops: file_operations): void {
  kobject_init(p.kobj, ktype_cdev_default);
  p.ops = fops;
}

/** One entry of the kernel's `cdev_map` (`struct probe` of drivers/base/map.c). */
interface probe {
  dev: number;
  range: number;
  data: cdev;
}

/** `cdev_map`: per major slot, the probes sorted by range, the newest first among equals. */
let cdev_map: probe[][] = empty_table();

/**
 * `cdev_add`: makes opens of `count` numbers from `dev` reach `p`. Takes a
 * reference on the cdev's parent kobject, as the kernel does.
 */
export function cdev_add(p: cdev, dev: number, count: number): number {
  p.dev = dev;
  p.count = count;
  if (WARN_ON(dev === 0)) return -EBUSY;
  const n = Math.min(MAJOR(dev + count - 1) - MAJOR(dev) + 1, CHRDEV_MAJOR_HASH_SIZE);
  for (let i = 0; i < n; i++) {
    const slot = cdev_map[major_to_index(MAJOR(dev) + i)]!;
    let at = 0;
    while (at < slot.length && slot[at]!.range < count) at++;
    slot.splice(at, 0, { dev, range: count, data: p });
  }
  kobject_get(p.kobj.parent);
  return 0;
}

function cdev_unmap(dev: number, count: number, p: cdev): void {
  const n = Math.min(MAJOR(dev + count - 1) - MAJOR(dev) + 1, CHRDEV_MAJOR_HASH_SIZE);
  for (let i = 0; i < n; i++) {
    const slot = cdev_map[major_to_index(MAJOR(dev) + i)] ?? [];
    const at = slot.findIndex((pr) => pr.dev === dev && pr.range === count && pr.data === p);
    if (at >= 0) slot.splice(at, 1);
  }
}

/** `cdev_del`: no new open reaches `p`; files already open keep their operations. */
export function cdev_del(p: cdev): void {
  cdev_unmap(p.dev, p.count, p);
  kobject_put(p.kobj);
}

/** `kobj_lookup` on `cdev_map`: the cdev whose range holds `dev`, the smallest range winning. */
export function cdev_lookup(dev: number): cdev | null {
  for (const pr of cdev_map[major_to_index(MAJOR(dev))] ?? []) {
    if (pr.dev > dev || pr.dev + pr.range - 1 < dev) continue;
    if (kobject_get_unless_zero(pr.data.kobj)) {
      kobject_put(pr.data.kobj);
      return pr.data;
    }
  }
  return null;
}

/**
 * `chrdev_open`: the `open` of every character-device inode. Finds the cdev
 * of `i_rdev`, pins its operations' module (`-ENXIO` if it is going away),
 * installs them in the file and calls their `open`.
 */
function chrdev_open(node: inode, filp: file): int_ret {
  const p = cdev_lookup(node.i_rdev);
  if (!p?.ops) return -ENXIO;
  const fops = fops_get(p.ops);
  if (!fops) return -ENXIO;
  replace_fops(filp, fops);
  return fops.open ? fops.open(node, filp) : 0;
}

/**
 * `__register_chrdev`: reserves `count` minors from `baseminor` of `major`
 * (a dynamic major when 0) and adds a cdev with `fops` for them. Returns the
 * major when it was dynamic, else 0; or a negative errno.
 */
export function __register_chrdev(
  major: number,
  baseminor: number,
  count: number,
  name: string,
  fops: file_operations,
): number {
  const cd = __register_chrdev_region(major, baseminor, count, name);
  if (typeof cd === 'number') return cd;
  const c = cdev_alloc();
  c.owner = fops.owner;
  c.ops = fops;
  kobject_set_name(c.kobj, '%s', name);
  const err = cdev_add(c, MKDEV(cd.major, baseminor), count);
  if (err) {
    kobject_put(c.kobj);
    __unregister_chrdev_region(cd.major, baseminor, count);
    return err;
  }
  cd.cdev = c;
  return major ? 0 : cd.major;
}

/** `register_chrdev`: {@link __register_chrdev} of minors 0-255. */
export function register_chrdev(major: number, name: string, fops: file_operations): number {
  return __register_chrdev(major, 0, 256, name, fops);
}

/** `__unregister_chrdev`: releases the region and deletes its cdev. */
export function __unregister_chrdev(
  major: number,
  baseminor: number,
  count: number,
  _name: string,
): void {
  const cd = __unregister_chrdev_region(major, baseminor, count);
  if (cd?.cdev) cdev_del(cd.cdev);
}

/** `unregister_chrdev`. */
export function unregister_chrdev(major: number, name: string): void {
  __unregister_chrdev(major, 0, 256, name);
}

/** The character half of `/proc/devices`: `Character devices:` and `%3d %s` per region. */
export function chrdev_show(): string {
  let out = 'Character devices:\n';
  for (let major = 0; major < CHRDEV_MAJOR_MAX; major++) {
    for (const cd of chrdevs[major_to_index(major)] ?? []) {
      if (cd.major === major) out += `${String(major).padStart(3, ' ')} ${cd.name}\n`;
    }
  }
  return out;
}

/**
 * Boots the character-device layer: no regions, no cdevs, and `chrdev_open`
 * installed as the open of character-device inodes. Idempotent.
 */
export function chrdev_init(): void {
  chrdevs = empty_table();
  cdev_map = empty_table();
  set_chrdev_open(chrdev_open);
}
