import { beforeEach, describe, expect, it } from 'vitest';
import { dmesg_records, printk_reset } from './printk.js';
import {
  ___ratelimit,
  DEFINE_RATELIMIT_STATE,
  dev_warn_once,
  pr_err_ratelimited,
  pr_info_once,
  ratelimit_reset,
} from './ratelimit.js';
import { sim_advance } from './time/timer.js';

const texts = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  printk_reset();
  ratelimit_reset();
});

function foxes_irq(): void {
  pr_err_ratelimited('foxes: FIFO overrun\n');
}

describe('ratelimit', () => {
  it('lets a burst through per interval and reports what it dropped', async () => {
    for (let i = 0; i < 25; i++) foxes_irq();
    expect(texts()).toHaveLength(10);
    await sim_advance(5100);
    foxes_irq();
    expect(texts().slice(10)).toEqual([
      'foxes_irq: 15 callbacks suppressed',
      'foxes: FIFO overrun',
    ]);
  });

  it('keeps one state per call site', () => {
    for (let i = 0; i < 12; i++) {
      pr_err_ratelimited('a\n');
      pr_err_ratelimited('b\n');
    }
    expect(texts().filter((t) => t === 'a')).toHaveLength(10);
    expect(texts().filter((t) => t === 'b')).toHaveLength(10);
  });

  it('never limits an interval of 0', () => {
    const rs = DEFINE_RATELIMIT_STATE(0, 1);
    expect([1, 2, 3].map(() => ___ratelimit(rs, 'f'))).toEqual([true, true, true]);
  });

  it('prints a _once message once per call site', () => {
    for (let i = 0; i < 3; i++) pr_info_once('foxes: %d\n', i);
    pr_info_once('foxes: other site\n');
    expect(texts()).toEqual(['foxes: 0', 'foxes: other site']);
  });

  it('prefixes the dev_ variants with the device', () => {
    const dev = { name: '9000000.gpio', driver_string: 'pl061_gpio' };
    for (let i = 0; i < 2; i++) dev_warn_once(dev, 'spurious irq %d\n', i);
    expect(texts()).toEqual(['pl061_gpio 9000000.gpio: spurious irq 0']);
  });
});
