/**
 * What every LKDTM test file shares (`lkdtm.h`): the `lkdtm: ` message
 * prefix, the crash type record, and the hint printed when a protection a
 * test expected did not fire.
 *
 * @module
 */

import {
  pr_err as kpr_err,
  pr_info as kpr_info,
  pr_warn as kpr_warn,
  UTS_RELEASE,
} from '@rfl/kernel';

/** One crash test (`struct crashtype`): its name and its body. */
export interface crashtype {
  readonly name: string;
  readonly func: () => void;
}

// pr_fmt(fmt) "lkdtm: " fmt
export const pr_info = (fmt: string, ...args: unknown[]) => kpr_info(`lkdtm: ${fmt}`, ...args);
export const pr_warn = (fmt: string, ...args: unknown[]) => kpr_warn(`lkdtm: ${fmt}`, ...args);
export const pr_err = (fmt: string, ...args: unknown[]) => kpr_err(`lkdtm: ${fmt}`, ...args);

/** `lkdtm_kernel_info`. */
const kernel_info = `kernel (${UTS_RELEASE} x86_64)`;

/**
 * `pr_expected_config` (a module's `pr_expected_config_param` too): why a
 * test that should have been stopped survived.
 */
export function pr_expected_config(kconfig: string, enabled: boolean): void {
  if (enabled) pr_err('Unexpected! This %s was built with %s=y\n', kernel_info, kconfig);
  else
    pr_warn(
      'This is probably expected, since this %s was built *without* %s=y\n',
      kernel_info,
      kconfig,
    );
}
