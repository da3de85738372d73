import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { atomic_inc, atomic_read, atomic_set, atomic_t, atomic_threads_put } from '../atomic.js';
import { readl, writel } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { __pa, phys_mem } from '../mm/layout.js';
import { io_init, ioremap, iounmap } from './mmio.js';
import { resource_init } from './resource.js';
import { sim_worker_device_start } from './worker-device.js';

// A device model in a worker thread shares the machine's memory, so while it runs a counter in
// that memory is updated by two threads at once. atomic_t takes a plain read-modify-write while
// this is the only thread; these check that it stops doing so for as long as a worker lives.

const PHYS = 0xfe040000;
const COUNT = 400_000;

let dir: string;
let script: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfl-worker-device-'));
  script = join(dir, 'counter-device.mjs');
  const serve = new URL('../../dist/io/device-worker.js', import.meta.url);
  // Register 0: "add 1 to the word at physical address `config.counter`, this many times",
  // done after the write has released the kernel, so both threads count at the same time.
  // Register 4 reads 1 once the model has finished.
  writeFileSync(
    script,
    `import { device_worker_serve } from ${JSON.stringify(pathToFileURL(serve.pathname).href)};
device_worker_serve((ctx) => ({
  write(offset, size, value) {
    if (offset !== 0) return undefined;
    return () => {
      const words = new Int32Array(ctx.mem.buffer);
      const at = ctx.config.counter >> 2;
      for (let n = 0; n < value; n++) Atomics.add(words, at, 1);
      ctx.reg_write32(4, 1);
    };
  },
}));
`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  mm_init({ quiet: true });
  io_init();
  resource_init();
});

describe('atomic_t shared with a device model in a worker thread', () => {
  it('loses no increment when both threads count at once', async () => {
    const buf = kmalloc(8, GFP_KERNEL);
    const counter = atomic_t.at(phys_mem, __pa(buf));
    atomic_set(counter, 0);
    const dev = await sim_worker_device_start({
      script,
      name: 'counter',
      phys: PHYS,
      size: 0x100,
      hwirq: 30,
      config: { counter: __pa(buf) },
    });
    const io = ioremap(PHYS, 0x100);
    try {
      writel(COUNT, io);
      for (let n = 0; n < COUNT; n++) atomic_inc(counter);
      while (readl(io + 4) !== 1) {
        // The model is still counting; its register says when it is done.
      }
      expect(atomic_read(counter)).toBe(2 * COUNT);
    } finally {
      iounmap(io);
      await dev.stop();
      kfree(buf);
    }
  });

  it('refuses to forget a thread it was not told of', () => {
    expect(() => atomic_threads_put()).toThrow('atomic_threads_put() without atomic_threads_get()');
  });
});
