// Placeholder until the demo command lands.
import type { CommandModule } from 'yargs';

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: '(demo: not built yet)',
  handler: () => {
    process.stderr.write('vmlab demo: not built yet\n');
    process.exit(1);
  },
};
