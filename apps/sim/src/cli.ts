/**
 * `rfl-sim`: boot the simulated machine and use it.
 *
 * ```text
 * rfl-sim demo                 the default machine and its demo session (pnpm start)
 * rfl-sim run '<commands>'     run commands in the sim shell; exit with their status
 * rfl-sim shell                an interactive shell (exit or end of input leaves)
 * ```
 *
 * @module
 */

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';
import { bootMachine, type TerminalIO } from './machine/boot.js';
import { MachineStuck } from './machine/idle.js';
import { kernelPlatform } from './machine/kernel-platform.js';
import { runScript, ShellSession } from './machine/machine.js';

const USAGE = `usage: rfl-sim [--seed N] <command> [args]

commands:
  demo              boot the default machine and run the demo session
  run '<commands>'  boot, run the commands in the sim shell, print their output and
                    exit with the status of the last one
  shell             boot and start an interactive shell (leave with exit or Ctrl-D)

options:
  --seed N          seed of the machine's random numbers (default 0): two runs with the
                    same seed print the same bytes
  -h, --help        show this help
`;

class UsageError extends Error {}

const io: TerminalIO = {
  stdout: (bytes) => process.stdout.write(bytes),
  stderr: (bytes) => process.stderr.write(bytes),
  tty: process.stdout.isTTY === true,
};

// A reader that goes away (`rfl-sim run … | head -1`) ends the output, not the process.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const OPTIONS = { seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function parseOrThrow(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parse(argv: string[]): { command: string; args: string[]; seed: number } | 'help' {
  const parsed = parseOrThrow(argv);
  if (parsed.values.help) return 'help';
  const [command, ...args] = parsed.positionals;
  if (command === undefined) throw new UsageError('no command given');
  const seedText = parsed.values.seed ?? '0';
  if (!/^\d+$/.test(seedText))
    throw new UsageError(`--seed takes a non-negative integer, not '${seedText}'`);
  return { command, args, seed: Number(seedText) };
}

async function interactive(seed: number): Promise<number> {
  const platform = await bootMachine({ seed, io, console: true }, kernelPlatform);
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
  rl.setPrompt('# ');
  let session = new ShellSession(platform);
  let running = false;
  // Ctrl-C interrupts the running commands, or drops the line being typed.
  rl.on('SIGINT', () => {
    if (running) {
      process.stdout.write('^C\n');
      session.interrupt();
      return;
    }
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    process.stdout.write('^C\n');
    rl.prompt();
  });
  if (tty) rl.prompt();
  for await (const line of rl) {
    running = true;
    const result = await session.line(line);
    running = false;
    if (result.signal !== undefined) {
      // As init would respawn a login shell the kernel killed.
      process.stderr.write(
        `rfl-sim: the shell was killed by signal ${result.signal}; starting a new one\n`,
      );
      session = new ShellSession(platform);
    } else if (result.exit) {
      rl.close();
      return result.status;
    }
    if (tty) rl.prompt();
  }
  return session.close();
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (args.command) {
    case 'demo':
      if (args.args.length > 0) throw new UsageError('demo takes no arguments');
      return runDemo((text) => process.stdout.write(text), args.seed);
    case 'run': {
      if (args.args.length !== 1)
        throw new UsageError('run takes one argument: the commands, quoted');
      const platform = await bootMachine({ seed: args.seed, io, console: true }, kernelPlatform);
      return runScript(platform, args.args[0]!);
    }
    case 'shell':
      if (args.args.length > 0) throw new UsageError('shell takes no arguments');
      return interactive(args.seed);
    default:
      throw new UsageError(`unknown command '${args.command}'`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`rfl-sim: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (err instanceof MachineStuck) {
    process.stderr.write(`rfl-sim: the machine is stuck: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    throw err;
  }
}

// The machine is done; device models in worker threads would keep node alive. Exit once
// what was written has reached the host.
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();
