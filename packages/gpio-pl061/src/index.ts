// g-safe: the safe abstractions the Rust PL061 driver is written against.

// g-safe: the safe PL061 driver.
export {
  PL061_SAFE_DRIVER_NAME,
  PL061_SAFE_MODULE_NAME,
  type PL061DeviceData,
  pl061Chip,
  pl061Driver,
  pl061Module,
  pl061Pm,
} from './driver.js';
// hardware model (g-hw)
export * from './hw/board.js';
export * from './hw/pl061.js';
export * from './hw/regs.js';
export * as amba from './safe/amba.js';
export {
  Device,
  DeviceData,
  type DeviceRemoval,
  RevocableMutex,
  RevocableMutexGuard,
} from './safe/device.js';
export * as gpio from './safe/gpio.js';
export { IoMem } from './safe/io-mem.js';
export * as irq from './safe/irq.js';
export * as power from './safe/power.js';
