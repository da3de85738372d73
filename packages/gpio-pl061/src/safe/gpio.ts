import {
  EINVAL,
  EIO,
  ENXIO,
  GPIO_LINE_DIRECTION_IN,
  GPIO_LINE_DIRECTION_OUT,
  GPIOCHIP_IRQ_RESOURCE_HELPERS,
  gpio_chip as GpioChipRaw,
  type gpio_chip,
  gpiochip_add_data,
  gpiochip_disable_irq,
  gpiochip_enable_irq,
  gpiochip_remove,
  handle_bad_irq,
  IRQ_TYPE_NONE,
  IRQCHIP_IMMUTABLE,
  type irq_data,
  irq_data_get_irq_chip_data,
  type irq_desc,
} from '@rfl/kernel';
import type { Arc, ArcBorrow } from '@rfl/sync';
import { fromResult, KernelError } from '@rfl/types';
import type { Device } from './device.js';
import { Descriptor, Domain, type Chip as IrqChip, toIrqChip } from './irq.js';

/** The direction of a line (`gpio::LineDirection`). */
export const LineDirection = {
  In: GPIO_LINE_DIRECTION_IN,
  Out: GPIO_LINE_DIRECTION_OUT,
} as const;
export type LineDirection = (typeof LineDirection)[keyof typeof LineDirection];

/**
 * A GPIO controller's operations (`kernel::gpio::Chip`), given its state. Each is optional,
 * and gpiolib handles the ones left out as it does for a C driver. A failure is a thrown
 * `KernelError`; `set` cannot fail, as in C.
 */
export interface Chip<T> {
  getDirection?(data: ArcBorrow<T>, offset: number): LineDirection;
  directionInput?(data: ArcBorrow<T>, offset: number): void;
  directionOutput?(data: ArcBorrow<T>, offset: number, value: boolean): void;
  get?(data: ArcBorrow<T>, offset: number): boolean;
  set?(data: ArcBorrow<T>, offset: number, value: boolean): void;
}

/**
 * A GPIO controller that is also the interrupt controller of its lines
 * (`gpio::ChipWithIrqChip`): the irq operations of its lines, and the chained handler of the
 * parent interrupt that demultiplexes it.
 */
export interface ChipWithIrqChip<T> extends Chip<T>, IrqChip<T> {
  handleIrqFlow(data: ArcBorrow<T>, desc: Descriptor, domain: Domain): void;
}

/**
 * Runs a chip operation with its own reference to the state, taken on entry: a call that
 * gpiolib let through just before `gpiochip_remove()` — gpiolib checks its chip pointer, then
 * calls, with nothing in between to stop a removal — still has live state, whose resources it
 * finds revoked. A call after the registration is gone gets `ENXIO`.
 */
function withData<T, R>(owner: () => Arc<T> | null, op: (data: ArcBorrow<T>) => R): R {
  const data = owner()?.clone();
  if (!data) throw new KernelError(ENXIO, 'gpio chip removed');
  using _ = data;
  return op(data.asArcBorrow());
}

function fillOps<T>(gc: gpio_chip, chip: Chip<T>, owner: () => Arc<T> | null): void {
  const { getDirection, directionInput, directionOutput, get, set } = chip;
  const run = <R>(op: (data: ArcBorrow<T>) => R) => withData(owner, op);
  if (getDirection) {
    gc.get_direction = (_gc, o) => fromResult(() => run((d) => getDirection.call(chip, d, o)));
  }
  if (directionInput) {
    gc.direction_input = (_gc, o) => fromResult(() => run((d) => directionInput.call(chip, d, o)));
  }
  if (directionOutput) {
    gc.direction_output = (_gc, o, v) =>
      fromResult(() => run((d) => directionOutput.call(chip, d, o, v !== 0)));
  }
  if (get) gc.get = (_gc, o) => fromResult(() => run((d) => (get.call(chip, d, o) ? 1 : 0)));
  if (set) gc.set = (_gc, o, v) => fromResult(() => run((d) => set.call(chip, d, o, v !== 0)));
}

/**
 * A GPIO chip registered with gpiolib (`gpio::Registration`), holding a reference to the
 * driver's state for the chip's callbacks. Made empty in `probe` and kept in the device's
 * registrations; disposing it — when the device is removed — calls `gpiochip_remove()`,
 * after which gpiolib calls nothing of the driver, and drops the reference.
 *
 * @example
 * ```ts
 * import { Device, gpio } from '@rfl/gpio-pl061';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * import { Arc, SpinLock } from '@rfl/sync';
 * import { gpio_device_find_by_label, gpio_device_get_desc, gpiod_get_value, gpiod_request, platform_device_register_simple } from '@rfl/kernel';
 * # import { driver_core_fs_init, driver_init, gpio_init, mm_init, vfs_init } from '@rfl/kernel';
 * # mm_init({ quiet: true }); vfs_init(); driver_core_fs_init(); driver_init(); gpio_init();
 * const pdev = await platform_device_register_simple('switches', -1);
 * if (typeof pdev === 'number') throw new Error(`switches: ${pdev}`);
 * using parent = Device.fromRaw(pdev.dev);
 * const levels = Arc.new(SpinLock.new(0b0101), GFP_KERNEL);
 * const chip: gpio.Chip<SpinLock<number>> = {
 *   get(data, offset) {
 *     using g = data.value.lock();
 *     return ((g.value >> offset) & 1) === 1;
 *   },
 * };
 * const reg = gpio.Registration.new<SpinLock<number>>();
 * reg.register(chip, 4, null, parent, levels.clone());
 * const line2 = gpio_device_get_desc(gpio_device_find_by_label('switches')!, 2);
 * gpiod_request(line2, 'demo');
 * gpiod_get_value(line2) // => 1
 * reg[Symbol.dispose]();
 * gpiod_get_value(line2) // => -19
 * levels[Symbol.dispose]();
 * ```
 */
export class Registration<T> implements Disposable {
  #gc: gpio_chip | null = null;
  #data: Arc<T> | null = null;

  /** An unregistered chip. */
  static new<T>(): Registration<T> {
    return new Registration<T>();
  }

  /** @internal */
  protected setup(
    chip: Chip<T>,
    gpioCount: number,
    base: number | null,
    parent: Device,
  ): gpio_chip {
    if (this.#gc !== null) throw new KernelError(EINVAL, 'gpio chip already registered');
    const gc = new GpioChipRaw();
    fillOps(gc, chip, () => this.#data);
    gc.base = base ?? -1;
    gc.ngpio = gpioCount;
    gc.parent = parent.raw();
    gc.label = parent.name;
    return gc;
  }

  /** @internal */
  protected add(gc: gpio_chip, data: Arc<T>): void {
    this.#data = data;
    // SAFETY: `gc` is fully set up; gpiolib keeps it until `gpiochip_remove()` in dispose, and
    // `#data` keeps the state its callbacks borrow alive until then. The chip data C sees is
    // the address of the shared state; the safe callbacks never read it back.
    const ret = gpiochip_add_data(gc, data.addr);
    if (ret < 0) {
      this.#data = null;
      data[Symbol.dispose]();
      throw KernelError.fromErrno(ret);
    }
    this.#gc = gc;
  }

  /**
   * Registers `chip` with `gpioCount` lines under `parent`, its callbacks given `data`
   * (`gpiochip_add_data`); `base` `null` lets gpiolib choose the numbers.
   */
  register(
    chip: Chip<T>,
    gpioCount: number,
    base: number | null,
    parent: Device,
    data: Arc<T>,
  ): void {
    this.add(this.setup(chip, gpioCount, base, parent), data);
  }

  /** Unregisters the chip (`gpiochip_remove`), then drops the state's reference. */
  [Symbol.dispose](): void {
    const gc = this.#gc;
    if (gc === null) return;
    this.#gc = null;
    // SAFETY: registered in `add`; removed once.
    gpiochip_remove(gc);
    const data = this.#data;
    this.#data = null;
    data?.[Symbol.dispose]();
  }
}

/**
 * A GPIO chip with its interrupt controller (`gpio::RegistrationWithIrqChip`): gpiolib makes
 * the irq domain of its lines and installs the chip's {@link ChipWithIrqChip.handleIrqFlow} as
 * the chained handler of `parentIrq`.
 */
export class RegistrationWithIrqChip<T> extends Registration<T> {
  /** An unregistered chip. */
  static override new<T>(): RegistrationWithIrqChip<T> {
    return new RegistrationWithIrqChip<T>();
  }

  /** Registers `chip` and its irq chip (`gpio_irq_chip_register!`). */
  registerWithIrqChip(
    chip: ChipWithIrqChip<T>,
    gpioCount: number,
    base: number | null,
    parent: Device,
    data: Arc<T>,
    parentIrq: number,
  ): void {
    const gc = this.setup(chip, gpioCount, base, parent);
    const borrow = data.asArcBorrow();
    // The irq callbacks find the state through the line's chip data, the gpio_chip.
    const stateOf = (d: irq_data) => {
      if (irq_data_get_irq_chip_data(d) !== gc) throw new KernelError(EIO, 'foreign irq line');
      return borrow;
    };
    const girq = gc.irq;
    // An immutable chip, as gpiolib wants them today: the line is locked as an interrupt when
    // its irq is requested, and marked enabled/disabled around unmask/mask, here rather than
    // in every driver.
    const raw = toIrqChip(parent.name, chip, stateOf);
    const { irq_mask: mask, irq_unmask: unmask } = raw;
    girq.chip = {
      ...raw,
      ...GPIOCHIP_IRQ_RESOURCE_HELPERS,
      flags: IRQCHIP_IMMUTABLE,
      irq_mask(d) {
        mask?.(d);
        gpiochip_disable_irq(gc, d.hwirq);
      },
      irq_unmask(d) {
        gpiochip_enable_irq(gc, d.hwirq);
        unmask?.(d);
      },
    };
    girq.handler = handle_bad_irq;
    girq.default_type = IRQ_TYPE_NONE;
    girq.num_parents = 1;
    girq.parents = [parentIrq];
    girq.parent_handler = (desc: irq_desc) => {
      const domain = girq.domain;
      if (domain === undefined) return;
      chip.handleIrqFlow(borrow, new Descriptor(desc), new Domain(domain));
    };
    this.add(gc, data);
  }
}
