// Placeholder until the conform command lands.
import type { CommandModule } from 'yargs';

export const conformCommand: CommandModule = {
  command: 'conform',
  describe: '(conform: not built yet)',
  handler: () => {
    process.stderr.write('vmlab conform: not built yet\n');
    process.exit(1);
  },
};
