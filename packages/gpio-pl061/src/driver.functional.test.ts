// The shared functional suite (src/functional/suite.ts), run for the safe driver.
import { pl061Driver } from './driver.js';
import { pl061_functional_suite } from './functional/suite.js';
import * as amba from './safe/amba.js';

let reg: amba.Registration | null = null;

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
});
