import { beforeEach, describe, expect, it } from 'vitest';
import { io_init, sim_mmio_register, sim_mmio_unregister } from '../io/mmio.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg_clear } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import {
  AMBA_CID,
  amba_config,
  type amba_device,
  amba_device_add,
  amba_device_alloc,
  amba_device_unregister,
  type amba_driver,
  amba_driver_register,
  amba_driver_unregister,
  amba_lookup,
  amba_manf,
  amba_part,
  amba_rev,
} from './amba.js';
import { dev_uevent, device_sysfs_path } from './core.js';
import { devices_deferred_show, wait_for_device_probe } from './dd.js';
import { dev_name } from './device.js';
import { driver_init } from './init.js';
import { platform_device_register_simple, platform_driver_register } from './platform.js';

const PL061_ID = { id: 0x00041061, mask: 0x000fffff };
const PL011_ID = { id: 0x00041011, mask: 0x000fffff };

/** A PrimeCell model: its ID registers, one byte per 32-bit register, at the end of its window. */
function primecell(base: number, periphid: number, cid = AMBA_CID, size = 0x1000): void {
  const ids = [periphid, cid];
  sim_mmio_register(base, size, 'primecell', {
    read: (offset) => {
      const reg = (offset - (size - 0x20)) / 4;
      if (reg < 0 || reg >= 8) return 0;
      return (ids[reg >> 2]! >>> ((reg & 3) * 8)) & 0xff;
    },
    write: () => {},
  });
}

function recording_driver(
  name: string,
  ids: amba_driver['id_table'],
  bound: string[],
): amba_driver {
  return {
    drv: { name },
    id_table: ids,
    probe: (adev: amba_device, id) => {
      bound.push(`${name}<-${dev_name(adev.dev)} (${id.id.toString(16)})`);
      return 0;
    },
  };
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  driver_init();
  panic_reset();
  dmesg_clear();
  io_init();
});

describe('amba ids', () => {
  it('an entry matches when (periphid & mask) === id: every revision of a part', () => {
    const adev = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    adev.periphid = 0x00341061;
    expect(amba_lookup([PL011_ID, PL061_ID], adev)).toBe(PL061_ID);
    expect([amba_part(adev), amba_manf(adev), amba_rev(adev), amba_config(adev)]).toEqual([
      0x061, 0x41, 3, 0,
    ]);
    adev.periphid = 0x00041062;
    expect(amba_lookup([PL011_ID, PL061_ID], adev)).toBeUndefined();
    // A zero mask ends the table, as the kernel's sentinel entry does.
    adev.periphid = 0;
    expect(amba_lookup([{ id: 0, mask: 0 }], adev)).toBeUndefined();
  });

  it('devices bind to the driver whose table matches, under /sys/devices/platform', async () => {
    const bound: string[] = [];
    await amba_driver_register(recording_driver('uart-pl011', [PL011_ID], bound));
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], bound));
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    gpio.periphid = 0x00041061;
    const uart = amba_device_alloc('9000000.pl011', 0x9000000, 0x1000);
    uart.periphid = 0x00141011;
    expect(await amba_device_add(gpio)).toBe(0);
    expect(await amba_device_add(uart)).toBe(0);
    expect(bound).toEqual([
      'pl061_gpio<-9030000.pl061 (41061)',
      'uart-pl011<-9000000.pl011 (41011)',
    ]);
    expect(device_sysfs_path(gpio.dev)).toBe('/sys/devices/platform/9030000.pl061');
    expect(dev_uevent(gpio.dev)).toEqual([
      'DRIVER=pl061_gpio',
      'AMBA_ID=00041061',
      'MODALIAS=amba:d00041061',
    ]);
    await amba_device_unregister(gpio);
    expect(gpio.dev.driver).toBeNull();
  });

  it('without a given periphid the PrimeCell ID registers at the end of the window are read', async () => {
    primecell(0x9030000, 0x00241061);
    const bound: string[] = [];
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], bound));
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    await amba_device_add(gpio);
    expect(gpio.periphid).toBe(0x00241061);
    expect(gpio.cid).toBe(AMBA_CID);
    expect(bound).toEqual(['pl061_gpio<-9030000.pl061 (41061)']);
  });

  it('a window that does not read as a PrimeCell yet defers matching until it does', async () => {
    primecell(0x9030000, 0x00041061, 0x12345678);
    const bound: string[] = [];
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], bound));
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    await amba_device_add(gpio);
    expect(gpio.periphid).toBe(0);
    expect(bound).toEqual([]);
    expect(devices_deferred_show()).toBe('9030000.pl061\t\n');
    // Its clock comes up: any later binding retries it.
    sim_mmio_unregister(0x9030000);
    primecell(0x9030000, 0x00041061);
    await platform_driver_register({ driver: { name: 'clk' }, probe: () => 0 });
    await platform_device_register_simple('clk', 0);
    await wait_for_device_probe();
    expect(bound).toEqual(['pl061_gpio<-9030000.pl061 (41061)']);
  });

  it('a window where no device answers reads all ones: no PrimeCell, the device waits', async () => {
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    expect(await amba_device_add(gpio)).toBe(0);
    expect(gpio.periphid).toBe(0);
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], []));
    expect(devices_deferred_show()).toBe('9030000.pl061\t\n');
  });

  it('driver_override picks the driver whatever the id table says', async () => {
    const bound: string[] = [];
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], bound));
    await amba_driver_register(recording_driver('other', [PL011_ID], bound));
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    gpio.periphid = 0x00041061;
    gpio.driver_override = 'other';
    await amba_device_add(gpio);
    expect(gpio.dev.driver).toBeNull();
    expect(bound).toEqual([]);
  });

  it('unregistering the driver calls its remove', async () => {
    const removed: string[] = [];
    const drv: amba_driver = {
      drv: { name: 'pl061_gpio' },
      id_table: [PL061_ID],
      probe: () => 0,
      remove: (adev) => void removed.push(dev_name(adev.dev)),
    };
    await amba_driver_register(drv);
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    gpio.periphid = 0x00041061;
    await amba_device_add(gpio);
    await amba_driver_unregister(drv);
    expect(removed).toEqual(['9030000.pl061']);
  });
});
