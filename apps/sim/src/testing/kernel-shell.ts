/**
 * The default machine, booted for a test, with a shell whose every line returns what it
 * printed: `const run = await kernelShell(); await run('ls /dev')`.
 *
 * @module
 */

import { bootMachine } from '../machine/boot.js';
import { kernelPlatform } from '../machine/kernel-platform.js';
import type { Platform } from '../machine/machine.js';
import { ShellSession } from '../machine/machine.js';

/** What one shell line did: its exit status and what it wrote to each stream. */
export interface LineResult {
  status: number;
  out: string;
  err: string;
}

/**
 * Boots the default machine (seed 0) and opens a shell on it. `setup` runs after the boot
 * and before the shell starts, to change the machine (remove a board, add a device).
 */
export async function kernelShell(
  setup?: (platform: Platform) => Promise<void> | void,
): Promise<(line: string) => Promise<LineResult>> {
  const decoder = new TextDecoder();
  const io = { out: '', err: '' };
  const platform = await bootMachine(
    {
      seed: 0,
      io: {
        stdout: (b: Uint8Array) => {
          io.out += decoder.decode(b);
        },
        stderr: (b: Uint8Array) => {
          io.err += decoder.decode(b);
        },
      },
    },
    kernelPlatform,
  );
  await setup?.(platform);
  const session = new ShellSession(platform);
  return async (line) => {
    io.out = '';
    io.err = '';
    const r = await session.line(line);
    return { status: r.status, out: io.out, err: io.err };
  };
}
