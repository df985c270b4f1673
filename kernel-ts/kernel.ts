// The kernel: boot, the scheduler loop and the trap dispatcher, in the shape
// of xv6's scheduler() + usertrap(). The machine runs a task's instructions
// until it stops (budget spent, ecall, or an exception) and returns the stop
// reason; the kernel decides what it means:
//
//   Stop.Budget  the time slice is over: next task (round robin)
//   Stop.Ecall   a system call: a7 = number, a0..a5 = arguments, a0 = result
//   Stop.Trap    #PF to the memory manager (retry on success), else a signal
//
// Between runs the task's registers live in task.regs (the CPU's hi/lo
// layout); signals are delivered on every return to user mode. A host
// exception thrown while the kernel serves a task is that task's oops, not a
// crash: the task dies (as if by SIGKILL) and the others run on.
import { Tier1 } from '../emu/machine/jit/tier1';
import type { Tier1Options } from '../emu/machine/jit/tier1';
import { Machine } from '../emu/machine/machine';
import { Stop } from '../emu/machine/cpu/cpu';
import type { TlbConfig } from '../emu/machine/mmu/tlb';
import { EINVAL, ENAMETOOLONG, ENOENT, ENOSYS, ESRCH } from './errno';
import { KERN_INFO, KERN_WARNING, Printk } from './printk';
import { Trace } from './trace';
import { SyscallArgs } from './syscalls/args';
import { syscallName } from './syscalls/numbers';
import { SYSCALL_NORETURN, SYSCALL_RESTART, syscallTable } from './syscalls/table';
import type { SyscallHandler } from './syscalls/table';
import { KernelMm } from './mm/kernel-mm';
import { Vfs } from './fs/vfs';
import { tracefsInit } from './fs/sysfs';
import { tmpfsDefaults } from './fs/shmem';
import type { VfsKernel } from './fs/deps';
import { execTask } from './proc/execve';
import { doExit, shellExitCode } from './proc/exit';
import { DieState, reportOops } from './proc/oops';
import { ModuleLoader } from './module/loader';
import type { BuiltinModules } from './module/builtin';
import { KernelRandom, unitOf } from './random';
import { Scheduler } from './proc/sched';
import { advancePc, doSignal, sendSignal, signalPending } from './proc/signal';
import { NSIG, SIGKILL, SI_KERNEL, siginfo } from './proc/signal-defs';
import { NR_REG_HALVES, Restart, TASK_RUNNING, Task } from './proc/task';
import { fixUserFault, userTrap } from './proc/traps';
import { bootBanner } from './proc/uts';
import { syscallEnterText, syscallExitText } from './proc/syscall-trace';
import { SigHand } from './proc/signal-defs';
import { runKthreads } from './kthread';
import { KTIME_MAX } from './ktime';
import { initTaskRlimits, setMaxThreads } from './resource';
import type { Rlimits } from './resource';

export interface KernelOptions {
  /** Guest RAM in bytes; default 1 GiB. */
  memSize?: number;
  /** /tmp's size= in bytes (rounded up to pages); default half of memSize, as Linux's tmpfs. */
  tmpfsSize?: number;
  /** Page-table levels: 4 (48-bit) or 5 (57-bit, LA57). Default 4. */
  paging?: 4 | 5;
  tlb?: TlbConfig | 'none';
  /** Randomize stack, mmap base and brk (Linux's randomize_va_space = 2). Default true. */
  aslr?: boolean;
  /** Seed of every random choice (ASLR, AT_RANDOM, getrandom). Default 1. */
  seed?: number;
  /**
   * Hand out order-0 frames in a shuffled order (per-CPU lists refilled in
   * random order, seeded by `seed`), standing in for a long-running system's
   * fragmented free memory. Default true; false gives consecutive frames.
   */
  shufflePages?: boolean;
  /** vm.mmap_min_addr at boot (/proc/sys/vm/mmap_min_addr changes it later). Default 65536, as Linux's. */
  mmapMinAddr?: number;
  /** Stop after this many guest instructions (remaining tasks are killed). */
  maxInsns?: number;
  /** Instructions per time slice (default 1M). */
  sliceInsns?: number;
  /**
   * Run user code with tier 1 (emu/machine/jit: hot code compiled to
   * WebAssembly, same results to the instruction) when the debugger's
   * stepping path is off. Default false: the interpreter alone.
   */
  jit?: boolean | Tier1Options;
  /**
   * The soft-lockup watchdog's bounds on one call into module code
   * (module/watchdog.ts), by its work: calls into the module API (default
   * 1000000), guest milliseconds slept or delayed (default 20000, Linux's
   * 2 * watchdog_thresh); and, only for a loop that calls nothing, host
   * milliseconds (the wall-clock backstop, default 20000). Tests set the
   * counts small.
   */
  softLockupCalls?: number;
  softLockupMs?: number;
  softLockupWallMs?: number;
  /**
   * The built-in modules `insmod NAME` loads (module/builtin.ts), handed
   * over by the code that assembles the system (the CLI): the kernel imports
   * no driver. Default: none.
   */
  builtinModules?: BuiltinModules;
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  stdin?: () => Uint8Array | null;
  /** Which of stdout and stderr are terminals on the host: the console answers TCGETS for those (fs/devices.ts). */
  ttys?: { stdout?: boolean; stderr?: boolean };
}

/** The syscall registers: a7 = number, a0..a5 = arguments (12 lo/hi halves from a0's), a0 = result. */
const REG_A0 = 10;
const REG_A7 = 17;
const SYSCALL_ARG_HALVES = 12;

/** Defaults of KernelOptions. */
export const DEFAULT_MEM_SIZE = 1 << 30;
export const DEFAULT_SLICE_INSNS = 1_000_000;
export const DEFAULT_SEED = 1;
/** The clock idles forward at most to here: the largest double below KTIME_MAX, so a "never" deadline stays ahead of it. */
const CLOCK_LIMIT_NS = KTIME_MAX - 1024;

export interface RunResult {
  /**
   * Why run() returned: every task exited, the instruction limit, nothing
   * could ever run again, or runUntil's predicate turned true.
   */
  reason: 'exited' | 'maxInsns' | 'deadlock' | 'stopped';
  /** The wait status (Linux encoding) of the first spawned process, or null if it did not exit. */
  status: number | null;
  /** The shell's exit code for that status: the code, or 128 + signal. */
  exitCode: number | null;
  /** Guest instructions retired since boot. */
  instructions: number;
}

type ResolvedOptions = KernelOptions & Required<Pick<KernelOptions, 'memSize' | 'paging' | 'aslr' | 'seed' | 'sliceInsns'>>;

export class Kernel {
  readonly machine: Machine;
  mm!: KernelMm;
  vfs!: Vfs;
  /** Loadable modules: insmod/rmmod/lsmod (module/loader.ts), and /proc/modules. */
  modules!: ModuleLoader;
  readonly printk: Printk;
  readonly trace: Trace;
  /** Every task with a pid: live ones and zombies not yet reaped. */
  readonly tasks = new Map<number, Task>();
  current: Task | null = null;
  readonly opts: ResolvedOptions;
  readonly random: KernelRandom;
  readonly sched = new Scheduler();
  /** Wait statuses of processes spawned by the host (they have no parent to wait for them), by pid. */
  readonly hostStatus = new Map<number, number>();
  /** Set by sched_yield: end the current slice after this call. */
  needResched = false;
  /** The task that ran last (for sched_switch). */
  private prev: Task | null = null;
  private idleNs = 0;
  private nextPid = 1;
  private firstPid = 0;
  /** The oops counter, the taint flags oopses set, the first oops's registers (proc/oops.ts). */
  readonly die = new DieState();
  /** The system-call table (syscalls/table.ts), a copy a test or module may add entries to. */
  readonly syscalls: Record<number, SyscallHandler>;
  private readonly args = new SyscallArgs();
  /** x0..x31 of the CPU's register file (without its x0 write sink), the slice saved into task.regs. */
  private readonly cpuRegs: Int32Array;
  private readonly unknownLogged = new Set<number>();
  /**
   * The debugger's stepping path (STYLE 14): when set, a task's user
   * instructions run through it instead of machine.run. Null, the default,
   * costs one test per run() call, never one per instruction.
   */
  userRun: ((budget: number) => Stop) | null = null;
  /** Tier 1 (KernelOptions.jit), or null: user code runs in the interpreter. */
  readonly tier1: Tier1 | null;
  /**
   * User-to-kernel entries (traps and system calls) since boot. With
   * cpu.instret it names a point of the execution that never repeats:
   * instret + kernelEntries grows between any two instructions the kernel
   * lets a task start (the debugger's time line, emu/debugger/record).
   */
  kernelEntries = 0;
  /** cpu.instret when the running slice's current run started (the running task's count is t.utimeNs + cpu.instret - this). */
  sliceStartInstret = 0;
  /** Set by the stepping path (requestPause) to leave runUntil between two instructions. */
  private pauseRequested = false;
  /** The slice a pause interrupted: the next runUntil finishes it first, so a pause is invisible to scheduling. */
  private paused: { task: Task; budget: number } | null = null;
  /** Called after each user #PF was handled, with the address, error code and what the handler did (mm FaultKind): the debugger's fault log. */
  onUserFault: ((t: Task, addr: bigint, error: number, kind: number) => void) | null = null;
  /**
   * Consulted before each signal is dequeued for delivery (get_signal): true
   * defers it (it stays pending) and ends the slice, for the debugger's
   * `catch signal`. Null, the default, costs one test per delivery.
   */
  onSignalDeliver: ((t: Task, signo: number) => boolean) | null = null;
  /** Called when fork/clone made a child (before either runs again): the debugger's follow-fork-mode and catch fork. */
  onFork: ((parent: Task, child: Task) => void) | null = null;
  /** The number of the system call being served, -1 outside one (the debugger's fault log names it). */
  syscallNr = -1;
  /** kernel.threads-max (set_max_threads at boot, from RAM): fork fails with -EAGAIN at this many tasks. */
  maxThreads = 0;
  /** init_task's resource limits (fork_init): each process the host spawns starts with a copy. */
  initRlim!: Rlimits;

  constructor(opts: KernelOptions = {}) {
    this.opts = { memSize: DEFAULT_MEM_SIZE, paging: 4, aslr: true, seed: DEFAULT_SEED, sliceInsns: DEFAULT_SLICE_INSNS, ...opts };
    this.machine = new Machine({ memSize: this.opts.memSize, tlb: opts.tlb });
    this.cpuRegs = this.machine.cpu.x.subarray(0, NR_REG_HALVES);
    this.tier1 = opts.jit === undefined || opts.jit === false ? null : new Tier1(this.machine, opts.jit === true ? {} : opts.jit);
    this.random = new KernelRandom(this.opts.seed);
    this.shuffleRandom = new KernelRandom((this.opts.seed ^ 0x5a17f00d) >>> 0);
    this.printk = new Printk(() => this.clockNs());
    this.trace = new Trace(() => this.clockNs(), () => (this.current ? { comm: this.current.comm, pid: this.current.pid } : null));
    this.syscalls = { ...syscallTable() };
  }

  /** start_kernel(): the banner, then the memory manager and the file systems. */
  static boot(opts: KernelOptions = {}): Kernel {
    const k = new Kernel(opts);
    k.printk.log(bootBanner(k.opts.paging));
    k.initSubsystems();
    return k;
  }

  /** Builds k.mm and k.vfs (separate so a test can boot with fakes). */
  protected initSubsystems(): void {
    this.mm = new KernelMm(this.machine, {
      paging: this.opts.paging,
      printk: this.printk,
      trace: this.trace,
      aslr: this.opts.aslr,
      random: this.randomUnit,
      shuffle: this.opts.shufflePages === false ? null : unitOf(this.shuffleRandom),
      mmapMinAddr: this.opts.mmapMinAddr,
      current: () => this.current,
      clockNs: () => this.clockNs(),
    });
    this.maxThreads = setMaxThreads(this.mm.buddy.nrManagedPages);
    this.initRlim = initTaskRlimits(this.maxThreads);
    const tmpfs = tmpfsDefaults(this.opts.memSize);
    this.vfs = new Vfs(this.vfsView(), { size: this.opts.tmpfsSize ?? tmpfs.size, nrInodes: tmpfs.nrInodes });
    this.modules = new ModuleLoader(this, this.opts.builtinModules);
    this.vfs.procCreateSingle('modules', () => this.modules.procModules());
    tracefsInit(this.vfs.sys, () => this.trace.availableEvents());
  }

  /** The kernel as the VFS sees it (fs/deps.ts VfsKernel); KernelMm provides FsMm as it is. */
  private vfsView(): VfsKernel {
    const k = this;
    return {
      get opts() {
        return k.opts;
      },
      tasks: this.tasks,
      get current() {
        return k.current;
      },
      printk: this.printk,
      mm: this.mm,
      clockNs: () => k.clockNs(),
    };
  }

  /** Nanoseconds since boot: one retired instruction is one nanosecond, plus time spent idle. */
  clockNs(): number {
    return this.machine.cpu.instret + this.idleNs;
  }

  /** Lets guest time pass with nothing running (the shell's `sleep` when every task sleeps past it); the clock stops short of KTIME_MAX. */
  idle(ns: number): void {
    if (ns > 0) this.idleNs = Math.min(this.idleNs + ns, CLOCK_LIMIT_NS - this.machine.cpu.instret);
  }

  /** A random number in [0, 1) from the kernel's seeded source (for kernel-ts/mm/aslr.ts). */
  readonly randomUnit = (): number => this.random.unit();
  /**
   * The frame shuffle's stream of its own, so that shuffling frames does not
   * change the ASLR choices of a seed. A field (not only captured by the
   * allocator's closure) so the debugger's recorder saves its state.
   */
  private readonly shuffleRandom: KernelRandom;

  // ---- pids and tasks ---------------------------------------------------

  /** alloc_pid(): the next free pid, counting up from 1 (deterministic). */
  allocPid(): number {
    while (this.tasks.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  /** The pid was allocated but its task never came to be. */
  freePid(pid: number): void {
    if (pid === this.nextPid - 1) this.nextPid = pid;
  }

  addTask(t: Task): void {
    this.tasks.set(t.pid, t);
    this.sched.add(t);
  }

  /** Called by do_exit once the task is a zombie or gone. */
  onTaskExit(t: Task): void {
    if (t.parent === null) this.hostStatus.set(t.pid, t.exitCode);
    if (this.current === t) this.current = null;
  }

  /**
   * Creates a process running the executable at `path` (as the host's child:
   * no parent waits for it; its status lands in hostStatus). The task or -errno.
   */
  spawn(path: string, argv: string[], envp: string[]): Task | number {
    if (path.length === 0) return -ENOENT;
    if (path.length >= 4096) return -ENAMETOOLONG;
    const t = new Task(this.allocPid(), path.slice(path.lastIndexOf('/') + 1), null, this.initialFiles(), new SigHand());
    t.rlim = this.initRlim.copy();
    const r = execTask(this, t, path, argv, envp);
    if (r < 0) {
      t.files.closeAll();
      this.freePid(t.pid);
      return r;
    }
    t.startNs = this.clockNs();
    this.addTask(t);
    if (this.firstPid === 0) this.firstPid = t.pid;
    return t;
  }

  /** The descriptors of a spawned process (0, 1, 2 on the console). */
  protected initialFiles(): Task['files'] {
    return this.vfs.initialFiles();
  }

  /** kill(2) from the host (si_code SI_KERNEL): 0, -EINVAL for a bad signal, -ESRCH for no such pid. */
  kill(pid: number, sig: number): number {
    if (!Number.isInteger(sig) || sig < 0 || sig > NSIG) return -EINVAL;
    const t = this.tasks.get(pid);
    if (!t) return -ESRCH;
    if (sig !== 0) sendSignal(t, siginfo(sig, SI_KERNEL));
    return 0;
  }

  // ---- the scheduler loop -----------------------------------------------

  /** Runs tasks until all have exited, none can ever run again, or opts.maxInsns is reached. */
  run(): RunResult {
    return this.runUntil(() => false);
  }

  /**
   * run(), also returning (reason 'stopped') when `stop()` turns true between
   * slices, or once the machine has retired `insnLimit` instructions since
   * boot (exactly: the slice that reaches it ends there; the shell's
   * --max-insns). Unlike opts.maxInsns, nothing is killed.
   */
  runUntil(stop: () => boolean, insnLimit = Infinity): RunResult {
    let reason: RunResult['reason'] = 'exited';
    for (;;) {
      if (this.sched.nrTasks === 0) break;
      if (stop() || this.machine.cpu.instret >= insnLimit) {
        reason = 'stopped';
        break;
      }
      const max = this.opts.maxInsns;
      if (max !== undefined && this.machine.cpu.instret >= max) {
        this.printk.log(`vmlab: instruction limit ${max} reached, killing ${this.sched.nrTasks} task(s)`, KERN_WARNING);
        this.killAll();
        reason = 'maxInsns';
        break;
      }
      const p = this.paused;
      if (p !== null) {
        this.paused = null;
        if (p.task.state === TASK_RUNNING) {
          this.runSlice(p.task, p.budget, insnLimit);
          continue;
        }
      }
      runKthreads(this); // kernel threads run between slices (kthread.ts)
      const t = this.sched.pickNext(this.clockNs());
      if (t === null) {
        const wake = this.sched.nextTimerNs();
        if (wake !== null) {
          this.idle(wake - this.clockNs());
          continue;
        }
        this.printk.log(`vmlab: every task is asleep with nothing to wake it; killing ${this.sched.nrTasks} task(s)`, KERN_WARNING);
        this.killAll();
        reason = 'deadlock';
        break;
      }
      this.runSlice(t, -1, insnLimit);
    }
    const status = this.firstPid === 0 ? null : (this.hostStatus.get(this.firstPid) ?? null);
    return { reason, status, exitCode: status === null ? null : shellExitCode(status), instructions: this.machine.cpu.instret };
  }

  private killAll(): void {
    for (const t of [...this.sched.tasks()]) this.guard(t, 'kill', () => doExit(this, t, SIGKILL));
  }

  /**
   * The stepping path's pause (userRun returns Stop.Budget after calling
   * this): runUntil returns between two instructions, and the next runUntil
   * continues the same slice with the budget it had left, as if nothing had
   * happened (no kernel thread runs, no other task is picked).
   */
  requestPause(): void {
    this.pauseRequested = true;
  }

  /** After a requestPause: keeps t's slice, with the budget it has left, for the next runUntil; false when no pause was asked for. */
  private keepSliceIfPaused(t: Task, budget: number): boolean {
    if (!this.pauseRequested) return false;
    this.pauseRequested = false;
    if (budget > 0) this.paused = { task: t, budget };
    return true;
  }

  /** One time slice of t: run, dispatch each stop, deliver signals, until the slice ends or t sleeps or dies. */
  private runSlice(t: Task, resumeBudget = -1, insnLimit = Infinity): void {
    const cpu = this.machine.cpu;
    const mmu = this.machine.mmu;
    if (this.prev !== t && this.trace.enabled('sched:sched_switch')) this.traceSwitch(t);
    this.prev = t;
    this.current = t;
    this.needResched = false;
    let budget = resumeBudget >= 0 ? resumeBudget : this.opts.sliceInsns;
    const max = Math.min(this.opts.maxInsns ?? Infinity, insnLimit);
    if (max !== Infinity) budget = Math.min(budget, max - cpu.instret);
    if (signalPending(t)) this.guard(t, 'do_signal', () => this.signalOnWake(t));
    // A debugger stop before a signal's delivery: the slice goes on (and delivers it) at the next runUntil.
    if (this.keepSliceIfPaused(t, budget)) {
      this.current = null;
      return;
    }
    while (budget > 0 && t.state === TASK_RUNNING) {
      // switch_mm() only when the address space changes (a CR3 write flushes the MMU's caches).
      if (this.mm.activeMm !== t.mm) this.mm.switchMm(t.mm!);
      mmu.setCpl(3);
      cpu.x.set(t.regs);
      cpu.pcLo = t.pcLo;
      cpu.pcHi = t.pcHi;
      let stop: Stop;
      const before = cpu.instret;
      this.sliceStartInstret = before;
      try {
        // Fixed page faults go straight back to the instruction (no register save).
        for (;;) {
          const left = budget - (cpu.instret - before);
          stop = this.userRun !== null ? this.userRun(left) : this.tier1 !== null ? this.tier1.run(left) : this.machine.run(left);
          if (stop === Stop.Budget) break;
          this.kernelEntries++;
          if (stop !== Stop.Trap || !fixUserFault(this, t)) break;
        }
      } catch (e) {
        // An exception out of the machine or the fault handler: the registers are whatever the CPU holds.
        this.saveRegs(t);
        t.utimeNs += cpu.instret - before;
        this.oops(t, 'user trap', e);
        break;
      }
      const ran = cpu.instret - before;
      budget -= ran;
      t.utimeNs += ran;
      this.saveRegs(t);
      if (stop === Stop.Budget) {
        this.keepSliceIfPaused(t, budget);
        break;
      }
      try {
        if (stop === Stop.Ecall) this.syscall(t);
        else userTrap(this, t);
        if (t.isAlive && signalPending(t)) doSignal(this, t);
      } catch (e) {
        this.oops(t, stop === Stop.Ecall ? 'syscall' : 'trap', e);
      }
      if (this.keepSliceIfPaused(t, budget) || this.needResched) break;
    }
    this.current = null;
  }

  /**
   * A task resuming with a signal pending: if it was asleep in a system call
   * (pc still at the ecall), the call first runs again and re-checks what it
   * waited for, as Linux's sleep loops do after schedule() returns (do_wait
   * scans the children before it returns -ERESTARTSYS): a wait4 woken by a
   * child's exit and its SIGCHLD returns the pid, and the handler runs
   * after. Only a call that would still sleep is interrupted by the signal.
   */
  private signalOnWake(t: Task): void {
    if (t.restart !== Restart.None) this.syscall(t);
    if (t.isAlive && signalPending(t)) doSignal(this, t);
  }

  /** sched_switch in Linux's format; prev_state R if the previous task is runnable, S asleep, X gone. */
  private traceSwitch(next: Task): void {
    const p = this.prev;
    const state = p === null ? 'R' : p.state === TASK_RUNNING ? 'R' : p.isAlive ? 'S' : 'X';
    const prev = p === null ? 'prev_comm=swapper/0 prev_pid=0' : `prev_comm=${p.comm} prev_pid=${p.pid}`;
    this.trace.emit('sched:sched_switch', `${prev} prev_prio=120 prev_state=${state} ==> next_comm=${next.comm} next_pid=${next.pid} next_prio=120`);
  }

  private saveRegs(t: Task): void {
    const cpu = this.machine.cpu;
    t.regs.set(this.cpuRegs);
    t.pcLo = cpu.pcLo;
    t.pcHi = cpu.pcHi;
  }

  /** Runs kernel code on behalf of t; a host exception becomes t's oops. */
  private guard(t: Task, where: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.oops(t, where, e);
    }
  }

  /**
   * Logs an oops for error `e` raised in `where` while serving t, in Linux's
   * x86-64 shape (proc/oops.ts). The caller decides t's fate.
   */
  reportOops(t: Task | null, where: string, e: unknown): void {
    reportOops(this, t, where, e);
  }

  /** The oops: log it, kill the task as SIGKILL would (wait status 9), keep the kernel running. */
  oops(t: Task, where: string, e: unknown): void {
    this.reportOops(t, where, e);
    try {
      doExit(this, t, SIGKILL);
    } catch (e2) {
      // The task's state is too broken to tear down: drop it from the run queue at least.
      this.sched.remove(t);
      this.tasks.delete(t.pid);
      this.printk.log(`Fixing recursive fault but reboot is needed! (${String(e2)})`, KERN_WARNING);
    }
  }

  // ---- system calls -----------------------------------------------------

  /**
   * The syscall path: number from a7, arguments from a0..a5, the handler's
   * result to a0 and pc past the ecall, except for SYSCALL_RESTART (pc stays
   * at the ecall; the task sleeps and re-issues the call) and
   * SYSCALL_NORETURN (the handler set the registers itself).
   */
  private syscall(t: Task): void {
    const regs = t.regs;
    const nr = regs[2 * REG_A7 + 1] === 0 ? regs[2 * REG_A7]! : -1;
    const half = this.args.half;
    for (let i = 0; i < SYSCALL_ARG_HALVES; i++) half[i] = regs[2 * REG_A0 + i]!;
    const h = nr >= 0 ? this.syscalls[nr] : undefined;
    const traced = this.trace.enabledSpecs().length > 0;
    // A call re-issued after a sleep is, for the tracer, the same call still in progress.
    if (traced && t.restart === Restart.None) this.traceEnter(nr);
    let ret: number;
    if (h === undefined) {
      if (!this.unknownLogged.has(nr)) {
        this.unknownLogged.add(nr);
        this.printk.log(`${t.comm}[${t.pid}]: unknown syscall ${nr >= 0 ? nr : `0x${t.reg(REG_A7).toString(16)}`}`, KERN_INFO);
      }
      ret = -ENOSYS;
    } else {
      this.syscallNr = nr;
      try {
        ret = h(this, t, this.args);
      } finally {
        this.syscallNr = -1;
      }
    }
    if (ret === SYSCALL_RESTART) {
      if (t.restart === Restart.None) t.restart = Restart.Sys;
    } else {
      t.partialWrite = null;
      if (ret !== SYSCALL_NORETURN) {
        t.setReg(REG_A0, ret);
        advancePc(t);
        t.restart = Restart.None;
      }
    }
    if (traced && ret !== SYSCALL_RESTART && t.isAlive) this.traceExit(nr, ret === SYSCALL_NORETURN ? t.reg(REG_A0) : ret);
  }

  private traceEnter(nr: number): void {
    const ev = `syscalls:sys_enter_${syscallName(nr)}`;
    if (this.trace.enabled(ev)) this.trace.emit(ev, syscallEnterText(nr, this.args));
  }

  /** sys_exit_* fires when the call returns to user mode (execve's 0, rt_sigreturn's restored a0); never for exit. */
  private traceExit(nr: number, ret: number): void {
    const ev = `syscalls:sys_exit_${syscallName(nr)}`;
    if (this.trace.enabled(ev)) this.trace.emit(ev, syscallExitText(nr, ret));
  }
}
