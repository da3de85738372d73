import { beforeEach, describe, expect, it } from 'vitest';
import { ENOENT, ENOMEM } from '../errno.js';
import { readl, writel } from '../mm/access.js';
import { failslab, set_fail_nth } from '../mm/fault-inject.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { ksize, ZERO_SIZE_PTR } from '../mm/kmalloc.js';
import { kmemleak_enable, kmemleak_scan } from '../mm/kmemleak.js';
import { kaddr_hex } from '../mm/layout.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear, dmesg_records } from '../printk.js';
import { dev_set_name, device, device_initialize, put_device } from './device.js';
import {
  DEVRES_NODE_SIZE,
  devm_add_action,
  devm_add_action_or_reset,
  devm_kcalloc,
  devm_kfree,
  devm_kmalloc,
  devm_kzalloc,
  devm_release_action,
  devm_remove_action,
  devres_add,
  devres_alloc,
  devres_count,
  devres_destroy,
  devres_find,
  devres_free,
  devres_names,
  devres_release,
  devres_release_all,
  devres_remove,
  devres_set_log,
} from './devres.js';
import { driver_init } from './init.js';

let dev: device;

beforeEach(() => {
  mm_init({ quiet: true });
  driver_init();
  panic_reset();
  dmesg_clear();
  dev = new device();
  device_initialize(dev);
  dev_set_name(dev, 'fox0');
  dev.release = () => {};
});

function warnings(): number {
  return dmesg_records().filter((r) => r.text.startsWith('WARNING:')).length;
}

describe('devres records', () => {
  it('finds, removes, destroys and releases by release function and match', () => {
    const released: number[] = [];
    const fox_release = (_d: device, res: number) => void released.push(readl(res));
    const a = devres_alloc(fox_release, 4, GFP_KERNEL);
    const b = devres_alloc(fox_release, 4, GFP_KERNEL);
    writel(1, a);
    writel(2, b);
    devres_add(dev, a);
    devres_add(dev, b);
    // The newest one first, or the one the match picks.
    expect(devres_find(dev, fox_release)).toBe(b);
    expect(devres_find(dev, fox_release, (_d, res, want) => readl(res) === want, 1)).toBe(a);
    expect(devres_remove(dev, fox_release, (_d, res) => res === a)).toBe(a);
    expect(devres_count(dev)).toBe(1);
    devres_free(a);
    expect(devres_release(dev, fox_release)).toBe(0);
    expect(released).toEqual([2]);
    expect(devres_destroy(dev, fox_release)).toBe(-ENOENT);
    expect(devres_release(dev, fox_release)).toBe(-ENOENT);
  });

  it('a record is one allocation: the 40-byte header, then the data', () => {
    const p = devm_kmalloc(dev, 100, GFP_KERNEL);
    expect(ksize(p - DEVRES_NODE_SIZE)).toBe(192);
  });

  it('freeing a record that is still on a list warns', () => {
    const r = devres_alloc(() => {}, 8, GFP_KERNEL);
    devres_add(dev, r);
    devres_free(r);
    expect(warnings()).toBe(1);
  });

  it('devres.log prints every add and release', () => {
    devres_set_log(true);
    const p = devm_kzalloc(dev, 16, GFP_KERNEL);
    devres_release_all(dev);
    const hex = kaddr_hex(p);
    expect(dmesg_records().map((r) => r.text)).toEqual([
      ` fox0: DEVRES ADD ${hex} devm_kzalloc_release (16 bytes)`,
      ` fox0: DEVRES REL ${hex} devm_kzalloc_release (16 bytes)`,
    ]);
  });
});

describe('devm actions', () => {
  it('run newest first on release, each once', () => {
    const order: string[] = [];
    const off = (what: string) => void order.push(what);
    devm_add_action(dev, off, 'clock');
    devm_add_action(dev, off, 'regulator');
    devm_add_action(dev, off, 'irq');
    expect(devres_names(dev)).toEqual(['off', 'off', 'off']);
    expect(devres_release_all(dev)).toBe(3);
    expect(order).toEqual(['irq', 'regulator', 'clock']);
    expect(devres_release_all(dev)).toBe(0);
    expect(order).toHaveLength(3);
  });

  it('devm_remove_action forgets one without running it; devm_release_action runs it now', () => {
    const order: string[] = [];
    const off = (what: string) => void order.push(what);
    devm_add_action(dev, off, 'a');
    devm_add_action(dev, off, 'b');
    devm_add_action(dev, off, 'c');
    devm_remove_action(dev, off, 'b');
    devm_release_action(dev, off, 'c');
    expect(order).toEqual(['c']);
    devres_release_all(dev);
    expect(order).toEqual(['c', 'a']);
    expect(warnings()).toBe(0);
    devm_remove_action(dev, off, 'b');
    expect(warnings()).toBe(1);
  });

  it('devm_add_action_or_reset runs the action when it cannot register it', () => {
    const order: string[] = [];
    failslab.ignore_gfp_reclaim = false;
    set_fail_nth(1);
    expect(
      devm_add_action_or_reset(dev, (what: string) => void order.push(what), 'power off'),
    ).toBe(-ENOMEM);
    expect(order).toEqual(['power off']);
    expect(devres_count(dev)).toBe(0);
    expect(dmesg()).toContain('FAULT_INJECTION: forcing a failure.');
  });

  it('a release that adds a resource does not run forever', () => {
    const order: string[] = [];
    devm_add_action(
      dev,
      () => {
        order.push('first');
        devm_add_action(dev, () => void order.push('late'), null);
      },
      null,
    );
    expect(devres_release_all(dev)).toBe(1);
    expect(order).toEqual(['first']);
    expect(devres_count(dev)).toBe(1);
  });
});

describe('devm memory', () => {
  it('devm_kzalloc is zeroed, devm_kcalloc checks for overflow, 0 bytes is ZERO_SIZE_PTR', () => {
    const p = devm_kzalloc(dev, 64, GFP_KERNEL);
    expect(readl(p + 60)).toBe(0);
    expect(devm_kcalloc(dev, 2 ** 31, 4, GFP_KERNEL)).toBe(0);
    expect(devm_kmalloc(dev, 0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    expect(devres_count(dev)).toBe(1);
  });

  it('devm_kfree frees early; freeing what the device does not own warns', () => {
    const p = devm_kzalloc(dev, 32, GFP_KERNEL);
    devm_kfree(dev, p);
    expect(devres_count(dev)).toBe(0);
    expect(warnings()).toBe(0);
    devm_kfree(dev, p);
    expect(warnings()).toBe(1);
  });

  it('memory used after its device let it go is a KASAN use-after-free', () => {
    mm_init({ quiet: true, kasan: true });
    dmesg_clear();
    const state = devm_kzalloc(dev, 32, GFP_KERNEL);
    writel(0xf0c5, state);
    devres_release_all(dev);
    readl(state);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free');
    mm_init({ quiet: true });
  });

  it('kmemleak counts devm memory as referenced by its device, and finds none after release', () => {
    kmemleak_enable();
    devm_kzalloc(dev, 48, GFP_KERNEL);
    devm_add_action(dev, () => {}, null);
    expect(kmemleak_scan()).toBe(0);
    put_device(dev);
    expect(kmemleak_scan()).toBe(0);
    expect(devres_count(dev)).toBe(0);
  });
});
