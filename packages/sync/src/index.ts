export { Arc, ArcBorrow } from './arc.js';
export {
  Acquire,
  Atomic,
  Full,
  type Ordering,
  Relaxed,
  Release,
} from './atomic.js';
export { CondVar, type CondVarTimeoutResult } from './condvar.js';
export { type Backend, Guard, Lock } from './lock.js';
export { LockClassKey } from './lock-class-key.js';
export { LockedBy } from './locked-by.js';
export { Mutex } from './mutex.js';
export { PollCondVar } from './poll.js';
export { RcuGuard, rcu } from './rcu.js';
export { Revocable, RevocableGuard } from './revocable.js';
export { InteriorMutable, type Shared } from './shared.js';
export { SpinLock } from './spinlock.js';
export { UniqueArc } from './unique-arc.js';
export { Weak } from './weak.js';
