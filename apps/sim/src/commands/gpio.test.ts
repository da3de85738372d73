import { pl061_board_remove } from '@rfl/gpio-pl061';
import { gpio_sim_add, gpio_sim_remove, sim_run_until_idle } from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { pl061_machine_board } from '../machine/pl061.js';
import { kernelShell } from '../testing/kernel-shell.js';

/** Boots the machine with a simulated GPIO bank (button on 1, LED on 3) and a shell. */
async function machine() {
  let sim: ReturnType<typeof gpio_sim_add> | undefined;
  const run = await kernelShell(async () => {
    // Only the simulated bank below: the machine's PL061 would be gpiochip0.
    const pl061 = pl061_machine_board();
    if (pl061) await pl061_board_remove(pl061);
    sim = gpio_sim_add({
      label: 'gpio-sim.0',
      ngpio: 8,
      names: ['', 'button', '', 'led'],
      hwirq: 33,
    });
  });
  return { sim: sim!, run };
}

describe('gpiodetect and gpioinfo', () => {
  it('list the chips and their lines as libgpiod 2 prints them', async () => {
    const { run } = await machine();
    expect(await run('gpiodetect')).toEqual({
      status: 0,
      out: 'gpiochip0 [gpio-sim.0] (8 lines)\n',
      err: '',
    });
    const info = await run('gpioinfo');
    expect(info.out.split('\n').slice(0, 5)).toEqual([
      'gpiochip0 - 8 lines:',
      '\tline   0:\tunnamed         \tinput',
      '\tline   1:\t"button"        \tinput',
      '\tline   2:\tunnamed         \tinput',
      '\tline   3:\t"led"           \tinput',
    ]);
    expect((await run('gpioinfo led')).out).toBe('gpiochip0 3\t"led"           \tinput\n');
    expect(await run('gpioinfo nosuchline')).toEqual({
      status: 1,
      out: '',
      err: "gpioinfo: cannot find line 'nosuchline'\n",
    });
  });
});

describe('gpioget and gpioset', () => {
  it('read inputs, and drive an output that stays set while gpioset runs', async () => {
    const { sim, run } = await machine();
    sim.set_pull(1, 1);
    expect((await run('gpioget -c gpiochip0 1 2')).out).toBe('"1"=active "2"=inactive\n');
    expect((await run('gpioget --numeric button')).out).toBe('1\n');
    expect((await run('gpioset -c 0 led=on &')).err).toMatch(/^\[1\] \d+\n$/);
    expect(sim.level(3)).toBe(1);
    const info = await run('gpioinfo -c 0 3');
    expect(info.out).toBe('gpiochip0 3\t"led"           \toutput consumer="gpioset"\n');
    expect(await run('gpioget -c 0 3')).toEqual({
      status: 1,
      out: '',
      err: 'gpioget: unable to request lines: Device or resource busy\n',
    });
    await run('kill $!; wait $!');
    expect((await run('gpioinfo -c 0 3')).out).toBe('gpiochip0 3\t"led"           \toutput\n');
    // -t 0: set and exit.
    expect((await run('gpioset -t 0 -c 0 3=0; gpioinfo -c 0 3')).out).toBe(
      'gpiochip0 3\t"led"           \toutput\n',
    );
    expect(sim.level(3)).toBe(0);
  });

  it('reports bad requests with libgpiod messages', async () => {
    const { run } = await machine();
    expect((await run('gpioget -c 0 9')).err).toBe(
      "gpioget: offset 9 is out of range on chip '0'\n",
    );
    expect((await run('gpioget -c gpiochip7 1')).err).toBe(
      "gpioget: cannot find GPIO chip character device 'gpiochip7'\n",
    );
    expect((await run('gpioset -c 0 3=2')).err).toBe("gpioset: invalid line value: '2'\n");
    expect((await run('gpioget')).err).toBe('gpioget: at least one GPIO line must be specified\n');
    expect((await run('gpiomon --frob 1')).err).toBe(
      "gpiomon: unrecognized option '--frob'\ngpiomon: try gpiomon --help\n",
    );
  });
});

describe('gpiomon', () => {
  it('prints one line per edge and stops after -n events', async () => {
    const { sim, run } = await machine();
    await run('gpiomon -n 2 -c 0 button > /tmp/events &');
    sim.set_pull(1, 1);
    await sim_run_until_idle();
    sim.set_pull(1, 0);
    const r = await run('wait; cat /tmp/events');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(
      /^\d+\.\d{9}\trising\tgpiochip0 1 "button"\n\d+\.\d{9}\tfalling\tgpiochip0 1 "button"\n$/,
    );
    expect((await run('gpiomon -F "%o %E %l" -n 1 -e falling -c 0 1 > /tmp/f &')).status).toBe(0);
    sim.set_pull(1, 1);
    await sim_run_until_idle();
    sim.set_pull(1, 0);
    expect((await run('wait; cat /tmp/f')).out).toBe('1 falling button\n');
  });

  it('dies of the signal kill sends while it waits, releasing its line', async () => {
    const { run } = await machine();
    await run('gpiomon -c 0 1 &');
    expect((await run('gpioinfo -c 0 1')).out).toBe(
      'gpiochip0 1\t"button"        \tinput edges=both consumer="gpiomon"\n',
    );
    expect((await run('kill $!; wait $!; echo $?')).out).toBe('143\n');
    expect((await run('gpioinfo -c 0 1')).out).toBe('gpiochip0 1\t"button"        \tinput\n');
  });

  it('ends with "No such device" when the chip goes away under it', async () => {
    const { sim, run } = await machine();
    await run('gpiomon -c 0 1 &');
    gpio_sim_remove(sim);
    const r = await run('wait $!; echo "status $?"');
    expect(r.err).toBe('gpiomon: error reading line events: No such device\n');
    expect(r.out).toBe('status 1\n');
  });
});

describe('gpionotify', () => {
  it('prints one line per request, reconfiguration and release of the watched lines', async () => {
    const { run } = await machine();
    await run('gpionotify -n 2 -c 0 led > /tmp/info &');
    await run('gpioset -t 0 -c 0 led=1');
    const r = await run('wait; cat /tmp/info');
    expect(r.out).toMatch(
      /^\d+\.\d{9}\trequested\tgpiochip0 3 "led"\n\d+\.\d{9}\treleased\tgpiochip0 3 "led"\n$/,
    );
    expect((await run('gpionotify -e frobbed -c 0 3')).err).toBe(
      'gpionotify: invalid event: frobbed\n',
    );
  });
});
