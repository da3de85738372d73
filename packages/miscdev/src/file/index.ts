export { File, PollTable, type SeekFrom, VmArea } from './file.js';
export { IoctlCommand, type IoctlHandler, ioctlUnknown } from './ioctl.js';
export { type OpenAdapter, type Operations, type VTable, vtable } from './operations.js';
