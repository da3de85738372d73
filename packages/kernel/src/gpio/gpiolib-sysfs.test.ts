import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EBUSY, EINVAL, ENOENT, EPERM } from '../errno.js';
import { O_RDONLY } from '../fs/fcntl.js';
import { vfs_init } from '../fs/init.js';
import { POLLERR, POLLPRI } from '../fs/select.js';
import { sysfs_read, sysfs_readdir, sysfs_write } from '../fs/sysfs/access.js';
import { irq_init } from '../irq/init.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_run_pending } from '../sched/core.js';
import { libc } from '../user/libc.js';
import { gpio_sim_add, gpio_sim_remove } from './gpio-sim.js';
import { gpio_init } from './gpiolib.js';
import { gpio_sysfs_edge_count } from './gpiolib-sysfs.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  irq_init();
  gpio_init();
  panic_reset();
  dmesg_clear();
});

describe('/sys/class/gpio', () => {
  it('lists every chip by its base with base, label and ngpio', () => {
    gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    expect(sysfs_readdir('/sys/class/gpio')).toEqual(['export', 'gpiochip512', 'unexport']);
    expect(sysfs_read('/sys/class/gpio/gpiochip512/base')).toBe('512\n');
    expect(sysfs_read('/sys/class/gpio/gpiochip512/label')).toBe('gpio-sim.0\n');
    expect(sysfs_read('/sys/class/gpio/gpiochip512/ngpio')).toBe('8\n');
  });

  it('exports a line, drives it through direction and value, and unexports it', () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    expect(sysfs_write('/sys/class/gpio/export', '515\n')).toBe(4);
    expect(sysfs_readdir('/sys/class/gpio/gpio515')).toEqual([
      'active_low',
      'device',
      'direction',
      'subsystem',
      'uevent',
      'value',
    ]);
    expect(sysfs_read('/sys/class/gpio/gpio515/direction')).toBe('in\n');
    sim.set_pull(3, 1);
    expect(sysfs_read('/sys/class/gpio/gpio515/value')).toBe('1\n');
    expect(sysfs_write('/sys/class/gpio/gpio515/value', '0')).toBe(-EPERM);
    expect(sysfs_write('/sys/class/gpio/gpio515/direction', 'sideways')).toBe(-EINVAL);
    expect(sysfs_write('/sys/class/gpio/gpio515/direction', 'high')).toBe(4);
    expect(sim.level(3)).toBe(1);
    expect(sysfs_write('/sys/class/gpio/gpio515/value', '0\n')).toBe(2);
    expect(sim.level(3)).toBe(0);
    expect(sysfs_write('/sys/class/gpio/gpio515/active_low', '1')).toBe(1);
    expect(sysfs_read('/sys/class/gpio/gpio515/value')).toBe('1\n');
    expect(sysfs_write('/sys/class/gpio/export', '515')).toBe(-EBUSY);
    expect(sysfs_write('/sys/class/gpio/unexport', '515')).toBe(3);
    expect(sysfs_read('/sys/class/gpio/gpio515/value')).toBe(-ENOENT);
    expect(sysfs_write('/sys/class/gpio/unexport', '515')).toBe(-EINVAL);
  });

  it('refuses numbers that are no line', () => {
    gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    expect(sysfs_write('/sys/class/gpio/export', '12')).toBe(-EINVAL);
    expect(sysfs_write('/sys/class/gpio/export', 'twelve')).toBe(-EINVAL);
    expect(dmesg()).toContain('export_store: invalid GPIO 12');
  });

  it('offers edge on lines that can interrupt, and counts the edges', () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 50 });
    sysfs_write('/sys/class/gpio/export', '513');
    expect(sysfs_read('/sys/class/gpio/gpio513/edge')).toBe('none\n');
    expect(sysfs_write('/sys/class/gpio/gpio513/edge', 'rising')).toBe(6);
    expect(sysfs_read('/sys/class/gpio/gpio513/edge')).toBe('rising\n');
    sim.set_pull(1, 1);
    sim.set_pull(1, 0);
    sim.set_pull(1, 1);
    const desc = sim.chip.gpiodev!.descs[1]!;
    expect(gpio_sysfs_edge_count(desc)).toBe(2);
    // The line is an interrupt now: it cannot drive.
    expect(sysfs_write('/sys/class/gpio/gpio513/direction', 'out')).toBe(-5);
    expect(sysfs_write('/sys/class/gpio/gpio513/edge', 'none')).toBe(4);
    expect(sysfs_write('/sys/class/gpio/gpio513/direction', 'out')).toBe(3);
  });

  it('makes value pollable: POLLPRI|POLLERR after an edge, until it is read again', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 51 });
    sysfs_write('/sys/class/gpio/export', '514');
    sysfs_write('/sys/class/gpio/gpio514/edge', 'both');
    const fd = await libc.open('/sys/class/gpio/gpio514/value', O_RDONLY);
    expect(new TextDecoder().decode((await libc.read(fd, 8)) as Uint8Array)).toBe('0\n');
    const pfd = [{ fd, events: POLLPRI, revents: 0 }];
    expect(await libc.poll(pfd, 0)).toBe(0);
    const waiting = libc.poll(pfd, -1);
    await sim_run_pending();
    sim.set_pull(2, 1);
    expect(await waiting).toBe(1);
    expect(pfd[0]!.revents).toBe(POLLPRI | POLLERR);
    await libc.lseek(fd, 0, 0);
    expect(new TextDecoder().decode((await libc.read(fd, 8)) as Uint8Array)).toBe('1\n');
    expect(await libc.poll(pfd, 0)).toBe(0);
    await libc.close(fd);
  });

  it('unexports the lines of a chip that goes away, without complaint', () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    sysfs_write('/sys/class/gpio/export', '512');
    gpio_sim_remove(sim);
    expect(sysfs_readdir('/sys/class/gpio')).toEqual(['export', 'unexport']);
    expect(dmesg()).not.toContain('REMOVING GPIOCHIP');
  });
});
