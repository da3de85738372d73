/**
 * kobjects (lib/kobject.c): named, reference-counted nodes of the device
 * model's tree, each shown as a directory of sysfs once added.
 *
 * A kobject is embedded in a bigger object (a device, a driver, a module)
 * and its `kobj_type` says how that object is freed (`release`) and how its
 * attributes are read and written (`sysfs_ops`). TypeScript has no
 * `container_of`: set {@link kobject.container} to the embedding object, or
 * subclass `kobject`.
 *
 * Lifetime is the kernel's: `kobject_init` sets the count to 1; `kobject_add`
 * takes a reference on the parent and creates the directory; `kobject_del`
 * removes the directory and drops the parent; the last `kobject_put` calls
 * `release` (deleting the kobject first if its owner forgot to). Misuse
 * prints the kernel's messages: `kobject: '<name>' (<ptr>): is not
 * initialized, yet kobject_get() is being called.` (a WARNING), `kobject
 * (<ptr>): tried to init an initialized object, something is seriously
 * wrong.`, and a put past zero is a `refcount_t: underflow; use-after-free.`
 *
 * @example
 * ```ts
 * import { kernel_kobj, kobject_create_and_add, kobject_get_path, kobject_put, sysfs_init, sysfs_readdir } from '@rfl/kernel';
 * # sysfs_init();
 * const foxes = kobject_create_and_add('foxes', kernel_kobj)!;
 * kobject_get_path(foxes) // => '/kernel/foxes'
 * sysfs_readdir('/sys/kernel/foxes') // => []
 * kobject_put(foxes);
 * sysfs_readdir('/sys/kernel/foxes') // => -2
 * ```
 *
 * @module
 */

import { EEXIST, EINVAL, EIO } from '../errno.js';
import { sysfs_create_dir_ns, sysfs_remove_dir, sysfs_rename_dir_ns } from '../fs/sysfs/dir.js';
import type { attribute } from '../fs/sysfs/file.js';
import {
  type attribute_group,
  sysfs_create_groups,
  sysfs_remove_groups,
} from '../fs/sysfs/group.js';
import type { kernfs_node } from '../fs/sysfs/kernfs.js';
import { dump_stack_lvl, WARN } from '../panic.js';
import { KERN_ERR, pr_debug, pr_err, pr_warn } from '../printk.js';
import { sprintf } from '../vsprintf.js';
import {
  KOBJ_ADD,
  KOBJ_MOVE,
  KOBJ_REMOVE,
  kobject_uevent,
  kobject_uevent_env,
  type kset_uevent_ops,
} from './kobject_uevent.js';
import { kref, kref_get, kref_get_unless_zero, kref_init, kref_put, kref_read } from './kref.js';

/** `struct sysfs_ops`: how a kobject's attributes are shown and stored. */
export interface sysfs_ops {
  /** The attribute's text, or a negative errno. */
  show?: (kobj: kobject, attr: attribute) => string | number;
  /**
   * Consumes `buf`; returns the bytes consumed (usually `buf.length`) or a negative
   * errno, as a promise when the store sleeps (the driver core's `bind`).
   */
  store?: (kobj: kobject, attr: attribute, buf: string) => number | Promise<number>;
}

/** `struct kobj_type`. */
export interface kobj_type {
  /** Frees the embedding object once the last reference is gone. */
  release?: (kobj: kobject) => void;
  sysfs_ops?: sysfs_ops;
  /** Attribute groups created with the directory (`default_groups`). */
  default_groups?: readonly attribute_group[];
}

let next_kobj_ptr = 0;

/** A pointer-looking value for `%p`, shaped like the kernel's hashed pointers. */
function kobj_hash_ptr(): number {
  next_kobj_ptr += 1;
  let x = Math.imul(next_kobj_ptr, 0x9e3779b1) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  return (x ^ (x >>> 13)) >>> 0;
}

/** `struct kobject`: `new kobject()` is the zeroed memory `kobject_init` expects. */
export class kobject {
  name = '';
  parent: kobject | null = null;
  kset: kset | null = null;
  ktype: kobj_type | null = null;
  /** The sysfs directory, while the kobject is added. */
  sd: kernfs_node | null = null;
  readonly kref = new kref();
  state_initialized = false;
  state_in_sysfs = false;
  state_add_uevent_sent = false;
  state_remove_uevent_sent = false;
  uevent_suppress = false;
  /** The object this kobject is embedded in (what C gets with `container_of`). */
  container: unknown = null;
  /** What `%p` prints for this kobject. */
  readonly ptr = kobj_hash_ptr();
}

/** `kobject_name()`. */
export function kobject_name(kobj: kobject): string {
  return kobj.name;
}

/**
 * `kobject_set_name`: formats the name; a `/` in it becomes `!`, as the
 * kernel does for names that would otherwise be paths.
 */
export function kobject_set_name(kobj: kobject, fmt: string, ...args: unknown[]): number {
  kobj.name = sprintf(fmt, ...args).replaceAll('/', '!');
  return 0;
}

/** `kobject_get_path`: the path below `/sys`, e.g. `/devices/virtual/misc/foxes`. */
export function kobject_get_path(kobj: kobject): string {
  const parts: string[] = [];
  for (let k: kobject | null = kobj; k; k = k.parent) parts.push(k.name);
  return `/${parts.reverse().join('/')}`;
}

function kobject_init_internal(kobj: kobject): void {
  kref_init(kobj.kref);
  kobj.state_in_sysfs = false;
  kobj.state_add_uevent_sent = false;
  kobj.state_remove_uevent_sent = false;
  kobj.state_initialized = true;
}

/** `kobject_init`: a count of 1 and a type; the kobject is not in sysfs yet. */
export function kobject_init(kobj: kobject, ktype: kobj_type | null): void {
  if (!ktype) {
    pr_err('kobject (%p): must have a ktype to be initialized properly!\n', kobj.ptr);
    dump_stack_lvl(KERN_ERR);
    return;
  }
  if (kobj.state_initialized) {
    pr_err(
      'kobject (%p): tried to init an initialized object, something is seriously wrong.\n',
      kobj.ptr,
    );
    dump_stack_lvl(KERN_ERR);
  }
  kobject_init_internal(kobj);
  kobj.ktype = ktype;
}

/** Joins the kset's list, holding a reference on the kset (`kobj_kset_join`). */
function kobj_kset_join(kobj: kobject): void {
  const k = kobj.kset;
  if (!k) return;
  kobject_get(k.kobj);
  k.list.push(kobj);
}

function kobj_kset_leave(kobj: kobject): void {
  const k = kobj.kset;
  if (!k) return;
  const i = k.list.indexOf(kobj);
  if (i >= 0) k.list.splice(i, 1);
  kobject_put(k.kobj);
}

function create_dir(kobj: kobject): number {
  const error = sysfs_create_dir_ns(kobj);
  if (error) return error;
  const groups = kobj.ktype?.default_groups;
  if (groups) {
    const err = sysfs_create_groups(kobj, groups);
    if (err) {
      sysfs_remove_dir(kobj);
      return err;
    }
  }
  return 0;
}

function kobject_add_internal(kobj: kobject): number {
  if (!kobj.name) {
    WARN(true, 'kobject: (%p): attempted to be registered with empty name!\n', kobj.ptr);
    return -EINVAL;
  }
  let parent = kobject_get(kobj.parent);
  if (kobj.kset) {
    if (!parent) parent = kobject_get(kobj.kset.kobj);
    kobj_kset_join(kobj);
    kobj.parent = parent;
  }
  const error = create_dir(kobj);
  if (error) {
    kobj_kset_leave(kobj);
    kobject_put(parent);
    kobj.parent = null;
    if (error === -EEXIST) {
      pr_err(
        "kobject_add_internal failed for %s with -EEXIST, don't try to register things with the same name in the same directory.\n",
        kobj.name,
      );
    } else {
      pr_err(
        'kobject_add_internal failed for %s (error: %d parent: %s)\n',
        kobj.name,
        error,
        parent ? parent.name : "'none'",
      );
    }
    return error;
  }
  kobj.state_in_sysfs = true;
  return 0;
}

/**
 * `kobject_add`: names `kobj` and creates its directory under `parent`
 * (under its kset's directory when `parent` is null and it has a kset, else
 * at the root). After a failure the caller still owns a reference and must
 * `kobject_put` it.
 */
export function kobject_add(
  kobj: kobject,
  parent: kobject | null,
  fmt: string,
  ...args: unknown[]
): number {
  if (!kobj.state_initialized) {
    pr_err(
      "kobject '%s' (%p): tried to add an uninitialized object, something is seriously wrong.\n",
      kobj.name,
      kobj.ptr,
    );
    dump_stack_lvl(KERN_ERR);
    return -EINVAL;
  }
  kobject_set_name(kobj, fmt, ...args);
  kobj.parent = parent;
  return kobject_add_internal(kobj);
}

/** `kobject_init_and_add`; on failure, `kobject_put` is still the caller's job. */
export function kobject_init_and_add(
  kobj: kobject,
  ktype: kobj_type,
  parent: kobject | null,
  fmt: string,
  ...args: unknown[]
): number {
  kobject_init(kobj, ktype);
  return kobject_add(kobj, parent, fmt, ...args);
}

/** `kobject_get`: takes a reference; returns `kobj` (null stays null). */
export function kobject_get<T extends kobject>(kobj: T | null): T | null {
  if (kobj) {
    if (!kobj.state_initialized) {
      WARN(
        true,
        "kobject: '%s' (%p): is not initialized, yet kobject_get() is being called.\n",
        kobj.name,
        kobj.ptr,
      );
    }
    kref_get(kobj.kref);
  }
  return kobj;
}

/** `kobject_get_unless_zero`: null when the kobject is already being released. */
export function kobject_get_unless_zero<T extends kobject>(kobj: T | null): T | null {
  if (!kobj) return null;
  return kref_get_unless_zero(kobj.kref) ? kobj : null;
}

/** The current count (what `kref_read(&kobj->kref)` reads). */
export function kobject_refcount(kobj: kobject): number {
  return kref_read(kobj.kref);
}

/** `__kobject_del`: the directory goes, the kset is left; the parent reference is the caller's. */
function __kobject_del(kobj: kobject): void {
  const groups = kobj.ktype?.default_groups;
  if (groups) sysfs_remove_groups(kobj, groups);
  if (kobj.state_add_uevent_sent && !kobj.state_remove_uevent_sent) {
    kobject_uevent(kobj, KOBJ_REMOVE);
  }
  sysfs_remove_dir(kobj);
  kobj.state_in_sysfs = false;
  kobj_kset_leave(kobj);
  kobj.parent = null;
}

/** `kobject_del`: unlinks `kobj` from sysfs and its kset; its last put still frees it. */
export function kobject_del(kobj: kobject | null): void {
  if (!kobj) return;
  const parent = kobj.parent;
  __kobject_del(kobj);
  kobject_put(parent);
}

function kobject_cleanup(kobj: kobject): void {
  let parent = kobj.parent;
  const t = kobj.ktype;
  if (kobj.state_in_sysfs) __kobject_del(kobj);
  else parent = null;
  if (t?.release) {
    t.release(kobj);
  } else {
    pr_debug(
      "kobject: '%s' (%p): does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.\n",
      kobj.name,
      kobj.ptr,
    );
  }
  kobject_put(parent);
}

/** `kobject_put`: drops a reference; the last one deletes (if needed) and releases `kobj`. */
export function kobject_put(kobj: kobject | null): void {
  if (!kobj) return;
  if (!kobj.state_initialized) {
    WARN(
      true,
      "kobject: '%s' (%p): is not initialized, yet kobject_put() is being called.\n",
      kobj.name,
      kobj.ptr,
    );
  }
  kref_put(kobj.kref, () => kobject_cleanup(kobj));
}

/**
 * `kobject_rename`: renames an added kobject's directory and sends a `move`
 * uevent with `DEVPATH_OLD`. `-EINVAL` without a parent, `-EEXIST` (from
 * sysfs) when the name is taken.
 */
export function kobject_rename(kobj: kobject, new_name: string): number {
  if (!kobject_get(kobj)) return -EINVAL;
  if (!kobj.parent) {
    kobject_put(kobj);
    return -EINVAL;
  }
  const devpath_old = `DEVPATH_OLD=${kobject_get_path(kobj)}`;
  const name = new_name.replaceAll('/', '!');
  const error = sysfs_rename_dir_ns(kobj, name);
  if (!error) {
    kobj.name = name;
    kobject_uevent_env(kobj, KOBJ_MOVE, [devpath_old]);
  }
  kobject_put(kobj);
  return error;
}

function dynamic_kobj_release(_kobj: kobject): void {}

/** `kobj_sysfs_ops`: dispatches to a {@link kobj_attribute}'s show/store, `-EIO` when absent. */
export const kobj_sysfs_ops: sysfs_ops = {
  show: (kobj, attr) => {
    const kattr = attr as kobj_attribute;
    return kattr.show ? kattr.show(kobj, kattr) : -EIO;
  },
  store: (kobj, attr, buf) => {
    const kattr = attr as kobj_attribute;
    return kattr.store ? kattr.store(kobj, kattr, buf) : -EIO;
  },
};

/** The type of kobjects made by {@link kobject_create}. */
export const dynamic_kobj_ktype: kobj_type = {
  release: dynamic_kobj_release,
  sysfs_ops: kobj_sysfs_ops,
};

/** `struct kobj_attribute`: an attribute of a plain kobject. */
export interface kobj_attribute extends attribute {
  show?: (kobj: kobject, attr: kobj_attribute) => string | number;
  store?: (kobj: kobject, attr: kobj_attribute, buf: string) => number;
}

/** `kobject_create`: an initialised kobject with a release function, not yet added. */
export function kobject_create(): kobject {
  const kobj = new kobject();
  kobject_init(kobj, dynamic_kobj_ktype);
  return kobj;
}

/**
 * `kobject_create_and_add`: a plain kobject (attributes are
 * {@link kobj_attribute}s) named `name` under `parent`, or null on failure.
 */
export function kobject_create_and_add(name: string, parent: kobject | null): kobject | null {
  const kobj = kobject_create();
  const retval = kobject_add(kobj, parent, '%s', name);
  if (retval) {
    pr_warn('%s: kobject_add error: %d\n', 'kobject_create_and_add', retval);
    kobject_put(kobj);
    return null;
  }
  return kobj;
}

/**
 * `struct kset`: a kobject that is also a set of kobjects (`kobj.kset`); a
 * member added without a parent goes in the kset's directory, and uevents of
 * members (and their children) are filtered and named by `uevent_ops`.
 */
export class kset {
  /** The members, in the order they were added. */
  readonly list: kobject[] = [];
  readonly kobj = new kobject();
  uevent_ops: kset_uevent_ops | null = null;
  constructor() {
    this.kobj.container = this;
  }
}

/** `to_kset()`: the kset a kset's kobject is embedded in. */
export function to_kset(kobj: kobject): kset | null {
  return kobj.container instanceof kset ? kobj.container : null;
}

/** `kset_init`. */
export function kset_init(k: kset): void {
  kobject_init_internal(k.kobj);
  k.list.length = 0;
}

/**
 * `kset_register`: initialises and adds a kset whose `kobj` has a name, a
 * ktype and maybe a parent/kset, and sends its `add` uevent.
 */
export function kset_register(k: kset): number {
  if (!k.kobj.ktype) {
    pr_err('must have a ktype to be initialized properly!\n');
    return -EINVAL;
  }
  kset_init(k);
  const err = kobject_add_internal(k.kobj);
  if (err) return err;
  kobject_uevent(k.kobj, KOBJ_ADD);
  return 0;
}

/** `kset_unregister`: deletes the kset's directory and drops the registration reference. */
export function kset_unregister(k: kset | null): void {
  if (!k) return;
  kobject_del(k.kobj);
  kobject_put(k.kobj);
}

/** `kset_find_obj`: the member named `name`, with a reference the caller must put. */
export function kset_find_obj(k: kset, name: string): kobject | null {
  for (const kobj of k.list) {
    if (kobj.name === name) {
      const found = kobject_get_unless_zero(kobj);
      if (found) return found;
    }
  }
  return null;
}

function kset_release(_kobj: kobject): void {}

/** The type of ksets made by {@link kset_create_and_add}. */
export const kset_ktype: kobj_type = { release: kset_release, sysfs_ops: kobj_sysfs_ops };

/**
 * `kset_create_and_add`: a kset named `name` under `parent_kobj` (the root
 * when null), or null on failure (`-EEXIST` prints the usual warnings).
 */
export function kset_create_and_add(
  name: string,
  uevent_ops: kset_uevent_ops | null,
  parent_kobj: kobject | null,
): kset | null {
  const k = new kset();
  kobject_set_name(k.kobj, '%s', name);
  k.uevent_ops = uevent_ops;
  k.kobj.parent = parent_kobj;
  k.kobj.ktype = kset_ktype;
  if (kset_register(k)) return null;
  return k;
}
