/** `uname -r` of the simulated kernel, where `/lib/modules/<release>` would be. */
export { UTS_RELEASE } from '@rfl/kernel';
