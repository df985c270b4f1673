// Placeholder until the disasm command lands.
import type { CommandModule } from 'yargs';

export const disasmCommand: CommandModule = {
  command: 'disasm',
  describe: '(disasm: not built yet)',
  handler: () => {
    process.stderr.write('vmlab disasm: not built yet\n');
    process.exit(1);
  },
};
