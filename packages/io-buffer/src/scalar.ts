/**
 * A fixed-size integer type that can be read from and written to user memory: the
 * TypeScript face of the kernel crate's `FromBytes`/`AsBytes` bounds for the primitive
 * integers. A type is a value (`u32`, `i64`, …) that knows its size and its little-endian
 * encoding, so `reader.read(u32)` is typed `number` and `reader.read(u64)` is `bigint`.
 *
 * @example
 * ```ts
 * import { i16, u64, type Scalar } from '@rfl/io-buffer';
 * const t: Scalar<number> = i16;
 * [t.name, t.size] // => ['i16', 2]
 * u64.size // => 8
 * ```
 */
export interface Scalar<T extends number | bigint> {
  /** The Rust name of the type (`u8`, `i32`, …). */
  readonly name: string;
  /** Its size in bytes. */
  readonly size: 1 | 2 | 4 | 8;
  /** Decodes a value from `size` little-endian bytes at `offset` of `view`. */
  decode(view: DataView, offset: number): T;
  /**
   * Encodes `value` at `offset` of `view`. A value out of range wraps as an `as` cast does
   * (`-1` written as `u8` is `0xff`).
   */
  encode(view: DataView, offset: number, value: T): void;
}

/**
 * `u8`.
 *
 * @example
 * ```ts
 * import { u8 } from '@rfl/io-buffer';
 * const v = new DataView(new ArrayBuffer(1));
 * u8.encode(v, 0, 0x1ff);
 * u8.decode(v, 0) // => 0xff
 * ```
 */
export const u8: Scalar<number> = {
  name: 'u8',
  size: 1,
  decode: (v, o) => v.getUint8(o),
  encode: (v, o, x) => v.setUint8(o, x),
};

/**
 * `u16`, little-endian.
 *
 * @example
 * ```ts
 * import { u16 } from '@rfl/io-buffer';
 * const v = new DataView(new Uint8Array([0x34, 0x12]).buffer);
 * u16.decode(v, 0) // => 0x1234
 * ```
 */
export const u16: Scalar<number> = {
  name: 'u16',
  size: 2,
  decode: (v, o) => v.getUint16(o, true),
  encode: (v, o, x) => v.setUint16(o, x, true),
};

/**
 * `u32`, little-endian.
 *
 * @example
 * ```ts
 * import { u32 } from '@rfl/io-buffer';
 * const v = new DataView(new ArrayBuffer(4));
 * u32.encode(v, 0, -1);
 * u32.decode(v, 0) // => 0xffffffff
 * ```
 */
export const u32: Scalar<number> = {
  name: 'u32',
  size: 4,
  decode: (v, o) => v.getUint32(o, true),
  encode: (v, o, x) => v.setUint32(o, x, true),
};

/**
 * `u64`, little-endian, as a bigint.
 *
 * @example
 * ```ts
 * import { u64 } from '@rfl/io-buffer';
 * const v = new DataView(new ArrayBuffer(8));
 * u64.encode(v, 0, -1n);
 * u64.decode(v, 0) // => 0xffffffffffffffffn
 * ```
 */
export const u64: Scalar<bigint> = {
  name: 'u64',
  size: 8,
  decode: (v, o) => v.getBigUint64(o, true),
  encode: (v, o, x) => v.setBigUint64(o, BigInt.asUintN(64, x), true),
};

/**
 * `i8`.
 *
 * @example
 * ```ts
 * import { i8 } from '@rfl/io-buffer';
 * const v = new DataView(new Uint8Array([0x80]).buffer);
 * i8.decode(v, 0) // => -128
 * ```
 */
export const i8: Scalar<number> = {
  name: 'i8',
  size: 1,
  decode: (v, o) => v.getInt8(o),
  encode: (v, o, x) => v.setInt8(o, x),
};

/**
 * `i16`, little-endian.
 *
 * @example
 * ```ts
 * import { i16 } from '@rfl/io-buffer';
 * const v = new DataView(new Uint8Array([0xfe, 0xff]).buffer);
 * i16.decode(v, 0) // => -2
 * ```
 */
export const i16: Scalar<number> = {
  name: 'i16',
  size: 2,
  decode: (v, o) => v.getInt16(o, true),
  encode: (v, o, x) => v.setInt16(o, x, true),
};

/**
 * `i32`, little-endian: C's `int`.
 *
 * @example
 * ```ts
 * import { i32 } from '@rfl/io-buffer';
 * const v = new DataView(new ArrayBuffer(4));
 * i32.encode(v, 0, 0xffffffff);
 * i32.decode(v, 0) // => -1
 * ```
 */
export const i32: Scalar<number> = {
  name: 'i32',
  size: 4,
  decode: (v, o) => v.getInt32(o, true),
  encode: (v, o, x) => v.setInt32(o, x, true),
};

/**
 * `i64`, little-endian, as a bigint.
 *
 * @example
 * ```ts
 * import { i64 } from '@rfl/io-buffer';
 * const v = new DataView(new ArrayBuffer(8));
 * i64.encode(v, 0, -5n);
 * i64.decode(v, 0) // => -5n
 * ```
 */
export const i64: Scalar<bigint> = {
  name: 'i64',
  size: 8,
  decode: (v, o) => v.getBigInt64(o, true),
  encode: (v, o, x) => v.setBigInt64(o, BigInt.asIntN(64, x), true),
};
