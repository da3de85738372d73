import { describe, expect, it } from 'vitest';
import { stripHiddenLines } from './render.js';

describe('stripHiddenLines', () => {
  it('drops hidden lines and attributes inside TypeScript fences only', () => {
    const doc = [
      '# Title',
      '```ts should_throw=EINVAL',
      '# import { x } from "y";',
      '#',
      'x();',
      '##[decorator]',
      '```',
      '```sh',
      '# a shell comment stays',
      '```',
    ].join('\n');
    expect(stripHiddenLines(doc)).toBe(
      [
        '# Title',
        '```ts',
        'x();',
        '#[decorator]',
        '```',
        '```sh',
        '# a shell comment stays',
        '```',
      ].join('\n'),
    );
  });

  it('keeps the comment prefix and indentation of fences in TSDoc text', () => {
    const comment = [
      '/**',
      ' * @example',
      ' * ```ts,no_run',
      ' * # setup();',
      ' * run();',
      ' * ```',
      ' */',
    ].join('\n');
    expect(stripHiddenLines(comment)).toBe(
      ['/**', ' * @example', ' * ```ts', ' * run();', ' * ```', ' */'].join('\n'),
    );
  });
});
