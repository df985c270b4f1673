// Placeholder until the asm command lands.
import type { CommandModule } from 'yargs';

export const asmCommand: CommandModule = {
  command: 'asm',
  describe: '(asm: not built yet)',
  handler: () => {
    process.stderr.write('vmlab asm: not built yet\n');
    process.exit(1);
  },
};
