/**
 * The sample drivers the default machine boots with, and what the demo session shows of
 * each. A driver package adds its entry here: the module it declares (loaded at boot with
 * `params`) and the shell lines that show it doing its job.
 *
 * @module
 */

// Each sample driver's package declares its module when it is imported.
import '@rfl/edu';

export interface SampleDriver {
  /** The module name its package declares (what `modprobe` takes). */
  module: string;
  /** Module parameters given at boot, `key=value …`. */
  params?: string;
  /** One line: what the demo's lines show. */
  title: string;
  /** Shell lines the demo session runs for it. */
  demo: string[];
}

/** Every sample driver of the default machine, in boot order. */
export const SAMPLE_DRIVERS: SampleDriver[] = [
  {
    module: 'edu',
    title: "QEMU's edu device: a factorial computed by a device model in a worker thread",
    demo: ['ls -l /dev/edu', 'echo 10 > /dev/edu', 'cat /dev/edu', 'lsmod'],
  },
];
