// An executable with a PT_LOAD below vm.mmap_min_addr. The host's spawn (the
// first exec of `vmlab run`) fails with -EPERM and execFailureText says why;
// a task's execve goes past Linux's point of no return and dies of SIGSEGV,
// with the reason in the kernel log; with the limit lowered, it runs.
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import { execFailureText } from '../../../kernel-ts/proc/execve';
import { findLowSegment, lowSegmentText } from '../../../kernel-ts/proc/exec';
import { readExecHeader } from '../../../kernel-ts/proc/binfmt';
import { showMaps } from '../../../kernel-ts/mm/vma';
import { SIGSEGV } from '../../../kernel-ts/proc/signal-defs';
import { bootKernel, elfOf, framesAfter, logLines, prog } from './helpers';
import { ENOENT, EPERM } from '../../../kernel-ts/errno';

/** A program linked with .text at `base` (vmlab's --text-base): writes "low\n", exits 7. */
function lowElf(base: number): Uint8Array {
  const src = prog(`
        li a0, 1
        la a1, msg
        li a2, 4
        li a7, SYS_write
        ecall
        li a0, 7
        li a7, SYS_exit
        ecall`, `
        .section .rodata
msg:    .ascii "low\\n"`);
  const r = assemble([{ path: 'low.s', text: src }], { textBase: base });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return writeElf(r.image);
}

/** execve("/bin/low", ["low"], NULL); exit 99 if it returns. */
const EXECER = prog(`
        la a0, path
        la a1, argv
        li a2, 0
        li a7, SYS_execve
        ecall
        li a0, 99
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
argv:   .dword name, 0
        .section .rodata
path:   .asciz "/bin/low"
name:   .asciz "low"`);

/** fork; the child execve's /bin/low; the parent exits with the child's wait status (11: killed by SIGSEGV). */
const FORKER = prog(`
        li a0, SIGCHLD
        li a1, 0
        li a7, SYS_clone
        ecall
        beqz a0, child
        addi sp, sp, -16
        li a0, -1
        mv a1, sp
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        lw a0, 0(sp)
        li a7, SYS_exit
        ecall
child:
        la a0, path
        la a1, argv
        li a2, 0
        li a7, SYS_execve
        ecall
        li a0, 99
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
argv:   .dword name, 0
        .section .rodata
path:   .asciz "/bin/low"
name:   .asciz "low"`);

const WHY =
  'segment 01 (LOAD at 0x8000) is below vm.mmap_min_addr (65536): link without -Ttext or above 0x10000, ' +
  'or set vm.mmap_min_addr to 4096 (--mmap-min-addr 4096)';

describe('a segment below vm.mmap_min_addr', () => {
  it('is found in the program headers, with readelf -l\'s segment number', () => {
    const file = (bytes: Uint8Array) => ({ path: '/x', devMajor: 0, devMinor: 0, ino: 1, size: bytes.length, readPage: (i: number, into: Uint8Array) => { into.fill(0); into.set(bytes.subarray(i * 4096, i * 4096 + 4096)); } });
    const hdr = readExecHeader(file(lowElf(0x8000)));
    if (typeof hdr === 'number') throw new Error(String(hdr));
    expect(findLowSegment(hdr, 65536)).toEqual({ index: 1, vaddr: 0x8000, minAddr: 65536 });
    expect(findLowSegment(hdr, 0x8000)).toBeNull();
    expect(findLowSegment(hdr, 0x8001)).toEqual({ index: 1, vaddr: 0x8000, minAddr: 0x8001 });
    // Page 0: only a limit of 0 lets it load, so that is the value offered.
    expect(lowSegmentText({ index: 0, vaddr: 0x98, minAddr: 4096 })).toBe(
      'segment 00 (LOAD at 0x98) is below vm.mmap_min_addr (4096): link without -Ttext or above 0x1000, or set vm.mmap_min_addr to 0 (--mmap-min-addr 0)',
    );
  });

  it('makes the host spawn fail with -EPERM, nothing left behind, and execFailureText says why', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/low', lowElf(0x8000));
    expect(b.k.spawn('/bin/low', ['low'], [])).toBe(-EPERM);
    expect(execFailureText(b.k, '/bin/low', -EPERM)).toBe(WHY);
    expect(execFailureText(b.k, '/bin/low', -ENOENT)).toBeNull();
    expect(execFailureText(b.k, '/bin/none', -EPERM)).toBeNull();
    expect(b.k.tasks.size).toBe(0);
    expect(logLines(b.k).some((l) => l.includes('mmap_min_addr'))).toBe(false);
    expect(framesAfter(b.k)).toBe(b.baseline);
  });

  it('runs once the limit is lowered, at boot or by the sysctl', () => {
    for (const boot of [{ mmapMinAddr: 4096 }, {}]) {
      const b = bootKernel(boot);
      if (boot.mmapMinAddr === undefined) b.k.mm.mmapMinAddr = 0x8000;
      b.k.vfs.addExecutable('/bin/low', lowElf(0x8000));
      const t = b.k.spawn('/bin/low', ['low'], []);
      if (typeof t === 'number') throw new Error(String(t));
      expect(showMaps(t.mm!.vmas)).toMatch(/^00008000-00009000 r-xp 00001000 00:\d\d \d+ +\/bin\/low$/m);
      expect(b.k.run().status).toBe(7 << 8);
      expect(b.out()).toBe('low\n');
      expect(framesAfter(b.k)).toBe(b.baseline);
    }
  });

  it('kills a task whose execve meets it with SIGSEGV, past the point of no return, and logs why', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/execer', elfOf(EXECER));
    b.k.vfs.addExecutable('/bin/low', lowElf(0x8000));
    const t = b.k.spawn('/bin/execer', ['execer'], []);
    if (typeof t === 'number') throw new Error(String(t));
    // What the task is when the SIGSEGV is about to be delivered: the new (empty) image, the new name.
    const seen: string[] = [];
    b.k.onSignalDeliver = (task, signo) => {
      seen.push(`${task.comm} ${signo} [${showMaps(task.mm!.vmas).trim()}]`);
      return false;
    };
    const r = b.k.run();
    expect(r.status).toBe(SIGSEGV);
    expect(r.exitCode).toBe(139);
    expect(seen).toEqual([`low ${SIGSEGV} []`]);
    expect(b.out()).toBe('');
    expect(logLines(b.k).filter((l) => l.includes('mmap_min_addr'))).toEqual([`execer[1]: execve /bin/low: ${WHY}; killed by SIGSEGV`]);
    expect(framesAfter(b.k)).toBe(b.baseline);
  });

  it('shows its parent a child killed by SIGSEGV (wait status 11)', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/forker', elfOf(FORKER));
    b.k.vfs.addExecutable('/bin/low', lowElf(0x8000));
    const t = b.k.spawn('/bin/forker', ['forker'], []);
    if (typeof t === 'number') throw new Error(String(t));
    expect(b.k.run().status).toBe(SIGSEGV << 8);
    expect(logLines(b.k).filter((l) => l.includes('mmap_min_addr'))).toEqual([`forker[2]: execve /bin/low: ${WHY}; killed by SIGSEGV`]);
    expect(framesAfter(b.k)).toBe(b.baseline);
  });
});
