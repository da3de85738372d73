// Biome keeps these sorted by path: src/c and src/hw are g-hw's (the C-style driver and the
// device model), src/driver.ts and src/safe are g-safe's (the safe driver and its abstractions).
export * from './c/gpio-pl061.js';
export * from './c/module.js';
export {
  type ContextSaveRegs,
  PL061_SAFE_DRIVER_NAME,
  PL061_SAFE_MODULE_NAME,
  type PL061Data,
  type PL061DeviceData,
  type PL061Registrations,
  type PL061Resources,
  pl061Chip,
  pl061Driver,
  pl061Module,
  pl061Pm,
} from './driver.js';
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
