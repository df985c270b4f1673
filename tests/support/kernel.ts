// Boots a kernel with guest programs, runs one to the end and captures what a
// user would see: stdout, stderr, the exit status and the kernel log. After
// every run it checks that no frame leaked: once the page cache is dropped,
// the frames in use are back to the count right after boot.
//
//   const r = runGuest(guestTest('hello'));
//   expect(r.stdout).toBe('hello, world\n');
//   expect(r.exitCode).toBe(0);
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { SourceFile } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { Kernel } from '../../kernel-ts/kernel';
import type { KernelOptions, RunResult } from '../../kernel-ts/kernel';
import { builtinModules } from '../../emu/cli/builtins';

export const GUEST_TESTS = join(process.cwd(), 'guest-programs', 'tests');
const MiB = 1024 * 1024;
/** Enough for the 64 MiB mmap test with room to spare; small enough to boot fast. */
export const TEST_MEM = 256 * MiB;

/** A program to install as /bin/<name>: its ELF bytes. */
export interface GuestProgram {
  name: string;
  elf: Uint8Array;
}

/** Assembles sources (each a path, or {path, text}) with vmlab's assembler; throws with the diagnostics on failure. */
export function assembleGuest(sources: (string | SourceFile)[]): Uint8Array {
  const files = sources.map((s) => (typeof s === 'string' ? { path: s, text: readFileSync(s, 'utf8') } : s));
  const r = assemble(files);
  if (!r.ok) throw new Error(`assembly failed:\n${r.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  return writeElf(r.image);
}

/** guest-programs/tests/<name>.s, assembled. */
export function guestTest(name: string): GuestProgram {
  return { name, elf: assembleGuest([join(GUEST_TESTS, `${name}.s`)]) };
}

/** A program from assembly text (the file name in diagnostics is NAME.s). */
export function guestAsm(name: string, text: string): GuestProgram {
  return { name, elf: assembleGuest([{ path: `${name}.s`, text }]) };
}

/** A program from an ELF file on the host. */
export function guestElf(path: string, name = basename(path)): GuestProgram {
  return { name, elf: new Uint8Array(readFileSync(path)) };
}

export interface RunOptions {
  /** Arguments after argv[0]. */
  args?: string[];
  env?: string[];
  stdin?: string | Uint8Array;
  /** More programs to install in /bin (for execve). */
  others?: GuestProgram[];
  kernel?: KernelOptions;
  /** Extra setup after boot (add files, register drivers), before the program starts. */
  setup?: (k: Kernel) => void;
  /** Skip the frame-leak check (for runs stopped by --max-insns, say). */
  allowLeaks?: boolean;
}

export interface GuestRun {
  stdout: string;
  stderr: string;
  /** Shell-style: the exit code, or 128 + signal. */
  exitCode: number | null;
  /** The wait status (Linux encoding). */
  status: number | null;
  reason: RunResult['reason'];
  instructions: number;
  dmesg: string;
  k: Kernel;
}

const DEFAULT_ENV = ['PATH=/bin', 'HOME=/', 'TERM=dumb'];

/** Boots, installs the programs, runs `prog` to the end; asserts the frame count returns to the post-boot baseline. */
export function runGuest(prog: GuestProgram, opts: RunOptions = {}): GuestRun {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let stdin: Uint8Array | null = typeof opts.stdin === 'string' ? new TextEncoder().encode(opts.stdin) : (opts.stdin ?? null);
  const k = Kernel.boot({
    builtinModules: builtinModules(),
    memSize: TEST_MEM,
    seed: 1,
    ...opts.kernel,
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
    stdin: () => {
      const chunk = stdin;
      stdin = null;
      return chunk;
    },
  });
  for (const p of [prog, ...(opts.others ?? [])]) k.vfs.addExecutable(`/bin/${p.name}`, p.elf);
  opts.setup?.(k);
  const baseline = k.mm.framesInUse();
  const t = k.spawn(`/bin/${prog.name}`, [prog.name, ...(opts.args ?? [])], opts.env ?? DEFAULT_ENV);
  if (typeof t === 'number') throw new Error(`spawn /bin/${prog.name}: ${t}`);
  const r = k.run();
  const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');
  const run: GuestRun = {
    stdout: text(out),
    stderr: text(err),
    exitCode: r.exitCode,
    status: r.status,
    reason: r.reason,
    instructions: r.instructions,
    dmesg: k.printk.dmesg(),
    k,
  };
  if (!opts.allowLeaks) {
    k.mm.dropCaches(1);
    expect(k.mm.framesInUse(), `frames in use after ${prog.name} exited and caches were dropped`).toBe(baseline);
  }
  return run;
}
