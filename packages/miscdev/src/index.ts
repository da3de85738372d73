export * as chrdev from './chrdev/index.js';
export * as file from './file/index.js';
export * as miscdev from './miscdev/index.js';
export {
  IovIterDest,
  IovIterSource,
  Kiocb,
  type MiscDevice,
  type MiscDeviceOptions,
  MiscDeviceRegistration,
} from './miscdevice.js';
export { type Module, type ModuleInfo, type ModuleType, module, ThisModule } from './module.js';
