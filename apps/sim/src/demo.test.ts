import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('rfl-sim demo', () => {
  it('boots and shows each detector catching its bug, in order', async () => {
    let out = '';
    await runDemo((text) => {
      out += text;
    });
    const expected = [
      'Linux version 6.12.0-rfl (rfl-ts) #1 SMP PREEMPT',
      '### 1. a kthread allocates and frees a fox (no report expected)',
      'foxes: fox at ffff888',
      '### 2.',
      'BUG: KASAN: slab-use-after-free in run',
      'Freed by task 1:',
      '### 3.',
      'BUG: sleeping function called from invalid context at ',
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 3, name: cat',
      '### 4.',
      'WARNING: possible circular locking dependency detected',
      '### 5.',
      'refcount_t: decrement hit 0; leaking memory.',
    ];
    let at = 0;
    for (const line of expected) {
      const found = out.indexOf(line, at);
      expect(found, line).toBeGreaterThanOrEqual(0);
      at = found;
    }
    const first = out.slice(out.indexOf('### 1.'), out.indexOf('### 2.'));
    expect(first).not.toMatch(/BUG|WARNING/);
  });
});
