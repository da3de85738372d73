// vite-plugin-doctest over the benchmark corpus: its Markdown examples run as in-source tests.
import { doctest } from 'vite-plugin-doctest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [doctest()],
  test: { include: [], includeSource: ['**/*.md'] },
});
