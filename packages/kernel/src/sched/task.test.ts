import { setImmediate as immediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { alloc_task, boot_task, current, run_as } from './task.js';

// current() remembers its last answer for the async resource that asked. These pin down that
// the answer follows the task through every way code changes task: run_as() in and out,
// nesting, exceptions, awaits of interleaved tasks, and callbacks scheduled from a task.

describe('current()', () => {
  it('is the task of run_as() inside it and the previous one after it', () => {
    const task = alloc_task('cur-a', 0);
    expect(current()).toBe(boot_task);
    expect(run_as(task, () => current())).toBe(task);
    expect(current()).toBe(boot_task);
    expect(run_as(task, () => current())).toBe(task);
  });

  it('unwinds nested run_as() calls, also when one throws', () => {
    const outer = alloc_task('cur-outer', 0);
    const inner = alloc_task('cur-inner', 0);
    const seen: number[] = [];
    run_as(outer, () => {
      seen.push(current().pid);
      run_as(inner, () => seen.push(current().pid));
      seen.push(current().pid);
      expect(() =>
        run_as(inner, () => {
          seen.push(current().pid);
          throw new Error('oops');
        }),
      ).toThrow('oops');
      seen.push(current().pid);
    });
    seen.push(current().pid);
    expect(seen).toEqual([outer.pid, inner.pid, outer.pid, inner.pid, outer.pid, 1]);
  });

  it('follows each of two tasks across the awaits where they interleave', async () => {
    const a = alloc_task('cur-ping', 0);
    const b = alloc_task('cur-pong', 0);
    const trace: string[] = [];
    const body = async (name: string) => {
      for (let i = 0; i < 5; i++) {
        trace.push(`${name}:${current().comm}`);
        if (i % 2) await immediate();
        else await null;
      }
    };
    await Promise.all([run_as(a, () => body('a')), run_as(b, () => body('b'))]);
    expect(current()).toBe(boot_task);
    expect(trace).toHaveLength(10);
    for (const entry of trace) {
      const [name, comm] = entry.split(':');
      expect(comm).toBe(name === 'a' ? 'cur-ping' : 'cur-pong');
    }
    // They did interleave: the order is not all of a, then all of b.
    expect(trace.slice(0, 5).every((e) => e.startsWith('a'))).toBe(false);
  });

  it('is the scheduling task in callbacks it queued, and not in others', async () => {
    const task = alloc_task('cur-cb', 0);
    const seen: Record<string, number> = {};
    const done: Promise<void>[] = [];
    const note = (what: string) =>
      new Promise<void>((resolve) => {
        const record = () => {
          seen[what] = current().pid;
          resolve();
        };
        if (what.startsWith('timeout')) setTimeout(record, 1);
        else if (what.startsWith('tick')) process.nextTick(record);
        else queueMicrotask(record);
      });
    run_as(task, () => {
      done.push(note('timeout-in'), note('tick-in'), note('microtask-in'));
    });
    done.push(note('timeout-out'), note('tick-out'), note('microtask-out'));
    await Promise.all(done);
    expect(seen).toEqual({
      'timeout-in': task.pid,
      'tick-in': task.pid,
      'microtask-in': task.pid,
      'timeout-out': 1,
      'tick-out': 1,
      'microtask-out': 1,
    });
  });
});
