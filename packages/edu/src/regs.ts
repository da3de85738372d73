/**
 * The edu device's register map (QEMU docs/specs/edu.rst, hw/misc/edu.c).
 * Only 4-byte accesses are valid below 0x80, 4- or 8-byte ones above.
 *
 * @module
 */

/** PCI ID `1234:11e8`. */
export const EDU_VENDOR_ID = 0x1234;
export const EDU_DEVICE_ID = 0x11e8;
/** The size of BAR 0, the MMIO window. */
export const EDU_MMIO_SIZE = 1 << 20;

/** RO: identification, `0xRRrr00ed` (major RR, minor rr). */
export const EDU_REG_ID = 0x00;
/** RW: liveness check; reads the bitwise inverse of what was written. */
export const EDU_REG_LIVENESS = 0x04;
/** RW: write n, read n! once the status register's computing bit clears. */
export const EDU_REG_FACT = 0x08;
/** RW: status (EDU_STATUS_*). */
export const EDU_REG_STATUS = 0x20;
/** RO: interrupt status, the values that raised the interrupt. */
export const EDU_REG_INTR_STATUS = 0x24;
/** WO: raise an interrupt; the value is ORed into the interrupt status. */
export const EDU_REG_INTR_RAISE = 0x60;
/** WO: acknowledge; the value is cleared from the interrupt status. */
export const EDU_REG_INTR_ACK = 0x64;
/** RW: DMA source, destination, count and command (64-bit). */
export const EDU_REG_DMA_SRC = 0x80;
export const EDU_REG_DMA_DST = 0x88;
export const EDU_REG_DMA_CNT = 0x90;
export const EDU_REG_DMA_CMD = 0x98;

/** The identification value of edu 1.0. */
export const EDU_ID_VALUE = 0x010000ed;

/** Status: computing a factorial (RO). */
export const EDU_STATUS_COMPUTING = 0x01;
/** Status: raise an interrupt when the factorial is done. */
export const EDU_STATUS_IRQFACT = 0x80;

/** Interrupt status bit of a finished factorial. */
export const EDU_FACT_IRQ = 0x00000001;
/** Interrupt status bit of a finished DMA transfer. */
export const EDU_DMA_IRQ = 0x00000100;

/** DMA command: start the transfer (clears when done). */
export const EDU_DMA_CMD_START = 0x01;
/** DMA command: direction EDU -> RAM (clear: RAM -> EDU). */
export const EDU_DMA_CMD_TO_RAM = 0x02;
/** DMA command: raise EDU_DMA_IRQ when done. */
export const EDU_DMA_CMD_IRQ = 0x04;

/** The device's DMA buffer, at this address in its own DMA address space. */
export const EDU_DMA_BUF_START = 0x40000;
export const EDU_DMA_BUF_SIZE = 4096;

/** Address bits the device drives by default (`dma_mask`): 28, 256 MiB. */
export const EDU_DEFAULT_DMA_BITS = 28;

/** Which accesses the device accepts (edu_mmio_read/write's checks). */
export function edu_access_ok(offset: number, size: number): boolean {
  return offset < 0x80 ? size === 4 : size === 4 || size === 8;
}
