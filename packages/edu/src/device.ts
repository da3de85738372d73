/**
 * Plugging an edu device into the simulated machine.
 *
 * @module
 */

import { type sim_worker_device, sim_worker_device_start } from '@rfl/kernel';
import type { edu_config } from './edu-device.js';
import { EDU_DEFAULT_DMA_BITS, EDU_MMIO_SIZE, edu_access_ok } from './regs.js';

/** Where the machine puts its edu device by default, and its interrupt line. */
export const EDU_DEFAULT_PHYS = 0xfea00000;
export const EDU_DEFAULT_HWIRQ = 11;

/** Options of {@link edu_device_start}. */
export interface edu_device_options {
  /** Physical address of BAR 0 (default {@link EDU_DEFAULT_PHYS}). */
  phys?: number;
  /** Root interrupt controller line (default {@link EDU_DEFAULT_HWIRQ}). */
  hwirq?: number;
  /** Address bits the device can drive (default 28). */
  dma_bits?: number;
}

/**
 * Starts an edu device model in a worker thread, with its 1 MiB register
 * window at `phys` and its interrupt on root line `hwirq`. Stop it with
 * `dev.stop()`.
 */
export function edu_device_start(opts: edu_device_options = {}): Promise<sim_worker_device> {
  const config: edu_config = {
    dma_mask: (1n << BigInt(opts.dma_bits ?? EDU_DEFAULT_DMA_BITS)) - 1n,
  };
  return sim_worker_device_start({
    // The worker runs JavaScript: the built script, found from src/ and dist/ alike.
    script: new URL('../dist/edu-device.js', import.meta.url),
    name: 'edu',
    phys: opts.phys ?? EDU_DEFAULT_PHYS,
    size: EDU_MMIO_SIZE,
    regs_size: 0x100,
    hwirq: opts.hwirq ?? EDU_DEFAULT_HWIRQ,
    access_ok: edu_access_ok,
    config,
  });
}
