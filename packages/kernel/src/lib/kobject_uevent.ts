/**
 * Uevents (lib/kobject_uevent.c): the `add`/`remove`/`change`/... messages the
 * kernel sends udev when kobjects come and go. There is no netlink socket in
 * the simulation; every event that would be sent is recorded, in order, and
 * {@link uevent_log} returns them (what `udevadm monitor --kernel` would show).
 *
 * An event goes out only for a kobject below a kset (the kset's `uevent_ops`
 * may filter it, name its subsystem and add variables), and never for a
 * kobject with `uevent_suppress` set, as in the kernel.
 *
 * @example
 * ```ts
 * import { kernel_kobj, KOBJ_CHANGE, kobject_create_and_add, kobject_put, kobject_uevent, sysfs_init, uevent_log, uevent_log_clear } from '@rfl/kernel';
 * # sysfs_init();
 * uevent_log_clear();
 * const fox = kobject_create_and_add('fox', kernel_kobj)!;
 * kobject_uevent(fox, KOBJ_CHANGE) // => -22
 * kobject_put(fox);
 * uevent_log() // => []
 * ```
 *
 * @module
 */

import { EINVAL, ENOMEM } from '../errno.js';
import { WARN } from '../panic.js';
import { pr_debug } from '../printk.js';
import { sprintf } from '../vsprintf.js';
import { type kobject, kobject_get_path } from './kobject.js';

/** `enum kobject_action`. */
export const KOBJ_ADD = 0;
export const KOBJ_REMOVE = 1;
export const KOBJ_CHANGE = 2;
export const KOBJ_MOVE = 3;
export const KOBJ_ONLINE = 4;
export const KOBJ_OFFLINE = 5;
export const KOBJ_BIND = 6;
export const KOBJ_UNBIND = 7;

const kobject_actions = ['add', 'remove', 'change', 'move', 'online', 'offline', 'bind', 'unbind'];

/** `UEVENT_NUM_ENVP` and `UEVENT_BUFFER_SIZE`: the limits of one event's variables. */
export const UEVENT_NUM_ENVP = 64;
export const UEVENT_BUFFER_SIZE = 2048;

/** `struct kobj_uevent_env`: the `KEY=value` variables of one event. */
export interface kobj_uevent_env {
  readonly envp: string[];
  /** Bytes used, each variable counting its terminating NUL. */
  buflen: number;
}

/** `struct kset_uevent_ops`. */
export interface kset_uevent_ops {
  /** Returns false (or 0) to drop the event. */
  filter?: (kobj: kobject) => boolean | number;
  /** The `SUBSYSTEM=` value; defaults to the kset's name. */
  name?: (kobj: kobject) => string | null;
  /** Adds variables with {@link add_uevent_var}; a nonzero return drops the event. */
  uevent?: (kobj: kobject, env: kobj_uevent_env) => number;
}

/** One recorded event. */
export interface uevent_record {
  readonly seqnum: number;
  /** `add`, `remove`, `change`, `move`, `online`, `offline`, `bind`, `unbind`. */
  readonly action: string;
  /** The kobject's path below /sys. */
  readonly devpath: string;
  readonly subsystem: string;
  /** Every variable, `ACTION=` first and `SEQNUM=` last, as udev receives them. */
  readonly envp: readonly string[];
}

let uevent_seqnum = 0;
let records: uevent_record[] = [];

/** Every uevent sent since the last {@link uevent_log_clear}, oldest first. */
export function uevent_log(): readonly uevent_record[] {
  return records;
}

/** Forgets the recorded events (the sequence number keeps counting, as in the kernel). */
export function uevent_log_clear(): void {
  records = [];
}

/** `/sys/kernel/uevent_seqnum`: the number of the last event sent. */
export function uevent_seqnum_read(): number {
  return uevent_seqnum;
}

/**
 * `add_uevent_var`: appends `KEY=value`. `-ENOMEM` with a warning when the
 * event has too many variables or they no longer fit its buffer.
 */
export function add_uevent_var(env: kobj_uevent_env, fmt: string, ...args: unknown[]): number {
  if (env.envp.length >= UEVENT_NUM_ENVP) {
    WARN(true, 'add_uevent_var: too many keys\n');
    return -ENOMEM;
  }
  const v = sprintf(fmt, ...args);
  const len = Buffer.byteLength(v) + 1;
  if (env.buflen + len > UEVENT_BUFFER_SIZE) {
    WARN(true, 'add_uevent_var: buffer size too small\n');
    return -ENOMEM;
  }
  env.envp.push(v);
  env.buflen += len;
  return 0;
}

/**
 * `kobject_uevent_env`: sends `action` for `kobj` with extra variables.
 * Returns 0 (also when the kset filtered the event out or it is suppressed)
 * or `-EINVAL` when no kset is found above `kobj`.
 */
export function kobject_uevent_env(
  kobj: kobject,
  action: number,
  envp_ext: readonly string[] = [],
): number {
  const action_string = kobject_actions[action];
  if (action_string === undefined) return -EINVAL;
  let top: kobject = kobj;
  while (!top.kset && top.parent) top = top.parent;
  const kset = top.kset;
  // The kernel's pr_debug here is compiled out by default; the boot's
  // top-level ksets would log it on every sysfs_init().
  if (!kset) return -EINVAL;
  const ops = kset.uevent_ops;
  if (kobj.uevent_suppress) return 0;
  if (ops?.filter && !ops.filter(kobj)) return 0;
  const subsystem = ops?.name ? ops.name(kobj) : kset.kobj.name;
  if (!subsystem) return 0;
  const devpath = kobject_get_path(kobj);
  const env: kobj_uevent_env = { envp: [], buflen: 0 };
  let retval =
    add_uevent_var(env, 'ACTION=%s', action_string) ||
    add_uevent_var(env, 'DEVPATH=%s', devpath) ||
    add_uevent_var(env, 'SUBSYSTEM=%s', subsystem);
  for (const v of envp_ext) retval ||= add_uevent_var(env, '%s', v);
  if (retval) return retval;
  if (ops?.uevent) {
    retval = ops.uevent(kobj, env);
    if (retval) {
      pr_debug(
        "kobject: '%s' (%p): %s: uevent() returned %d\n",
        kobj.name,
        kobj.ptr,
        'kobject_uevent_env',
        retval,
      );
      return retval;
    }
  }
  if (action === KOBJ_ADD) kobj.state_add_uevent_sent = true;
  else if (action === KOBJ_REMOVE) kobj.state_remove_uevent_sent = true;
  uevent_seqnum += 1;
  retval = add_uevent_var(env, 'SEQNUM=%d', uevent_seqnum);
  if (retval) return retval;
  records.push({
    seqnum: uevent_seqnum,
    action: action_string,
    devpath,
    subsystem,
    envp: env.envp,
  });
  return 0;
}

/** `kobject_uevent`: {@link kobject_uevent_env} without extra variables. */
export function kobject_uevent(kobj: kobject, action: number): number {
  return kobject_uevent_env(kobj, action);
}

/** Resets the event log and the sequence number (part of `sysfs_init()`). */
export function uevent_reset(): void {
  records = [];
  uevent_seqnum = 0;
}
