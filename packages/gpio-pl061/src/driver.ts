/**
 * The safe PL061 driver: the structure of Wedson Almeida Filho's Rust driver
 * (`drivers/gpio/gpio_pl061_rust.rs`), written against the abstractions in `safe/`.
 *
 * The device's state is an {@link Arc} of {@link DeviceData}: the gpio chip registration,
 * the resources (registers and parent irq) in a `Revocable`, and the general part (a device
 * reference and the lock-protected saved registers). Every operation reaches the registers
 * through `resources()`, which is `null` once the device is removed: the operation then fails
 * with `ENXIO` instead of touching hardware that is gone.
 *
 * @module
 */

import { GFP_KERNEL } from '@rfl/alloc';
import { EINVAL, ENXIO } from '@rfl/kernel';
import { Arc, type ArcBorrow, type RevocableGuard, SpinLock } from '@rfl/sync';
import { KernelError } from '@rfl/types';
import * as amba from './safe/amba.js';
import { type Device, DeviceData } from './safe/device.js';
import * as gpio from './safe/gpio.js';
import { IoMem } from './safe/io-mem.js';
import * as irq from './safe/irq.js';
import type * as power from './safe/power.js';

const GPIODIR = 0x400;
const GPIOIS = 0x404;
const GPIOIBE = 0x408;
const GPIOIEV = 0x40c;
const GPIOIE = 0x410;
const GPIOMIS = 0x418;
const GPIOIC = 0x41c;
const GPIO_SIZE = 0x1000;

const PL061_GPIO_NR = 8;

const bit = (n: number): number => 1 << n;

/** The registers saved across suspend (`struct pl061_context_save_regs`). */
export interface ContextSaveRegs {
  gpio_data: number;
  gpio_dir: number;
  gpio_is: number;
  gpio_ibe: number;
  gpio_iev: number;
  gpio_ie: number;
}

/** The general part: lives as long as any reference to the state. */
export class PL061Data implements Disposable {
  readonly inner = SpinLock.new<ContextSaveRegs>(
    { gpio_data: 0, gpio_dir: 0, gpio_is: 0, gpio_ibe: 0, gpio_iev: 0, gpio_ie: 0 },
    'PL061Data::inner',
  );

  constructor(readonly dev: Device) {}

  [Symbol.dispose](): void {
    this.dev[Symbol.dispose]();
  }
}

/** The hardware: revoked when the device is removed. */
export class PL061Resources implements Disposable {
  constructor(
    readonly base: IoMem<typeof GPIO_SIZE>,
    readonly parentIrq: number,
  ) {}

  [Symbol.dispose](): void {
    this.base[Symbol.dispose]();
  }
}

/** The registrations: unregistered first when the device is removed. */
export type PL061Registrations = gpio.RegistrationWithIrqChip<PL061DeviceData>;

/** The state of one bound PL061. */
export type PL061DeviceData = DeviceData<PL061Registrations, PL061Resources, PL061Data>;

type Data = ArcBorrow<PL061DeviceData>;

/** The registers, or `ENXIO` once the device is gone. */
function resources(data: Data): RevocableGuard<PL061Resources> {
  const res = data.value.resources();
  if (res === null) throw new KernelError(ENXIO);
  return res;
}

/** The GPIODATA address that masks every pin but `offset` (address bits [9:2]). */
const dataReg = (offset: number): number => bit(offset + 2);

/** The driver's gpio and irq chip operations. */
export const pl061Chip: gpio.ChipWithIrqChip<PL061DeviceData> = {
  getDirection(data, offset) {
    using pl061 = resources(data);
    return pl061.value.base.readb(GPIODIR) & bit(offset)
      ? gpio.LineDirection.Out
      : gpio.LineDirection.In;
  },

  directionInput(data, offset) {
    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = resources(data);
    const gpiodir = pl061.value.base.readb(GPIODIR) & ~bit(offset);
    pl061.value.base.writeb(gpiodir, GPIODIR);
  },

  directionOutput(data, offset, value) {
    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = resources(data);
    const base = pl061.value.base;
    base.tryWriteb(Number(value) << offset, dataReg(offset));
    base.writeb(base.readb(GPIODIR) | bit(offset), GPIODIR);
    // The value is written again: the PL061 does not let a pin's value be set before the pin
    // is an output.
    base.tryWriteb(Number(value) << offset, dataReg(offset));
  },

  get(data, offset) {
    using pl061 = resources(data);
    return pl061.value.base.tryReadb(dataReg(offset)) !== 0;
  },

  set(data, offset, value) {
    using pl061 = data.value.resources();
    pl061?.value.base.tryWriteb(Number(value) << offset, dataReg(offset));
  },

  handleIrqFlow(data, desc, domain) {
    using chained = desc.enterChained();
    using pl061 = data.value.resources();
    if (pl061 === null) return;
    const pending = pl061.value.base.readb(GPIOMIS);
    for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
      if (pending & bit(offset)) domain.genericHandleChained(offset, chained);
    }
  },

  setType(data, irqData, trigger) {
    const offset = irqData.hwirq();
    const mask = bit(offset);
    if (offset >= PL061_GPIO_NR) throw new KernelError(EINVAL);
    const dev = data.value.general.dev;
    const level = irq.Type.LEVEL_HIGH | irq.Type.LEVEL_LOW;
    const edge = irq.Type.EDGE_RISING | irq.Type.EDGE_FALLING;
    if (trigger & level && trigger & edge) {
      dev.err(
        'trying to configure line %d for both level and edge detection, choose one!\n',
        offset,
      );
      throw new KernelError(EINVAL);
    }

    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = resources(data);
    const base = pl061.value.base;
    let gpioiev = base.readb(GPIOIEV);
    let gpiois = base.readb(GPIOIS);
    let gpioibe = base.readb(GPIOIBE);

    if (trigger & level) {
      const high = (trigger & irq.Type.LEVEL_HIGH) !== 0;
      gpioibe &= ~mask;
      gpiois |= mask;
      gpioiev = high ? gpioiev | mask : gpioiev & ~mask;
      irqData.setLevelHandler();
      dev.dbg('line %d: IRQ on %s level\n', offset, high ? 'HIGH' : 'LOW');
    } else if ((trigger & irq.Type.EDGE_BOTH) === irq.Type.EDGE_BOTH) {
      // Both edges: GPIOIEV is ignored.
      gpiois &= ~mask;
      gpioibe |= mask;
      irqData.setEdgeHandler();
      dev.dbg('line %d: IRQ on both edges\n', offset);
    } else if (trigger & edge) {
      const rising = (trigger & irq.Type.EDGE_RISING) !== 0;
      gpiois &= ~mask;
      gpioibe &= ~mask;
      gpioiev = rising ? gpioiev | mask : gpioiev & ~mask;
      irqData.setEdgeHandler();
      dev.dbg('line %d: IRQ on %s edge\n', offset, rising ? 'RISING' : 'FALLING');
    } else {
      gpiois &= ~mask;
      gpioibe &= ~mask;
      gpioiev &= ~mask;
      irqData.setBadHandler();
      dev.warn('no trigger selected for line %d\n', offset);
    }
    base.writeb(gpiois, GPIOIS);
    base.writeb(gpioibe, GPIOIBE);
    base.writeb(gpioiev, GPIOIEV);
  },

  // The irq chip operations are called with interrupts off from the irq core, but also from
  // request_irq() in process context; irqsave is right in both.
  mask(data, irqData) {
    const mask = bit(irqData.hwirq() % PL061_GPIO_NR);
    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = data.value.resources();
    if (pl061) pl061.value.base.writeb(pl061.value.base.readb(GPIOIE) & ~mask, GPIOIE);
  },

  unmask(data, irqData) {
    const mask = bit(irqData.hwirq() % PL061_GPIO_NR);
    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = data.value.resources();
    if (pl061) pl061.value.base.writeb(pl061.value.base.readb(GPIOIE) | mask, GPIOIE);
  },

  // Called by the edge flow handler to clear the edge in GPIOIC. Level interrupts need no ack:
  // they go away with the level.
  ack(data, irqData) {
    const mask = bit(irqData.hwirq() % PL061_GPIO_NR);
    using _guard = data.value.general.inner.lockIrqsave();
    using pl061 = data.value.resources();
    pl061?.value.base.writeb(mask, GPIOIC);
  },

  setWake(data, _irqData, on) {
    using pl061 = resources(data);
    irq.setWake(pl061.value.parentIrq, on);
  },
};

/** Suspend/resume: the line directions, trigger setup and output values survive. */
export const pl061Pm: power.Operations<PL061DeviceData> = {
  suspend(data) {
    const saved = { gpio_data: 0, gpio_dir: 0, gpio_is: 0, gpio_ibe: 0, gpio_iev: 0, gpio_ie: 0 };
    {
      using pl061 = resources(data);
      const base = pl061.value.base;
      saved.gpio_dir = base.readb(GPIODIR);
      saved.gpio_is = base.readb(GPIOIS);
      saved.gpio_ibe = base.readb(GPIOIBE);
      saved.gpio_iev = base.readb(GPIOIEV);
      saved.gpio_ie = base.readb(GPIOIE);
    }
    for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
      if (saved.gpio_dir & bit(offset) && pl061Chip.get?.(data, offset)) {
        saved.gpio_data |= bit(offset);
      }
    }
    using inner = data.value.general.inner.lockIrqsave();
    inner.value = saved;
  },

  resume(data) {
    let saved: ContextSaveRegs;
    {
      using inner = data.value.general.inner.lockIrqsave();
      saved = { ...inner.value };
    }
    for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
      if (saved.gpio_dir & bit(offset)) {
        pl061Chip.directionOutput?.(data, offset, (saved.gpio_data & bit(offset)) !== 0);
      } else {
        pl061Chip.directionInput?.(data, offset);
      }
    }
    using pl061 = resources(data);
    const base = pl061.value.base;
    base.writeb(saved.gpio_is, GPIOIS);
    base.writeb(saved.gpio_ibe, GPIOIBE);
    base.writeb(saved.gpio_iev, GPIOIEV);
    base.writeb(saved.gpio_ie, GPIOIE);
  },
};

/**
 * The driver's name on the AMBA bus: the C driver's, as the Rust driver kept it, so that the
 * two cannot be registered at once and `/sys/bus/amba/drivers/pl061_gpio/` is the same for
 * both.
 */
export const PL061_SAFE_DRIVER_NAME = 'pl061_gpio';
/** The module of the safe driver: `modprobe gpio_pl061`. */
export const PL061_SAFE_MODULE_NAME = 'gpio_pl061';

/** The AMBA driver: binds every PL061 revision (`0x00041061` under mask `0x000fffff`). */
export const pl061Driver: amba.Driver<PL061DeviceData> = {
  name: PL061_SAFE_DRIVER_NAME,
  idTable: [{ id: 0x00041061, mask: 0x000fffff }],
  pm: pl061Pm,

  async probe(dev) {
    const res = dev.takeResource();
    const parentIrq = dev.irq(0);
    if (res === null || parentIrq === null) throw new KernelError(ENXIO);
    const base = IoMem.tryNew(res, GPIO_SIZE);
    const data = Arc.new(
      DeviceData.new(
        gpio.RegistrationWithIrqChip.new<PL061DeviceData>(),
        new PL061Resources(base, parentIrq),
        new PL061Data(dev.device()),
      ),
      GFP_KERNEL,
    );
    try {
      {
        using pl061 = resources(data.asArcBorrow());
        pl061.value.base.writeb(0, GPIOIE); // disable irqs
      }
      {
        using regs = await data.value.registrations();
        if (regs === null) throw new KernelError(ENXIO);
        regs.value.registerWithIrqChip(
          pl061Chip,
          PL061_GPIO_NR,
          null,
          data.value.general.dev,
          data.clone(),
          parentIrq,
        );
      }
    } catch (e) {
      await data.value.deviceRemove();
      data[Symbol.dispose]();
      throw e;
    }
    data.value.general.dev.info('PL061 GPIO chip registered\n');
    return data;
  },
};

/** The `gpio_pl061` module (`module_amba_driver!`): `modprobe gpio_pl061` binds the PL061s. */
export const pl061Module = amba.moduleDriver({
  name: PL061_SAFE_MODULE_NAME,
  author: 'rfl-ts, after Wedson Almeida Filho',
  description: 'Driver for the ARM PrimeCell(tm) General Purpose Input/Output (PL061), safe',
  license: 'GPL',
  driver: pl061Driver,
});
