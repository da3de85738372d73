/**
 * The worker-thread side of a simulated device (`@rfl/kernel/device-worker`):
 * what a device model running in a `worker_threads` Worker imports. It has no
 * kernel state of its own — importing `@rfl/kernel` in a worker would boot a
 * second, separate kernel — only the protocol with the main thread:
 *
 * - the register file, a SharedArrayBuffer the kernel's MMIO reads load from
 *   directly (`regs`, little-endian; update it with `reg_write32`/`reg_write64`,
 *   which use Atomics so a polling driver sees the change);
 * - physical memory, the kernel's SharedArrayBuffer (`mem`), for DMA at bus
 *   addresses (= physical addresses);
 * - the MMIO write mailbox: the kernel's `writel` blocks until the model's
 *   `write(offset, size, value)` returned, so writes reach the model one by one
 *   in program order and a read after a write sees its effect; work the model
 *   does *after* a write (a computation, a DMA transfer) goes in the function
 *   `write` returns, which runs once the kernel has been released;
 * - the interrupt line: `set_irq(true/false)` drives the device's level line;
 *   the kernel samples it after each write and when the message this posts
 *   arrives, and runs the handler on its own thread in hardirq context.
 *
 * @module
 */

import { parentPort, workerData } from 'node:worker_threads';

/** Words of the control block shared by both sides (an Int32Array). */
export const CTL_SEQ = 0;
export const CTL_ACK = 1;
export const CTL_OP = 2;
export const CTL_OFFSET = 3;
export const CTL_SIZE = 4;
export const CTL_VAL_LO = 5;
export const CTL_VAL_HI = 6;
export const CTL_IRQ = 7;
export const CTL_WORDS = 8;

/** Mailbox operations. */
export const OP_WRITE = 1;
export const OP_STOP = 2;

/** What the main thread passes as `workerData`. */
export interface device_worker_data {
  readonly ctl: SharedArrayBuffer;
  readonly regs: SharedArrayBuffer;
  readonly mem: SharedArrayBuffer;
  readonly config: unknown;
}

/** What a device model sees of its machine. */
export interface device_worker_context {
  /** The register file, little-endian. */
  readonly regs: DataView;
  /** Physical memory, for DMA. */
  readonly mem: Uint8Array;
  /** The `config` given to `sim_worker_device_start`. */
  readonly config: unknown;
  /** Stores a 32-bit register so that a polling reader sees it. */
  reg_write32(offset: number, value: number): void;
  /** Stores a 64-bit register. */
  reg_write64(offset: number, value: bigint): void;
  reg_read32(offset: number): number;
  reg_read64(offset: number): bigint;
  /** Drives the device's interrupt line. */
  set_irq(level: boolean): void;
  /** Logs a message to the kernel log (QEMU's guest-error log). */
  log(text: string): void;
}

/** A device model: what an MMIO write does, and what it does afterwards. */
export interface device_worker_model {
  /**
   * Handles a write of `size` bytes (a number, or a bigint for 8 bytes). May
   * return a function to run after the kernel's write completed.
   */
  write(offset: number, size: number, value: number | bigint): undefined | (() => void);
}

/**
 * Serves MMIO writes for the model `make(ctx)` builds, forever (until the
 * kernel stops the device). Call it once at the top of the worker script.
 */
export function device_worker_serve(
  make: (ctx: device_worker_context) => device_worker_model,
): void {
  const port = parentPort;
  if (port === null) throw new Error('device_worker_serve() must run in a worker thread');
  const data = workerData as device_worker_data;
  const ctl = new Int32Array(data.ctl);
  const regs32 = new Int32Array(data.regs, 0, data.regs.byteLength >> 2);
  const ctx: device_worker_context = {
    regs: new DataView(data.regs),
    mem: new Uint8Array(data.mem),
    config: data.config,
    reg_write32(offset, value) {
      Atomics.store(regs32, offset >> 2, value | 0);
    },
    reg_write64(offset, value) {
      const v = BigInt.asUintN(64, value);
      Atomics.store(regs32, offset >> 2, Number(v & 0xffffffffn) | 0);
      Atomics.store(regs32, (offset >> 2) + 1, Number(v >> 32n) | 0);
    },
    reg_read32(offset) {
      return Atomics.load(regs32, offset >> 2) >>> 0;
    },
    reg_read64(offset) {
      const lo = Atomics.load(regs32, offset >> 2) >>> 0;
      const hi = Atomics.load(regs32, (offset >> 2) + 1) >>> 0;
      return (BigInt(hi) << 32n) | BigInt(lo);
    },
    set_irq(level) {
      const v = level ? 1 : 0;
      if (Atomics.exchange(ctl, CTL_IRQ, v) !== v) port.postMessage({ type: 'irq' });
    },
    log(text) {
      port.postMessage({ type: 'log', text });
    },
  };
  const model = make(ctx);
  // Read the sequence before saying ready: the first write may come at once.
  let last = Atomics.load(ctl, CTL_SEQ);
  port.postMessage({ type: 'ready' });
  for (;;) {
    Atomics.wait(ctl, CTL_SEQ, last);
    const seq = Atomics.load(ctl, CTL_SEQ);
    if (seq === last) continue;
    last = seq;
    const op = ctl[CTL_OP];
    if (op === OP_STOP) {
      Atomics.store(ctl, CTL_ACK, seq);
      Atomics.notify(ctl, CTL_ACK);
      return;
    }
    const size = ctl[CTL_SIZE]!;
    const lo = ctl[CTL_VAL_LO]! >>> 0;
    const value = size === 8 ? (BigInt(ctl[CTL_VAL_HI]! >>> 0) << 32n) | BigInt(lo) : lo;
    let after: undefined | (() => void);
    try {
      after = model.write(ctl[CTL_OFFSET]!, size, value);
    } finally {
      Atomics.store(ctl, CTL_ACK, seq);
      Atomics.notify(ctl, CTL_ACK);
    }
    after?.();
  }
}
