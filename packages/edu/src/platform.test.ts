import {
  dma_init,
  dmesg,
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  EINVAL,
  io_init,
  irq_init,
  libc,
  mm_init,
  O_RDWR,
  platform_driver_register,
  platform_driver_unregister,
  resource_init,
  sim_spawn,
  sysfs_read,
  sysfs_readlink,
  vfs_init,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type edu_board, edu_board_add, edu_board_remove, edu_platform_driver } from './index.js';

let board: edu_board;

beforeEach(async () => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  io_init();
  resource_init();
  irq_init();
  dma_init();
  dmesg_clear();
  expect(await platform_driver_register(edu_platform_driver)).toBe(0);
  const b = await edu_board_add();
  if (typeof b === 'number') throw new Error(`edu_board_add: ${b}`);
  board = b;
});

afterEach(async () => {
  await edu_board_remove(board);
  await platform_driver_unregister(edu_platform_driver);
});

/** Runs `body` as a user process and returns its exit code. */
function run(body: () => Promise<number>): Promise<number> {
  return sim_spawn('edu-user', body).exited;
}

describe('/dev/edu', () => {
  it('is a misc device bound to the platform device', () => {
    expect(dmesg()).toContain('edu: version 1.0 at irq 1');
    expect(sysfs_read('/sys/class/misc/edu/dev')).toMatch(/^10:\d+\n$/);
    expect(sysfs_readlink('/sys/bus/platform/devices/edu/driver')).toMatch(/drivers\/edu$/);
  });

  it('computes the factorial written to it, for the reads that follow', async () => {
    const out: (string | number)[] = [];
    const text = (r: Uint8Array | number) =>
      typeof r === 'number' ? r : new TextDecoder().decode(r);
    const code = await run(async () => {
      const fd = await libc.open('/dev/edu', O_RDWR);
      if (fd < 0) return fd;
      out.push(text(await libc.read(fd, 64)));
      out.push(await libc.write(fd, '10\n'));
      out.push(text(await libc.read(fd, 64)));
      out.push(text(await libc.read(fd, 64)));
      out.push(await libc.write(fd, 'twelve'));
      out.push(await libc.write(fd, '12'));
      out.push(await libc.lseek(fd, 0, 0));
      out.push(text(await libc.read(fd, 64)));
      return libc.close(fd);
    });
    expect(code).toBe(0);
    expect(out).toEqual(['', 3, '3628800\n', '', -EINVAL, 2, 0, '479001600\n']);
  });

  it('keeps the last result for the next opener, as echo and cat need', async () => {
    const write = await run(async () => {
      const fd = await libc.open('/dev/edu', O_RDWR);
      const n = await libc.write(fd, '6\n');
      await libc.close(fd);
      return n;
    });
    expect(write).toBe(2);
    let line = '';
    await run(async () => {
      const fd = await libc.open('/dev/edu', O_RDWR);
      const r = await libc.read(fd, 64);
      if (typeof r !== 'number') line = new TextDecoder().decode(r);
      return libc.close(fd);
    });
    expect(line).toBe('720\n');
  });
});
