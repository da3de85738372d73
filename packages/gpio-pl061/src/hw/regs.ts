/**
 * The PL061's register map (ARM DDI 0190B, "PrimeCell GPIO (PL061) Technical
 * Reference Manual", chapter 3). Every register is 8 bits wide, one per 32-bit
 * word of a 4 KiB window; bits 31:8 read as zero.
 *
 * @module
 */

/** The size of the register window. */
export const PL061_MMIO_SIZE = 0x1000;
/** The number of GPIO lines of one PL061. */
export const PL061_GPIO_NR = 8;

/**
 * GPIODATA, 0x000–0x3FC: one register seen through 256 addresses. Address bits
 * [9:2] are a mask: a read returns only the masked pins (the others read 0), a
 * write changes only the masked pins.
 */
export const PL061_GPIODATA = 0x000;
/** GPIODIR: 1 = output. Reset 0 (all inputs). */
export const PL061_GPIODIR = 0x400;
/** GPIOIS, interrupt sense: 1 = level, 0 = edge. */
export const PL061_GPIOIS = 0x404;
/** GPIOIBE, interrupt both edges: 1 = both edges (GPIOIEV ignored). */
export const PL061_GPIOIBE = 0x408;
/** GPIOIEV, interrupt event: 1 = rising edge or high level, 0 = falling edge or low level. */
export const PL061_GPIOIEV = 0x40c;
/** GPIOIE, interrupt mask: 1 = the line's interrupt reaches GPIOINTR. */
export const PL061_GPIOIE = 0x410;
/** GPIORIS, raw interrupt status (read only). */
export const PL061_GPIORIS = 0x414;
/** GPIOMIS, masked interrupt status = GPIORIS & GPIOIE (read only). */
export const PL061_GPIOMIS = 0x418;
/** GPIOIC, interrupt clear (write only): a 1 clears that line's edge-detected interrupt. */
export const PL061_GPIOIC = 0x41c;
/** GPIOAFSEL, mode control: 1 = the pin is under hardware (alternate function) control. */
export const PL061_GPIOAFSEL = 0x420;
/** GPIOPeriphID0, the first of four peripheral ID registers (0xFE0–0xFEC). */
export const PL061_PERIPHID0 = 0xfe0;
/** GPIOPCellID0, the first of four PrimeCell ID registers (0xFF0–0xFFC). */
export const PL061_PCELLID0 = 0xff0;

/** The peripheral ID: part 0x061, designer 0x41 (ARM), revision 0, configuration 0. */
export const PL061_PERIPHID = 0x00041061;
/** The PrimeCell component ID every PrimeCell answers with. */
export const PL061_PCELLID = 0xb105f00d;

const REG_NAMES: Readonly<Record<number, string>> = {
  [PL061_GPIODIR]: 'GPIODIR',
  [PL061_GPIOIS]: 'GPIOIS',
  [PL061_GPIOIBE]: 'GPIOIBE',
  [PL061_GPIOIEV]: 'GPIOIEV',
  [PL061_GPIOIE]: 'GPIOIE',
  [PL061_GPIORIS]: 'GPIORIS',
  [PL061_GPIOMIS]: 'GPIOMIS',
  [PL061_GPIOIC]: 'GPIOIC',
  [PL061_GPIOAFSEL]: 'GPIOAFSEL',
};

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * The TRM's name of the register at `offset`: `GPIODATA[0x04]` for the data
 * register seen through mask 0x04, `GPIOPeriphID0`…, or the offset in hex.
 */
export function pl061_reg_name(offset: number): string {
  if (offset < PL061_GPIODIR && (offset & 3) === 0)
    return `GPIODATA[${hex2((offset >> 2) & 0xff)}]`;
  const name = REG_NAMES[offset];
  if (name !== undefined) return name;
  if (offset >= PL061_PERIPHID0 && offset < PL061_PCELLID0 && (offset & 3) === 0) {
    return `GPIOPeriphID${(offset - PL061_PERIPHID0) >> 2}`;
  }
  if (offset >= PL061_PCELLID0 && offset < PL061_MMIO_SIZE && (offset & 3) === 0) {
    return `GPIOPCellID${(offset - PL061_PCELLID0) >> 2}`;
  }
  return `0x${offset.toString(16).padStart(3, '0')}`;
}

/** One access as a line of a bus trace: `W GPIODIR 0x02`, `R GPIOMIS 0x01`. */
export function pl061_access_string(a: { op: 'r' | 'w'; offset: number; value: number }): string {
  return `${a.op.toUpperCase()} ${pl061_reg_name(a.offset)} ${hex2(a.value)}`;
}
