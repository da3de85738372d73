/**
 * The PL061 as hardware: its registers, its eight pins and its interrupt
 * output, behaving as the Technical Reference Manual (ARM DDI 0190B) describes.
 * The model runs on the kernel's thread as a plain `mmio_ops` object, so every
 * access takes effect before `readb`/`writeb` returns and a test sees the same
 * sequence of events on every run.
 *
 * What the model does, register by register:
 * - **GPIODATA** (0x000–0x3FC): address bits [9:2] are a mask. A read returns
 *   the level of the masked pins and 0 for the others. A write changes the masked
 *   bits of the output latch, and only of pins configured as outputs: a write to
 *   an input pin's bit is dropped, not remembered for later — which is why
 *   `pl061_direction_output()` in Linux writes the value a second time after
 *   setting the direction.
 * - **GPIODIR**: 1 = output. An output pin drives its latch bit; an input pin
 *   (and a pin in hardware mode, GPIOAFSEL = 1, whose alternate function nothing
 *   drives on this board) shows what the board drives on it.
 * - **GPIOIS / GPIOIBE / GPIOIEV**: per line, level (IS = 1, IEV = 1 high, 0 low)
 *   or edge (IS = 0; IBE = 1 both edges, otherwise IEV = 1 rising, 0 falling).
 * - **GPIORIS**: a level line's bit is 1 exactly while its level holds; an edge
 *   line's bit is latched by an edge and stays until a 1 is written to its
 *   **GPIOIC** bit. Writing GPIOIC does nothing to a level line: its bit goes away
 *   only when the level does. Detection runs on the pin level, so an output pin
 *   that the software toggles detects its own edges, as the real pad does.
 * - **GPIOMIS** = GPIORIS & **GPIOIE**, and the interrupt output GPIOINTR is high
 *   exactly while GPIOMIS is nonzero.
 * - The ID registers at 0xFE0–0xFFC answer periphid 0x00041061 and the PrimeCell
 *   id 0xB105F00D, one byte per word. Everything else reads 0 and ignores writes,
 *   and so do the byte lanes above bit 7 of every register.
 *
 * One choice the TRM leaves open: when a line is switched from level to edge
 * sensing, its raw status is cleared, so the edge detector starts from a quiet
 * line instead of replaying the level it saw.
 *
 * @example
 * ```ts
 * import { pl061_model, PL061_GPIODIR, PL061_GPIOIE, PL061_GPIOIEV, PL061_GPIOMIS } from '@rfl/gpio-pl061';
 * const irq: boolean[] = [];
 * const hw = new pl061_model({ irq: (level) => irq.push(level) });
 * hw.write(PL061_GPIODIR, 1, 0b0000_0010); // line 1 drives an LED, line 0 reads a button
 * hw.write(0b0000_0011 << 2, 1, 0xff); // data masked to lines 0 and 1: only line 1 changes
 * hw.pins // => 0b10
 * hw.write(PL061_GPIOIEV, 1, 0b01); // line 0: rising edge
 * hw.write(PL061_GPIOIE, 1, 0b01);
 * hw.drive(0, true); // the button goes down
 * hw.read(PL061_GPIOMIS, 1) // => 0b01
 * hw.read(0x3fc, 1) // => 0b11
 * irq // => [true]
 * ```
 *
 * @module
 */

import type { mmio_ops, mmio_size } from '@rfl/kernel';
import {
  PL061_GPIO_NR,
  PL061_GPIOAFSEL,
  PL061_GPIODIR,
  PL061_GPIOIBE,
  PL061_GPIOIC,
  PL061_GPIOIE,
  PL061_GPIOIEV,
  PL061_GPIOIS,
  PL061_GPIOMIS,
  PL061_GPIORIS,
  PL061_PCELLID,
  PL061_PCELLID0,
  PL061_PERIPHID,
  PL061_PERIPHID0,
} from './regs.js';

const LINES = (1 << PL061_GPIO_NR) - 1;

/** Where the model reports what a board wired to it would see. */
export interface pl061_model_events {
  /** GPIOINTR changed level (raised while GPIOMIS is nonzero). */
  irq?(level: boolean): void;
  /** Pin levels changed: `levels` is every pin's level, `changed` the pins that moved. */
  pins?(levels: number, changed: number): void;
}

/** The register file, as a debugger attached to the bus would dump it. */
export interface pl061_registers {
  /** The output latch (what output pins drive). */
  readonly data: number;
  readonly dir: number;
  readonly is: number;
  readonly ibe: number;
  readonly iev: number;
  readonly ie: number;
  readonly ris: number;
  readonly mis: number;
  readonly afsel: number;
}

/** One bus access, as a logic analyser on the APB would record it. */
export interface pl061_access {
  readonly op: 'r' | 'w';
  readonly offset: number;
  readonly value: number;
}

/** One PL061: registers, pins and interrupt output (see the module documentation). */
export class pl061_model implements mmio_ops {
  #data = 0;
  #dir = 0;
  #is = 0;
  #ibe = 0;
  #iev = 0;
  #ie = 0;
  #ris = 0;
  #afsel = 0;
  /** What the board drives on each pin; undriven pins are pulled low. */
  #external = 0;
  #pins = 0;
  #intr = false;
  #trace: pl061_access[] | undefined;
  readonly #events: pl061_model_events;

  constructor(events: pl061_model_events = {}) {
    this.#events = events;
  }

  /** Every pin's current level, bit n = line n. */
  get pins(): number {
    return this.#pins;
  }

  /** The level of GPIOINTR. */
  get intr(): boolean {
    return this.#intr;
  }

  /** The level of pin `line`. */
  pin(line: number): boolean {
    return ((this.#pins >> check_line(line)) & 1) === 1;
  }

  /** The register file, for tests and dumps; reading it has no side effect. */
  registers(): pl061_registers {
    return {
      data: this.#data,
      dir: this.#dir,
      is: this.#is,
      ibe: this.#ibe,
      iev: this.#iev,
      ie: this.#ie,
      ris: this.#ris,
      mis: this.#ris & this.#ie,
      afsel: this.#afsel,
    };
  }

  /**
   * Starts recording every register access (dropping an earlier record), or
   * stops when `on` is false. Two drivers that do the same thing to the hardware
   * leave the same record.
   */
  trace(on = true): void {
    this.#trace = on ? [] : undefined;
  }

  /** The accesses recorded since `trace()`, oldest first. */
  accesses(): readonly pl061_access[] {
    return this.#trace ?? [];
  }

  /**
   * The board drives pin `line` high or low. The level shows on the pin while it
   * is an input; an output pin keeps driving its latch (the board's level returns
   * when the pin becomes an input again).
   */
  drive(line: number, level: boolean): void {
    const bit = 1 << check_line(line);
    this.#external = level ? this.#external | bit : this.#external & ~bit;
    this.#update();
  }

  /**
   * PRESETn: every register back to its reset value (all pins inputs, no
   * interrupt enabled, nothing latched), as when the controller's power domain
   * was off. What the board drives is wiring, not state: it stays.
   */
  reset(): void {
    this.#data = 0;
    this.#dir = 0;
    this.#is = 0;
    this.#ibe = 0;
    this.#iev = 0;
    this.#ie = 0;
    this.#ris = 0;
    this.#afsel = 0;
    // The detectors are held in reset while the pins fall back to inputs.
    this.#update(false);
  }

  read(offset: number, size: mmio_size): number | bigint {
    if (size === 8) {
      return BigInt(this.#read_reg(offset)) | (BigInt(this.#read_reg(offset + 4)) << 32n);
    }
    // Only byte lane 0 of each word holds register bits.
    const value = (offset & 3) === 0 ? this.#read_reg(offset) : 0;
    this.#trace?.push({ op: 'r', offset, value });
    return value;
  }

  write(offset: number, size: mmio_size, value: number | bigint): void {
    if (size === 8) {
      const v = BigInt(value);
      this.#write_reg(offset, Number(v & 0xffn));
      this.#write_reg(offset + 4, Number((v >> 32n) & 0xffn));
      return;
    }
    const v = Number(BigInt.asUintN(32, BigInt(value)));
    this.#trace?.push({ op: 'w', offset, value: v });
    if ((offset & 3) !== 0) return;
    this.#write_reg(offset, v & 0xff);
  }

  #read_reg(offset: number): number {
    if (offset < PL061_GPIODIR) return this.#pins & ((offset >> 2) & LINES);
    switch (offset) {
      case PL061_GPIODIR:
        return this.#dir;
      case PL061_GPIOIS:
        return this.#is;
      case PL061_GPIOIBE:
        return this.#ibe;
      case PL061_GPIOIEV:
        return this.#iev;
      case PL061_GPIOIE:
        return this.#ie;
      case PL061_GPIORIS:
        return this.#ris;
      case PL061_GPIOMIS:
        return this.#ris & this.#ie;
      case PL061_GPIOAFSEL:
        return this.#afsel;
    }
    if (offset >= PL061_PERIPHID0 && offset < PL061_PCELLID0) {
      return (PL061_PERIPHID >>> (((offset - PL061_PERIPHID0) >> 2) * 8)) & 0xff;
    }
    if (offset >= PL061_PCELLID0 && offset < PL061_PCELLID0 + 16) {
      return (PL061_PCELLID >>> (((offset - PL061_PCELLID0) >> 2) * 8)) & 0xff;
    }
    return 0;
  }

  #write_reg(offset: number, value: number): void {
    if (offset < PL061_GPIODIR) {
      const mask = (offset >> 2) & this.#dir;
      this.#data = (this.#data & ~mask) | (value & mask);
    } else {
      switch (offset) {
        case PL061_GPIODIR:
          this.#dir = value;
          break;
        case PL061_GPIOIS:
          // A line leaving level sensing starts edge detection from a clear bit.
          this.#ris &= ~(this.#is & ~value);
          this.#is = value;
          break;
        case PL061_GPIOIBE:
          this.#ibe = value;
          break;
        case PL061_GPIOIEV:
          this.#iev = value;
          break;
        case PL061_GPIOIE:
          this.#ie = value;
          break;
        case PL061_GPIOIC:
          this.#ris &= ~(value & ~this.#is);
          break;
        case PL061_GPIOAFSEL:
          this.#afsel = value;
          break;
        default:
          return;
      }
    }
    this.#update();
  }

  /**
   * Recomputes the pins, runs the detectors on what moved, then tells the board.
   * All state is settled before the callbacks run: an interrupt handler called
   * from `irq` reads and writes registers re-entrantly.
   */
  #update(detect = true): void {
    const driven = this.#dir & ~this.#afsel;
    const pins = ((this.#data & driven) | (this.#external & ~driven)) & LINES;
    const changed = pins ^ this.#pins;
    this.#pins = pins;
    const edge = ~this.#is;
    const moved = detect ? changed : 0;
    const rising = moved & pins;
    const falling = moved & ~pins;
    const detected =
      (this.#ibe & moved) | (~this.#ibe & ((this.#iev & rising) | (~this.#iev & falling)));
    const level = this.#is & ~(pins ^ this.#iev);
    this.#ris = ((this.#ris & edge) | (detected & edge) | level) & LINES;
    if (changed !== 0) this.#events.pins?.(pins, changed);
    const intr = (this.#ris & this.#ie) !== 0;
    if (intr !== this.#intr) {
      this.#intr = intr;
      this.#events.irq?.(intr);
    }
  }
}

function check_line(line: number): number {
  if (!Number.isInteger(line) || line < 0 || line >= PL061_GPIO_NR) {
    throw new RangeError(`the PL061 has no line ${line} (0..${PL061_GPIO_NR - 1})`);
  }
  return line;
}
