/**
 * `/sys/module/<name>` (kernel/module/sysfs.c, kernel/params.c): the directory
 * of each loaded module, with `initstate`, `refcnt`, `taint`, `coresize`,
 * `version` when it has one, `holders/` (a link per module using it, which is
 * where lsmod's "Used by" comes from) and `parameters/`, one file per parameter
 * declared with a non-zero `perm`, in that mode. Reading a parameter file shows
 * its value (`Y`/`N` for booleans); writing it sets the value with the same
 * rules as the command line, and a module reads the new value the next time it
 * looks at its `params`.
 *
 * @example
 * ```ts
 * import { declare_module, load_module, module_reset, sysfs_read, sysfs_readdir, sysfs_write } from '@rfl/kernel';
 * module_reset();
 * let params: { readonly speed: number } | undefined;
 * declare_module({
 *   name: 'fox_knobs',
 *   license: 'GPL',
 *   params: { speed: { type: 'int', default: 10, perm: 0o644 }, secret: { type: 'int', default: 1 } },
 *   init: (p) => { params = p; return 0; },
 *   exit: () => {},
 * });
 * await load_module('fox_knobs', 'speed=20') // => 0
 * sysfs_readdir('/sys/module/fox_knobs/parameters') // => ['speed']
 * sysfs_read('/sys/module/fox_knobs/initstate') // => 'live\n'
 * sysfs_read('/sys/module/fox_knobs/parameters/speed') // => '20\n'
 * sysfs_write('/sys/module/fox_knobs/parameters/speed', '30\n') // => 3
 * params?.speed // => 30
 * sysfs_write('/sys/module/fox_knobs/parameters/speed', 'fast') // => -22
 * # module_reset();
 * ```
 *
 * @module
 */

import { EIO } from '../errno.js';
import type { attribute } from '../fs/sysfs/file.js';
import { sysfs_create_file } from '../fs/sysfs/file.js';
import { type attribute_group, sysfs_create_group } from '../fs/sysfs/group.js';
import { sysfs_create_link, sysfs_remove_link } from '../fs/sysfs/symlink.js';
import {
  type kobj_type,
  kobject,
  kobject_create_and_add,
  kobject_del,
  kobject_init_and_add,
  kobject_put,
} from '../lib/kobject.js';
import { module_kset } from '../lib/kobject_roots.js';
import { KOBJ_ADD, kobject_uevent } from '../lib/kobject_uevent.js';
import { register_module_notifier } from './main.js';
import {
  MODULE_STATE_COMING,
  MODULE_STATE_GOING,
  MODULE_STATE_LIVE,
  type module,
  module_refcount,
} from './module.js';
import { type kernel_param, param_get, param_set } from './params.js';
import { module_flags_taint } from './procfs.js';

/** `struct module_attribute`: a file of a module's directory. */
interface module_attribute extends attribute {
  show?(mod: module): string;
  store?(mod: module, buf: string): number;
}

/** A parameter's file (`struct param_attribute`). */
interface param_attribute extends module_attribute {
  readonly param: kernel_param;
}

/** `struct module_kobject`: the kobject of `/sys/module/<name>`. */
class module_kobject extends kobject {
  readonly mod: module;
  holders_dir: kobject | null = null;
  constructor(mod: module) {
    super();
    this.mod = mod;
    this.container = mod;
  }
}

/** The sysfs directories of the loaded modules. */
const mkobjs = new Map<module, module_kobject>();

/** `module_attr_show`/`module_attr_store`: dispatch to the module attribute. */
const module_ktype: kobj_type = {
  release: () => {},
  sysfs_ops: {
    show: (kobj, attr) => {
      const a = attr as module_attribute;
      return a.show ? a.show((kobj as module_kobject).mod) : -EIO;
    },
    store: (kobj, attr, buf) => {
      const a = attr as module_attribute;
      return a.store ? a.store((kobj as module_kobject).mod, buf) : -EIO;
    },
  },
};

const modinfo_initstate: module_attribute = {
  name: 'initstate',
  mode: 0o444,
  show: (mod) =>
    mod.state === MODULE_STATE_LIVE
      ? 'live\n'
      : mod.state === MODULE_STATE_COMING
        ? 'coming\n'
        : mod.state === MODULE_STATE_GOING
          ? 'going\n'
          : 'unknown\n',
};
const modinfo_refcnt: module_attribute = {
  name: 'refcnt',
  mode: 0o444,
  show: (mod) => `${module_refcount(mod)}\n`,
};
const modinfo_taint: module_attribute = {
  name: 'taint',
  mode: 0o444,
  show: (mod) => `${module_flags_taint(mod.taints)}\n`,
};
const modinfo_coresize: module_attribute = {
  name: 'coresize',
  mode: 0o444,
  show: (mod) => `${mod.size}\n`,
};
const modinfo_version: module_attribute = {
  name: 'version',
  mode: 0o444,
  show: (mod) => `${mod.version}\n`,
};

function param_attr(kp: kernel_param): param_attribute {
  return {
    name: kp.name,
    mode: kp.perm,
    param: kp,
    show: () => param_get(kp),
    // param_attr_store(): the whole write, trailing newline included, goes to the setter.
    store: (_mod, buf) => {
      const err = param_set(kp, buf);
      return err ? err : buf.length;
    },
  };
}

/** `mod_sysfs_setup()`: the directory, its files, and the holder links of the modules it uses. */
function mod_sysfs_setup(mod: module): void {
  const mk = new module_kobject(mod);
  mk.kset = module_kset;
  if (kobject_init_and_add(mk, module_ktype, null, '%s', mod.name)) return;
  mkobjs.set(mod, mk);
  mk.holders_dir = kobject_create_and_add('holders', mk);
  const attrs = [modinfo_coresize, modinfo_initstate, modinfo_refcnt, modinfo_taint];
  if (mod.version !== undefined) attrs.push(modinfo_version);
  for (const attr of attrs) sysfs_create_file(mk, attr);
  const params = mod.kp.filter((kp) => kp.perm !== 0).map(param_attr);
  if (params.length) {
    const grp: attribute_group = { name: 'parameters', attrs: params };
    sysfs_create_group(mk, grp);
  }
  for (const target of mod.target_list) {
    const holders = mkobjs.get(target)?.holders_dir;
    if (holders) sysfs_create_link(holders, mk, mod.name);
  }
}

/** `mod_sysfs_teardown()`. */
function mod_sysfs_teardown(mod: module): void {
  const mk = mkobjs.get(mod);
  if (!mk) return;
  for (const target of mod.target_list) {
    const holders = mkobjs.get(target)?.holders_dir;
    if (holders) sysfs_remove_link(holders, mod.name);
  }
  mkobjs.delete(mod);
  kobject_put(mk.holders_dir);
  kobject_del(mk);
  kobject_put(mk);
}

register_module_notifier({
  coming: mod_sysfs_setup,
  live: (mod) => {
    const mk = mkobjs.get(mod);
    if (mk) kobject_uevent(mk, KOBJ_ADD);
  },
  going: mod_sysfs_teardown,
});

/** Whether `/sys/module` has a directory for `mod` (for tests and lsmod-style tools). */
export function module_sysfs_present(mod: module): boolean {
  return mkobjs.has(mod);
}
