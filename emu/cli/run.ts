// Placeholder until the run command lands.
import type { CommandModule } from 'yargs';

export const runCommand: CommandModule = {
  command: 'run',
  describe: '(run: not built yet)',
  handler: () => {
    process.stderr.write('vmlab run: not built yet\n');
    process.exit(1);
  },
};
