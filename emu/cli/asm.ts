// `vmlab asm FILE.s... -o OUT [--text-base N]`: assembles and links the files
// into one static RISC-V ELF executable. Every problem is printed as
// FILE:LINE:COL: error: ... with the source line and a caret; on any error
// the exit status is 1 and no output file is written (a bad --text-base is a
// usage error, status 2).
import { chmodSync, writeFileSync } from 'node:fs';
import { readHostText } from '../../host/files';
import type { CommandModule } from 'yargs';
import { assemble, DEFAULT_TEXT_BASE, formatDiagnostic } from '../../asm/assembler';
import type { SourceFile } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { UserError } from './errors';
import { parseInteger } from './option-values';

interface AsmArgs {
  files: string[];
  output: string;
  textBase?: unknown;
}

const LAYOUT = [
  'Layout: .text at --text-base (default 0x10000), .rodata right after it (both read+execute);',
  '.data on the next 4 KiB page, .bss right after .data (both read+write). Entry point: _start.',
].join('\n');

export const asmCommand: CommandModule<object, AsmArgs> = {
  command: 'asm <files..>',
  describe: 'Assemble and link RISC-V assembly (GNU as syntax, RV64IM) into an ELF executable',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'assembly source files, linked in this order' })
      .option('output', { alias: 'o', type: 'string', default: 'a.out', describe: 'the ELF file to write' })
      .option('text-base', { requiresArg: true, describe: 'address of .text (default 0x10000)' })
      .epilogue(LAYOUT),
  handler: (argv) => {
    process.exitCode = runAsm(argv.files, argv.output, argv.textBase);
  },
};

/** A --text-base value: decimal or 0x hex, 4 KiB aligned, below 2^47 (the user half); else a usage error. */
export function parseTextBase(s: unknown): number {
  if (s === undefined) return DEFAULT_TEXT_BASE;
  return parseInteger('--text-base', s, { min: 0, max: 2 ** 47 - 0x1000, align: 0x1000, expected: 'an address below 2^47, a multiple of 4096 (e.g. 0x10000)' });
}

/** Assembles `paths` into `out`; returns the exit status. */
export function runAsm(paths: string[], out: string, textBase?: unknown): number {
  const base = parseTextBase(textBase);
  const files: SourceFile[] = paths.map((p) => {
    const r = readHostText(p, 'an assembly source');
    if (!r.ok) throw new UserError(`${p}: ${r.reason}`);
    return { path: p, text: r.value };
  });
  const r = assemble(files, { textBase: base });
  if (r.diagnostics.length > 0) process.stderr.write(r.diagnostics.map((d) => formatDiagnostic(d)).join('\n') + '\n');
  if (!r.ok) {
    const n = r.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`vmlab asm: ${n} error${n === 1 ? '' : 's'}; ${out} not written\n`);
    return 1;
  }
  try {
    writeFileSync(out, writeElf(r.image));
    chmodSync(out, 0o755);
  } catch (e) {
    throw new UserError(`${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return 0;
}
