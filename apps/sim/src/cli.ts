import { runDemo } from './demo.js';

const USAGE = `usage: rfl-sim <command>

commands:
  demo    boot the simulated machine and run the demo session
`;

const [command] = process.argv.slice(2);
if (command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else if (command === 'demo') {
  await runDemo((text) => process.stdout.write(text));
} else {
  process.stderr.write(USAGE);
  process.exitCode = 2;
}
