import { beforeEach, describe, expect, it } from 'vitest';
import { EEXIST, EINVAL } from '../../errno.js';
import { MKDEV } from '../../fs/kdev_t.js';
import { sysfs_read, sysfs_readdir, sysfs_readlink, sysfs_write } from '../../fs/sysfs/access.js';
import { kobject_create_and_add } from '../../lib/kobject.js';
import { devices_kset } from '../../lib/kobject_roots.js';
import { uevent_log } from '../../lib/kobject_uevent.js';
import { mm_init } from '../../mm/init.js';
import { driver_core_fs_init } from './boot.js';
import {
  class_create,
  class_destroy,
  class_devices,
  class_register,
  type device_attribute,
  type device_class,
  device_create,
  device_create_with_groups,
  device_destroy,
} from './class_device.js';

beforeEach(() => {
  mm_init({ quiet: true });
  driver_core_fs_init();
});

function must_class(name: string): device_class {
  const cls = class_create(name);
  if (typeof cls === 'number') throw new Error(`class_create ${name}: ${cls}`);
  return cls;
}

describe('classes', () => {
  it('appear in /sys/class and refuse a second registration', () => {
    const foxes = must_class('foxes');
    expect(sysfs_readdir('/sys/class/foxes')).toEqual([]);
    expect(class_register(foxes)).toBe(-EEXIST);
    expect(class_create('foxes')).toBe(-EEXIST);
    class_destroy(foxes);
    expect(sysfs_readdir('/sys/class/foxes')).toBe(-2);
    expect(device_create(foxes, null, 0, null, 'x')).toBe(-EINVAL);
  });
});

describe('class devices', () => {
  it('go under their parent, link back to it, and carry groups', () => {
    const foxes = must_class('foxes');
    const parent = kobject_create_and_add('platform_fox', devices_kset.kobj)!;
    const speed: device_attribute = {
      name: 'speed',
      mode: 0o644,
      show: (dev) => `${(dev.driver_data as { speed: number }).speed}\n`,
      store: (dev, _attr, buf) => {
        (dev.driver_data as { speed: number }).speed = Number(buf);
        return buf.length;
      },
    };
    const data = { speed: 3 };
    const dev = device_create_with_groups(
      foxes,
      { kobj: parent },
      MKDEV(240, 0),
      data,
      [{ attrs: [speed] }],
      'fox%d',
      0,
    );
    if (typeof dev === 'number') throw new Error(`device_create: ${dev}`);
    expect(sysfs_readlink('/sys/class/foxes/fox0')).toBe('../../devices/platform_fox/fox0');
    expect(sysfs_readlink('/sys/devices/platform_fox/fox0/device')).toBe('..');
    expect(sysfs_read('/sys/class/foxes/fox0/speed')).toBe('3\n');
    expect(sysfs_write('/sys/class/foxes/fox0/speed', '9')).toBe(1);
    expect(data.speed).toBe(9);
    expect(class_devices(foxes)).toEqual([dev]);
    device_destroy(foxes, MKDEV(240, 0));
    expect(sysfs_readdir('/sys/devices/platform_fox')).toEqual([]);
    expect(class_devices(foxes)).toEqual([]);
  });

  it('send a synthetic uevent when their uevent file is written', () => {
    const foxes = must_class('foxes');
    device_create(foxes, null, MKDEV(240, 1), null, 'fox1');
    expect(sysfs_write('/sys/class/foxes/fox1/uevent', 'change\n')).toBe(7);
    expect(sysfs_write('/sys/class/foxes/fox1/uevent', 'explode')).toBe(-EINVAL);
    const last = uevent_log().at(-1)!;
    expect(last.envp).toEqual([
      'ACTION=change',
      'DEVPATH=/devices/virtual/foxes/fox1',
      'SUBSYSTEM=foxes',
      'MAJOR=240',
      'MINOR=1',
      'DEVNAME=fox1',
      `SEQNUM=${last.seqnum}`,
    ]);
  });

  it('remove the class glue directory with the last device', () => {
    const foxes = must_class('foxes');
    device_create(foxes, null, 0, null, 'nodev');
    expect(sysfs_readdir('/sys/devices/virtual/foxes/nodev')).toEqual(['subsystem', 'uevent']);
    device_destroy(foxes, 0);
    expect(sysfs_readdir('/sys/devices/virtual/foxes')).toBe(-2);
  });
});
