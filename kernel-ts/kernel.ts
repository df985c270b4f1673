// The kernel object (skeleton; the run loop and dispatch land next).
import { Machine } from '../emu/machine/machine';
import type { TlbConfig } from '../emu/machine/mmu/tlb';
import { Printk } from './printk';
import { Trace } from './trace';
import type { KernelMm, Vfs } from './proc/deps';
import type { Task } from './proc/task';

export interface KernelOptions {
  /** Guest RAM in bytes; default 1 GiB. */
  memSize?: number;
  paging?: 4 | 5;
  tlb?: TlbConfig | 'none';
  /** Randomize stack, mmap base and brk (Linux's randomize_va_space = 2). Default true. */
  aslr?: boolean;
  /** Seed of every random choice (ASLR, AT_RANDOM, getrandom). Default 1. */
  seed?: number;
  /** Stop after this many guest instructions (all tasks are killed). */
  maxInsns?: number;
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  stdin?: () => Uint8Array | null;
}

export interface RunResult {
  /** Why run() returned. */
  reason: 'exited' | 'maxInsns';
  /** The first process's wait status (Linux encoding), or null if it never exited. */
  status: number | null;
  /** Shell-style exit code of the first process: code, or 128 + signal. */
  exitCode: number | null;
  instructions: number;
}

export class Kernel {
  readonly machine: Machine;
  mm!: KernelMm;
  vfs!: Vfs;
  readonly printk: Printk;
  readonly trace: Trace;
  readonly tasks = new Map<number, Task>();
  current: Task | null = null;
  readonly opts: Required<Pick<KernelOptions, 'memSize' | 'paging' | 'aslr' | 'seed'>> & KernelOptions;

  private constructor(opts: KernelOptions) {
    this.opts = { memSize: 1 << 30, paging: 4, aslr: true, seed: 1, ...opts };
    this.machine = new Machine({ memSize: this.opts.memSize, tlb: opts.tlb });
    this.printk = new Printk(() => this.clockNs());
    this.trace = new Trace(() => this.clockNs(), () => (this.current ? { comm: this.current.comm, pid: this.current.pid } : null));
  }

  static boot(opts: KernelOptions = {}): Kernel {
    return new Kernel(opts);
  }

  /** Nanoseconds since boot: one retired instruction is one nanosecond. */
  clockNs(): number {
    return this.machine.cpu.instret;
  }

  spawn(_path: string, _argv: string[], _envp: string[]): Task | number {
    throw new Error('not yet');
  }

  run(): RunResult {
    throw new Error('not yet');
  }

  kill(_pid: number, _sig: number): number {
    throw new Error('not yet');
  }
}
