import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUG_ON,
  get_taint,
  Oops,
  panic_reset,
  print_tainted,
  set_modules_source,
  TAINT_DIE,
  TAINT_WARN,
  WARN,
  WARN_ON,
  WARN_ON_ONCE,
} from './panic.js';
import { dmesg, printk_reset, set_local_clock } from './printk.js';

beforeEach(() => {
  printk_reset();
  panic_reset();
  set_local_clock(() => 0);
});
afterEach(() => {
  printk_reset();
  panic_reset();
  set_modules_source(() => []);
});

function probe_with_bad_state(): boolean {
  return WARN_ON(true);
}

describe('WARN', () => {
  it('prints the kernel report shape with the JavaScript frames', () => {
    set_modules_source(() => ['foxes', 'pl061']);
    expect(probe_with_bad_state()).toBe(true);
    const lines = dmesg().split('\n');
    const text = lines.map((l) => l.slice(15));
    expect(text[0]).toBe('------------[ cut here ]------------');
    expect(text[1]).toMatch(
      /^WARNING: CPU: 0 PID: 1 at packages\/kernel\/src\/panic\.test\.ts:\d+ probe_with_bad_state$/,
    );
    expect(text[2]).toBe('Modules linked in: foxes pl061');
    expect(text[3]).toBe('CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.12.0-rfl #1');
    expect(text[4]).toBe('Hardware name: rfl-ts simulated machine');
    expect(text[5]).toBe('Call Trace:');
    expect(text[6]).toBe(' <TASK>');
    expect(text[7]).toMatch(/^ probe_with_bad_state packages\/kernel\/src\/panic\.test\.ts:\d+$/);
    expect(text).toContain(' </TASK>');
    expect(text).toContain('---[ end trace 0000000000000000 ]---');
    expect(print_tainted()).toBe('Tainted: G        W          ');
    expect(get_taint()).toBe(1 << TAINT_WARN);
  });

  it('does nothing for a false condition', () => {
    expect(WARN_ON(0)).toBe(false);
    expect(WARN(false, 'x')).toBe(false);
    expect(dmesg()).toBe('');
    expect(print_tainted()).toBe('Not tainted');
  });

  it('prints the WARN message after the WARNING line', () => {
    WARN(true, 'refcount at %d\n', 3);
    expect(dmesg().split('\n')[2]).toBe('[    0.000000] refcount at 3');
  });

  it('reports WARN_ON_ONCE once per call site', () => {
    const hits = [0, 1, 2].map(() => WARN_ON_ONCE(true));
    WARN_ON_ONCE(true);
    expect(hits).toEqual([true, true, true]);
    expect(dmesg().match(/WARNING:/g)).toHaveLength(2);
  });
});

describe('BUG', () => {
  it('prints kernel BUG, taints D and throws an Oops', () => {
    expect(() => BUG_ON(1)).toThrow(Oops);
    const out = dmesg();
    expect(out).toMatch(/kernel BUG at packages\/kernel\/src\/panic\.test\.ts:\d+!/);
    expect(out).toContain('Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI');
    expect(get_taint() & (1 << TAINT_DIE)).not.toBe(0);
    expect(() => BUG_ON(0)).not.toThrow();
  });
});
