// hardware model (g-hw)
export * from './hw/board.js';
export * from './hw/pl061.js';
export * from './hw/regs.js';
