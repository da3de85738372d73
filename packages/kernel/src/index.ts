export * from './err-ptr.js';
export * from './errno.js';
export * from './panic.js';
export * from './printk.js';
export * from './stacktrace.js';
export * from './vsprintf.js';
