// g-safe: the safe abstractions the Rust PL061 driver is written against.
export * as amba from './safe/amba.js';
export {
  Device,
  DeviceData,
  type DeviceRemoval,
  RevocableMutex,
  RevocableMutexGuard,
} from './safe/device.js';
export { IoMem } from './safe/io-mem.js';
export * as irq from './safe/irq.js';
export * as power from './safe/power.js';

// hardware model (g-hw)
export * from './hw/board.js';
export * from './hw/pl061.js';
export * from './hw/regs.js';
