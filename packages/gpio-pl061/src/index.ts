// hardware model and C-style driver (g-hw)

export * from './c/gpio-pl061.js';
export * from './c/module.js';
export * from './hw/board.js';
export * from './hw/pl061.js';
export * from './hw/regs.js';
