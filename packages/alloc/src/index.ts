export {
  type Allocator,
  type AllocatorName,
  AllocError,
  Kmalloc,
  KVmalloc,
  Vmalloc,
} from './allocator.js';
export {
  __GFP_HIGHMEM,
  __GFP_NOWARN,
  __GFP_ZERO,
  Flags,
  GFP_ATOMIC,
  GFP_KERNEL,
  GFP_KERNEL_ACCOUNT,
  GFP_NOWAIT,
} from './flags.js';
export {
  Box,
  type BoxLayout,
  type BoxType,
  KBox,
  KVBox,
  type MaybeUninit,
  type Pin,
  VBox,
} from './kbox.js';
export { KVec, KVVec, Vec, type VecType, VVec } from './kvec.js';
