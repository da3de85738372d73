import { sim_run_until_idle } from '@rfl/kernel';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelShell } from '../testing/kernel-shell.js';

// One boot for the file: modules stay loaded across boots of one process, so a second boot
// would find gpio_pl061 loaded and its driver gone with the first boot's driver core.
describe('board: the bench of the machine PL061', () => {
  let run: Awaited<ReturnType<typeof kernelShell>>;
  beforeAll(async () => {
    run = await kernelShell();
  });

  it('shows the LED that gpioset drives through the safe driver', async () => {
    expect((await run('board led')).out).toBe('led 1: off\n');
    expect((await run('gpioset -t 0 -c 0 1=1; board led')).out).toBe('led 1: on\n');
    expect((await run('board led 2')).out).toBe('led 2: off\n');
  });

  it('presses the button that gpiomon watches', async () => {
    await run('gpiomon -n 2 -c 0 0 > /tmp/events &');
    await sim_run_until_idle();
    await run('board button press');
    // Let the edge reach gpiomon before the next one: gpiolib-cdev's threaded handler
    // coalesces edges that come faster than it runs, as the kernel's does.
    await sim_run_until_idle();
    await run('board button release');
    await sim_run_until_idle();
    const events = (await run('wait; cat /tmp/events')).out.split('\n');
    expect(events.map((l) => l.split('\t').slice(1).join(' '))).toEqual([
      'rising gpiochip0 0',
      'falling gpiochip0 0',
      '',
    ]);
  });

  it('explains itself when asked something it does not do', async () => {
    for (const line of ['board', 'board button', 'board button press 8', 'board led on']) {
      expect(await run(line)).toEqual({
        status: 2,
        out: '',
        err: 'usage: board button press|release|click [LINE] | board led [LINE]\n',
      });
    }
  });
});
