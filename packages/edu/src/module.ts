/**
 * The `edu` module: `modprobe edu` registers the platform driver. The
 * simulated machine has no firmware to describe its devices, so the module
 * also plugs in an edu board (model and platform device) when none is there,
 * and unplugs the one it added when it is removed.
 *
 * @module
 */

import { declare_module, platform_driver_register, platform_driver_unregister } from '@rfl/kernel';
import {
  type edu_board,
  edu_board_add,
  edu_board_remove,
  edu_fops,
  edu_platform_driver,
} from './platform.js';

let board: edu_board | undefined;

/** The module's declaration (its `.ko`), made when the package is imported. */
export const edu_module = declare_module({
  name: 'edu',
  author: 'rfl-ts',
  description: "Driver for QEMU's edu teaching device",
  license: 'GPL',
  async init(_params, mod) {
    // The module is pinned while /dev/edu is open.
    edu_fops.owner = mod;
    const ret = await platform_driver_register(edu_platform_driver, mod);
    if (ret < 0) return ret;
    const b = await edu_board_add();
    if (typeof b === 'number') {
      await platform_driver_unregister(edu_platform_driver);
      return b;
    }
    board = b;
    return 0;
  },
  async exit() {
    if (board !== undefined) await edu_board_remove(board);
    board = undefined;
    await platform_driver_unregister(edu_platform_driver);
  },
});
