// The engine's reactions to what the kernel does while the debugged program
// runs: forks (follow-fork-mode, catch fork), signal deliveries (catch
// signal), page faults the kernel handled (the fault log and the "kernel:
// #PF ... handled" notes), faults in uaccess, and the CR3 writes, INVLPGs and
// TLB misses that catch cr3 / invlpg / tlb-miss report. The kernel calls the
// first four through its hooks (Kernel.onFork, onSignalDeliver, onUserFault,
// mm.onUaccessFault); the last three are compared with the MMU's counters
// between instructions by the stepping path (engine-step.ts).
import { bigHi, bigLo, TWO32 } from '../machine/cpu/int64';
import { Access, PF_I, PF_W, pfWords } from '../machine/trap';
import type { Task } from '../../kernel-ts/proc/task';
import type { MmStruct } from '../../kernel-ts/mm/mm-struct';
import { FAULT_KIND_NAMES } from '../../kernel-ts/mm/mm-struct';
import { syscallName } from '../../kernel-ts/syscalls/numbers';
import type { FaultRecord, StopEvent } from './engine-types';
import type { Engine } from './engine';
import type { Breakpoint } from './breakpoints';

const FAULT_LOG_MAX = 64;

export class KernelEvents {
  /** The last FAULT_LOG_MAX page faults the kernel handled, of every process (info faults). */
  readonly faults: FaultRecord[] = [];
  private faultCount = 0;
  /** The signal a `catch signal` stop deferred: its delivery, on the next resume, is let through once. */
  deferredSignal = 0;
  /** A fork caught by `catch fork`, reported when the followed process next runs. */
  private forkEvent: StopEvent | null = null;
  private lastCr3 = 0;
  private lastInvlpg = 0;
  private lastMisses = 0;

  constructor(private readonly e: Engine) {
    const k = e.k;
    k.onUserFault = (t, addr, error, kind) => this.logFault(t, addr, error, FAULT_KIND_NAMES[kind] ?? `kind ${kind}`);
    k.onSignalDeliver = (t, signo) => this.signalDeliver(t, signo);
    k.onFork = (parent, child) => this.forked(parent, child);
    k.mm.onUaccessFault = (mm, addr, error, fixed) => this.uaccessFault(mm, addr, error, fixed);
  }

  /** At the start of a run: what catch cr3, invlpg and tlb-miss compare with. */
  baseline(): void {
    this.lastCr3 = this.e.k.machine.mmu.cr3;
    this.lastInvlpg = this.invlpgCount();
    this.lastMisses = this.tlbMisses();
  }


  private invlpgCount(): number {
    const st = this.e.k.machine.mmu.stats();
    return st.itlb.flushes.invlpg + st.dtlb.flushes.invlpg;
  }

  private tlbMisses(): number {
    const st = this.e.k.machine.mmu.stats();
    return st.itlb.misses + st.dtlb.misses;
  }

  /** A fork, CR3 write or INVLPG the kernel did since the last instruction, when caught. */
  kernelEvent(): StopEvent | null {
    const mmu = this.e.k.machine.mmu;
    const bps = this.e.bps;
    let ev: StopEvent | null = this.forkEvent;
    this.forkEvent = null;
    const cr3 = bps.catchpoint('cr3');
    if (mmu.cr3 !== this.lastCr3) {
      if (cr3 !== null) {
        cr3.hits++;
        ev = { kind: 'event', bp: cr3, text: `CR3 written by the kernel: 0x${this.lastCr3.toString(16)} -> 0x${mmu.cr3.toString(16)}` };
      }
      this.lastCr3 = mmu.cr3;
    }
    const inv = bps.catchpoint('invlpg');
    if (inv !== null) {
      const n = this.invlpgCount();
      if (n !== this.lastInvlpg && ev === null) {
        inv.hits++;
        ev = { kind: 'event', bp: inv, text: `INVLPG by the kernel (${n - this.lastInvlpg} flush${n - this.lastInvlpg === 1 ? '' : 'es'})` };
      }
      this.lastInvlpg = n;
    }
    return ev;
  }

  /** catch tlb-miss (bp): the instruction at pc, just run, missed the TLB (checked after each instruction while the catchpoint exists). */
  tlbMiss(bp: Breakpoint, pc: number): StopEvent | null {
    const misses = this.tlbMisses();
    if (misses === this.lastMisses) return null;
    this.lastMisses = misses;
    bp.hits++;
    return { kind: 'event', bp, text: `TLB miss (walk) by the instruction at VA 0x${pc.toString(16)}` };
  }

  /**
   * kernel.onFork: the debugged process forked. gdb's messages; under
   * follow-fork-mode child the engine follows the child from here (replays
   * through this fork do the same: the mode in force when they run decides).
   */
  private forked(parent: Task, child: Task): void {
    const e = this.e;
    if (parent !== e.task) return;
    const follow = e.followForkMode === 'child';
    if (e.mode.kind === 'live') {
      if (follow) e.kernelNotes.push(`[Attaching after process ${parent.pid} fork to child process ${child.pid}]`, `[Detaching after fork from parent process ${parent.pid}]`);
      else e.kernelNotes.push(`[Detaching after fork from child process ${child.pid}]`);
    }
    if (follow) e.task = child;
    const bp = e.silent ? null : e.bps.catchpoint('fork');
    if (bp !== null) {
      bp.hits++;
      this.forkEvent = { kind: 'event', bp, text: `forked process ${child.pid}` };
    }
  }

  /**
   * kernel.onSignalDeliver: before the kernel delivers signo to the task (builds
   * the handler frame or applies the default action). True stops there: the
   * kernel leaves the signal pending and ends the slice; resuming delivers it.
   */
  private signalDeliver(t: Task, signo: number): boolean {
    const e = this.e;
    if (t !== e.task) return false;
    const m = e.mode;
    if (m.kind === 'replay' && m.toSignal && e.pos() >= m.to) {
      // A replay to a `catch signal` stop: it ends where that stop was, the signal pending.
      this.deferredSignal = signo;
      e.pending = { kind: 'arrived' };
      return true;
    }
    if (e.silent) return false;
    const passed = this.deferredSignal;
    this.deferredSignal = 0;
    if (signo === passed) {
      if (t.sighand.action[signo]!.handler > 1) {
        // A handler's first instruction is new ground: its breakpoint is not skipped as the resume point,
        // and stepi stops there, before it runs (as gdb does: the kernel builds the frame, the step ends).
        e.skipAt = -1;
        if (e.goal.kind === 'steps' && e.goal.left > 0) {
          e.pending = { kind: 'step' };
          e.k.requestPause();
        }
      }
      return false;
    }
    const b = e.bps.signal(signo);
    if (b === null) return false;
    this.deferredSignal = signo;
    e.pending = { kind: 'signal', bp: b, signo };
    return true;
  }

  // ---- the fault log ----------------------------------------------------

  private logFault(t: Task, addr: bigint, error: number, outcome: string, userIp?: number): void {
    const e = this.e;
    if (e.mode.kind === 'scan') return; // a scan is followed by a replay, which logs (travelTo)
    const cpu = e.k.machine.cpu;
    const ip = userIp ?? (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
    const rec = { n: ++this.faultCount, pos: e.pos(), pid: t.pid, ip, addr, error, outcome };
    this.faults.push(rec);
    if (this.faults.length > FAULT_LOG_MAX) this.faults.shift();
    if (t !== e.task) return;
    const r = e.k.machine.mmu.probe(bigLo(addr), bigHi(addr), error & PF_I ? Access.Fetch : error & PF_W ? Access.Write : Access.Read, 3);
    const now = r.kind === 'ok' ? `; now VA 0x${addr.toString(16)} -> PA 0x${r.pa.toString(16)}` : '';
    e.kernelNotes.push(`kernel: #PF at VA 0x${addr.toString(16)} (error 0x${error.toString(16)} ${pfWords(error)}) handled: ${outcome}${now}`);
  }

  /**
   * kernel.mm.onUaccessFault: a fault the kernel took touching user memory
   * (copy_to_user and friends; error code with U clear). Logged with the task's
   * pc (the ecall of the system call, if one is being served) and the outcome
   * suffixed ` (uaccess in NAME)`, or ` (uaccess)` outside a system call
   * (a signal frame); an unfixable one is `-EFAULT fixup`.
   */
  private uaccessFault(mm: MmStruct, addr: number, error: number, fixed: boolean): void {
    const k = this.e.k;
    const cur = k.current;
    const t = cur !== null && cur.mm === mm ? cur : [...k.tasks.values()].find((x) => x.mm === mm);
    if (t === undefined) return;
    const what = fixed ? (FAULT_KIND_NAMES[mm.lastFault] ?? `kind ${mm.lastFault}`) : '-EFAULT fixup';
    const nr = k.syscallNr;
    this.logFault(t, BigInt(addr), error, `${what} (uaccess${nr >= 0 ? ` in ${syscallName(nr)}` : ''})`, t.pc);
  }

  /** Drops the fault-log entries after position pos (travelling back: a replay logs them again). */
  truncateFaults(pos: number): void {
    while (this.faults.length > 0 && this.faults[this.faults.length - 1]!.pos > pos) this.faults.pop();
    this.faultCount = this.faults.length === 0 ? 0 : this.faults[this.faults.length - 1]!.n;
  }
}
