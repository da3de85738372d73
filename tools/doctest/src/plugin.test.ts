import { describe, expect, it } from 'vitest';
import { packagesOf } from './plugin.js';

describe('packagesOf', () => {
  it('lists the packages an example loads, not relative or type-only imports', () => {
    const code = [
      "import { kmalloc, GFP_KERNEL } from '@rfl/kernel';",
      "import type { KBox } from '@rfl/alloc';",
      'import {',
      '  Arc,',
      '  SpinLock,',
      "} from '@rfl/sync';",
      "import './side-effect.js';",
      "import 'node:assert';",
      "export { x } from '@rfl/types';",
      'const s = \'import from "nowhere"\';',
      "import { again } from '@rfl/kernel';",
    ].join('\n');
    expect(packagesOf(code)).toEqual(['@rfl/kernel', '@rfl/sync', 'node:assert', '@rfl/types']);
  });
});
