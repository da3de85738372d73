/**
 * The module of the C-style driver, `gpio_pl061_c`: `modprobe gpio_pl061_c`
 * registers `pl061_gpio` on the AMBA bus (the kernel's `device_initcall`), which
 * binds to every PL061 the board put there. The safe driver binds to the same
 * devices under the same name, so only one of the two can be loaded at a time.
 *
 * @module
 */

import { amba_driver_register, amba_driver_unregister, declare_module } from '@rfl/kernel';
import { pl061_gpio_driver } from './gpio-pl061.js';

/** The module's declaration (its `.ko`), made when the package is imported. */
export const pl061_c_module = declare_module({
  name: 'gpio_pl061_c',
  path: 'kernel/drivers/gpio/gpio_pl061_c.ko',
  author: 'Baruch Siach <baruch@tkos.co.il>',
  description: 'PL061 GPIO driver (C-style)',
  license: 'GPL v2',
  init(_params, mod) {
    return amba_driver_register(pl061_gpio_driver, mod);
  },
  exit() {
    return amba_driver_unregister(pl061_gpio_driver);
  },
});
