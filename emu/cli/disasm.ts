// `vmlab disasm FILE.elf`: the executable sections of an ELF file listed the
// way `objdump -d` lists them (asm/disasm-listing.ts), optionally with the
// source file:line of each instruction (`-l`, like `objdump -dl`).
import { readHostBytes } from '../../host/files';
import type { CommandModule } from 'yargs';
import { readElf } from '../../asm/elf-read';
import { disassembleElf } from '../../asm/disasm-listing';
import { findLine } from '../../asm/dwarf-line';
import { UserError } from './errors';

interface DisasmArgs {
  file: string;
  lines: boolean;
}

export const disasmCommand: CommandModule<object, DisasmArgs> = {
  command: 'disasm <file>',
  describe: 'Disassemble the code of an ELF file (like objdump -d)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'an ELF64 RISC-V file (vmlab asm output, GNU ld output, ...)' })
      .option('lines', { alias: 'l', type: 'boolean', default: false, describe: 'show the source file:line of each instruction (from .debug_line)' }),
  handler: (argv) => {
    process.stdout.write(disasmFile(argv.file, argv.lines));
  },
};

/** The listing for `path`; a missing or malformed file is a UserError with one line of reason. */
export function disasmFile(path: string, withLines: boolean): string {
  const file = readHostBytes(path, 'an ELF64 RISC-V file');
  if (!file.ok) throw new UserError(`${path}: ${file.reason}`);
  const r = readElf(file.value);
  if (!r.ok) throw new UserError(`${path}: ${r.error}`);
  const listing = disassembleElf(r.elf, path);
  if (!withLines) return listing;
  const debug = r.elf.debugLine;
  if (!debug) return listing;
  if (!debug.ok) throw new UserError(`${path}: ${debug.error}`);
  // Insert `file:line` before the first instruction of each new source line, as objdump -dl does.
  const out: string[] = [];
  let last = '';
  for (const line of listing.split('\n')) {
    const m = /^ *([0-9a-f]+):\t/.exec(line);
    if (m) {
      const row = findLine(debug.tables, parseInt(m[1]!, 16));
      const where = row ? `${row.file}:${row.line}` : '';
      if (where !== '' && where !== last) out.push(where);
      last = where;
    } else if (line.endsWith(':') || line === '') {
      last = '';
    }
    out.push(line);
  }
  return out.join('\n');
}
