/**
 * The edu device model, run as a worker thread (the script
 * `edu_device_start()` starts). It behaves as QEMU's hw/misc/edu.c: the
 * factorial is computed after the write that starts it, with the status
 * register's computing bit set meanwhile, and a DMA transfer runs after the
 * write of the command register, in parallel with the kernel, like the
 * device's own thread and timer in QEMU.
 *
 * @module
 */

import { type device_worker_context, device_worker_serve } from '@rfl/kernel/device-worker';
import {
  EDU_DMA_BUF_SIZE,
  EDU_DMA_BUF_START,
  EDU_DMA_CMD_IRQ,
  EDU_DMA_CMD_START,
  EDU_DMA_CMD_TO_RAM,
  EDU_DMA_IRQ,
  EDU_FACT_IRQ,
  EDU_ID_VALUE,
  EDU_REG_DMA_CMD,
  EDU_REG_DMA_CNT,
  EDU_REG_DMA_DST,
  EDU_REG_DMA_SRC,
  EDU_REG_FACT,
  EDU_REG_ID,
  EDU_REG_INTR_ACK,
  EDU_REG_INTR_RAISE,
  EDU_REG_INTR_STATUS,
  EDU_REG_LIVENESS,
  EDU_REG_STATUS,
  EDU_STATUS_COMPUTING,
  EDU_STATUS_IRQFACT,
  edu_access_ok,
} from './regs.js';

/** The model's configuration (`-device edu,dma_mask=...`). */
export interface edu_config {
  dma_mask: bigint;
}

function hex(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

function edu_model(ctx: device_worker_context) {
  const dma_mask = (ctx.config as edu_config).dma_mask;
  const dma_buf = new Uint8Array(EDU_DMA_BUF_SIZE);
  let status = 0;
  let irq_status = 0;
  let dma_cmd = 0n;

  // Registers the device does not decode read as all ones.
  new Uint8Array(ctx.regs.buffer).fill(0xff);
  ctx.reg_write32(EDU_REG_ID, EDU_ID_VALUE);
  ctx.reg_write32(EDU_REG_LIVENESS, 0);
  ctx.reg_write32(EDU_REG_FACT, 0);
  ctx.reg_write32(EDU_REG_STATUS, 0);
  ctx.reg_write32(EDU_REG_INTR_STATUS, 0);
  for (const r of [EDU_REG_DMA_SRC, EDU_REG_DMA_DST, EDU_REG_DMA_CNT, EDU_REG_DMA_CMD]) {
    ctx.reg_write64(r, 0n);
  }

  function set_status(v: number): void {
    status = v;
    ctx.reg_write32(EDU_REG_STATUS, status);
  }

  function raise_irq(val: number): void {
    irq_status = (irq_status | val) >>> 0;
    ctx.reg_write32(EDU_REG_INTR_STATUS, irq_status);
    if (irq_status) ctx.set_irq(true);
  }

  function lower_irq(val: number): void {
    irq_status = (irq_status & ~val) >>> 0;
    ctx.reg_write32(EDU_REG_INTR_STATUS, irq_status);
    if (!irq_status) ctx.set_irq(false);
  }

  function compute_factorial(): void {
    let val = ctx.reg_read32(EDU_REG_FACT);
    let ret = 1;
    // From 34! on the 32-bit product is 0 (it has 32 factors of two): stop there, so
    // a huge n costs nothing instead of billions of multiplications.
    while (val > 0 && ret !== 0) ret = Math.imul(ret, val--) >>> 0;
    ctx.reg_write32(EDU_REG_FACT, ret);
    set_status(status & ~EDU_STATUS_COMPUTING);
    if (status & EDU_STATUS_IRQFACT) raise_irq(EDU_FACT_IRQ);
  }

  function in_dma_buf(start: bigint, size: bigint): boolean {
    const buf_end = BigInt(EDU_DMA_BUF_START + EDU_DMA_BUF_SIZE);
    if (start >= BigInt(EDU_DMA_BUF_START) && start + size <= buf_end) return true;
    ctx.log(
      `EDU: DMA range ${hex(start)}-${hex(start + size - 1n)} out of bounds (${hex(BigInt(EDU_DMA_BUF_START))}-${hex(buf_end - 1n)})!`,
    );
    return false;
  }

  function clamp(addr: bigint): number {
    const res = addr & dma_mask;
    if (res !== addr) ctx.log(`EDU: clamping DMA ${hex(addr)} to ${hex(res)}!`);
    return Number(res);
  }

  function in_ram(addr: number, size: number): boolean {
    if (addr + size <= ctx.mem.length) return true;
    ctx.log(`EDU: DMA to ${hex(BigInt(addr))} is outside RAM!`);
    return false;
  }

  function dma_run(): void {
    const src = ctx.reg_read64(EDU_REG_DMA_SRC);
    const dst = ctx.reg_read64(EDU_REG_DMA_DST);
    const cnt = ctx.reg_read64(EDU_REG_DMA_CNT);
    const n = Number(cnt);
    if ((dma_cmd & BigInt(EDU_DMA_CMD_TO_RAM)) === 0n) {
      const from = clamp(src);
      if (in_dma_buf(dst, cnt) && in_ram(from, n)) {
        dma_buf.set(ctx.mem.subarray(from, from + n), Number(dst) - EDU_DMA_BUF_START);
      }
    } else {
      const to = clamp(dst);
      if (in_dma_buf(src, cnt) && in_ram(to, n)) {
        const off = Number(src) - EDU_DMA_BUF_START;
        ctx.mem.set(dma_buf.subarray(off, off + n), to);
      }
    }
    dma_cmd &= ~BigInt(EDU_DMA_CMD_START);
    ctx.reg_write64(EDU_REG_DMA_CMD, dma_cmd);
    if (dma_cmd & BigInt(EDU_DMA_CMD_IRQ)) raise_irq(EDU_DMA_IRQ);
  }

  return {
    write(offset: number, size: number, value: number | bigint): undefined | (() => void) {
      if (!edu_access_ok(offset, size)) return undefined;
      const v = BigInt(value);
      const v32 = Number(BigInt.asUintN(32, v));
      switch (offset) {
        case EDU_REG_LIVENESS:
          ctx.reg_write32(EDU_REG_LIVENESS, ~v32);
          return undefined;
        case EDU_REG_FACT:
          if (status & EDU_STATUS_COMPUTING) return undefined;
          ctx.reg_write32(EDU_REG_FACT, v32);
          set_status(status | EDU_STATUS_COMPUTING);
          return compute_factorial;
        case EDU_REG_STATUS:
          set_status(
            v32 & EDU_STATUS_IRQFACT ? status | EDU_STATUS_IRQFACT : status & ~EDU_STATUS_IRQFACT,
          );
          return undefined;
        case EDU_REG_INTR_RAISE:
          raise_irq(v32);
          return undefined;
        case EDU_REG_INTR_ACK:
          lower_irq(v32);
          return undefined;
        case EDU_REG_DMA_SRC:
        case EDU_REG_DMA_DST:
        case EDU_REG_DMA_CNT:
          if ((dma_cmd & BigInt(EDU_DMA_CMD_START)) === 0n) ctx.reg_write64(offset, v);
          return undefined;
        case EDU_REG_DMA_CMD:
          if ((v & BigInt(EDU_DMA_CMD_START)) === 0n || dma_cmd & BigInt(EDU_DMA_CMD_START))
            return undefined;
          dma_cmd = v;
          ctx.reg_write64(EDU_REG_DMA_CMD, dma_cmd);
          return dma_run;
        default:
          return undefined;
      }
    },
  };
}

device_worker_serve(edu_model);
