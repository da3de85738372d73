/**
 * kmod's tools: `insmod FILE [args]`, `rmmod [-f] NAME...`, `modprobe [-qr] [--first-time]
 * NAME [args]`, `lsmod` and `modinfo NAME...`. The option parsing is here; what they do and
 * print is kmod's, from the kernel's modules package (see {@link KmodTools}).
 *
 * @module
 */

import type { KmodResult } from '../sys.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

async function report(proc: Proc, r: KmodResult): Promise<number> {
  if (r.stdout !== '') await proc.out(r.stdout);
  if (r.stderr !== '') await proc.err(r.stderr);
  return r.status;
}

export const insmod: Command = async (proc, argv) => {
  const [file, ...args] = argv;
  if (file === undefined) {
    await proc.err('insmod: ERROR: missing filename.\n');
    return 1;
  }
  return report(proc, await proc.sys.kmod.insmod(file, args));
};

export const rmmod: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'f');
  if (parsed === undefined) return 1;
  const force = parsed.opts.length > 0;
  return report(proc, await proc.sys.kmod.rmmod(parsed.operands, { force }));
};

export const modprobe: Command = async (proc, argv) => {
  const firstTime = argv.includes('--first-time');
  const parsed = await getopt(
    proc,
    argv.filter((a) => a !== '--first-time'),
    'qr',
  );
  if (parsed === undefined) return 1;
  const remove = parsed.opts.some(([o]) => o === 'r');
  const quiet = parsed.opts.some(([o]) => o === 'q');
  const [name, ...args] = parsed.operands;
  if (name === undefined) {
    await proc.err('modprobe: ERROR: missing parameters. See -h.\n');
    return 1;
  }
  if (remove) {
    let status = 0;
    for (const n of [name, ...args]) {
      status |= await report(
        proc,
        await proc.sys.kmod.modprobe(n, [], { remove, quiet, first_time: firstTime }),
      );
    }
    return status;
  }
  return report(proc, await proc.sys.kmod.modprobe(name, args, { quiet, first_time: firstTime }));
};

export const lsmod: Command = async (proc) => report(proc, proc.sys.kmod.lsmod());

export const modinfo: Command = async (proc, argv) => {
  if (argv.length === 0) {
    await proc.err('modinfo: ERROR: missing module or filename.\n');
    return 1;
  }
  return report(proc, proc.sys.kmod.modinfo(argv));
};
