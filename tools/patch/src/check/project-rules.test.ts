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

describe('the rules for safe drivers and public items', () => {
  function hunk(file: string, lines: string[]): string {
    const body = lines.map((l) => `+${l}`).join('\n');
    return `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1,${lines.length + 1} @@\n a\n${body}\n`;
  }

  it('SAFETY_COMMENT: a raw kernel call in a safe driver needs a justification', () => {
    const file = 'packages/gpio-pl061/src/driver.ts';
    expect(findings(hunk(file, ['const base = ioremap(res.start, 4096);']))).toBe(
      'WARNING:SAFETY_COMMENT: Raw @rfl/kernel call in a safe driver without a // SAFETY: comment\n' +
        `#6: FILE: ${file}:2:\n+const base = ioremap(res.start, 4096);\n\n`,
    );
    expect(findings(hunk(file, ['k.writel(0, base);']))).toContain('SAFETY_COMMENT');
    // Justified on the line or just above, written in camelCase, or in the C-style driver.
    expect(
      findings(
        hunk(file, ['// SAFETY: the region is ours until unbind.', 'const base = ioremap(a, 4);']),
      ),
    ).toBe('');
    expect(findings(hunk(file, ['const base = this.io.readRelaxed(0x400);']))).toBe('');
    expect(findings(hunk('packages/gpio-pl061/src/c/gpio-pl061.ts', ['writel(0, base);']))).toBe(
      '',
    );
    // The rules are for TypeScript: a kernel tree's C driver is checkpatch.pl's alone.
    expect(findings(hunk('drivers/gpio/gpio-pl061.c', ['writel(0, base);']))).toBe('');
    expect(findings(hunk('drivers/gpio/gpio-x.ts', ['writel(0, base);']))).toContain(
      'SAFETY_COMMENT',
    );
    expect(findings(diff('drivers/gpio/gpio-x.c', 'proc_create("x", 0, NULL, &fops);'))).toBe('');
    expect(findings(hunk('packages/sync/src/arc.ts', ['refcount_inc(this.refcount);']))).toBe('');
  });

  it('MISSING_EXAMPLE: an exported function without a doctest, with --strict', () => {
    const strict = (text: string): string => {
      const r = checkPatch(text, { ignore: ['MISSING_SIGN_OFF'], strict: true });
      return r.findings.map((f) => `${f.level}:${f.type}: ${f.message}`).join('\n');
    };
    const file = 'packages/types/src/either.ts';
    expect(strict(hunk(file, ['/** Picks one. */', 'export function pick(): number {']))).toBe(
      "CHECK:MISSING_EXAMPLE: Public item 'pick' has no TSDoc @example",
    );
    expect(strict(hunk(file, ['export class Left {}']))).toBe(
      "CHECK:MISSING_EXAMPLE: Public item 'Left' has no TSDoc @example",
    );
    const documented = [
      '/**',
      ' * Picks one.',
      ' * @example',
      ' * ```ts',
      ' * pick() // => 1',
      ' * ```',
      ' */',
    ];
    expect(strict(hunk(file, [...documented, 'export function pick(): number {']))).toBe('');
    // Not reported without --strict, nor in tests.
    expect(findings(hunk(file, ['export function pick(): number {']))).toBe('');
    expect(strict(hunk('packages/types/src/either.test.ts', ['export function helper() {}']))).toBe(
      '',
    );
  });
});
