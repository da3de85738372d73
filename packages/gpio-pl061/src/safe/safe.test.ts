import { GFP_KERNEL } from '@rfl/alloc';
import {
  amba_device_add,
  amba_device_alloc,
  amba_device_unregister,
  DEFINE_RES_MEM,
  dmesg,
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  handle_edge_irq,
  handle_level_irq,
  IRQ_HANDLED,
  io_init,
  irq_create_mapping,
  irq_domain_create_linear,
  irq_init,
  irq_set_chip_and_handler,
  irq_set_irq_type,
  irq_set_irq_wake,
  irq_to_desc,
  kthread_run,
  mm_init,
  panic_reset,
  request_irq,
  request_mem_region,
  resource_init,
  sim_hardirq,
  sim_irq,
  sim_mmio_register,
  sim_run_pending,
  sim_run_until_idle,
  sysfs_read,
  vfs_init,
} from '@rfl/kernel';
import { Arc, type ArcBorrow } from '@rfl/sync';
import { KernelError } from '@rfl/types';
import { beforeEach, describe, expect, it } from 'vitest';
import * as amba from './amba.js';
import { DeviceData } from './device.js';
import { IoMem } from './io-mem.js';
import * as irq from './irq.js';

const BASE = 0xfe030000;
let regs: Uint8Array;

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  io_init();
  resource_init();
  irq_init();
  panic_reset();
  dmesg_clear();
  regs = new Uint8Array(0x1000);
  sim_mmio_register(BASE, 0x1000, 'fox', {
    read: (off) => regs[off] ?? 0,
    write: (off, _size, v) => {
      regs[off] = Number(v) & 0xff;
    },
  });
});

function errno(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
  return undefined;
}

describe('IoMem', () => {
  it('reaches the registers inside the window only', () => {
    using io = IoMem.tryNew(DEFINE_RES_MEM(BASE, 0x1000), 0x1000);
    io.writeb(0xa5, 0x400);
    expect(regs[0x400]).toBe(0xa5);
    expect(io.readb(0x400)).toBe(0xa5);
    expect(() => io.readb(0x1000)).toThrow(RangeError);
    expect(() => io.readl(0xffe)).toThrow('readl at offset 0xffe is out of bounds or unaligned');
    expect(errno(() => io.tryWriteb(1, 0x1000))).toBe('EINVAL');
    expect(errno(() => io.tryReadl(0x2))).toBe('EINVAL');
  });

  it('claims the region, so a second mapping is EBUSY, and gives it back when dropped', () => {
    const io = IoMem.tryNew(DEFINE_RES_MEM(BASE, 0x1000), 0x1000);
    expect(errno(() => IoMem.tryNew(DEFINE_RES_MEM(BASE, 0x1000), 0x1000))).toBe('EBUSY');
    io[Symbol.dispose]();
    expect(request_mem_region(BASE, 0x1000, 'next')).not.toBeNull();
  });

  it('refuses a resource smaller than its size', () => {
    expect(errno(() => IoMem.tryNew(DEFINE_RES_MEM(BASE, 0x100), 0x1000))).toBe('EINVAL');
  });

  it('reports a use after dispose instead of touching the unmapped address', () => {
    const io = IoMem.tryNew(DEFINE_RES_MEM(BASE, 0x1000), 0x1000);
    io[Symbol.dispose]();
    expect(() => io.readb(0)).toThrow('use of moved value: `IoMem` in readb');
    expect(dmesg()).not.toContain('unable to handle page fault');
  });
});

type FoxData = DeviceData<Disposable, IoMem<0x1000>, { name: string }>;

function foxDriver(log: string[], fail?: number): amba.Driver<FoxData, string> {
  return {
    name: 'fox',
    idTable: [{ id: 0x00041fff, mask: 0x000fffff, data: 'v1' }],
    probe(dev, info) {
      if (fail) throw new KernelError(fail);
      log.push(`probe ${dev.name} ${info} irq=${dev.irq(0)}`);
      const res = dev.takeResource();
      expect(dev.takeResource()).toBeNull();
      const io = IoMem.tryNew(res!, 0x1000);
      const reg = {
        [Symbol.dispose]: () => {
          using r = data.resources();
          log.push(`unregister (registers ${r === null ? 'gone' : 'still there'})`);
        },
      };
      const data = DeviceData.new<Disposable, IoMem<0x1000>, { name: string }>(reg, io, {
        name: dev.name,
      });
      return Arc.new(data, GFP_KERNEL);
    },
    remove(data) {
      log.push(`remove ${data.value.general.name}`);
    },
  };
}

async function addFox(): Promise<ReturnType<typeof amba_device_alloc>> {
  const adev = amba_device_alloc('fe030000.fox', BASE, 0x1000);
  adev.periphid = 0x00241fff;
  adev.irq = [sim_irq(4)];
  expect(await amba_device_add(adev)).toBe(0);
  return adev;
}

describe('amba.Driver', () => {
  it('binds by id table and removes registrations before resources', async () => {
    const log: string[] = [];
    const reg = await amba.Registration.new(foxDriver(log));
    const adev = await addFox();
    expect(sysfs_read('/sys/bus/amba/devices/fe030000.fox/driver/uevent')).toBeDefined();
    await amba_device_unregister(adev);
    await reg.unregister();
    expect(log).toEqual([
      'probe fe030000.fox v1 irq=1',
      'remove fe030000.fox',
      'unregister (registers still there)',
    ]);
    // The region was released with the IoMem.
    expect(request_mem_region(BASE, 0x1000, 'next')).not.toBeNull();
  });

  it('keeps the state alive while a reference is held, with the resources revoked', async () => {
    const log: string[] = [];
    let kept: Arc<FoxData> | null = null;
    const drv = foxDriver(log);
    const probe = drv.probe.bind(drv);
    const reg = await amba.Registration.new({
      ...drv,
      async probe(dev, info) {
        const data = await probe(dev, info);
        kept = data.clone();
        return data;
      },
    });
    const adev = await addFox();
    await amba_device_unregister(adev);
    expect(kept).not.toBeNull();
    const data = kept as unknown as Arc<FoxData>;
    expect(data.value.general.name).toBe('fe030000.fox');
    expect(data.value.resources()).toBeNull();
    data[Symbol.dispose]();
    await reg.unregister();
  });

  it('turns a thrown KernelError into the probe errno', async () => {
    const reg = await amba.Registration.new(foxDriver([], 12));
    await addFox();
    expect(dmesg()).toContain('fox fe030000.fox: probe with driver fox failed with error -12');
    await reg.unregister();
  });

  it('waits for an access in progress before the registers are unmapped', async () => {
    const log: string[] = [];
    let kept: Arc<FoxData> | null = null;
    const drv = foxDriver(log);
    const probe = drv.probe.bind(drv);
    const reg = await amba.Registration.new({
      ...drv,
      async probe(dev, info) {
        const data = await probe(dev, info);
        kept = data.clone();
        return data;
      },
    });
    const adev = await addFox();
    const data = kept as unknown as Arc<FoxData>;
    let leave!: () => void;
    const inside = new Promise<void>((r) => {
      leave = r;
    });
    kthread_run(
      async () => {
        using res = data.value.resources();
        res?.value.writeb(1, 0x400);
        await inside;
        res?.value.writeb(2, 0x400);
        log.push('access done');
        return 0;
      },
      null,
      'user',
    );
    await sim_run_pending();
    const unbind = amba_device_unregister(adev);
    await sim_run_pending();
    expect(log.at(-1)).toBe('unregister (registers still there)');
    leave();
    await unbind;
    await sim_run_until_idle();
    expect(regs[0x400]).toBe(2);
    expect(log.slice(-1)).toEqual(['access done']);
    expect(data.value.resources()).toBeNull();
    data[Symbol.dispose]();
    await reg.unregister();
  });
});

interface Ctl {
  ie: number;
  types: string[];
}

describe('irq.Chip', () => {
  it('calls the chip with its state and lets set_type pick the flow handler', () => {
    const state = Arc.new<Ctl>({ ie: 0, types: [] }, GFP_KERNEL);
    const chip: irq.Chip<Ctl> = {
      mask: (d, i) => {
        (d.value as Ctl).ie &= ~(1 << i.hwirq());
      },
      unmask: (d, i) => {
        (d.value as Ctl).ie |= 1 << i.hwirq();
      },
      setType(d: ArcBorrow<Ctl>, i, trigger) {
        if (trigger === irq.Type.NONE) throw new KernelError(22);
        (d.value as Ctl).types.push(`${i.hwirq()}:${trigger}`);
        if (trigger & (irq.Type.LEVEL_HIGH | irq.Type.LEVEL_LOW)) i.setLevelHandler();
        else i.setEdgeHandler();
      },
    };
    const raw = irq.toIrqChip('FOX', chip, () => state.asArcBorrow());
    const domain = irq_domain_create_linear('fox', 8, {
      map: (_d, virq) => {
        irq_set_chip_and_handler(virq, raw, handle_edge_irq);
        return 0;
      },
    });
    const virq = irq_create_mapping(domain, 3);
    expect(irq_set_irq_type(virq, irq.Type.LEVEL_HIGH)).toBe(0);
    expect(irq_to_desc(virq)?.handle_irq).toBe(handle_level_irq);
    expect(irq_set_irq_type(virq, irq.Type.NONE)).toBe(-22);
    expect(request_irq(virq, () => IRQ_HANDLED, 0, 'button', null)).toBe(0);
    expect(state.value.ie).toBe(1 << 3);
    expect(state.value.types).toEqual(['3:4']);
    expect(irq_set_irq_wake(virq, 1)).toBe(-6);
    state[Symbol.dispose]();
  });

  it('brackets a chained handler with enter/exit on every path', () => {
    const calls: string[] = [];
    const domain = irq_domain_create_linear('fox', 8, {
      map: (_d, virq) => {
        irq_set_chip_and_handler(virq, { name: 'child' }, (desc) => {
          calls.push(`child ${desc.irq_data.hwirq}`);
        });
        return 0;
      },
    });
    irq_create_mapping(domain, 2);
    const parentIrq = sim_irq(8);
    const parent = irq_to_desc(parentIrq)!;
    const chip = parent.irq_data.chip;
    parent.irq_data.chip = {
      name: 'parent',
      irq_mask: (d) => {
        calls.push('mask parent');
        chip.irq_mask?.(d);
      },
      irq_unmask: (d) => {
        calls.push('unmask parent');
        chip.irq_unmask?.(d);
      },
    };
    const d = new irq.Domain(domain);
    sim_hardirq(() => {
      try {
        using chained = new irq.Descriptor(parent).enterChained();
        d.genericHandleChained(2, chained);
        throw new Error('bail out');
      } catch {
        calls.push('caught');
      }
    });
    expect(calls).toEqual(['mask parent', 'child 2', 'unmask parent', 'caught']);
  });
});
