// The debugger's commands: gdb's, each returning its output as text.
// A command returns its output as text (no trailing newline); the front end
// (batch script or prompt) prints it. Mistakes are messages, as gdb's are.
// This file holds the Debugger (what the commands do); table.ts names them.
import { disassembleWord } from '../../asm/disasm';
import { registerNumber } from '../machine/isa/registers';
import { TWO32, bigHi, bigLo } from '../machine/cpu/int64';
import { Access, PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W, pfWords } from '../machine/trap';
import { formatProbe, explainFault } from '../machine/mmu/explain';
import { NR } from '../../kernel-ts/syscalls/numbers';
import { ExprError, evaluate, evaluateTyped } from './expr';
import { INITIAL_EXAMINE, examine, formatPrinted, formatValue } from './examine';
import type { ExamineDefaults } from './examine';
import type { ExprEnv } from './expr';
import { Session } from './session';
import type { ResumeOptions, StopEvent } from './engine-types';
import { backtrace } from './frames';
import { codeWord, inSigtramp } from './unwind';
import type { Breakpoint } from './breakpoints';
import { formatFaults, formatP2v, formatPagetables, formatRegisters, formatTlb, hexn, symSuffix } from './views';
import { Quit, findCommand } from './table';
import { showMaps } from '../../kernel-ts/mm/vma';
import { DEFAULT_RECORD_INTERVAL, DEFAULT_RECORD_MAX_BYTES, DEFAULT_RECORD_MAX_INSNS } from './record/recorder';
import { infoRecord, setRecord } from './timeline';
import { cVariables } from './locals';
import { printFormat } from './c-format';
import { parseSignal, signalName } from '../cli/shell-signals';
import { PAGE_SIZE } from '../machine/mmu/paging';

const PF_BITS: Record<string, number> = { p: PF_P, w: PF_W, u: PF_U, rsvd: PF_RSVD, i: PF_I, pk: PF_PK };

export class Debugger {
  started = false;
  /** The recorder's settings (set record ...), kept across record stop/record. */
  readonly recordSettings = { interval: DEFAULT_RECORD_INTERVAL, maxInsns: DEFAULT_RECORD_MAX_INSNS, maxMiB: DEFAULT_RECORD_MAX_BYTES / 1048576 };
  /** x's format and unit size for the next x that gives none (gdb's last_format, last_size). */
  lastX: ExamineDefaults = INITIAL_EXAMINE;
  /**
   * Where long output goes as it is made (x's dumps), when the front end
   * prints as it goes; null (tests, scripts that collect) returns it whole.
   */
  stream: ((text: string) => void) | null = null;
  private listNext: { file: string; line: number } | null = null;
  readonly env: ExprEnv;

  constructor(readonly s: Session) {
    this.env = {
      register: (name) => this.register(name),
      symbol: (name) => s.syms.lookup(name),
      readMem: (va, size) => s.readVirt(Number(va), size),
      history: (n, back) => (back ? this.values[this.values.length - 1 - n] : n >= 1 ? this.values[n - 1] : undefined),
      translate: (va) => {
        const pa = s.virtToPhys(Number(va));
        return typeof pa === 'number' ? BigInt(pa) : pa;
      },
    };
    s.bps.conditionHolds = (bp) => {
      if (bp.condition === null) return true;
      try {
        return evaluate(bp.condition, this.env) !== 0n;
      } catch {
        return true; // gdb stops when a condition cannot be evaluated
      }
    };
  }

  private register(name: string): bigint | undefined {
    const s = this.s;
    if (name === 'pc') return BigInt(s.pc);
    const mmu = s.k.machine.mmu;
    if (name === 'cr3') return BigInt(mmu.cr3);
    if (name === 'cr0') return BigInt(mmu.cr0 >>> 0);
    if (name === 'cr4') return BigInt(mmu.cr4 >>> 0);
    if (name === 'cr2') return this.lastCr2;
    const r = registerNumber(name);
    return r < 0 ? undefined : s.reg(r);
  }

  lastCr2 = 0n;
  /** The frame `frame N`, `up` and `down` selected (frames.ts), and the position on the time line it was selected at. */
  private selected = { level: 0, at: -1 };

  /** The selected frame's level: 0 once the program has run, stepped or moved in its history since the selection. */
  get frameLevel(): number {
    return this.selected.at === this.s.pos() ? this.selected.level : 0;
  }

  selectFrame(level: number): void {
    this.selected = { level, at: this.s.pos() };
  }

  /** gdb's value history: what print and finish showed, $1 first. */
  readonly values: bigint[] = [];

  /** Adds a value to the history; its number ($N). */
  keep(v: bigint): number {
    this.values.push(v);
    return this.values.length;
  }

  /** Runs one command line; a Quit to end the session. */
  async execute(line: string): Promise<string> {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return '';
    const m = /^([a-zA-Z][\w-]*(?:\/\S*)?)(.*)$/.exec(text);
    if (!m) return `Undefined command: "${text}".  Try "help".`;
    let word = m[1]!, args = m[2]!.trim();
    const slash = word.indexOf('/');
    if (slash > 0) {
      args = `${word.slice(slash)} ${args}`.trim();
      word = word.slice(0, slash);
    }
    // C variables and types (locals.ts): info locals/args, print VAR, ptype, whatis.
    const c = cVariables(this, word, args);
    if (c !== undefined) return c;
    const cmd = findCommand(word);
    if (cmd === undefined) return `Undefined command: "${word}".  Try "help".`;
    try {
      return await cmd.run(this, args);
    } catch (e) {
      if (e instanceof ExprError) return e.message;
      if (e instanceof Quit) throw e;
      // A bug of the debugger's: say so, without a stack trace, and keep the session.
      return `vmlab debug: internal error in "${word}": ${e instanceof Error ? e.message : String(e)} (please report it; the session goes on)`;
    }
  }

  // ---- locations --------------------------------------------------------

  /** `*EXPR`, a number, SYMBOL[+OFF], FILE:LINE or LINE: an address, or an error message. */
  location(spec: string): number | string {
    const t = spec.trim();
    if (t === '') return 'Argument required (a location).';
    const fl = /^(?:(.+):)?(\d+)$/.exec(t);
    if (fl && (fl[1] !== undefined || !/^0x/.test(t))) {
      const file = fl[1] ?? this.currentFile();
      if (file !== undefined) {
        const a = this.s.syms.addressOfLine(file, Number(fl[2]));
        if (a === undefined) return `No line ${fl[2]} in file "${file}".`;
        return a;
      }
    }
    try {
      return Number(BigInt.asUintN(64, evaluate(t.startsWith('*') ? t.slice(1) : t, this.env)));
    } catch (e) {
      if (e instanceof ExprError) return e.message.startsWith('No symbol') ? `Function "${t}" not defined.` : e.message;
      throw e;
    }
  }

  private currentFile(): string | undefined {
    return this.s.syms.line(this.s.pc)?.file;
  }

  /** `0x1007c <main+0x4>` (a virtual address). */
  describe(addr: number): string {
    return `${hexn(addr)}${symSuffix(this.s, addr)}`;
  }

  /** `=> VA 0x10078 <main>:  li a0,1` */
  insnLine(addr: number, marker = '=> '): string {
    const w = this.s.readVirt(addr, 4);
    const where = `${marker}VA ${this.describe(addr)}:`;
    if (typeof w === 'string') return `${where}\t<not mapped>`;
    const d = disassembleWord(Number(w) | 0, addr, (a) => this.s.syms.name(a));
    return `${where}\t${d.text}`;
  }

  /** The source line at addr (`5\t    li a0, 1`), or '' without line info. */
  sourceLine(addr: number): string {
    const l = this.s.syms.line(addr);
    if (l === undefined) return '';
    const text = this.s.syms.sourceLines(l.file)?.[l.line - 1];
    return text === undefined ? `${l.file}:${l.line}` : `${l.file}:${l.line}\t${text}`;
  }

  /**
   * Where the program is: the source line (if any) and the instruction. At
   * the [vdso] rt_sigreturn trampoline (a handler returned, by finish or
   * stepi), gdb's location line `<signal handler called>`, and the
   * instruction read as ptrace (and the unwinder) read it: the page may not
   * be faulted in yet, as it is on the handler's first return.
   */
  frameReport(): string {
    const pc = this.s.pc;
    if (inSigtramp(this.s, pc)) {
      const w = codeWord(this.s, pc);
      const insn = w === null ? '<not mapped>' : disassembleWord(w | 0, pc, (a) => this.s.syms.name(a)).text;
      return `<signal handler called>\n=> VA ${this.describe(pc)}:\t${insn}`;
    }
    const src = this.sourceLine(pc);
    return [src, this.insnLine(pc)].filter((x) => x !== '').join('\n');
  }

  // ---- run control ------------------------------------------------------

  /** Why the last resume stopped ('step' when a step finished). */
  lastStop: StopEvent['kind'] | null = null;

  async resume(opts: ResumeOptions = {}): Promise<string> {
    if (this.s.exited !== null) return 'The program is not being run.';
    this.started = true;
    this.selected.at = -1;
    const ev = await this.s.resume(opts);
    this.lastStop = ev.kind;
    const out = [...this.s.kernelNotes];
    out.push(this.stopReport(ev));
    return out.filter((x) => x !== '').join('\n');
  }

  stopReport(ev: StopEvent): string {
    const s = this.s;
    switch (ev.kind) {
      case 'exited': {
        const pid = s.task.pid;
        if (ev.reason === 'maxInsns') return `[Inferior 1 (process ${pid}) stopped: instruction limit reached]`;
        if (ev.status === null) return `[Inferior 1 (process ${pid}) did not exit (${ev.reason})]`;
        if ((ev.status & 0x7f) !== 0) return `\nProgram terminated with signal ${signalName(ev.status & 0x7f)}.\n[Inferior 1 (process ${pid}) killed]`;
        const code = (ev.status >> 8) & 0xff;
        return code === 0 ? `[Inferior 1 (process ${pid}) exited normally]` : `[Inferior 1 (process ${pid}) exited with code ${code.toString(8).padStart(2, '0')}]`;
      }
      case 'step':
        return this.frameReport();
      case 'breakpoint':
        return `\n${ev.bp.temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${ev.bp.num}, VA ${this.describe(s.pc)}\n${this.frameReport()}`;
      case 'watch': {
        const head = ev.bp.mode === 'write' ? 'Hardware watchpoint' : ev.bp.mode === 'read' ? 'Hardware read watchpoint' : 'Hardware access (read/write) watchpoint';
        const show = (v: bigint | null): string => (v === null ? '<not mapped>' : ev.bp.len > 8 ? hexn(v) : BigInt.asIntN(ev.bp.len * 8, v).toString());
        const vals = ev.bp.mode === 'write' ? `\n\nOld value = ${show(ev.old)}\nNew value = ${show(ev.now)}` : `\n\nValue = ${show(ev.now)}`;
        const pa = ev.bp.physical ? this.s.virtToPhys(ev.addr) : null;
        return `\n${head} ${ev.bp.num}: ${ev.bp.what} (access at VA ${hexn(ev.addr)}${typeof pa === 'number' ? ` = PA ${hexn(pa)}` : ''})${vals}\n${this.frameReport()}`;
      }
      case 'syscall':
        return `\nCatchpoint ${ev.bp.num} (call to syscall ${Session.syscallName(ev.nr)}), VA ${this.describe(s.pc)}\n${this.frameReport()}`;
      case 'signal':
        return `\nCatchpoint ${ev.bp.num} (signal ${signalName(ev.signo)}), VA ${this.describe(s.pc)}\n${this.frameReport()}`;
      case 'pagefault':
        this.lastCr2 = ev.addr;
        return `\n${this.faultReport(ev)}`;
      case 'event':
        if (ev.bp.mode === 'fork') return `\nCatchpoint ${ev.bp.num} (${ev.text}), VA ${this.describe(s.pc)}\n${this.frameReport()}`;
        return `\nCatchpoint ${ev.bp.num} (${ev.bp.mode}): ${ev.text}\n${this.frameReport()}`;
      case 'interrupted':
        return `\nProgram received signal SIGINT, Interrupt.\n${this.frameReport()}`;
      case 'history-end':
        return `\nNo more reverse-execution history.\n${this.frameReport()}`;
    }
  }

  /** A caught #PF: the instruction, CR2, the error code in words, and the walk with the rule that failed. */
  private faultReport(ev: Extract<StopEvent, { kind: 'pagefault' }>): string {
    const access = ev.error & PF_I ? Access.Fetch : ev.error & PF_W ? Access.Write : Access.Read;
    const mmu = this.s.k.machine.mmu;
    const probe = mmu.probe(bigLo(ev.addr), bigHi(ev.addr), access, 3);
    const lines = [
      `Catchpoint ${ev.bp.num} (pagefault${ev.bp.what === '' ? '' : ` ${ev.bp.what}`}), page fault at VA ${this.describe(ev.ip)}`,
      this.insnLine(ev.ip),
      `CR2   = VA ${hexn(ev.addr)}`,
      `error = ${hexn(ev.error)} (${pfWords(ev.error)})`,
      `walk from CR3 = PA ${hexn(mmu.cr3 - (mmu.cr3 % PAGE_SIZE))}:`,
      ...walkLines(formatProbe(probe)),
      `(continue or stepi: the kernel handles the fault, then the instruction runs again)`,
    ];
    if (probe.kind === 'fault') this.lastExplain = explainFault(probe);
    return lines.join('\n');
  }

  lastExplain = '';

  // ---- breakpoints ------------------------------------------------------

  breakCmd(args: string, temporary: boolean): string {
    const m = /^(.*?)(?:\s+if\s+(.+))?$/.exec(args)!;
    const spec = m[1]!.trim() === '' ? `*${this.s.pc}` : m[1]!;
    const addr = this.location(spec);
    if (typeof addr === 'string') return addr;
    const bp = this.s.addBreakpoint({ kind: 'breakpoint', what: spec, addr, temporary, condition: m[2] ?? null });
    const l = this.s.syms.line(addr);
    // gdb names the line a FILE:LINE or LINE breakpoint was asked for, though the row it stops on there may be another line's (-O2).
    const asked = /^(?:\S+:)?(\d+)$/.exec(spec.trim());
    return `${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${bp.num} at VA ${this.describe(addr)}${l ? `: file ${l.file}, line ${asked === null ? l.line : Number(asked[1])}.` : ''}`;
  }

  infoBreakpoints(): string {
    const bps = this.s.breakpoints;
    if (bps.length === 0) return 'No breakpoints, watchpoints or catchpoints.';
    const lines = ['Num     Type            Disp Enb Address            What'];
    for (const b of bps) {
      const type = b.kind === 'breakpoint' ? 'breakpoint' : b.kind === 'watchpoint' ? (b.mode === 'write' ? 'hw watchpoint' : b.mode === 'read' ? 'read watchpoint' : 'acc watchpoint') : 'catchpoint';
      const addr = b.kind === 'breakpoint' ? `VA ${hexn(b.addr)}` : '';
      const what = b.kind === 'breakpoint' ? `${symSuffix(this.s, b.addr).trim()} ${b.what}`.trim() : b.kind === 'catchpoint' ? `${b.mode} ${b.what}`.trim() : b.what;
      lines.push(`${String(b.num).padEnd(8)}${type.padEnd(16)}${(b.temporary ? 'del' : 'keep').padEnd(5)}${(b.enabled ? 'y' : 'n').padEnd(4)}${addr.padEnd(19)}${what}`);
      if (b.condition !== null) lines.push(`\tstop only if ${b.condition}`);
      if (b.hits > 0) lines.push(`\tbreakpoint already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`);
      if (b.ignore > 0) lines.push(`\tWill ignore next ${b.ignore} crossings of breakpoint.`);
    }
    return lines.join('\n');
  }

  bpList(args: string): Breakpoint[] | string {
    if (args.trim() === '') return [...this.s.breakpoints];
    const out: Breakpoint[] = [];
    for (const w of args.trim().split(/\s+/)) {
      const b = this.s.breakpoints.find((x) => x.num === Number(w));
      if (b === undefined) return `No breakpoint number ${w}.`;
      out.push(b);
    }
    return out;
  }

  catchCmd(args: string): string {
    const [what = '', ...rest] = args.trim().split(/\s+/);
    if (what === 'pagefault') {
      let mustSet = 0, mustClear = 0;
      const filter = rest.join('');
      for (const part of filter.split(',').filter((x) => x !== '')) {
        const neg = part.startsWith('!');
        const bit = PF_BITS[part.replace(/^!/, '').toLowerCase()];
        if (bit === undefined) return `catch pagefault: unknown error-code bit '${part}' (use p, w, u, rsvd, i, pk, and !BIT)`;
        if (neg) mustClear |= bit;
        else mustSet |= bit;
      }
      const bp = this.s.addBreakpoint({ kind: 'catchpoint', mode: 'pagefault', what: filter, mustSet, mustClear });
      return `Catchpoint ${bp.num} (pagefault${filter === '' ? '' : ` ${filter}`})`;
    }
    if (what === 'syscall') {
      const nrs: number[] = [];
      for (const n of rest) {
        const nr = /^\d+$/.test(n) ? Number(n) : (NR as Record<string, number>)[n];
        if (nr === undefined) return `Unknown syscall name '${n}'.`;
        nrs.push(nr);
      }
      const bp = this.s.addBreakpoint({ kind: 'catchpoint', mode: 'syscall', what: rest.join(' '), syscalls: nrs });
      return `Catchpoint ${bp.num} (syscall${nrs.length === 0 ? '' : `s ${rest.map((n, i) => `'${Session.syscallName(nrs[i]!)}' [${nrs[i]}]`).join(' ')}`})`;
    }
    if (what === 'signal') {
      const signals: number[] = [];
      for (const n of rest.filter((w) => w !== 'all')) {
        const signo = /^\d+$/.test(n) && Number(n) >= 1 && Number(n) <= 64 ? Number(n) : parseSignal(n);
        if (signo === null || signo === 0) return /^\d+$/.test(n) ? 'Only signals 1-64 are valid as numeric signals.' : `Unknown signal name '${n}'.`;
        signals.push(signo);
      }
      const names = signals.map(signalName);
      const bp = this.s.addBreakpoint({ kind: 'catchpoint', mode: 'signal', what: names.length === 0 ? '<any signal>' : names.join(' '), signals });
      return `Catchpoint ${bp.num} (${names.length === 0 ? 'any signal' : `signal${names.length > 1 ? 's' : ''} ${names.join(' ')}`})`;
    }
    if (what === 'tlb-miss' || what === 'invlpg' || what === 'cr3' || what === 'fork') {
      const bp = this.s.addBreakpoint({ kind: 'catchpoint', mode: what, what: '' });
      return `Catchpoint ${bp.num} (${what})`;
    }
    return `catch ${what}: not supported (supported: pagefault [FILTER], syscall [NAME...], signal [NAME...], fork, tlb-miss, invlpg, cr3)`;
  }

  watchCmd(args: string, mode: 'write' | 'read' | 'access'): string {
    const phys = /^-p(hysical)?\s+/.exec(args.trim());
    const m = /^(.*?)(?:\s+len\s+(\d+))?$/.exec(args.trim().slice(phys ? phys[0].length : 0))!;
    const spec = m[1]!;
    if (spec === '') return 'Argument required (expression to compute).';
    // `watch VAR` watches the variable's 8 bytes; `watch *(int*)ADDR` its type's size; `watch -l ADDR` the address.
    const cast = /^\*\s*\((\w[\w ]*)\*\)\s*(.+)$/.exec(spec);
    let addr: number, len = 8;
    if (cast) {
      const sizes: Record<string, number> = { char: 1, short: 2, int: 4, long: 8 };
      len = sizes[cast[1]!.trim()] ?? 8;
      const a = this.location(cast[2]!);
      if (typeof a === 'string') return a;
      addr = a;
    } else {
      const a = this.location(spec.replace(/^-l(ocation)?\s+/, ''));
      if (typeof a === 'string') return a;
      addr = a;
    }
    if (m[2] !== undefined) len = Number(m[2]);
    const bp = this.s.addBreakpoint({ kind: 'watchpoint', mode, what: phys ? `-p ${spec}` : spec, addr, len, physical: phys !== null });
    const head = mode === 'write' ? 'Hardware watchpoint' : mode === 'read' ? 'Hardware read watchpoint' : 'Hardware access (read/write) watchpoint';
    return `${head} ${bp.num}: ${bp.what} (${phys ? 'PA' : 'VA'} ${hexn(addr)}, ${len} bytes${phys ? ', through any mapping' : ''})`;
  }

  // ---- data -------------------------------------------------------------

  printCmd(args: string): string {
    const f = printFormat(args);
    if (typeof f === 'string') return f;
    if (f.rest.trim() === '') return 'Argument required (expression to compute).';
    const { v, size } = evaluateTyped(f.rest, this.env);
    // An integer at its type's width (an int literal's 4 bytes, a register's 8): /s and /f are the default, /a adds the symbol.
    const sym = f.fmt === 'a' ? this.s.syms.dataSymbol(Number(BigInt.asUintN(64, v))) : '';
    const text = f.fmt === 'a' ? `${formatValue(v, 'a', 8)}${sym === '' ? '' : ` ${sym}`}` : formatPrinted(v, f.fmt, size);
    return `$${this.keep(v)} = ${text}`;
  }

  setCmd(args: string): string {
    if (/^record\b/.test(args.trim())) return setRecord(this, args.trim().slice(6));
    const ffm = /^follow-fork-mode(?:\s+(\S+))?$/.exec(args.trim());
    if (ffm) {
      if (ffm[1] !== 'parent' && ffm[1] !== 'child') return 'Requires an argument. Valid arguments are child, parent.';
      this.s.followForkMode = ffm[1];
      return '';
    }
    const t = args.replace(/^var(iable)?\s+/, '');
    const m = /^(.+?)\s*=\s*(.+)$/.exec(t);
    if (!m) return 'usage: set var $REG = EXPR | set var *(TYPE*)ADDR = EXPR';
    const lhs = m[1]!.trim();
    const v = evaluate(m[2]!, this.env);
    if (lhs.startsWith('$')) {
      const name = lhs.slice(1);
      if (name === 'pc') {
        this.s.pc = Number(BigInt.asUintN(64, v));
        return this.s.edited();
      }
      const r = registerNumber(name);
      if (r < 0) return `Invalid register '${lhs}'.`;
      this.s.setReg(r, v);
      return this.s.edited();
    }
    const cast = /^\*\s*\((\w[\w ]*)\*\)\s*(.+)$/.exec(lhs) ?? /^\*()(.+)$/.exec(lhs);
    if (!cast) return `Left operand of assignment is not an lvalue.`;
    const sizes: Record<string, number> = { char: 1, short: 2, int: 4, long: 8, '': 8 };
    const addr = Number(BigInt.asUintN(64, evaluate(cast[2]!, this.env)));
    const err = this.s.writeVirt(addr, sizes[cast[1]!.trim()] ?? 8, BigInt.asUintN(64, v));
    return err ?? this.s.edited();
  }

  /** x/NFU (virtual) and xp/NFU (physical): examine.ts. */
  examine(args: string, physical: boolean): string {
    return examine(this, args, physical);
  }

  disassemble(args: string): string {
    let start: number, end: number;
    const t = args.trim();
    if (t === '') {
      const sym = this.s.syms.symbolAt(this.s.pc);
      if (sym === undefined) return 'No function contains the program counter.';
      start = sym.sym.value;
      end = start + (sym.sym.size > 0 ? sym.sym.size : Math.max(sym.off + 4, 64));
    } else {
      const m = /^(.+?)\s*,\s*(\+?)(.+)$/.exec(t);
      const a = this.location(m ? m[1]! : t);
      if (typeof a === 'string') return a;
      start = a;
      if (m) {
        const b = Number(evaluate(m[3]!, this.env));
        end = m[2] === '+' ? a + b : b;
      } else {
        const sym = this.s.syms.symbolAt(a);
        end = sym && sym.sym.size > 0 ? sym.sym.value + sym.sym.size : a + 32;
        if (sym && sym.sym.size > 0) start = sym.sym.value;
      }
    }
    const lines = [`Dump of assembler code from VA ${hexn(start)} to VA ${hexn(end)}:`];
    for (let a = start; a < end && lines.length < 1000; a += 4) lines.push(this.insnLine(a, a === this.s.pc ? '=> ' : '   '));
    lines.push('End of assembler dump.');
    return lines.join('\n');
  }

  /** The call frames (unwind.ts), one line a frame. */
  backtrace(): string {
    return backtrace(this);
  }

  list(args: string): string {
    let file: string, line: number;
    const t = args.trim();
    if (t === '' && this.listNext !== null) ({ file, line } = this.listNext);
    else {
      const a = t === '' ? this.s.pc : this.location(t);
      if (typeof a === 'string') return a;
      const l = this.s.syms.line(a);
      if (l === undefined) return `No line number information available for address VA ${this.describe(a)}`;
      file = l.file;
      line = Math.max(1, l.line - 5);
    }
    const text = this.s.syms.sourceLines(file);
    if (text === null) return `${file}: cannot read the source.`;
    const out: string[] = [];
    for (let i = line; i < line + 10 && i <= text.length; i++) out.push(`${i}\t${text[i - 1]}`);
    this.listNext = { file, line: line + 10 };
    return out.join('\n');
  }

  pt(args: string): string {
    const [vaText = '', acc = 'r'] = args.trim().split(/\s+(?=[rwx]$)/);
    if (vaText === '') return 'usage: pt VA [r|w|x]';
    const va = Number(BigInt.asUintN(64, evaluate(vaText, this.env)));
    const access = acc === 'w' ? Access.Write : acc === 'x' ? Access.Fetch : Access.Read;
    const mmu = this.s.k.machine.mmu;
    const probe = mmu.probe(va | 0, Math.floor(va / TWO32) | 0, access, 3);
    return [`VA ${hexn(va)}: walk from CR3 = PA ${hexn(mmu.cr3 - (mmu.cr3 % PAGE_SIZE))} (${probe.pagingLevels}-level paging)`, ...walkLines(formatProbe(probe))].join('\n');
  }

  v2p(args: string): string {
    const va = Number(BigInt.asUintN(64, evaluate(args, this.env)));
    const mmu = this.s.k.machine.mmu;
    const r = mmu.probe(va | 0, Math.floor(va / TWO32) | 0, Access.Read, 3);
    if (r.kind === 'fault') return `VA ${hexn(va)} -> no translation: ${explainFault(r)}`;
    return `VA ${hexn(va)} -> PA ${hexn(r.pa)} (${r.pageSize} page at PA ${hexn(r.pageBase)})`;
  }

  infoCmd(args: string): string {
    const [sub = '', ...restWords] = args.trim().split(/\s+/);
    const rest = restWords.join(' ');
    const s = this.s;
    const k = s.k;
    const levels = k.opts.paging;
    switch (true) {
      case sub === '':
        return 'info: give a subcommand (see "help info").';
      case 'breakpoints'.startsWith(sub) || sub === 'watchpoints':
        return this.infoBreakpoints();
      case 'registers'.startsWith(sub) || sub === 'regs' || sub === 'all-registers':
        return formatRegisters(s, restWords.map((w) => w.replace(/^\$/, '')).filter((w) => w !== ''), this.lastCr2);
      case sub === 'symbol': {
        const a = Number(BigInt.asUintN(64, evaluate(rest, this.env)));
        const sym = s.syms.symbolAt(a);
        return sym === undefined ? `No symbol matches ${rest}.` : `${sym.sym.name}${sym.off === 0 ? '' : ` + ${sym.off}`} in section ${sym.sym.section}`;
      }
      case sub === 'line': {
        const a = rest === '' ? s.pc : this.location(rest);
        if (typeof a === 'string') return a;
        const l = s.syms.line(a);
        return l === undefined ? `No line number information available for address VA ${this.describe(a)}` : `Line ${l.line} of "${l.file}" is at VA ${this.describe(a)}.`;
      }
      case sub === 'pagetables': {
        const half = restWords.includes('kernel') ? 'kernel' : restWords.includes('all') ? 'all' : 'user';
        const range = restWords.filter((w) => w !== 'user' && w !== 'kernel' && w !== 'all').join(' ');
        let r: [bigint, bigint] | undefined;
        if (range !== '') {
          const m = /^(.+?)\s*(?:-|,)\s*(.+)$/.exec(range);
          if (!m) return 'usage: info pagetables [START-END] [user|kernel|all]';
          r = [BigInt.asUintN(64, evaluate(m[1]!, this.env)), BigInt.asUintN(64, evaluate(m[2]!, this.env))];
        }
        const root = k.machine.mmu.cr3;
        return `page tables at CR3 = PA ${hexn(root - (root % PAGE_SIZE))} (${half} half)\n${formatPagetables(k, root, levels, half, r)}`;
      }
      case sub === 'tlb':
        return formatTlb(k);
      case sub === 'record' || sub === 'rec':
        return infoRecord(this);
      case sub === 'maps':
      case sub === 'mappings':
        return s.task.mm === null ? 'No address space.' : showMaps(s.task.mm.vmas).trimEnd();
      case sub === 'faults':
        return formatFaults(s.faults);
      case sub === 'proc':
        return `process ${s.task.pid} (${s.task.comm})${s.task.isAlive ? '' : ' [exited]'}\ncr3 = ${hexn(k.machine.mmu.cr3)} (top-level table at PA ${hexn(k.machine.mmu.cr3 - (k.machine.mmu.cr3 % PAGE_SIZE))}, PCID ${k.machine.mmu.currentPcid}), ${levels}-level paging\ninstructions retired: ${s.taskInsns()} by this process, ${k.machine.cpu.instret} by the machine`;
      case sub === 'inferiors': {
        // Every process of the kernel; * marks the one being debugged.
        const lines = ['  PID   PPID  State     Command'];
        for (const t of k.tasks.values()) {
          const state = t.isAlive ? (t.state === 0 ? 'running' : 'sleeping') : 'exited';
          lines.push(`${t === s.task ? '*' : ' '} ${String(t.pid).padEnd(6)}${String(t.parent?.pid ?? 0).padEnd(6)}${state.padEnd(10)}${t.comm}`);
        }
        return lines.join('\n');
      }
      case sub === 'frames': {
        const pa = rest === '' ? null : Number(BigInt.asUintN(64, evaluate(rest, this.env))) * PAGE_SIZE;
        if (pa === null) return `frames in use: ${k.mm.framesInUse()} of ${k.mm.memMap.nrFrames}`;
        const pfn = pa / PAGE_SIZE;
        if (!k.mm.memMap.pfnValid(pfn)) return `PFN ${hexn(pfn)} is beyond RAM.`;
        return `PA ${hexn(pa)}: ${k.mm.memMap.describe(pfn)}\n${formatP2v(k, pa, levels)}`;
      }
      default:
        return `Undefined info command: "${sub}".  Try "help info".`;
    }
  }
}

/** formatProbe's lines, indented, with each physical address marked PA (the walk reads physical memory only). */
export function walkLines(text: string): string[] {
  return text.split('\n').map((l) => `  ${l.replace(/ (at|table|page) 0x/g, ' $1 PA 0x').replace(/-> PA 0x/g, '-> PA 0x').replace(/ of 0x/, ' of VA 0x')}`);
}
