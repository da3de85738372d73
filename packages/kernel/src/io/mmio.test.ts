import { beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, EINVAL } from '../errno.js';
import {
  memcpy_from_js,
  memcpy_to_js,
  readb,
  readl,
  readq,
  readw,
  writeb,
  writel,
  writeq,
  writew,
} from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { IOREMAP_START, kaddr_hex, PAGE_SIZE } from '../mm/layout.js';
import { Oops, panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import {
  ioread16be,
  ioread32,
  ioread32be,
  ioread64be,
  iowrite16be,
  iowrite32,
  iowrite32be,
  iowrite64be,
  memcpy_fromio,
  memcpy_toio,
  readl_relaxed,
} from './accessors.js';
import {
  io_init,
  ioremap,
  iounmap,
  type mmio_size,
  sim_mmio_register,
  sim_mmio_unregister,
} from './mmio.js';
import {
  iomem_resources,
  release_mem_region,
  request_mem_region,
  resource_init,
} from './resource.js';

const BASE = 0xfe000000;

/** A register file that records every access the CPU makes, in order. */
function recording_device() {
  const bytes = new Uint8Array(0x100);
  const view = new DataView(bytes.buffer);
  const log: string[] = [];
  const ops = {
    read(offset: number, size: mmio_size): number | bigint {
      log.push(`r${size * 8}@${offset.toString(16)}`);
      switch (size) {
        case 1:
          return view.getUint8(offset);
        case 2:
          return view.getUint16(offset, true);
        case 4:
          return view.getUint32(offset, true);
        default:
          return view.getBigUint64(offset, true);
      }
    },
    write(offset: number, size: mmio_size, value: number | bigint): void {
      log.push(`w${size * 8}@${offset.toString(16)}=${value.toString(16)}`);
      switch (size) {
        case 1:
          view.setUint8(offset, Number(value));
          break;
        case 2:
          view.setUint16(offset, Number(value), true);
          break;
        case 4:
          view.setUint32(offset, Number(value), true);
          break;
        default:
          view.setBigUint64(offset, BigInt(value), true);
      }
    },
  };
  return { bytes, log, ops };
}

beforeEach(() => {
  mm_init({ quiet: true });
  io_init();
  resource_init();
  printk_reset();
  panic_reset();
});

describe('ioremap', () => {
  it('maps into ioremap space, keeping the offset within the page', () => {
    const dev = recording_device();
    expect(sim_mmio_register(BASE, 0x100, 'rec', dev.ops)).toBe(0);
    const a = ioremap(BASE + 0x10, 0x20);
    expect(a).toBe(IOREMAP_START + 0x10);
    expect(kaddr_hex(a)).toBe('ffffc90100000010');
    const b = ioremap(BASE, 0x100);
    // A guard page separates mappings.
    expect(b).toBe(IOREMAP_START + 2 * PAGE_SIZE);
  });

  it('refuses RAM, empty ranges and overlapping devices', () => {
    const dev = recording_device();
    expect(ioremap(0x1000, 0x100)).toBe(0);
    expect(dmesg()).toContain('ioremap on RAM at 0x0000000000001000 - 0x00000000000010ff');
    expect(ioremap(BASE, 0)).toBe(0);
    expect(sim_mmio_register(0x1000, 0x100, 'ram', dev.ops)).toBe(-EINVAL);
    expect(sim_mmio_register(BASE, 0x100, 'a', dev.ops)).toBe(0);
    expect(sim_mmio_register(BASE + 0xff, 0x100, 'b', dev.ops)).toBe(-EBUSY);
    expect(sim_mmio_register(BASE + 0x100, 0x100, 'b', dev.ops)).toBe(0);
  });
});

describe('MMIO accessors', () => {
  it('reach the device once per access with the access width, in program order', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x100);
    writeb(0x1ab, io + 1);
    writew(0x1234, io + 2);
    writel(0xdeadbeef, io + 4);
    writeq(0x0123456789abcdefn, io + 8);
    expect(readb(io + 1)).toBe(0xab);
    expect(readw(io + 2)).toBe(0x1234);
    expect(readl(io + 4)).toBe(0xdeadbeef);
    expect(readq(io + 8)).toBe(0x0123456789abcdefn);
    expect(dev.log).toEqual([
      'w8@1=ab',
      'w16@2=1234',
      'w32@4=deadbeef',
      'w64@8=123456789abcdef',
      'r8@1',
      'r16@2',
      'r32@4',
      'r64@8',
    ]);
    // The bus is little-endian: the low byte of a 32-bit register is at its address.
    expect(Array.from(dev.bytes.subarray(4, 8))).toEqual([0xef, 0xbe, 0xad, 0xde]);
  });

  it('swap bytes in the _be variants', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x100);
    iowrite32be(0x11223344, io);
    expect(Array.from(dev.bytes.subarray(0, 4))).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(ioread32(io)).toBe(0x44332211);
    expect(ioread32be(io)).toBe(0x11223344);
    expect(readl_relaxed(io)).toBe(0x44332211);
    iowrite16be(0xa1b2, io + 4);
    expect(Array.from(dev.bytes.subarray(4, 6))).toEqual([0xa1, 0xb2]);
    expect(ioread16be(io + 4)).toBe(0xa1b2);
    iowrite64be(0x0102030405060708n, io + 8);
    expect(Array.from(dev.bytes.subarray(8, 16))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ioread64be(io + 8)).toBe(0x0102030405060708n);
    iowrite32(0xffffffff, io + 16);
    expect(readl(io + 16)).toBe(0xffffffff);
  });

  it('copy between RAM and device memory with memcpy_toio/memcpy_fromio', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x100);
    const buf = kmalloc(8, GFP_KERNEL);
    memcpy_from_js(buf, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    memcpy_toio(io + 0x20, buf, 8);
    expect(Array.from(dev.bytes.subarray(0x20, 0x28))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    dev.bytes[0x20] = 9;
    memcpy_fromio(buf, io + 0x20, 2);
    expect(Array.from(memcpy_to_js(buf, 3))).toEqual([9, 2, 3]);
    kfree(buf);
  });

  it('read all ones where no device answers, and after the device went away', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x1000);
    expect(readl(io + 0x200)).toBe(0xffffffff);
    writel(1, io + 0x200);
    expect(readl(io)).toBe(0);
    sim_mmio_unregister(BASE);
    expect(readl(io)).toBe(0xffffffff);
    expect(readq(io)).toBe(0xffffffffffffffffn);
    expect(readb(io)).toBe(0xff);
  });

  it('Oops on an access past the end of the mapping', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x10);
    expect(readl(io + 0xc)).toBe(0);
    expect(() => readl(io + 0xe)).toThrow(Oops);
    expect(dmesg()).toContain(
      `BUG: unable to handle page fault for address: ${kaddr_hex(io + 0xe)}`,
    );
    expect(dmesg()).toContain('#PF: supervisor read access in kernel mode');
    expect(() => writel(0, io + 0x10)).toThrow(Oops);
    expect(dmesg()).toContain('#PF: supervisor write access in kernel mode');
    expect(dev.log).toEqual(['r32@c']);
  });

  it('Oops on an access after iounmap', () => {
    const dev = recording_device();
    sim_mmio_register(BASE, 0x100, 'rec', dev.ops);
    const io = ioremap(BASE, 0x100);
    iounmap(io);
    expect(() => readq(io)).toThrow(Oops);
    expect(dmesg()).toContain(`BUG: unable to handle page fault for address: ${kaddr_hex(io)}`);
    expect(dev.log).toEqual([]);
    // A second mapping never reuses the address, so the stale pointer still faults.
    const again = ioremap(BASE, 0x100);
    expect(again).not.toBe(io);
    expect(() => writeq(1n, io)).toThrow(Oops);
  });

  it('warn on iounmap of an address ioremap did not return', () => {
    iounmap(IOREMAP_START + 0x40);
    expect(dmesg()).toContain('iounmap: bad address ffffc90100000040');
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at');
  });
});

describe('request_mem_region', () => {
  it('refuses overlapping claims and warns on releasing a nonexistent one', () => {
    const res = request_mem_region(BASE, 0x1000, 'edu');
    expect(res).toMatchObject({ start: BASE, end: BASE + 0xfff, name: 'edu' });
    expect(request_mem_region(BASE + 0xfff, 1, 'other')).toBeNull();
    expect(request_mem_region(BASE + 0x1000, 0x100, 'other')?.name).toBe('other');
    expect(iomem_resources().map((r) => r.name)).toEqual(['edu', 'other']);
    release_mem_region(BASE, 0x1000);
    expect(request_mem_region(BASE, 0x10, 'again')).not.toBeNull();
    release_mem_region(0xfe800000, 0x10);
    expect(dmesg()).toContain(
      'Trying to free nonexistent resource <0x00000000fe800000-0x00000000fe80000f>',
    );
  });
});
