import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simRun } from './sim-run.js';

// The built CLI, as `pnpm exec rfl-sim` runs it (the test run builds first).
const BIN = fileURLToPath(new URL('../../bin/rfl-sim.js', import.meta.url));

const FOX = '\u{1F98A}';

// The default machine loads foxes at boot, so these are the shell lines a user types.
describe('/dev/foxes in rfl-sim', () => {
  it("rfl-sim run 'cat /dev/foxes' prints exactly 200 foxes", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [BIN, 'run', 'cat /dev/foxes'], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: FOX.repeat(200),
      stderr: '',
    });
  });

  it('cat prints exactly 200 foxes, every time', async () => {
    expect(await simRun('cat /dev/foxes; echo; cat /dev/foxes')).toEqual({
      status: 0,
      stdout: `${FOX.repeat(200)}\n${FOX.repeat(200)}`,
      stderr: '',
    });
  });

  it('head -c 8 takes two foxes', async () => {
    const r = await simRun('cat /dev/foxes | head -c 8');
    expect(r).toEqual({ status: 0, stdout: FOX.repeat(2), stderr: '' });
  });

  it('the node is a read-only misc device; a write (root may open it) is EINVAL', async () => {
    const r = await simRun('ls -l /dev/foxes; cat /sys/class/misc/foxes/dev; echo x > /dev/foxes');
    expect(r.stdout).toMatch(
      /^cr--r--r-- 1 root root 10, 2\d\d \w{3} [ \d]\d \d\d:\d\d \/dev\/foxes\n/,
    );
    expect(r.stdout).toMatch(/\n10:2\d\d\n$/);
    expect(r.stderr).toBe('echo: write error: Invalid argument\n');
  });

  it('dd bs=1 copies nothing: a 1-byte read holds no fox, returns 0, and dd takes it for EOF', async () => {
    const r = await simRun('dd if=/dev/foxes of=/tmp/foxes bs=1 count=8; wc -c < /tmp/foxes');
    expect(r.stderr).toMatch(/^0\+0 records in\n0\+0 records out\n0 bytes copied, /);
    expect(r.stdout).toBe('0\n');
    const whole = await simRun('dd if=/dev/foxes bs=4 count=3 status=none');
    expect(whole.stdout).toBe(FOX.repeat(3));
  });

  it('rmmod fails while a file is open and works after close; insmod brings it back', async () => {
    const r = await simRun(
      'rmmod foxes < /dev/foxes; echo $?; rmmod foxes; ls /dev/foxes; insmod foxes; cat /dev/foxes | head -c 4; lsmod | grep foxes',
    );
    expect(r.stderr).toBe(
      "rmmod: ERROR: Module foxes is in use\nls: cannot access '/dev/foxes': No such file or directory\n",
    );
    expect(r.stdout).toBe(`1\n${FOX}foxes                  16384  0\n`);
  });

  it('global=1: one count for every opener', async () => {
    const r = await simRun(
      'rmmod foxes; insmod foxes global=1; dd if=/dev/foxes of=/tmp/a bs=400 count=1 status=none; cat /dev/foxes > /tmp/b; cat /dev/foxes > /tmp/c; wc -c < /tmp/a; wc -c < /tmp/b; wc -c < /tmp/c',
    );
    // dd took 100 foxes, the first cat the other 100, and the second cat found none left.
    expect(r).toEqual({ status: 0, stdout: '400\n400\n0\n', stderr: '' });
  });

  it('two cats running at once (a pipeline) print 200 foxes between them with global=1, 400 without', async () => {
    const r = await simRun(
      'cat /dev/foxes | cat - /dev/foxes | wc -c; rmmod foxes; insmod foxes global=1; cat /dev/foxes | cat - /dev/foxes | wc -c',
    );
    expect(r).toEqual({ status: 0, stdout: '1600\n800\n', stderr: '' });
  });
});
