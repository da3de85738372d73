/**
 * Device models in worker threads: the kernel side of `@rfl/kernel/device-worker`.
 *
 * `sim_worker_device_start({ script, name, phys, size, hwirq })` starts the
 * compiled device script in a `worker_threads` Worker with the machine's
 * physical memory, a register file and a mailbox, all SharedArrayBuffers, and
 * gives it the MMIO window `[phys, phys+size)` and root interrupt line `hwirq`:
 *
 * - a read (`readl(ioremap(phys) + off)`) loads from the register file, as a
 *   bus read of a device whose registers are plain storage;
 * - a write goes through the mailbox and returns when the model has handled it,
 *   so writes are seen in program order and never lost (a non-posted write);
 * - the model's interrupt line is sampled after every write and whenever the
 *   worker posts that it changed; the kernel then takes the interrupt on its
 *   own thread, in hardirq context, through the root controller.
 *
 * The script must be JavaScript (a `dist/` file): resolve it with
 * `new URL('../dist/my-device.js', import.meta.url)` so that it is found from
 * both the package's sources and its build. A device started before a reboot
 * (`mm_init`) still sees the old memory: start devices after booting memory.
 *
 * @module
 */

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { atomic_threads_get, atomic_threads_put } from '../atomic.js';
import { sim_set_irq_level } from '../irq/sim-intc.js';
import { phys_mem } from '../mm/layout.js';
import { pr_err, pr_warn } from '../printk.js';
import { init_task, run_as } from '../sched/task.js';
import {
  CTL_ACK,
  CTL_IRQ,
  CTL_OFFSET,
  CTL_OP,
  CTL_SEQ,
  CTL_SIZE,
  CTL_VAL_HI,
  CTL_VAL_LO,
  CTL_WORDS,
  type device_worker_data,
  OP_STOP,
  OP_WRITE,
} from './device-worker.js';
import { type mmio_size, sim_mmio_register, sim_mmio_unregister } from './mmio.js';

/** Devices whose worker runs: a worker keeps Node alive until it is stopped. */
const running = new Set<sim_worker_device>();

/** How long a write waits for the model before the device is declared dead. */
const WRITE_TIMEOUT_MS = 5000;

/** Options of {@link sim_worker_device_start}. */
export interface sim_worker_device_options {
  /** The compiled device script. */
  script: URL | string;
  /** The device's name, for `/proc/iomem`-style listings and error messages. */
  name: string;
  /** Physical address and size of the MMIO window. */
  phys: number;
  size: number;
  /** The root controller line the device's interrupt is wired to. */
  hwirq: number;
  /** Bytes of register file (default: the window size). */
  regs_size?: number;
  /**
   * Which accesses the device accepts (QEMU's `valid` access sizes); a refused
   * read returns all ones and a refused write is dropped. Default: all.
   */
  access_ok?: (offset: number, size: mmio_size) => boolean;
  /** Passed to the model as `ctx.config` (structured-cloned). */
  config?: unknown;
}

/** A running worker-thread device. */
export class sim_worker_device {
  readonly name: string;
  readonly phys: number;
  readonly size: number;
  readonly hwirq: number;
  /** The register file the kernel reads. */
  readonly regs: SharedArrayBuffer;
  readonly worker: Worker;
  private readonly ctl: Int32Array;
  private readonly view: DataView;
  private readonly regs32: Int32Array;
  private readonly access_ok: (offset: number, size: mmio_size) => boolean;
  private seq = 0;
  private dead = false;

  constructor(
    opts: sim_worker_device_options,
    worker: Worker,
    ctl: SharedArrayBuffer,
    regs: SharedArrayBuffer,
  ) {
    this.name = opts.name;
    this.phys = opts.phys;
    this.size = opts.size;
    this.hwirq = opts.hwirq;
    this.worker = worker;
    this.regs = regs;
    this.ctl = new Int32Array(ctl);
    this.view = new DataView(regs);
    this.regs32 = new Int32Array(regs, 0, regs.byteLength >> 2);
    this.access_ok = opts.access_ok ?? (() => true);
  }

  /** Whether the model stopped answering or crashed. */
  get is_dead(): boolean {
    return this.dead;
  }

  /** Marks the device dead after a crash or a timeout; it then reads all ones. */
  fail(why: string): void {
    if (this.dead) return;
    this.dead = true;
    pr_err('%s: device model %s\n', this.name, why);
    sim_set_irq_level(this.hwirq, false);
  }

  /** Drives the interrupt line to what the model last set. */
  sync_irq(): void {
    if (this.dead) return;
    sim_set_irq_level(this.hwirq, Atomics.load(this.ctl, CTL_IRQ) === 1);
  }

  read(offset: number, size: mmio_size): number | bigint {
    if (this.dead || !this.access_ok(offset, size) || offset + size > this.regs.byteLength) {
      return size === 8 ? 0xffff_ffff_ffff_ffffn : 2 ** (8 * size) - 1;
    }
    if (offset % 4 === 0 && size >= 4) {
      const lo = Atomics.load(this.regs32, offset >> 2) >>> 0;
      if (size === 4) return lo;
      const hi = Atomics.load(this.regs32, (offset >> 2) + 1) >>> 0;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    switch (size) {
      case 1:
        return this.view.getUint8(offset);
      case 2:
        return this.view.getUint16(offset, true);
      case 4:
        return this.view.getUint32(offset, true);
      default:
        return this.view.getBigUint64(offset, true);
    }
  }

  write(offset: number, size: mmio_size, value: number | bigint): void {
    if (this.dead || !this.access_ok(offset, size)) return;
    const v = BigInt.asUintN(64, BigInt(value));
    this.post(OP_WRITE, offset, size, v);
    this.sync_irq();
  }

  private post(op: number, offset: number, size: number, value: bigint): void {
    const ctl = this.ctl;
    this.seq = (this.seq + 1) | 0;
    const seq = this.seq;
    ctl[CTL_OP] = op;
    ctl[CTL_OFFSET] = offset;
    ctl[CTL_SIZE] = size;
    ctl[CTL_VAL_LO] = Number(value & 0xffffffffn) | 0;
    ctl[CTL_VAL_HI] = Number(value >> 32n) | 0;
    Atomics.store(ctl, CTL_SEQ, seq);
    Atomics.notify(ctl, CTL_SEQ);
    for (let ack = Atomics.load(ctl, CTL_ACK); ack !== seq; ack = Atomics.load(ctl, CTL_ACK)) {
      if (Atomics.wait(ctl, CTL_ACK, ack, WRITE_TIMEOUT_MS) === 'timed-out') {
        this.fail('not responding');
        return;
      }
    }
  }

  /**
   * Stops the model and removes the device from the bus (a hot-unplug: mappings
   * of it read all ones). Resolves when the worker has exited.
   */
  async stop(): Promise<void> {
    running.delete(this);
    sim_mmio_unregister(this.phys);
    if (!this.dead) {
      this.post(OP_STOP, 0, 0, 0n);
      sim_set_irq_level(this.hwirq, false);
      this.dead = true;
    }
    await this.worker.terminate();
  }
}

/**
 * Starts the device model `opts.script` in a worker thread and plugs it in at
 * `opts.phys`; resolves once the model is ready to serve accesses. Rejects when
 * the window is taken or the script fails to start.
 */
export async function sim_worker_device_start(
  opts: sim_worker_device_options,
): Promise<sim_worker_device> {
  const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
  const regs = new SharedArrayBuffer(Math.ceil((opts.regs_size ?? opts.size) / 8) * 8);
  const data: device_worker_data = { ctl, regs, mem: phys_mem, config: opts.config };
  // From here another thread shares the machine's memory: atomic_t turns to Atomics.
  atomic_threads_get();
  let worker: Worker;
  try {
    worker = new Worker(opts.script, { workerData: data });
  } catch (err) {
    atomic_threads_put();
    throw err;
  }
  worker.once('exit', atomic_threads_put);
  const dev = new sim_worker_device(opts, worker, ctl, regs);
  try {
    const [msg] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([e]) => Promise.reject(e)),
    ])) as [{ type: string }];
    if (msg.type !== 'ready') throw new Error(`${opts.name}: unexpected first message ${msg.type}`);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const ret = sim_mmio_register(opts.phys, opts.size, opts.name, dev);
  if (ret < 0) {
    await worker.terminate();
    throw new RangeError(
      `${opts.name}: MMIO window ${opts.phys.toString(16)} unavailable (${ret})`,
    );
  }
  worker.on('message', (msg: { type: string; text?: string }) => {
    if (msg.type === 'irq') run_as(init_task, () => dev.sync_irq());
    else if (msg.type === 'log') pr_warn('%s\n', msg.text);
  });
  worker.on('error', (err) => run_as(init_task, () => dev.fail(`crashed: ${String(err)}`)));
  running.add(dev);
  return dev;
}

/**
 * Stops every worker-thread device (the machine's power-off): a running worker
 * keeps the Node process alive, so a program that started devices calls this
 * before it expects to exit.
 */
export async function sim_worker_devices_stop(): Promise<void> {
  await Promise.all([...running].map((dev) => dev.stop()));
}
