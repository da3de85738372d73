import { describe, expect, it } from 'vitest';
import { testName } from './example.js';
import { extractExamples } from './session.js';

describe('extractExamples', () => {
  it('names a module-level example after its module', () => {
    const source = [
      '/**',
      ' * Sleeping.',
      ' *',
      ' * @example',
      ' * ```ts',
      ' * 1 // => 1',
      ' * ```',
      ' *',
      ' * @module',
      ' */',
      '',
      "import { x } from './x.js';",
      '',
    ].join('\n');
    const [example] = extractExamples(
      '/repo',
      '/repo/packages/kernel/src/sched/might-sleep.ts',
      source,
    );
    expect(testName(example!)).toBe(
      'packages/kernel/src/sched/might-sleep.ts - sched/might-sleep (line 5)',
    );
  });

  it('takes a variable statement comment once, under the variable name', () => {
    const source = [
      '/**',
      ' * @example',
      ' * ```ts',
      ' * LIMIT // => 3',
      ' * ```',
      ' */',
      'export const LIMIT = 3;',
      '',
    ].join('\n');
    expect(extractExamples('/repo', '/repo/src/limit.ts', source).map(testName)).toEqual([
      'src/limit.ts - LIMIT (line 3)',
    ]);
  });

  it('reads attributes after commas or spaces and keeps unknown ones for the runner to reject', () => {
    const doc = [
      '# A',
      '```ts,no_run name="first one"',
      'x',
      '```',
      '```typescript should_throw="bad thing" frobnicate',
      'y',
      '```',
    ].join('\n');
    const [first, second] = extractExamples('/repo', '/repo/specs/a.md', doc);
    expect(first!.attributes).toMatchObject({ noRun: true, name: 'first one', unknown: [] });
    expect(testName(first!)).toBe('specs/a.md - first one (line 2)');
    expect(second!.attributes).toMatchObject({
      shouldThrow: { text: 'bad thing' },
      unknown: ['frobnicate'],
    });
  });
});

describe('extractExamples on a file with a module comment and a declaration comment', () => {
  it('finds the examples of both blocks', () => {
    const source = [
      '/**',
      ' * Counters.',
      ' * @example',
      ' * ```ts',
      ' * 1 // => 1',
      ' * ```',
      ' * @module',
      ' */',
      '',
      '/**',
      ' * A counter.',
      ' * @example',
      ' * ```ts',
      ' * 2 // => 2',
      ' * ```',
      ' */',
      'export class atomic_t {}',
      '',
    ].join('\n');
    expect(
      extractExamples('/repo', '/repo/packages/kernel/src/atomic.ts', source).map(testName),
    ).toEqual([
      'packages/kernel/src/atomic.ts - atomic (line 4)',
      'packages/kernel/src/atomic.ts - atomic_t (line 13)',
    ]);
  });
});
