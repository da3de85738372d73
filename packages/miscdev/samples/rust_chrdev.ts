/**
 * `rust_chrdev`: the character device sample of seed 004, the Rust twin of the classic C
 * module that calls `register_chrdev`. One `chrdev.Registration<2>` is registered twice,
 * to show that a registration holds several minors; the files do nothing but open.
 * `insmod rust_chrdev` allocates a dynamic major (see `/proc/devices`); `mknod` makes the
 * nodes, as the C sample's printk tells its user to.
 *
 * @module
 */

import { pr_info } from '@rfl/kernel';
import { chrdev, type file, module, type ThisModule } from '../src/index.js';

/** The file operations: `open` succeeds and nothing else is provided. */
export const RustFile = {
  open: () => {},
} satisfies file.Operations;

/** The module's state: the registration, dropped at `rmmod`. */
export class RustChrdev implements Disposable {
  readonly #dev: chrdev.Registration<2>;

  private constructor(dev: chrdev.Registration<2>) {
    this.#dev = dev;
  }

  /** `Module::init`: registers the same kind of device on both minors. */
  static init(module: ThisModule): RustChrdev {
    pr_info('rust_chrdev: Rust character device sample (init)\n');
    const reg = chrdev.Registration.newPinned(2, module.name, 0, module);
    try {
      reg.register(RustFile);
      reg.register(RustFile);
    } catch (e) {
      reg[Symbol.dispose]();
      throw e;
    }
    return new RustChrdev(reg);
  }

  /** The region's major, for `mknod`. */
  get major(): number {
    return this.#dev.major;
  }

  /** `Drop`: the module's exit. */
  [Symbol.dispose](): void {
    pr_info('rust_chrdev: Rust character device sample (exit)\n');
    this.#dev[Symbol.dispose]();
  }
}

/** The module's `.ko`: `insmod rust_chrdev`. */
export const rust_chrdev = module({
  type: RustChrdev,
  name: 'rust_chrdev',
  authors: ['Rust for Linux Contributors'],
  description: 'Rust character device sample',
  license: 'GPL',
});
