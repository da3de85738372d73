import { describe, expect, it } from 'vitest';
import { ShellSyntaxError } from './lexer.js';
import { Parser } from './parser.js';

/** A small deterministic PRNG (mulberry32), so the fuzz cases are the same every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a',
  'b',
  ' ',
  '\t',
  '\n',
  ';',
  '&',
  '|',
  '<',
  '>',
  '2',
  "'",
  '"',
  '\\',
  '$',
  '?',
  '{',
  '}',
  '*',
  '#',
  '!',
  '-',
  '(',
  '`',
];

describe('the parser', () => {
  it('parses the grammar into lists, and-or lists, pipelines and redirections', () => {
    const p = new Parser("! a 'b c' 2>&1 | d >> e && f || g; h <i\nj");
    expect(p.next()).toEqual([
      {
        first: {
          bang: true,
          commands: [
            {
              words: [
                [{ kind: 'lit', text: 'a', quoted: false }],
                [{ kind: 'lit', text: 'b c', quoted: true }],
              ],
              redirects: [{ fd: 2, op: '>&', target: [{ kind: 'lit', text: '1', quoted: false }] }],
              line: 1,
            },
            {
              words: [[{ kind: 'lit', text: 'd', quoted: false }]],
              redirects: [{ fd: 1, op: '>>', target: [{ kind: 'lit', text: 'e', quoted: false }] }],
              line: 1,
            },
          ],
        },
        rest: [
          {
            op: '&&',
            pipeline: {
              bang: false,
              commands: [
                { words: [[{ kind: 'lit', text: 'f', quoted: false }]], redirects: [], line: 1 },
              ],
            },
          },
          {
            op: '||',
            pipeline: {
              bang: false,
              commands: [
                { words: [[{ kind: 'lit', text: 'g', quoted: false }]], redirects: [], line: 1 },
              ],
            },
          },
        ],
      },
      {
        first: {
          bang: false,
          commands: [
            {
              words: [[{ kind: 'lit', text: 'h', quoted: false }]],
              redirects: [{ fd: 0, op: '<', target: [{ kind: 'lit', text: 'i', quoted: false }] }],
              line: 1,
            },
          ],
        },
        rest: [],
      },
    ]);
    expect(p.next()?.[0]?.first.commands[0]?.line).toBe(2);
    expect(p.next()).toBeUndefined();
  });

  it('either parses or reports a syntax error for 5,000 random inputs (fixed seed)', () => {
    const random = prng(4);
    let errors = 0;
    for (let i = 0; i < 5000; i++) {
      const length = 1 + Math.floor(random() * 24);
      let text = '';
      for (let j = 0; j < length; j++) text += PIECES[Math.floor(random() * PIECES.length)];
      try {
        const parser = new Parser(text);
        while (parser.next() !== undefined);
      } catch (err) {
        expect(err, JSON.stringify(text)).toBeInstanceOf(ShellSyntaxError);
        errors++;
      }
    }
    // Both outcomes happen: the inputs exercise the grammar, not only its errors.
    expect(errors).toBeGreaterThan(500);
    expect(errors).toBeLessThan(4500);
  });
});
