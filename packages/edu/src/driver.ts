/**
 * A C-style driver for the edu device, written against `@rfl/kernel` as a
 * kernel driver is written against the kernel's C API: claim the registers,
 * `ioremap` them, check the device's identity and liveness, allocate a coherent
 * DMA buffer, request the (shared) interrupt; then compute factorials and move
 * data between RAM and the device's buffer by DMA, sleeping on completions that
 * the interrupt handler completes.
 *
 * Every operation that touches the device holds `edu.lock`: the device has one
 * factorial unit and one DMA engine.
 *
 * @module
 */

import {
  complete,
  completion,
  DMA_BIT_MASK,
  DMA_TO_DEVICE,
  dma_alloc_coherent,
  dma_free_coherent,
  dma_map_single,
  dma_mapping_error,
  dma_set_mask_and_coherent,
  dma_unmap_single,
  EBUSY,
  EINVAL,
  EIO,
  ENODEV,
  ENOMEM,
  free_irq,
  GFP_KERNEL,
  IRQ_HANDLED,
  IRQ_NONE,
  IRQF_SHARED,
  in_hardirq,
  init_completion,
  ioremap,
  iounmap,
  type irqreturn_t,
  kfree,
  kmalloc,
  memcpy_from_js,
  memcpy_to_js,
  mutex,
  mutex_init,
  mutex_lock,
  mutex_unlock,
  pr_info,
  readl,
  reinit_completion,
  release_mem_region,
  request_irq,
  request_mem_region,
  wait_for_completion_killable,
  writel,
  writeq,
} from '@rfl/kernel';
import {
  EDU_DEFAULT_DMA_BITS,
  EDU_DMA_BUF_SIZE,
  EDU_DMA_BUF_START,
  EDU_DMA_CMD_IRQ,
  EDU_DMA_CMD_START,
  EDU_DMA_CMD_TO_RAM,
  EDU_DMA_IRQ,
  EDU_FACT_IRQ,
  EDU_MMIO_SIZE,
  EDU_REG_DMA_CMD,
  EDU_REG_DMA_CNT,
  EDU_REG_DMA_DST,
  EDU_REG_DMA_SRC,
  EDU_REG_FACT,
  EDU_REG_ID,
  EDU_REG_INTR_ACK,
  EDU_REG_INTR_STATUS,
  EDU_REG_LIVENESS,
  EDU_REG_STATUS,
  EDU_STATUS_IRQFACT,
} from './regs.js';

/** The driver's state for one device (`struct edu_dev`). */
export interface edu_dev {
  /** The device-model device, passed to the DMA API (may be null). */
  readonly dev: unknown;
  readonly phys: number;
  readonly irq: number;
  /** The ioremap()ed registers. */
  readonly mmio: number;
  /** The coherent DMA buffer: kernel address and bus address. */
  readonly dma_cpu: number;
  readonly dma_handle: number;
  readonly lock: mutex;
  readonly fact_done: completion;
  readonly dma_done: completion;
  /** Interrupts handled, and whether the last one ran in hardirq context. */
  irqs: number;
  last_irq_in_hardirq: boolean;
}

/** The interrupt handler: acknowledges what the device raised and wakes the waiter. */
export function edu_irq(_irq: number, dev_id: unknown): irqreturn_t {
  const edu = dev_id as edu_dev;
  const status = readl(edu.mmio + EDU_REG_INTR_STATUS);
  // The line may be shared: nothing raised means another device's interrupt.
  if (status === 0) return IRQ_NONE;
  writel(status, edu.mmio + EDU_REG_INTR_ACK);
  edu.irqs += 1;
  edu.last_irq_in_hardirq = in_hardirq();
  if (status & EDU_FACT_IRQ) complete(edu.fact_done);
  if (status & EDU_DMA_IRQ) complete(edu.dma_done);
  return IRQ_HANDLED;
}

/**
 * Binds the driver to the edu device whose registers are at `phys` and whose
 * interrupt is Linux irq `irq`. Returns the driver state, or a negative errno:
 * -EBUSY (registers claimed), -ENOMEM, -ENODEV (not an edu), -EIO (liveness
 * check failed), or request_irq()'s error.
 */
export function edu_probe(dev: unknown, phys: number, irq: number): edu_dev | number {
  if (request_mem_region(phys, EDU_MMIO_SIZE, 'edu') === null) return -EBUSY;
  const mmio = ioremap(phys, EDU_MMIO_SIZE);
  if (mmio === 0) {
    release_mem_region(phys, EDU_MMIO_SIZE);
    return -ENOMEM;
  }
  const unmap = (err: number): number => {
    iounmap(mmio);
    release_mem_region(phys, EDU_MMIO_SIZE);
    return err;
  };
  const id = readl(mmio + EDU_REG_ID);
  if ((id & 0xff) !== 0xed) return unmap(-ENODEV);
  writel(0x12345678, mmio + EDU_REG_LIVENESS);
  if (readl(mmio + EDU_REG_LIVENESS) !== ~0x12345678 >>> 0) return unmap(-EIO);

  dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DEFAULT_DMA_BITS));
  const handle = { value: 0 };
  const dma_cpu = dma_alloc_coherent(dev, EDU_DMA_BUF_SIZE, handle, GFP_KERNEL);
  if (dma_cpu === 0) return unmap(-ENOMEM);

  const edu: edu_dev = {
    dev,
    phys,
    irq,
    mmio,
    dma_cpu,
    dma_handle: handle.value,
    lock: new mutex(),
    fact_done: new completion(),
    dma_done: new completion(),
    irqs: 0,
    last_irq_in_hardirq: false,
  };
  mutex_init(edu.lock, '&edu->lock');
  init_completion(edu.fact_done);
  init_completion(edu.dma_done);
  const ret = request_irq(irq, edu_irq, IRQF_SHARED, 'edu', edu);
  if (ret < 0) {
    dma_free_coherent(dev, EDU_DMA_BUF_SIZE, dma_cpu, handle.value);
    return unmap(ret);
  }
  pr_info('edu: version %d.%d at irq %d\n', id >>> 24, (id >>> 16) & 0xff, irq);
  return edu;
}

/** Unbinds: the reverse of {@link edu_probe}. */
export function edu_remove(edu: edu_dev): void {
  free_irq(edu.irq, edu);
  dma_free_coherent(edu.dev, EDU_DMA_BUF_SIZE, edu.dma_cpu, edu.dma_handle);
  iounmap(edu.mmio);
  release_mem_region(edu.phys, EDU_MMIO_SIZE);
}

/** A device that went away reads all ones, as a PCI device after surprise removal. */
function edu_gone(edu: edu_dev): boolean {
  return readl(edu.mmio + EDU_REG_ID) === 0xffffffff;
}

/**
 * Computes `n!` on the device (modulo 2^32, the register's width), sleeping
 * until the factorial interrupt. Returns the result, -ENODEV when the device
 * is gone, or -ERESTARTSYS when a fatal signal ends the wait.
 */
export async function edu_factorial(edu: edu_dev, n: number): Promise<number> {
  await mutex_lock(edu.lock);
  try {
    if (edu_gone(edu)) return -ENODEV;
    reinit_completion(edu.fact_done);
    writel(EDU_STATUS_IRQFACT, edu.mmio + EDU_REG_STATUS);
    writel(n >>> 0, edu.mmio + EDU_REG_FACT);
    const ret = await wait_for_completion_killable(edu.fact_done);
    if (ret < 0) return ret;
    return readl(edu.mmio + EDU_REG_FACT);
  } finally {
    mutex_unlock(edu.lock);
  }
}

/** Programs one transfer and sleeps until the DMA interrupt; 0 or a negative errno. */
async function edu_dma_run(
  edu: edu_dev,
  src: number,
  dst: number,
  len: number,
  to_ram: boolean,
): Promise<number> {
  if (edu_gone(edu)) return -ENODEV;
  reinit_completion(edu.dma_done);
  writeq(BigInt(src), edu.mmio + EDU_REG_DMA_SRC);
  writeq(BigInt(dst), edu.mmio + EDU_REG_DMA_DST);
  writeq(BigInt(len), edu.mmio + EDU_REG_DMA_CNT);
  const cmd = EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ | (to_ram ? EDU_DMA_CMD_TO_RAM : 0);
  writeq(BigInt(cmd), edu.mmio + EDU_REG_DMA_CMD);
  return wait_for_completion_killable(edu.dma_done);
}

function check_range(offset: number, len: number): number {
  if (!Number.isInteger(offset) || !Number.isInteger(len) || offset < 0 || len <= 0) return -EINVAL;
  return offset + len > EDU_DMA_BUF_SIZE ? -EINVAL : 0;
}

/**
 * Copies `data` into the device's buffer at `offset` by DMA from a streaming
 * mapping of a kmalloc()ed buffer (`dma_map_single`, DMA_TO_DEVICE).
 * Returns 0 or a negative errno.
 */
export async function edu_dma_to_device(
  edu: edu_dev,
  offset: number,
  data: Uint8Array,
): Promise<number> {
  const err = check_range(offset, data.length);
  if (err) return err;
  const buf = kmalloc(data.length, GFP_KERNEL);
  if (buf === 0) return -ENOMEM;
  memcpy_from_js(buf, data);
  const bus = dma_map_single(edu.dev, buf, data.length, DMA_TO_DEVICE);
  if (dma_mapping_error(edu.dev, bus)) {
    kfree(buf);
    return -ENOMEM;
  }
  await mutex_lock(edu.lock);
  try {
    return await edu_dma_run(edu, bus, EDU_DMA_BUF_START + offset, data.length, false);
  } finally {
    mutex_unlock(edu.lock);
    dma_unmap_single(edu.dev, bus, data.length, DMA_TO_DEVICE);
    kfree(buf);
  }
}

/**
 * Reads `len` bytes of the device's buffer at `offset` by DMA into the
 * coherent buffer. Returns the bytes or a negative errno.
 */
export async function edu_dma_from_device(
  edu: edu_dev,
  offset: number,
  len: number,
): Promise<Uint8Array | number> {
  const err = check_range(offset, len);
  if (err) return err;
  await mutex_lock(edu.lock);
  try {
    const ret = await edu_dma_run(edu, EDU_DMA_BUF_START + offset, edu.dma_handle, len, true);
    return ret < 0 ? ret : memcpy_to_js(edu.dma_cpu, len);
  } finally {
    mutex_unlock(edu.lock);
  }
}
