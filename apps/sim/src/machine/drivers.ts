/**
 * The sample drivers the default machine boots with, and what the demo session shows of
 * each. A driver package adds its entry here: the module it declares (loaded at boot with
 * `params`) and the shell lines that show it doing its job.
 *
 * @module
 */

// Each sample driver's package declares its module when it is imported.
import '@rfl/edu';
import '@rfl/gpio-pl061';
import '@rfl/lkdtm';
import '@rfl/miscdev/samples/foxes';
import '@rfl/miscdev/samples/foxes_c';
import '@rfl/miscdev/samples/rust_chrdev';
import '@rfl/miscdev/samples/rust_miscdev';

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
  {
    module: 'foxes',
    title: "the seed's rust_foxes: a misc device whose every open reads 200 foxes",
    // Loaded at boot: its life from there, out and back in.
    demo: [
      'lsmod | grep foxes',
      'rmmod foxes',
      'ls /dev/foxes',
      'insmod foxes',
      'ls -l /dev/foxes',
      'cat /dev/foxes; echo',
      'cat /dev/foxes | head -c 8; echo',
      'lsmod',
    ],
  },
  {
    module: 'lkdtm',
    title: "the kernel's crash-test module: a test written to DIRECT, reported as Linux does",
    demo: [
      'head -n 4 /sys/kernel/debug/provoke-crash/DIRECT',
      'dmesg -C; echo WARNING_MESSAGE > /sys/kernel/debug/provoke-crash/DIRECT',
      'dmesg -c | head -n 4',
      // Written by cat, not by the shell's own echo: the Oops kills the writer, as in Linux.
      'echo EXCEPTION > /tmp/crash; cat /tmp/crash > /sys/kernel/debug/provoke-crash/DIRECT',
      'echo "cat exited with $?"; dmesg -c | head -n 5',
    ],
  },
  {
    module: 'gpio_pl061',
    title:
      'the PL061 GPIO controller with the safe driver: an LED, a button, and an unbind under an open monitor',
    demo: [
      'gpiodetect',
      'gpioset -t 0 -c 0 1=1; board led',
      'gpioset -t 0 -c 0 1=0; board led',
      'gpiomon -n 1 -e rising -c 0 0 &',
      'board button press; wait',
      'board button release',
      'gpiomon -c 0 0 &',
      'echo feb00000.pl061 > /sys/bus/amba/drivers/pl061_gpio/unbind; wait',
      'gpiodetect; dmesg | grep -c BUG',
    ],
  },
];
