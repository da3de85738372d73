import {
  EINVAL,
  MISC_DYNAMIC_MINOR,
  misc_deregister,
  misc_register,
  type miscdevice,
  this_module,
} from '@rfl/kernel';
import { drop, type ForeignOwnable, KernelError, move, toResult } from '@rfl/types';
import { type Operations, vtable } from '../file/operations.js';

/**
 * How to register a misc device (`miscdev::Options`): the minor (dynamic unless set) and
 * the `/dev` node's mode (0600 unless set). A builder, as in the seed:
 * `miscdev.Options.new().mode(0o444).registerNew(FoxDev, 'foxes', undefined)`.
 *
 * @example
 * ```ts
 * import { miscdev } from '@rfl/miscdev';
 * import { driver_core_fs_init, libc, sim_spawn, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * driver_core_fs_init();
 * using reg = miscdev.Options.new().mode(0o444).registerNew({ open: () => {} }, 'options_doc', undefined);
 * const st = (await sim_spawn('ls', async () => {
 *   const s = await libc.stat('/dev/options_doc');
 *   return typeof s === 'number' ? s : s.mode & 0o777;
 * }).exited);
 * st // => 0o444
 * ```
 */
export class Options {
  #minor: number | undefined;
  #mode: number | undefined;

  private constructor() {}

  /**
   * Default options: a dynamic minor, mode 0600.
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Options.new() instanceof miscdev.Options // => true
   * ```
   */
  static new(): Options {
    return new Options();
  }

  /**
   * Asks for a fixed minor (below 255) instead of a dynamic one.
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Options.new().minor(130) instanceof miscdev.Options // => true
   * ```
   */
  minor(minor: number): this {
    this.#minor = minor;
    return this;
  }

  /**
   * The permission bits of the `/dev` node (`0o444`: everyone may read).
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Options.new().mode(0o444) instanceof miscdev.Options // => true
   * ```
   */
  mode(mode: number): this {
    this.#mode = mode;
    return this;
  }

  /**
   * Registers `reg`, which must not be registered yet, under `name` (`register`).
   *
   * @example
   * ```ts
   * import { file, miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = miscdev.Registration.new({ open: () => {} } satisfies file.Operations);
   * miscdev.Options.new().register(reg, 'opts_register_doc', undefined);
   * reg.isRegistered() // => true
   * ```
   */
  register<OpenData>(reg: Registration<OpenData>, name: string, openData: OpenData): void {
    reg.register(name, openData, { minor: this.#minor, mode: this.#mode });
  }

  /**
   * Creates a registration for the operations `ops` and registers it (`register_new`).
   * The operations come first because they are Rust's type parameter
   * (`register_new::<FoxDev>()`).
   *
   * @example
   * ```ts
   * import { file, miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = miscdev.Options.new().mode(0o444).registerNew({ open: () => {} } satisfies file.Operations, 'register_new_doc', undefined);
   * reg.minor >= 256 // => true
   * ```
   */
  registerNew<OpenData, D extends ForeignOwnable | undefined, B>(
    ops: Operations<OpenData, D, B>,
    name: string,
    openData: OpenData,
  ): Registration<OpenData> {
    const reg = Registration.new(ops);
    try {
      this.register(reg, name, openData);
    } catch (e) {
      reg[Symbol.dispose]();
      throw e;
    }
    return reg;
  }
}

/**
 * A misc device of the old RFL tree (`miscdev::Registration<T>`): the `miscdevice`, the
 * operations' vtable and the `OpenData` every `open` gets. Disposing it deregisters the
 * device (`misc_deregister`) and drops the `OpenData`. Files already open keep working
 * until they are closed: the vtable's owner, the module that registered, stays pinned.
 *
 * # Invariants
 *
 * While registered, the `miscdevice` is in the kernel's misc list and `openData` is
 * owned by the registration.
 *
 * @example
 * ```ts
 * import { file, miscdev } from '@rfl/miscdev';
 * import { driver_core_fs_init, sysfs_read } from '@rfl/kernel';
 * driver_core_fs_init();
 * const Nothing = { open: () => {} } satisfies file.Operations;
 * {
 *   using reg = miscdev.Registration.newPinned(Nothing, 'nothing_doc', undefined);
 *   sysfs_read(`/sys/class/misc/nothing_doc/dev`) // => `10:${reg.minor}\n`
 * }
 * sysfs_read('/sys/class/misc/nothing_doc/dev') // => -2
 * ```
 */
export class Registration<OpenData> implements Disposable {
  readonly #ops: Operations<OpenData, ForeignOwnable | undefined, unknown>;
  #mdev: miscdevice | null = null;
  #openData: OpenData | undefined;

  private constructor(ops: Operations<OpenData, ForeignOwnable | undefined, unknown>) {
    this.#ops = ops;
  }

  /**
   * An unregistered registration for `ops` (`Registration::new`).
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Registration.new({ open: () => {} }).isRegistered() // => false
   * ```
   */
  static new<OpenData, D extends ForeignOwnable | undefined, B>(
    ops: Operations<OpenData, D, B>,
  ): Registration<OpenData> {
    // The vtable only hands D and B from one of the driver's methods to another, so the
    // registration need not know them.
    return new Registration<OpenData>(
      ops as unknown as Operations<OpenData, ForeignOwnable | undefined, unknown>,
    );
  }

  /**
   * Creates and registers in one step with default options (`new_pinned`).
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = miscdev.Registration.newPinned({ open: () => {} }, 'new_pinned_doc', undefined);
   * reg.isRegistered() // => true
   * ```
   */
  static newPinned<OpenData, D extends ForeignOwnable | undefined, B>(
    ops: Operations<OpenData, D, B>,
    name: string,
    openData: OpenData,
  ): Registration<OpenData> {
    return Options.new().registerNew(ops, name, openData);
  }

  /**
   * Registers the device as `/dev/<name>` (`register`). The registration takes ownership
   * of `openData`. A registration is registered once: a second call is `EINVAL`, as in the
   * kernel crate. The kernel's own errors come through: `EBUSY` for a minor in use,
   * `EEXIST` for a name another device has.
   *
   * ```ts should_throw=EINVAL
   * import { miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = miscdev.Registration.new({ open: () => {} });
   * reg.register('twice_doc', undefined);
   * reg.register('twice_doc', undefined);
   * ```
   */
  register(
    name: string,
    openData: OpenData,
    options: { minor?: number | undefined; mode?: number | undefined } = {},
  ): void {
    if (this.#mdev !== null) {
      throw new KernelError(EINVAL, `misc device ${name}: already registered`);
    }
    const owned = move(openData);
    const { fops } = vtable(this.#ops, () => owned, this_module());
    const mdev: miscdevice = {
      minor: options.minor ?? MISC_DYNAMIC_MINOR,
      name,
      fops,
      ...(options.mode !== undefined && { mode: options.mode }),
    };
    try {
      // SAFETY: `mdev` lives as long as the registration: it is deregistered on dispose.
      toResult(misc_register(mdev));
    } catch (e) {
      drop(owned);
      throw e;
    }
    this.#mdev = mdev;
    this.#openData = owned;
  }

  /**
   * Whether the device is registered.
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Registration.new({ open: () => {} }).isRegistered() // => false
   * ```
   */
  isRegistered(): boolean {
    return this.#mdev !== null;
  }

  /**
   * The minor the kernel gave the device (dynamic ones start at 256).
   *
   * ```ts should_throw=EINVAL
   * import { miscdev } from '@rfl/miscdev';
   * miscdev.Registration.new({ open: () => {} }).minor;
   * ```
   */
  get minor(): number {
    if (this.#mdev === null) throw new KernelError(EINVAL, 'misc device is not registered');
    return this.#mdev.minor;
  }

  /**
   * The `OpenData` every `open` receives (`open_data`).
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = miscdev.Registration.newPinned({ open: (n: number) => {} }, 'open_data_doc', 42);
   * reg.openData // => 42
   * ```
   */
  get openData(): OpenData | undefined {
    return this.#openData;
  }

  /**
   * Deregisters the device and drops the `OpenData`; nothing for one never registered.
   *
   * @example
   * ```ts
   * import { miscdev } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * const reg = miscdev.Registration.newPinned({ open: () => {} }, 'dispose_doc', undefined);
   * reg[Symbol.dispose]();
   * reg.isRegistered() // => false
   * ```
   */
  [Symbol.dispose](): void {
    const mdev = this.#mdev;
    if (mdev === null) return;
    this.#mdev = null;
    misc_deregister(mdev);
    const data = this.#openData;
    this.#openData = undefined;
    drop(data);
  }
}
