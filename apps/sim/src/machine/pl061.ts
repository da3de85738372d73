/**
 * The default machine's PL061 GPIO controller: board code that puts it on the bus at boot
 * (`PL061_DEFAULT_PHYS`, GPIOINTR on root line `PL061_DEFAULT_HWIRQ`), with a push button
 * on line 0 and an LED on line 1. The `board` command is the bench: it presses the button
 * and looks at the LED.
 *
 * @module
 */

import { type pl061_board, pl061_board_add } from '@rfl/gpio-pl061';
import { pr_info } from '@rfl/kernel';

/** The line of the push button and the line of the LED. */
export const PL061_BUTTON_LINE = 0;
export const PL061_LED_LINE = 1;

let board: pl061_board | null = null;

/** Plugs the PL061 into the machine being booted; a failure is logged, not fatal. */
export async function pl061_board_init(): Promise<void> {
  const b = await pl061_board_add();
  if (typeof b === 'number') {
    board = null;
    pr_info('rfl-sim: no PL061: %pe\n', b);
    return;
  }
  b.button(PL061_BUTTON_LINE);
  b.led(PL061_LED_LINE);
  board = b;
}

/** The machine's PL061 board, or `null` on a machine without one. */
export function pl061_machine_board(): pl061_board | null {
  return board;
}
