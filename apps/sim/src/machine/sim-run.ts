/**
 * `rfl-sim run` as a function: boot the default machine, run a script in its shell, and
 * return the status and what was printed.
 *
 * @module
 */

import { bootMachine } from './boot.js';
import { kernelPlatform } from './kernel-platform.js';
import { runScript, type SimRunResult } from './machine.js';

/**
 * Boots the default machine with `seed`, runs `script` in a new shell and returns its
 * exit status and output.
 *
 * @example
 * ```ts
 * import { simRun } from '@rfl/sim';
 * const r = await simRun('echo hi > /tmp/a; cat /tmp/a | cat; cat /nope');
 * r // => { status: 1, stdout: 'hi\n', stderr: 'cat: /nope: No such file or directory\n' }
 * ```
 */
export async function simRun(
  script: string,
  options: { seed?: number } = {},
): Promise<SimRunResult> {
  const decoder = new TextDecoder();
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (b: Uint8Array) => {
      stdout += decoder.decode(b, { stream: true });
    },
    stderr: (b: Uint8Array) => {
      stderr += decoder.decode(b, { stream: true });
    },
  };
  const platform = await bootMachine({ seed: options.seed ?? 0, io }, kernelPlatform);
  const status = await runScript(platform, script);
  return { status, stdout, stderr };
}
