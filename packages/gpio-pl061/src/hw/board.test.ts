import {
  type amba_device,
  type amba_driver,
  amba_driver_register,
  amba_driver_unregister,
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  EBUSY,
  ENOENT,
  free_irq,
  IRQ_HANDLED,
  io_init,
  ioremap,
  iounmap,
  irq_init,
  kstat_irqs,
  mm_init,
  readb,
  request_irq,
  resource_init,
  sim_irq_line,
  sysfs_read,
  vfs_init,
  writeb,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type pl061_board,
  pl061_board_add,
  pl061_board_remove,
  pl061_board_unplug,
} from './board.js';
import {
  PL061_GPIODIR,
  PL061_GPIOIC,
  PL061_GPIOIE,
  PL061_GPIOIEV,
  PL061_GPIOMIS,
  PL061_MMIO_SIZE,
} from './regs.js';

let board: pl061_board;
let removed: boolean;

beforeEach(async () => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  io_init();
  resource_init();
  irq_init();
  dmesg_clear();
  const b = await pl061_board_add({ phys: 0xfeb00000, hwirq: 7 });
  if (typeof b === 'number') throw new Error(`pl061_board_add: ${b}`);
  board = b;
  removed = false;
});

afterEach(async () => {
  if (!removed) await pl061_board_remove(board);
});

describe('the AMBA device', () => {
  it('is identified from the ID registers of the model', () => {
    expect(board.adev.periphid).toBe(0x00041061);
    expect(board.adev.cid).toBe(0xb105f00d);
    expect(sysfs_read('/sys/bus/amba/devices/feb00000.pl061/id')).toBe('00041061\n');
    expect(sysfs_read('/sys/bus/amba/devices/feb00000.pl061/resource')).toBe(
      '00000000feb00000\t00000000feb00fff\t0000000000000200\n',
    );
  });

  it('binds a driver whose id table lists the PL061, with its window and parent irq', async () => {
    const seen: string[] = [];
    const drv: amba_driver = {
      drv: { name: 'pl061_probe_test' },
      id_table: [{ id: 0x00041061, mask: 0x000fffff }],
      probe: (adev: amba_device) => {
        seen.push(
          `${adev.res.start.toString(16)} +${adev.res.end - adev.res.start + 1} irq ${adev.irq[0]}`,
        );
        return 0;
      },
    };
    expect(await amba_driver_register(drv)).toBe(0);
    expect(seen).toEqual([`feb00000 +${PL061_MMIO_SIZE} irq ${board.irq}`]);
    await amba_driver_unregister(drv);
  });

  it('cannot share its window with another board', async () => {
    expect(await pl061_board_add({ phys: 0xfeb00000, hwirq: 8, name: 'twin' })).toBe(-EBUSY);
  });
});

describe('through ioremap', () => {
  it('a button press reads back through GPIODATA, an output lights the LED', () => {
    const base = ioremap(board.phys, PL061_MMIO_SIZE);
    const button = board.button(0);
    const led = board.led(1);
    writeb(0b10, base + PL061_GPIODIR);
    expect(readb(base + (0b01 << 2))).toBe(0);
    button.press();
    expect(readb(base + (0b01 << 2))).toBe(1);
    writeb(0b10, base + (0b10 << 2));
    writeb(0b00, base + (0b10 << 2));
    writeb(0b10, base + (0b10 << 2));
    expect([led.on, led.history]).toEqual([true, [true, false, true]]);
    expect(board.level(1)).toBe(true);
    iounmap(base);
  });

  it('GPIOINTR reaches a handler on the parent irq, which reads GPIOMIS and clears it', () => {
    const base = ioremap(board.phys, PL061_MMIO_SIZE);
    const pending: number[] = [];
    request_irq(
      board.irq,
      () => {
        const mis = readb(base + PL061_GPIOMIS);
        pending.push(mis);
        writeb(mis, base + PL061_GPIOIC);
        return IRQ_HANDLED;
      },
      0,
      'pl061-test',
      null,
    );
    writeb(0b1, base + PL061_GPIOIEV);
    writeb(0b1, base + PL061_GPIOIE);
    const button = board.button(0);
    button.click();
    button.click();
    expect(pending).toEqual([1, 1]);
    expect(kstat_irqs(board.irq)).toBe(2);
    expect(sim_irq_line(7).level).toBe(false);
    free_irq(board.irq, null);
    iounmap(base);
  });

  it('after the board is removed, its window reads all ones and GPIOINTR is low', async () => {
    const base = ioremap(board.phys, PL061_MMIO_SIZE);
    board.model.write(PL061_GPIOIE, 1, 1);
    board.model.write(PL061_GPIOIEV, 1, 1);
    board.drive(0, true);
    expect(sim_irq_line(7).level).toBe(true);
    await pl061_board_remove(board);
    removed = true;
    expect(readb(base + PL061_GPIODIR)).toBe(0xff);
    expect(sim_irq_line(7).level).toBe(false);
    expect(sysfs_read('/sys/bus/amba/devices/feb00000.pl061/id')).toBe(-ENOENT);
    iounmap(base);
  });
});

describe('removal', () => {
  it('a clean removal unbinds the driver while the hardware still answers', async () => {
    const seen: number[] = [];
    const drv = reader(seen);
    await amba_driver_register(drv);
    await pl061_board_remove(board);
    removed = true;
    expect(seen).toEqual([0x61]);
    await amba_driver_unregister(drv);
  });

  it('a surprise removal runs the driver remove against hardware that is gone', async () => {
    const seen: number[] = [];
    const drv = reader(seen);
    await amba_driver_register(drv);
    await pl061_board_unplug(board);
    removed = true;
    expect(seen).toEqual([0xff]);
    await amba_driver_unregister(drv);
  });
});

describe('the bench', () => {
  it('a power loss resets the registers: outputs fall back to inputs and the LED goes out', () => {
    const led = board.led(2);
    board.model.write(PL061_GPIODIR, 1, 0b100);
    board.model.write(0b100 << 2, 1, 0b100);
    board.power_loss();
    expect([led.on, led.history, board.model.registers().dir]).toEqual([false, [true, false], 0]);
  });

  it('a bouncing button makes extra edges before it settles', () => {
    // A probe (an LED) on the button's own pin shows every change of the level.
    const probe = board.led(0);
    const button = board.button(0);
    button.press(2);
    expect([button.pressed, probe.history]).toEqual([true, [true, false, true, false, true]]);
    probe.clear_history();
    button.release(1);
    expect([button.pressed, probe.history]).toEqual([false, [false, true, false]]);
    probe.clear_history();
    button.click();
    expect(probe.history).toEqual([true, false]);
  });

  it('a button or LED fitted twice is the same part, and there are eight lines', () => {
    expect(board.button(3)).toBe(board.button(3));
    expect(board.led(3)).toBe(board.led(3));
    expect(() => board.led(8)).toThrow('the PL061 has no line 8 (0..7)');
  });
});

/** A driver whose remove reads PeriphID0 through its own mapping. */
function reader(seen: number[]): amba_driver {
  let base = 0;
  return {
    drv: { name: 'pl061_remove_test' },
    id_table: [{ id: 0x00041061, mask: 0x000fffff }],
    probe: (adev) => {
      base = ioremap(adev.res.start, PL061_MMIO_SIZE);
      return 0;
    },
    remove: () => {
      seen.push(readb(base + 0xfe0));
      iounmap(base);
    },
  };
}
