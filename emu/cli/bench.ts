// Placeholder until the bench command lands.
import type { CommandModule } from 'yargs';

export const benchCommand: CommandModule = {
  command: 'bench',
  describe: '(bench: not built yet)',
  handler: () => {
    process.stderr.write('vmlab bench: not built yet\n');
    process.exit(1);
  },
};
