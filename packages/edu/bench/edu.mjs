// Round trips to the edu device model in its worker thread:
// - writel to the liveness register (each write waits for the worker to handle it),
// - readl of a register (a load from the shared register file),
// - a factorial through the driver: two writes, the worker's computation, the
//   interrupt posted back to the kernel's thread, the handler, the wake-up.
//
//   pnpm --filter @rfl/edu build && pnpm --filter @rfl/edu bench [--quick] [--json]

import { rate as benchRate, perSecond } from '@rfl/bench';
import { io_init, irq_init, readl, resource_init, sim_irq, sim_spawn, writel } from '@rfl/kernel';
import {
  EDU_REG_LIVENESS,
  edu_device_start,
  edu_factorial,
  edu_probe,
  edu_remove,
} from '../dist/index.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const rate = (fn, n) => benchRate(fn, n, { quick });

io_init();
resource_init();
irq_init();
const device = await edu_device_start();
const edu = edu_probe(null, device.phys, sim_irq(device.hwirq));
if (typeof edu === 'number') throw new Error(`edu_probe: ${edu}`);

let sink = 0;
const results = {
  worker_writel: await rate((n) => {
    for (let i = 0; i < n; i++) writel(i, edu.mmio + EDU_REG_LIVENESS);
  }, 2e5),
  worker_readl: await rate((n) => {
    for (let i = 0; i < n; i++) sink += readl(edu.mmio + EDU_REG_LIVENESS);
  }, 2e6),
  factorial_irq: await rate(async (n) => {
    await sim_spawn('bench', async () => {
      for (let i = 0; i < n; i++) sink += await edu_factorial(edu, i & 15);
      return 0;
    }).exited;
  }, 2e4),
};
edu_remove(edu);
await device.stop();

if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  console.log(`  writel to the worker          ${perSecond(results.worker_writel)}`);
  console.log(`  readl of the register file    ${perSecond(results.worker_readl)}`);
  console.log(`  factorial with its interrupt  ${perSecond(results.factorial_irq)}`);
}
if (sink === 0.5) console.log(sink);
