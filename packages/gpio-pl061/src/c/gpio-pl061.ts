/**
 * The C-style PL061 driver: `drivers/gpio/gpio-pl061.c` ported line for line
 * onto `@rfl/kernel`'s C API. Same register sequences, same locking, same devm
 * lifetimes — and so the same bugs the kernel-summit thread is about: the
 * driver state is `devm_kzalloc()`'d, freed when the driver is unbound, whoever
 * still holds a pointer to it.
 *
 * `struct pl061` is split the only way the simulation allows. Its scalar members
 * (`base`, `parent_irq`, `csave_regs`) are bytes of the `devm_kzalloc()`'d
 * allocation and every access goes through the memory accessors, so KASAN sees a
 * use after the unbind exactly as it would in C. The members C embeds but the
 * simulation keeps as JavaScript objects (the raw spinlock, the `gpio_chip`, the
 * `irq_chip`) sit beside it in {@link pl061}; they are reached only through the
 * struct, as in C.
 *
 * @module
 */

import {
  type amba_device,
  type amba_driver,
  type amba_id,
  amba_set_drvdata,
  chained_irq_enter,
  chained_irq_exit,
  dev_dbg,
  dev_err,
  dev_get_drvdata,
  dev_info,
  dev_name,
  type dev_pm_ops,
  dev_warn,
  type device,
  devm_gpiochip_add_data,
  devm_ioremap_resource,
  devm_kzalloc,
  EINVAL,
  ENOMEM,
  GFP_KERNEL,
  GPIOCHIP_IRQ_RESOURCE_HELPERS,
  generic_handle_domain_irq,
  gpio_chip,
  gpiochip_disable_irq,
  gpiochip_enable_irq,
  gpiochip_get_data,
  handle_bad_irq,
  handle_edge_irq,
  handle_level_irq,
  IRQ_TYPE_EDGE_BOTH,
  IRQ_TYPE_EDGE_FALLING,
  IRQ_TYPE_EDGE_RISING,
  IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_NONE,
  IRQCHIP_IMMUTABLE,
  IS_ERR,
  type irq_chip,
  type irq_data,
  irq_data_get_irq_chip_data,
  type irq_desc,
  irq_desc_get_chip,
  irq_desc_get_handler_data,
  irq_set_handler_locked,
  irq_set_irq_wake,
  irqd_to_hwirq,
  PTR_ERR,
  raw_spin_lock,
  raw_spin_lock_init,
  raw_spin_lock_irqsave,
  raw_spin_unlock,
  raw_spin_unlock_irqrestore,
  raw_spinlock_t,
  read_ptr,
  readb,
  readl,
  write_ptr,
  writeb,
  writel,
} from '@rfl/kernel';

const GPIODIR = 0x400;
const GPIOIS = 0x404;
const GPIOIBE = 0x408;
const GPIOIEV = 0x40c;
const GPIOIE = 0x410;
const GPIOMIS = 0x418;
const GPIOIC = 0x41c;

const PL061_GPIO_NR = 8;

const BIT = (n: number): number => 1 << n;

// struct pl061_context_save_regs: six u8.
const CSAVE_DATA = 0;
const CSAVE_DIR = 1;
const CSAVE_IS = 2;
const CSAVE_IBE = 3;
const CSAVE_IEV = 4;
const CSAVE_IE = 5;

// struct pl061 as laid out in its allocation (x86-64 alignment): 8 bytes for the
// lock word, then `base`, `parent_irq` and `csave_regs`. The lock, the embedded
// gpio_chip and irq_chip are JavaScript objects (see the module comment).
const PL061_BASE = 8;
const PL061_PARENT_IRQ = 16;
const PL061_CSAVE_REGS = 20;
/** `sizeof(struct pl061)` in the simulation. */
export const PL061_C_STRUCT_SIZE = 32;

/**
 * `struct pl061`: the driver's per-device state. `addr` is the
 * `devm_kzalloc()`'d allocation that holds the scalar members.
 */
interface pl061 {
  readonly addr: number;
  readonly lock: raw_spinlock_t;
  readonly gc: gpio_chip;
  readonly irq_chip: irq_chip;
}

/** `pl061->base`. */
function pl061_base(pl061: pl061): number {
  return read_ptr(pl061.addr + PL061_BASE);
}

function pl061_get_direction(gc: gpio_chip, offset: number): number {
  const pl061 = gpiochip_get_data<pl061>(gc);

  return readb(pl061_base(pl061) + GPIODIR) & BIT(offset) ? 0 : 1;
}

function pl061_direction_input(gc: gpio_chip, offset: number): number {
  const pl061 = gpiochip_get_data<pl061>(gc);

  const flags = raw_spin_lock_irqsave(pl061.lock);
  let gpiodir = readb(pl061_base(pl061) + GPIODIR);
  gpiodir &= ~BIT(offset);
  writeb(gpiodir, pl061_base(pl061) + GPIODIR);
  raw_spin_unlock_irqrestore(pl061.lock, flags);

  return 0;
}

function pl061_direction_output(gc: gpio_chip, offset: number, value: number): number {
  const pl061 = gpiochip_get_data<pl061>(gc);

  const flags = raw_spin_lock_irqsave(pl061.lock);
  writeb(Number(!!value) << offset, pl061_base(pl061) + BIT(offset + 2));
  let gpiodir = readb(pl061_base(pl061) + GPIODIR);
  gpiodir |= BIT(offset);
  writeb(gpiodir, pl061_base(pl061) + GPIODIR);

  // gpio value is set again, because pl061 doesn't allow to set value of
  // a gpio pin before configuring it in OUT mode.
  writeb(Number(!!value) << offset, pl061_base(pl061) + BIT(offset + 2));
  raw_spin_unlock_irqrestore(pl061.lock, flags);

  return 0;
}

function pl061_get_value(gc: gpio_chip, offset: number): number {
  const pl061 = gpiochip_get_data<pl061>(gc);

  return Number(!!readb(pl061_base(pl061) + BIT(offset + 2)));
}

function pl061_set_value(gc: gpio_chip, offset: number, value: number): number {
  const pl061 = gpiochip_get_data<pl061>(gc);

  writeb(Number(!!value) << offset, pl061_base(pl061) + BIT(offset + 2));

  return 0;
}

function pl061_irq_type(d: irq_data, trigger: number): number {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);
  const offset = irqd_to_hwirq(d);
  const bit = BIT(offset);

  if (offset < 0 || offset >= PL061_GPIO_NR) return -EINVAL;

  if (
    trigger & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW) &&
    trigger & (IRQ_TYPE_EDGE_RISING | IRQ_TYPE_EDGE_FALLING)
  ) {
    dev_err(
      gc.parent!,
      'trying to configure line %d for both level and edge detection, choose one!\n',
      offset,
    );
    return -EINVAL;
  }

  const flags = raw_spin_lock_irqsave(pl061.lock);

  let gpioiev = readb(pl061_base(pl061) + GPIOIEV);
  let gpiois = readb(pl061_base(pl061) + GPIOIS);
  let gpioibe = readb(pl061_base(pl061) + GPIOIBE);

  if (trigger & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW)) {
    const polarity = (trigger & IRQ_TYPE_LEVEL_HIGH) !== 0;

    // Disable edge detection
    gpioibe &= ~bit;
    // Enable level detection
    gpiois |= bit;
    // Select polarity
    if (polarity) gpioiev |= bit;
    else gpioiev &= ~bit;
    irq_set_handler_locked(d, handle_level_irq);
    dev_dbg(gc.parent!, 'line %d: IRQ on %s level\n', offset, polarity ? 'HIGH' : 'LOW');
  } else if ((trigger & IRQ_TYPE_EDGE_BOTH) === IRQ_TYPE_EDGE_BOTH) {
    // Disable level detection
    gpiois &= ~bit;
    // Select both edges, setting this makes GPIOEV be ignored
    gpioibe |= bit;
    irq_set_handler_locked(d, handle_edge_irq);
    dev_dbg(gc.parent!, 'line %d: IRQ on both edges\n', offset);
  } else if (trigger & IRQ_TYPE_EDGE_RISING || trigger & IRQ_TYPE_EDGE_FALLING) {
    const rising = (trigger & IRQ_TYPE_EDGE_RISING) !== 0;

    // Disable level detection
    gpiois &= ~bit;
    // Clear detection on both edges
    gpioibe &= ~bit;
    // Select edge
    if (rising) gpioiev |= bit;
    else gpioiev &= ~bit;
    irq_set_handler_locked(d, handle_edge_irq);
    dev_dbg(gc.parent!, 'line %d: IRQ on %s edge\n', offset, rising ? 'RISING' : 'FALLING');
  } else {
    // No trigger: disable everything
    gpiois &= ~bit;
    gpioibe &= ~bit;
    gpioiev &= ~bit;
    irq_set_handler_locked(d, handle_bad_irq);
    dev_warn(gc.parent!, 'no trigger selected for line %d\n', offset);
  }

  writeb(gpiois, pl061_base(pl061) + GPIOIS);
  writeb(gpioibe, pl061_base(pl061) + GPIOIBE);
  writeb(gpioiev, pl061_base(pl061) + GPIOIEV);

  raw_spin_unlock_irqrestore(pl061.lock, flags);

  return 0;
}

function pl061_irq_handler(desc: irq_desc): void {
  const gc = irq_desc_get_handler_data(desc) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);
  const irqchip = irq_desc_get_chip(desc);

  chained_irq_enter(irqchip, desc);

  const pending = readb(pl061_base(pl061) + GPIOMIS);
  if (pending) {
    for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
      if (pending & BIT(offset)) generic_handle_domain_irq(gc.irq.domain!, offset);
    }
  }

  chained_irq_exit(irqchip, desc);
}

function pl061_irq_mask(d: irq_data): void {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);
  const mask = BIT(irqd_to_hwirq(d) % PL061_GPIO_NR);

  raw_spin_lock(pl061.lock);
  const gpioie = readb(pl061_base(pl061) + GPIOIE) & ~mask;
  writeb(gpioie, pl061_base(pl061) + GPIOIE);
  raw_spin_unlock(pl061.lock);

  gpiochip_disable_irq(gc, irqd_to_hwirq(d));
}

function pl061_irq_unmask(d: irq_data): void {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);
  const mask = BIT(irqd_to_hwirq(d) % PL061_GPIO_NR);

  gpiochip_enable_irq(gc, irqd_to_hwirq(d));

  raw_spin_lock(pl061.lock);
  const gpioie = readb(pl061_base(pl061) + GPIOIE) | mask;
  writeb(gpioie, pl061_base(pl061) + GPIOIE);
  raw_spin_unlock(pl061.lock);
}

/**
 * pl061_irq_ack() - ACK an edge IRQ
 *
 * This gets called from the edge IRQ handler to ACK the edge IRQ
 * in the GPIOIC (interrupt-clear) register. For level IRQs this is
 * not needed: these go away when the level signal goes away.
 */
function pl061_irq_ack(d: irq_data): void {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);
  const mask = BIT(irqd_to_hwirq(d) % PL061_GPIO_NR);

  raw_spin_lock(pl061.lock);
  writeb(mask, pl061_base(pl061) + GPIOIC);
  raw_spin_unlock(pl061.lock);
}

function pl061_irq_set_wake(d: irq_data, state: number): number {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  const pl061 = gpiochip_get_data<pl061>(gc);

  return irq_set_irq_wake(readl(pl061.addr + PL061_PARENT_IRQ), state);
}

async function pl061_probe(adev: amba_device, _id: amba_id): Promise<number> {
  const dev = adev.dev;

  const addr = devm_kzalloc(dev, PL061_C_STRUCT_SIZE, GFP_KERNEL);
  if (addr === 0) return -ENOMEM;
  const pl061: pl061 = {
    addr,
    lock: new raw_spinlock_t(),
    gc: new gpio_chip(),
    irq_chip: {
      name: dev_name(dev),
      flags: IRQCHIP_IMMUTABLE,
      irq_ack: pl061_irq_ack,
      irq_mask: pl061_irq_mask,
      irq_unmask: pl061_irq_unmask,
      irq_set_type: pl061_irq_type,
      irq_set_wake: pl061_irq_set_wake,
      ...GPIOCHIP_IRQ_RESOURCE_HELPERS,
    },
  };

  const base = devm_ioremap_resource(dev, adev.res);
  if (IS_ERR(base)) return PTR_ERR(base);
  write_ptr(base, pl061.addr + PL061_BASE);

  raw_spin_lock_init(pl061.lock, '&pl061->lock');

  pl061.gc.base = -1;
  pl061.gc.get_direction = pl061_get_direction;
  pl061.gc.direction_input = pl061_direction_input;
  pl061.gc.direction_output = pl061_direction_output;
  pl061.gc.get = pl061_get_value;
  pl061.gc.set = pl061_set_value;
  pl061.gc.ngpio = PL061_GPIO_NR;
  pl061.gc.label = dev_name(dev);
  pl061.gc.parent = dev;
  pl061.gc.owner = pl061_gpio_driver.drv.owner;

  // irq_chip support
  writeb(0, pl061_base(pl061) + GPIOIE); // disable irqs
  const irq = adev.irq[0] ?? 0;
  if (!irq) dev_warn(adev.dev, 'IRQ support disabled\n');
  writel(irq, pl061.addr + PL061_PARENT_IRQ);

  const girq = pl061.gc.irq;
  girq.chip = pl061.irq_chip;
  girq.parent_handler = pl061_irq_handler;
  // The kernel devm_kcalloc()s this one-entry array; a JavaScript array needs no free.
  girq.num_parents = 1;
  girq.parents = [irq];
  girq.default_type = IRQ_TYPE_NONE;
  girq.handler = handle_bad_irq;

  const ret = devm_gpiochip_add_data(dev, pl061.gc, pl061);
  if (ret) return ret;

  amba_set_drvdata(adev, pl061);
  dev_info(dev, 'PL061 GPIO chip registered\n');

  return 0;
}

function pl061_suspend(dev: device): number {
  const pl061 = dev_get_drvdata<pl061>(dev);
  const csave = pl061.addr + PL061_CSAVE_REGS;

  writeb(0, csave + CSAVE_DATA);
  writeb(readb(pl061_base(pl061) + GPIODIR), csave + CSAVE_DIR);
  writeb(readb(pl061_base(pl061) + GPIOIS), csave + CSAVE_IS);
  writeb(readb(pl061_base(pl061) + GPIOIBE), csave + CSAVE_IBE);
  writeb(readb(pl061_base(pl061) + GPIOIEV), csave + CSAVE_IEV);
  writeb(readb(pl061_base(pl061) + GPIOIE), csave + CSAVE_IE);

  for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
    if (readb(csave + CSAVE_DIR) & BIT(offset)) {
      writeb(
        readb(csave + CSAVE_DATA) | (pl061_get_value(pl061.gc, offset) << offset),
        csave + CSAVE_DATA,
      );
    }
  }

  return 0;
}

function pl061_resume(dev: device): number {
  const pl061 = dev_get_drvdata<pl061>(dev);
  const csave = pl061.addr + PL061_CSAVE_REGS;

  for (let offset = 0; offset < PL061_GPIO_NR; offset++) {
    if (readb(csave + CSAVE_DIR) & BIT(offset)) {
      pl061_direction_output(pl061.gc, offset, readb(csave + CSAVE_DATA) & BIT(offset));
    } else {
      pl061_direction_input(pl061.gc, offset);
    }
  }

  writeb(readb(csave + CSAVE_IS), pl061_base(pl061) + GPIOIS);
  writeb(readb(csave + CSAVE_IBE), pl061_base(pl061) + GPIOIBE);
  writeb(readb(csave + CSAVE_IEV), pl061_base(pl061) + GPIOIEV);
  writeb(readb(csave + CSAVE_IE), pl061_base(pl061) + GPIOIE);

  return 0;
}

/** `pl061_dev_pm_ops`: the same pair serves suspend/resume and hibernation's freeze/restore. */
const pl061_dev_pm_ops: dev_pm_ops = {
  suspend: pl061_suspend,
  resume: pl061_resume,
  freeze: pl061_suspend,
  restore: pl061_resume,
};

/** `pl061_ids`: every revision of the ARM PL061. */
export const pl061_c_ids: readonly amba_id[] = [{ id: 0x00041061, mask: 0x000fffff }];

/** `pl061_gpio_driver`: the C-style driver, `pl061_gpio` on the AMBA bus. */
export const pl061_gpio_driver: amba_driver = {
  drv: {
    name: 'pl061_gpio',
    pm: pl061_dev_pm_ops,
  },
  id_table: pl061_c_ids,
  probe: pl061_probe,
};
