import {
  dma_debug_pending,
  dma_init,
  dmesg,
  EINVAL,
  ENODEV,
  io_init,
  ioremap,
  iounmap,
  irq_init,
  kstat_irqs,
  mm_init,
  printk_reset,
  readl,
  readq,
  readw,
  resource_init,
  sim_irq,
  sim_run_pending,
  sim_spawn,
  type sim_worker_device,
  sim_worker_devices_stop,
  writel,
  writeq,
} from '@rfl/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EDU_DEFAULT_HWIRQ,
  EDU_DEFAULT_PHYS,
  EDU_DMA_BUF_START,
  EDU_DMA_CMD_IRQ,
  EDU_DMA_CMD_START,
  EDU_MMIO_SIZE,
  EDU_REG_DMA_CMD,
  EDU_REG_DMA_CNT,
  EDU_REG_DMA_DST,
  EDU_REG_DMA_SRC,
  EDU_REG_FACT,
  EDU_REG_ID,
  EDU_REG_INTR_RAISE,
  EDU_REG_LIVENESS,
  EDU_REG_STATUS,
  EDU_STATUS_COMPUTING,
  type edu_dev,
  edu_device_start,
  edu_dma_from_device,
  edu_dma_to_device,
  edu_factorial,
  edu_probe,
  edu_remove,
} from './index.js';

/** Runs `fn` as a user task, as a syscall would, and returns its result. */
async function in_task<T>(fn: () => Promise<T>): Promise<T> {
  let out: T | undefined;
  const t = sim_spawn('edu-test', async () => {
    out = await fn();
    return 0;
  });
  expect(await t.exited).toBe(0);
  return out as T;
}

let device: sim_worker_device;
let edu: edu_dev;
let irq: number;

beforeAll(async () => {
  mm_init({ quiet: true });
  io_init();
  resource_init();
  irq_init();
  dma_init();
  printk_reset();
  device = await edu_device_start();
  irq = sim_irq(EDU_DEFAULT_HWIRQ);
  const ret = edu_probe(null, EDU_DEFAULT_PHYS, irq);
  if (typeof ret === 'number') throw new Error(`edu_probe: ${ret}`);
  edu = ret;
});

afterAll(async () => {
  edu_remove(edu);
  await device.stop();
});

describe('the edu device model', () => {
  it('was probed: identification 1.0 and a passing liveness check', () => {
    expect(dmesg()).toContain(`edu: version 1.0 at irq ${irq}`);
    expect(readl(edu.mmio + EDU_REG_ID)).toBe(0x010000ed);
  });

  it('answers only the access widths edu.c accepts', () => {
    writel(0x0f0f0f0f, edu.mmio + EDU_REG_LIVENESS);
    expect(readl(edu.mmio + EDU_REG_LIVENESS)).toBe(0xf0f0f0f0);
    // 2-byte accesses below 0x80 are refused: all ones, and the write is dropped.
    expect(readw(edu.mmio + EDU_REG_ID)).toBe(0xffff);
    writel(1, edu.mmio + EDU_REG_LIVENESS);
    expect(readl(edu.mmio + EDU_REG_LIVENESS)).toBe(0xfffffffe);
    // Registers the device does not decode read all ones.
    expect(readl(edu.mmio + 0x0c)).toBe(0xffffffff);
    expect(readl(edu.mmio + 0x1000)).toBe(0xffffffff);
    // 64-bit DMA registers take 8-byte accesses, and 4-byte ones zero-extended.
    writeq(0x1_2345_6789n, edu.mmio + EDU_REG_DMA_SRC);
    expect(readq(edu.mmio + EDU_REG_DMA_SRC)).toBe(0x1_2345_6789n);
    writel(0x42, edu.mmio + EDU_REG_DMA_SRC);
    expect(readq(edu.mmio + EDU_REG_DMA_SRC)).toBe(0x42n);
  });

  it('computes factorials, modulo 2^32, with the interrupt in hardirq context', async () => {
    const before = kstat_irqs(irq);
    expect(await in_task(() => edu_factorial(edu, 10))).toBe(3628800);
    expect(await in_task(() => edu_factorial(edu, 0))).toBe(1);
    expect(await in_task(() => edu_factorial(edu, 13))).toBe(6227020800 % 2 ** 32);
    // From 34! on the product has 32 factors of two: 0 in 32 bits, at once for any n.
    expect(await in_task(() => edu_factorial(edu, 0xffffffff))).toBe(0);
    expect(kstat_irqs(irq) - before).toBe(4);
    expect(edu.last_irq_in_hardirq).toBe(true);
  });

  it('computes in parallel with the CPU, which polls the status register', () => {
    writel(0, edu.mmio + EDU_REG_STATUS);
    writel(12, edu.mmio + EDU_REG_FACT);
    let polls = 0;
    while (readl(edu.mmio + EDU_REG_STATUS) & EDU_STATUS_COMPUTING) polls += 1;
    expect(readl(edu.mmio + EDU_REG_FACT)).toBe(479001600);
    expect(polls).toBeGreaterThanOrEqual(0);
  });

  it('moves bytes to its buffer and back by DMA', async () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    expect(await in_task(() => edu_dma_to_device(edu, 1000, data))).toBe(0);
    const back = await in_task(() => edu_dma_from_device(edu, 1000, 300));
    expect(back).toEqual(data);
    const edge = await in_task(() => edu_dma_from_device(edu, 998, 4));
    expect(Array.from(edge as Uint8Array)).toEqual([0, 0, 0, 7]);
    expect(await in_task(() => edu_dma_from_device(edu, 4000, 200))).toBe(-EINVAL);
    // The streaming mapping was released; only the coherent buffer is left.
    expect(dma_debug_pending(null)).toBe(1);
  });

  it('raises an interrupt on request, which the driver acknowledges', async () => {
    const before = edu.irqs;
    writel(0x1000, edu.mmio + EDU_REG_INTR_RAISE);
    await sim_run_pending();
    expect(edu.irqs).toBe(before + 1);
    expect(readl(edu.mmio + 0x24)).toBe(0);
  });

  it('logs a DMA transfer outside its buffer, as QEMU does', async () => {
    printk_reset();
    await in_task(async () => {
      writeq(BigInt(edu.dma_handle), edu.mmio + EDU_REG_DMA_SRC);
      writeq(BigInt(EDU_DMA_BUF_START + 4080), edu.mmio + EDU_REG_DMA_DST);
      writeq(32n, edu.mmio + EDU_REG_DMA_CNT);
      writeq(BigInt(EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ), edu.mmio + EDU_REG_DMA_CMD);
      while (readq(edu.mmio + EDU_REG_DMA_CMD) & 1n) await sim_run_pending();
    });
    for (let i = 0; i < 100 && !dmesg().includes('EDU:'); i++) await sim_run_pending();
    expect(dmesg()).toContain(
      'EDU: DMA range 0x0000000000040ff0-0x000000000004100f out of bounds (0x0000000000040000-0x0000000000040fff)!',
    );
  });

  it('sees every write, in program order', () => {
    // A write reaches the model before writel() returns, so the read right after it
    // always sees its effect, never an older or a later value.
    for (let i = 0; i < 200; i++) {
      writel(i, edu.mmio + EDU_REG_LIVENESS);
      expect(readl(edu.mmio + EDU_REG_LIVENESS)).toBe(~i >>> 0);
    }
  });

  it('refuses to probe what is not an edu', () => {
    expect(edu_probe(null, 0xfe000000, irq)).toBe(-ENODEV);
    expect(edu_probe(null, EDU_DEFAULT_PHYS, irq)).toBeLessThan(0);
    // The failed probes gave back what they took.
    const io = ioremap(0xfe000000, EDU_MMIO_SIZE);
    expect(readl(io)).toBe(0xffffffff);
    iounmap(io);
  });

  it('powers off with sim_worker_devices_stop', async () => {
    const second = await edu_device_start({ phys: 0xfeb00000, hwirq: 12 });
    const io = ioremap(0xfeb00000, EDU_MMIO_SIZE);
    expect(readl(io + EDU_REG_ID)).toBe(0x010000ed);
    await sim_worker_devices_stop();
    expect(second.is_dead).toBe(true);
    expect(readl(io + EDU_REG_ID)).toBe(0xffffffff);
    iounmap(io);
    // The driver notices that its device went away instead of waiting forever.
    expect(await in_task(() => edu_factorial(edu, 5))).toBe(-ENODEV);
    expect(await in_task(() => edu_dma_from_device(edu, 0, 4))).toBe(-ENODEV);
  });
});
