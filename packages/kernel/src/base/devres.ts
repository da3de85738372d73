/**
 * Managed device resources (drivers/base/devres.c).
 *
 * A driver registers a release function with its device instead of writing an error
 * path and a `remove()`: `devm_kzalloc()` memory, `devm_add_action()` callbacks and
 * any `devres_alloc()`ed record are released in reverse order when the driver is
 * unbound, when its probe fails, and (for what is left) when the device is released.
 *
 * The data is real kernel memory: a `devres_alloc(release, size)` is one kmalloc of a
 * 40-byte header (`struct devres_node`) followed by the caller's `size` bytes, so
 * KASAN sees a driver that keeps using `devm_kzalloc()` memory after its device was
 * unbound (the "devm_k*alloc() are a nightmare" bug: a file of the device still open
 * after unplug), and kmemleak treats what is on a device's list as referenced.
 *
 * @example
 * ```ts
 * import { device, device_initialize, devm_add_action, devres_release_all } from '@rfl/kernel';
 * const dev = new device();
 * device_initialize(dev);
 * const order: string[] = [];
 * devm_add_action(dev, (what) => order.push(String(what)), 'clock');
 * devm_add_action(dev, (what) => order.push(String(what)), 'regulator');
 * devres_release_all(dev) // => 2
 * order // => ['regulator', 'clock']
 * ```
 *
 * @module
 */

import { ENOENT, ENOMEM } from '../errno.js';
import { __GFP_ZERO, GFP_KERNEL, type gfp_t } from '../mm/gfp.js';
import { kfree, kmalloc, ZERO_SIZE_PTR } from '../mm/kmalloc.js';
import { kmemleak_not_leak } from '../mm/kmemleak.js';
import { WARN_ON } from '../panic.js';
import { dev_err } from '../printk.js';
import { type device, set_device_release_hook } from './device.js';

/** `sizeof(struct devres_node)` on 64-bit: list_head, release, name, size. */
export const DEVRES_NODE_SIZE = 40;

/** A release function: gets the device and the resource's data address (`dr_release_t`). */
export type dr_release_t = (dev: device, res: number) => void;
/** Decides whether a resource is the one looked for (`dr_match_t`). */
export type dr_match_t = (dev: device, res: number, match_data: unknown) => boolean;

/** One managed resource (`struct devres`): where its memory is and how to release it. */
export interface devres_node {
  readonly release: dr_release_t;
  /** The release function's name, as `devres_log` and the devres debugfs print it. */
  readonly name: string;
  /** Bytes of data after the header. */
  readonly size: number;
  /** The kmalloc'ed block (header + data). */
  readonly block: number;
  /** The address handed to the caller: `block + DEVRES_NODE_SIZE`. */
  readonly data: number;
  /** The device whose list holds it, null while it is not added. */
  dev: device | null;
  /** For `devm_add_action()`: the callback and its argument (`struct action_devres`). */
  action?: (data: unknown) => void;
  action_data?: unknown;
}

/** Every allocated resource by data address: what `container_of(res, struct devres, data)` finds. */
const resources = new Map<number, devres_node>();

/** `log_devres`: when set, every add and release is logged as `DEVRES ADD`/`DEVRES REL`. */
let log_devres = false;

/** Turns the `devres.log` debugging output on or off (the `devres.log` boot parameter). */
export function devres_set_log(on: boolean): void {
  log_devres = on;
}

function devres_log(dev: device, node: devres_node, op: string): void {
  if (log_devres) {
    dev_err(dev, 'DEVRES %3s %px %s (%d bytes)\n', op, node.data, node.name, node.size);
  }
}

/** Forgets every resource; part of `driver_init()`. */
export function devres_reset(): void {
  resources.clear();
  log_devres = false;
}

function alloc_dr(
  release: dr_release_t,
  size: number,
  gfp: gfp_t,
  name: string,
): devres_node | null {
  const block = kmalloc(DEVRES_NODE_SIZE + size, gfp);
  if (block === 0) return null;
  const node: devres_node = {
    release,
    name,
    size,
    block,
    data: block + DEVRES_NODE_SIZE,
    dev: null,
  };
  resources.set(node.data, node);
  return node;
}

function node_of(res: number): devres_node {
  const node = resources.get(res);
  if (!node)
    throw new TypeError(`devres: 0x${res.toString(16)} is not a devres_alloc()ed resource`);
  return node;
}

/**
 * Allocates a resource record with `size` bytes of data released by `release`
 * (`devres_alloc()`); returns the data's address, or 0 when memory is short.
 */
export function devres_alloc(release: dr_release_t, size: number, gfp: gfp_t): number {
  return alloc_dr(release, size, gfp, release.name || 'devres')?.data ?? 0;
}

/** Frees a resource that was never added, or was removed (`devres_free()`). */
export function devres_free(res: number): void {
  if (!res) return;
  const node = node_of(res);
  WARN_ON(node.dev !== null);
  resources.delete(res);
  kfree(node.block);
}

/** Puts a resource on the device's list (`devres_add()`). */
export function devres_add(dev: device, res: number): void {
  const node = node_of(res);
  node.dev = dev;
  dev.devres_head.push(node);
  // The device's list references it, as the kernel's list_head does.
  kmemleak_not_leak(node.block);
  devres_log(dev, node, 'ADD');
}

function find_dr(
  dev: device,
  release: dr_release_t,
  match: dr_match_t | null,
  match_data: unknown,
): devres_node | undefined {
  for (let i = dev.devres_head.length - 1; i >= 0; i--) {
    const node = dev.devres_head[i]!;
    if (node.release !== release) continue;
    if (match && !match(dev, node.data, match_data)) continue;
    return node;
  }
  return undefined;
}

/** The newest resource of `release` that `match` accepts (`devres_find()`); 0 when none. */
export function devres_find(
  dev: device,
  release: dr_release_t,
  match: dr_match_t | null = null,
  match_data: unknown = undefined,
): number {
  return find_dr(dev, release, match, match_data)?.data ?? 0;
}

/** Takes a resource off the list without releasing it (`devres_remove()`); 0 when none. */
export function devres_remove(
  dev: device,
  release: dr_release_t,
  match: dr_match_t | null = null,
  match_data: unknown = undefined,
): number {
  const node = find_dr(dev, release, match, match_data);
  if (!node) return 0;
  dev.devres_head.splice(dev.devres_head.indexOf(node), 1);
  node.dev = null;
  devres_log(dev, node, 'REM');
  return node.data;
}

/** Removes and frees a resource without calling its release (`devres_destroy()`); -ENOENT when none. */
export function devres_destroy(
  dev: device,
  release: dr_release_t,
  match: dr_match_t | null = null,
  match_data: unknown = undefined,
): number {
  const res = devres_remove(dev, release, match, match_data);
  if (!res) return -ENOENT;
  devres_free(res);
  return 0;
}

/** Removes a resource, calls its release and frees it (`devres_release()`); -ENOENT when none. */
export function devres_release(
  dev: device,
  release: dr_release_t,
  match: dr_match_t | null = null,
  match_data: unknown = undefined,
): number {
  const res = devres_remove(dev, release, match, match_data);
  if (!res) return -ENOENT;
  release(dev, res);
  devres_free(res);
  return 0;
}

/**
 * Releases every resource of the device, newest first (`devres_release_all()`), and
 * returns how many there were. The driver core calls it after `remove()`, after a
 * failed probe and when the device is released.
 */
export function devres_release_all(dev: device): number {
  // The list is taken off the device before the first release runs, as release_nodes()
  // does, so a release that adds a resource does not loop forever.
  const todo = dev.devres_head;
  dev.devres_head = [];
  for (let i = todo.length - 1; i >= 0; i--) {
    const node = todo[i]!;
    node.dev = null;
    devres_log(dev, node, 'REL');
    node.release(dev, node.data);
    resources.delete(node.data);
    kfree(node.block);
  }
  return todo.length;
}

set_device_release_hook(devres_release_all);

/** The number of resources on the device's list. */
export function devres_count(dev: device): number {
  return dev.devres_head.length;
}

/** The names of the device's resources, oldest first (the devres debugfs file). */
export function devres_names(dev: device): string[] {
  return dev.devres_head.map((n) => n.name);
}

/** `struct action_devres`: two pointers. */
const ACTION_DEVRES_SIZE = 16;

function devm_action_release(_dev: device, res: number): void {
  const node = resources.get(res)!;
  node.action!(node.action_data);
}

function devm_action_match(_dev: device, res: number, wanted: unknown): boolean {
  const node = resources.get(res)!;
  const w = wanted as { action: (data: unknown) => void; data: unknown };
  return node.action === w.action && node.action_data === w.data;
}

/**
 * Registers `action(data)` to run when the driver is unbound (`devm_add_action()`);
 * returns 0, or -ENOMEM without registering it.
 */
export function devm_add_action<T>(dev: device, action: (data: T) => void, data: T): number {
  const node = alloc_dr(
    devm_action_release,
    ACTION_DEVRES_SIZE,
    GFP_KERNEL,
    action.name || 'devm_action',
  );
  if (!node) return -ENOMEM;
  node.action = action as (data: unknown) => void;
  node.action_data = data;
  devres_add(dev, node.data);
  return 0;
}

/**
 * Like {@link devm_add_action}, but when registering fails runs `action(data)` at once
 * (`devm_add_action_or_reset()`), so the caller's error path has nothing to undo.
 */
export function devm_add_action_or_reset<T>(
  dev: device,
  action: (data: T) => void,
  data: T,
): number {
  const ret = devm_add_action(dev, action, data);
  if (ret) action(data);
  return ret;
}

/** Forgets a registered action without running it (`devm_remove_action()`); warns when there is none. */
export function devm_remove_action<T>(dev: device, action: (data: T) => void, data: T): void {
  WARN_ON(devres_destroy(dev, devm_action_release, devm_action_match, { action, data }));
}

/** Runs a registered action now and forgets it (`devm_release_action()`); warns when there is none. */
export function devm_release_action<T>(dev: device, action: (data: T) => void, data: T): void {
  WARN_ON(devres_release(dev, devm_action_release, devm_action_match, { action, data }));
}

// The kernel names it devm_kzalloc_release for history: devm memory began as kzalloc only.
function devm_kzalloc_release(_dev: device, _res: number): void {}

function devm_kmalloc_match(_dev: device, res: number, p: unknown): boolean {
  return res === p;
}

/**
 * Allocates `size` bytes freed when the driver is unbound (`devm_kmalloc()`); returns
 * the address, `ZERO_SIZE_PTR` for 0 bytes, or 0 when memory is short.
 */
export function devm_kmalloc(dev: device, size: number, gfp: gfp_t): number {
  if (size === 0) return ZERO_SIZE_PTR;
  const node = alloc_dr(devm_kzalloc_release, size, gfp, 'devm_kzalloc_release');
  if (!node) return 0;
  devres_add(dev, node.data);
  return node.data;
}

/** Zeroed {@link devm_kmalloc} (`devm_kzalloc()`). */
export function devm_kzalloc(dev: device, size: number, gfp: gfp_t): number {
  return devm_kmalloc(dev, size, gfp | __GFP_ZERO);
}

/** `n` zeroed elements of `size` bytes (`devm_kcalloc()`); 0 when the product overflows. */
export function devm_kcalloc(dev: device, n: number, size: number, gfp: gfp_t): number {
  const bytes = n * size;
  if (!Number.isSafeInteger(bytes) || bytes > 0xffffffff) return 0;
  return devm_kmalloc(dev, bytes, gfp | __GFP_ZERO);
}

/** Frees devm memory before the driver is unbound (`devm_kfree()`); warns when `p` is not the device's. */
export function devm_kfree(dev: device, p: number): void {
  if (!p || p === ZERO_SIZE_PTR) return;
  WARN_ON(devres_destroy(dev, devm_kzalloc_release, devm_kmalloc_match, p));
}
