export { type AlwaysRefCounted, ARef } from './aref.js';
export { type Either, Left, Right } from './either.js';
export { type CallbackReturn, fromResult, KernelError, toResult } from './error.js';
export { type ForeignOwnable, type ForeignOwnableType, ForeignTable, Unit } from './foreign.js';
export { NotThreadSafe, type Send } from './marker.js';
export { drop, type Movable, move, useOfMovedValue } from './moved.js';
export { Opaque } from './opaque.js';
export { ScopeGuard } from './scope-guard.js';
