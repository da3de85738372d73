/**
 * `foxes_c`: the foxes misc device written the way a C driver author writes it, against
 * `@rfl/kernel` directly: a `struct file_operations`, a `struct miscdevice`,
 * `misc_register()` in `module_init`, a `kmalloc`ed state per open file kept in
 * `file->private_data`, `copy_to_user()` in `read`, `kfree()` in `release`.
 *
 * ```sh
 * $ insmod foxes_c
 * $ cat /dev/foxes_c | head -c 8
 * 🦊🦊
 * ```
 *
 * It behaves as the safe `foxes` does: each open gets 200 foxes (U+1F98A, four bytes of
 * UTF-8), `read` hands out as many whole foxes as fit in the buffer and returns 0 once
 * they are gone. Its open makes two allocations, the state and the den of foxes `read`
 * copies from; the error path of the second is where C drivers leak. With `buggy=1`
 * the module takes the path a hurried author writes, which returns `-ENOMEM` without
 * freeing the state: a failslab sweep over open finds it with kmemleak (see
 * `spec/foxes-c-vs-safe.md`).
 *
 * @module
 */

import {
  copy_to_user,
  declare_module,
  EFAULT,
  ENOMEM,
  type file,
  type file_operations,
  GFP_KERNEL,
  type inode,
  kfree,
  kmalloc,
  type loff_ref,
  MISC_DYNAMIC_MINOR,
  memcpy_from_js,
  misc_deregister,
  misc_register,
  type miscdevice,
  read_ptr,
  readl,
  write_ptr,
  writel,
} from '@rfl/kernel';

/** U+1F98A FOX FACE in UTF-8. */
const FOX = new Uint8Array([0xf0, 0x9f, 0xa6, 0x8a]);
const FOX_SIZE = FOX.length;
/** Foxes each open file gets. */
const FOXES_PER_OPEN = 200;
const DEN_SIZE = FOXES_PER_OPEN * FOX_SIZE;

/*
 * struct foxes_c_file {
 *         u32 left;       // foxes not read yet
 *         u8 *den;        // FOXES_PER_OPEN foxes, what read copies from
 * };
 */
const FF_LEFT = 0;
const FF_DEN = 8;
const FF_SIZE = 16;

/** `module_param(buggy, bool, 0444)`, read once at load. */
let buggy = false;

function foxes_c_open(_inode: inode, filp: file): number {
  const ff = kmalloc(FF_SIZE, GFP_KERNEL);
  if (ff === 0) return -ENOMEM;
  const den = kmalloc(DEN_SIZE, GFP_KERNEL);
  if (den === 0) {
    // The bug this module exists to show: buggy=1 forgets the state on this path.
    if (!buggy) kfree(ff);
    return -ENOMEM;
  }
  for (let off = 0; off < DEN_SIZE; off += FOX_SIZE) memcpy_from_js(den + off, FOX);
  writel(FOXES_PER_OPEN, ff + FF_LEFT);
  write_ptr(den, ff + FF_DEN);
  filp.private_data = ff;
  return 0;
}

/**
 * Copies `min(count / 4, left)` foxes. A fault part-way returns the whole foxes that
 * reached the buffer (the bytes of a torn fox after them are not counted), or `-EFAULT`
 * if not even one did.
 */
function foxes_c_read(filp: file, buf: number, count: number, _ppos: loff_ref): number {
  const ff = filp.private_data as number;
  const left = readl(ff + FF_LEFT);
  const n = Math.min(Math.floor(count / FOX_SIZE), left);
  if (n === 0) return 0;
  const uncopied = copy_to_user(buf, read_ptr(ff + FF_DEN), n * FOX_SIZE);
  const copied = Math.floor((n * FOX_SIZE - uncopied) / FOX_SIZE);
  if (copied === 0) return -EFAULT;
  writel(left - copied, ff + FF_LEFT);
  return copied * FOX_SIZE;
}

function foxes_c_release(_inode: inode, filp: file): number {
  const ff = filp.private_data as number;
  kfree(read_ptr(ff + FF_DEN));
  kfree(ff);
  return 0;
}

/** `static const struct file_operations foxes_c_fops`; `owner` is set at load (`THIS_MODULE`). */
export const foxes_c_fops: file_operations = {
  open: foxes_c_open,
  read: foxes_c_read,
  release: foxes_c_release,
};

/**
 * `static struct miscdevice foxes_c_misc`. A module's static data is fresh at every load
 * (the `.ko` is read again); here the structure is made at load for the same effect, so a
 * simulated reboot that never ran the exit leaves no minor behind in it.
 */
let foxes_c_misc: miscdevice | undefined;

/** The module's declaration (its `.ko`), made when the sample is imported. */
export const foxes_c_module = declare_module({
  name: 'foxes_c',
  author: 'rfl-ts',
  description: 'Prints foxes, written against the C API',
  license: 'GPL',
  params: {
    buggy: {
      type: 'bool',
      default: false,
      perm: 0o444,
      description: 'Leak the open state when the den of foxes cannot be allocated',
    },
  },
  init(params, mod) {
    buggy = params.buggy;
    foxes_c_fops.owner = mod;
    foxes_c_misc = { minor: MISC_DYNAMIC_MINOR, name: 'foxes_c', fops: foxes_c_fops, mode: 0o444 };
    return misc_register(foxes_c_misc);
  },
  exit() {
    if (foxes_c_misc) misc_deregister(foxes_c_misc);
  },
});
