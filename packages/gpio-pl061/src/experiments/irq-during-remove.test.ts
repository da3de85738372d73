/**
 * Experiment 2: an interrupt arriving while `remove` runs.
 *
 * On a real machine the PL061's chained handler runs on one CPU while another unbinds the
 * driver. The simulation has one CPU, so the two orders are made deterministic: the handler's
 * access to the registers is either stretched across the unbind (it entered first and RCU makes
 * the unbind wait for it), or it starts after the resources were revoked (it sees them gone and
 * touches nothing). In both, nothing reads unmapped registers and nothing is reported.
 */
import {
  dev_get_drvdata,
  dmesg,
  gpio_device_find_by_label,
  irq_to_desc,
  kthread_run,
  mm_init,
  release_mem_region,
  request_mem_region,
  sim_hardirq,
  sim_run_pending,
  sim_run_until_idle,
  sysfs_write,
} from '@rfl/kernel';
import { Arc, rcu } from '@rfl/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type PL061DeviceData, pl061Chip } from '../driver.js';
import { pl061_kernel_reset } from '../functional/kernel.js';
import { pl061_safe_bench } from '../functional/safe-bench.js';
import { type pl061_board, pl061_board_remove } from '../hw/board.js';
import { PL061_GPIOMIS } from '../hw/regs.js';
import type * as amba from '../safe/amba.js';
import * as irq from '../safe/irq.js';

let board: pl061_board;
let reg: amba.Registration;
let misReads: number;

beforeEach(async () => {
  pl061_kernel_reset({ kasan: true });
  ({ reg, board } = await pl061_safe_bench());
  misReads = 0;
  const read = board.model.read.bind(board.model);
  board.model.read = (offset, size) => {
    if (offset === PL061_GPIOMIS) misReads++;
    return read(offset, size);
  };
});

afterEach(async () => {
  await reg.unregister();
  await pl061_board_remove(board);
  mm_init({ quiet: true });
});

/** A reference to the bound driver's state, as the handler on the other CPU holds one. */
function stateRef(): Arc<PL061DeviceData> {
  return Arc.from(Arc.borrow<PL061DeviceData>(dev_get_drvdata<number>(board.adev.dev)));
}

/** Whether the driver still has its register window claimed (its IoMem is alive). */
function registersMapped(): boolean {
  const claim = request_mem_region(board.phys, 0x1000, 'probe');
  if (claim === null) return true;
  release_mem_region(board.phys, 0x1000);
  return false;
}

function unbind(): Promise<number> {
  return Promise.resolve(
    sysfs_write('/sys/bus/amba/drivers/pl061_gpio/unbind', board.adev.dev.name),
  );
}

it('an interrupt that entered first completes before the registers go', async () => {
  const log: string[] = [];
  const state = stateRef();
  let resume!: () => void;
  const stalled = new Promise<void>((r) => {
    resume = r;
  });
  // CPU1: the chained handler has taken its RCU-protected access to the registers and is
  // stalled inside it (a long handler, a vCPU preempted by the host).
  kthread_run(
    async () => {
      using pl061 = state.value.resources();
      log.push(`cpu1: handler entered, registers ${pl061 ? 'available' : 'gone'}`);
      await stalled;
      log.push(`cpu1: GPIOMIS = ${pl061?.value.base.readb(PL061_GPIOMIS)}`);
      return 0;
    },
    null,
    'cpu1',
  );
  await sim_run_pending();
  // CPU0: unbind. The chip is removed and the resources revoked, then synchronize_rcu waits.
  const unbound = unbind();
  await sim_run_pending();
  log.push(
    `cpu0: chip ${gpio_device_find_by_label(board.adev.dev.name) ? 'registered' : 'removed'}, registers ${registersMapped() ? 'still mapped' : 'unmapped'}`,
  );
  resume();
  await unbound;
  await sim_run_until_idle();
  log.push(`cpu0: unbind done, registers ${registersMapped() ? 'still mapped' : 'unmapped'}`);
  expect(log).toEqual([
    'cpu1: handler entered, registers available',
    'cpu0: chip removed, registers still mapped',
    'cpu1: GPIOMIS = 0',
    'cpu0: unbind done, registers unmapped',
  ]);
  expect(misReads).toBe(1);
  expect(dmesg()).not.toMatch(/BUG|Oops/);
  state[Symbol.dispose]();
});

it('an interrupt that comes after the revoke sees the registers gone and touches nothing', async () => {
  const state = stateRef();
  const gdev = gpio_device_find_by_label(board.adev.dev.name);
  const domain = gdev?.chip?.irq.domain;
  const parent = irq_to_desc(board.irq);
  if (!domain || !parent) throw new Error('no irq domain');
  // CPU1's handler, run with the state it was given when the chained handler was installed.
  const cpu1Interrupt = () =>
    sim_hardirq(() =>
      pl061Chip.handleIrqFlow(
        state.asArcBorrow(),
        new irq.Descriptor(parent),
        new irq.Domain(domain),
      ),
    );

  cpu1Interrupt();
  expect(misReads).toBe(1);

  // An unrelated RCU reader holds the grace period open, so the unbind stops between the
  // revoke and the unmapping.
  let leave!: () => void;
  const reader = new Promise<void>((r) => {
    leave = r;
  });
  kthread_run(
    async () => {
      using _g = rcu.readLock();
      await reader;
      return 0;
    },
    null,
    'reader',
  );
  await sim_run_pending();
  const unbound = unbind();
  await sim_run_pending();
  expect(registersMapped()).toBe(true);
  cpu1Interrupt();
  leave();
  await unbound;
  await sim_run_until_idle();
  expect(registersMapped()).toBe(false);
  cpu1Interrupt();
  expect(misReads).toBe(1);
  expect(dmesg()).not.toMatch(/BUG|Oops|KASAN/);
  state[Symbol.dispose]();
});
