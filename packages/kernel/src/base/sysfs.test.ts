import { beforeEach, describe, expect, it } from 'vitest';
import { EACCES, ENODEV, ENOENT } from '../errno.js';
import { sysfs_read, sysfs_readdir, sysfs_readlink, sysfs_write } from '../fs/sysfs/access.js';
import { uevent_log, uevent_log_clear } from '../lib/kobject_uevent.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg_clear } from '../printk.js';
import { sim_run_until_idle } from '../time/timer.js';
import { amba_device_add, amba_device_alloc } from './amba.js';
import { driver_init } from './init.js';
import {
  type platform_device,
  platform_device_register_simple,
  platform_device_unregister,
  type platform_driver,
  platform_driver_register,
  platform_driver_unregister,
} from './platform.js';
import { DEFINE_RES_MEM } from './resource.js';
import { register_virtio_device, VIRTIO_ID_NET, virtio_device } from './virtio.js';

let events: string[];
const foxes: platform_driver = {
  driver: { name: 'foxes' },
  probe: () => {
    events.push('probe');
    return 0;
  },
  remove: () => void events.push('remove'),
};

async function add(name: string, id: number): Promise<platform_device> {
  const p = await platform_device_register_simple(name, id, [
    DEFINE_RES_MEM(0x9000000 + id * 0x1000, 0x1000),
  ]);
  if (typeof p === 'number') throw new Error(String(p));
  return p;
}

beforeEach(async () => {
  await sim_run_until_idle();
  mm_init({ quiet: true });
  driver_init();
  panic_reset();
  dmesg_clear();
  uevent_log_clear();
  events = [];
});

describe('the device model in sysfs', () => {
  it('has a directory per bus with devices/, drivers/ and its files', () => {
    expect(sysfs_readdir('/sys/bus')).toEqual(['amba', 'platform', 'virtio']);
    expect(sysfs_readdir('/sys/bus/platform')).toEqual([
      'devices',
      'drivers',
      'drivers_autoprobe',
      'drivers_probe',
      'uevent',
    ]);
    expect(sysfs_read('/sys/bus/platform/drivers_autoprobe')).toBe('1\n');
    expect(sysfs_read('/sys/bus/platform/drivers_probe')).toBe(-EACCES);
    expect(sysfs_readdir('/sys/devices/platform')).toEqual(['uevent']);
  });

  it('links a bound device and its driver both ways', async () => {
    await platform_driver_register(foxes);
    await add('foxes', 0);
    expect(sysfs_readdir('/sys/bus/platform/devices')).toEqual(['foxes.0']);
    expect(sysfs_readlink('/sys/bus/platform/devices/foxes.0')).toBe(
      '../../../devices/platform/foxes.0',
    );
    expect(sysfs_readdir('/sys/devices/platform/foxes.0')).toEqual([
      'driver',
      'driver_override',
      'modalias',
      'subsystem',
      'uevent',
    ]);
    expect(sysfs_readlink('/sys/devices/platform/foxes.0/driver')).toBe(
      '../../../bus/platform/drivers/foxes',
    );
    expect(sysfs_readlink('/sys/devices/platform/foxes.0/subsystem')).toBe('../../../bus/platform');
    expect(sysfs_readdir('/sys/bus/platform/drivers/foxes')).toEqual([
      'bind',
      'foxes.0',
      'uevent',
      'unbind',
    ]);
    expect(sysfs_read('/sys/devices/platform/foxes.0/uevent')).toBe(
      'DRIVER=foxes\nMODALIAS=platform:foxes\n',
    );
    expect(sysfs_read('/sys/bus/platform/devices/foxes.0/modalias')).toBe('platform:foxes\n');
  });

  it('echo <dev> > unbind and > bind rebind the device, with the errnos write(2) gets', async () => {
    await platform_driver_register(foxes);
    await add('foxes', 0);
    expect(await sysfs_write('/sys/bus/platform/drivers/foxes/unbind', 'foxes.0\n')).toBe(8);
    expect(sysfs_readlink('/sys/devices/platform/foxes.0/driver')).toBe(-ENOENT);
    expect(sysfs_readdir('/sys/bus/platform/drivers/foxes')).toEqual(['bind', 'uevent', 'unbind']);
    expect(await sysfs_write('/sys/bus/platform/drivers/foxes/unbind', 'foxes.0\n')).toBe(-ENODEV);
    expect(await sysfs_write('/sys/bus/platform/drivers/foxes/bind', 'foxes.0\n')).toBe(8);
    expect(sysfs_readlink('/sys/devices/platform/foxes.0/driver')).toBe(
      '../../../bus/platform/drivers/foxes',
    );
    expect(events).toEqual(['probe', 'remove', 'probe']);
  });

  it('driver_override and drivers_probe move a device to another driver', async () => {
    await platform_driver_register(foxes);
    const vfio: platform_driver = { driver: { name: 'vfio-platform' }, probe: () => 0 };
    await platform_driver_register(vfio);
    const p = await add('foxes', 0);
    expect(sysfs_read('/sys/devices/platform/foxes.0/driver_override')).toBe('(null)\n');
    expect(
      await sysfs_write('/sys/devices/platform/foxes.0/driver_override', 'vfio-platform\n'),
    ).toBe(14);
    expect(await sysfs_write('/sys/bus/platform/drivers/foxes/unbind', 'foxes.0')).toBe(7);
    expect(await sysfs_write('/sys/bus/platform/drivers_probe', 'foxes.0')).toBe(7);
    expect(p.dev.driver?.name).toBe('vfio-platform');
    expect(await sysfs_write('/sys/devices/platform/foxes.0/driver_override', '\n')).toBe(1);
    expect(sysfs_read('/sys/devices/platform/foxes.0/driver_override')).toBe('(null)\n');
  });

  it('drivers_autoprobe 0 stops binding until asked', async () => {
    expect(await sysfs_write('/sys/bus/platform/drivers_autoprobe', '0')).toBe(1);
    await platform_driver_register(foxes);
    const p = await add('foxes', 0);
    expect(p.dev.driver).toBeNull();
    expect(await sysfs_write('/sys/bus/platform/drivers/foxes/bind', 'foxes.0')).toBe(7);
    expect(p.dev.driver).toBe(foxes.driver);
  });

  it('sends add, bind, unbind and remove uevents as udev sees them', async () => {
    await platform_driver_register(foxes);
    uevent_log_clear();
    const p = await add('foxes', 0);
    await sysfs_write('/sys/bus/platform/drivers/foxes/unbind', 'foxes.0');
    await platform_device_unregister(p);
    expect(uevent_log().map((e) => e.envp.slice(0, -1))).toEqual([
      [
        'ACTION=add',
        'DEVPATH=/devices/platform/foxes.0',
        'SUBSYSTEM=platform',
        'MODALIAS=platform:foxes',
      ],
      [
        'ACTION=bind',
        'DEVPATH=/devices/platform/foxes.0',
        'SUBSYSTEM=platform',
        'DRIVER=foxes',
        'MODALIAS=platform:foxes',
      ],
      [
        'ACTION=unbind',
        'DEVPATH=/devices/platform/foxes.0',
        'SUBSYSTEM=platform',
        'MODALIAS=platform:foxes',
      ],
      [
        'ACTION=remove',
        'DEVPATH=/devices/platform/foxes.0',
        'SUBSYSTEM=platform',
        'MODALIAS=platform:foxes',
      ],
    ]);
    expect(sysfs_readdir('/sys/devices/platform/foxes.0')).toBe(-ENOENT);
    expect(sysfs_readdir('/sys/bus/platform/devices')).toEqual([]);
  });

  it('echo change > uevent replays an event with SYNTH_UUID=0', async () => {
    await add('foxes', 0);
    uevent_log_clear();
    expect(await sysfs_write('/sys/devices/platform/foxes.0/uevent', 'change\n')).toBe(7);
    expect(uevent_log()[0]?.envp).toContain('SYNTH_UUID=0');
    expect(uevent_log()[0]?.action).toBe('change');
    expect(await sysfs_write('/sys/devices/platform/foxes.0/uevent', 'explode\n')).toBe(-22);
  });

  it('a driver directory comes and goes with the driver, with its uevents', async () => {
    await platform_driver_register(foxes);
    expect(uevent_log().map((e) => `${e.action} ${e.devpath} ${e.subsystem}`)).toEqual([
      'add /bus/platform/drivers/foxes drivers',
    ]);
    await platform_driver_unregister(foxes);
    expect(sysfs_readdir('/sys/bus/platform/drivers')).toEqual([]);
    expect(uevent_log().at(-1)?.action).toBe('remove');
  });

  it('AMBA and virtio devices show their ids', async () => {
    const gpio = amba_device_alloc('9030000.pl061', 0x9030000, 0x1000);
    gpio.periphid = 0x00341061;
    await amba_device_add(gpio);
    expect(sysfs_read('/sys/bus/amba/devices/9030000.pl061/id')).toBe('00341061\n');
    expect(sysfs_read('/sys/bus/amba/devices/9030000.pl061/resource')).toBe(
      '0000000009030000\t0000000009030fff\t0000000000000200\n',
    );
    const v = new virtio_device({ device: VIRTIO_ID_NET, vendor: 0x554d4551 });
    v.dev.release = () => {};
    v.dev.parent = gpio.dev;
    await register_virtio_device(v);
    expect(sysfs_readlink('/sys/bus/virtio/devices/virtio0')).toBe(
      '../../../devices/platform/9030000.pl061/virtio0',
    );
    expect(sysfs_read('/sys/bus/virtio/devices/virtio0/device')).toBe('0x0001\n');
    expect(sysfs_read('/sys/bus/virtio/devices/virtio0/modalias')).toBe(
      'virtio:d00000001v554D4551\n',
    );
  });

  it('driver_init() gives a fresh tree, whatever the last test left', async () => {
    await platform_driver_register(foxes);
    await add('foxes', 0);
    driver_init();
    expect(sysfs_readdir('/sys/bus/platform/drivers')).toEqual([]);
    expect(sysfs_readdir('/sys/devices/platform')).toEqual(['uevent']);
  });
});
