import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../../drivers/char/boot.js';
import { mm_init } from '../../mm/init.js';
import { kmem_cache_create, kmem_cache_destroy } from '../../mm/slab.js';
import { sysfs_read, sysfs_readdir } from './access.js';

beforeEach(() => {
  mm_init({ quiet: true });
  driver_core_fs_init();
});

describe('/sys/kernel/slab', () => {
  it('has a directory per live cache with its attributes', () => {
    expect(sysfs_readdir('/sys/kernel/slab')).toContain('kmalloc-64');
    expect(sysfs_read('/sys/kernel/slab/kmalloc-64/object_size')).toBe('64\n');
    const foxes = kmem_cache_create('fox_cache', 40, 8, 0);
    expect(sysfs_read('/sys/kernel/slab/fox_cache/object_size')).toBe('40\n');
    kmem_cache_destroy(foxes);
    expect(sysfs_read('/sys/kernel/slab/fox_cache/object_size')).toBe(-2);
  });
});
