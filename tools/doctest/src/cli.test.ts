import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/rfl-doctest.js', import.meta.url));
const FIXTURES = 'tools/doctest/fixtures';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Result {
  name: string;
  status: string;
  location: string;
  failure?: { location: string; message: string };
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

describe('rfl-doctest run on the fixtures', () => {
  let results: Map<string, Result>;
  let report: { passed: number; failed: number; skipped: number };
  let code: number;

  beforeAll(async () => {
    const out = await cli('run', FIXTURES, '--reporter', 'json', '--timeout', '4000');
    code = out.code;
    report = JSON.parse(out.stdout);
    results = new Map(
      (report as unknown as { tests: Result[] }).tests.map((t) => [
        t.name.replace(`${FIXTURES}/`, ''),
        t,
      ]),
    );
  }, 120_000);

  it('exits 1 and counts every example', () => {
    expect(code).toBe(1);
    expect(report).toMatchObject({ passed: 13, failed: 13, skipped: 1 });
  });

  it('passes every attribute that should pass, hidden lines included', () => {
    const passing = [...results.entries()].filter(([name]) => name.startsWith('passing.md'));
    expect(passing.map(([name, r]) => [name, r.status])).toEqual([
      ['passing.md - Passing examples (line 5)', 'passed'],
      ['passing.md - Top-level await (line 14)', 'passed'],
      ['passing.md - Escaped hash (line 21)', 'passed'],
      ['passing.md - Escaped hash (line 27)', 'skipped'],
      ['passing.md - Escaped hash (line 31)', 'passed'],
      ['passing.md - Escaped hash (line 36)', 'passed'],
      ['passing.md - Escaped hash (line 40)', 'passed'],
      ['passing.md - Escaped hash (line 47)', 'passed'],
      ['passing.md - Escaped hash (line 52)', 'passed'],
      ['passing.md - Escaped hash (line 56)', 'passed'],
      ['passing.md - custom name (line 63)', 'passed'],
      ['passing.md - Expected values are syntax (line 73)', 'passed'],
    ]);
  });

  it.each([
    ['Thrown error (line 7)', 'failing.md:9:7', 'example threw Error: boom'],
    [
      'Failed assertion (line 14)',
      'failing.md:17:3',
      'expected value mismatch\n  actual:   2\n  expected: 3',
    ],
    [
      'Type error (line 22)',
      'failing.md:24:7',
      "error TS2322: Type 'number' is not assignable to type 'string'.",
    ],
    [
      'Compile-fail that compiles (line 29)',
      'failing.md:29:1',
      'compile_fail example compiled without errors',
    ],
    [
      'Compile-fail with the wrong code (line 35)',
      'failing.md:36:7',
      'compile_fail expected error TS2345, got:',
    ],
    [
      'Should-throw that returns (line 41)',
      'failing.md:41:1',
      'should_throw example completed without throwing',
    ],
    [
      'Should-throw with the wrong errno (line 47)',
      'failing.md:48:25',
      'should_throw=ENOMEM, but the example threw Error: no device (code ENODEV)',
    ],
    [
      'Should-throw with the wrong text (line 54)',
      'failing.md:55:7',
      'should_throw="out of memory", but the example threw Error: no such device',
    ],
    ['Timeout (line 60)', 'failing.md:60:1', 'example timed out after 4000 ms'],
    ['Unknown attribute (line 66)', 'failing.md:66:1', 'unknown doctest attribute no-run'],
    ['Thrown from a callee (line 72)', 'failing.md:74:9', 'example threw RangeError: deep'],
  ])('reports %s at %s', (item, location, message) => {
    const result = results.get(`failing.md - ${item}`);
    expect(result?.status).toBe('failed');
    expect(result?.failure?.location).toBe(`${FIXTURES}/${location}`);
    expect(result?.failure?.message).toContain(message);
  });

  it('reports TSDoc examples under their symbol, at the source line', () => {
    expect(results.get('tsdoc.ts - add (line 5)')?.status).toBe('passed');
    expect(results.get('tsdoc.ts - add (line 11)')?.failure?.location).toBe(
      `${FIXTURES}/tsdoc.ts:13:4`,
    );
    expect(results.get('tsdoc.ts - Counter.increment (line 25)')?.failure?.location).toBe(
      `${FIXTURES}/tsdoc.ts:27:16`,
    );
    expect(results.get('tsdoc.ts - LIMIT (line 35)')?.status).toBe('passed');
  });
});

describe('rfl-doctest run --reporter ktap', () => {
  it('prints KTAP v1 with a location line per test, as KUnit does', async () => {
    const { stdout, code } = await cli('run', `${FIXTURES}/tsdoc.ts`, '--reporter', 'ktap');
    expect(code).toBe(1);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'KTAP version 1',
      '1..4',
      `# ${FIXTURES}/tsdoc.ts - add (line 5).location: ${FIXTURES}/tsdoc.ts:5`,
      `ok 1 ${FIXTURES}/tsdoc.ts - add (line 5)`,
      `# ${FIXTURES}/tsdoc.ts - add (line 11).location: ${FIXTURES}/tsdoc.ts:11`,
    ]);
    expect(stdout).toContain(`# ${FIXTURES}/tsdoc.ts:13:4: expected value mismatch\n`);
    expect(stdout).toContain(`not ok 2 ${FIXTURES}/tsdoc.ts - add (line 11)\n`);
    expect(stdout).toContain(`ok 4 ${FIXTURES}/tsdoc.ts - LIMIT (line 35)\n`);
  }, 60_000);

  it('exits 0 when every example passes', async () => {
    const { stdout, code } = await cli('run', `${FIXTURES}/passing.md`, '--reporter', 'ktap');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `ok 4 ${FIXTURES}/passing.md - Escaped hash (line 27) # SKIP ignore\n`,
    );
    expect(stdout).not.toContain('not ok');
  }, 60_000);
});

describe('rfl-doctest list and usage', () => {
  it('prints the extraction manifest as JSON', async () => {
    const { stdout, code } = await cli('list', '--json', `${FIXTURES}/tsdoc.ts`);
    expect(code).toBe(0);
    const manifest = JSON.parse(stdout);
    expect(manifest).toHaveLength(4);
    expect(manifest[0]).toEqual({
      file: `${FIXTURES}/tsdoc.ts`,
      line: 5,
      item: 'add',
      name: `${FIXTURES}/tsdoc.ts - add (line 5)`,
      attributes: {
        ignore: false,
        noRun: false,
        shouldThrow: false,
        compileFail: false,
        unknown: [],
      },
      code: '# const a = 1;\na + 1 // => 2',
    });
    expect(manifest[3].attributes.shouldThrow).toBe(true);
  });

  it('exits 2 with the usage on a bad reporter or a missing path', async () => {
    const bad = await cli('run', '--reporter', 'tap');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'rfl-doctest: --reporter: expected default, ktap or json, not tap',
    );
    const missing = await cli('list', 'no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rfl-doctest: no/such/dir: no such file or directory');
  });
});
