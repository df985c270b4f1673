// The page's stop conditions while a command runs: breakpoints (an address,
// or a symbol of a program in /bin), `catch fork` and `catch pagefault` with
// gdb's error-code filter (vmlab debug's syntax: `catch pagefault
// [write|!write|user|...]`, docs/debugger.md). While any is set the worker
// runs user instructions one at a time through kernel.userRun (STYLE 14:
// without one the fast loop runs). A stop pauses the kernel between two
// instructions (Kernel.requestPause); the command is then held as by Pause.
//
// A caught page fault stops BEFORE the kernel handles it, at the faulting
// instruction (the attempt changed nothing but CR2 and the TLB): Step or Run
// executes it again, and that attempt goes to the kernel.
import type { Kernel } from '../../kernel-ts/kernel';
import type { Task } from '../../kernel-ts/proc/task';
import { Stop } from '../../emu/machine/cpu/cpu';
import { TWO32, u64Big } from '../../emu/machine/cpu/int64';
import { PF_I, PF_P, PF_U, PF_W, Vector, pfWords } from '../../emu/machine/trap';
import { Symbols } from '../../emu/debugger/symbols';
import type { StopSettings } from '../protocol';

/** A breakpoint resolved to an address; `comm` limits it to one program (a symbol's), null: every process. */
export interface WorkerBreakpoint {
  addr: number;
  what: string;
  comm: string | null;
}

/** The words of catch pagefault's filter: the error-code bit each names (PF_* of machine/trap). */
const FILTER_BITS: Record<string, number> = { present: PF_P, protection: PF_P, write: PF_W, user: PF_U, fetch: PF_I };

/** `write !user` -> the bits that must be set and clear; a string: why not. */
export function parsePfFilter(text: string): { mustSet: number; mustClear: number } | string {
  let mustSet = 0;
  let mustClear = 0;
  for (const w of text.trim().split(/\s+/).filter((x) => x !== '')) {
    const neg = w.startsWith('!');
    const bit = FILTER_BITS[neg ? w.slice(1) : w];
    if (bit === undefined) return `catch pagefault: unknown filter word "${w}" (use present, write, user, fetch, each optionally with !)`;
    if (neg) mustClear |= bit;
    else mustSet |= bit;
  }
  return { mustSet, mustClear };
}

/** The symbols of each program in /bin, read at the first use. */
class ProgramSymbols {
  private readonly cache = new Map<string, Symbols | null>();
  constructor(private readonly k: Kernel) {}

  of(comm: string): Symbols | null {
    if (!this.cache.has(comm)) {
      const ino = this.k.vfs.lookup(`/bin/${comm}`);
      let syms: Symbols | null = null;
      if (typeof ino !== 'number') {
        const bytes = new Uint8Array(ino.size);
        ino.read(0, bytes);
        try {
          syms = new Symbols(bytes);
        } catch {
          syms = null; // not an ELF: no symbols
        }
      }
      this.cache.set(comm, syms);
    }
    return this.cache.get(comm)!;
  }
}

export class Stops {
  breakpoints: WorkerBreakpoint[] = [];
  catchFork = false;
  pagefault: { mustSet: number; mustClear: number; text: string } | null = null;
  /** Why the command is held ('' when by Pause or Step). */
  reason = '';
  readonly symbols: ProgramSymbols;
  /** The instruction start not checked again (the one a stop was at: resuming runs it). */
  private skipPc = -1;
  /** The time-line position of the caught fault's attempt: resuming lets it through to the kernel. */
  private letFaultAt = -1;
  private forked: string | null = null;

  constructor(
    private readonly k: Kernel,
    /** Called at a stop: the worker holds the command. */
    private readonly stopped: () => void,
  ) {
    this.symbols = new ProgramSymbols(k);
  }

  /** Whether a stop condition is set (then kernel.userRun is this.run). */
  get active(): boolean {
    return this.breakpoints.length > 0 || this.catchFork || this.pagefault !== null;
  }

  /** Sets the conditions from the page's settings; the errors (one line each) of what was not set. */
  set(s: StopSettings, defaultComm: string | null): string[] {
    const errors: string[] = [];
    const bps: WorkerBreakpoint[] = [];
    for (const spec of s.breakpoints) {
      const b = this.resolve(spec.trim(), defaultComm);
      if (typeof b === 'string') errors.push(b);
      else bps.push(b);
    }
    this.breakpoints = bps;
    this.catchFork = s.catchFork;
    this.pagefault = null;
    if (s.pagefault !== null) {
      const f = parsePfFilter(s.pagefault);
      if (typeof f === 'string') errors.push(f);
      else this.pagefault = { ...f, text: s.pagefault.trim() };
    }
    return errors;
  }

  /** `0xADDR`, `PROG:SYMBOL[+OFF]` or `SYMBOL[+OFF]` (in the program shown) to a breakpoint, or why not. */
  private resolve(spec: string, defaultComm: string | null): WorkerBreakpoint | string {
    if (/^0x[0-9a-f]+$/i.test(spec)) return { addr: Number(spec), what: spec, comm: null };
    const m = /^(?:([\w.-]+):)?([A-Za-z_.$][\w.$]*)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(spec);
    if (m === null) return `break ${spec}: give an address (0x...), a symbol, or PROG:SYMBOL`;
    const comm = m[1] ?? defaultComm;
    if (comm === null) return `break ${spec}: no program is shown: name it, as PROG:${m[2]}`;
    const syms = this.symbols.of(comm);
    if (syms === null) return `break ${spec}: no program /bin/${comm}`;
    const at = syms.lookup(m[2]!);
    if (at === undefined) return `break ${spec}: no symbol "${m[2]}" in ${comm}`;
    const addr = at + (m[3] !== undefined ? Number(m[3]) : 0);
    return { addr, what: `${comm}:${m[2]}${m[3] !== undefined ? `+${m[3]}` : ''} (0x${addr.toString(16)})`, comm };
  }

  /** kernel.onFork: with catch fork set, the next instruction of any task stops. */
  forkHappened(parent: Task, child: Task): void {
    if (this.catchFork) this.forked = `catch fork: pid ${parent.pid} (${parent.comm}) forked child ${child.pid}`;
  }

  /**
   * The engine moved the program (web/worker/travel.ts): it is held at the
   * instruction at `pc`, which resuming runs without stopping at a breakpoint
   * there; `caughtAt`: the time-line position of a caught fault's attempt
   * there, which resuming lets through to the kernel (-1: none).
   */
  heldAt(pc: number, caughtAt: number): void {
    this.skipPc = pc;
    this.letFaultAt = caughtAt;
  }

  /** A resume: what the last stop was at is let run once. */
  resumed(): void {
    this.reason = '';
  }

  private stop(reason: string): Stop {
    this.reason = reason;
    this.k.requestPause();
    this.stopped();
    return Stop.Budget;
  }

  /** kernel.userRun while a condition is set: one instruction at a time, each condition checked before it. */
  run(budget: number): Stop {
    const k = this.k;
    const cpu = k.machine.cpu;
    if (this.forked !== null) {
      const why = this.forked;
      this.forked = null;
      return this.stop(why);
    }
    for (let n = 0; n < budget; n++) {
      const pc = (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
      const first = pc === this.skipPc;
      this.skipPc = -1;
      if (!first) {
        const bp = this.breakpoints.find((b) => b.addr === pc && (b.comm === null || b.comm === k.current?.comm));
        if (bp !== undefined) {
          this.skipPc = pc;
          return this.stop(`breakpoint ${bp.what}, pid ${k.current?.pid}`);
        }
      }
      const pos = cpu.instret + k.kernelEntries;
      const s = cpu.step();
      if (s === Stop.Trap) {
        const trap = cpu.trap;
        const pf = this.pagefault;
        if (trap.vector === Vector.PF && pf !== null && pos !== this.letFaultAt && (trap.error & pf.mustSet) === pf.mustSet && (trap.error & pf.mustClear) === 0) {
          this.letFaultAt = pos;
          this.skipPc = pc;
          const addr = u64Big(trap.addrLo, trap.addrHi);
          return this.stop(`catch pagefault: #PF at 0x${BigInt.asUintN(64, addr).toString(16)}, error 0x${trap.error.toString(16)} (${pfWords(trap.error)}), ip 0x${pc.toString(16)}, pid ${k.current?.pid}: not yet handled`);
        }
        this.skipPc = pc; // the kernel fixes the fault and retries the instruction
        return s;
      }
      if (s !== Stop.Budget) {
        this.skipPc = pc; // an ecall: a restarted system call executes it again
        return s;
      }
    }
    return Stop.Budget;
  }
}
