import {
  alloc_chrdev_region,
  type cdev,
  cdev_add,
  cdev_alloc,
  cdev_del,
  EINVAL,
  kobject_put,
  MAJOR,
  unregister_chrdev_region,
} from '@rfl/kernel';
import { type ForeignOwnable, KernelError, toResult } from '@rfl/types';
import { type Operations, vtable } from '../file/operations.js';
import type { ThisModule } from '../module.js';

/**
 * A range of `N` character device numbers and the devices registered on them
 * (`chrdev::Registration<N>` of the old RFL tree). The region is allocated on a dynamic
 * major at the first {@link Registration.register}; each call adds one `cdev` on the next
 * minor, with the operations given, up to `N` (`EINVAL` beyond). Disposing deletes every
 * cdev and releases the region. There are no `/dev` nodes: as in C, `mknod` makes them.
 *
 * The count comes first because it is Rust's const generic parameter (`Registration<2>`).
 *
 * # Invariants
 *
 * `used <= N`; while the region is allocated, `dev` is its first number and the first
 * `used` minors each have a cdev in the kernel's map.
 *
 * @example
 * ```ts
 * import { chrdev, file, type ThisModule } from '@rfl/miscdev';
 * import { chrdev_init, chrdev_show } from '@rfl/kernel';
 * chrdev_init();
 * const RustFile = { open: () => {} } satisfies file.Operations;
 * {
 *   using reg = chrdev.Registration.new(2, 'chrdev_doc', 0);
 *   reg.register(RustFile);
 *   reg.register(RustFile);
 *   chrdev_show().includes(`${reg.major} chrdev_doc`) // => true
 * }
 * chrdev_show().includes('chrdev_doc') // => false
 * ```
 */
export class Registration<N extends number = number> implements Disposable {
  readonly #n: N;
  readonly #name: string;
  readonly #minorsStart: number;
  readonly #module: ThisModule<unknown> | undefined;
  #dev = -1;
  readonly #cdevs: cdev[] = [];

  private constructor(n: N, name: string, minorsStart: number, module?: ThisModule<unknown>) {
    this.#n = n;
    this.#name = name;
    this.#minorsStart = minorsStart;
    this.#module = module;
  }

  /**
   * A registration of `n` minors from `minorsStart`, named `name` in `/proc/devices`,
   * owned by `module` (`new_pinned`). Nothing is allocated yet.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * using reg = chrdev.Registration.new(2, 'lazy_doc', 0);
   * reg.used // => 0
   * ```
   */
  static new<N extends number>(
    n: N,
    name: string,
    minorsStart: number,
    module?: ThisModule<unknown>,
  ): Registration<N> {
    if (!Number.isInteger(n) || n <= 0) {
      throw new KernelError(EINVAL, `chrdev registration of ${n} minors`);
    }
    return new Registration(n, name, minorsStart, module);
  }

  /**
   * The same as {@link Registration.new}: the name the seed uses.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * using reg = chrdev.Registration.newPinned(1, 'pinned_doc', 0);
   * reg.capacity // => 1
   * ```
   */
  static newPinned<N extends number>(
    n: N,
    name: string,
    minorsStart: number,
    module?: ThisModule<unknown>,
  ): Registration<N> {
    return Registration.new(n, name, minorsStart, module);
  }

  /**
   * How many devices the registration can hold (`N`).
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * using reg = chrdev.Registration.new(4, 'cap_doc', 0);
   * reg.capacity // => 4
   * ```
   */
  get capacity(): N {
    return this.#n;
  }

  /**
   * How many devices are registered.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * import { chrdev_init } from '@rfl/kernel';
   * chrdev_init();
   * using reg = chrdev.Registration.new(2, 'used_doc', 0);
   * reg.register({ open: () => {} });
   * reg.used // => 1
   * ```
   */
  get used(): number {
    return this.#cdevs.length;
  }

  /**
   * The major the region was given; `EINVAL` before the first `register`.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * import { chrdev_init } from '@rfl/kernel';
   * chrdev_init();
   * using reg = chrdev.Registration.new(1, 'major_doc', 0);
   * reg.register({ open: () => {} });
   * reg.major > 0 // => true
   * ```
   */
  get major(): number {
    if (this.#dev < 0) throw new KernelError(EINVAL, `${this.#name}: no region allocated yet`);
    return MAJOR(this.#dev);
  }

  /**
   * Adds a device with the operations `ops` on the next minor (`register::<T>()`); the
   * first call allocates the region. `EINVAL` when all `N` minors are in use.
   *
   * ```ts should_throw=EINVAL
   * import { chrdev } from '@rfl/miscdev';
   * import { chrdev_init } from '@rfl/kernel';
   * chrdev_init();
   * using reg = chrdev.Registration.new(1, 'full_doc', 0);
   * reg.register({ open: () => {} });
   * reg.register({ open: () => {} });
   * ```
   */
  register<D extends ForeignOwnable | undefined, B>(ops: Operations<undefined, D, B>): void {
    if (this.#cdevs.length === this.#n) {
      throw new KernelError(EINVAL, `${this.#name}: all ${this.#n} minors are registered`);
    }
    if (this.#dev < 0) {
      const dev = { value: 0 };
      toResult(alloc_chrdev_region(dev, this.#minorsStart, this.#n, this.#name));
      this.#dev = dev.value;
    }
    const owner = this.#module?.raw;
    const c = cdev_alloc();
    c.owner = owner;
    c.ops = vtable(ops, () => undefined, owner).fops;
    const err = cdev_add(c, this.#dev + this.#cdevs.length, 1);
    if (err < 0) {
      kobject_put(c.kobj);
      throw KernelError.fromErrno(err);
    }
    this.#cdevs.push(c);
  }

  /**
   * The device number of the `i`th device, for `mknod`.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * import { chrdev_init, MINOR } from '@rfl/kernel';
   * chrdev_init();
   * using reg = chrdev.Registration.new(2, 'devt_doc', 5);
   * reg.register({ open: () => {} });
   * MINOR(reg.devt(0)) // => 5
   * ```
   */
  devt(i: number): number {
    const c = this.#cdevs[i];
    if (c === undefined) throw new KernelError(EINVAL, `${this.#name}: no device ${i}`);
    return c.dev;
  }

  /**
   * Deletes the devices and releases the region. Files already open keep their
   * operations; the owning module stays pinned until they are closed.
   *
   * @example
   * ```ts
   * import { chrdev } from '@rfl/miscdev';
   * import { chrdev_init, chrdev_show } from '@rfl/kernel';
   * chrdev_init();
   * const reg = chrdev.Registration.new(1, 'drop_doc', 0);
   * reg.register({ open: () => {} });
   * reg[Symbol.dispose]();
   * chrdev_show().includes('drop_doc') // => false
   * ```
   */
  [Symbol.dispose](): void {
    for (const c of this.#cdevs.splice(0)) cdev_del(c);
    if (this.#dev >= 0) {
      unregister_chrdev_region(this.#dev, this.#n);
      this.#dev = -1;
    }
  }
}
