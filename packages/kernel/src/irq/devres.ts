/**
 * Managed interrupts (kernel/irq/devres.c): `devm_request_irq()` and
 * `devm_request_threaded_irq()` free the irq when the driver is unbound or its
 * probe fails, before the memory the handler uses goes (devres runs in reverse
 * order of registration).
 *
 * @module
 */

import { dev_name, type device } from '../base/device.js';
import { devm_add_action_or_reset, devm_release_action } from '../base/devres.js';
import { WARN_ON } from '../panic.js';
import { dev_err } from '../printk.js';
import type { irq_handler_t, irq_thread_fn_t } from './irqdesc.js';
import { free_irq, request_threaded_irq } from './manage.js';

interface irq_devres {
  readonly dev: device;
  readonly irq: number;
  readonly dev_id: unknown;
}

const registered = new WeakMap<device, irq_devres[]>();

function devm_irq_release(dr: irq_devres): void {
  const list = registered.get(dr.dev);
  const i = list?.indexOf(dr) ?? -1;
  if (i >= 0) list!.splice(i, 1);
  free_irq(dr.irq, dr.dev_id);
}

/**
 * `devm_request_threaded_irq()`: request_threaded_irq() undone at unbind. A
 * missing `devname` is the device's name. Returns 0 or a negative errno.
 */
export function devm_request_threaded_irq(
  dev: device,
  irq: number,
  handler: irq_handler_t | null | undefined,
  thread_fn: irq_thread_fn_t | null | undefined,
  irqflags: number,
  devname: string | null,
  dev_id: unknown,
): number {
  const name = devname ?? dev_name(dev);
  const rc = request_threaded_irq(irq, handler, thread_fn, irqflags, name, dev_id);
  if (rc) {
    dev_err(
      dev,
      'error %d: Failed to request %sinterrupt %u %s\n',
      rc,
      thread_fn ? 'threaded ' : '',
      irq,
      name,
    );
    return rc;
  }
  const dr: irq_devres = { dev, irq, dev_id };
  const list = registered.get(dev) ?? [];
  list.push(dr);
  registered.set(dev, list);
  return devm_add_action_or_reset(dev, devm_irq_release, dr);
}

/** `devm_request_irq()`. */
export function devm_request_irq(
  dev: device,
  irq: number,
  handler: irq_handler_t,
  irqflags: number,
  devname: string | null,
  dev_id: unknown,
): number {
  return devm_request_threaded_irq(dev, irq, handler, undefined, irqflags, devname, dev_id);
}

/** `devm_free_irq()`: frees a devm-requested irq now. */
export function devm_free_irq(dev: device, irq: number, dev_id: unknown): void {
  const dr = registered.get(dev)?.find((d) => d.irq === irq && d.dev_id === dev_id);
  if (WARN_ON(dr === undefined)) return;
  devm_release_action(dev, devm_irq_release, dr!);
}
