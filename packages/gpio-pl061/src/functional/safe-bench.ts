/**
 * The safe driver's tests start from it registered and bound to a board at the default
 * address. (Test support: not part of the package's build.)
 *
 * @module
 */

import { pl061Driver } from '../driver.js';
import { type pl061_board, pl061_board_add } from '../hw/board.js';
import * as amba from '../safe/amba.js';

/** Registers the safe driver, then adds a board at the default address, which it binds. */
export async function pl061_safe_bench(): Promise<{
  reg: amba.Registration;
  board: pl061_board;
}> {
  const reg = await amba.Registration.new(pl061Driver);
  const board = await pl061_board_add();
  if (typeof board === 'number') throw new Error(`pl061_board_add: ${board}`);
  return { reg, board };
}
