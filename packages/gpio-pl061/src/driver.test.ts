import {
  dmesg,
  EINVAL,
  ENODEV,
  free_irq,
  gpio_device_find_by_label,
  gpio_device_get_desc,
  gpiod_direction_input,
  gpiod_direction_output,
  gpiod_get_direction,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_value,
  gpiod_to_irq,
  hibernate,
  IRQ_HANDLED,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_RISING,
  irq_set_irq_type,
  PM_SUSPEND_MEM,
  pm_init,
  pm_suspend,
  register_syscore_ops,
  request_irq,
  sim_irq_line,
  sim_run_until_idle,
  sysfs_write,
  unregister_syscore_ops,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pl061_kernel_reset } from './functional/kernel.js';
import { pl061_safe_bench } from './functional/safe-bench.js';
import { type pl061_board, pl061_board_remove, pl061_board_unplug } from './hw/board.js';
import { PL061_GPIODIR, PL061_GPIOIE, PL061_GPIORIS } from './hw/regs.js';
import type * as amba from './safe/amba.js';

let board: pl061_board;
let reg: amba.Registration;

beforeEach(async () => {
  pl061_kernel_reset();
  ({ reg, board } = await pl061_safe_bench());
});

afterEach(async () => {
  // No test of the driver may leave a lockdep, KASAN or sleeping-in-atomic report behind.
  expect(dmesg()).not.toMatch(/BUG|WARNING|Oops|KASAN/);
  await reg.unregister();
  await pl061_board_remove(board);
});

function chip() {
  const gdev = gpio_device_find_by_label(board.adev.dev.name);
  if (gdev === null) throw new Error('no gpiochip');
  return gdev;
}

function line(offset: number, label = 'test') {
  const desc = gpio_device_get_desc(chip(), offset);
  expect(gpiod_request(desc, label)).toBe(0);
  return desc;
}

describe('the safe PL061 driver', () => {
  it('binds to the PL061 by its id and registers an 8-line chip named after the device', () => {
    expect(dmesg()).toContain('pl061_gpio feb00000.pl061: PL061 GPIO chip registered');
    expect(chip().ngpio).toBe(8);
    expect(dmesg()).not.toContain('not an immutable chip');
    expect(board.adev.dev.driver?.name).toBe('pl061_gpio');
  });

  it('drives the LED with the direction_output sequence and set', () => {
    const lamp = board.led(1);
    const led = line(1);
    expect(gpiod_direction_output(led, 1)).toBe(0);
    expect(board.led(1).on).toBe(true);
    expect(board.model.read(PL061_GPIODIR, 1)).toBe(0b10);
    expect(gpiod_get_direction(led)).toBe(0);
    gpiod_set_value(led, 0);
    expect(board.led(1).on).toBe(false);
    gpiod_set_value(led, 1);
    expect(lamp.history).toEqual([true, false, true]);
  });

  it('reads the button through the masked GPIODATA address', () => {
    const button = line(0);
    expect(gpiod_direction_input(button)).toBe(0);
    board.drive(3, true);
    expect(gpiod_get_value(button)).toBe(0);
    board.button(0).press();
    expect(gpiod_get_value(button)).toBe(1);
  });

  it('delivers a rising edge once and acks it in GPIOIC', () => {
    const button = line(0);
    gpiod_direction_input(button);
    const irq = gpiod_to_irq(button);
    const seen: number[] = [];
    expect(
      request_irq(
        irq,
        (n) => {
          seen.push(n);
          return IRQ_HANDLED;
        },
        IRQF_TRIGGER_RISING,
        'button',
        null,
      ),
    ).toBe(0);
    expect(board.model.read(PL061_GPIOIE, 1)).toBe(1);
    board.button(0).press();
    board.button(0).release();
    board.button(0).press();
    expect(seen).toEqual([irq, irq]);
    expect(board.model.read(PL061_GPIORIS, 1)).toBe(0);
    expect(sim_irq_line(board.hwirq).level).toBe(false);
    free_irq(irq, null);
    expect(board.model.read(PL061_GPIOIE, 1)).toBe(0);
  });

  it('delivers falling edges and high levels as configured', () => {
    const button = line(2);
    gpiod_direction_input(button);
    const irq = gpiod_to_irq(button);
    let falls = 0;
    request_irq(
      irq,
      () => {
        falls++;
        return IRQ_HANDLED;
      },
      IRQF_TRIGGER_FALLING,
      'fall',
      null,
    );
    board.button(2).press();
    expect(falls).toBe(0);
    board.button(2).release();
    expect(falls).toBe(1);
    free_irq(irq, null);

    let levels = 0;
    request_irq(
      irq,
      () => {
        levels++;
        board.button(2).release();
        return IRQ_HANDLED;
      },
      IRQF_TRIGGER_HIGH,
      'level',
      null,
    );
    board.button(2).press();
    expect(levels).toBe(1);
    free_irq(irq, null);
  });

  it('refuses level and edge at once, as the C driver does', () => {
    const irq = gpiod_to_irq(line(4));
    expect(irq_set_irq_type(irq, IRQF_TRIGGER_HIGH | IRQF_TRIGGER_RISING)).toBe(-EINVAL);
    expect(dmesg()).toContain(
      'trying to configure line 4 for both level and edge detection, choose one!',
    );
  });

  it('survives a power loss over suspend: directions, triggers and outputs come back', async () => {
    const led = line(1);
    gpiod_direction_output(led, 1);
    const button = line(0);
    gpiod_direction_input(button);
    const irq = gpiod_to_irq(button);
    let presses = 0;
    request_irq(
      irq,
      () => {
        presses++;
        return IRQ_HANDLED;
      },
      IRQF_TRIGGER_RISING,
      'button',
      null,
    );
    const pm = board.adev.dev.driver?.pm;
    expect(await pm?.suspend?.(board.adev.dev)).toBe(0);
    board.power_loss();
    expect(board.led(1).on).toBe(false);
    expect(await pm?.resume?.(board.adev.dev)).toBe(0);
    expect(board.led(1).on).toBe(true);
    board.button(0).press();
    expect(presses).toBe(1);
    free_irq(irq, null);
  });

  it('comes back from suspend to RAM with the controller powered off while asleep', async () => {
    pm_init();
    const led = line(1);
    gpiod_direction_output(led, 1);
    const button = line(0);
    gpiod_direction_input(button);
    const irq = gpiod_to_irq(button);
    let presses = 0;
    request_irq(
      irq,
      () => {
        presses++;
        return IRQ_HANDLED;
      },
      IRQF_TRIGGER_RISING,
      'button',
      null,
    );
    const powerOff = {
      suspend: () => {
        board.power_loss();
        return 0;
      },
    };
    register_syscore_ops(powerOff);
    expect(await pm_suspend(PM_SUSPEND_MEM)).toBe(0);
    unregister_syscore_ops(powerOff);
    expect(board.led(1).on).toBe(true);
    board.button(0).press();
    expect(presses).toBe(1);
    expect(await hibernate()).toBe(0);
    expect(board.led(1).on).toBe(true);
    free_irq(irq, null);
  });

  it('numbs the chip on unbind: held lines get ENODEV, nothing reaches the registers', async () => {
    const led = line(1);
    gpiod_direction_output(led, 1);
    await sysfs_write('/sys/bus/amba/drivers/pl061_gpio/unbind', board.adev.dev.name);
    await sim_run_until_idle();
    expect(board.adev.dev.driver).toBeNull();
    expect(gpiod_get_value(led)).toBe(-ENODEV);
    expect(gpiod_set_value(led, 0)).toBe(-ENODEV);
    expect(board.led(1).on).toBe(true);
    expect(dmesg()).not.toContain('BUG');
  });

  it('handles a surprise removal without touching the unplugged window', async () => {
    const led = line(1);
    gpiod_direction_output(led, 1);
    await pl061_board_unplug(board);
    expect(gpiod_get_value(led)).toBe(-ENODEV);
    expect(dmesg()).not.toContain('BUG');
    expect(dmesg()).not.toContain('Oops');
  });
});
