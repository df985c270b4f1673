// The stop conditions the user set: breakpoints, watchpoints and
// catchpoints, numbered as gdb numbers them, and the tests the session runs
// between instructions (is there a breakpoint here, does this page fault,
// system call or signal match a catchpoint, does this access touch a
// watched range). A hit counts; an ignore count or a temporary breakpoint is
// used up here.
import { rs1, immI, immS } from '../machine/isa/fields';
import { decodeInsn } from '../machine/isa/table';

export interface Breakpoint {
  num: number;
  kind: 'breakpoint' | 'watchpoint' | 'catchpoint';
  /** Breakpoints: the address. Watchpoints: the range start. */
  addr: number;
  len: number;
  /** What the user wrote (for info breakpoints). */
  what: string;
  temporary: boolean;
  enabled: boolean;
  condition: string | null;
  ignore: number;
  hits: number;
  /** Watchpoints: 'write' | 'read' | 'access'; catchpoints: the event. */
  mode: string;
  /** catch pagefault: error-code bits that must be set / clear; catch syscall: numbers (empty = all). */
  mustSet: number;
  mustClear: number;
  syscalls: number[];
  /** write watchpoints: the last value seen. */
  old: bigint | null;
  /** watch -p: the range is physical (any mapping of those frames, in any process). */
  physical: boolean;
  /** catch signal: the signal numbers (empty or absent = all). */
  signals?: number[];
}

/** A memory access an instruction is about to make (loads and stores; the ISA has no others). */
export interface MemAccess {
  addr: number;
  size: number;
  write: boolean;
}

/** What the table needs to read: the stopped (or stepping) program's memory and registers. */
export interface WatchedMemory {
  readVirt(va: number, size: number): bigint | string;
  readPhys(pa: number, size: number): bigint | string;
  virtToPhys(va: number): number | string;
  /** Register r of the instruction about to run (the CPU's, mid-slice). */
  liveReg(r: number): bigint;
}

export class BreakpointTable {
  readonly list: Breakpoint[] = [];
  private nextNum = 1;
  /** condition evaluation is the command layer's (it owns the expression evaluator). */
  conditionHolds: (bp: Breakpoint) => boolean = () => true;

  constructor(private readonly mem: WatchedMemory) {}

  /** A new stop condition, numbered as gdb numbers them unless init gives its own number (the gdb stub's, negative). */
  add(init: Partial<Breakpoint> & Pick<Breakpoint, 'kind' | 'what'>): Breakpoint {
    const bp: Breakpoint = {
      num: init.num ?? this.nextNum++, addr: 0, len: 0, temporary: false, enabled: true, condition: null, ignore: 0, hits: 0,
      mode: '', mustSet: 0, mustClear: 0, syscalls: [], old: null, physical: false, ...init,
    };
    this.list.push(bp);
    return bp;
  }

  delete(num: number): boolean {
    const i = this.list.findIndex((b) => b.num === num);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** The enabled catchpoint for an event (cr3, invlpg, tlb-miss, fork), if any. */
  catchpoint(mode: string): Breakpoint | null {
    return this.list.find((b) => b.kind === 'catchpoint' && b.enabled && b.mode === mode) ?? null;
  }

  /** The breakpoint that stops at pc (its condition holds, its ignore count is used up). */
  at(pc: number): Breakpoint | null {
    for (const b of this.list) {
      if (b.kind !== 'breakpoint' || !b.enabled || b.addr !== pc) continue;
      if (!this.conditionHolds(b)) continue;
      b.hits++;
      if (b.ignore > 0) {
        b.ignore--;
        continue;
      }
      if (b.temporary) this.delete(b.num);
      return b;
    }
    return null;
  }

  /** The catch pagefault whose filter the error code matches. */
  pagefault(error: number): Breakpoint | null {
    return this.caught('pagefault', (b) => (error & b.mustSet) === b.mustSet && (error & b.mustClear) === 0);
  }

  /** The catch syscall that takes system call nr. */
  syscall(nr: number): Breakpoint | null {
    return this.caught('syscall', (b) => b.syscalls.length === 0 || b.syscalls.includes(nr));
  }

  /** The catch signal that takes signo. */
  signal(signo: number): Breakpoint | null {
    return this.caught('signal', (b) => b.signals === undefined || b.signals.length === 0 || b.signals.includes(signo));
  }

  /** The first enabled catchpoint of `mode` that takes the event; its hit counted. */
  private caught(mode: string, takes: (b: Breakpoint) => boolean): Breakpoint | null {
    for (const b of this.list) {
      if (b.kind !== 'catchpoint' || !b.enabled || b.mode !== mode || !takes(b)) continue;
      b.hits++;
      if (b.temporary) this.delete(b.num);
      return b;
    }
    return null;
  }

  /** The load or store the instruction at pc is about to make, when a watchpoint exists. */
  accessAt(pc: number): MemAccess | null {
    if (!this.list.some((b) => b.kind === 'watchpoint' && b.enabled)) return null;
    const w = this.mem.readVirt(pc, 4);
    if (typeof w === 'string') return null;
    const word = Number(w) | 0;
    const d = decodeInsn(word);
    if (d === undefined || d.size === 0) return null;
    const write = d.format === 'S';
    const base = this.mem.liveReg(rs1(word));
    const imm = write ? immS(word) : immI(word);
    const addr = Number(BigInt.asUintN(64, base + BigInt(imm)));
    return { addr, size: d.size, write };
  }

  /**
   * The watchpoint an access that just happened triggers (reported after the
   * access, as gdb does; a write watchpoint only when the value changed), with
   * the value before and now.
   */
  watchHit(a: MemAccess): { bp: Breakpoint; old: bigint | null; now: bigint | null } | null {
    for (const b of this.list) {
      if (!b.enabled || b.kind !== 'watchpoint' || !this.touches(b, a)) continue;
      if ((b.mode === 'write' && !a.write) || (b.mode === 'read' && a.write)) continue;
      const now = this.watchValue(b);
      if (b.mode === 'write' && now === b.old) continue;
      const old = b.old;
      b.old = now;
      b.hits++;
      return { bp: b, old, now };
    }
    return null;
  }

  /** Write watchpoints remember the value they watch (at each resume). */
  rememberValues(): void {
    for (const b of this.list) if (b.kind === 'watchpoint' && b.mode === 'write') b.old = this.watchValue(b);
  }

  /** The access reaches the watched range: by virtual address, or for watch -p by the physical address it translated to. */
  private touches(b: Breakpoint, a: MemAccess): boolean {
    if (!b.physical) return overlaps(b, a);
    const pa = this.mem.virtToPhys(a.addr);
    return typeof pa === 'number' && overlaps(b, { addr: pa, size: a.size, write: a.write });
  }

  /** The watched value, or null while its page is not mapped. */
  private watchValue(b: Breakpoint): bigint | null {
    const n = Math.min(b.len, 64);
    const v = b.physical ? this.mem.readPhys(b.addr, n) : this.mem.readVirt(b.addr, n);
    return typeof v === 'string' ? null : v;
  }
}

function overlaps(b: Breakpoint, a: MemAccess): boolean {
  return a.addr < b.addr + b.len && b.addr < a.addr + a.size;
}
