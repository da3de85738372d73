/**
 * Runs shell scripts on a {@link FakeSys} with a few devices, for the shell's unit tests.
 *
 * @module
 */

import { BUG, sim_spawn } from '@rfl/kernel';
import { BUILTINS, COMMANDS } from '../commands/index.js';
import { Shell } from '../shell/exec.js';
import { FakeSys } from './fake-sys.js';

const decoder = new TextDecoder();

/** Runs a script on a fresh fake machine; returns what it printed and its status. */
export async function sh(
  script: string,
  options: { tty?: boolean } = {},
): Promise<{ out: string; err: string; status: number }> {
  const sys = new FakeSys();
  let out = '';
  let err = '';
  sys.mkdirp('/dev');
  sys.mkdirp('/tmp');
  sys.addDevice('/dev/null', 1, 3, { read: () => 0, write: (d) => d.length });
  sys.addDevice('/dev/zero', 1, 5, {
    read: (buf) => {
      buf.fill(0);
      return buf.length;
    },
  });
  sys.addDevice('/dev/buggy', 10, 60, {
    read: () => {
      BUG();
      return 0;
    },
  });
  sys.addDevice('/dev/out', 5, 1, {
    tty: options.tty ?? false,
    write: (d) => {
      out += decoder.decode(d);
      return d.length;
    },
  });
  sys.addDevice('/dev/err', 5, 2, {
    write: (d) => {
      err += decoder.decode(d);
      return d.length;
    },
  });
  const task = sim_spawn('sh', async () => {
    sys.attachStdio(['/dev/null', '/dev/out', '/dev/err']);
    const shell = new Shell({ sys, commands: COMMANDS, builtins: BUILTINS });
    return (await shell.run(script)).status;
  });
  const status = await task.exited;
  return { out, err, status };
}
