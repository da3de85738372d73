/**
 * `board`: the bench next to the machine's PL061 — not a Linux program, the person at the
 * desk. `board button press|release|click [LINE]` works the push button (line 0 unless
 * given), `board led [LINE]` says whether the LED (line 1 unless given) is lit.
 *
 * @module
 */

import { PL061_BUTTON_LINE, PL061_LED_LINE, pl061_machine_board } from '../machine/pl061.js';
import type { Command } from './proc.js';

const USAGE = 'usage: board button press|release|click [LINE] | board led [LINE]\n';

function line(arg: string | undefined, fallback: number): number | null {
  if (arg === undefined) return fallback;
  return /^[0-7]$/.test(arg) ? Number(arg) : null;
}

export const board: Command = async (proc, argv) => {
  const b = pl061_machine_board();
  if (b === null) {
    await proc.error('this machine has no PL061 board');
    return 1;
  }
  const [what, ...rest] = argv;
  if (what === 'button') {
    const [action, arg] = rest;
    const n = line(arg, PL061_BUTTON_LINE);
    if (n === null || rest.length > 2) {
      await proc.err(USAGE);
      return 2;
    }
    const button = b.button(n);
    if (action === 'press') button.press();
    else if (action === 'release') button.release();
    else if (action === 'click') button.click();
    else {
      await proc.err(USAGE);
      return 2;
    }
    return 0;
  }
  if (what === 'led' && rest.length <= 1) {
    const n = line(rest[0], PL061_LED_LINE);
    if (n !== null) {
      await proc.out(`led ${n}: ${b.led(n).on ? 'on' : 'off'}\n`);
      return 0;
    }
  }
  await proc.err(USAGE);
  return 2;
};
