import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { render } from '../scripts/c-vs-safe.mjs';

it('spec/c-vs-safe.md is what scripts/c-vs-safe.mjs computes from the sources today', () => {
  const committed = readFileSync(new URL('../spec/c-vs-safe.md', import.meta.url), 'utf8');
  expect(committed).toBe(render());
});

it('the safe driver makes no raw kernel call; the C-style driver makes them all', () => {
  const page = render();
  expect(page).toMatch(/\| safe driver \(`src\/driver.ts`\) \| \d+ \| 0 \|/);
  const c = /\| C-style driver \(`src\/c\/`\) \| \d+ \| (\d+) \|/.exec(page);
  expect(Number(c?.[1])).toBeGreaterThan(100);
});
