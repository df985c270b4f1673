// Test helpers for the process layer: assemble guest sources with vmlab's
// assembler, install them as executables and boot a kernel around them.
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import { Kernel } from '../../../kernel-ts/kernel';
import type { KernelOptions, RunResult } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { SyscallArgs } from '../../../kernel-ts/syscalls/args';
import { TWO32 } from '../../../emu/machine/cpu/int64';
import { builtinModules } from '../../../emu/cli/builtins';

/** Assembles one source file into ELF bytes (throws with the diagnostics on error). */
export function elfOf(src: string, name = 'prog.s'): Uint8Array {
  const r = assemble([{ path: name, text: src }]);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return writeElf(r.image);
}

export interface Booted {
  k: Kernel;
  out: () => string;
  err: () => string;
  /** Frames in use right after boot (the baseline end-to-end tests return to). */
  baseline: number;
}

/** A kernel with stdout/stderr captured, no ASLR unless asked, 64 MiB of RAM. */
export function bootKernel(opts: KernelOptions = {}): Booted {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const k = Kernel.boot({
    builtinModules: builtinModules(),
    memSize: 64 << 20,
    aslr: false,
    stdout: (b) => out.push(dec.decode(b)),
    stderr: (b) => err.push(dec.decode(b)),
    ...opts,
  });
  return { k, out: () => out.join(''), err: () => err.join(''), baseline: k.mm.framesInUse() };
}

/** Installs programs (path -> source) and spawns the first path with argv [basename]. */
export function runPrograms(
  progs: Record<string, string>,
  opts: KernelOptions = {},
  argv?: string[],
  envp: string[] = [],
): Booted & { result: RunResult; task: Task } {
  const b = bootKernel(opts);
  for (const [path, src] of Object.entries(progs)) b.k.vfs.addExecutable(path, elfOf(src, path));
  const first = Object.keys(progs)[0]!;
  const t = b.k.spawn(first, argv ?? [first.slice(first.lastIndexOf('/') + 1)], envp);
  if (typeof t === 'number') throw new Error(`spawn ${first}: ${t}`);
  const result = b.k.run();
  return { ...b, result, task: t };
}

/** Frames in use once the page cache has been dropped (end-to-end tests compare it with the baseline). */
export function framesAfter(k: Kernel): number {
  k.mm.dropCaches();
  return k.mm.framesInUse();
}

/** The kernel log without timestamps. */
export function logLines(k: Kernel): string[] {
  return k.printk.all().map((r) => r.text);
}

/** Syscall numbers and constants for test programs (riscv64 Linux). */
export const PRELUDE = `
        .equ SYS_write, 64
        .equ SYS_exit, 93
        .equ SYS_exit_group, 94
        .equ SYS_nanosleep, 101
        .equ SYS_clock_gettime, 113
        .equ SYS_sched_yield, 124
        .equ SYS_kill, 129
        .equ SYS_rt_sigaction, 134
        .equ SYS_rt_sigprocmask, 135
        .equ SYS_getpid, 172
        .equ SYS_getppid, 173
        .equ SYS_clone, 220
        .equ SYS_execve, 221
        .equ SYS_wait4, 260
        .equ SYS_getrandom, 278
        .equ SIGCHLD, 17
        .equ SA_SIGINFO, 4
`;

/** A program: PRELUDE, then `body` as _start's code in .text, then `extra` (data, functions). */
export function prog(body: string, extra = ''): string {
  return `${PRELUDE}
        .text
        .globl _start
_start:
${body}
${extra}
`;
}

// ---- direct syscall checks on a spawned (not yet running) task ---------------

export function spawned(seed = 1): { k: Kernel; t: Task; scratch: number } {
  const b = bootKernel({ seed });
  b.k.vfs.addExecutable('/bin/p', elfOf(prog('        li a7, 93\n        ecall')));
  const t = b.k.spawn('/bin/p', ['p'], []);
  if (typeof t === 'number') throw new Error(String(t));
  return { k: b.k, t, scratch: Math.floor(t.reg(2) / 4096) * 4096 - 4096 };
}

export function call(k: Kernel, t: Task, nr: number, ...args: number[]): number {
  const a = new SyscallArgs();
  args.forEach((v, i) => {
    a.half[2 * i] = v | 0;
    a.half[2 * i + 1] = Math.floor(v / TWO32) | 0;
  });
  return k.syscalls[nr]!(k, t, a);
}

export function put(k: Kernel, t: Task, addr: number, words: bigint[]): void {
  const b = new Uint8Array(8 * words.length);
  words.forEach((w, i) => new DataView(b.buffer).setBigUint64(8 * i, BigInt.asUintN(64, w), true));
  if (k.mm.copyToUser(t.mm!, addr, b) !== 0) throw new Error(`cannot write ${addr.toString(16)}`);
}

export function get(k: Kernel, t: Task, addr: number, n: number): bigint[] {
  const b = k.mm.copyFromUser(t.mm!, addr, 8 * n);
  if (typeof b === 'number') throw new Error(String(b));
  return Array.from({ length: n }, (_, i) => new DataView(b.buffer, b.byteOffset).getBigUint64(8 * i, true));
}

