/**
 * Doubly linked lists (`include/linux/list.h`) with CONFIG_DEBUG_LIST's
 * checks (`lib/list_debug.c`). A `struct list_head` lives in simulated memory
 * — 16 bytes, `next` at offset 0 and `prev` at 8 — and is embedded in the
 * structure it links, so a list node is an address and every link is loaded
 * and stored through the memory accessors (KASAN sees them).
 *
 * Before linking or unlinking, the neighbours are checked: a pointer that
 * does not point back is memory corruption (or an exploit's write-what-where),
 * reported as `list_add corruption. …` / `list_del corruption. …` with a
 * WARN, and the operation is skipped, as CHECK_DATA_CORRUPTION does without
 * CONFIG_BUG_ON_DATA_CORRUPTION. Deleted entries are poisoned with
 * `LIST_POISON1`/`LIST_POISON2` (the simulation's `POISON_POINTER_DELTA` is 0).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, INIT_LIST_HEAD, kmalloc, list_add_tail, list_del, list_empty, list_for_each } from '@rfl/kernel';
 * const head = kmalloc(16, GFP_KERNEL);
 * INIT_LIST_HEAD(head);
 * const a = kmalloc(16, GFP_KERNEL);
 * const b = kmalloc(16, GFP_KERNEL);
 * list_add_tail(a, head);
 * list_add_tail(b, head);
 * list_for_each(head).map((n) => n === a ? 'a' : 'b') // => ['a', 'b']
 * list_del(a);
 * list_del(b);
 * list_empty(head) // => true
 * ```
 *
 * @module
 */

import { read_ptr, write_ptr } from '../mm/access.js';
import { WARN } from '../panic.js';

/** `sizeof(struct list_head)`. */
export const LIST_HEAD_SIZE = 16;
/** What `list_del` leaves in `next` (`LIST_POISON1`). */
export const LIST_POISON1 = 0x100;
/** What `list_del` leaves in `prev` (`LIST_POISON2`). */
export const LIST_POISON2 = 0x122;

const next_of = (entry: number) => read_ptr(entry);
const prev_of = (entry: number) => read_ptr(entry + 8);
const set_next = (entry: number, v: number) => write_ptr(v, entry);
const set_prev = (entry: number, v: number) => write_ptr(v, entry + 8);

/** Makes `list` an empty list: it points to itself (`INIT_LIST_HEAD`). */
export function INIT_LIST_HEAD(list: number): void {
  set_next(list, list);
  set_prev(list, list);
}

/** Whether linking `entry` between `prev` and `next` is safe; a WARN if not (`__list_add_valid`). */
export function __list_add_valid_or_report(entry: number, prev: number, next: number): boolean {
  const report = list_add_corruption(entry, prev, next);
  if (report === null) return true;
  // CHECK_DATA_CORRUPTION without CONFIG_BUG_ON_DATA_CORRUPTION: a WARN.
  WARN(true, ...report);
  return false;
}

/** Whether unlinking `entry` is safe; a WARN if not (`__list_del_entry_valid`). */
export function __list_del_entry_valid_or_report(entry: number): boolean {
  const report = list_del_corruption(entry);
  if (report === null) return true;
  WARN(true, ...report);
  return false;
}

type report = [string, ...unknown[]];

function list_add_corruption(entry: number, prev: number, next: number): report | null {
  if (prev === 0) return ['list_add corruption. prev is NULL.\n'];
  if (next === 0) return ['list_add corruption. next is NULL.\n'];
  if (prev_of(next) !== prev) {
    return [
      'list_add corruption. next->prev should be prev (%px), but was %px. (next=%px).\n',
      prev,
      prev_of(next),
      next,
    ];
  }
  if (next_of(prev) !== next) {
    return [
      'list_add corruption. prev->next should be next (%px), but was %px. (prev=%px).\n',
      next,
      next_of(prev),
      prev,
    ];
  }
  if (entry === prev || entry === next) {
    return ['list_add double add: new=%px, prev=%px, next=%px.\n', entry, prev, next];
  }
  return null;
}

function list_del_corruption(entry: number): report | null {
  const prev = prev_of(entry);
  const next = next_of(entry);
  if (next === 0) return ['list_del corruption, %px->next is NULL\n', entry];
  if (prev === 0) return ['list_del corruption, %px->prev is NULL\n', entry];
  if (next === LIST_POISON1) {
    return ['list_del corruption, %px->next is LIST_POISON1 (%px)\n', entry, LIST_POISON1];
  }
  if (prev === LIST_POISON2) {
    return ['list_del corruption, %px->prev is LIST_POISON2 (%px)\n', entry, LIST_POISON2];
  }
  if (next_of(prev) !== entry) {
    return [
      'list_del corruption. prev->next should be %px, but was %px. (prev=%px)\n',
      entry,
      next_of(prev),
      prev,
    ];
  }
  if (prev_of(next) !== entry) {
    return [
      'list_del corruption. next->prev should be %px, but was %px. (next=%px)\n',
      entry,
      prev_of(next),
      next,
    ];
  }
  return null;
}

function __list_add(entry: number, prev: number, next: number): void {
  if (!__list_add_valid_or_report(entry, prev, next)) return;
  set_prev(next, entry);
  set_next(entry, next);
  set_prev(entry, prev);
  set_next(prev, entry);
}

/** Inserts `entry` right after `head` (a stack push). */
export function list_add(entry: number, head: number): void {
  __list_add(entry, head, next_of(head));
}

/** Inserts `entry` right before `head` (a queue append). */
export function list_add_tail(entry: number, head: number): void {
  __list_add(entry, prev_of(head), head);
}

function __list_del_entry(entry: number): void {
  if (!__list_del_entry_valid_or_report(entry)) return;
  const prev = prev_of(entry);
  const next = next_of(entry);
  set_prev(next, prev);
  set_next(prev, next);
}

/** Unlinks `entry` and poisons its pointers (`list_del`). */
export function list_del(entry: number): void {
  __list_del_entry(entry);
  set_next(entry, LIST_POISON1);
  set_prev(entry, LIST_POISON2);
}

/** Unlinks `entry` and makes it an empty list again (`list_del_init`). */
export function list_del_init(entry: number): void {
  __list_del_entry(entry);
  INIT_LIST_HEAD(entry);
}

/** Whether the list at `head` is empty. */
export function list_empty(head: number): boolean {
  return next_of(head) === head;
}

/** The entries of the list at `head`, first to last (`list_for_each`). */
export function list_for_each(head: number): number[] {
  const out: number[] = [];
  for (let pos = next_of(head); pos !== head; pos = next_of(pos)) out.push(pos);
  return out;
}
