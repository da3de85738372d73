import {
  declare_module,
  MISC_DYNAMIC_MINOR,
  misc_deregister,
  misc_register,
  type miscdevice,
  msleep,
  simple_read_from_buffer,
} from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { simRun } from './sim-run.js';

/**
 * A module with a misc device whose read() sleeps a second before it answers: long
 * enough for another command to run while the device is open.
 */
function declareFoxes(): void {
  let misc: miscdevice | undefined;
  declare_module({
    name: 'slowfoxes',
    license: 'GPL',
    description: 'three foxes in a misc device',
    init: (_params, mod) => {
      misc = {
        minor: MISC_DYNAMIC_MINOR,
        name: 'slowfoxes',
        mode: 0o444,
        fops: {
          owner: mod,
          read: async (_file, buf, count, ppos) => {
            await msleep(1000);
            return simple_read_from_buffer(
              buf,
              count,
              ppos,
              new TextEncoder().encode('three foxes\n'),
            );
          },
        },
      };
      return misc_register(misc);
    },
    exit: () => {
      if (misc) misc_deregister(misc);
    },
  });
}

describe("kmod's tools in the shell", () => {
  it('insmod, lsmod, rmmod of a module whose device is open, then modprobe -r', async () => {
    declareFoxes();
    // The default machine boots with its sample drivers loaded: lsmod lists them below foxes.
    const base = (await simRun('lsmod')).stdout;
    const header = 'Module                  Size  Used by\n';
    expect(base.startsWith(header)).toBe(true);
    const r = await simRun(
      'insmod slowfoxes.ko; lsmod; cat /dev/slowfoxes; cat /dev/slowfoxes | rmmod slowfoxes; echo $?; rmmod slowfoxes; lsmod; modprobe slowfoxes; modprobe -r slowfoxes; modprobe wolves',
    );
    expect(r.stdout).toBe(
      // lsmod lists the newest module first.
      `${header}slowfoxes              16384  0\n${base.slice(header.length)}` +
        'three foxes\n' +
        '1\n' +
        base,
    );
    expect(r.stderr).toBe(
      'rmmod: ERROR: Module slowfoxes is in use\n' +
        'modprobe: FATAL: Module wolves not found in directory /lib/modules/6.12.0-rfl\n',
    );
    expect(r.status).toBe(1);
  });
});
