import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dev_warn,
  dmesg,
  dmesg_records,
  KERN_CONT,
  KERN_ERR,
  pr_cont,
  pr_info,
  pr_warn,
  printk,
  printk_reset,
  register_console,
  set_local_clock,
  set_log_buf_len,
} from './printk.js';
import { sprintf } from './vsprintf.js';

let now = 0;
beforeEach(() => {
  printk_reset();
  now = 0;
  set_local_clock(() => now);
});
afterEach(() => {
  printk_reset();
  set_local_clock(null);
});

describe('printk', () => {
  it('prefixes every line with the kernel timestamp', () => {
    now = 1_234_567_891;
    pr_info('foxes: loaded\nfoxes: second line\n');
    now = 12_345_000_000;
    pr_warn('foxes: %d left\n', 2);
    expect(dmesg()).toBe(
      '[    1.234567] foxes: loaded\n' +
        '[    1.234567] foxes: second line\n' +
        '[   12.345000] foxes: 2 left\n',
    );
  });

  it('stores the level and defaults to 4', () => {
    printk('no level\n');
    printk(`${KERN_ERR}error\n`);
    expect(dmesg_records().map((r) => r.level)).toEqual([4, 3]);
    expect(dmesg({ level: 3 })).toBe('[    0.000000] error\n');
  });

  it('continues an unterminated record with KERN_CONT', () => {
    pr_info('mode:');
    pr_cont(' 0x%x', 0xcc0);
    printk(`${KERN_CONT}(GFP_KERNEL)\n`);
    pr_cont('new record\n');
    expect(dmesg_records().map((r) => r.text)).toEqual(['mode: 0xcc0(GFP_KERNEL)', 'new record']);
  });

  it('prefixes dev_* messages with driver and device names', () => {
    dev_warn({ name: 'foxes', driver_string: 'misc' }, 'open by pid %d\n', 42);
    expect(dmesg()).toBe('[    0.000000] misc foxes: open by pid 42\n');
  });

  it('drops the oldest records when the buffer is full', () => {
    set_log_buf_len(20);
    pr_info('0123456789\n');
    pr_info('abcdefghij\n');
    pr_info('ABCDEFGHIJ\n');
    expect(dmesg_records().map((r) => [r.seq, r.text])).toEqual([
      [1, 'abcdefghij'],
      [2, 'ABCDEFGHIJ'],
    ]);
  });

  it('writes only records below console_loglevel to the console', () => {
    const lines: string[] = [];
    register_console((l) => lines.push(l));
    pr_info('shown\n');
    printk('\x017debug hidden\n');
    expect(lines).toEqual(['[    0.000000] shown']);
  });
});

describe('sprintf', () => {
  it('formats like vsnprintf', () => {
    expect(sprintf('%d %i %u', -1, 7, -1)).toBe('-1 7 4294967295');
    expect(sprintf('%lx %llu', -1, 2n ** 64n - 1n)).toBe('ffffffffffffffff 18446744073709551615');
    expect(sprintf('%#x %#o %X', 255, 8, 0xabc)).toBe('0xff 010 ABC');
    expect(sprintf('%-5d|%05d|%+d', 3, -42, 5)).toBe('3    |-0042|+5');
    expect(sprintf('%.3s|%*d|%c', 'abcdef', 4, 1, 65)).toBe('abc|   1|A');
    expect(sprintf('%s %pe %pS', null, -12, function kfree() {})).toBe('(null) -ENOMEM kfree');
    expect(sprintf('100%%')).toBe('100%');
  });
});
