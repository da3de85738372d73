import { describe, expect, it } from 'vitest';
import { pl061_model } from './pl061.js';
import {
  PL061_GPIOAFSEL,
  PL061_GPIODIR,
  PL061_GPIOIBE,
  PL061_GPIOIC,
  PL061_GPIOIE,
  PL061_GPIOIEV,
  PL061_GPIOIS,
  PL061_GPIOMIS,
  PL061_GPIORIS,
  pl061_access_string,
  pl061_reg_name,
} from './regs.js';

/** A model with a log of its interrupt output and pin changes. */
function bench() {
  const irq: boolean[] = [];
  const pins: [number, number][] = [];
  const hw = new pl061_model({
    irq: (level) => irq.push(level),
    pins: (levels, changed) => pins.push([levels, changed]),
  });
  const rd = (off: number) => hw.read(off, 1) as number;
  const wr = (off: number, v: number) => hw.write(off, 1, v);
  /** The GPIODATA address that masks `lines`. */
  const data = (lines: number) => lines << 2;
  return { hw, irq, pins, rd, wr, data };
}

describe('reset values', () => {
  it('every register reads 0 after reset: all inputs, no interrupt', () => {
    const { rd } = bench();
    const regs = [0x3fc, 0x400, 0x404, 0x408, 0x40c, 0x410, 0x414, 0x418, 0x41c, 0x420];
    expect(regs.map(rd)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('reset() puts every register back but keeps what the board drives', () => {
    const { hw, rd, wr, data } = bench();
    hw.drive(3, true);
    wr(PL061_GPIODIR, 0xf0);
    wr(data(0xff), 0xff);
    wr(PL061_GPIOIS, 0x0f);
    wr(PL061_GPIOIEV, 0x0f);
    wr(PL061_GPIOIE, 0xff);
    wr(PL061_GPIOAFSEL, 0x01);
    hw.reset();
    expect(hw.registers()).toEqual({
      data: 0,
      dir: 0,
      is: 0,
      ibe: 0,
      iev: 0,
      ie: 0,
      ris: 0,
      mis: 0,
      afsel: 0,
    });
    expect(rd(data(0xff))).toBe(0b1000);
  });
});

describe('identification', () => {
  it('PeriphID0-3 give 0x00041061 and PCellID0-3 give 0xB105F00D, one byte per word', () => {
    const { rd } = bench();
    const bytes = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(rd);
    expect(bytes).toEqual([0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('the reserved words before them read 0 and ignore writes', () => {
    const { hw, rd, wr } = bench();
    wr(0x424, 0xff);
    wr(0xfd0, 0xff);
    wr(0xfe0, 0x00);
    expect([rd(0x424), rd(0x800), rd(0xfd0), rd(0xfe0)]).toEqual([0, 0, 0, 0x61]);
    expect(hw.registers().dir).toBe(0);
  });

  it('bits above 7 read as zero at every width', () => {
    const { hw, wr } = bench();
    wr(PL061_GPIODIR, 0xff);
    hw.write(PL061_GPIOIE, 4, 0x1234_5678);
    expect(hw.read(PL061_GPIOIE, 4)).toBe(0x78);
    expect(hw.read(PL061_GPIOIE + 1, 1)).toBe(0);
    expect(hw.read(PL061_GPIOIEV, 8)).toBe(0x78_0000_0000n);
  });
});

describe('GPIODATA address masking', () => {
  it('a read returns only the pins whose address bit is set, others read 0', () => {
    const { hw, rd, data } = bench();
    for (const line of [0, 2, 5, 7]) hw.drive(line, true);
    expect(rd(data(0xff))).toBe(0b1010_0101);
    expect(rd(data(0b0000_0100))).toBe(0b0000_0100);
    expect(rd(data(0b0000_0010))).toBe(0);
    expect(rd(data(0b1111_0000))).toBe(0b1010_0000);
    expect(rd(0x000)).toBe(0);
  });

  it('a write changes only the masked pins', () => {
    const { hw, wr, data } = bench();
    wr(PL061_GPIODIR, 0xff);
    wr(data(0xff), 0b1010_1010);
    wr(data(0b0000_1111), 0b0101_0101);
    expect(hw.pins).toBe(0b1010_0101);
    wr(0x000, 0x00);
    expect(hw.pins).toBe(0b1010_0101);
  });

  it('a write to an input pin is dropped, not latched for when it becomes an output', () => {
    const { hw, rd, wr, data } = bench();
    wr(PL061_GPIODIR, 0b0000_0001);
    wr(data(0b11), 0b11);
    expect(hw.registers().data).toBe(0b01);
    expect(rd(data(0b11))).toBe(0b01);
    wr(PL061_GPIODIR, 0b11);
    expect(hw.pins).toBe(0b01);
    // So Linux's direction_output writes the value again after setting GPIODIR.
    wr(data(0b10), 0b10);
    expect(hw.pins).toBe(0b11);
  });

  it('an input pin reads what the board drives, an output pin its latch', () => {
    const { hw, rd, wr, data } = bench();
    hw.drive(0, true);
    hw.drive(1, true);
    wr(PL061_GPIODIR, 0b10);
    expect(rd(data(0b11))).toBe(0b01);
    wr(PL061_GPIODIR, 0b00);
    expect(rd(data(0b11))).toBe(0b11);
  });

  it('a pin in hardware mode (GPIOAFSEL) is not driven from GPIODATA', () => {
    const { hw, wr, data } = bench();
    wr(PL061_GPIODIR, 0b1);
    wr(data(0b1), 0b1);
    wr(PL061_GPIOAFSEL, 0b1);
    expect(hw.pins).toBe(0);
    expect(hw.read(PL061_GPIOAFSEL, 1)).toBe(1);
    wr(PL061_GPIOAFSEL, 0);
    expect(hw.pins).toBe(1);
  });

  it('reports each change of the pins once, with the pins that moved', () => {
    const { hw, pins, wr, data } = bench();
    wr(PL061_GPIODIR, 0b110);
    wr(data(0b110), 0b110);
    wr(data(0b110), 0b110);
    hw.drive(0, true);
    wr(data(0b010), 0);
    expect(pins).toEqual([
      [0b110, 0b110],
      [0b111, 0b001],
      [0b101, 0b010],
    ]);
  });
});

describe('edge detection', () => {
  it('rising edge (IS=0, IBE=0, IEV=1): only a low-to-high change latches', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIEV, 0b1);
    hw.drive(0, true);
    expect(rd(PL061_GPIORIS)).toBe(1);
    wr(PL061_GPIOIC, 1);
    hw.drive(0, false);
    expect(rd(PL061_GPIORIS)).toBe(0);
  });

  it('falling edge (IEV=0): only a high-to-low change latches', () => {
    const { hw, rd } = bench();
    hw.drive(2, true);
    expect(rd(PL061_GPIORIS)).toBe(0);
    hw.drive(2, false);
    expect(rd(PL061_GPIORIS)).toBe(0b100);
  });

  it('both edges (IBE=1) latch on either change and ignore GPIOIEV', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIBE, 0b1000);
    wr(PL061_GPIOIEV, 0b0000);
    hw.drive(3, true);
    expect(rd(PL061_GPIORIS)).toBe(0b1000);
    wr(PL061_GPIOIC, 0b1000);
    expect(rd(PL061_GPIORIS)).toBe(0);
    hw.drive(3, false);
    expect(rd(PL061_GPIORIS)).toBe(0b1000);
  });

  it('an edge stays latched after the pin returns, until a 1 is written to GPIOIC', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIEV, 0b11);
    hw.drive(0, true);
    hw.drive(1, true);
    hw.drive(0, false);
    hw.drive(1, false);
    expect(rd(PL061_GPIORIS)).toBe(0b11);
    wr(PL061_GPIOIC, 0b10);
    expect(rd(PL061_GPIORIS)).toBe(0b01);
    wr(PL061_GPIOIC, 0);
    expect(rd(PL061_GPIORIS)).toBe(0b01);
    expect(rd(PL061_GPIOIC)).toBe(0);
  });

  it('an output pin detects the edges software makes on it', () => {
    const { rd, wr, data } = bench();
    wr(PL061_GPIODIR, 0b1);
    wr(PL061_GPIOIEV, 0b1);
    wr(data(1), 1);
    expect(rd(PL061_GPIORIS)).toBe(1);
  });

  it('changing the sense registers alone is not an edge', () => {
    const { hw, rd, wr } = bench();
    hw.drive(0, true);
    wr(PL061_GPIOIEV, 1);
    wr(PL061_GPIOIBE, 1);
    expect(rd(PL061_GPIORIS)).toBe(0);
  });
});

describe('level detection', () => {
  it('high level (IS=1, IEV=1): raw status follows the level', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIS, 0b10);
    wr(PL061_GPIOIEV, 0b10);
    expect(rd(PL061_GPIORIS)).toBe(0);
    hw.drive(1, true);
    expect(rd(PL061_GPIORIS)).toBe(0b10);
    hw.drive(1, false);
    expect(rd(PL061_GPIORIS)).toBe(0);
  });

  it('low level (IS=1, IEV=0) is raised at once by a pin that is already low', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIS, 0b100);
    expect(rd(PL061_GPIORIS)).toBe(0b100);
    hw.drive(2, true);
    expect(rd(PL061_GPIORIS)).toBe(0);
  });

  it('GPIOIC does nothing to a level interrupt while the level holds', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIS, 1);
    wr(PL061_GPIOIEV, 1);
    wr(PL061_GPIOIE, 1);
    hw.drive(0, true);
    wr(PL061_GPIOIC, 1);
    expect([rd(PL061_GPIORIS), rd(PL061_GPIOMIS), hw.intr]).toEqual([1, 1, true]);
    hw.drive(0, false);
    expect([rd(PL061_GPIORIS), rd(PL061_GPIOMIS), hw.intr]).toEqual([0, 0, false]);
  });

  it('switching a line from level to edge sensing clears its raw status', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIS, 1);
    wr(PL061_GPIOIEV, 1);
    hw.drive(0, true);
    expect(rd(PL061_GPIORIS)).toBe(1);
    wr(PL061_GPIOIS, 0);
    expect(rd(PL061_GPIORIS)).toBe(0);
  });
});

describe('masked status and GPIOINTR', () => {
  it('GPIOMIS is GPIORIS & GPIOIE, and GPIOMIS is read only', () => {
    const { hw, rd, wr } = bench();
    wr(PL061_GPIOIEV, 0xff);
    for (const line of [0, 1, 6]) hw.drive(line, true);
    wr(PL061_GPIOIE, 0b0100_0010);
    wr(PL061_GPIOMIS, 0);
    wr(PL061_GPIORIS, 0);
    expect([rd(PL061_GPIORIS), rd(PL061_GPIOMIS)]).toEqual([0b0100_0011, 0b0100_0010]);
  });

  it('a masked line latches its edge but keeps GPIOINTR low; unmasking raises it', () => {
    const { hw, irq, wr } = bench();
    wr(PL061_GPIOIEV, 1);
    hw.drive(0, true);
    expect(irq).toEqual([]);
    wr(PL061_GPIOIE, 1);
    expect(irq).toEqual([true]);
    wr(PL061_GPIOIE, 0);
    expect(irq).toEqual([true, false]);
  });

  it('GPIOINTR is high while any masked status bit is set, and falls with the last clear', () => {
    const { hw, irq, wr } = bench();
    wr(PL061_GPIOIEV, 0b11);
    wr(PL061_GPIOIE, 0b11);
    hw.drive(0, true);
    hw.drive(1, true);
    wr(PL061_GPIOIC, 0b01);
    expect(hw.intr).toBe(true);
    wr(PL061_GPIOIC, 0b10);
    expect(irq).toEqual([true, false]);
  });

  it('a handler called from the irq output sees settled registers and may clear them', () => {
    const seen: number[] = [];
    const hw: pl061_model = new pl061_model({
      irq: (level) => {
        if (!level) return;
        const mis = hw.read(PL061_GPIOMIS, 1) as number;
        seen.push(mis);
        hw.write(PL061_GPIOIC, 1, mis);
      },
    });
    hw.write(PL061_GPIOIEV, 1, 0xff);
    hw.write(PL061_GPIOIE, 1, 0xff);
    hw.drive(4, true);
    hw.drive(5, true);
    expect(seen).toEqual([0b1_0000, 0b10_0000]);
    expect(hw.intr).toBe(false);
  });
});

describe('lines', () => {
  it('there are eight', () => {
    const { hw } = bench();
    expect(() => hw.drive(8, true)).toThrow('the PL061 has no line 8 (0..7)');
    expect(() => hw.pin(-1)).toThrow(RangeError);
  });
});

describe('the bus trace', () => {
  it('records each access with the TRM register names', () => {
    const { hw, wr, rd } = bench();
    wr(PL061_GPIODIR, 0x01);
    hw.trace();
    wr(0x01 << 2, 0x01);
    rd(PL061_GPIOMIS);
    rd(0xfe0);
    rd(0xffc);
    wr(0x424, 0x55);
    expect(hw.accesses().map(pl061_access_string)).toEqual([
      'W GPIODATA[0x01] 0x01',
      'R GPIOMIS 0x00',
      'R GPIOPeriphID0 0x61',
      'R GPIOPCellID3 0xb1',
      'W 0x424 0x55',
    ]);
    hw.trace(false);
    rd(PL061_GPIODIR);
    expect(hw.accesses()).toEqual([]);
    expect([pl061_reg_name(0x3fc), pl061_reg_name(PL061_GPIOIC), pl061_reg_name(0x401)]).toEqual([
      'GPIODATA[0xff]',
      'GPIOIC',
      '0x401',
    ]);
  });
});
