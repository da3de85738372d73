/**
 * The user-space side of modules: what kmod's `insmod`, `rmmod`, `modprobe`,
 * `lsmod` and `modinfo` print and exit with, over the kernel's `finit_module`
 * and `delete_module`. The sim shell runs these in the command's task and prints
 * `stdout` and `stderr`; messages are kmod's (`rmmod: ERROR: Module foxes is in
 * use`, `insmod: ERROR: could not insert module foxes.ko: Invalid parameters`).
 *
 * @example
 * ```ts
 * import { declare_module, kmod_insmod, kmod_rmmod, module_reset } from '@rfl/kernel';
 * module_reset();
 * declare_module({ name: 'kmod_demo', license: 'GPL', params: { n: { type: 'int', default: 0 } }, init: () => 0, exit: () => {} });
 * const failed = await kmod_insmod('kmod_demo.ko', ['n=two']);
 * failed.stderr // => 'insmod: ERROR: could not insert module kmod_demo.ko: Invalid parameters\n'
 * const loaded = await kmod_insmod('kmod_demo.ko', ['n=2']);
 * loaded.status // => 0
 * const removed = await kmod_rmmod(['kmod_demo']);
 * removed.status // => 0
 * const again = await kmod_rmmod(['kmod_demo']);
 * again.stderr // => 'rmmod: ERROR: Module kmod_demo is not currently loaded\n'
 * ```
 *
 * @module
 */

import {
  EACCES,
  EAGAIN,
  EBUSY,
  EEXIST,
  EFAULT,
  EINTR,
  EINVAL,
  EIO,
  ENODEV,
  ENOENT,
  ENOEXEC,
  ENOMEM,
  ENOSPC,
  ENOSYS,
  ENXIO,
  EPERM,
  ERANGE,
  ESRCH,
  ETIMEDOUT,
  errno_description,
} from '../errno.js';
import { find_module_file, module_dependencies, module_dir } from './declare.js';
import {
  delete_module,
  load_declared_module,
  MODULE_DELETE_O_NONBLOCK,
  MODULE_DELETE_O_TRUNC,
} from './main.js';
import { find_module, module_name_normalize, module_refcount } from './module.js';
import { lsmod_show, modinfo_show } from './procfs.js';

/** What a tool run leaves: its exit status and what it wrote. */
export interface kmod_result {
  status: number;
  stdout: string;
  stderr: string;
}

/** glibc's `strerror` texts of the errnos module tools meet. */
const STRERROR: Record<number, string> = {
  [EPERM]: 'Operation not permitted',
  [ENOENT]: 'No such file or directory',
  [ESRCH]: 'No such process',
  [EINTR]: 'Interrupted system call',
  [EIO]: 'Input/output error',
  [ENXIO]: 'No such device or address',
  [ENOEXEC]: 'Exec format error',
  [EAGAIN]: 'Resource temporarily unavailable',
  [ENOMEM]: 'Cannot allocate memory',
  [EACCES]: 'Permission denied',
  [EFAULT]: 'Bad address',
  [EBUSY]: 'Device or resource busy',
  [EEXIST]: 'File exists',
  [ENODEV]: 'No such device',
  [EINVAL]: 'Invalid argument',
  [ENOSPC]: 'No space left on device',
  [ERANGE]: 'Numerical result out of range',
  [ENOSYS]: 'Function not implemented',
  [ETIMEDOUT]: 'Connection timed out',
};

/** `strerror(err)` for a positive errno, as glibc words it. */
export function kmod_strerror(err: number): string {
  return STRERROR[err] ?? errno_description(-err) ?? `Unknown error ${err}`;
}

/** insmod's `mod_strerror`: its own words for the errors of a module load. */
function mod_strerror(err: number): string {
  switch (err) {
    case ENOEXEC:
      return 'Invalid module format';
    case ENOENT:
      return 'Unknown symbol in module';
    case ESRCH:
      return 'Module has wrong symbol version';
    case EINVAL:
      return 'Invalid parameters';
    default:
      return kmod_strerror(err);
  }
}

function result(status: number, stdout: string, stderr: string): kmod_result {
  return { status, stdout, stderr };
}

/**
 * `insmod filename [args...]`: loads the module file with the arguments joined by
 * spaces (no quoting, as insmod does).
 */
export async function kmod_insmod(
  filename: string,
  args: readonly string[] = [],
): Promise<kmod_result> {
  const decl = find_module_file(filename);
  if (!decl) {
    return result(
      1,
      '',
      `insmod: ERROR: could not load module ${filename}: No such file or directory\n`,
    );
  }
  const err = await load_declared_module(decl, args.join(' '));
  if (err < 0) {
    return result(
      1,
      '',
      `insmod: ERROR: could not insert module ${filename}: ${mod_strerror(-err)}\n`,
    );
  }
  return result(0, '', '');
}

/**
 * `rmmod [-f] modulename...`: kmod's in-use checks (holders, then the reference
 * count, both `EBUSY`), then `delete_module`. Exit status 1 if any name failed.
 */
export async function kmod_rmmod(
  names: readonly string[],
  options: { force?: boolean } = {},
): Promise<kmod_result> {
  if (names.length === 0) return result(1, '', 'rmmod: ERROR: missing module name.\n');
  let stderr = '';
  let failed = 0;
  for (const arg of names) {
    const base = arg.slice(arg.lastIndexOf('/') + 1);
    const name = module_name_normalize(base.endsWith('.ko') ? base.slice(0, -3) : base);
    const mod = find_module(name);
    if (!options.force) {
      if (!mod) {
        stderr += `rmmod: ERROR: Module ${name} is not currently loaded\n`;
        failed++;
        continue;
      }
      if (mod.source_list.length > 0) {
        stderr += `rmmod: ERROR: Module ${name} is in use by: ${mod.source_list.map((m) => m.name).join(' ')}\n`;
        failed++;
        continue;
      }
      if (module_refcount(mod) !== 0) {
        stderr += `rmmod: ERROR: Module ${name} is in use\n`;
        failed++;
        continue;
      }
    }
    const flags = MODULE_DELETE_O_NONBLOCK | (options.force ? MODULE_DELETE_O_TRUNC : 0);
    const err = await delete_module(name, flags);
    if (err < 0) {
      stderr += `rmmod: ERROR: could not remove module ${arg}: ${kmod_strerror(-err)}\n`;
      failed++;
    }
  }
  return result(failed ? 1 : 0, '', stderr);
}

/**
 * modprobe's joining of its arguments: a value with a space is quoted, so that
 * `modprobe foo name='two words'` reaches the kernel as `name="two words"`.
 */
function options_from_array(args: readonly string[]): string {
  return args
    .map((a) => {
      const eq = a.indexOf('=');
      if (eq < 0) return a;
      const value = a.slice(eq + 1);
      if (value.startsWith('"') || value.startsWith("'") || !value.includes(' ')) return a;
      return `${a.slice(0, eq + 1)}"${value}"`;
    })
    .join(' ');
}

/**
 * `modprobe [-r] [-q] [--first-time] name [args...]`: loads a module with its
 * dependencies (an already loaded module is success, unless `first_time`), or
 * with `remove` removes it and then the dependencies nothing uses any more.
 */
export async function kmod_modprobe(
  name: string,
  args: readonly string[] = [],
  options: { remove?: boolean; quiet?: boolean; first_time?: boolean } = {},
): Promise<kmod_result> {
  const say = (text: string) => (options.quiet ? '' : text);
  if (options.remove) return modprobe_remove_one(name, options, say);
  const decl = find_module_file(name);
  if (!decl) {
    return result(
      1,
      '',
      say(`modprobe: FATAL: Module ${name} not found in directory ${module_dir()}\n`),
    );
  }
  const fail = (modname: string, err: number) => {
    let why: string;
    if (err === -EEXIST) why = 'Module already in kernel';
    else if (err === -ENOENT) why = 'Unknown symbol in module, or unknown parameter (see dmesg)';
    else why = kmod_strerror(-err);
    return result(1, '', say(`modprobe: ERROR: could not insert '${modname}': ${why}\n`));
  };
  for (const dep of module_dependencies(decl)) {
    if (find_module(dep)) continue;
    const d = find_module_file(dep);
    if (!d) {
      return result(
        1,
        '',
        say(`modprobe: FATAL: Module ${dep} not found in directory ${module_dir()}\n`),
      );
    }
    const err = await load_declared_module(d, '');
    if (err < 0) return fail(dep, err);
  }
  if (find_module(decl.name))
    return options.first_time ? fail(decl.name, -EEXIST) : result(0, '', '');
  const err = await load_declared_module(decl, options_from_array(args));
  return err < 0 ? fail(decl.name, err) : result(0, '', '');
}

async function modprobe_remove_one(
  name: string,
  options: { first_time?: boolean },
  say: (text: string) => string,
): Promise<kmod_result> {
  const decl = find_module_file(name);
  const modname = decl?.name ?? module_name_normalize(name);
  const mod = find_module(modname);
  if (!mod) {
    if (!decl) return result(1, '', say(`modprobe: FATAL: Module ${name} not found.\n`));
    if (!options.first_time) return result(0, '', '');
    return result(1, '', say(`modprobe: FATAL: Module ${modname} is not in kernel.\n`));
  }
  if (module_refcount(mod) > 0) {
    return result(1, '', say(`modprobe: FATAL: Module ${modname} is in use.\n`));
  }
  const err = await delete_module(modname, MODULE_DELETE_O_NONBLOCK);
  if (err < 0) {
    return result(
      1,
      '',
      say(`modprobe: ERROR: could not remove '${modname}': ${kmod_strerror(-err)}\n`),
    );
  }
  for (const dep of decl ? module_dependencies(decl).reverse() : []) {
    const d = find_module(dep);
    if (d && module_refcount(d) === 0 && d.source_list.length === 0) {
      await delete_module(dep, MODULE_DELETE_O_NONBLOCK);
    }
  }
  return result(0, '', '');
}

/** `lsmod`. */
export function kmod_lsmod(): kmod_result {
  return result(0, lsmod_show(), '');
}

/** `modinfo name|file`: the fields of each module, or an error for an unknown one. */
export function kmod_modinfo(names: readonly string[]): kmod_result {
  let stdout = '';
  let stderr = '';
  let status = 0;
  for (const n of names) {
    const decl = find_module_file(n);
    if (!decl) {
      stderr += `modinfo: ERROR: Module ${n} not found.\n`;
      status = 1;
      continue;
    }
    stdout += modinfo_show(decl);
  }
  return result(status, stdout, stderr);
}
