// End to end: `vmlab asm` writes the ELF (through writeElf), and the GNU
// tools, qemu and `vmlab disasm` all read it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describePeer } from '../support/peers';
import { vmlab } from '../support/cli';
import { readElf } from '../../asm/elf-read';
import { findLine } from '../../asm/dwarf-line';
import { run, runClean, scratch } from './peer-tools';

const HELLO = join(process.cwd(), 'guest-programs', 'samples', 'hello.s');

describePeer('vmlab asm -> ELF -> GNU tools, qemu, vmlab disasm', ['readelf', 'objdump', 'qemu'], () => {
  const dir = scratch();
  const out = join(dir, 'hello');
  const built = (): string => {
    const r = vmlab(['asm', HELLO, '-o', out]);
    if (r.status !== 0) throw new Error(`vmlab asm failed: ${r.stderr}`);
    return out;
  };

  it('runs under qemu-riscv64 with the exact output and exit status', () => {
    const r = run('qemu', [built()]);
    expect([r.stdout, r.stderr, r.status]).toEqual(['hello, vmlab\n', '', 7]);
  });

  it('is read by readelf -a -W and objdump -d without a warning, with R-X and RW- loads', () => {
    const elf = runClean('readelf', ['-a', '-W', built()]);
    const loads = elf.split('\n').filter((l) => /^\s+LOAD/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(loads.map((l) => l.slice(6).join(' '))).toEqual(['R E 0x1000', 'RW 0x1000']);
    runClean('objdump', ['-d', out]);
  });

  it('disassembles exactly as objdump -d does', () => {
    expect(vmlab(['disasm', built()]).stdout).toBe(runClean('objdump', ['-d', out]));
  });

  it('maps each instruction to its source line (objdump -dl, readelf and vmlab agree)', () => {
    const source = readFileSync(HELLO, 'utf8').split('\n');
    const listing = runClean('objdump', ['-dl', built()]);
    const r = readElf(readFileSync(out));
    if (!r.ok || !r.elf.debugLine?.ok) throw new Error('no line table');
    const tables = r.elf.debugLine.tables;
    let where = 0;
    let checked = 0;
    for (const line of listing.split('\n')) {
      const loc = /^(\S+\.s):(\d+)$/.exec(line);
      if (loc) where = Number(loc[2]);
      const insn = /^ +([0-9a-f]+):\t[0-9a-f]+\s+\t(\S+)/.exec(line);
      if (!insn) continue;
      const addr = parseInt(insn[1]!, 16);
      expect(findLine(tables, addr)?.line, `0x${addr.toString(16)}`).toBe(where);
      // Instructions that are not expansions of a pseudo-instruction name themselves on their line.
      const mnemonic = insn[2]!;
      if (['lbu', 'sb', 'bnez', 'ecall', 'ret', 'ld'].includes(mnemonic)) {
        expect(source[where - 1], `line ${where}`).toMatch(new RegExp(`\\b${mnemonic}\\b`));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });
});
