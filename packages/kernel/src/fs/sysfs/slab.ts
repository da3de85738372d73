/**
 * `/sys/kernel/slab/<cache>/` (mm/slub.c's sysfs): a directory per slab
 * cache with its attributes (`object_size`, `objs_per_slab`, `objects`, ...,
 * see `slab_sysfs_attrs`). SLUB adds a cache's directory when the cache is
 * created; the simulation computes the list when `/sys/kernel/slab` is
 * looked at, which shows the same thing.
 *
 * @module
 */

import { type kobject, kobject_create_and_add, kobject_put } from '../../lib/kobject.js';
import { slab_kset } from '../../lib/kobject_roots.js';
import { find_kmem_cache, type kmem_cache, kmem_caches, slab_sysfs_attrs } from '../../mm/slab.js';
import { __ATTR_RO, sysfs_create_file } from './file.js';

/** The attribute names, from a cache that always exists. */
function attr_names(): string[] {
  const any = kmem_caches()[0];
  return any ? Object.keys(slab_sysfs_attrs(any)) : [];
}

function cache_attr(name: string) {
  return __ATTR_RO(name, (kobj) => {
    const s = find_kmem_cache(kobj.name);
    return s ? (slab_sysfs_attrs(s)[name] ?? '') : -5;
  });
}

let dirs = new Map<string, { kobj: kobject; cache: kmem_cache }>();

function slab_sysfs_refresh(): void {
  const live = new Map(kmem_caches().map((s) => [s.name, s]));
  for (const [name, d] of [...dirs]) {
    if (live.get(name) !== d.cache) {
      kobject_put(d.kobj);
      dirs.delete(name);
    }
  }
  const names = attr_names();
  for (const [name, cache] of live) {
    if (dirs.has(name)) continue;
    const kobj = kobject_create_and_add(name, slab_kset.kobj);
    if (!kobj) continue;
    for (const attr of names) sysfs_create_file(kobj, cache_attr(attr));
    dirs.set(name, { kobj, cache });
  }
}

/** Makes `/sys/kernel/slab` follow the live caches (part of the driver-core boot). */
export function slab_sysfs_init(): void {
  dirs = new Map();
  const sd = slab_kset.kobj.sd;
  if (sd) sd.refresh = slab_sysfs_refresh;
}
