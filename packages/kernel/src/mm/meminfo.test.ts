import { beforeEach, describe, expect, it } from 'vitest';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kfree, kmalloc } from './kmalloc.js';
import { meminfo } from './meminfo.js';
import { vfree, vmalloc } from './vmalloc.js';

beforeEach(() => mm_init({ mem_size: 8 << 20, quiet: true }));

describe('/proc/meminfo', () => {
  it('prints the kernel columns and follows slab and vmalloc use', () => {
    expect(meminfo()).toBe(
      [
        'MemTotal:           8188 kB',
        'MemFree:            8188 kB',
        `MemAvailable:       ${8188 - 448} kB`,
        'Slab:                  0 kB',
        'SReclaimable:          0 kB',
        'SUnreclaim:            0 kB',
        'VmallocTotal:    4194304 kB',
        'VmallocUsed:           0 kB',
        '',
      ].join('\n'),
    );
    const p = kmalloc(4096, GFP_KERNEL);
    const v = vmalloc(10000);
    const lines = meminfo().split('\n');
    expect(lines[3]).toBe('Slab:                 32 kB');
    expect(lines[7]).toBe('VmallocUsed:          12 kB');
    kfree(p);
    vfree(v);
  });
});
