// `vmlab dap`: a Debug Adapter Protocol server (VS Code and other DAP
// clients) over the run-control engine, built on the protocol's own SDK
// (@vscode/debugadapter: framing, sequence numbers, request dispatch).
//
// One thread (the debugged process). launch boots the kernel, loads the
// program stopped before its first instruction and starts recording (so
// stepBack and reverseContinue work from the entry; `record: false` turns
// it off), then sends `initialized`; breakpoints set by source line before
// configurationDone stop the first run. Every run request is answered at
// once and its end is a `stopped` event (or `exited` + `terminated`). One
// run at a time: every request gets exactly one response, and one that
// arrives while the program runs is answered at once (the threads, the
// breakpoints, pause, disconnect once the run stopped) or refused with a
// one-line error (what reads the stopped program, another run). The
// debug console's expressions are the REPL's commands (`pt $pc`,
// `info tlb`, `p $a0`...), answered with what the REPL prints. For a C
// program built with -g each frame has Locals and Arguments
// scopes, and a watch or hover on a C expression is a variable: both from
// the DWARF the REPL's info locals reads (emu/debugger/locals.ts), structs,
// arrays and pointers expanding. readMemory and disassemble (VS Code's
// memory and disassembly views) are in dap-memory.ts.
import { basename, resolve } from 'node:path';
import { DebugSession, ErrorDestination, ExitedEvent, InitializedEvent, OutputEvent, Response, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Kernel } from '../../kernel-ts/kernel';
import type { Vfs } from '../../kernel-ts/fs/vfs';
import { ABI_NAMES } from '../machine/isa/registers';
import { cannotExecute, guestEnvironment, loadProgram } from './run';
import { Session } from '../debugger/session';
import { Symbols } from '../debugger/symbols';
import { Debugger } from '../debugger/commands';
import { Quit } from '../debugger/table';
import { callFrames } from '../debugger/engine-goals';
import type { StopEvent } from '../debugger/engine-types';
import { DEFAULT_RECORD_INTERVAL, DEFAULT_RECORD_MAX_BYTES, DEFAULT_RECORD_MAX_INSNS } from '../debugger/record/recorder';
import { hexn } from '../debugger/views';
import { MAX_MEM, MIN_MEM } from './kernel-options';
import { CVariables } from '../debugger/locals';
import type { CVar } from '../debugger/locals';
import { disassemble, readMemory } from './dap-memory';

/** launch's arguments (launch.json): the program and how to boot the kernel. */
export interface LaunchArgs extends DebugProtocol.LaunchRequestArguments {
  program: string;
  args?: string[];
  /** Stop before the first instruction instead of running to the first breakpoint (default false). */
  stopOnEntry?: boolean;
  /** Record from the entry, for stepBack and reverseContinue (default true). */
  record?: boolean;
  paging?: 4 | 5;
  aslr?: boolean;
  /** Guest RAM in MiB (default the kernel's). */
  memMiB?: number;
  /** Kernel modules to load before the program, as the shell's insmod: 'NAME key=value...'. */
  insmod?: string[];
}

const THREAD = 1;
/** The SDK's error code for a request handler that threw. */
const SDK_EXCEPTION = 1104;
const REGS_REF = 1;
const CONTROL_REF = 2;
/** Where the references of C variables that expand start (they last until the program runs again). */
const FIRST_VAR_REF = 100;
/**
 * Requests that read or run the stopped program: while it runs they are
 * refused at once (its stopped event says when to ask again), so that no
 * second run starts and nothing reads a task in the middle of its slice.
 */
// (The handlers of these requests therefore need not check for a run themselves.)
const NEEDS_STOPPED = new Set(['stackTrace', 'scopes', 'variables', 'evaluate', 'readMemory', 'disassemble', 'setVariable', 'setExpression',
  'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

export class VmlabDebugSession extends DebugSession {
  private d: Debugger | null = null;
  /** The run in progress (a run request, the first run, a REPL command in evaluate) until its stop is reported; null while stopped. */
  private running: Promise<void> | null = null;
  private stopOnEntry = false;
  /** configurationDone came: the first run started (a second one starts nothing). */
  private configured = false;
  /** exited and terminated were sent. */
  private ended = false;
  /** Breakpoint numbers per source path, replaced by each setBreakpoints. */
  private readonly bySource = new Map<string, number[]>();
  /** variablesReference -> what it expands to: Locals, Arguments, and structs, arrays and pointers in them. */
  private readonly refs = new Map<number, () => CVar[]>();
  private nextRef = FIRST_VAR_REF;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /**
   * Every request, before the SDK's dispatch: arguments that are not an
   * object, and one that needs the program stopped while it runs, are
   * refused here, with one line each.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const a: unknown = request.arguments;
    if (a !== undefined && (typeof a !== 'object' || a === null || Array.isArray(a))) {
      this.sendErrorResponse(new Response(request), 1, `${request.command}: "arguments" must be an object`);
      return;
    }
    if (this.running !== null && NEEDS_STOPPED.has(request.command)) {
      this.sendErrorResponse(new Response(request), 4, `${request.command}: the program is running (pause it first)`);
      return;
    }
    super.dispatchRequest(request);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsEvaluateForHovers: true,
      supportsInstructionBreakpoints: true,
      supportsSteppingGranularity: true,
      supportsTerminateRequest: false,
      supportsReadMemoryRequest: true,
      supportsDisassembleRequest: true,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): void {
    if (this.d !== null) {
      this.sendErrorResponse(response, 1, 'launch: already launched (one program a session)');
      return;
    }
    const err = launchArgsError((args ?? {}) as unknown as Record<string, unknown>) ?? this.boot(args);
    if (err !== null) {
      this.sendErrorResponse(response, 1, err);
      return;
    }
    this.stopOnEntry = args.stopOnEntry === true;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  /**
   * The SDK answers a request whose handler threw (arguments of the wrong
   * shape: `breakpoints: 5`) with the exception's stack; vmlab's answer is
   * one line.
   */
  override sendErrorResponse(response: DebugProtocol.Response, codeOrMessage: number | DebugProtocol.Message, format?: string, variables?: Record<string, unknown>, dest?: ErrorDestination): void {
    if (codeOrMessage === SDK_EXCEPTION) {
      // A handler that threw after it answered is vmlab's bug: said, and not answered twice.
      if (response.seq > 0) process.stderr.write(`vmlab dap: internal error: ${response.command} threw after its response: ${String(variables?._exception ?? 'error')}\n`);
      else super.sendErrorResponse(response, SDK_EXCEPTION, `${response.command}: bad arguments (${String(variables?._exception ?? 'error')})`);
      return;
    }
    super.sendErrorResponse(response, codeOrMessage as number, format, variables, dest);
  }

  /** Boots the kernel with the program loaded (and recording, unless asked not to); null, or why not. */
  private boot(args: LaunchArgs): string | null {
    let session: Session | null = null;
    const guest = (category: string) => (b: Uint8Array): void => {
      if (session === null || session.showsOutput()) this.sendEvent(new OutputEvent(Buffer.from(b).toString(), category));
    };
    try {
      const prog = loadProgram(args.program, args.args ?? [], (s) => this.sendEvent(new OutputEvent(s, 'stderr')));
      const k = Kernel.boot({
        ...(args.memMiB !== undefined ? { memSize: args.memMiB * 2 ** 20 } : {}),
        ...(args.paging !== undefined ? { paging: args.paging } : {}),
        aslr: args.aslr ?? true,
        stdout: guest('stdout'),
        stderr: guest('stderr'),
        stdin: () => null,
      });
      for (const line of args.insmod ?? []) {
        const [name = '', ...params] = line.trim().split(/\s+/);
        if (k.modules.insmod(name, params, (l) => this.sendEvent(new OutputEvent(`${l}\n`, 'console'))) !== 0) return `insmod ${line}: the module did not load`;
      }
      (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
      const task = k.spawn(`/bin/${prog.name}`, [prog.name, ...prog.args], guestEnvironment());
      if (typeof task === 'number') return cannotExecute(k, args.program, `/bin/${prog.name}`, task);
      session = new Session(k, task, new Symbols(prog.elf));
      this.d = new Debugger(session);
      if (args.record !== false && (args.insmod ?? []).length === 0) {
        const why = session.record({ interval: DEFAULT_RECORD_INTERVAL, maxInsns: DEFAULT_RECORD_MAX_INSNS, maxBytes: DEFAULT_RECORD_MAX_BYTES });
        if (why !== null) this.sendEvent(new OutputEvent(`${why}\n`, 'console'));
      }
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** The first run starts here, unless a run request (or a REPL command) already started the program. */
  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (this.d === null || this.configured) return;
    this.configured = true;
    if (this.running !== null || this.d.s.exited !== null) return;
    if (this.stopOnEntry) this.sendEvent(new StoppedEvent('entry', THREAD));
    else this.run((s) => s.cont());
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const s = this.d?.s;
    const path = args.source.path ?? args.source.name ?? '';
    if (s === undefined) {
      this.sendErrorResponse(response, 2, 'setBreakpoints before launch');
      return;
    }
    for (const n of this.bySource.get(path) ?? []) s.deleteBreakpoint(n);
    const nums: number[] = [];
    response.body = {
      breakpoints: (args.breakpoints ?? []).map((b) => {
        const addr = s.syms.addressOfLine(path, b.line) ?? s.syms.addressOfLine(basename(path), b.line);
        if (addr === undefined) return { verified: false, line: b.line, message: `no code at ${basename(path)}:${b.line}` };
        const bp = s.setBreakpoint(addr, { what: `${basename(path)}:${b.line}`, condition: b.condition ?? null });
        nums.push(bp.num);
        return { id: bp.num, verified: true, line: b.line, instructionReference: hexn(addr) };
      }),
    };
    this.bySource.set(path, nums);
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    const s = this.d?.s;
    if (s === undefined) {
      this.sendErrorResponse(response, 2, 'setInstructionBreakpoints before launch');
      return;
    }
    for (const n of this.bySource.get('<instructions>') ?? []) s.deleteBreakpoint(n);
    const nums: number[] = [];
    response.body = {
      breakpoints: args.breakpoints.map((b) => {
        const addr = Number(b.instructionReference) + (b.offset ?? 0);
        if (!Number.isSafeInteger(addr) || addr < 0) return { verified: false, message: `not an address: ${b.instructionReference}` };
        const bp = s.setBreakpoint(addr, { condition: b.condition ?? null });
        nums.push(bp.num);
        return { id: bp.num, verified: true, instructionReference: hexn(addr) };
      }),
    };
    this.bySource.set('<instructions>', nums);
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const t = this.d?.s.task;
    response.body = { threads: t === undefined ? [] : [new Thread(THREAD, `process ${t.pid} (${t.comm})`)] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const s = this.d?.s;
    if (s === undefined || s.exited !== null) {
      response.body = { stackFrames: [], totalFrames: 0 };
      this.sendResponse(response);
      return;
    }
    const frames = callFrames(s).map(({ pc, lookupPc, level, kind }) => {
      // The rt_sigreturn trampoline a handler returns to: a label frame, named as gdb names it.
      if (kind === 'sigtramp') {
        const f = new StackFrame(level, '<signal handler called>');
        f.presentationHint = 'label';
        f.instructionPointerReference = hexn(pc);
        return f;
      }
      // A caller's function and line are its call's (lookupPc: inside the call, before the return address).
      const l = s.syms.line(lookupPc);
      const name = s.syms.symbolAt(lookupPc)?.sym.name ?? hexn(pc);
      const f = l === undefined ? new StackFrame(level, name) : new StackFrame(level, name, new Source(basename(l.file), resolve(l.file)), l.line, 1);
      f.instructionPointerReference = hexn(pc);
      return f;
    });
    // The frames asked for: startFrame on, at most levels of them (0 or none: all).
    const from = Number.isSafeInteger(args?.startFrame) ? Math.max(0, args.startFrame!) : 0;
    const levels = Number.isSafeInteger(args?.levels) && args.levels! > 0 ? args.levels! : frames.length;
    response.body = { stackFrames: frames.slice(from, from + levels), totalFrames: frames.length };
    this.sendResponse(response);
  }

  /** The frame's Locals and Arguments (a C program built with -g; frameId is the frame's level), then the registers. */
  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const scopes: Scope[] = [];
    const d = this.d;
    const level = args?.frameId ?? 0;
    if (d !== null && d.s.exited === null && Number.isSafeInteger(level) && level >= 0) {
      const c = new CVariables(d, level);
      const locals = c.frameVars('locals');
      const params = c.frameVars('args');
      if (locals !== null) scopes.push(new Scope('Locals', this.ref(() => locals), false));
      if (params !== null) scopes.push(new Scope('Arguments', this.ref(() => params), false));
    }
    scopes.push(new Scope('Registers', REGS_REF, false), new Scope('Control registers', CONTROL_REF, false));
    response.body = { scopes };
    this.sendResponse(response);
  }

  /** A new variablesReference for what `of` lists. */
  private ref(of: () => CVar[]): number {
    const n = this.nextRef++;
    this.refs.set(n, of);
    return n;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const d = this.d;
    const vars: DebugProtocol.Variable[] = [];
    const c = this.refs.get(args?.variablesReference);
    if (c !== undefined) {
      for (const x of c()) vars.push({ name: x.name, value: x.value, type: x.type, variablesReference: x.children === null ? 0 : this.ref(x.children), ...memoryRef(x) });
    } else if (d !== null && d.s.exited === null) {
      const s = d.s;
      const v = (name: string, value: bigint): void => void vars.push({ name, value: hexn(BigInt.asUintN(64, value)), variablesReference: 0 });
      if (args?.variablesReference === REGS_REF) {
        v('pc', BigInt(s.pc));
        for (let r = 1; r < 32; r++) v(ABI_NAMES[r]!, s.reg(r));
      } else if (args?.variablesReference === CONTROL_REF) {
        const mmu = s.k.machine.mmu;
        v('cr0', BigInt(mmu.cr0 >>> 0));
        v('cr2', d.lastCr2);
        v('cr3', BigInt(mmu.cr3));
        v('cr4', BigInt(mmu.cr4 >>> 0));
      }
    }
    response.body = { variables: vars };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const d = this.d;
    if (d === null) {
      this.sendErrorResponse(response, 3, 'not launched');
      return;
    }
    // A watch or a hover on a C variable expands as the Locals do, in the frame it names (frameId is the level).
    if (args.context !== 'repl') {
      let v: CVar | undefined;
      const level = args.frameId;
      try {
        v = (Number.isSafeInteger(level) && level! >= 0 ? new CVariables(d, level) : new CVariables(d)).expression(args.expression);
      } catch (e) {
        this.sendErrorResponse(response, 3, e instanceof Error ? e.message : String(e));
        return;
      }
      if (v !== undefined) {
        response.body = { result: v.value, type: v.type, variablesReference: v.children === null ? 0 : this.ref(v.children), ...memoryRef(v) };
        this.sendResponse(response);
        return;
      }
    }
    if (typeof args.expression !== 'string') {
      this.sendErrorResponse(response, 3, 'evaluate: give "expression" (a string)');
      return;
    }
    const line = args.context === 'repl' ? args.expression : `print ${args.expression}`;
    // A REPL command may run the program (continue, next, run...): it is a run like the others, and ends in a stop.
    const before = d.s.taskInsns();
    this.startRun(
      () => d.execute(line),
      (text) => {
        response.body = { result: text, variablesReference: 0 };
        this.sendResponse(response);
        if (d.s.exited !== null) {
          if (d.s.exited.kind === 'exited') this.sendExit(d.s.exited);
        } else if (d.s.taskInsns() !== before) this.sendEvent(new StoppedEvent('step', THREAD));
      },
      (e) => this.sendErrorResponse(response, 3, e instanceof Quit ? 'quit: disconnect to end the session' : `evaluate: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.memoryView(response, (s) => readMemory(s, args ?? {}));
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.memoryView(response, (s) => disassemble(s, args ?? {}));
  }

  /** readMemory and disassemble: answered while the program is stopped, in the debugged task's address space. */
  private memoryView(response: DebugProtocol.Response, view: (s: Session) => object | string): void {
    const d = this.d;
    if (d === null || d.s.exited !== null) {
      this.sendErrorResponse(response, 5, d === null ? 'not launched' : 'the program has exited');
      return;
    }
    const body = view(d.s);
    if (typeof body === 'string') {
      this.sendErrorResponse(response, 5, body);
      return;
    }
    response.body = body;
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.runRequest(response, (s) => s.cont());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    const insn = args?.granularity === 'instruction';
    this.runRequest(response, (s) => (insn ? s.nexti() : s.next()));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const insn = args?.granularity === 'instruction';
    this.runRequest(response, (s) => (insn ? s.stepi() : s.step()));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.runRequest(response, (s) => s.finish() ?? s.cont());
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    const insn = args?.granularity === 'instruction';
    this.runRequest(response, (s) => (insn ? s.reverseStepi() : s.reverseLine(true)));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.runRequest(response, (s) => s.reverseContinue());
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (this.running !== null) this.d!.s.interrupt();
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    const done = (): void => {
      this.sendResponse(response);
      this.shutdown();
    };
    if (this.running === null) return done();
    // The run stops at its next look at the event loop (at most the engine's sliceInsns instructions on).
    this.d!.s.interrupt();
    void this.running.then(done, done);
  }

  /** Answers a run request, then runs; its stop comes as an event. */
  private runRequest(response: DebugProtocol.Response, op: (s: Session) => Promise<StopEvent | string>): void {
    if (this.d === null || this.ended) {
      this.sendErrorResponse(response, 4, this.d === null ? 'not launched' : 'the program has exited');
      return;
    }
    this.sendResponse(response);
    this.run(op);
  }

  private run(op: (s: Session) => Promise<StopEvent | string>): void {
    const d = this.d!;
    this.startRun(
      () => op(d.s),
      (ev) => this.report(d, ev),
      (e) => {
        this.sendEvent(new OutputEvent(`vmlab dap: internal error: ${e instanceof Error ? e.message : String(e)}\n`, 'stderr'));
        this.sendEvent(new StoppedEvent('exception', THREAD, 'internal error'));
      },
    );
  }

  /**
   * The one place a run starts (run requests, the first run, a REPL
   * command in evaluate): `op` runs the engine, then `stopped` or `failed`
   * reports how it ended, and only then is the adapter stopped again. A
   * throw anywhere (op before its first await, or a report) is reported
   * rather than lost, so a run always ends and its request is answered.
   */
  private startRun<T>(op: () => Promise<T>, stopped: (r: T) => void, failed: (e: unknown) => void): void {
    if (this.running !== null) throw new Error('a run started while another one runs');
    // What the variables' references stood for changes as the program runs.
    this.refs.clear();
    this.nextRef = FIRST_VAR_REF;
    let p: Promise<T>;
    try {
      p = op();
    } catch (e) {
      p = Promise.reject(e);
    }
    this.running = p
      .then(
        (r) => {
          this.running = null;
          stopped(r);
        },
        (e: unknown) => {
          this.running = null;
          failed(e);
        },
      )
      .catch((e: unknown) => {
        this.running = null;
        process.stderr.write(`vmlab dap: internal error: reporting a stop: ${e instanceof Error ? e.message : String(e)}\n`);
      });
  }

  /** exited and terminated, once. */
  private sendExit(ev: Extract<StopEvent, { kind: 'exited' }>): void {
    if (this.ended) return;
    this.ended = true;
    this.sendEvent(new ExitedEvent(ev.exitCode ?? 0));
    this.sendEvent(new TerminatedEvent());
  }

  /** A stop as DAP events: the kernel's notes and the REPL's stop report on the console, then stopped (or exited and terminated). */
  private report(d: Debugger, ev: StopEvent | string): void {
    if (typeof ev === 'string') {
      this.sendEvent(new OutputEvent(`${ev}\n`, 'console'));
      this.sendEvent(new StoppedEvent('step', THREAD));
      return;
    }
    const text = [...d.s.kernelNotes, d.stopReport(ev)].filter((x) => x !== '').join('\n').replace(/^\n+/, '');
    if (text !== '') this.sendEvent(new OutputEvent(`${text}\n`, 'console'));
    if (ev.kind === 'exited') return this.sendExit(ev);
    const stopped = new StoppedEvent(reasonOf(ev), THREAD, ev.kind === 'pagefault' || ev.kind === 'signal' || ev.kind === 'syscall' || ev.kind === 'event' ? text : undefined) as DebugProtocol.StoppedEvent;
    if (ev.kind === 'breakpoint') stopped.body.hitBreakpointIds = [ev.bp.num];
    if (ev.kind === 'history-end') stopped.body.description = 'No more reverse-execution history.';
    this.sendEvent(stopped);
  }
}

/** A pointer's or an array's memoryReference (VS Code's "View binary data" opens readMemory there); nothing for other values. */
function memoryRef(v: CVar): { memoryReference?: string } {
  return v.memory === undefined ? {} : { memoryReference: hexn(v.memory) };
}

/** DAP's stop reasons. */
function reasonOf(ev: StopEvent): string {
  switch (ev.kind) {
    case 'breakpoint':
      return 'breakpoint';
    case 'watch':
      return 'data breakpoint';
    case 'interrupted':
      return 'pause';
    case 'pagefault':
    case 'signal':
    case 'syscall':
    case 'event':
      return 'exception';
    default:
      return 'step';
  }
}

/** What is wrong with launch's arguments (launch.json), or null. */
function launchArgsError(a: Record<string, unknown>): string | null {
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof a.program !== 'string' || a.program === '') return 'launch: give "program" (an ELF file or a .s source)';
  if (a.args !== undefined && !strings(a.args)) return 'launch: "args" must be an array of strings';
  if (a.insmod !== undefined && !strings(a.insmod)) return 'launch: "insmod" must be an array of strings (NAME key=value...)';
  for (const k of ['stopOnEntry', 'record', 'aslr']) if (a[k] !== undefined && typeof a[k] !== 'boolean') return `launch: "${k}" must be true or false`;
  if (a.paging !== undefined && a.paging !== 4 && a.paging !== 5) return 'launch: "paging" must be 4 or 5';
  if (a.memMiB !== undefined && !(Number.isSafeInteger(a.memMiB) && (a.memMiB as number) >= MIN_MEM >> 20 && (a.memMiB as number) <= MAX_MEM / 2 ** 20)) {
    return `launch: "memMiB" must be a whole number of MiB from ${MIN_MEM >> 20} to ${MAX_MEM / 2 ** 20}`;
  }
  return null;
}
