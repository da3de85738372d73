import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { resource } from '../io/resource.js';
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
  amba_set_id_reader,
} from './amba.js';
import { dev_uevent, device_sysfs_path } from './core.js';
import { devices_deferred_show, wait_for_device_probe } from './dd.js';
import { dev_name } from './device.js';
import { driver_init } from './init.js';
import { platform_device_register_simple, platform_driver_register } from './platform.js';

const PL061_ID = { id: 0x00041061, mask: 0x000fffff };
const PL011_ID = { id: 0x00041011, mask: 0x000fffff };

/** ID registers of PrimeCells by window base: one byte per 32-bit register. */
const id_registers = new Map<number, number[]>();

function primecell(base: number, periphid: number, cid = AMBA_CID): void {
  const bytes = (v: number) => [0, 1, 2, 3].map((i) => (v >>> (i * 8)) & 0xff);
  id_registers.set(base, [...bytes(periphid), ...bytes(cid)]);
}

function read_id(res: resource, offset: number): number | undefined {
  const regs = id_registers.get(res.start);
  if (!regs) return undefined;
  const size = res.end - res.start + 1;
  return regs[(offset - (size - 0x20)) / 4];
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
  id_registers.clear();
});

afterEach(() => amba_set_id_reader(null));

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
    amba_set_id_reader(read_id);
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
    amba_set_id_reader(read_id);
    primecell(0x9030000, 0x00041061, 0x12345678);
    const bound: string[] = [];
    await amba_driver_register(recording_driver('pl061_gpio', [PL061_ID], bound));
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    await amba_device_add(gpio);
    expect(gpio.periphid).toBe(0);
    expect(bound).toEqual([]);
    expect(devices_deferred_show()).toBe('9030000.pl061\t\n');
    // Its clock comes up: any later binding retries it.
    primecell(0x9030000, 0x00041061);
    await platform_driver_register({ driver: { name: 'clk' }, probe: () => 0 });
    await platform_device_register_simple('clk', 0);
    await wait_for_device_probe();
    expect(bound).toEqual(['pl061_gpio<-9030000.pl061 (41061)']);
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
