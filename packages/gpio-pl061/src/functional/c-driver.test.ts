import { amba_driver_register, amba_driver_unregister } from '@rfl/kernel';
import { pl061_gpio_driver } from '../c/gpio-pl061.js';
import type { pl061_board } from '../hw/board.js';
import { pl061_functional_suite } from './suite.js';

async function pm(board: pl061_board, op: 'suspend' | 'resume'): Promise<number> {
  const cb = board.adev.dev.driver?.pm?.[op];
  if (cb === undefined) throw new Error(`the driver has no ${op} callback`);
  return cb(board.adev.dev);
}

pl061_functional_suite({
  name: 'C-style',
  driver_name: 'pl061_gpio',
  bind: () => amba_driver_register(pl061_gpio_driver),
  unbind: () => amba_driver_unregister(pl061_gpio_driver),
  suspend: (board) => pm(board, 'suspend'),
  resume: (board) => pm(board, 'resume'),
});
