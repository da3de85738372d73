import {
  amba_driver_register,
  amba_driver_unregister,
  dmesg,
  EINVAL,
  free_irq,
  type gpio_desc,
  gpio_device_get_desc,
  gpio_device_list,
  gpiod_direction_input,
  gpiod_direction_output,
  gpiod_free,
  gpiod_get_direction,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_value,
  gpiod_to_irq,
  IRQ_HANDLED,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_LOW,
  IRQF_TRIGGER_RISING,
  irq_set_irq_wake,
  irq_to_desc,
  mm_init,
  request_irq,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pl061_kernel_reset, pl061_listen } from '../functional/kernel.js';
import { type pl061_board, pl061_board_add, pl061_board_remove } from '../hw/board.js';
import { pl061_access_string } from '../hw/regs.js';
import { pl061_gpio_driver } from './gpio-pl061.js';

let board: pl061_board;
let bound: boolean;

beforeEach(async () => {
  pl061_kernel_reset({ kasan: true });
  const b = await pl061_board_add({ phys: 0xfeb00000, hwirq: 7 });
  if (typeof b === 'number') throw new Error(`pl061_board_add: ${b}`);
  board = b;
  expect(await amba_driver_register(pl061_gpio_driver)).toBe(0);
  bound = true;
});

afterEach(async () => {
  // No test here should make the kernel complain: no lockdep splat, WARN or BUG.
  expect(dmesg()).not.toMatch(/WARNING|BUG|possible|inconsistent|immutable/);
  if (bound) await amba_driver_unregister(pl061_gpio_driver);
  await pl061_board_remove(board);
  mm_init({ quiet: true });
});

/** The requested line `offset` of the PL061's gpio_device. */
function line(offset: number, label = 'test'): gpio_desc {
  const gdev = gpio_device_list().find((g) => g.label === 'feb00000.pl061');
  if (gdev === undefined) throw new Error('no gpiochip for the PL061');
  const desc = gpio_device_get_desc(gdev, offset);
  expect(gpiod_request(desc, label)).toBe(0);
  return desc;
}

/** The bus trace of `fn`, one access per line. */
function trace(fn: () => void): string[] {
  board.model.trace();
  fn();
  const out = board.model.accesses().map(pl061_access_string);
  board.model.trace(false);
  return out;
}

describe('probe', () => {
  it('registers an 8-line gpiochip named after the device, with interrupts off', () => {
    expect(dmesg()).toContain('pl061_gpio feb00000.pl061: PL061 GPIO chip registered');
    const gdev = gpio_device_list()[0]!;
    expect([gdev.label, gdev.ngpio, gdev.base]).toEqual(['feb00000.pl061', 8, 512]);
    expect(board.model.registers().ie).toBe(0);
  });

  it('unbinding removes the gpiochip (devm_gpiochip_add_data)', async () => {
    await amba_driver_unregister(pl061_gpio_driver);
    bound = false;
    expect(gpio_device_list()).toEqual([]);
  });
});

describe('gpio_chip operations', () => {
  it('direction_output writes the value, sets GPIODIR, writes the value again', () => {
    const led = line(1, 'led');
    const ops = trace(() => expect(gpiod_direction_output(led, 1)).toBe(0));
    expect(ops).toEqual([
      'W GPIODATA[0x02] 0x02',
      'R GPIODIR 0x00',
      'W GPIODIR 0x02',
      'W GPIODATA[0x02] 0x02',
    ]);
    expect(board.led(1).on).toBe(true);
    gpiod_free(led);
  });

  it('set and get go through the address mask, one line at a time, without a lock', () => {
    const led = line(1, 'led');
    const button = line(0, 'button');
    board.led(1);
    gpiod_direction_output(led, 0);
    expect(trace(() => gpiod_set_value(led, 1))).toEqual(['W GPIODATA[0x02] 0x02']);
    board.button(0).press();
    expect(trace(() => expect(gpiod_get_value(button)).toBe(1))).toEqual(['R GPIODATA[0x01] 0x01']);
    board.button(0).release();
    expect(gpiod_get_value(button)).toBe(0);
    expect(board.led(1).history).toEqual([true]);
    gpiod_free(led);
    gpiod_free(button);
  });

  it('get_direction reads GPIODIR; direction_input clears the bit', () => {
    const l = line(5);
    expect(gpiod_direction_output(l, 1)).toBe(0);
    expect(gpiod_get_direction(l)).toBe(0);
    expect(trace(() => gpiod_direction_input(l))).toEqual(['R GPIODIR 0x20', 'W GPIODIR 0x00']);
    expect(board.level(5)).toBe(false);
    gpiod_free(l);
  });
});

describe('interrupts', () => {
  /** Requests the irq of `desc` with `flags`; returns the events seen and the irq. */
  function listen(desc: gpio_desc, flags: number, handler?: () => void) {
    const r = pl061_listen(desc, flags, 'pl061-test', handler);
    expect(r.irq).toBeGreaterThan(0);
    return r;
  }

  it('rising edge: set_type programs IS/IBE/IEV; a press interrupts once, a release not', () => {
    const b = line(0);
    gpiod_direction_input(b);
    const { events, irq, ret } = listen(b, IRQF_TRIGGER_RISING);
    expect(ret).toBe(0);
    const regs = board.model.registers();
    expect([regs.is, regs.ibe, regs.iev & 1, regs.ie & 1]).toEqual([0, 0, 1, 1]);
    board.button(0).press();
    board.button(0).release();
    board.button(0).click();
    expect(events).toEqual([irq, irq]);
    expect(board.model.registers().ris).toBe(0);
    free_irq(irq, events);
    expect(board.model.registers().ie).toBe(0);
    gpiod_free(b);
  });

  it('falling edge interrupts on the release', () => {
    const b = line(2);
    const { events, irq } = listen(b, IRQF_TRIGGER_FALLING);
    board.button(2).press();
    expect(events).toEqual([]);
    board.button(2).release();
    expect(events).toEqual([irq]);
    free_irq(irq, events);
    gpiod_free(b);
  });

  it('both edges set GPIOIBE and interrupt on press and release', () => {
    const b = line(3);
    const { events, irq } = listen(b, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING);
    expect(board.model.registers().ibe).toBe(0b1000);
    board.button(3).click();
    expect(events).toEqual([irq, irq]);
    free_irq(irq, events);
    gpiod_free(b);
  });

  it('a high level interrupts until the level goes away', () => {
    const b = line(4);
    let left = 3;
    // The "device" behind the line keeps it high for three interrupts.
    const { events, irq } = listen(b, IRQF_TRIGGER_HIGH, () => {
      if (--left === 0) board.button(4).release();
    });
    const regs = board.model.registers();
    expect([regs.is, regs.iev]).toEqual([0b1_0000, 0b1_0000]);
    board.button(4).press();
    expect(events).toEqual([irq, irq, irq]);
    free_irq(irq, events);
    gpiod_free(b);
  });

  it('a low level interrupts at once on a line that is low', () => {
    const b = line(6);
    const { events, irq } = listen(b, IRQF_TRIGGER_LOW, () => board.drive(6, true));
    expect(events).toEqual([irq]);
    expect(board.model.registers().is).toBe(0b100_0000);
    free_irq(irq, events);
    gpiod_free(b);
  });

  it('masked lines stay quiet: only the line whose irq is requested interrupts', () => {
    const a = line(0);
    const b = line(1);
    const { events, irq } = listen(a, IRQF_TRIGGER_RISING);
    board.button(1).click();
    board.button(0).click();
    expect(events).toEqual([irq]);
    expect(board.model.registers().ie).toBe(1);
    free_irq(irq, events);
    gpiod_free(a);
    gpiod_free(b);
  });

  it('set_wake arms the parent interrupt as a wake-up source', () => {
    const b = line(0);
    const irq = gpiod_to_irq(b);
    expect(irq_set_irq_wake(irq, 1)).toBe(0);
    expect([irq_to_desc(irq)!.irq_data.wakeup, irq_to_desc(board.irq)!.irq_data.wakeup]).toEqual([
      true,
      true,
    ]);
    expect(irq_set_irq_wake(irq, 0)).toBe(0);
    expect(irq_to_desc(board.irq)!.irq_data.wakeup).toBe(false);
    gpiod_free(b);
  });

  it('refuses level and edge at once, with the driver message', () => {
    const b = line(0);
    const { ret } = listen(b, IRQF_TRIGGER_HIGH | IRQF_TRIGGER_RISING);
    expect(ret).toBe(-EINVAL);
    expect(dmesg()).toContain(
      'pl061_gpio feb00000.pl061: trying to configure line 0 for both level and edge detection, choose one!',
    );
    gpiod_free(b);
  });
});

describe('power management', () => {
  it('suspend saves DIR/IS/IBE/IEV/IE and the outputs; resume restores them after a power loss', async () => {
    const led = line(1, 'led');
    const b = line(0, 'button');
    board.led(1);
    gpiod_direction_output(led, 1);
    const { irq } = (() => {
      const irq = gpiod_to_irq(b);
      request_irq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'btn', null);
      return { irq };
    })();
    const before = board.model.registers();
    const pm = pl061_gpio_driver.drv.pm!;
    expect(await pm.suspend!(board.adev.dev)).toBe(0);
    board.power_loss();
    expect(board.led(1).on).toBe(false);
    expect(await pm.resume!(board.adev.dev)).toBe(0);
    const after = board.model.registers();
    expect(after).toEqual(before);
    expect(board.led(1).history).toEqual([true, false, true]);
    free_irq(irq, null);
    gpiod_free(led);
    gpiod_free(b);
  });
});
