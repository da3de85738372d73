import { doctestProject } from '@rfl/doctest/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,tools,apps}/*/{src,samples}/**/*.test.ts'],
        },
      },
      doctestProject(),
    ],
  },
});
