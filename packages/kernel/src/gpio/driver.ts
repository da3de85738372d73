/**
 * The provider side of the GPIO subsystem (include/linux/gpio/driver.h,
 * drivers/gpio/gpiolib.h): the `gpio_chip` a driver fills in, the
 * `gpio_irq_chip` embedded in it, and the two structures gpiolib keeps for
 * itself, `gpio_device` and `gpio_desc`.
 *
 * The split is the kernel's and it is the point of the whole design: the
 * `gpio_chip` belongs to the driver and lives only while the driver is bound
 * (drivers keep it in `devm_kzalloc`'d state), while the `gpio_device` belongs
 * to gpiolib, embeds a reference-counted `struct device` and lives until the
 * last user — an open `/dev/gpiochipN`, a line request — lets go. Removing the
 * chip sets `gdev.chip` to null ("numbing" the device), and every later call
 * through the device sees that and fails with -ENODEV instead of calling into
 * a driver that is gone.
 *
 * @module
 */

import { device } from '../base/device.js';
import type { irq_chip, irq_flow_handler_t } from '../irq/irqdesc.js';
import type { irq_domain } from '../irq/irqdomain.js';

/** `get_direction()` result: the line is an output. */
export const GPIO_LINE_DIRECTION_OUT = 0;
/** `get_direction()` result: the line is an input. */
export const GPIO_LINE_DIRECTION_IN = 1;

/**
 * A bitmap of lines, one bit per offset, in 32-bit words (`unsigned long *` of
 * a 32-bit kernel): line `n` is bit `n % 32` of word `n >> 5`.
 */
export type gpio_bitmap = Uint32Array;

/**
 * The interrupt half of a GPIO controller (`struct gpio_irq_chip`), filled in by
 * the driver before `gpiochip_add_data()`. When `chip` is set, gpiolib creates a
 * linear irq domain of `ngpio` lines whose irqs get `chip` and `handler`, and, when
 * `parent_handler` is set, installs it as the chained handler of every parent irq.
 */
export class gpio_irq_chip {
  /** The irq_chip of the lines; the driver's (ideally immutable, with the resource helpers). */
  chip: irq_chip | undefined;
  /** The domain gpiolib created; valid from `gpiochip_add_data()` to `gpiochip_remove()`. */
  domain: irq_domain | undefined;
  /** The flow handler each line starts with (`handle_bad_irq` until `set_type` picks one). */
  handler: irq_flow_handler_t | undefined;
  /** The trigger programmed on each line when it is mapped (IRQ_TYPE_NONE: leave it). */
  default_type = 0;
  /** The chained handler of the parent irqs; absent for a nested/threaded controller. */
  parent_handler: irq_flow_handler_t | undefined;
  /** The chained handler's data; the gpio_chip when not given. */
  parent_handler_data: unknown;
  /** How many entries of `parents` are used. */
  num_parents = 0;
  /** The parent (upstream) Linux irqs. */
  parents: number[] = [];
  /** Puts the hardware in a sane state before the domain is created; 0 or -errno. */
  init_hw: ((gc: gpio_chip) => number) | undefined;
  /** Clears the bits of lines that cannot be interrupts (every bit starts set). */
  init_valid_mask: ((gc: gpio_chip, valid_mask: gpio_bitmap, ngpios: number) => void) | undefined;
  /** Which lines may be interrupts; undefined means all. */
  valid_mask: gpio_bitmap | undefined;
  /** The handlers run in a thread (a sleeping controller): the lines are nested. */
  threaded = false;
  /** gpiolib finished setting up the domain (`initialized`). */
  initialized = false;
}

/**
 * A GPIO controller as its driver describes it (`struct gpio_chip`). Every
 * operation gets the chip back; `gpiochip_get_data(gc)` gives the driver's data.
 * The value operations return 0/1 or a negative errno; the others 0 or -errno.
 */
export class gpio_chip {
  /** A functional name for the chip (`label`), shown as `/sys/class/gpio/gpiochipN/label`. */
  label = '';
  /** The device that provides the chip: the gpio_device is created below it. */
  parent: device | null = null;
  /** The module of the driver (`THIS_MODULE`). */
  owner: unknown;
  /** The first global GPIO number, or -1 for a dynamically chosen one (the only right choice). */
  base = -1;
  /** How many lines the chip has. */
  ngpio = 0;
  /** The operations may sleep (a controller behind I2C): no chained irqs, no atomic get/set. */
  can_sleep = false;
  /** Line names, one per offset, shown by `gpioinfo`. */
  names: readonly string[] | undefined;
  /** Extra work when a line is requested (pinmux); 0 or -errno. */
  request: ((gc: gpio_chip, offset: number) => number) | undefined;
  free: ((gc: gpio_chip, offset: number) => void) | undefined;
  /** GPIO_LINE_DIRECTION_IN / _OUT, or -errno. */
  get_direction: ((gc: gpio_chip, offset: number) => number) | undefined;
  direction_input: ((gc: gpio_chip, offset: number) => number) | undefined;
  direction_output: ((gc: gpio_chip, offset: number, value: number) => number) | undefined;
  /** The line's physical level, 0 or 1, or -errno. */
  get: ((gc: gpio_chip, offset: number) => number) | undefined;
  /** Several lines at once: sets `bits` for the lines in `mask`; 0 or -errno. */
  get_multiple: ((gc: gpio_chip, mask: gpio_bitmap, bits: gpio_bitmap) => number) | undefined;
  /** Drives an output line; returns nothing (older drivers) or 0/-errno. */
  set: ((gc: gpio_chip, offset: number, value: number) => number | undefined) | undefined;
  set_multiple:
    | ((gc: gpio_chip, mask: gpio_bitmap, bits: gpio_bitmap) => number | undefined)
    | undefined;
  /** The Linux irq of a line; gpiolib provides it when `irq.chip` is set. */
  to_irq: ((gc: gpio_chip, offset: number) => number) | undefined;
  /** The chip's own lines of `/sys/kernel/debug/gpio`, instead of gpiolib's. */
  dbg_show: ((gc: gpio_chip) => string) | undefined;
  /** The interrupt controller part. */
  readonly irq = new gpio_irq_chip();
  /** Set by gpiolib while the chip is registered (`gpiodev`). */
  gpiodev: gpio_device | null = null;
}

// Line flags (drivers/gpio/gpiolib.h `FLAG_*`), as bit masks of `gpio_desc.flags`.
export const FLAG_REQUESTED = 1 << 0;
export const FLAG_IS_OUT = 1 << 1;
export const FLAG_EXPORT = 1 << 2;
export const FLAG_SYSFS = 1 << 3;
export const FLAG_ACTIVE_LOW = 1 << 6;
export const FLAG_OPEN_DRAIN = 1 << 7;
export const FLAG_OPEN_SOURCE = 1 << 8;
export const FLAG_USED_AS_IRQ = 1 << 9;
export const FLAG_IRQ_IS_ENABLED = 1 << 10;
export const FLAG_IS_HOGGED = 1 << 11;
export const FLAG_PULL_UP = 1 << 13;
export const FLAG_PULL_DOWN = 1 << 14;
export const FLAG_BIAS_DISABLE = 1 << 15;
export const FLAG_EDGE_RISING = 1 << 16;
export const FLAG_EDGE_FALLING = 1 << 17;

/** One line of a gpio_device (`struct gpio_desc`): what consumers hold. */
export class gpio_desc {
  readonly gdev: gpio_device;
  /** FLAG_* bits. */
  flags = 0;
  /** The consumer's label while requested. */
  label: string | undefined;
  /** The line's name from `gc.names`. */
  name: string | undefined;

  constructor(gdev: gpio_device) {
    this.gdev = gdev;
  }
}

/**
 * gpiolib's own record of a registered chip (`struct gpio_device`), named
 * `gpiochipN` on the gpio bus, with the character device `/dev/gpiochipN`.
 *
 * # Invariants
 *
 * `chip` is the registered gpio_chip from `gpiochip_add_data()` until
 * `gpiochip_remove()`, null afterwards; `descs[i]` is line `i` for the
 * device's whole life, even after the chip is gone.
 */
export class gpio_device {
  /** The `N` of `gpiochipN` (`id`, from an IDA). */
  readonly id: number;
  readonly dev = new device();
  /** The driver's chip, null once it was removed. */
  chip: gpio_chip | null = null;
  readonly descs: gpio_desc[] = [];
  readonly base: number;
  readonly ngpio: number;
  readonly label: string;
  /** The driver's data (`gpiochip_get_data`), cleared with the chip. */
  data: unknown;
  readonly owner: unknown;
  /** The line-request and chip files of this device that wait for its events. */
  readonly notify: Set<() => void> = new Set();
  /** Who watches its lines' state: requested, released, reconfigured (`line_state_notifier`). */
  readonly line_state: Set<(desc: gpio_desc, action: number) => void> = new Set();

  constructor(id: number, gc: gpio_chip, base: number) {
    this.id = id;
    this.base = base;
    this.ngpio = gc.ngpio;
    this.label = gc.label || 'unknown';
    this.owner = gc.owner;
    this.dev.container = this;
    for (let i = 0; i < gc.ngpio; i++) this.descs.push(new gpio_desc(this));
  }
}

/** The gpio_device that embeds `dev` (`to_gpio_device()`). */
export function to_gpio_device(dev: device): gpio_device {
  return dev.container as gpio_device;
}
