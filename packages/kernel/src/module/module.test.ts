import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import {
  MISC_DYNAMIC_MINOR,
  misc_deregister,
  misc_register,
  type miscdevice,
} from '../drivers/char/misc.js';
import { O_RDONLY } from '../fs/fcntl.js';
import { vfs_init } from '../fs/init.js';
import { sysfs_read, sysfs_readdir, sysfs_readlink, sysfs_write } from '../fs/sysfs/access.js';
import { kconfig_reset, kconfig_set } from '../kconfig.js';
import { sysfs_init } from '../lib/kobject_roots.js';
import { uevent_log } from '../lib/kobject_uevent.js';
import { debug_locks_enabled } from '../locking/debug-locks.js';
import { lockdep_reset } from '../locking/lockdep.js';
import { write_ptr } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc, kzalloc } from '../mm/kmalloc.js';
import { kmemleak_not_leak, kmemleak_report } from '../mm/kmemleak.js';
import {
  panic_reset,
  print_tainted,
  TAINT_PROPRIETARY_MODULE,
  test_taint,
  WARN_ON,
} from '../panic.js';
import { dmesg, dmesg_clear, pr_info } from '../printk.js';
import { sim_run_pending, sim_spawn } from '../sched/core.js';
import { current } from '../sched/task.js';
import { libc } from '../user/libc.js';
import { declare_module, undeclare_module } from './declare.js';
import { kmod_insmod, kmod_modprobe, kmod_rmmod } from './kmod.js';
import { delete_module, load_module, module_reset, request_module } from './main.js';
import {
  find_module,
  type module,
  module_put,
  module_refcount,
  this_module,
  try_module_get,
} from './module.js';
import { lsmod_show, proc_modules_show } from './procfs.js';
import { EXPORT_SYMBOL_GPL, find_symbol } from './symbols.js';
import './sysfs.js';

/** dmesg without timestamps. */
function log(): string[] {
  return dmesg({ notime: true }).split('\n');
}

beforeEach(() => {
  kconfig_reset();
  module_reset();
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

afterEach(() => {
  module_reset();
  kconfig_reset();
  lockdep_reset();
  mm_init({ quiet: true });
});

function declare_fox_core(init_ret = 0) {
  return declare_module({
    name: 'fox_core',
    license: 'GPL',
    exports: { fox_new: () => 'fox' },
    exports_gpl: { fox_new_gpl: () => 'gpl fox' },
    init: () => init_ret,
    exit: () => {},
  });
}

describe('modules: load and unload', () => {
  it('runs init in the loading task and exit in the removing one', async () => {
    const seen: string[] = [];
    declare_module({
      name: 'foxes',
      license: 'GPL',
      description: 'Foxes misc device',
      init: (_params, mod) => {
        seen.push(`init ${current().comm} ${this_module() === mod}`);
        return 0;
      },
      exit: (mod) => {
        seen.push(`exit ${current().comm} ${this_module() === mod} ${mod.name}`);
      },
    });
    const insmod = sim_spawn('insmod', async () => load_module('foxes.ko'));
    expect(await insmod.exited).toBe(0);
    expect(find_module('foxes')?.state).toBe(0);
    expect(this_module()).toBeUndefined();
    const rmmod = sim_spawn('rmmod', async () => delete_module('foxes', 0));
    expect(await rmmod.exited).toBe(0);
    expect(seen).toEqual(['init insmod true', 'exit rmmod true foxes']);
    expect(find_module('foxes')).toBeUndefined();
    expect(await delete_module('foxes', 0)).toBe(-2);
    expect(await load_module('no_such_module')).toBe(-2);
  });

  it('refuses module names modpost would refuse', () => {
    expect(() => declare_module({ name: 'fox/den' })).toThrow(RangeError);
    expect(() => declare_module({ name: 'f'.repeat(56) })).toThrow(RangeError);
    expect(declare_module({ name: 'f'.repeat(55) }).name).toHaveLength(55);
    expect(undeclare_module('f'.repeat(55))).toBe(true);
  });

  it('refuses a second load with -EEXIST', async () => {
    declare_fox_core();
    expect(await load_module('fox_core')).toBe(0);
    expect(await load_module('fox-core')).toBe(-17);
    expect((await kmod_insmod('fox_core.ko')).stderr).toBe(
      'insmod: ERROR: could not insert module fox_core.ko: File exists\n',
    );
  });

  it('prints lsmod and /proc/modules as kmod and the kernel do', async () => {
    declare_fox_core();
    declare_module({
      name: 'fox_red',
      license: 'GPL',
      imports: ['fox_new'],
      size: 40000,
      init: () => 0,
      exit: () => {},
    });
    declare_module({
      name: 'fox_arctic',
      license: 'GPL',
      imports: ['fox_new_gpl'],
      init: () => 0,
      exit: () => {},
    });
    await load_module('fox_core');
    await load_module('fox_red');
    await load_module('fox_arctic');
    expect(lsmod_show()).toBe(
      'Module                  Size  Used by\n' +
        'fox_arctic             16384  0\n' +
        'fox_red                40960  0\n' +
        'fox_core               16384  2 fox_arctic,fox_red\n',
    );
    expect(proc_modules_show({ hide_addresses: true })).toBe(
      'fox_arctic 16384 0 - Live 0x0000000000000000\n' +
        'fox_red 40960 0 - Live 0x0000000000000000\n' +
        'fox_core 16384 2 fox_arctic,fox_red, Live 0x0000000000000000\n',
    );
    expect(proc_modules_show().split('\n')[2]).toBe(
      'fox_core 16384 2 fox_arctic,fox_red, Live 0xffffffffc0000000',
    );
  });

  it('names loaded modules and the last unloaded one in reports', async () => {
    declare_fox_core();
    declare_module({ name: 'lkdtm_lite', license: 'GPL', init: () => 0, exit: () => {} });
    await load_module('fox_core');
    await load_module('lkdtm_lite');
    await delete_module('lkdtm_lite', 0);
    WARN_ON(true);
    expect(log()).toContain('Modules linked in: fox_core [last unloaded: lkdtm_lite]');
  });

  it('keeps a module without exit loaded: EBUSY, [permanent]', async () => {
    declare_module({ name: 'sticky', license: 'GPL', init: () => 0 });
    await load_module('sticky');
    expect(await delete_module('sticky', 0)).toBe(-16);
    expect(proc_modules_show({ hide_addresses: true })).toBe(
      'sticky 16384 0 [permanent], Live 0x0000000000000000\n',
    );
  });

  it('does nothing without CONFIG_MODULES, and cannot unload without MODULE_UNLOAD', async () => {
    declare_fox_core();
    kconfig_set('CONFIG_MODULE_UNLOAD', 'n');
    expect(await load_module('fox_core')).toBe(0);
    expect(await delete_module('fox_core', 0)).toBe(-38);
    kconfig_set('CONFIG_MODULES', 'n');
    module_reset();
    expect(await load_module('fox_core')).toBe(-38);
  });

  it('loads with a warning when init returns a positive number', async () => {
    declare_module({ name: 'odd', license: 'GPL', init: () => 1, exit: () => {} });
    expect(await load_module('odd')).toBe(0);
    expect(log()).toContain(
      "do_init_module: 'odd'->init suspiciously returned 1, it should follow 0/-E convention",
    );
    expect(log()).toContain('do_init_module: loading module anyway...');
  });

  it('leaves a module whose init oopsed COMING, and refuses to remove it', async () => {
    declare_module({
      name: 'crashy',
      license: 'GPL',
      init: () => {
        throw new TypeError('boom');
      },
      exit: () => {},
    });
    const insmod = sim_spawn('insmod', async () => load_module('crashy'));
    expect(await insmod.exited).toBe(-1);
    expect(log().some((l) => l.startsWith('Oops: TypeError: boom'))).toBe(true);
    expect(lsmod_show().split('\n')[1]).toBe('crashy                 16384  1');
    expect(proc_modules_show({ hide_addresses: true })).toBe(
      'crashy 16384 1 - Loading 0x0000000000000000\n',
    );
    expect(await delete_module('crashy', 0)).toBe(-16);
  });
});

describe('modules: parameters', () => {
  function declare_params() {
    const got: Record<string, unknown>[] = [];
    declare_module({
      name: 'params_demo',
      license: 'GPL',
      params: {
        count: { type: 'int', default: 1, perm: 0o644, description: 'How many' },
        mask: { type: 'uint', default: 0 },
        big: { type: 'ulong', default: 0 },
        small: { type: 'byte', default: 0 },
        verbose: { type: 'bool', default: false },
        quiet: { type: 'invbool', default: false },
        name: { type: 'charp', default: 'fox' },
        max_foxes: { type: 'short', default: 0 },
      },
      init: (params) => {
        got.push({ ...params });
        return 0;
      },
      exit: () => {},
    });
    return got;
  }

  it('parses every type with the kernel rules', async () => {
    const got = declare_params();
    const args = 'count=-0x10 mask=017 big=0x100000000 small=255 verbose quiet=n name="two words"';
    expect(await load_module('params_demo', args)).toBe(0);
    expect(got[0]).toEqual({
      count: -16,
      mask: 15,
      big: 4294967296,
      small: 255,
      verbose: true,
      quiet: true,
      name: 'two words',
      max_foxes: 0,
    });
    expect(find_module('params_demo')?.args).toBe(args);
  });

  it('takes - and _ alike, and a whole argument in quotes', async () => {
    const got = declare_params();
    expect(await load_module('params_demo', '  "name=a b"   max-foxes=-3 ')).toBe(0);
    expect(got[0]).toMatchObject({ name: 'a b', max_foxes: -3 });
  });

  it('ignores unknown parameters with a warning', async () => {
    const got = declare_params();
    expect(await load_module('params_demo', 'colour=red count=2')).toBe(0);
    expect(log()).toContain("params_demo: unknown parameter 'colour' ignored");
    expect(got[0]?.count).toBe(2);
  });

  it('refuses bad values, reporting each, and unwinds the load', async () => {
    const got = declare_params();
    expect(await load_module('params_demo', 'count=ten mask=-1 verbose=maybe name')).toBe(-22);
    expect(log()).toEqual(
      expect.arrayContaining([
        "params_demo: `ten' invalid for parameter `count'",
        "params_demo: `-1' invalid for parameter `mask'",
        "params_demo: `maybe' invalid for parameter `verbose'",
        "params_demo: `' invalid for parameter `name'",
      ]),
    );
    expect(got).toEqual([]);
    expect(find_module('params_demo')).toBeUndefined();
    expect(await load_module('params_demo', 'small=256')).toBe(-34);
    expect(await load_module('params_demo', 'count=2147483648')).toBe(-34);
    expect(await load_module('params_demo', 'big=18446744073709551616')).toBe(-34);
    expect(await load_module('params_demo', `name=${'x'.repeat(1025)}`)).toBe(-28);
    expect(log()).toContain('name: string parameter too long');
    expect(log().some((l) => l.endsWith("' too large for parameter `name'"))).toBe(true);
    expect((await kmod_insmod('params_demo.ko', ['count=ten'])).stderr).toBe(
      'insmod: ERROR: could not insert module params_demo.ko: Invalid parameters\n',
    );
  });

  it('quotes a modprobe value with spaces', async () => {
    const got = declare_params();
    expect((await kmod_modprobe('params_demo', ['name=red fox', 'count=5'])).status).toBe(0);
    expect(got[0]).toMatchObject({ name: 'red fox', count: 5 });
  });
});

describe('modules: symbols and licenses', () => {
  it('refuses a GPL-only symbol to a proprietary module, and taints for loading one', async () => {
    declare_fox_core();
    await load_module('fox_core');
    declare_module({
      name: 'binary_fox',
      license: 'Proprietary',
      imports: ['fox_new', 'fox_new_gpl'],
      init: () => 0,
      exit: () => {},
    });
    expect(debug_locks_enabled()).toBe(true);
    const r = await kmod_insmod('binary_fox.ko');
    expect(r).toEqual({
      status: 1,
      stdout: '',
      stderr: 'insmod: ERROR: could not insert module binary_fox.ko: Unknown symbol in module\n',
    });
    const l = log();
    expect(l).toContain("binary_fox: module license 'Proprietary' taints kernel.");
    expect(l).toContain('Disabling lock debugging due to kernel taint');
    expect(l).toContain('binary_fox: Unknown symbol fox_new_gpl (err -2)');
    expect(l.some((x) => x.includes('Unknown symbol fox_new '))).toBe(false);
    expect(test_taint(TAINT_PROPRIETARY_MODULE)).toBe(true);
    expect(print_tainted()).toBe('Tainted: P                   ');
    expect(debug_locks_enabled()).toBe(false);
    expect(find_module('binary_fox')).toBeUndefined();
    expect(module_refcount(find_module('fox_core')!)).toBe(0);
  });

  it('lets a proprietary module use plain exports, showing (P)', async () => {
    declare_fox_core();
    await load_module('fox_core');
    let made: unknown;
    declare_module({
      name: 'binary_fox',
      license: 'Proprietary',
      imports: ['fox_new'],
      init: (_p, mod) => {
        made = (mod.imports.get('fox_new') as () => string)();
        return 0;
      },
      exit: () => {},
    });
    expect(await load_module('binary_fox')).toBe(0);
    expect(made).toBe('fox');
    expect(lsmod_show().split('\n')[1]).toBe('binary_fox             16384  0');
    expect(proc_modules_show({ hide_addresses: true }).split('\n')[0]).toBe(
      'binary_fox 16384 0 - Live 0x0000000000000000 (P)',
    );
    WARN_ON(true);
    expect(log()).toContain('Modules linked in: binary_fox(P) fox_core');
  });

  it('resolves built-in GPL-only exports for a GPL module', async () => {
    EXPORT_SYMBOL_GPL('test_builtin_gpl', 42);
    let seen: unknown;
    declare_module({
      name: 'gpl_user',
      license: 'Dual MIT/GPL',
      imports: ['test_builtin_gpl'],
      init: (_p, mod) => {
        seen = mod.imports.get('test_builtin_gpl');
        return 0;
      },
      exit: () => {},
    });
    expect(await load_module('gpl_user')).toBe(0);
    expect(seen).toBe(42);
    expect(test_taint(TAINT_PROPRIETARY_MODULE)).toBe(false);
  });

  it('refuses a module exporting a symbol that exists', async () => {
    declare_fox_core();
    await load_module('fox_core');
    declare_module({ name: 'fox_clone', license: 'GPL', exports: { fox_new: 1 }, init: () => 0 });
    expect(await load_module('fox_clone')).toBe(-8);
    expect(log()).toContain('fox_clone: exports duplicate symbol fox_new (owned by fox_core)');
    expect(undeclare_module('fox_clone')).toBe(true);
  });
});

describe('modules: init failure unwinds', () => {
  it('removes the module, its symbols and its references', async () => {
    declare_fox_core();
    await load_module('fox_core');
    declare_module({
      name: 'fox_broken',
      license: 'GPL',
      imports: ['fox_new'],
      exports: { fox_broken_sym: 1 },
      init: () => {
        expect(find_symbol('fox_broken_sym')?.owner?.name).toBe('fox_broken');
        expect(module_refcount(find_module('fox_core')!)).toBe(1);
        expect(lsmod_show().split('\n')[1]).toBe('fox_broken             16384  1');
        return -19;
      },
      exit: () => {},
    });
    expect(await load_module('fox_broken')).toBe(-19);
    expect(find_module('fox_broken')).toBeUndefined();
    expect(find_symbol('fox_broken_sym')).toBeUndefined();
    expect(module_refcount(find_module('fox_core')!)).toBe(0);
    expect(lsmod_show()).toBe(
      'Module                  Size  Used by\nfox_core               16384  0\n',
    );
    expect((await kmod_rmmod(['fox_core'])).status).toBe(0);
  });

  it('gives insmod the errno of init', async () => {
    declare_module({ name: 'nodev', license: 'GPL', init: () => -19, exit: () => {} });
    expect((await kmod_insmod('/lib/modules/6.12.0-rfl/kernel/drivers/misc/nodev.ko')).stderr).toBe(
      'insmod: ERROR: could not insert module /lib/modules/6.12.0-rfl/kernel/drivers/misc/nodev.ko: No such device\n',
    );
    expect((await kmod_insmod('/tmp/nodev.ko')).status).toBe(1);
    expect((await kmod_insmod('missing.ko')).stderr).toBe(
      'insmod: ERROR: could not load module missing.ko: No such file or directory\n',
    );
  });
});

describe('modules: references', () => {
  it('refuses rmmod while a reference is held', async () => {
    let self: module | undefined;
    declare_module({
      name: 'foxes',
      license: 'GPL',
      init: (_p, mod) => {
        self = mod;
        return 0;
      },
      exit: () => {},
    });
    await load_module('foxes');
    expect(try_module_get(self)).toBe(true); // an open /dev/foxes
    expect(module_refcount(self!)).toBe(1);
    expect(await kmod_rmmod(['foxes'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'rmmod: ERROR: Module foxes is in use\n',
    });
    expect(await delete_module('foxes', 0)).toBe(-11);
    expect((await kmod_modprobe('foxes', [], { remove: true })).stderr).toBe(
      'modprobe: FATAL: Module foxes is in use.\n',
    );
    module_put(self); // the last close
    expect(await kmod_rmmod(['foxes'])).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(try_module_get(self)).toBe(false);
    expect(try_module_get(undefined)).toBe(true);
  });

  it('refuses rmmod of a module another one uses', async () => {
    declare_fox_core();
    declare_module({
      name: 'fox_red',
      license: 'GPL',
      imports: ['fox_new'],
      init: () => 0,
      exit: () => {},
    });
    await load_module('fox_core');
    await load_module('fox_red');
    expect((await kmod_rmmod(['fox_core'])).stderr).toBe(
      'rmmod: ERROR: Module fox_core is in use by: fox_red\n',
    );
    expect(await delete_module('fox_core', 0)).toBe(-11);
    expect((await kmod_rmmod(['fox_red', 'fox_core'])).status).toBe(0);
    expect(lsmod_show()).toBe('Module                  Size  Used by\n');
  });

  it('is pinned by an open file of a misc device it registered', async () => {
    mm_init({ quiet: true });
    vfs_init();
    driver_core_fs_init();
    let foxes: miscdevice | undefined;
    declare_module({
      name: 'foxes',
      license: 'GPL',
      init: (_p, mod) => {
        foxes = { minor: MISC_DYNAMIC_MINOR, name: 'foxes', fops: { owner: mod, read: () => 0 } };
        return misc_register(foxes);
      },
      exit: () => misc_deregister(foxes!),
    });
    const out: string[] = [];
    const user = sim_spawn('sh', async () => {
      out.push((await kmod_insmod('foxes.ko')).stderr);
      const fd = await libc.open('/dev/foxes', O_RDONLY);
      out.push(lsmod_show().split('\n')[1]!);
      out.push((await kmod_rmmod(['foxes'])).stderr);
      await libc.close(fd);
      out.push(lsmod_show().split('\n')[1]!);
      out.push(String((await kmod_rmmod(['foxes'])).status));
      out.push(String(await libc.open('/dev/foxes', O_RDONLY)));
      return 0;
    });
    expect(await user.exited).toBe(0);
    expect(out).toEqual([
      '',
      'foxes                  16384  1',
      'rmmod: ERROR: Module foxes is in use\n',
      'foxes                  16384  0',
      '0',
      '-2',
    ]);
  });

  it('fails the open of a module being removed', async () => {
    mm_init({ quiet: true });
    vfs_init();
    driver_core_fs_init();
    let den: miscdevice | undefined;
    let removing: (() => void) | undefined;
    declare_module({
      name: 'den',
      license: 'GPL',
      init: (_p, mod) => {
        den = { minor: MISC_DYNAMIC_MINOR, name: 'den', fops: { owner: mod } };
        return misc_register(den);
      },
      exit: async () => {
        // exit sleeps before it deregisters: the device is still there, the module going.
        await new Promise<void>((resolve) => {
          removing = resolve;
        });
        misc_deregister(den!);
      },
    });
    expect(await load_module('den')).toBe(0);
    const rmmod = sim_spawn('rmmod', async () => delete_module('den', 0));
    await sim_run_pending();
    expect(proc_modules_show({ hide_addresses: true })).toBe(
      'den 16384 -1 - Unloading 0x0000000000000000\n',
    );
    const opener = sim_spawn('cat', async () => libc.open('/dev/den', O_RDONLY));
    expect(await opener.exited).toBe(-19); // misc_open: -ENODEV
    removing?.();
    expect(await rmmod.exited).toBe(0);
  });

  it('warns on an unbalanced module_put', async () => {
    declare_fox_core();
    await load_module('fox_core');
    const mod = find_module('fox_core')!;
    module_put(mod);
    module_put(mod);
    expect(log().filter((l) => l.startsWith('WARNING: CPU: 0 PID: 1 at '))).toHaveLength(1);
  });
});

describe('modules: modprobe', () => {
  it('loads dependencies first and removes the unused ones after', async () => {
    declare_fox_core();
    declare_module({ name: 'fox_den', license: 'GPL', init: () => 0, exit: () => {} });
    declare_module({
      name: 'fox_red',
      license: 'GPL',
      imports: ['fox_new'],
      depends: ['fox_den'],
      init: () => 0,
      exit: () => {},
    });
    expect(await kmod_modprobe('fox_red')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(lsmod_show()).toBe(
      'Module                  Size  Used by\n' +
        'fox_red                16384  0\n' +
        'fox_core               16384  1 fox_red\n' +
        'fox_den                16384  1 fox_red\n',
    );
    expect((await kmod_modprobe('fox_red')).status).toBe(0);
    expect((await kmod_modprobe('fox_red', [], { first_time: true })).stderr).toBe(
      "modprobe: ERROR: could not insert 'fox_red': Module already in kernel\n",
    );
    expect(await kmod_modprobe('fox_red', [], { remove: true })).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
    expect(lsmod_show()).toBe('Module                  Size  Used by\n');
    expect((await kmod_modprobe('fox_red', [], { remove: true, first_time: true })).stderr).toBe(
      'modprobe: FATAL: Module fox_red is not in kernel.\n',
    );
    expect((await kmod_modprobe('wolf')).stderr).toBe(
      'modprobe: FATAL: Module wolf not found in directory /lib/modules/6.12.0-rfl\n',
    );
    expect((await kmod_modprobe('wolf', [], { quiet: true })).stderr).toBe('');
  });

  it('request_module loads a module by alias', async () => {
    declare_module({
      name: 'fox_char',
      alias: ['char-major-10-200'],
      license: 'GPL',
      init: () => 0,
      exit: () => {},
    });
    expect(await request_module('char-major-10-200')).toBe(0);
    expect(find_module('fox_char')?.state).toBe(0);
    expect(await request_module('char-major-10-200')).toBe(0);
    expect(await request_module('char-major-10-201')).toBe(-2);
  });
});

describe('modules: kmemleak on unload', () => {
  it('reports what exit forgot to free', async () => {
    mm_init({ quiet: true, kmemleak: true });
    let dev = 0;
    function foxes_alloc_buffer(): number {
      return kmalloc(128, GFP_KERNEL);
    }
    declare_module({
      name: 'leaky',
      license: 'GPL',
      init: () => {
        dev = kzalloc(64, GFP_KERNEL);
        kmemleak_not_leak(dev); // static data of the module
        write_ptr(foxes_alloc_buffer(), dev);
        return 0;
      },
      exit: () => {
        kfree(dev); // forgets dev->buffer
      },
    });
    await load_module('leaky');
    dmesg_clear();
    pr_info('before rmmod\n');
    expect(await delete_module('leaky', 0)).toBe(0);
    expect(log()).toContain(
      'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)',
    );
    const report = kmemleak_report().split('\n');
    expect(report[0]).toMatch(/^unreferenced object 0xffff8880[0-9a-f]{8} \(size 128\):$/);
    expect(report.some((l) => l.trimStart().startsWith('foxes_alloc_buffer '))).toBe(true);
  });

  it('finds nothing when exit frees everything', async () => {
    mm_init({ quiet: true, kmemleak: true });
    let dev = 0;
    declare_module({
      name: 'tidy',
      license: 'GPL',
      init: () => {
        dev = kzalloc(64, GFP_KERNEL);
        kmemleak_not_leak(dev);
        return 0;
      },
      exit: () => kfree(dev),
    });
    await load_module('tidy');
    dmesg_clear();
    expect(await delete_module('tidy', 0)).toBe(0);
    expect(dmesg()).toBe('');
  });
});

describe('modules: /sys/module', () => {
  it('shows each module with its state, references, holders and parameters', async () => {
    sysfs_init();
    declare_fox_core();
    let params:
      | { readonly speed: number; readonly name: string; readonly fast: boolean }
      | undefined;
    declare_module({
      name: 'fox_red',
      license: 'GPL',
      version: '1.2',
      imports: ['fox_new'],
      params: {
        speed: { type: 'int', default: 10, perm: 0o644 },
        name: { type: 'charp', default: 'vixen', perm: 0o600 },
        fast: { type: 'bool', default: false, perm: 0o444 },
        hidden: { type: 'int', default: 0 },
      },
      init: (p) => {
        params = p;
        expect(sysfs_read('/sys/module/fox_red/initstate')).toBe('coming\n');
        return 0;
      },
      exit: () => {},
    });
    await load_module('fox_core');
    await load_module('fox_red', 'speed=20');
    expect(sysfs_readdir('/sys/module')).toEqual(['fox_core', 'fox_red']);
    expect(sysfs_readdir('/sys/module/fox_red')).toEqual([
      'coresize',
      'holders',
      'initstate',
      'parameters',
      'refcnt',
      'taint',
      'version',
    ]);
    expect(sysfs_readdir('/sys/module/fox_red/parameters')).toEqual(['fast', 'name', 'speed']);
    expect(sysfs_read('/sys/module/fox_red/initstate')).toBe('live\n');
    expect(sysfs_read('/sys/module/fox_red/version')).toBe('1.2\n');
    expect(sysfs_read('/sys/module/fox_core/refcnt')).toBe('1\n');
    expect(sysfs_readdir('/sys/module/fox_core/holders')).toEqual(['fox_red']);
    expect(sysfs_readlink('/sys/module/fox_core/holders/fox_red')).toBe('../../fox_red');
    expect(sysfs_read('/sys/module/fox_red/parameters/speed')).toBe('20\n');
    expect(sysfs_read('/sys/module/fox_red/parameters/fast')).toBe('N\n');
    expect(sysfs_write('/sys/module/fox_red/parameters/speed', '0x20\n')).toBe(5);
    expect(params?.speed).toBe(32);
    expect(sysfs_write('/sys/module/fox_red/parameters/speed', 'fast')).toBe(-22);
    expect(sysfs_write('/sys/module/fox_red/parameters/fast', 'Y')).toBe(-13);
    expect(sysfs_write('/sys/module/fox_red/parameters/name', 'arctic\n')).toBe(7);
    expect(sysfs_read('/sys/module/fox_red/parameters/name')).toBe('arctic\n\n');
    expect(await delete_module('fox_red', 0)).toBe(0);
    expect(sysfs_readdir('/sys/module')).toEqual(['fox_core']);
    expect(sysfs_readdir('/sys/module/fox_core/holders')).toEqual([]);
    expect(uevent_log().map((e) => `${e.action}@${e.devpath}`)).toEqual([
      'add@/module/fox_core',
      'add@/module/fox_red',
      'remove@/module/fox_red',
    ]);
  });

  it('removes the directory of a module whose init failed', async () => {
    sysfs_init();
    declare_module({ name: 'fox_nodev', license: 'GPL', init: () => -19, exit: () => {} });
    expect(await load_module('fox_nodev')).toBe(-19);
    expect(sysfs_readdir('/sys/module')).toEqual([]);
  });
});
