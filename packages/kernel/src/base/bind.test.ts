import { beforeEach, describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY, EINVAL, ENODEV, EPROBE_DEFER } from '../errno.js';
import { mm_init } from '../mm/init.js';
import { dmesg_clear } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import {
  bind_store,
  drivers_autoprobe_show,
  drivers_autoprobe_store,
  drivers_probe_store,
  unbind_store,
} from './bind.js';
import { dev_name } from './device.js';
import { devm_add_action } from './devres.js';
import { driver_init } from './init.js';
import {
  platform_bus_type,
  type platform_device,
  platform_device_register_simple,
  type platform_driver,
  platform_driver_register,
} from './platform.js';

let events: string[];
let probe_result: number;

const foxes: platform_driver = {
  driver: { name: 'foxes' },
  probe: (p) => {
    events.push(`probe ${dev_name(p.dev)}`);
    devm_add_action(p.dev, () => events.push(`devres ${dev_name(p.dev)}`), null);
    return probe_result;
  },
  remove: (p) => void events.push(`remove ${dev_name(p.dev)}`),
};
const badgers: platform_driver = { driver: { name: 'badgers' }, probe: () => 0 };

async function add(name: string, id: number): Promise<platform_device> {
  const p = await platform_device_register_simple(name, id);
  if (typeof p === 'number') throw new Error(String(p));
  return p;
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  driver_init();
  dmesg_clear();
  events = [];
  probe_result = 0;
  await platform_driver_register(foxes);
  await platform_driver_register(badgers);
});

describe('bind and unbind', () => {
  it('unbind runs remove and the devres; bind probes again', async () => {
    const p = await add('foxes', 0);
    expect(await unbind_store(foxes.driver, 'foxes.0\n')).toBe(8);
    expect(p.dev.driver).toBeNull();
    expect(await bind_store(foxes.driver, 'foxes.0')).toBe(7);
    expect(p.dev.driver).toBe(foxes.driver);
    expect(events).toEqual(['probe foxes.0', 'remove foxes.0', 'devres foxes.0', 'probe foxes.0']);
  });

  it('refuse unknown devices, devices of another driver, and bound devices', async () => {
    await add('foxes', 0);
    expect(await unbind_store(foxes.driver, 'foxes.9\n')).toBe(-ENODEV);
    expect(await unbind_store(badgers.driver, 'foxes.0\n')).toBe(-ENODEV);
    expect(await bind_store(badgers.driver, 'foxes.0\n')).toBe(-ENODEV);
    expect(await bind_store(foxes.driver, 'foxes.0\n')).toBe(-EBUSY);
  });

  it('bind reports a failed probe as its errno and a deferral as -EAGAIN', async () => {
    probe_result = -EINVAL;
    const p = await add('foxes', 0);
    expect(p.dev.driver).toBeNull();
    expect(await bind_store(foxes.driver, 'foxes.0\n')).toBe(-EINVAL);
    probe_result = -EPROBE_DEFER;
    expect(await bind_store(foxes.driver, 'foxes.0\n')).toBe(-EAGAIN);
    // Each failed probe released what it had acquired.
    expect(events.filter((e) => e.startsWith('devres'))).toHaveLength(3);
  });

  it('with drivers_autoprobe off nothing binds until drivers_probe or bind', async () => {
    expect(drivers_autoprobe_show(platform_bus_type)).toBe('1\n');
    expect(drivers_autoprobe_store(platform_bus_type, '0\n')).toBe(2);
    expect(drivers_autoprobe_show(platform_bus_type)).toBe('0\n');
    const a = await add('foxes', 0);
    const b = await add('foxes', 1);
    expect(a.dev.driver).toBeNull();
    expect(await drivers_probe_store(platform_bus_type, 'foxes.0\n')).toBe(8);
    expect(await drivers_probe_store(platform_bus_type, 'nope\n')).toBe(-ENODEV);
    expect(a.dev.driver).toBe(foxes.driver);
    expect(b.dev.driver).toBeNull();
    expect(await bind_store(foxes.driver, 'foxes.1')).toBe(7);
    expect(b.dev.driver).toBe(foxes.driver);
  });
});
