/**
 * Deferred probe (drivers/base/dd.c): a probe that returns `-EPROBE_DEFER` is missing
 * a supplier (a clock, a GPIO, a regulator). The device goes on the pending list, and
 * every time any driver binds to any device the list is retried from a work item
 * (`deferred_probe_work`) on `system_unbound_wq`; {@link wait_for_device_probe} waits
 * for that, {@link devices_deferred_show} lists who waits and why.
 *
 * @module
 */

import { ENOMEM, EPROBE_DEFER } from '../errno.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event, wake_up_all } from '../locking/wait.js';
import { dev_dbg, dev_err, dev_info } from '../printk.js';
import {
  flush_work,
  INIT_WORK,
  queue_work,
  system_unbound_wq,
  work_struct,
} from '../sched/workqueue.js';
import { sprintf } from '../vsprintf.js';
import { bus_probe_device } from './dd.js';
import { dev_name, type device, get_device, put_device } from './device.js';

/** The deferred-probe state (`deferred_probe_pending_list` and friends). */
const deferred = {
  pending: [] as device[],
  active: [] as device[],
  trigger_count: 0,
  /** `driver_deferred_probe_enable`: the kernel sets it at late_initcall. */
  enable: true,
  work: new work_struct(),
  /** Probes running now (`probe_count`), for wait_for_device_probe(). */
  probe_count: 0,
  probe_waitqueue: DECLARE_WAIT_QUEUE_HEAD(),
};

/** Forgets deferred devices and running probes; part of `driver_init()`. */
export function deferred_reset(): void {
  deferred.pending = [];
  deferred.active = [];
  deferred.trigger_count = 0;
  deferred.enable = true;
  deferred.work = new work_struct();
  INIT_WORK(deferred.work, deferred_probe_work_func, 'deferred_probe_work_func');
  deferred.probe_count = 0;
  deferred.probe_waitqueue = DECLARE_WAIT_QUEUE_HEAD();
}
deferred_reset();

async function deferred_probe_work_func(): Promise<void> {
  for (;;) {
    const dev = deferred.active.shift();
    if (!dev) return;
    dev.p.deferred = false;
    get_device(dev);
    dev.p.deferred_probe_reason = undefined;
    dev_dbg(dev, 'Retrying from deferred list\n');
    await bus_probe_device(dev);
    put_device(dev);
  }
}

/** Puts a device that could not probe yet on the pending list (`driver_deferred_probe_add()`). */
export function driver_deferred_probe_add(dev: device): void {
  if (!dev.can_match) return;
  if (!dev.p.deferred) {
    dev_dbg(dev, 'Added to deferred list\n');
    dev.p.deferred = true;
    deferred.pending.push(dev);
  }
}

/** Takes a device off the deferred lists (`driver_deferred_probe_del()`). */
export function driver_deferred_probe_del(dev: device): void {
  if (!dev.p.deferred) return;
  dev_dbg(dev, 'Removed from deferred list\n');
  for (const list of [deferred.pending, deferred.active]) {
    const i = list.indexOf(dev);
    if (i >= 0) list.splice(i, 1);
  }
  dev.p.deferred = false;
  dev.p.deferred_probe_reason = undefined;
}

/** Moves every pending device to the active list and queues the retry (`driver_deferred_probe_trigger()`). */
export function driver_deferred_probe_trigger(): void {
  if (!deferred.enable) return;
  deferred.trigger_count++;
  deferred.active.push(...deferred.pending);
  deferred.pending = [];
  queue_work(system_unbound_wq, deferred.work);
}

/**
 * The devices waiting for a retry, one line each: name, a tab, the reason
 * `dev_err_probe()` recorded with its newline (`/sys/kernel/debug/devices_deferred`).
 */
export function devices_deferred_show(): string {
  return deferred.pending
    .map((dev) => `${dev_name(dev)}\t${dev.p.deferred_probe_reason ?? '\n'}`)
    .join('');
}

/**
 * What the kernel does when `deferred_probe_timeout` expires after boot
 * (`deferred_probe_timeout_work_func()`): one last retry, then every device still
 * waiting is reported as `deferred probe pending: <reason>` at KERN_INFO. The machine
 * boot calls it once its drivers are registered.
 */
export async function deferred_probe_timeout_work_func(): Promise<void> {
  driver_deferred_probe_trigger();
  await flush_work(deferred.work);
  for (const dev of deferred.pending) {
    dev_info(
      dev,
      'deferred probe pending: %s',
      dev.p.deferred_probe_reason ?? '(reason unknown)\n',
    );
  }
}

/**
 * Waits until no probe runs and the deferred list has been retried
 * (`wait_for_device_probe()`).
 */
export async function wait_for_device_probe(): Promise<void> {
  await flush_work(deferred.work);
  await wait_event(deferred.probe_waitqueue, () => deferred.probe_count === 0);
}

/**
 * Reports a probe error and returns `err` (`dev_err_probe()`): `-EPROBE_DEFER` is
 * recorded as the deferral reason and logged at debug level only, `-ENOMEM` is not
 * logged (the allocator already was loud), anything else is
 * `error -EINVAL: <message>` at KERN_ERR.
 */
export function dev_err_probe(dev: device, err: number, fmt: string, ...args: unknown[]): number {
  const msg = sprintf(fmt, ...args);
  if (err === -EPROBE_DEFER) {
    dev.p.deferred_probe_reason = msg;
    dev_dbg(dev, 'error %pe: %s', err, msg);
  } else if (err !== -ENOMEM) {
    dev_err(dev, 'error %pe: %s', err, msg);
  }
  return err;
}

/**
 * Brackets a probe (`probe_count` and `deferred_trigger_count` in `driver_probe_device()`):
 * returns what {@link probe_end} needs to tell whether a driver bound meanwhile.
 */
export function probe_start(): number {
  deferred.probe_count++;
  return deferred.trigger_count;
}

/**
 * Ends a probe started at `trigger_count`; a deferral queues the device, and is retried
 * at once if another driver bound while it probed (its retry may have missed it).
 */
export function probe_end(dev: device, trigger_count: number, deferred_now: boolean): void {
  if (deferred_now) {
    driver_deferred_probe_add(dev);
    if (trigger_count !== deferred.trigger_count) driver_deferred_probe_trigger();
  }
  deferred.probe_count--;
  wake_up_all(deferred.probe_waitqueue);
}
