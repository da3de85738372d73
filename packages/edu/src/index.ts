export * from './device.js';
export * from './driver.js';
export * from './module.js';
export * from './platform.js';
export * from './regs.js';
