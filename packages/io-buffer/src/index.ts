export type { IoBufferReader, IoBufferWriter } from './io-buffer.js';
export { i8, i16, i32, i64, type Scalar, u8, u16, u32, u64 } from './scalar.js';
export { UserSlice, UserSliceReader, UserSliceWriter } from './user-slice.js';
