import { beforeEach, describe, expect, it } from 'vitest';
import { read_ptr, write_ptr } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kzalloc } from '../mm/kmalloc.js';
import { kaddr_hex } from '../mm/layout.js';
import { panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import {
  INIT_LIST_HEAD,
  LIST_POISON1,
  LIST_POISON2,
  list_add,
  list_add_tail,
  list_del,
  list_del_init,
  list_empty,
  list_for_each,
} from './list.js';

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

const node = () => kzalloc(16, GFP_KERNEL);

describe('list_head', () => {
  it('links, orders and unlinks entries', () => {
    const head = node();
    INIT_LIST_HEAD(head);
    const [a, b, c] = [node(), node(), node()];
    list_add(a, head);
    list_add(b, head);
    list_add_tail(c, head);
    expect(list_for_each(head)).toEqual([b, a, c]);
    list_del(a);
    expect(list_for_each(head)).toEqual([b, c]);
    expect([read_ptr(a), read_ptr(a + 8)]).toEqual([LIST_POISON1, LIST_POISON2]);
    list_del_init(b);
    expect(list_empty(b)).toBe(true);
    list_del(c);
    expect(list_empty(head)).toBe(true);
    expect(dmesg()).toBe('');
  });

  it('refuses a list_add whose next does not point back', () => {
    const head = node();
    INIT_LIST_HEAD(head);
    const target = node();
    write_ptr(target, head);
    const bad = node();
    list_add(bad, head);
    expect(dmesg()).toContain(
      `list_add corruption. next->prev should be prev (${kaddr_hex(head)}), but was 0000000000000000. (next=${kaddr_hex(target)}).`,
    );
    expect(dmesg()).toContain('Call Trace:');
    expect([read_ptr(target), read_ptr(target + 8)]).toEqual([0, 0]);
  });

  it('refuses a list_del of a corrupted entry and reports a double del', () => {
    const head = node();
    INIT_LIST_HEAD(head);
    const item = node();
    list_add(item, head);
    const target = node();
    write_ptr(target, item);
    list_del(item);
    expect(dmesg()).toContain(
      `list_del corruption. next->prev should be ${kaddr_hex(item)}, but was 0000000000000000. (next=${kaddr_hex(target)})`,
    );
    printk_reset();
    const other = node();
    list_add(other, head);
    list_del(other);
    list_del(other);
    expect(dmesg()).toContain(
      `list_del corruption, ${kaddr_hex(other)}->next is LIST_POISON1 (0000000000000100)`,
    );
  });
});
