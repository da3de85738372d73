/**
 * A PL061 on a board: the board code that plugs the controller into the
 * simulated machine (its register window on the bus, GPIOINTR on a line of the
 * root interrupt controller, an AMBA device the drivers bind to), and the parts
 * soldered to its pins — buttons that drive an input, LEDs that show an output.
 *
 * Tests and the demo use the board the way a person on the bench would: press
 * the button, look at the LED.
 *
 * @example
 * ```ts
 * import { pl061_board_add, pl061_board_remove } from '@rfl/gpio-pl061';
 * import { dmesg_clear, driver_init, io_init, irq_init, mm_init } from '@rfl/kernel';
 * # mm_init({ quiet: true }); io_init(); irq_init(); driver_init(); dmesg_clear();
 * const board = await pl061_board_add({ phys: 0xfeb00000, hwirq: 7 });
 * if (typeof board === 'number') throw new Error(`board: ${board}`);
 * board.adev.periphid.toString(16) // => '41061'
 * const button = board.button(0);
 * button.press();
 * board.model.read(0x004, 1) // => 1
 * const led = board.led(1);
 * led.on // => false
 * await pl061_board_remove(board);
 * ```
 *
 * @module
 */

import {
  type amba_device,
  amba_device_add,
  amba_device_alloc,
  amba_device_put,
  amba_device_unregister,
  ENOMEM,
  register_syscore_ops,
  sim_irq,
  sim_mmio_register,
  sim_mmio_unregister,
  sim_set_irq_level,
  type syscore_ops,
  unregister_syscore_ops,
} from '@rfl/kernel';
import { pl061_model } from './pl061.js';
import { PL061_GPIO_NR, PL061_MMIO_SIZE } from './regs.js';

/** Where the machine puts its PL061 by default, and its interrupt line (QEMU `virt` uses SPI 7). */
export const PL061_DEFAULT_PHYS = 0xfeb00000;
export const PL061_DEFAULT_HWIRQ = 7;

/** Options of {@link pl061_board_add}. */
export interface pl061_board_options {
  /** Physical address of the register window (default {@link PL061_DEFAULT_PHYS}). */
  phys?: number;
  /** Root interrupt controller line of GPIOINTR (default {@link PL061_DEFAULT_HWIRQ}). */
  hwirq?: number;
  /** The AMBA device's name (default `<phys in hex>.pl061`, as the device tree names it). */
  name?: string;
  /**
   * The controller sits in a power domain that is off while the machine sleeps
   * (suspend to RAM, hibernation): it wakes up with its reset values, and only a
   * driver that saved its registers gets its configuration back. Default false.
   */
  power_gated?: boolean;
}

/**
 * A push button between a pin and the supply: pressed drives the pin high. A
 * real contact bounces; `press(n)`/`release(n)` make it bounce `n` times (n extra
 * pairs of edges) before it settles, for testing debouncing. By default it is
 * an ideal, bounce-free button.
 */
export interface pl061_button {
  readonly line: number;
  readonly pressed: boolean;
  press(bounces?: number): void;
  release(bounces?: number): void;
  /** A press and a release, without bounce. */
  click(): void;
}

/** An LED from a pin to ground: lit while the pin is high. */
export interface pl061_led {
  readonly line: number;
  readonly on: boolean;
  /** Every change of the LED since it was fitted (or the history was cleared), oldest first. */
  readonly history: readonly boolean[];
  clear_history(): void;
}

/** What {@link pl061_board_add} plugged in. */
export interface pl061_board {
  readonly model: pl061_model;
  readonly adev: amba_device;
  readonly phys: number;
  readonly hwirq: number;
  /** The Linux irq of GPIOINTR (the PL061's parent interrupt). */
  readonly irq: number;
  /** The button on `line` (fitted on first use). */
  button(line: number): pl061_button;
  /** The LED on `line` (fitted on first use). */
  led(line: number): pl061_led;
  /** Drives `line` high or low from the bench, as a signal generator would. */
  drive(line: number, level: boolean): void;
  /** The level of pin `line`, as a probe on the pin reads it. */
  level(line: number): boolean;
  /**
   * The controller loses power (as its domain does in system suspend on many
   * SoCs): every register back to its reset value. Drivers that save and restore
   * their registers over suspend survive it.
   */
  power_loss(): void;
}

class board_impl implements pl061_board {
  readonly model: pl061_model;
  readonly adev: amba_device;
  readonly phys: number;
  readonly hwirq: number;
  readonly irq: number;
  readonly #buttons = new Map<number, pl061_button>();
  readonly #leds = new Map<number, led_impl>();
  /** True while the register window and GPIOINTR are connected to the machine. */
  plugged = true;
  /** The power domain's hooks, when the board is power gated. */
  syscore: syscore_ops | undefined;

  constructor(phys: number, hwirq: number, irq: number, name: string) {
    this.phys = phys;
    this.hwirq = hwirq;
    this.irq = irq;
    this.model = new pl061_model({
      irq: (level) => {
        if (this.plugged) sim_set_irq_level(hwirq, level);
      },
      pins: (levels, changed) => {
        for (const led of this.#leds.values()) {
          if ((changed >> led.line) & 1) led.set(((levels >> led.line) & 1) === 1);
        }
      },
    });
    this.adev = amba_device_alloc(name, phys, PL061_MMIO_SIZE);
  }

  button(line: number): pl061_button {
    let b = this.#buttons.get(line);
    if (b === undefined) {
      b = new button_impl(this.model, check_line(line));
      this.#buttons.set(line, b);
    }
    return b;
  }

  led(line: number): pl061_led {
    let l = this.#leds.get(line);
    if (l === undefined) {
      l = new led_impl(check_line(line), this.model.pin(line));
      this.#leds.set(line, l);
    }
    return l;
  }

  drive(line: number, level: boolean): void {
    this.model.drive(line, level);
  }

  level(line: number): boolean {
    return this.model.pin(line);
  }

  power_loss(): void {
    this.model.reset();
  }
}

class button_impl implements pl061_button {
  readonly line: number;
  readonly #model: pl061_model;
  #pressed = false;

  constructor(model: pl061_model, line: number) {
    this.#model = model;
    this.line = line;
  }

  get pressed(): boolean {
    return this.#pressed;
  }

  press(bounces = 0): void {
    this.#settle(true, bounces);
  }

  release(bounces = 0): void {
    this.#settle(false, bounces);
  }

  #settle(pressed: boolean, bounces: number): void {
    for (let i = 0; i < bounces; i++) {
      this.#model.drive(this.line, pressed);
      this.#model.drive(this.line, !pressed);
    }
    this.#pressed = pressed;
    this.#model.drive(this.line, pressed);
  }

  click(): void {
    this.press();
    this.release();
  }
}

class led_impl implements pl061_led {
  readonly line: number;
  #on: boolean;
  #history: boolean[] = [];

  constructor(line: number, on: boolean) {
    this.line = line;
    this.#on = on;
  }

  get on(): boolean {
    return this.#on;
  }

  get history(): readonly boolean[] {
    return this.#history;
  }

  clear_history(): void {
    this.#history = [];
  }

  set(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    this.#history.push(on);
  }
}

function check_line(line: number): number {
  if (!Number.isInteger(line) || line < 0 || line >= PL061_GPIO_NR) {
    throw new RangeError(`the PL061 has no line ${line} (0..${PL061_GPIO_NR - 1})`);
  }
  return line;
}

/**
 * Board code: puts a PL061 at `phys` with GPIOINTR on root line `hwirq` and adds
 * its AMBA device (resource = the 4 KiB window, `irq[0]` = the parent interrupt).
 * The AMBA core reads the periphid from the model's ID registers, so a driver
 * whose id table lists 0x00041061/0x000fffff binds to it. Returns the board, or a
 * negative errno (-EBUSY when something already sits at `phys`).
 */
export async function pl061_board_add(
  opts: pl061_board_options = {},
): Promise<pl061_board | number> {
  const phys = opts.phys ?? PL061_DEFAULT_PHYS;
  const hwirq = opts.hwirq ?? PL061_DEFAULT_HWIRQ;
  const irq = sim_irq(hwirq);
  if (irq === 0) return -ENOMEM;
  const board = new board_impl(phys, hwirq, irq, opts.name ?? `${phys.toString(16)}.pl061`);
  const ret = sim_mmio_register(phys, PL061_MMIO_SIZE, 'pl061', board.model);
  if (ret < 0) {
    amba_device_put(board.adev);
    return ret;
  }
  board.adev.irq = [irq];
  const added = await amba_device_add(board.adev);
  if (added < 0) {
    sim_mmio_unregister(phys);
    amba_device_put(board.adev);
    return added;
  }
  if (opts.power_gated) {
    // The domain goes down after every device suspended, as the syscore hooks run last.
    board.syscore = {
      suspend: () => {
        board.power_loss();
        return 0;
      },
    };
    register_syscore_ops(board.syscore);
  }
  return board;
}

function disconnect(board: pl061_board): void {
  const b = board as board_impl;
  if (!b.plugged) return;
  b.plugged = false;
  if (b.syscore !== undefined) unregister_syscore_ops(b.syscore);
  sim_mmio_unregister(b.phys);
  sim_set_irq_level(b.hwirq, false);
}

/**
 * Removes the board in order, as firmware does on shutdown: the device goes
 * first (unbinding its driver while the hardware still answers), then the
 * hardware leaves the bus.
 */
export async function pl061_board_remove(board: pl061_board): Promise<void> {
  await amba_device_unregister(board.adev);
  disconnect(board);
}

/**
 * A surprise removal: the hardware leaves the bus at once (reads of its window
 * return all ones, GPIOINTR goes low), then the bus notices and unregisters the
 * device, so the driver's `remove` runs against hardware that is gone.
 */
export async function pl061_board_unplug(board: pl061_board): Promise<void> {
  disconnect(board);
  await amba_device_unregister(board.adev);
}
