/**
 * `rust_miscdev`: the misc device sample of the current kernel
 * (`samples/rust/rust_misc_device.rs`), on the current `MiscDevice` API. Loading it
 * creates `/dev/rust-misc-device`, with a value and a buffer:
 *
 * - `ioctl(RUST_MISC_DEV_HELLO)` says hello in the kernel log;
 * - `ioctl(RUST_MISC_DEV_SET_VALUE, &int)` and `ioctl(RUST_MISC_DEV_GET_VALUE, &int)` store
 *   and fetch an `int`;
 * - any other command is `ENOTTY`;
 * - `write` replaces the buffer, `read` returns it.
 *
 * One difference from the kernel's sample: there, every open gets its own value and
 * buffer, so what one `write` stored can only be read back through the same descriptor.
 * Here they belong to the device (its `RegistrationData`, an `Arc` every open clones), so
 * `echo fox > /dev/rust-misc-device` followed by `cat /dev/rust-misc-device` shows `fox`.
 *
 * @module
 */

import { GFP_KERNEL, KVVec } from '@rfl/alloc';
import { i32, UserSlice, type UserSliceReader, type UserSliceWriter } from '@rfl/io-buffer';
import { _IO, _IOC_SIZE, _IOR, _IOW, ENOTTY, pr_err, pr_info } from '@rfl/kernel';
import { Arc, type ArcBorrow, Mutex } from '@rfl/sync';
import { KernelError } from '@rfl/types';
import {
  type IovIterDest,
  type IovIterSource,
  type Kiocb,
  type MiscDevice,
  MiscDeviceRegistration,
  module,
} from '../src/index.js';

/** `_IO('|', 0x80)`. */
export const RUST_MISC_DEV_HELLO = _IO('|', 0x80);
/** `_IOR('|', 0x81, int)`. */
export const RUST_MISC_DEV_GET_VALUE = _IOR('|', 0x81, 4);
/** `_IOW('|', 0x82, int)`. */
export const RUST_MISC_DEV_SET_VALUE = _IOW('|', 0x82, 4);

interface Inner {
  value: number;
  buffer: KVVec<number>;
}

/** The device's state: a value and a buffer under a mutex. */
export class RustMiscDeviceState implements Disposable {
  readonly inner = Mutex.new<Inner>({ value: 0, buffer: KVVec.bytes() });

  hello(): void {
    pr_info('rust_miscdev: -> Hello from the Rust Misc Device\n');
  }

  async setValue(reader: UserSliceReader): Promise<number> {
    const newValue = reader.read(i32);
    using guard = await this.inner.lock();
    pr_info('rust_miscdev: -> Copying data from userspace (value: %d)\n', newValue);
    guard.value.value = newValue;
    return 0;
  }

  async getValue(writer: UserSliceWriter): Promise<number> {
    using guard = await this.inner.lock();
    const value = guard.value.value;
    pr_info('rust_miscdev: -> Copying data to userspace (value: %d)\n', value);
    writer.write(i32, value);
    return 0;
  }

  /** Frees the buffer: the last `Arc` is gone, so no one can hold the lock. */
  [Symbol.dispose](): void {
    const guard = this.inner.tryLock();
    if (guard === null) return;
    using g = guard;
    g.value.buffer[Symbol.dispose]();
  }
}

/** The device type: what every open of `/dev/rust-misc-device` runs. */
export const RustMiscDevice = {
  Ptr: Arc,

  open(_file: unknown, misc: MiscDeviceRegistration<unknown, Arc<RustMiscDeviceState>>) {
    pr_info('rust_miscdev: Opening Rust Misc Device Sample\n');
    return misc.data.clone();
  },

  release(device: Arc<RustMiscDeviceState>): void {
    pr_info('rust_miscdev: Exiting the Rust Misc Device Sample\n');
    device[Symbol.dispose]();
  },

  async ioctl(
    device: ArcBorrow<RustMiscDeviceState>,
    _file: unknown,
    cmd: number,
    arg: number,
  ): Promise<number> {
    const me = device.value;
    pr_info('rust_miscdev: IOCTLing Rust Misc Device Sample\n');
    const size = _IOC_SIZE(cmd);
    switch (cmd) {
      case RUST_MISC_DEV_GET_VALUE:
        return me.getValue(UserSlice.new(arg, size).writer());
      case RUST_MISC_DEV_SET_VALUE:
        return me.setValue(UserSlice.new(arg, size).reader());
      case RUST_MISC_DEV_HELLO:
        me.hello();
        return 0;
      default:
        pr_err('rust_miscdev: -> IOCTL not recognised: %d\n', cmd);
        throw new KernelError(ENOTTY);
    }
  },

  async readIter(kiocb: Kiocb<ArcBorrow<RustMiscDeviceState>>, iov: IovIterDest): Promise<number> {
    using guard = await kiocb.device.value.inner.lock();
    return iov.simpleReadFromBuffer(kiocb, guard.value.buffer.asBytes());
  },

  async writeIter(
    kiocb: Kiocb<ArcBorrow<RustMiscDeviceState>>,
    iov: IovIterSource,
  ): Promise<number> {
    using guard = await kiocb.device.value.inner.lock();
    guard.value.buffer.clear();
    const len = iov.copyFromIterVec(guard.value.buffer, GFP_KERNEL);
    kiocb.pos = len;
    return len;
  },
} satisfies MiscDevice<Arc<RustMiscDeviceState>, ArcBorrow<RustMiscDeviceState>>;

/** The module's state: the registration. */
export class RustMiscDeviceModule implements Disposable {
  readonly #miscdev: MiscDeviceRegistration<typeof RustMiscDevice, Arc<RustMiscDeviceState>>;

  private constructor(
    miscdev: MiscDeviceRegistration<typeof RustMiscDevice, Arc<RustMiscDeviceState>>,
  ) {
    this.#miscdev = miscdev;
  }

  static init(): RustMiscDeviceModule {
    pr_info('rust_miscdev: Initialising Rust Misc Device Sample\n');
    const state = Arc.new(new RustMiscDeviceState(), GFP_KERNEL);
    return new RustMiscDeviceModule(
      MiscDeviceRegistration.register(RustMiscDevice, { name: 'rust-misc-device' }, state),
    );
  }

  /** The minor the device got. */
  get minor(): number {
    return this.#miscdev.minor;
  }

  [Symbol.dispose](): void {
    this.#miscdev[Symbol.dispose]();
  }
}

/** The module's `.ko`: `insmod rust_miscdev`. */
export const rust_miscdev = module({
  type: RustMiscDeviceModule,
  name: 'rust_miscdev',
  authors: ['Lee Jones'],
  description: 'Rust misc device sample',
  license: 'GPL',
});
