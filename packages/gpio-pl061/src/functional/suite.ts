/**
 * The functional tests every PL061 driver must pass, whoever wrote it: the
 * C-style port and the safe driver run the same suite, each through a
 * {@link pl061_driver_under_test}. The tests use the driver only the way users
 * do — gpiolib's consumer calls and interrupts — and judge it only by what
 * the bench shows: LEDs, buttons and the controller's registers.
 *
 * This file is test code (it calls vitest's `describe`/`it`) and is not part of
 * the built package: a driver's test file imports it from `src/functional/`.
 *
 * @module
 */

import {
  decode_gpio_v2_line_event,
  decode_gpio_v2_line_request,
  decode_gpio_v2_line_values,
  decode_gpiochip_info,
  dmesg,
  EPOLLIN,
  encode_gpio_v2_line_request,
  encode_gpio_v2_line_values,
  free_irq,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOCHIP_INFO_SIZE,
  type gpio_desc,
  type gpio_device,
  gpio_device_get_desc,
  gpio_device_list,
  gpio_sysfs_edge_count,
  type gpio_v2_line_config,
  gpiod_direction_input,
  gpiod_direction_output,
  gpiod_free,
  gpiod_get_direction,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_value,
  hibernate,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_LOW,
  IRQF_TRIGGER_RISING,
  libc,
  O_RDONLY,
  PM_SUSPEND_MEM,
  pm_suspend,
  sim_run_pending,
  sysfs_read,
  sysfs_write,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type pl061_board, pl061_board_add, pl061_board_remove } from '../hw/board.js';
import { pl061_access_string } from '../hw/regs.js';
import { pl061_kernel_reset, pl061_listen } from './kernel.js';

/** How the suite drives one driver. */
export interface pl061_driver_under_test {
  /** Shown in the test names: `C-style`, `safe`. */
  readonly name: string;
  /** The driver's name on the AMBA bus (`/sys/bus/amba/drivers/<name>`). */
  readonly driver_name: string;
  /** Registers the driver (binding it to the board's PL061); 0 or -errno. */
  bind(): Promise<number>;
  /** Unregisters the driver (unbinding it). */
  unbind(): Promise<void>;
}

const PHYS = 0xfeb00000;
const HWIRQ = 7;
const LABEL = 'feb00000.pl061';

/** Defines the functional tests of `dut` (call it at the top level of a test file). */
export function pl061_functional_suite(dut: pl061_driver_under_test): void {
  describe(`PL061 functional tests: ${dut.name} driver`, () => {
    let board: pl061_board;
    let bound: boolean;
    const requested: gpio_desc[] = [];
    const irqs: [number, unknown][] = [];

    beforeEach(async () => {
      pl061_kernel_reset();
      // A power-gated board: sleeping loses the registers, so the driver must save them.
      const b = await pl061_board_add({ phys: PHYS, hwirq: HWIRQ, power_gated: true });
      if (typeof b === 'number') throw new Error(`pl061_board_add: ${b}`);
      board = b;
      expect(await dut.bind()).toBe(0);
      bound = true;
    });

    afterEach(async () => {
      for (const [irq, id] of irqs.splice(0)) free_irq(irq, id);
      for (const desc of requested.splice(0)) gpiod_free(desc);
      // A driver that works makes the kernel complain about nothing.
      expect(dmesg()).not.toMatch(/WARNING|BUG|possible .* deadlock|inconsistent lock/);
      if (bound) await dut.unbind();
      await pl061_board_remove(board);
    });

    function chip(): gpio_device {
      const gdev = gpio_device_list().find((g) => g.label === LABEL);
      if (gdev === undefined) throw new Error(`no gpiochip labelled ${LABEL}`);
      return gdev;
    }

    function line(offset: number, label = 'test'): gpio_desc {
      const desc = gpio_device_get_desc(chip(), offset);
      expect(gpiod_request(desc, label)).toBe(0);
      requested.push(desc);
      return desc;
    }

    /** Requests `desc`'s interrupt with `flags`; returns the irq numbers it sees. */
    function listen(desc: gpio_desc, flags: number, on_irq?: () => void): number[] {
      const { irq, ret, events } = pl061_listen(desc, flags, 'pl061-functional', on_irq);
      expect(irq).toBeGreaterThan(0);
      expect(ret).toBe(0);
      irqs.push([irq, events]);
      return events;
    }

    describe('binding', () => {
      it('registers one 8-line gpiochip named after the device, interrupts off', () => {
        const gdev = chip();
        expect([gdev.ngpio, gdev.base]).toEqual([8, 512]);
        expect(board.adev.dev.driver?.name).toBe(dut.driver_name);
        expect(board.model.registers().ie).toBe(0);
      });

      it('unbinding removes the gpiochip and binding again brings it back', async () => {
        await dut.unbind();
        bound = false;
        expect(gpio_device_list()).toEqual([]);
        expect(board.adev.dev.driver).toBeFalsy();
        expect(await dut.bind()).toBe(0);
        bound = true;
        expect(chip().ngpio).toBe(8);
      });
    });

    describe('lines', () => {
      it('direction: output and input, as gpiolib reads them back from GPIODIR', () => {
        const l = line(2);
        expect(gpiod_direction_output(l, 0)).toBe(0);
        expect(gpiod_get_direction(l)).toBe(0);
        expect(board.model.registers().dir).toBe(0b100);
        expect(gpiod_direction_input(l)).toBe(0);
        expect(gpiod_get_direction(l)).toBe(1);
        expect(board.model.registers().dir).toBe(0);
      });

      it('an output drives the LED, without a glitch when it becomes an output', () => {
        const led = board.led(1);
        const l = line(1, 'led');
        board.model.trace();
        expect(gpiod_direction_output(l, 1)).toBe(0);
        const ops = board.model.accesses().map(pl061_access_string);
        board.model.trace(false);
        // The PL061 drops data writes to input pins: the value must be written after GPIODIR.
        const dir = ops.lastIndexOf('W GPIODIR 0x02');
        expect(dir).toBeGreaterThanOrEqual(0);
        expect(ops.slice(dir + 1)).toContain('W GPIODATA[0x02] 0x02');
        for (const v of [0, 1, 0]) expect(gpiod_set_value(l, v)).toBe(0);
        expect(led.history).toEqual([true, false, true, false]);
        expect(led.on).toBe(false);
      });

      it('setting one line leaves the others alone', () => {
        const a = line(4);
        const b = line(5);
        gpiod_direction_output(a, 1);
        gpiod_direction_output(b, 1);
        gpiod_set_value(a, 0);
        expect([board.level(4), board.level(5)]).toEqual([false, true]);
      });

      it('an input reads the button', () => {
        const button = board.button(0);
        const l = line(0, 'button');
        expect(gpiod_direction_input(l)).toBe(0);
        expect(gpiod_get_value(l)).toBe(0);
        button.press();
        expect(gpiod_get_value(l)).toBe(1);
        button.release();
        expect(gpiod_get_value(l)).toBe(0);
      });
    });

    describe('interrupts', () => {
      it('rising edge: one event per press, none on release', () => {
        const l = line(0);
        gpiod_direction_input(l);
        const events = listen(l, IRQF_TRIGGER_RISING);
        board.button(0).press();
        board.button(0).release();
        board.button(0).click();
        expect(events.length).toBe(2);
      });

      it('falling edge: one event per release', () => {
        const l = line(1);
        const events = listen(l, IRQF_TRIGGER_FALLING);
        board.button(1).press();
        expect(events.length).toBe(0);
        board.button(1).release();
        expect(events.length).toBe(1);
      });

      it('both edges: an event on press and on release', () => {
        const l = line(2);
        const events = listen(l, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING);
        board.button(2).click();
        board.button(2).click();
        expect(events.length).toBe(4);
      });

      it('high level: events for as long as the level holds', () => {
        const l = line(3);
        let left = 4;
        const events = listen(l, IRQF_TRIGGER_HIGH, () => {
          if (--left === 0) board.button(3).release();
        });
        board.button(3).press();
        expect(events.length).toBe(4);
      });

      it('low level: a line already low interrupts when its irq is requested', () => {
        const l = line(6);
        const events = listen(l, IRQF_TRIGGER_LOW, () => board.drive(6, true));
        expect(events.length).toBe(1);
      });

      it('masked lines stay quiet', () => {
        const a = line(0);
        line(1);
        const events = listen(a, IRQF_TRIGGER_RISING);
        board.button(1).click();
        board.button(1).click();
        expect(events.length).toBe(0);
        board.button(0).click();
        expect(events.length).toBe(1);
      });

      it('a freed irq masks its line again', () => {
        const l = line(5);
        const events = listen(l, IRQF_TRIGGER_RISING);
        const [irq, id] = irqs.pop()!;
        free_irq(irq, id);
        board.button(5).click();
        expect(events.length).toBe(0);
        expect(board.model.registers().ie).toBe(0);
      });
    });

    describe('/sys/class/gpio', () => {
      it('lists the chip at its base', () => {
        expect(sysfs_read('/sys/class/gpio/gpiochip512/label')).toBe(`${LABEL}\n`);
        expect(sysfs_read('/sys/class/gpio/gpiochip512/ngpio')).toBe('8\n');
      });

      it('an exported output drives the LED; an exported input reads the button', () => {
        const led = board.led(1);
        expect(sysfs_write('/sys/class/gpio/export', '513')).toBe(3);
        expect(sysfs_write('/sys/class/gpio/gpio513/direction', 'out')).toBe(3);
        expect(sysfs_write('/sys/class/gpio/gpio513/value', '1')).toBe(1);
        expect(sysfs_write('/sys/class/gpio/gpio513/value', '0')).toBe(1);
        expect(sysfs_write('/sys/class/gpio/gpio513/direction', 'high')).toBe(4);
        expect(led.history).toEqual([true, false, true]);
        expect(sysfs_write('/sys/class/gpio/export', '512')).toBe(3);
        expect(sysfs_read('/sys/class/gpio/gpio512/direction')).toBe('in\n');
        board.button(0).press();
        expect(sysfs_read('/sys/class/gpio/gpio512/value')).toBe('1\n');
        board.button(0).release();
        expect(sysfs_read('/sys/class/gpio/gpio512/value')).toBe('0\n');
        for (const n of ['512', '513']) sysfs_write('/sys/class/gpio/unexport', n);
      });

      it('edge counts the edges the driver reports', () => {
        sysfs_write('/sys/class/gpio/export', '514');
        expect(sysfs_write('/sys/class/gpio/gpio514/edge', 'both')).toBe(4);
        board.button(2).click();
        board.button(2).click();
        const desc = gpio_device_get_desc(chip(), 2);
        expect(gpio_sysfs_edge_count(desc)).toBe(4);
        expect(sysfs_write('/sys/class/gpio/gpio514/edge', 'none')).toBe(4);
        board.button(2).click();
        expect(gpio_sysfs_edge_count(desc)).toBe(4);
        sysfs_write('/sys/class/gpio/unexport', '514');
      });
    });

    describe('/dev/gpiochipN', () => {
      async function request(fd: number, offsets: number[], config: gpio_v2_line_config) {
        const buf = encode_gpio_v2_line_request({
          offsets,
          consumer: 'functional',
          config,
          event_buffer_size: 0,
          fd: 0,
        });
        const ret = await libc.ioctl(fd, GPIO_V2_GET_LINE_IOCTL, buf);
        return ret < 0 ? ret : decode_gpio_v2_line_request(buf).request!.fd;
      }

      async function events(lfd: number): Promise<{ id: number; offset: number }[]> {
        const out: { id: number; offset: number }[] = [];
        while ((await libc.poll([{ fd: lfd, events: EPOLLIN, revents: 0 }], 0)) > 0) {
          const raw = await libc.read(lfd, 48);
          if (typeof raw === 'number') throw new Error(`read: ${raw}`);
          const { id, offset } = decode_gpio_v2_line_event(raw);
          out.push({ id, offset });
        }
        return out;
      }

      it('describes the chip', async () => {
        const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
        const info = new Uint8Array(GPIOCHIP_INFO_SIZE);
        expect(await libc.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info)).toBe(0);
        expect(decode_gpiochip_info(info)).toEqual({ name: 'gpiochip0', label: LABEL, lines: 8 });
        expect(await libc.close(fd)).toBe(0);
      });

      it('a line request drives the LED and reads the button', async () => {
        const led = board.led(1);
        const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
        const out = await request(fd, [1], {
          flags: BigInt(GPIO_V2_LINE_FLAG_OUTPUT),
          attrs: [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value: 1n }, mask: 1n }],
        });
        expect(out).toBeGreaterThan(0);
        const off = encode_gpio_v2_line_values({ bits: 0n, mask: 1n });
        expect(await libc.ioctl(out, GPIO_V2_LINE_SET_VALUES_IOCTL, off)).toBe(0);
        expect(led.history).toEqual([true, false]);
        const input = await request(fd, [0], { flags: BigInt(GPIO_V2_LINE_FLAG_INPUT), attrs: [] });
        board.button(0).press();
        const values = encode_gpio_v2_line_values({ bits: 0n, mask: 1n });
        expect(await libc.ioctl(input, GPIO_V2_LINE_GET_VALUES_IOCTL, values)).toBe(0);
        expect(decode_gpio_v2_line_values(values).bits).toBe(1n);
        board.button(0).release();
        for (const f of [out, input, fd]) expect(await libc.close(f)).toBe(0);
      });

      it('edge events: rising and falling as requested, none from other lines', async () => {
        const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
        const both = BigInt(
          GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING,
        );
        const lfd = await request(fd, [3], { flags: both, attrs: [] });
        const rise = await request(fd, [4], {
          flags: BigInt(GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING),
          attrs: [],
        });
        expect(lfd).toBeGreaterThan(0);
        for (const level of [true, false]) {
          board.drive(3, level);
          await sim_run_pending();
        }
        for (const level of [true, false]) {
          board.drive(4, level);
          await sim_run_pending();
        }
        board.button(5).click();
        await sim_run_pending();
        expect(await events(lfd)).toEqual([
          { id: GPIO_V2_LINE_EVENT_RISING_EDGE, offset: 3 },
          { id: GPIO_V2_LINE_EVENT_FALLING_EDGE, offset: 3 },
        ]);
        expect(await events(rise)).toEqual([{ id: GPIO_V2_LINE_EVENT_RISING_EDGE, offset: 4 }]);
        for (const f of [lfd, rise, fd]) expect(await libc.close(f)).toBe(0);
      });
    });

    describe('power management', () => {
      /** Lines set up as a user would before the machine sleeps. */
      function configure() {
        const led = board.led(1);
        gpiod_direction_output(line(1, 'led'), 1);
        gpiod_direction_output(line(7), 0);
        const rising = listen(line(0), IRQF_TRIGGER_RISING);
        listen(line(2), IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING);
        listen(line(3), IRQF_TRIGGER_HIGH, () => board.button(3).release());
        return { led, rising, before: board.model.registers() };
      }

      /** The registers a driver restores; the raw status depends on what the pins did. */
      const config = (r: ReturnType<typeof board.model.registers>) => ({ ...r, ris: 0, mis: 0 });

      it('suspend to RAM loses the registers; resume puts DIR/IS/IBE/IEV/IE and outputs back', async () => {
        const { led, rising, before } = configure();
        expect(await pm_suspend(PM_SUSPEND_MEM)).toBe(0);
        expect(led.history).toEqual([true, false, true]);
        expect(config(board.model.registers())).toEqual(config(before));
        board.button(0).click();
        expect(rising.length).toBe(1);
      });

      it('hibernation: freeze and restore do the same', async () => {
        const { led, rising, before } = configure();
        expect(await hibernate()).toBe(0);
        expect(led.on).toBe(true);
        expect(config(board.model.registers())).toEqual(config(before));
        board.button(0).click();
        expect(rising.length).toBe(1);
      });
    });
  });
}
