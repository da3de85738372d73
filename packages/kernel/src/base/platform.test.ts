import { beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, ENXIO, EPROBE_DEFER } from '../errno.js';
import { IORESOURCE_MEM } from '../io/resource.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear, dmesg_records } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import { bus_devices } from './bus.js';
import { dev_uevent, device_children, device_sysfs_path } from './core.js';
import { devices_deferred_show } from './dd.js';
import { dev_name } from './device.js';
import { driver_init } from './init.js';
import {
  PLATFORM_DEVID_AUTO,
  PLATFORM_DEVID_NONE,
  platform_bus,
  platform_bus_type,
  platform_device,
  platform_device_register,
  platform_device_register_simple,
  platform_device_unregister,
  type platform_driver,
  platform_driver_register,
  platform_driver_unregister,
  platform_get_irq,
  platform_get_irq_optional,
  platform_get_resource,
  platform_get_resource_byname,
  platform_irq_count,
} from './platform.js';
import { DEFINE_RES_IRQ, DEFINE_RES_MEM, IORESOURCE_IRQ } from './resource.js';

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  driver_init();
  panic_reset();
  dmesg_clear();
});

async function simple(
  name: string,
  id: number,
  res: Parameters<typeof platform_device_register_simple>[2] = [],
) {
  const pdev = await platform_device_register_simple(name, id, res);
  if (typeof pdev === 'number') throw new Error(`register failed: ${pdev}`);
  return pdev;
}

function errors(): string[] {
  return dmesg_records()
    .filter((r) => r.level <= 3)
    .map((r) => r.text);
}

describe('platform devices', () => {
  it('are named <name>.<id>, <name>, or <name>.<n>.auto, under /sys/devices/platform', async () => {
    const a = await simple('foxes', 2);
    const b = await simple('serial8250', PLATFORM_DEVID_NONE);
    const c = await simple('gpio-keys', PLATFORM_DEVID_AUTO);
    const d = await simple('gpio-keys', PLATFORM_DEVID_AUTO);
    expect([a, b, c, d].map((p) => dev_name(p.dev))).toEqual([
      'foxes.2',
      'serial8250',
      'gpio-keys.0.auto',
      'gpio-keys.1.auto',
    ]);
    expect(device_sysfs_path(a.dev)).toBe('/sys/devices/platform/foxes.2');
    expect(device_children(platform_bus).map(dev_name)).toEqual([
      'foxes.2',
      'serial8250',
      'gpio-keys.0.auto',
      'gpio-keys.1.auto',
    ]);
    expect(bus_devices(platform_bus_type)).toHaveLength(4);
    await platform_device_unregister(c);
    expect(c.id).toBe(PLATFORM_DEVID_AUTO);
    const e = await simple('gpio-keys', PLATFORM_DEVID_AUTO);
    expect(dev_name(e.dev)).toBe('gpio-keys.0.auto');
  });

  it('get 32-bit DMA masks, as the kernel gives platform devices', async () => {
    const p = await simple('foxes', 0);
    expect(p.dev.dma_mask).toBe(0xffffffffn);
    expect(p.dev.coherent_dma_mask).toBe(0xffffffffn);
  });

  it('claim their MMIO windows: the same registers twice is -EBUSY, a window inside another is fine', async () => {
    await simple('uart', 0, [DEFINE_RES_MEM(0x9000000, 0x1000)]);
    expect(
      await platform_device_register_simple('uart', 1, [DEFINE_RES_MEM(0x9000000, 0x1000)]),
    ).toBe(-EBUSY);
    expect(errors()).toEqual([
      'platform uart.1: failed to claim resource 0: [mem 0x09000000-0x09000fff]',
    ]);
    expect(
      await platform_device_register_simple('clcd', 0, [DEFINE_RES_MEM(0x8ff0000, 0x10800)]),
    ).toBe(-EBUSY);
    const inner = await simple('uart-fifo', 0, [DEFINE_RES_MEM(0x9000800, 0x100)]);
    expect(dev_name(inner.dev)).toBe('uart-fifo.0');
    // The failed device left nothing behind: its name and window are free again.
    expect(bus_devices(platform_bus_type).map(dev_name)).toEqual(['uart.0', 'uart-fifo.0']);
  });

  it('hand out resources by type and index or by name, and interrupts', async () => {
    const p = await simple('foxes', 0, [
      DEFINE_RES_MEM(0x9000000, 0x1000, 'regs'),
      DEFINE_RES_IRQ(33),
      DEFINE_RES_MEM(0x9001000, 0x100, 'fifo'),
      DEFINE_RES_IRQ(34),
    ]);
    expect(platform_get_resource(p, IORESOURCE_MEM, 1)?.start).toBe(0x9001000);
    expect(platform_get_resource(p, IORESOURCE_MEM, 2)).toBeUndefined();
    expect(platform_get_resource(p, IORESOURCE_IRQ, 0)?.name).toBe('foxes.0');
    expect(platform_get_resource_byname(p, IORESOURCE_MEM, 'fifo')?.end).toBe(0x90010ff);
    expect(platform_irq_count(p)).toBe(2);
    expect(platform_get_irq(p, 1)).toBe(34);
    expect(platform_get_irq_optional(p, 2)).toBe(-ENXIO);
    expect(errors()).toEqual([]);
    expect(platform_get_irq(p, 2)).toBe(-ENXIO);
    expect(errors()).toEqual(['platform foxes.0: error -ENXIO: IRQ index 2 not found']);
  });

  it('built by the caller and registered without release() make unregister warn', async () => {
    const pdev = new platform_device('static-fox', 0);
    expect(await platform_device_register(pdev)).toBe(0);
    await platform_device_unregister(pdev);
    expect(dmesg()).toContain(
      "Device 'static-fox.0' does not have a release() function, it is broken and must be fixed.",
    );
  });
});

describe('platform drivers', () => {
  it('match by driver name without an id table, and by the table when there is one', async () => {
    const bound: string[] = [];
    const by_name: platform_driver = {
      driver: { name: 'foxes' },
      probe: (p) => {
        bound.push(`foxes<-${dev_name(p.dev)}`);
        return 0;
      },
    };
    const by_table: platform_driver = {
      driver: { name: 'serial' },
      id_table: [
        { name: 'uart-8250', driver_data: 8250 },
        { name: 'uart-16550', driver_data: 16550 },
      ],
      probe: (p) => {
        bound.push(`serial<-${dev_name(p.dev)} (${p.id_entry?.driver_data})`);
        return 0;
      },
    };
    await platform_driver_register(by_name);
    await platform_driver_register(by_table);
    await simple('foxes', 0);
    await simple('uart-16550', 1);
    await simple('serial', 0);
    expect(bound).toEqual(['foxes<-foxes.0', 'serial<-uart-16550.1 (16550)']);
  });

  it('driver_override binds a device only to the driver it names', async () => {
    const bound: string[] = [];
    const mk = (name: string): platform_driver => ({
      driver: { name },
      probe: (p) => {
        bound.push(`${name}<-${dev_name(p.dev)}`);
        return 0;
      },
    });
    const pdev = new platform_device('foxes', 0);
    pdev.driver_override = 'vfio-platform';
    pdev.dev.release = () => {};
    await platform_driver_register(mk('foxes'));
    await platform_device_register(pdev);
    expect(pdev.dev.driver).toBeNull();
    await platform_driver_register(mk('vfio-platform'));
    expect(bound).toEqual(['vfio-platform<-foxes.0']);
  });

  it('a driver that cannot retry turns a deferral into -ENXIO with a warning', async () => {
    await simple('foxes', 0);
    await platform_driver_register({
      driver: { name: 'foxes' },
      prevent_deferred_probe: true,
      probe: () => -EPROBE_DEFER,
    });
    expect(dmesg_records().find((r) => r.level === 4)?.text).toBe(
      'foxes foxes.0: probe deferral not supported',
    );
    expect(devices_deferred_show()).toBe('');
  });

  it('have their remove called on unregister, and uevents carry DRIVER and MODALIAS', async () => {
    const removed: string[] = [];
    const drv: platform_driver = {
      driver: { name: 'foxes' },
      probe: () => 0,
      remove: (p) => void removed.push(dev_name(p.dev)),
    };
    await platform_driver_register(drv);
    const p = await simple('foxes', 0);
    expect(dev_uevent(p.dev)).toEqual(['DRIVER=foxes', 'MODALIAS=platform:foxes']);
    await platform_driver_unregister(drv);
    expect(removed).toEqual(['foxes.0']);
    expect(dev_uevent(p.dev)).toEqual(['MODALIAS=platform:foxes']);
  });
});
