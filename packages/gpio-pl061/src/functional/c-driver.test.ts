import { amba_driver_register, amba_driver_unregister } from '@rfl/kernel';
import { pl061_gpio_driver } from '../c/gpio-pl061.js';
import { pl061_functional_suite } from './suite.js';

pl061_functional_suite({
  name: 'C-style',
  driver_name: 'pl061_gpio',
  bind: () => amba_driver_register(pl061_gpio_driver),
  unbind: () => amba_driver_unregister(pl061_gpio_driver),
});
