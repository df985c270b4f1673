// `vmlab demo` (what `npm start` runs): the tour of what exists so far.
// Assembles a sample program, disassembles it, runs it at CPL 3 with 4-level
// paging on, then shows what the MMU did: TLB statistics, the page walk for
// one of its addresses, and the page fault a stray write would raise,
// explained level by level. (Once the kernel lands, the demo becomes the
// memview2 experiment.)
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { LinkedImage } from '../../asm/image';
import { disassembleElf } from '../../asm/disasm-listing';
import { readElf } from '../../asm/elf-read';
import { writeElf } from '../../asm/elf-write';
import { Stop } from '../machine/cpu/cpu';
import type { Machine } from '../machine/machine';
import { formatProbe } from '../machine/mmu/explain';
import type { TlbStats } from '../machine/mmu/tlb';
import { Access, TRAP_STATE } from '../machine/trap';
import { bootBare } from './bare';
import { UserError } from './errors';
import { guestProgramsDir } from './paths';

const SYS_WRITE = 64n;
const SYS_EXIT = 93n;
const SYS_EXIT_GROUP = 94n;
const MAX_INSNS = 10_000_000;

const heading = (n: number, text: string): string => `\n== ${n}. ${text} ==\n`;
const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

function assembleSample(): { image: LinkedImage; path: string } {
  const path = join(guestProgramsDir('samples'), 'hello.s');
  const r = assemble([{ path: relative(process.cwd(), path) || path, text: readFileSync(path, 'utf8') }]);
  if (!r.ok) throw new UserError(`cannot assemble ${path}:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return { image: r.image, path };
}

/** The first `max` instruction lines of `objdump -d`-style output for the image, as `vmlab disasm` prints it. */
function listing(image: LinkedImage, max: number): string {
  const elf = readElf(writeElf(image));
  if (!elf.ok) throw new UserError(`demo: ${elf.error}`);
  const lines = disassembleElf(elf.elf, 'hello').split('\n');
  const first = lines.findIndex((l) => l.endsWith('<_start>:'));
  return lines.slice(first, first + 1 + max).join('\n');
}

/** Reads a user byte with the side-effect-free probe (no A/D bits, no TLB fill), as a debugger peeks. */
function peekUser(m: Machine, va: number): number {
  const r = m.mmu.probe(va | 0, Math.floor(va / 2 ** 32) | 0, Access.Read, 3);
  if (r.kind !== 'ok') throw new UserError(`demo: write(2) buffer at ${hex(va)} is not readable`);
  return m.mem.read8(r.pa);
}

/** Runs to exit, servicing write and exit_group itself (there is no kernel yet). */
function runToExit(m: Machine, out: (s: string) => void): number {
  for (;;) {
    const stop = m.run(MAX_INSNS);
    if (stop === Stop.Budget) throw new UserError('demo: the program ran too long');
    if (stop === Stop.Trap) throw new UserError(`demo: trap vector ${TRAP_STATE.vector} error ${hex(TRAP_STATE.error)} at pc ${hex(m.cpu.pc)}`);
    const nr = m.cpu.reg(17);
    if (nr === SYS_EXIT || nr === SYS_EXIT_GROUP) return Number(m.cpu.reg(10) & 0xffn);
    if (nr !== SYS_WRITE) throw new UserError(`demo: unexpected system call ${nr}`);
    const buf = Number(m.cpu.reg(11));
    const len = Number(m.cpu.reg(12));
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(peekUser(m, buf + i));
    out(s);
    m.cpu.setReg(10, BigInt(len));
    m.cpu.advancePc(4);
  }
}

function tlbLine(name: string, s: TlbStats): string {
  return `  ${name}: ${s.lookups} lookups, ${s.hits} hits, ${s.misses} misses, ${s.walks} walks, ${s.ptReads} paging-structure reads`;
}

export function demo(write: (s: string) => void): void {
  const { image, path } = assembleSample();
  write(heading(1, `Assemble ${relative(process.cwd(), path) || path}`));
  for (const s of image.sections) write(`  ${s.name.padEnd(8)} ${hex(s.addr).padStart(8)}  ${String(s.size).padStart(5)} bytes  ${s.perms === 'rx' ? 'r-x' : 'rw-'}\n`);
  write(`  entry ${hex(image.entry)} (_start)\n`);

  write(heading(2, 'Disassemble the start of .text (objdump -d style)'));
  write(`${listing(image, 14)}\n   ...\n`);

  write(heading(3, 'Run it: 4-level paging, 4K user pages, CPL 3'));
  const { m } = bootBare(image);
  let output = '';
  const status = runToExit(m, (s) => (output += s));
  write(`${output.replace(/\n$/, '').replace(/^/gm, '  | ')}\n`);
  write(`  exit status ${status} after ${m.cpu.instret} instructions\n`);

  write(heading(4, 'What the MMU did'));
  const st = m.mmu.stats();
  write(`${tlbLine('ITLB', st.itlb)}\n${tlbLine('DTLB', st.dtlb)}\n`);
  const msg = image.symbols.find((s) => s.name === 'msg')!;
  write(`\n  The walk for a user read of msg (${hex(msg.value)}, in .rodata):\n`);
  write(formatProbe(m.mmu.probe(msg.value | 0, 0, Access.Read, 3)).replace(/^/gm, '    ') + '\n');
  write(`\n  And what a user write to it would raise:\n`);
  write(formatProbe(m.mmu.probe(msg.value | 0, 0, Access.Write, 3)).replace(/^/gm, '    ') + '\n');
  write(`\nNext: 'vmlab asm', 'vmlab disasm', 'vmlab conform', 'vmlab bench' (see README.md).\n`);
}

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'The main demo: assemble, disassemble and run a sample program, then show the TLB and a page walk',
  handler: () => demo((s) => process.stdout.write(s)),
};
