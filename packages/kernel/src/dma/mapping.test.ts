import { beforeEach, describe, expect, it } from 'vitest';
import { memcpy_to_js, memset } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { mem_u8 } from '../mm/layout.js';
import { vfree, vmalloc } from '../mm/vmalloc.js';
import { panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import {
  DMA_BIDIRECTIONAL,
  DMA_BIT_MASK,
  DMA_FROM_DEVICE,
  DMA_MAPPING_ERROR,
  DMA_TO_DEVICE,
  dma_alloc_coherent,
  dma_debug_error_count,
  dma_debug_pending,
  dma_free_coherent,
  dma_init,
  dma_map_single,
  dma_mapping_error,
  dma_set_mask,
  dma_unmap_single,
  virt_to_phys,
} from './mapping.js';

const dev = { name: '0000:00:04.0', driver: { name: 'edu' } };

beforeEach(() => {
  mm_init({ quiet: true });
  dma_init();
  printk_reset();
  panic_reset();
});

describe('dma_alloc_coherent', () => {
  it('returns zeroed memory the device sees at its physical address', () => {
    const handle = { value: -1 };
    const cpu = dma_alloc_coherent(dev, 6000, handle, GFP_KERNEL);
    expect(cpu).not.toBe(0);
    expect(handle.value).toBe(virt_to_phys(cpu));
    expect(handle.value % 4096).toBe(0);
    expect(Array.from(memcpy_to_js(cpu, 8192)).every((b) => b === 0)).toBe(true);
    memset(cpu, 0x5a, 16);
    // A device model reads physical memory at the bus address.
    expect(mem_u8[handle.value + 15]).toBe(0x5a);
    expect(dma_debug_pending(dev)).toBe(1);
    dma_free_coherent(dev, 6000, cpu, handle.value);
    expect(dma_debug_pending(dev)).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('reports a free with a different size', () => {
    const handle = { value: 0 };
    const cpu = dma_alloc_coherent(dev, 4096, handle, GFP_KERNEL);
    dma_free_coherent(dev, 2048, cpu, handle.value);
    const hex = handle.value.toString(16).padStart(16, '0');
    expect(dmesg()).toContain(
      `DMA-API: edu 0000:00:04.0: device driver frees DMA memory with different size [device address=0x${hex}] [map size=4096 bytes] [unmap size=2048 bytes]`,
    );
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at');
    expect(dma_debug_error_count()).toBe(1);
  });

  it('fails for memory beyond the device mask', () => {
    dma_set_mask(dev, DMA_BIT_MASK(12));
    expect(dma_alloc_coherent(dev, 4096, { value: 0 }, GFP_KERNEL)).toBe(0);
  });
});

describe('dma_map_single', () => {
  it('maps a kmalloc buffer and unmaps it once', () => {
    const buf = kmalloc(128, GFP_KERNEL);
    const bus = dma_map_single(dev, buf, 128, DMA_TO_DEVICE);
    expect(bus).toBe(virt_to_phys(buf));
    expect(dma_mapping_error(dev, bus)).toBe(0);
    dma_unmap_single(dev, bus, 128, DMA_TO_DEVICE);
    expect(dmesg()).toBe('');
    dma_unmap_single(dev, bus, 128, DMA_TO_DEVICE);
    expect(dmesg()).toContain(
      `DMA-API: edu 0000:00:04.0: device driver tries to free DMA memory it has not allocated [device address=0x${bus.toString(16).padStart(16, '0')}] [size=128 bytes]`,
    );
    kfree(buf);
  });

  it('reports a different direction and an unchecked mapping', () => {
    const buf = kmalloc(64, GFP_KERNEL);
    const bus = dma_map_single(null, buf, 64, DMA_FROM_DEVICE);
    dma_unmap_single(null, bus, 64, DMA_BIDIRECTIONAL);
    expect(dmesg()).toContain(
      'DMA-API: NULL NULL: device driver frees DMA memory with different direction',
    );
    expect(dmesg()).toContain('[mapped with DMA_FROM_DEVICE] [unmapped with DMA_BIDIRECTIONAL]');
    expect(dmesg()).toContain('device driver failed to check map error[device address=0x');
    kfree(buf);
  });

  it('refuses vmalloc memory', () => {
    const v = vmalloc(8192);
    expect(dma_map_single(dev, v, 8192, DMA_TO_DEVICE)).toBe(DMA_MAPPING_ERROR);
    expect(dma_mapping_error(dev, DMA_MAPPING_ERROR)).toBeLessThan(0);
    expect(dmesg()).toContain(
      'DMA-API: edu 0000:00:04.0: device driver maps memory from vmalloc area [addr=ffffc9',
    );
    vfree(v);
  });
});
