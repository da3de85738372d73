import {
  dev_dbg,
  dev_err,
  dev_info,
  dev_name,
  dev_warn,
  type device,
  get_device,
  put_device,
} from '@rfl/kernel';
import { type Guard, InteriorMutable, Mutex, Revocable, type RevocableGuard } from '@rfl/sync';
import { drop, useOfMovedValue } from '@rfl/types';

/**
 * A reference to a `struct device` (`kernel::device::Device`): `get_device()` when made,
 * `put_device()` when disposed, so the device cannot be freed under it. Driver state keeps
 * one to print with the device's name long after `remove()`.
 *
 * @example
 * ```ts
 * import { Device } from '@rfl/gpio-pl061';
 * import { dev_set_name, device, device_initialize, dmesg_clear, dmesg_records } from '@rfl/kernel';
 * # dmesg_clear();
 * const raw = new device();
 * device_initialize(raw);
 * dev_set_name(raw, 'pl061');
 * using dev = Device.fromRaw(raw);
 * dev.name // => 'pl061'
 * dev.info('ready\n');
 * dmesg_records().filter((r) => r.level === 6).map((r) => r.text) // => [' pl061: ready']
 * ```
 */
export class Device implements Disposable {
  #raw: device | null;

  private constructor(raw: device) {
    this.#raw = raw;
  }

  /** A new reference to `raw`, which must be a live (initialised, not released) device. */
  static fromRaw(raw: device): Device {
    // SAFETY: the caller holds `raw` alive (a bus callback's argument); `get_device` makes the
    // count ours until dispose.
    get_device(raw);
    return new Device(raw);
  }

  /** @internal The raw device, for the abstractions that hand it to C. */
  raw(): device {
    if (this.#raw === null) throw useOfMovedValue('Device', 'raw_device');
    return this.#raw;
  }

  /** The device's name (`dev_name()`). */
  get name(): string {
    return dev_name(this.raw());
  }

  /** `dev_info!`. */
  info(fmt: string, ...args: unknown[]): void {
    dev_info(this.raw(), fmt, ...args);
  }
  /** `dev_dbg!`. */
  dbg(fmt: string, ...args: unknown[]): void {
    dev_dbg(this.raw(), fmt, ...args);
  }
  /** `dev_warn!`. */
  warn(fmt: string, ...args: unknown[]): void {
    dev_warn(this.raw(), fmt, ...args);
  }
  /** `dev_err!`. */
  err(fmt: string, ...args: unknown[]): void {
    dev_err(this.raw(), fmt, ...args);
  }

  /** Another reference to the same device. */
  clone(): Device {
    return Device.fromRaw(this.raw());
  }

  /** Drops the reference (`put_device()`). */
  [Symbol.dispose](): void {
    const raw = this.#raw;
    if (raw === null) return;
    this.#raw = null;
    // SAFETY: the count taken in `fromRaw` is given back exactly once.
    put_device(raw);
  }
}

/**
 * Data behind a mutex that can be taken away (`RevocableMutex<T>`): registrations, whose
 * registering and unregistering may sleep, so an RCU-protected {@link Revocable} cannot hold
 * them. {@link tryWrite} gives the locked data or `null` once revoked; {@link revoke} waits
 * for the lock holder, then drops the data.
 *
 * @example
 * ```ts
 * import { RevocableMutex } from '@rfl/gpio-pl061';
 * const log: string[] = [];
 * const regs = RevocableMutex.new({ n: 1, [Symbol.dispose]: () => log.push('unregistered') });
 * {
 *   using g = await regs.tryWrite();
 *   g?.value.n // => 1
 * }
 * await regs.revoke() // => true
 * await regs.tryWrite() // => null
 * log // => ['unregistered']
 * ```
 */
export class RevocableMutex<T> extends InteriorMutable {
  readonly #lock: Mutex<{ data: T | null }>;

  private constructor(data: T) {
    super();
    this.#lock = Mutex.new({ data }, 'RevocableMutex');
  }

  /** Wraps `data`, available until revoked. */
  static new<T>(data: T): RevocableMutex<T> {
    return new RevocableMutex(data);
  }

  /** Locks and gives the data, or `null` (and no lock) once revoked. May sleep. */
  async tryWrite(): Promise<RevocableMutexGuard<T> | null> {
    const g = await this.#lock.lock();
    if (g.value.data === null) {
      g[Symbol.dispose]();
      return null;
    }
    return new RevocableMutexGuard(g as Guard<{ data: T }>);
  }

  /** Takes the data away and drops it; true only for the call that revoked. May sleep. */
  async revoke(): Promise<boolean> {
    using g = await this.#lock.lock();
    const data = g.value.data;
    if (data === null) return false;
    g.value.data = null;
    drop(data);
    return true;
  }

  /**
   * Drops the data if it was not revoked. Whoever disposes the `RevocableMutex` owns it, so
   * nobody can hold the lock; finding it held is a bug reported as a use of a moved value.
   */
  [Symbol.dispose](): void {
    const g = this.#lock.tryLock();
    if (g === null) throw useOfMovedValue('RevocableMutex', 'drop while locked');
    using _ = g;
    const data = g.value.data;
    g.value.data = null;
    drop(data);
  }
}

/** The locked data of a {@link RevocableMutex}; unlocks when disposed. */
export class RevocableMutexGuard<T> implements Disposable {
  readonly #guard: Guard<{ data: T }>;

  /** @internal */
  constructor(guard: Guard<{ data: T }>) {
    this.#guard = guard;
  }

  /** The data. */
  get value(): T {
    return this.#guard.value.data;
  }

  /** Unlocks. */
  [Symbol.dispose](): void {
    this.#guard[Symbol.dispose]();
  }
}

/**
 * Removal of a device's state (`kernel::driver::DeviceRemoval`): what the bus abstraction
 * calls when the driver is unbound, before it drops its reference to the driver's data.
 */
export interface DeviceRemoval {
  deviceRemove(): Promise<void>;
}

/**
 * A driver's per-device state, split by lifetime (`kernel::device::Data<T, U, V>`):
 *
 * 1. **registrations** (`R`: the gpio chip, the misc device ...) are unregistered when the
 *    device is removed, first, while the resources still work, so that nothing new comes in;
 * 2. **resources** (`S`: the mapped registers, the parent irq) are revoked next: every
 *    access is RCU-protected, so the revoke waits for the accesses in progress, and later ones
 *    see `null`;
 * 3. the **general** part (`G`: locks, saved registers, a device reference) lives as long as
 *    anybody holds the `Arc` the data is kept in — an open file, a pending callback.
 *
 * @example
 * ```ts
 * import { DeviceData } from '@rfl/gpio-pl061';
 * const log: string[] = [];
 * const data = DeviceData.new(
 *   { [Symbol.dispose]: () => log.push('gpiochip_remove') },
 *   { base: 0x1000, [Symbol.dispose]: () => log.push('iounmap') },
 *   { name: 'pl061' },
 * );
 * {
 *   using res = data.resources();
 *   res?.value.base // => 0x1000
 * }
 * await data.deviceRemove();
 * log // => ['gpiochip_remove', 'iounmap']
 * data.resources() // => null
 * data.general.name // => 'pl061'
 * ```
 */
export class DeviceData<R, S, G> extends InteriorMutable implements DeviceRemoval {
  readonly #registrations: RevocableMutex<R>;
  readonly #resources: Revocable<S>;
  readonly general: G;

  private constructor(registrations: R, resources: S, general: G) {
    super();
    this.#registrations = RevocableMutex.new(registrations);
    this.#resources = Revocable.new(resources);
    this.general = general;
  }

  /** The three parts, all available (`new_device_data!`). */
  static new<R, S, G>(registrations: R, resources: S, general: G): DeviceData<R, S, G> {
    return new DeviceData(registrations, resources, general);
  }

  /** The resources under the RCU read lock, or `null` once the device is gone. */
  resources(): RevocableGuard<S> | null {
    return this.#resources.tryAccess();
  }

  /** The locked registrations, or `null` once the device is gone. May sleep. */
  registrations(): Promise<RevocableMutexGuard<R> | null> {
    return this.#registrations.tryWrite();
  }

  /**
   * Unregisters, then revokes the resources (waiting for an RCU grace period), in that order:
   * an unregistration may still need the registers, and nothing registered may reach them
   * after they are gone. The general part stays.
   */
  async deviceRemove(): Promise<void> {
    await this.#registrations.revoke();
    await this.#resources.revoke();
  }

  /** Drops whatever was not removed; the general part is dropped with the last reference. */
  [Symbol.dispose](): void {
    this.#registrations[Symbol.dispose]();
    this.#resources[Symbol.dispose]();
    drop(this.general);
  }
}
