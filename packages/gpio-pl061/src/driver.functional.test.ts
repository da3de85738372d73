// The shared functional suite (src/functional/suite.ts), run for the safe driver.
import { pl061Driver } from './driver.js';
import { pl061_functional_suite } from './functional/suite.js';
import type { pl061_board } from './hw/board.js';
import * as amba from './safe/amba.js';

let reg: amba.Registration | null = null;

async function pm(board: pl061_board, op: 'suspend' | 'resume'): Promise<number> {
  const cb = board.adev.dev.driver?.pm?.[op];
  if (cb === undefined) throw new Error(`the driver has no ${op} callback`);
  return cb(board.adev.dev);
}

pl061_functional_suite({
  name: 'safe',
  driver_name: 'pl061_gpio',
  async bind() {
    try {
      reg = await amba.Registration.new(pl061Driver);
      return 0;
    } catch (e) {
      return -((e as { errno?: number }).errno ?? 22);
    }
  },
  async unbind() {
    await reg?.unregister();
    reg = null;
  },
  suspend: (board) => pm(board, 'suspend'),
  resume: (board) => pm(board, 'resume'),
});
