import {
  ENODEV,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIOCHIP_INFO_SIZE,
  gpio_device_list,
  kmod_lsmod,
  kmod_modprobe,
  kmod_rmmod,
  libc,
  module_reset,
  O_RDONLY,
  sim_spawn,
  sysfs_readlink,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import { pl061_kernel_reset } from '../functional/kernel.js';
import { pl061_board_add, pl061_board_remove } from '../hw/board.js';
import './module.js';

beforeEach(() => {
  pl061_kernel_reset();
  module_reset();
});

describe('the gpio_pl061_c module', () => {
  it('binds pl061_gpio to the board PL061 on modprobe and unbinds it on rmmod, open chip or not', async () => {
    const board = await pl061_board_add();
    if (typeof board === 'number') throw new Error(`pl061_board_add: ${board}`);
    expect((await kmod_modprobe('gpio_pl061_c')).status).toBe(0);
    expect(kmod_lsmod().stdout).toMatch(/^gpio_pl061_c\s+16384\s+0\n/m);
    expect(sysfs_readlink('/sys/bus/amba/devices/feb00000.pl061/driver')).toMatch(
      /drivers\/pl061_gpio$/,
    );
    // As in Linux, /dev/gpiochipN belongs to gpiolib, not to the driver's module: an
    // open chip does not keep the module, and the file is numb once it has gone.
    const seen: (number | string)[] = [];
    const code = await sim_spawn('gpioinfo', async () => {
      const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
      if (fd < 0) return fd;
      const rmmod = await kmod_rmmod(['gpio_pl061_c']);
      seen.push(rmmod.status, rmmod.stderr);
      seen.push(await libc.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, new Uint8Array(GPIOCHIP_INFO_SIZE)));
      return libc.close(fd);
    }).exited;
    expect(code).toBe(0);
    expect(seen).toEqual([0, '', -ENODEV]);
    expect(kmod_lsmod().stdout).not.toContain('gpio_pl061_c');
    expect(gpio_device_list()).toEqual([]);
    await pl061_board_remove(board);
  });
});
