import { beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, EEXIST, EINVAL, ENODEV } from '../../errno.js';
import { devtmpfs_root } from '../../fs/devtmpfs.js';
import { O_RDONLY } from '../../fs/fcntl.js';
import type { file, inode } from '../../fs/fs.js';
import { vfs_init } from '../../fs/init.js';
import { MKDEV } from '../../fs/kdev_t.js';
import { sysfs_read, sysfs_readlink } from '../../fs/sysfs/access.js';
import { uevent_log } from '../../lib/kobject_uevent.js';
import { mm_init } from '../../mm/init.js';
import { panic_reset } from '../../panic.js';
import { dmesg, dmesg_clear } from '../../printk.js';
import { sim_spawn } from '../../sched/core.js';
import { libc } from '../../user/libc.js';
import { driver_core_fs_init } from './boot.js';
import { MISC_DYNAMIC_MINOR, misc_deregister, misc_register, type miscdevice } from './misc.js';

function misc(
  name: string,
  minor = MISC_DYNAMIC_MINOR,
  extra: Partial<miscdevice> = {},
): miscdevice {
  return { minor, name, fops: {}, ...extra };
}

function log_lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  dmesg_clear();
  panic_reset();
});

describe('misc minors', () => {
  it('hands out dynamic minors from 256 up, reusing freed ones first', () => {
    const a = misc('a');
    const b = misc('b');
    const c = misc('c');
    expect([misc_register(a), misc_register(b), misc_register(c)]).toEqual([0, 0, 0]);
    expect([a.minor, b.minor, c.minor]).toEqual([256, 257, 258]);
    misc_deregister(b);
    expect(b.minor).toBe(MISC_DYNAMIC_MINOR);
    const d = misc('d');
    misc_register(d);
    expect(d.minor).toBe(257);
  });

  it('takes a free fixed minor and refuses a taken one with -EBUSY', () => {
    expect(misc_register(misc('watchdog', 130))).toBe(0);
    expect(misc_register(misc('other', 130))).toBe(-EBUSY);
    expect(sysfs_read('/sys/class/misc/watchdog/dev')).toBe('10:130\n');
  });

  it('refuses a fixed minor above 254 and a second registration with -EINVAL', () => {
    expect(misc_register(misc('big', 300))).toBe(-EINVAL);
    expect(log_lines()).toContain("Invalid fixed minor 300 for miscdevice 'big'");
    const m = misc('twice');
    expect(misc_register(m)).toBe(0);
    expect(misc_register(m)).toBe(-EINVAL);
    expect(log_lines()).toContain("Invalid fixed minor 256 for miscdevice 'twice'");
  });

  it('fails a taken name with -EEXIST and gives the minor back', () => {
    expect(misc_register(misc('fox'))).toBe(0);
    const dup = misc('fox');
    expect(misc_register(dup)).toBe(-EEXIST);
    expect(dup.minor).toBe(MISC_DYNAMIC_MINOR);
    expect(log_lines()).toContain(
      "sysfs: cannot create duplicate filename '/devices/virtual/misc/fox'",
    );
    const next = misc('next');
    misc_register(next);
    expect(next.minor).toBe(257);
  });

  it('warns when deregistering a device that is not registered', () => {
    misc_deregister(misc('ghost'));
    expect(dmesg()).toContain('WARNING:');
  });
});

describe('the misc class device and node', () => {
  it('shows the device in sysfs and devtmpfs and sends add/remove uevents', () => {
    const m = misc('foxes', MISC_DYNAMIC_MINOR, { mode: 0o666 });
    misc_register(m);
    expect(sysfs_read('/sys/class/misc/foxes/dev')).toBe('10:256\n');
    expect(sysfs_read('/sys/class/misc/foxes/uevent')).toBe(
      'MAJOR=10\nMINOR=256\nDEVNAME=foxes\nDEVMODE=0666\n',
    );
    expect(sysfs_readlink('/sys/class/misc/foxes')).toBe('../../devices/virtual/misc/foxes');
    expect(sysfs_readlink('/sys/dev/char/10:256')).toBe('../../devices/virtual/misc/foxes');
    expect(sysfs_readlink('/sys/devices/virtual/misc/foxes/subsystem')).toBe(
      '../../../../class/misc',
    );
    const node = devtmpfs_root()!.d_subdirs.get('foxes')!.d_inode!;
    expect(node.i_mode).toBe(0o20666);
    expect(node.i_rdev).toBe(MKDEV(10, 256));
    misc_deregister(m);
    expect(devtmpfs_root()!.d_subdirs.has('foxes')).toBe(false);
    expect(sysfs_read('/sys/class/misc/foxes/dev')).toBe(-2);
    expect(
      uevent_log()
        .slice(-2)
        .map((e) => `${e.action}@${e.devpath}`),
    ).toEqual(['add@/devices/virtual/misc/foxes', 'remove@/devices/virtual/misc/foxes']);
  });

  it('puts the node at nodename, with 0600 by default, and removes the directory it made', () => {
    const m = misc('tun', MISC_DYNAMIC_MINOR, { nodename: 'net/tun' });
    misc_register(m);
    const net = devtmpfs_root()!.d_subdirs.get('net')!;
    expect(net.d_subdirs.get('tun')!.d_inode!.i_mode).toBe(0o20600);
    misc_deregister(m);
    expect(devtmpfs_root()!.d_subdirs.has('net')).toBe(false);
  });

  it('opens through the node: private_data is the miscdevice, then the driver open runs', async () => {
    const seen: unknown[] = [];
    const m: miscdevice = misc('den', MISC_DYNAMIC_MINOR, {
      fops: {
        open: (_inode: inode, filp: file) => {
          seen.push(filp.private_data);
          return 0;
        },
      },
    });
    misc_register(m);
    const task = sim_spawn('opener', async () => {
      const fd = await libc.open('/dev/den', O_RDONLY);
      expect(fd).toBeGreaterThanOrEqual(0);
      await libc.close(fd);
      expect(await libc.mknod('/tmp/stale', 0o20600, (10 << 8) | 200)).toBe(0);
      expect(await libc.open('/tmp/stale', O_RDONLY)).toBe(-ENODEV);
      misc_deregister(m);
      expect(await libc.open('/dev/den', O_RDONLY)).toBe(-2);
      return 0;
    });
    expect(await task.exited).toBe(0);
    expect(seen).toEqual([m]);
  });
});
