export { BUILTINS, COMMANDS } from './commands/index.js';
export type { Command, Proc } from './commands/proc.js';
export { DEMO_SESSION, runDemo } from './demo.js';
export {
  type BootOptions,
  bootMachine,
  type PlatformFactory,
  type TerminalIO,
} from './machine/boot.js';
export { SAMPLE_DRIVERS, type SampleDriver } from './machine/drivers.js';
export { MachineStuck, runUntil } from './machine/idle.js';
export { kernelPlatform } from './machine/kernel-platform.js';
export { BOOT_EPOCH_NS, KernelSys } from './machine/kernel-sys.js';
export { type Platform, runScript, ShellSession, type SimRunResult } from './machine/machine.js';
export { simRun } from './machine/sim-run.js';
export { type RunResult, Shell, type ShellOptions } from './shell/exec.js';
export { Parser } from './shell/parser.js';
export type { Sys } from './sys.js';
