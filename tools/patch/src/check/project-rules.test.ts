import { describe, expect, it } from 'vitest';
import { checkPatch } from './engine.js';
import { formatReport } from './output.js';

function diff(file: string, line: string): string {
  return `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1,2 @@\n a\n+${line}\n`;
}
function findings(text: string): string {
  const r = checkPatch(text, { ignore: ['MISSING_SIGN_OFF'] });
  const out = formatReport(r, { showTypes: true, filename: '-', vname: 'Your patch' });
  return out.slice(0, out.indexOf('total: '));
}

describe('the project rules', () => {
  it('PROC_ENTRY: a driver adding a /proc file', () => {
    const text = diff('packages/gpio-pl061/src/stats.ts', "register('/proc/pl061', show);");
    expect(findings(text)).toBe(
      'WARNING:PROC_ENTRY: Drivers should not add /proc entries - use sysfs instead\n' +
        "#6: FILE: packages/gpio-pl061/src/stats.ts:2:\n+register('/proc/pl061', show);\n\n",
    );
    // The kernel itself may describe /proc files.
    expect(findings(diff('packages/kernel/src/mm/meminfo.ts', "const p = '/proc/meminfo';"))).toBe(
      '',
    );
  });

  it('TEST_ONLY_SKIP: .only and .skip left in a test file', () => {
    // Assembled, so that this file does not itself hold a focused test for a search to find.
    const focused = `${'it'}.only('runs alone', () => {});`;
    expect(findings(diff('packages/types/src/a.test.ts', focused))).toBe(
      'ERROR:TEST_ONLY_SKIP: Remove .only/.skip from tests - every test must run\n' +
        `#6: FILE: packages/types/src/a.test.ts:2:\n+${focused}\n\n`,
    );
    expect(findings(diff('packages/types/src/a.ts', 'const it = { only: 1 }; it.only;'))).toBe('');
  });
});
