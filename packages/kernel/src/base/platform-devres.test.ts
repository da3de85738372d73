import { beforeEach, describe, expect, it } from 'vitest';
import { ERR_PTR, IS_ERR } from '../err-ptr.js';
import { EBUSY, EINVAL } from '../errno.js';
import { devm_ioremap_resource, devm_platform_ioremap_resource } from '../io/devres.js';
import { io_init, sim_mmio_register } from '../io/mmio.js';
import { iomem_resources, type resource, resource_init } from '../io/resource.js';
import { readl, writel } from '../mm/access.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg_clear, dmesg_records } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import { device_release_driver } from './dd.js';
import { driver_init } from './init.js';
import {
  devm_platform_get_and_ioremap_resource,
  type platform_device,
  platform_device_register_simple,
  platform_driver_register,
} from './platform.js';
import { DEFINE_RES_IRQ, DEFINE_RES_MEM } from './resource.js';

let scratch: number;

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  io_init();
  resource_init();
  driver_init();
  panic_reset();
  dmesg_clear();
  scratch = 0;
  sim_mmio_register(0x9000000, 0x1000, 'fox-regs', {
    read: (offset) => (offset === 0 ? 0xf0c5 : scratch),
    write: (_offset, _size, value) => {
      scratch = Number(value);
    },
  });
});

async function add(
  res = [DEFINE_RES_MEM(0x9000000, 0x1000), DEFINE_RES_IRQ(33)],
): Promise<platform_device> {
  const p = await platform_device_register_simple('foxes', 0, res);
  if (typeof p === 'number') throw new Error(String(p));
  return p;
}

function errors(): string[] {
  return dmesg_records()
    .filter((r) => r.level <= 3)
    .map((r) => r.text);
}

describe('devm MMIO', () => {
  it('claims the window, maps it, and undoes both on unbind', async () => {
    let regs = 0;
    const pdev = await add();
    await platform_driver_register({
      driver: { name: 'foxes' },
      probe: (p) => {
        const out: { res?: resource } = {};
        regs = devm_platform_get_and_ioremap_resource(p, 0, out);
        expect(out.res?.start).toBe(0x9000000);
        return IS_ERR(regs) ? regs : 0;
      },
    });
    expect(readl(regs)).toBe(0xf0c5);
    writel(7, regs + 4);
    expect(scratch).toBe(7);
    expect(iomem_resources().map((r) => r.name)).toEqual(['foxes.0']);
    await device_release_driver(pdev.dev);
    expect(iomem_resources()).toEqual([]);
    // The mapping is gone with the binding: using it now is the page-fault Oops.
    expect(() => readl(regs)).toThrow();
  });

  it('a second claim of the window is -EBUSY, a missing or IRQ resource -EINVAL', async () => {
    const results: number[] = [];
    await add();
    await platform_driver_register({
      driver: { name: 'foxes' },
      probe: (p) => {
        results.push(devm_platform_ioremap_resource(p, 0));
        results.push(devm_platform_ioremap_resource(p, 0));
        results.push(devm_platform_ioremap_resource(p, 1));
        results.push(devm_ioremap_resource(p.dev, p.resource[1]));
        return 0;
      },
    });
    expect(IS_ERR(results[0]!)).toBe(false);
    expect(results.slice(1)).toEqual([ERR_PTR(-EBUSY), ERR_PTR(-EINVAL), ERR_PTR(-EINVAL)]);
    expect(errors()).toEqual([
      "foxes foxes.0: can't request region for resource [mem 0x09000000-0x09000fff]",
      'foxes foxes.0: invalid resource (null)',
      'foxes foxes.0: invalid resource [irq 33]',
    ]);
  });
});
