// What the fuzzers found that was fixed here, each as its minimal case
// (the findings others fix are listed, with their predicates, in the
// targets' `known` lists; `npm run fuzz -- --list` prints them).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { readElf } from '../../asm/elf-read';
import { Access } from '../../emu/machine/trap';
import { checkVm } from '../../kernel-ts/mm/check';
import { MADV_DONTFORK, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../kernel-ts/mm/mmap';
import type { MmStruct } from '../../kernel-ts/mm/mm-struct';
import { boot, newMm, touch } from '../kernel-ts/mm/helpers';
import { bootDebugger, fingerprint, firstDifference } from '../support/debugger';
import { guestAsm, runGuest } from '../support/kernel';

describe('fuzz findings, fixed', () => {
  it('elf-read takes back a vmlab executable with an absolute symbol beyond 2^53, leaving that symbol out', () => {
    // asm target, seed 1: `.equ` of 1 << 63 was written as st_value 0x8000000000000000, and
    // elf-read rejected the whole file ("st_value ... is too large"), so disasm and debug refused it.
    const r = assemble([{ path: 'big.s', text: '.globl _start\n_start: nop\n.equ big, 0x8000000000000000\n.equ small, -22\n.globl big, small\n' }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const back = readElf(writeElf(r.image));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const names = back.elf.symbols.map((s) => `${s.name}=${s.value}`);
    expect(names).toContain('small=-22');
    expect(names.some((n) => n.startsWith('big='))).toBe(false);
  });

  it('elf-read still rejects a section symbol beyond 2^53: that is a corrupt file', () => {
    const r = assemble([{ path: 'x.s', text: '.globl _start\n_start: nop\n' }]);
    if (!r.ok) throw new Error('assembly failed');
    const elf = writeElf(r.image);
    const e = readElf(elf);
    if (!e.ok) throw new Error(e.error);
    const symtab = e.elf.sections.find((s) => s.name === '.symtab')!;
    const start = e.elf.symbols.findIndex((s) => s.name === '_start') + 1; // + the null symbol
    const at = symtab.offset + 24 * start + 8 + 7; // st_value's top byte
    elf[at] = 0x80;
    const bad = readElf(elf);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^not an ELF64 RISC-V executable: .*st_value 0x80000000000[0-9a-f]+, beyond any address$/);
  });

  it('fork counts the child\'s RSS from the pages it copies: a MADV_DONTFORK page is not one', () => {
    // syscalls target, seed 2 (13 cases in 10,000): getrandom into the buffer, madvise(buf, 1, MADV_DONTFORK),
    // fork -> "rss: mm N counts anon 18 pages, its tables map 17". dup_mmap copied the parent's counters.
    const b = boot({ memSize: 16 << 20 });
    const mm = newMm(b.kmm);
    const a = b.kmm.doMmap(mm, 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    touch(b, mm, a, Access.Write);
    touch(b, mm, a + 4096, Access.Write);
    expect(b.kmm.doMadvise(mm, a, 4096, MADV_DONTFORK)).toBe(0);
    const child = b.kmm.dupMmap(mm) as MmStruct;
    expect([mm.rssAnon, child.rssAnon]).toEqual([2, 1]);
    expect(checkVm(b.kmm, [mm, child])).toEqual([]);
  });

  it('a recorded position reached again finds the CPU as before, however the run before it ended', async () => {
    // debugger target, seed 3 case 137: after a trap the CPU kept the last fetch page's fields (dead: fcEpoch -1),
    // so arriving at position 395 by reverse-continue showed other fcBase/fcPageLo than the first pass.
    const { d } = bootDebugger('tt.s');
    const seen = new Map<number, string>();
    const diffs: string[] = [];
    for (const cmd of ['break main', 'run', 'record', 'catch invlpg', 'continue', 'until printf', 'reverse-continue']) {
      await d.execute(cmd);
      if (d.s.exited !== null || d.s.recorder === null) continue;
      const fp = fingerprint(d.s.k);
      const was = seen.get(d.s.pos());
      if (was === undefined) seen.set(d.s.pos(), fp);
      else diffs.push(firstDifference(fp, was));
    }
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.filter((x) => x !== '')).toEqual([]);
  });

  it('openat drops the flag bits Linux does not know, so F_GETFL answers a flags word, not a negative number', () => {
    // syscalls target, seed 4 case 10913: openat(.., flags 0xab1859c0964c473b) kept bit 31, and fcntl(F_GETFL) returned -1773910981.
    const prog = guestAsm('getfl', `.globl _start
_start:
  li a0, -100
  la a1, path
  li a2, 0x80000042        # O_RDWR | O_CREAT | bit 31
  li a3, 0644
  li a7, 56
  ecall
  li a1, 3                 # F_GETFL
  li a7, 25
  ecall
  bgez a0, 1f
  li a0, 255               # a negative answer
1:
  li a7, 94
  ecall
  .data
path: .asciz "/tmp/a"
`);
    expect(runGuest(prog).exitCode).toBe(2); // O_RDWR: O_CREAT is not kept in f_flags either
  });
});
