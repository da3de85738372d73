import {
  chained_irq_enter,
  chained_irq_exit,
  free_irq,
  generic_handle_domain_irq,
  handle_bad_irq,
  handle_edge_irq,
  handle_level_irq,
  IRQ_TYPE_EDGE_BOTH,
  IRQ_TYPE_EDGE_FALLING,
  IRQ_TYPE_EDGE_RISING,
  IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_NONE,
  type irq_chip,
  type irq_data,
  type irq_desc,
  irq_desc_get_chip,
  type irq_domain,
  irq_set_handler_locked,
  irq_set_irq_wake,
  type irqreturn_t,
  request_irq,
} from '@rfl/kernel';
import type { Arc, ArcBorrow } from '@rfl/sync';
import { fromResult, toResult } from '@rfl/types';

/** Trigger types of a line (`kernel::irq::Type`), the values of `IRQ_TYPE_*`. */
export const Type = {
  NONE: IRQ_TYPE_NONE,
  EDGE_RISING: IRQ_TYPE_EDGE_RISING,
  EDGE_FALLING: IRQ_TYPE_EDGE_FALLING,
  EDGE_BOTH: IRQ_TYPE_EDGE_BOTH,
  LEVEL_HIGH: IRQ_TYPE_LEVEL_HIGH,
  LEVEL_LOW: IRQ_TYPE_LEVEL_LOW,
} as const;

/** What a chip callback sees of its line (`kernel::irq::IrqData`), borrowed for the call. */
export class IrqData {
  /** @internal */
  protected readonly d: irq_data;

  /** @internal */
  constructor(d: irq_data) {
    this.d = d;
  }

  /** The line's number in its controller (`irqd_to_hwirq`). */
  hwirq(): number {
    return this.d.hwirq;
  }
}

/**
 * The line's data with its descriptor locked (`LockedIrqData`), as `set_type` gets it: the
 * only place where the flow handler may be changed.
 */
export class LockedIrqData extends IrqData {
  // SAFETY (the three setters): the core calls `irq_set_type` with the descriptor locked, and
  // a `LockedIrqData` is only made for that call.

  /** Level-triggered from now on (`irq_set_handler_locked(d, handle_level_irq)`). */
  setLevelHandler(): void {
    irq_set_handler_locked(this.d, handle_level_irq);
  }
  /** Edge-triggered from now on. */
  setEdgeHandler(): void {
    irq_set_handler_locked(this.d, handle_edge_irq);
  }
  /** Interrupts of the line are unexpected from now on. */
  setBadHandler(): void {
    irq_set_handler_locked(this.d, handle_bad_irq);
  }
}

/**
 * The operations of an interrupt controller (`kernel::irq::Chip`), given the controller's
 * state. All are optional. `setType` and `setWake` report failure by throwing a
 * `KernelError`; the others cannot fail, as in C.
 */
export interface Chip<T> {
  mask?(data: ArcBorrow<T>, irqData: IrqData): void;
  unmask?(data: ArcBorrow<T>, irqData: IrqData): void;
  ack?(data: ArcBorrow<T>, irqData: IrqData): void;
  setType?(data: ArcBorrow<T>, irqData: LockedIrqData, trigger: number): void;
  setWake?(data: ArcBorrow<T>, irqData: IrqData, on: boolean): void;
}

/**
 * @internal The `struct irq_chip` of `chip`: each callback finds the state with
 * `dataOf(d)`, which the subsystem providing the chip knows how to do.
 */
export function toIrqChip<T>(
  name: string,
  chip: Chip<T>,
  dataOf: (d: irq_data) => ArcBorrow<T>,
): irq_chip {
  const raw: { -readonly [K in keyof irq_chip]: irq_chip[K] } = { name };
  const { mask, unmask, ack, setType, setWake } = chip;
  if (mask) raw.irq_mask = (d) => mask.call(chip, dataOf(d), new IrqData(d));
  if (unmask) raw.irq_unmask = (d) => unmask.call(chip, dataOf(d), new IrqData(d));
  if (ack) raw.irq_ack = (d) => ack.call(chip, dataOf(d), new IrqData(d));
  if (setType) {
    raw.irq_set_type = (d, type) =>
      fromResult(() => setType.call(chip, dataOf(d), new LockedIrqData(d), type));
  }
  if (setWake) {
    raw.irq_set_wake = (d, on) =>
      fromResult(() => setWake.call(chip, dataOf(d), new IrqData(d), on !== 0));
  }
  return raw;
}

/**
 * The descriptor of a parent line, as its chained handler gets it (`irq::Descriptor`).
 */
export class Descriptor {
  readonly #desc: irq_desc;

  /** @internal */
  constructor(desc: irq_desc) {
    this.#desc = desc;
  }

  /**
   * Masks/acks the parent line for the demultiplexing (`chained_irq_enter`); the guard
   * unmasks or EOIs it when disposed, on every path out of the handler.
   */
  enterChained(): ChainedGuard {
    const chip = irq_desc_get_chip(this.#desc);
    // SAFETY: the descriptor is the one the chained handler runs for, so its chip is live.
    chained_irq_enter(chip, this.#desc);
    return new ChainedGuard(chip, this.#desc);
  }
}

/** Proof that a chained handler has entered (`ChainedGuard`); exits when disposed. */
export class ChainedGuard implements Disposable {
  #live = true;

  /** @internal */
  constructor(
    private readonly chip: irq_chip,
    private readonly desc: irq_desc,
  ) {}

  /** `chained_irq_exit`. */
  [Symbol.dispose](): void {
    if (!this.#live) return;
    this.#live = false;
    chained_irq_exit(this.chip, this.desc);
  }
}

/** The irq domain of a controller's lines (`irq::Domain`). */
export class Domain {
  readonly #domain: irq_domain;

  /** @internal */
  constructor(domain: irq_domain) {
    this.#domain = domain;
  }

  /**
   * Runs the flow handler of line `hwirq`, from inside a chained handler — which the guard
   * argument proves (`generic_handle_chained`). An unmapped line is ignored.
   */
  genericHandleChained(hwirq: number, _chained: ChainedGuard): void {
    generic_handle_domain_irq(this.#domain, hwirq);
  }
}

/** A handler of a requested irq line (`irq::Handler`), given its data. */
export interface Handler<T> {
  handleIrq(data: ArcBorrow<T>): irqreturn_t;
}

/**
 * A requested interrupt line (`irq::Registration`): `request_irq()` when made, `free_irq()`
 * when disposed, and the handler's data, an {@link Arc} reference, kept alive in between.
 *
 * @example
 * ```ts
 * import { irq } from '@rfl/gpio-pl061';
 * import { Arc, SpinLock } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * import { IRQ_HANDLED, sim_irq, sim_lower_irq, sim_raise_irq } from '@rfl/kernel';
 * # import { irq_init } from '@rfl/kernel';
 * # irq_init();
 * const count = Arc.new(SpinLock.new(0), GFP_KERNEL);
 * {
 *   using _reg = irq.Registration.tryNew(sim_irq(9), count.clone(), 0, 'fox', {
 *     handleIrq(data) {
 *       using g = data.value.lock();
 *       g.value += 1;
 *       sim_lower_irq(9);
 *       return IRQ_HANDLED;
 *     },
 *   });
 *   sim_raise_irq(9);
 * }
 * sim_raise_irq(9);
 * using g = count.value.lock();
 * g.value // => 1
 * ```
 */
export class Registration<T> implements Disposable {
  readonly #irq: number;
  #data: Arc<T> | null;

  private constructor(irq: number, data: Arc<T>) {
    this.#irq = irq;
    this.#data = data;
  }

  /** Requests `irq` for `handler`; throws the errno `request_irq` returns. */
  static tryNew<T>(
    irq: number,
    data: Arc<T>,
    flags: number,
    name: string,
    handler: Handler<T>,
  ): Registration<T> {
    const reg = new Registration(irq, data);
    const borrow = data.asArcBorrow();
    try {
      // SAFETY: `reg` is the dev_id; it keeps `data` alive until free_irq(), after which
      // the handler cannot run.
      toResult(request_irq(irq, () => handler.handleIrq(borrow), flags, name, reg));
    } catch (e) {
      data[Symbol.dispose]();
      reg.#data = null;
      throw e;
    }
    return reg;
  }

  /** Frees the line, then drops the data. */
  [Symbol.dispose](): void {
    const data = this.#data;
    if (data === null) return;
    this.#data = null;
    free_irq(this.#irq, this);
    data[Symbol.dispose]();
  }
}

/** Arms or disarms `irq` as a wake-up source (`irq_set_irq_wake`). */
export function setWake(irq: number, on: boolean): void {
  toResult(irq_set_irq_wake(irq, on ? 1 : 0));
}
