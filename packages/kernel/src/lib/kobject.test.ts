import { beforeEach, describe, expect, it } from 'vitest';
import { EEXIST, EINVAL, ENOENT } from '../errno.js';
import { sysfs_readdir, sysfs_readlink } from '../fs/sysfs/access.js';
import { sysfs_create_link } from '../fs/sysfs/symlink.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import {
  kobject,
  kobject_add,
  kobject_create_and_add,
  kobject_del,
  kobject_get,
  kobject_get_path,
  kobject_init,
  kobject_init_and_add,
  kobject_put,
  kobject_refcount,
  kobject_rename,
  kset,
  kset_create_and_add,
  kset_find_obj,
  kset_register,
  kset_unregister,
} from './kobject.js';
import { kernel_kobj, sysfs_init } from './kobject_roots.js';
import {
  add_uevent_var,
  KOBJ_ADD,
  KOBJ_CHANGE,
  type kobj_uevent_env,
  kobject_uevent,
  uevent_log,
} from './kobject_uevent.js';

function log_lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

beforeEach(() => {
  sysfs_init();
  dmesg_clear();
  panic_reset();
});

describe('kobject lifetime', () => {
  it('releases once the last reference is put, after deleting its directory', () => {
    const released: string[] = [];
    const kobj = new kobject();
    const ktype = { release: (k: kobject) => released.push(k.name) };
    const parent_refs = kobject_refcount(kernel_kobj);
    expect(kobject_init_and_add(kobj, ktype, kernel_kobj, 'fox%d', 1)).toBe(0);
    expect(kobject_refcount(kobj)).toBe(1);
    expect(kobject_refcount(kernel_kobj)).toBe(parent_refs + 1);
    kobject_get(kobj);
    kobject_put(kobj);
    expect(released).toEqual([]);
    kobject_put(kobj);
    expect(released).toEqual(['fox1']);
    expect(sysfs_readdir('/sys/kernel/fox1')).toBe(-ENOENT);
    expect(kobject_refcount(kernel_kobj)).toBe(parent_refs);
  });

  it('logs a missing release function at debug level', () => {
    const kobj = new kobject();
    kobject_init(kobj, {});
    kobject_add(kobj, kernel_kobj, 'static_fox');
    kobject_put(kobj);
    expect(log_lines()).toContain(
      `kobject: 'static_fox' (${kobj.ptr.toString(16).padStart(16, '0')}): does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.`,
    );
  });

  it('warns about get/put of an uninitialised kobject and about initialising twice', () => {
    const kobj = new kobject();
    kobj.name = 'raw';
    kobject_put(kobj);
    expect(dmesg()).toContain("kobject: 'raw' (");
    expect(dmesg()).toContain('): is not initialized, yet kobject_put() is being called.');
    expect(dmesg()).toContain('refcount_t: underflow; use-after-free.');
    dmesg_clear();
    const twice = new kobject();
    kobject_init(twice, {});
    kobject_init(twice, {});
    expect(dmesg()).toContain('tried to init an initialized object, something is seriously wrong.');
  });

  it('refuses to add an uninitialised or unnamed kobject', () => {
    const raw = new kobject();
    expect(kobject_add(raw, null, 'x')).toBe(-EINVAL);
    expect(dmesg()).toContain(
      'tried to add an uninitialized object, something is seriously wrong.',
    );
    const unnamed = new kobject();
    kobject_init(unnamed, {});
    expect(kobject_add(unnamed, null, '')).toBe(-EINVAL);
    expect(dmesg()).toContain('): attempted to be registered with empty name!');
  });

  it('fails a duplicate name with -EEXIST and the kernel messages', () => {
    const a = kobject_create_and_add('dup', kernel_kobj);
    expect(a).not.toBeNull();
    expect(kobject_create_and_add('dup', kernel_kobj)).toBeNull();
    const lines = log_lines();
    expect(lines).toContain("sysfs: cannot create duplicate filename '/kernel/dup'");
    expect(lines).toContain(
      "kobject_add_internal failed for dup with -EEXIST, don't try to register things with the same name in the same directory.",
    );
    expect(lines).toContain('kobject_create_and_add: kobject_add error: -17');
  });

  it('fails under a deleted parent with -ENOENT', () => {
    const parent = kobject_create_and_add('gone', kernel_kobj)!;
    kobject_del(parent);
    const child = new kobject();
    expect(kobject_init_and_add(child, {}, parent, 'child')).toBe(-ENOENT);
    expect(dmesg()).toContain('kobject_add_internal failed for child (error: -2 parent: gone)');
  });

  it('replaces a / in a name with !', () => {
    const k = kobject_create_and_add('a/b', kernel_kobj)!;
    expect(k.name).toBe('a!b');
    expect(sysfs_readdir('/sys/kernel/a!b')).toEqual([]);
  });

  it('renames: -EEXIST when taken, -EINVAL without a parent, links follow', () => {
    const a = kobject_create_and_add('den_a', kernel_kobj)!;
    kobject_create_and_add('den_b', kernel_kobj);
    expect(sysfs_create_link(kernel_kobj, a, 'to_a')).toBe(0);
    expect(kobject_rename(a, 'den_b')).toBe(-EEXIST);
    expect(kobject_rename(a, 'den_c')).toBe(0);
    expect(kobject_get_path(a)).toBe('/kernel/den_c');
    expect(sysfs_readlink('/sys/kernel/to_a')).toBe('den_c');
    const orphan = new kobject();
    kobject_init(orphan, {});
    expect(kobject_rename(orphan, 'x')).toBe(-EINVAL);
  });
});

describe('kset', () => {
  it('puts members without a parent in its directory and finds them by name', () => {
    const foxes = kset_create_and_add('foxes', null, kernel_kobj)!;
    const fox = new kobject();
    fox.kset = foxes;
    expect(kobject_init_and_add(fox, { release: () => {} }, null, 'vixen')).toBe(0);
    expect(kobject_get_path(fox)).toBe('/kernel/foxes/vixen');
    expect(foxes.list).toEqual([fox]);
    const found = kset_find_obj(foxes, 'vixen');
    expect(found).toBe(fox);
    expect(kobject_refcount(fox)).toBe(2);
    kobject_put(found);
    expect(kset_find_obj(foxes, 'fennec')).toBeNull();
    kobject_put(fox);
    expect(foxes.list).toEqual([]);
    kset_unregister(foxes);
    expect(sysfs_readdir('/sys/kernel/foxes')).toBe(-ENOENT);
  });

  it('refuses to register a kset without a ktype', () => {
    const k = new kset();
    k.kobj.name = 'typeless';
    expect(kset_register(k)).toBe(-EINVAL);
    expect(log_lines()).toContain('must have a ktype to be initialized properly!');
  });
});

describe('uevents', () => {
  it('records add/remove below a kset with its variables, and auto-sends remove', () => {
    const foxes = kset_create_and_add(
      'foxes',
      {
        name: () => 'fox',
        uevent: (_k, env: kobj_uevent_env) => add_uevent_var(env, 'FOX=%d', 1),
      },
      null,
    )!;
    const fox = new kobject();
    fox.kset = foxes;
    kobject_init_and_add(fox, { release: () => {} }, null, 'vixen');
    const before = uevent_log().length;
    expect(kobject_uevent(fox, KOBJ_ADD)).toBe(0);
    kobject_put(fox);
    const events = uevent_log().slice(before);
    expect(events.map((e) => `${e.action}@${e.devpath}`)).toEqual([
      'add@/foxes/vixen',
      'remove@/foxes/vixen',
    ]);
    expect(events[0]!.envp).toEqual([
      'ACTION=add',
      'DEVPATH=/foxes/vixen',
      'SUBSYSTEM=fox',
      'FOX=1',
      `SEQNUM=${events[0]!.seqnum}`,
    ]);
    expect(events[1]!.seqnum).toBe(events[0]!.seqnum + 1);
  });

  it('drops filtered and suppressed events and needs a kset', () => {
    const quiet = kset_create_and_add('quiet', { filter: () => false }, null)!;
    const k = new kobject();
    k.kset = quiet;
    kobject_init_and_add(k, { release: () => {} }, null, 'k');
    const n = uevent_log().length;
    expect(kobject_uevent(k, KOBJ_CHANGE)).toBe(0);
    expect(uevent_log().length).toBe(n);
    const loose = kobject_create_and_add('loose', kernel_kobj)!;
    expect(kobject_uevent(loose, KOBJ_CHANGE)).toBe(-EINVAL);
  });

  it('limits the number of variables', () => {
    const env: kobj_uevent_env = { envp: [], buflen: 0 };
    for (let i = 0; i < 64; i++) expect(add_uevent_var(env, 'V%d=1', i)).toBe(0);
    expect(add_uevent_var(env, 'ONE=MORE')).toBe(-12);
    expect(dmesg()).toContain('add_uevent_var: too many keys');
  });
});
