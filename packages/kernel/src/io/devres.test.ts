import { beforeEach, describe, expect, it } from 'vitest';
import { dev_set_name, device, device_initialize } from '../base/device.js';
import { devres_names, devres_release_all } from '../base/devres.js';
import { DEFINE_RES_MEM } from '../base/resource.js';
import {
  dma_alloc_coherent,
  dma_debug_pending,
  dma_init,
  dmam_alloc_coherent,
} from '../dma/mapping.js';
import { IS_ERR, PTR_ERR } from '../err-ptr.js';
import { EBUSY } from '../errno.js';
import { devm_free_irq, devm_request_irq } from '../irq/devres.js';
import { irq_init } from '../irq/init.js';
import { IRQ_HANDLED } from '../irq/irqdesc.js';
import { irq_has_action } from '../irq/manage.js';
import { sim_irq, sim_irq_line } from '../irq/sim-intc.js';
import { readl } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { Oops, panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import { devm_ioremap_resource } from './devres.js';
import { io_init, sim_mmio_register } from './mmio.js';
import { iomem_resources, resource_init } from './resource.js';

function new_device(name: string): device {
  const dev = new device();
  device_initialize(dev);
  dev_set_name(dev, name);
  return dev;
}

beforeEach(() => {
  mm_init({ quiet: true });
  io_init();
  resource_init();
  irq_init();
  dma_init();
  printk_reset();
  panic_reset();
});

describe('devm MMIO, irqs and DMA', () => {
  it('are released at unbind, in reverse order', () => {
    sim_mmio_register(0xfe000000, 0x1000, 'dev', { read: () => 0x42, write: () => {} });
    const dev = new_device('demo.0');
    const regs = devm_ioremap_resource(dev, DEFINE_RES_MEM(0xfe000000, 0x1000, 'demo'));
    expect(IS_ERR(regs)).toBe(false);
    expect(readl(regs)).toBe(0x42);
    const irq = sim_irq(4);
    expect(devm_request_irq(dev, irq, () => IRQ_HANDLED, 0, null, dev)).toBe(0);
    const cpu = dmam_alloc_coherent(dev, 4096, { value: 0 }, GFP_KERNEL);
    expect(cpu).not.toBe(0);
    expect(devres_names(dev)).toEqual([
      'devm_region_release',
      'devm_ioremap_release',
      'devm_irq_release',
      'dmam_release',
    ]);
    expect(devres_release_all(dev)).toBe(4);
    expect(irq_has_action(irq)).toBe(false);
    expect(sim_irq_line(4).masked).toBe(true);
    expect(dma_debug_pending(dev)).toBe(0);
    expect(iomem_resources()).toEqual([]);
    expect(() => readl(regs)).toThrow(Oops);
  });

  it('refuse a region another driver holds', () => {
    const a = new_device('a');
    const b = new_device('b');
    expect(IS_ERR(devm_ioremap_resource(a, DEFINE_RES_MEM(0xfe100000, 0x100)))).toBe(false);
    const ret = devm_ioremap_resource(b, DEFINE_RES_MEM(0xfe100000, 0x100));
    expect(PTR_ERR(ret)).toBe(-EBUSY);
    expect(dmesg()).toContain("b: can't request region for resource [mem 0xfe100000-0xfe1000ff]");
  });

  it('free a devm irq early, and warn for one that was not requested', () => {
    const dev = new_device('c');
    const irq = sim_irq(5);
    devm_request_irq(dev, irq, () => IRQ_HANDLED, 0, 'c', dev);
    devm_free_irq(dev, irq, dev);
    expect(irq_has_action(irq)).toBe(false);
    devm_free_irq(dev, irq, dev);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at');
    expect(devres_release_all(dev)).toBe(0);
    // Plain allocations stay with the caller.
    dma_alloc_coherent(dev, 4096, { value: 0 }, GFP_KERNEL);
    expect(dma_debug_pending(dev)).toBe(1);
  });
});
