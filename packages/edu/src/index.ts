export * from './device.js';
export * from './driver.js';
export * from './regs.js';
