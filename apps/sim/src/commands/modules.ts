/**
 * kmod's tools: `insmod FILE [params]`, `modprobe [-r] NAME [params]`, `rmmod NAME` and
 * `lsmod`, with kmod's messages. A module "file" is a module some package declared: the
 * machine's `/lib/modules` is the set of modules it knows, so `insmod foxes.ko` and
 * `modprobe foxes` both find `foxes`.
 *
 * @module
 */

import { UTS_RELEASE } from '../release.js';
import { strerror } from '../strerror.js';
import { O_NONBLOCK } from '../sys.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

const ENOENT = 2;
const ENOEXEC = 8;
const EBUSY = 16;
const EEXIST = 17;

/** `foxes.ko` or `/lib/modules/…/foxes.ko` → `foxes`; kmod treats `-` and `_` alike. */
function moduleName(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.ko$/, '').replaceAll('-', '_');
}

/** kmod's `mod_strerror()`: what a failed init_module() means for a module. */
function modStrerror(errno: number): string {
  if (errno === -ENOEXEC) return 'Invalid module format';
  if (errno === -ENOENT) return 'Unknown symbol in module, or unknown parameter (see dmesg)';
  return strerror(errno);
}

export const insmod: Command = async (proc, argv) => {
  const [file, ...params] = argv;
  if (file === undefined) {
    await proc.err('insmod: ERROR: missing filename.\n');
    return 1;
  }
  const name = moduleName(file);
  if (!proc.sys.module_available(name)) {
    await proc.err(`insmod: ERROR: could not load module ${file}: No such file or directory\n`);
    return 1;
  }
  const err = await proc.sys.init_module(name, params.join(' '));
  if (err < 0) {
    await proc.err(`insmod: ERROR: could not insert module ${file}: ${modStrerror(err)}\n`);
    return 1;
  }
  return 0;
};

async function isLoaded(proc: Proc, name: string): Promise<boolean> {
  return (await proc.sys.modules()).some((m) => m.name === name);
}

/** rmmod's checks and messages; `tool` is `rmmod` or `modprobe` (whose errors are FATAL). */
async function remove(proc: Proc, name: string, tool: 'rmmod' | 'modprobe'): Promise<number> {
  const level = tool === 'rmmod' ? 'ERROR' : 'FATAL';
  const mod = (await proc.sys.modules()).find((m) => m.name === name);
  if (mod === undefined) {
    await proc.err(`${tool}: ${level}: Module ${name} is not currently loaded\n`);
    return 1;
  }
  if (mod.refcnt > 0 || mod.holders.length > 0) {
    await proc.err(
      `${tool}: ${level}: Module ${name} is in use${tool === 'modprobe' ? '.' : ''}\n`,
    );
    return 1;
  }
  const err = await proc.sys.delete_module(name, O_NONBLOCK);
  if (err === -EBUSY) {
    await proc.err(
      `${tool}: ${level}: Module ${name} is in use${tool === 'modprobe' ? '.' : ''}\n`,
    );
    return 1;
  }
  if (err < 0) {
    await proc.err(`${tool}: ${level}: could not remove module ${name}: ${strerror(err)}\n`);
    return 1;
  }
  return 0;
}

export const rmmod: Command = async (proc, argv) => {
  if (argv.length === 0) {
    await proc.err('rmmod: ERROR: missing module name.\n');
    return 1;
  }
  let status = 0;
  for (const file of argv) status |= await remove(proc, moduleName(file), 'rmmod');
  return status;
};

export const modprobe: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'rq');
  if (parsed === undefined) return 1;
  const removing = parsed.opts.some(([o]) => o === 'r');
  const [first, ...rest] = parsed.operands;
  if (first === undefined) {
    await proc.err('modprobe: ERROR: missing parameters. See -h.\n');
    return 1;
  }
  const name = moduleName(first);
  if (!proc.sys.module_available(name)) {
    await proc.err(
      `modprobe: FATAL: Module ${name} not found in directory /lib/modules/${UTS_RELEASE}\n`,
    );
    return 1;
  }
  if (removing) {
    let status = 0;
    for (const m of [first, ...rest]) status |= await remove(proc, moduleName(m), 'modprobe');
    return status;
  }
  if (await isLoaded(proc, name)) return 0;
  const err = await proc.sys.init_module(name, rest.join(' '));
  if (err < 0 && err !== -EEXIST) {
    await proc.err(`modprobe: ERROR: could not insert '${name}': ${modStrerror(err)}\n`);
    return 1;
  }
  return 0;
};

export const lsmod: Command = async (proc) => {
  let out = 'Module                  Size  Used by\n';
  for (const m of await proc.sys.modules()) {
    out += `${m.name.padEnd(19)} ${String(m.size).padStart(8)}  ${m.refcnt}`;
    if (m.holders.length > 0) out += ` ${m.holders.join(',')}`;
    out += '\n';
  }
  await proc.out(out);
  return 0;
};
