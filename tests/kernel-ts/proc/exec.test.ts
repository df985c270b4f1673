import { describe, expect, it } from 'vitest';
import { buildElfTables, AT_EXECFN, AT_NULL, AT_RANDOM } from '../../../kernel-ts/proc/elf-tables';
import { readExecHeader } from '../../../kernel-ts/proc/binfmt';
import { ENOEXEC } from '../../../kernel-ts/errno';
import { bootKernel, elfOf, framesAfter, prog, runPrograms } from './helpers';
import { TWO32 } from '../../../emu/machine/cpu/int64';

const EXIT0 = prog(`        li a0, 0\n        li a7, SYS_exit\n        ecall`);
const TOP = 0x7ffffffff000;

function u64(b: Uint8Array, off: number): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  return dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}

describe('create_elf_tables layout', () => {
  it('places strings, AT_RANDOM and the pointer block as Linux does', () => {
    const random = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const t = buildElfTables({ stackTop: TOP, argv: ['prog', 'a'], envp: ['X=1'], execfn: '/bin/prog', random, aux: [[6, 4096]] });
    // top-8, then "/bin/prog\0" (10), "X=1\0" (4), "a\0" (2), "prog\0" (5), 16 random bytes.
    expect(t.execfnAddr).toBe(TOP - 8 - 10);
    expect(t.envStart).toBe(TOP - 8 - 14);
    expect(t.argStart).toBe(TOP - 8 - 21);
    expect(t.argEnd).toBe(t.envStart);
    expect(t.envEnd).toBe(t.execfnAddr);
    expect(t.randomAddr).toBe(t.argStart - 16);
    // 4 aux pairs (PAGESZ, RANDOM, EXECFN, NULL) = 64 bytes, 6 words, rounded down to 16.
    expect(t.sp).toBe(Math.floor((t.randomAddr - 64 - 48) / 16) * 16);
    const b = t.bytes;
    const at = (addr: number): number => u64(b, addr - t.sp);
    expect(at(t.sp)).toBe(2);
    expect(at(t.sp + 8)).toBe(t.argStart);
    expect(at(t.sp + 16)).toBe(t.argStart + 5);
    expect(at(t.sp + 24)).toBe(0);
    expect(at(t.sp + 32)).toBe(t.envStart);
    expect(at(t.sp + 40)).toBe(0);
    expect([at(t.sp + 48), at(t.sp + 56)]).toEqual([6, 4096]);
    expect([at(t.sp + 64), at(t.sp + 72)]).toEqual([AT_RANDOM, t.randomAddr]);
    expect([at(t.sp + 80), at(t.sp + 88)]).toEqual([AT_EXECFN, t.execfnAddr]);
    expect([at(t.sp + 96), at(t.sp + 104)]).toEqual([AT_NULL, 0]);
    expect([...b.subarray(t.randomAddr - t.sp, t.randomAddr - t.sp + 16)]).toEqual([...random]);
    expect(new TextDecoder().decode(b.subarray(t.argStart - t.sp, t.execfnAddr - t.sp + 10))).toBe('prog\0a\0X=1\0/bin/prog\0');
  });
});

describe('binfmt: what execve accepts', () => {
  const file = (bytes: Uint8Array) => ({ path: '/x', devMajor: 0, devMinor: 0, ino: 1, size: bytes.length, readPage: (i: number, into: Uint8Array) => { into.fill(0); into.set(bytes.subarray(i * 4096, i * 4096 + 4096)); } });
  it('takes an RV64 ET_EXEC', () => {
    const h = readExecHeader(file(elfOf(EXIT0)));
    expect(typeof h === 'number' ? h : h.entry).toBe(0x10000);
  });
  it('refuses text, a wrong machine and ET_DYN with -ENOEXEC', () => {
    expect(readExecHeader(file(new TextEncoder().encode('#!/bin/sh\necho hi\n'.padEnd(80))))).toBe(-ENOEXEC);
    const wrongMachine = elfOf(EXIT0).slice();
    wrongMachine[18] = 62; // EM_X86_64
    expect(readExecHeader(file(wrongMachine))).toBe(-ENOEXEC);
    const dyn = elfOf(EXIT0).slice();
    dyn[16] = 3; // ET_DYN
    expect(readExecHeader(file(dyn))).toBe(-ENOEXEC);
  });
});

describe('the loaded image (no ASLR)', () => {
  it('has argc, argv, envp and auxv at the exact addresses', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/prog', elfOf(EXIT0));
    const t = b.k.spawn('/bin/prog', ['prog', 'a'], ['X=1']);
    if (typeof t === 'number') throw new Error(String(t));
    const sp = t.reg(2);
    expect(sp % 16).toBe(0);
    expect(t.pc).toBe(0x10000);
    // 17 aux pairs: HWCAP PAGESZ CLKTCK PHDR PHENT PHNUM BASE FLAGS ENTRY UID EUID GID EGID SECURE RANDOM EXECFN NULL.
    const randomAddr = TOP - 8 - 21 - 16;
    expect(sp).toBe(Math.floor((randomAddr - 17 * 16 - 6 * 8) / 16) * 16);
    const mem = b.k.mm.copyFromUser(t.mm!, sp, TOP - sp);
    if (typeof mem === 'number') throw new Error(String(mem));
    const at = (addr: number): number => u64(mem, addr - sp);
    expect(at(sp)).toBe(2);
    const aux: [number, number][] = [];
    for (let p = sp + 48; ; p += 16) {
      aux.push([at(p), at(p + 8)]);
      if (at(p) === 0) break;
    }
    expect(aux).toEqual([
      [16, 0x1100], [6, 4096], [17, 100], [3, 0], [4, 56], [5, 2], [7, 0], [8, 0], [9, 0x10000],
      [11, 1000], [12, 1000], [13, 1000], [14, 1000], [23, 0], [25, randomAddr], [31, TOP - 8 - 10], [0, 0],
    ]);
    expect(t.mm!.startStack).toBe(sp);
    expect(t.mm!.argStart).toBe(TOP - 8 - 21);
    const maps = [...t.mm!.vmas].map((v) => [v.vmStart.toString(16), v.vmEnd.toString(16), v.vmFile?.path ?? v.name]);
    expect(maps).toEqual([
      ['10000', '11000', '/bin/prog'],
      ['7ffff7ffe000', '7ffff7fff000', '[vdso]'],
      [(Math.floor(sp / 4096) * 4096 - 131072).toString(16), '7ffffffff000', '[stack]'],
    ]);
    expect(t.mm!.brk).toBe(0x11000);
    b.k.run();
    expect(framesAfter(b.k)).toBe(b.baseline);
  });

  it('zeroes the bss, including the tail of the last file page', () => {
    const r = runPrograms({
      '/bin/bss': prog(`
        la t0, tail
        ld a0, 0(t0)
        la t0, big
        li t1, 8192
        add t0, t0, t1
        ld t1, 0(t0)
        or a0, a0, t1
        li a7, SYS_exit
        ecall`, `
        .data
        .dword 0x1111
        .bss
tail:   .zero 8
big:    .zero 16384`),
    });
    expect(r.result.status).toBe(0);
  });

  it('spawn answers -ENOENT, -EACCES and -ENOEXEC', () => {
    const b = bootKernel();
    b.k.vfs.addFile('/bin/data', new TextEncoder().encode('hello'), 0o644);
    b.k.vfs.addExecutable('/bin/text', new TextEncoder().encode('#!/bin/sh\n'.padEnd(100)));
    expect(b.k.spawn('/bin/none', ['none'], [])).toBe(-2);
    expect(b.k.spawn('/bin/data', ['data'], [])).toBe(-13);
    expect(b.k.spawn('/bin/text', ['text'], [])).toBe(-8);
    b.k.vfs.addExecutable('/bin/ok', elfOf(EXIT0));
    expect(b.k.spawn('/bin/ok', ['ok', 'x'.repeat(32 * 4096)], [])).toBe(-7); // MAX_ARG_STRLEN
    expect(b.k.spawn('/bin/ok', ['ok'], Array.from({ length: 40 }, () => 'E='.padEnd(60000, 'e')))).toBe(-7); // ARG_MAX
    expect(framesAfter(b.k)).toBe(b.baseline);
  });
});

describe('ASLR', () => {
  const layout = (opts: { aslr: boolean; seed?: number }) => {
    const b = bootKernel(opts);
    b.k.vfs.addExecutable('/bin/prog', elfOf(EXIT0));
    const t = b.k.spawn('/bin/prog', ['prog'], []);
    if (typeof t === 'number') throw new Error(String(t));
    const l = { sp: t.reg(2), mmapBase: t.mm!.mmapBase, brk: t.mm!.brk, vdso: [...t.mm!.vmas][1]!.vmStart };
    b.k.run();
    return l;
  };
  it('is fixed without ASLR, whatever the seed', () => {
    expect(layout({ aslr: false, seed: 1 })).toEqual(layout({ aslr: false, seed: 99 }));
    expect(layout({ aslr: false }).mmapBase).toBe(0x7ffff7fff000);
  });
  it('differs between seeds and repeats for one seed', () => {
    const a = layout({ aslr: true, seed: 1 });
    const b = layout({ aslr: true, seed: 2 });
    expect(layout({ aslr: true, seed: 1 })).toEqual(a);
    expect(a.sp).not.toBe(b.sp);
    expect(a.mmapBase).not.toBe(b.mmapBase);
    expect(a.brk).not.toBe(b.brk);
    // Within Linux's ranges: 22 bits of stack pages, 32 MiB of brk.
    expect(a.sp).toBeGreaterThan(TOP - 2 ** 34 - 65536);
    expect(a.brk - 0x11000).toBeLessThan(0x2000000);
    expect(a.brk % 4096).toBe(0);
  });
});

describe('sharing through the page cache', () => {
  it('two runs of one program map the same text frame; their data pages are private', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/nap', elfOf(prog(`
        la t0, v
        sd sp, 0(t0)            # a private copy of the data page
        la a0, ts
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword 1, 0
v:      .dword 0`)));
    const t1 = b.k.spawn('/bin/nap', ['nap'], []);
    const t2 = b.k.spawn('/bin/nap', ['nap'], []);
    if (typeof t1 === 'number' || typeof t2 === 'number') throw new Error('spawn');
    b.k.runUntil(() => t1.state === 1 && t2.state === 1);
    const text1 = b.k.mm.followPte(t1.mm!, 0x10000);
    const text2 = b.k.mm.followPte(t2.mm!, 0x10000);
    expect(text1.present && text2.present).toBe(true);
    expect(text1.pfn).toBe(text2.pfn);
    const data1 = b.k.mm.followPte(t1.mm!, 0x11000);
    const data2 = b.k.mm.followPte(t2.mm!, 0x11000);
    expect(data1.pfn).not.toBe(data2.pfn);
    expect(data1.writable && data1.dirty).toBe(true);
    b.k.run();
    expect(framesAfter(b.k)).toBe(b.baseline);
  });
});

describe('the stack VMA', () => {
  it('grows down on demand to 1 MiB, and a touch 16 MiB down is a SIGSEGV', () => {
    const grow = runPrograms({
      '/bin/grow': prog(`
        li t1, 256
        li t2, 4096
1:      sub sp, sp, t2
        sd t1, 0(sp)
        addi t1, t1, -1
        bnez t1, 1b
        li a0, 0
        li a7, SYS_exit
        ecall`),
    });
    expect(grow.result.status).toBe(0);
    expect(framesAfter(grow.k)).toBe(grow.baseline);
    const far = runPrograms({ '/bin/far': prog('        li t0, 16 << 20\n        sub sp, sp, t0\n        sd zero, 0(sp)') });
    expect(far.result.status).toBe(11);
  });
});
