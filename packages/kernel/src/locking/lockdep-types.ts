/**
 * lockdep's data: lock classes, the map every lock instance embeds, and the held-lock
 * records a task keeps (`include/linux/lockdep_types.h`).
 *
 * @module
 */

import type { StackCapture } from '../stacktrace.js';
import type { call_site } from './call-site.js';

/**
 * Identifies a lock class. The kernel uses the address of a static `struct lock_class_key`
 * placed by each `spin_lock_init()`/`mutex_init()` expansion, so every initialisation site
 * is its own class; here the key is made once per site (see `lockdep_site_key`).
 */
export class lock_class_key {
  /** The initialisation site the key stands for, `file:line:column`. */
  readonly site: string;
  constructor(site: string) {
    this.site = site;
  }
}

/** Wait types (`enum lockdep_wait_type`, !PREEMPT_RT, !PROVE_RAW_LOCK_NESTING). */
export const LD_WAIT_INV = 0;
export const LD_WAIT_FREE = 1;
export const LD_WAIT_SPIN = 2;
export const LD_WAIT_CONFIG = LD_WAIT_SPIN;
export const LD_WAIT_SLEEP = 3;

/** Usage bits of a class, per irq state (`lockdep_states.h`: HARDIRQ, SOFTIRQ). */
export const LOCK_USED_IN_HARDIRQ = 0;
export const LOCK_USED_IN_HARDIRQ_READ = 1;
export const LOCK_ENABLED_HARDIRQ = 2;
export const LOCK_ENABLED_HARDIRQ_READ = 3;
export const LOCK_USED_IN_SOFTIRQ = 4;
export const LOCK_USED_IN_SOFTIRQ_READ = 5;
export const LOCK_ENABLED_SOFTIRQ = 6;
export const LOCK_ENABLED_SOFTIRQ_READ = 7;
export const LOCK_USED = 8;
export const LOCK_USED_READ = 9;
export const LOCK_USAGE_READ_MASK = 1;
export const LOCK_USAGE_DIR_MASK = 2;

/** The names the reports use for the usage bits. */
export const usage_str: readonly string[] = [
  'IN-HARDIRQ-W',
  'IN-HARDIRQ-R',
  'HARDIRQ-ON-W',
  'HARDIRQ-ON-R',
  'IN-SOFTIRQ-W',
  'IN-SOFTIRQ-R',
  'SOFTIRQ-ON-W',
  'SOFTIRQ-ON-R',
  'INITIAL USE',
  'INITIAL READ USE',
];

/** One dependency edge: `class` was taken while the owner of the list was held. */
export interface lock_list {
  readonly class: lock_class;
  /** The stack that first took `class` while holding the other lock. */
  readonly trace: StackCapture;
}

/** A lock class: every lock initialised at one site (and subclass). */
export interface lock_class {
  readonly key: lock_class_key;
  readonly subclass: number;
  readonly name: string;
  /** >1 when another class already has this name; printed as `name#N`. */
  readonly name_version: number;
  readonly wait_type_inner: number;
  readonly wait_type_outer: number;
  usage_mask: number;
  readonly usage_traces: (StackCapture | undefined)[];
  /** Classes taken while this one was held, keyed by class. */
  readonly locks_after: Map<lock_class, lock_list>;
  /** Classes held when this one was taken: the reverse edges, for backward searches. */
  readonly locks_before: Map<lock_class, lock_list>;
}

/** What every lock instance embeds (`struct lockdep_map`). */
export interface lockdep_map {
  key: lock_class_key;
  name: string;
  readonly wait_type_inner: number;
  readonly wait_type_outer: number;
  /** The instance's address as `%px` prints it. */
  readonly addr: string;
  /** Registered classes per subclass, valid for `cache_gen`. */
  class_cache: (lock_class | undefined)[];
  cache_gen: number;
}

/** One lock a task holds (`struct held_lock`). */
export interface held_lock {
  readonly instance: lockdep_map;
  readonly class: lock_class;
  /** Where it was taken (`acquire_ip`): the caller's frame. */
  readonly acquire_ip: StackCapture;
  /** The acquisition's call site, while lock_acquire() runs (for full stacks). */
  site: call_site | undefined;
  /** 0 exclusive, 1 shared, 2 shared and recursive. */
  readonly read: number;
  readonly trylock: boolean;
  /** Whether lockdep checks dependencies of this acquisition (0 for rcu_read_lock). */
  readonly check: boolean;
  readonly hardirqs_off: boolean;
  /** Non-zero in hardirq/softirq context; dependencies never cross contexts. */
  readonly irq_context: number;
}
