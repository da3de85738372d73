const USAGE = `usage: rfl-sim <command>

commands:
  demo    boot the simulated machine and run the demo session
`;

const [command] = process.argv.slice(2);
if (command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else if (command === 'demo') {
  process.stdout.write(
    'rfl-sim: no machine to boot yet; the simulated kernel arrives with @rfl/kernel.\n',
  );
} else {
  process.stderr.write(USAGE);
  process.exitCode = 2;
}
