// Random guest programs for the syscalls target: straight-line sequences of
// operations (system calls with generated arguments, stores that build
// structures in a scratch buffer, memory touches, signal handlers, forks
// whose children run operations of their own), written out as RISC-V
// assembly for vmlab's assembler. The programs have no loops but the bounded
// fill loop, so every case ends within its instruction budget unless the
// kernel misbehaves, or the program makes a raw rt_sigreturn (which may jump
// anywhere: such a program may loop, see `mayLoop`).
import type { Rng } from '../harness/rng';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { BUF_SIZE, CALLS, NR_SLOTS, SA_BITS, STR, STRINGS, buf, edge, imm, len, ptr, sig, slot, str } from './syscall-args';
import type { Arg, Slots } from './syscall-args';

/**
 * The harness's own system call: the signal handler reports (signo, its
 * frame, the address a touch was making, its size, the address of its access
 * instruction) and is told what to do:
 * return (an asynchronous signal), step over the faulting access, or exit.
 */
export const FUZZ_REPORT_NR = 4000;
export const REPORT_RETURN = 0;
export const REPORT_SKIP = 1;
export const REPORT_EXIT = 2;
const SA_SIGINFO = 4;
/** sc_regs.pc in the riscv64 signal frame (kernel-ts/proc/sigframe.ts: siginfo 128, ucontext mcontext at 304). */
const FRAME_PC = 304;

export type Op =
  | { readonly kind: 'sys'; readonly nr: number; readonly args: readonly Arg[]; readonly slot: number }
  /** Stores a 64-bit value at buf + off (to build iovecs, timespecs, sigsets, argv arrays). */
  | { readonly kind: 'poke'; readonly off: number; readonly v: Arg }
  /** A load or store of `size` bytes at addr, with the address (and the instruction's) recorded as the one a fault must report. */
  | { readonly kind: 'touch'; readonly addr: Arg; readonly size: 1 | 2 | 4 | 8; readonly write: boolean }
  /** Stores v at dst, dst + 8, ... `count` times. */
  | { readonly kind: 'fill'; readonly dst: Arg; readonly count: number; readonly v: Arg }
  | { readonly kind: 'sigaction'; readonly sig: number; readonly handler: 'dfl' | 'ign' | 'fuzz' | 'bad'; readonly flags: number; readonly mask: bigint; readonly slot: number }
  /** fork(); the child runs `child` and exits with `code`; the parent goes on. */
  | { readonly kind: 'fork'; readonly child: readonly Op[]; readonly code: number; readonly slot: number };

export interface Program {
  readonly ops: readonly Op[];
  /** Whether the program may loop by design (a raw rt_sigreturn). */
  readonly mayLoop: boolean;
}

/** The little program execve targets: exits with argc. */
export const CHILD_SOURCE = '.globl _start\n_start:\n  ld a0, 0(sp)\n  li a7, 94\n  ecall\n';

interface GenState {
  slots: Slots;
  nextSlot: number;
  rawClones: number;
  forkDepth: number;
  mayLoop: boolean;
}

function newSlot(g: GenState): number {
  return g.nextSlot++ % NR_SLOTS;
}

/** One system call from the CALLS table (weights), its result recorded in a slot. */
function genCall(r: Rng, g: GenState): Op {
  const weights: Record<string, number> = {};
  for (const [name, c] of Object.entries(CALLS)) weights[name] = c.weight;
  let name = r.weighted(weights);
  if (name === 'clone' && (g.rawClones >= 2 || g.forkDepth > 0)) name = 'getpid';
  if (name === 'clone') g.rawClones++;
  const c = CALLS[name]!;
  const args = c.args.map((a) => a(r, g.slots));
  const s = newSlot(g);
  if (c.yields !== undefined) g.slots[c.yields].push(s);
  let nr = c.nr;
  if (nr < 0) nr = r.chance(0.8) ? r.int(600) : Number(BigInt.asUintN(31, r.u64()));
  if (nr === NR.rt_sigreturn || nr === NR.exit || nr === NR.exit_group) nr = NR.getpid;
  return { kind: 'sys', nr, args, slot: s };
}

/** Structures in the buffer the calls read: iovecs, timespecs, sigsets, sigactions. */
function genPoke(r: Rng, g: GenState): Op {
  const off = r.pick([0, 8, 16, 24, 32, 48, 0x100, 0x108, 0x110, 0x118, 0xff00, r.int(BUF_SIZE / 8) * 8]);
  const x = r.unit();
  let v: Arg;
  if (x < 0.3) v = imm(r.int(4096));
  else if (x < 0.5) v = ptr(r, g.slots);
  else if (x < 0.6) v = imm(r.int(1_000_000_000)); // tv_nsec
  else v = edge(r);
  return { kind: 'poke', off, v };
}

function genTouch(r: Rng, g: GenState): Op {
  const size = r.pick([1, 2, 4, 8] as const);
  return { kind: 'touch', addr: r.chance(0.7) ? ptr(r, g.slots) : edge(r), size, write: r.chance(0.5) };
}

/** An argv array for execve: `count` pointers to one string, then a NULL. */
function genArgvScenario(r: Rng, g: GenState): Op[] {
  const count = r.chance(0.9) ? r.range(1, 64) : r.magnitude(17);
  const at = r.pick([0x8000, 0x4000, 0]);
  const s = STR['/tmp/a']!;
  const ops: Op[] = [
    { kind: 'fill', dst: buf(at), count: Math.min(count, (BUF_SIZE - at) / 8 - 1), v: str(s) },
    { kind: 'poke', off: at + 8 * Math.min(count, (BUF_SIZE - at) / 8 - 1), v: imm(0) },
  ];
  // A big argv lives in a fresh mapping instead: mmap, fill with pointers to the buffer's string.
  if (count > (BUF_SIZE - at) / 8 - 1) {
    const m = newSlot(g);
    ops.length = 0;
    ops.push(
      { kind: 'sys', nr: NR.mmap, args: [imm(0), imm((count + 1) * 8 + 4096), imm(3), imm(0x22), imm(-1), imm(0)], slot: m },
      { kind: 'fill', dst: slot(m), count: r.range(1, 32), v: imm(0x4141414141414141n) },
      { kind: 'fill', dst: slot(m, 4096), count, v: slot(m) },
    );
    ops.push({ kind: 'sys', nr: NR.execve, args: [str(STR['/bin/child']!), slot(m, 4096), r.chance(0.5) ? imm(0) : slot(m, 4096)], slot: newSlot(g) });
    return ops;
  }
  ops.push({ kind: 'sys', nr: NR.execve, args: [str(r.pick([STR['/bin/child']!, STR['/tmp/a']!, STR['/dev/zero']!, r.int(STRINGS.length)])), buf(at), r.chance(0.5) ? imm(0) : buf(at)], slot: newSlot(g) });
  return ops;
}

function genSigaction(r: Rng, g: GenState): Op {
  const handler = r.weighted({ fuzz: 6, dfl: 2, ign: 2, bad: 1 } as const);
  let flags = 0;
  for (const b of SA_BITS) if (r.chance(0.2)) flags |= b;
  const s = sig(r);
  return { kind: 'sigaction', sig: s.k === 'imm' ? Number(BigInt.asIntN(32, s.v)) : 10, handler, flags: flags >>> 0, mask: r.chance(0.7) ? 0n : r.u64(), slot: newSlot(g) };
}

/** A list of operations; the top level may fork children (depth <= 2). */
function genOps(r: Rng, g: GenState, n: number): Op[] {
  const ops: Op[] = [];
  while (ops.length < n) {
    const kind = r.weighted({ call: 60, poke: 12, touch: 8, sigaction: 5, fork: g.forkDepth < 2 ? 4 : 0, argv: 1, mmapfile: 3, huge: 2 } as const);
    if (kind === 'call') ops.push(genCall(r, g));
    else if (kind === 'poke') ops.push(genPoke(r, g));
    else if (kind === 'touch') ops.push(genTouch(r, g));
    else if (kind === 'sigaction') ops.push(genSigaction(r, g));
    else if (kind === 'argv') ops.push(...genArgvScenario(r, g));
    else if (kind === 'mmapfile') ops.push(...genFileMapping(r, g));
    else if (kind === 'huge') ops.push(...genHugeCandidate(r, g));
    else {
      const s = newSlot(g);
      g.forkDepth++;
      const child = genOps(r, g, r.range(1, 12));
      g.forkDepth--;
      g.slots.pid.push(s);
      ops.push({ kind: 'fork', child, code: r.int(256), slot: s });
    }
  }
  return ops;
}

/** A populated anonymous mapping of 2-4 MiB, written to: what khugepaged collapses into 2 MiB pages. */
function genHugeCandidate(r: Rng, g: GenState): Op[] {
  const m = newSlot(g);
  g.slots.addr.push(m);
  const len = r.pick([2, 3, 4]) << 20;
  return [
    { kind: 'sys', nr: NR.mmap, args: [imm(0), imm(len), imm(3), imm(0x8022), imm(-1), imm(0)], slot: m },
    { kind: 'touch', addr: slot(m, r.int(len / 4096) * 4096), size: 8, write: true },
  ];
}

/** open /tmp/a (or /dev/zero), write to it, map it shared or private, touch it. */
function genFileMapping(r: Rng, g: GenState): Op[] {
  const fd = newSlot(g);
  const m = newSlot(g);
  g.slots.fd.push(fd);
  g.slots.addr.push(m);
  const pages = r.range(1, 8);
  const file = r.chance(0.8) ? STR['/tmp/a']! : STR['/dev/zero']!;
  return [
    { kind: 'sys', nr: NR.openat, args: [imm(-100), str(file), imm(0o102), imm(0o644)], slot: fd },
    { kind: 'sys', nr: NR.write, args: [slot(fd), buf(0), len(r)], slot: newSlot(g) },
    { kind: 'sys', nr: NR.mmap, args: [imm(0), imm(pages * 4096), imm(r.pick([1, 3, 3, 5])), imm(r.pick([1, 2])), slot(fd), imm(4096 * r.int(3))], slot: m },
    { kind: 'touch', addr: slot(m, 4096 * r.int(pages)), size: 8, write: r.chance(0.5) },
  ];
}

export function generateProgram(r: Rng): Program {
  const g: GenState = { slots: { fd: [], addr: [], pid: [] }, nextSlot: 0, rawClones: 0, forkDepth: 0, mayLoop: false };
  const ops: Op[] = [];
  // Mostly, faults go to the handler, which steps over the faulting access: the program goes on.
  if (r.chance(0.9)) for (const sig of [11, 7]) ops.push({ kind: 'sigaction', sig, handler: 'fuzz', flags: SA_SIGINFO, mask: 0n, slot: newSlot(g) });
  ops.push(...genOps(r, g, r.range(4, 48)));
  if (r.chance(0.02)) {
    ops.splice(r.int(ops.length), 0, { kind: 'sys', nr: NR.rt_sigreturn, args: [], slot: newSlot(g) });
    g.mayLoop = true;
  }
  return { ops, mayLoop: g.mayLoop };
}

// ---- assembly ----------------------------------------------------------------

const hex = (v: bigint): string => `0x${v.toString(16)}`;

class Emitter {
  readonly lines: string[] = [];
  private label = 0;

  fresh(): string {
    return `.Lfz${this.label++}`;
  }

  /** Puts the value of a into register rd (t0 may be clobbered). */
  arg(rd: string, a: Arg): void {
    const L = this.lines;
    switch (a.k) {
      case 'imm':
        L.push(`  li ${rd}, ${hex(a.v)}`);
        return;
      case 'slot':
        L.push(`  ld ${rd}, ${8 * a.i}(s0)`);
        if (a.add !== 0n) L.push(`  li t0, ${hex(a.add)}`, `  add ${rd}, ${rd}, t0`);
        return;
      case 'buf':
        L.push(`  la ${rd}, fz_buf`);
        if (a.off !== 0) L.push(`  li t0, ${a.off}`, `  add ${rd}, ${rd}, t0`);
        return;
      case 'str':
        L.push(`  la ${rd}, fz_str${a.i}`);
        return;
      case 'sp':
        L.push(`  li t0, ${a.off}`, `  add ${rd}, sp, t0`);
        return;
      case 'text':
        L.push(`  la ${rd}, _start`);
    }
  }

  ecall(nr: number, slotIndex: number): void {
    this.lines.push(`  li a7, ${nr}`, '  ecall', `  sd a0, ${8 * slotIndex}(s0)`);
  }

  op(o: Op): void {
    const L = this.lines;
    switch (o.kind) {
      case 'sys':
        o.args.forEach((a, i) => this.arg(`a${i}`, a));
        this.ecall(o.nr, o.slot);
        return;
      case 'poke':
        this.arg('t1', o.v);
        L.push('  la t2, fz_buf', `  li t0, ${o.off}`, '  add t2, t2, t0', '  sd t1, 0(t2)');
        return;
      case 'touch': {
        const insn = o.write ? ['sb', 'sh', 'sw', 'sd'][Math.log2(o.size)]! : ['lbu', 'lhu', 'lwu', 'ld'][Math.log2(o.size)]!;
        const at = this.fresh();
        this.arg('t1', o.addr);
        L.push('  la t3, fz_expect', '  sd t1, 0(t3)', `  li t0, ${o.size}`, '  sd t0, 8(t3)', `  la t0, ${at}`, '  sd t0, 16(t3)');
        L.push(`${at}:`, o.write ? `  ${insn} t3, 0(t1)` : `  ${insn} t2, 0(t1)`, '  sd zero, 8(t3)', '  sd zero, 0(t3)');
        return;
      }
      case 'fill': {
        if (o.count <= 0) return;
        const loop = this.fresh();
        this.arg('t1', o.dst);
        this.arg('t2', o.v);
        L.push(`  li t3, ${o.count}`, `${loop}:`, '  sd t2, 0(t1)', '  addi t1, t1, 8', '  addi t3, t3, -1', `  bnez t3, ${loop}`);
        return;
      }
      case 'sigaction': {
        const h = o.handler === 'fuzz' ? 'la t1, fz_handler' : `li t1, ${o.handler === 'dfl' ? 0 : o.handler === 'ign' ? 1 : '0x7ffffffff000'}`;
        L.push('  la t2, fz_act', `  ${h}`, '  sd t1, 0(t2)', `  li t1, ${o.flags}`, '  sd t1, 8(t2)', `  li t1, ${hex(o.mask)}`, '  sd t1, 16(t2)');
        L.push(`  li a0, ${o.sig}`, '  mv a1, t2', '  li a2, 0', '  li a3, 8');
        this.ecall(NR.rt_sigaction, o.slot);
        return;
      }
      case 'fork': {
        const parent = this.fresh();
        L.push('  li a0, 17', '  li a1, 0', '  li a2, 0', '  li a3, 0', '  li a4, 0');
        this.ecall(NR.clone, o.slot);
        L.push(`  bnez a0, ${parent}`);
        for (const c of o.child) this.op(c);
        L.push(`  li a0, ${o.code}`, '  li a7, 94', '  ecall', `${parent}:`);
        return;
      }
    }
  }
}

/** The program as assembly: _start runs the operations and exits 0; the handler reports to the harness. */
export function programSource(p: Program): string {
  const e = new Emitter();
  const L = e.lines;
  L.push('# a random system-call program (tests/fuzz/gen/syscalls.ts)', '  .globl _start', '  .text', '_start:', '  la s0, fz_slots');
  for (const o of p.ops) e.op(o);
  L.push('  li a0, 0', '  li a7, 94', '  ecall');
  // The handler: report to the harness, which answers 1 for a fault (returning would retry it forever): exit then.
  L.push(
    'fz_handler:', '  mv s2, a0', '  mv s3, a1', '  la t0, fz_expect', '  ld a2, 0(t0)', '  ld a3, 8(t0)', '  ld a4, 16(t0)', '  sd zero, 8(t0)', '  sd zero, 0(t0)',
    `  li a7, ${FUZZ_REPORT_NR}`, '  ecall', `  li t0, ${REPORT_RETURN}`, '  beq a0, t0, 2f', `  li t0, ${REPORT_SKIP}`, '  bne a0, t0, 1f',
    `  ld t0, ${FRAME_PC}(s3)`, '  addi t0, t0, 4', `  sd t0, ${FRAME_PC}(s3)`, '2:', '  ret', '1:', '  addi a0, s2, 100', '  li a7, 94', '  ecall',
  );
  L.push('  .data', '  .align 3', `fz_slots: .zero ${8 * NR_SLOTS}`, 'fz_expect: .zero 24', 'fz_act: .zero 24');
  const used = new Set<number>();
  const note = (a: Arg): void => {
    if (a.k === 'str') used.add(a.i);
  };
  const walk = (ops: readonly Op[]): void => {
    for (const o of ops) {
      if (o.kind === 'sys') o.args.forEach(note);
      else if (o.kind === 'poke') note(o.v);
      else if (o.kind === 'touch') note(o.addr);
      else if (o.kind === 'fill') [o.dst, o.v].forEach(note);
      else if (o.kind === 'fork') walk(o.child);
    }
  };
  walk(p.ops);
  STRINGS.forEach((s, i) => {
    if (used.has(i)) L.push(`fz_str${i}: .asciz "${s}"`);
  });
  L.push('  .bss', '  .align 12', `fz_buf: .zero ${BUF_SIZE}`);
  return `${L.join('\n')}\n`;
}
