// Backtraces, frame selection, outer frames' locals and finish through C
// frames (emu/debugger/unwind.ts, dwarf-cfi.ts, frames.ts): unwind.c's
// main -> outer -> middle -> leaf, stopped in the leaf, built with vmlab cc
// (gcc) -g at -O0 (.debug_frame; the leaf saves only s0 and keeps ra in its
// register) and -g -O2 -DEH_FRAME (.eh_frame "zR"; the leaf has no frame).
// The same script (fixtures/unwind.gdb) is run by vmlab's REPL and by
// gdb-multiarch through vmlab's gdb stub; gdb's output is the golden
// *.gdb.golden.txt (made once, and checked again below when gdb-multiarch is
// installed). vmlab's frames, locals and returned value must be gdb's:
// function names, pcs and lines of each frame, every variable line, the
// value finish prints and the pc it returns to. gdb stops its backtrace at
// main (backtrace past-main off); vmlab shows _start too.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { describePeer } from '../../support/peers';
import { gdbRun as gdbRunOn } from '../../support/gdb-run';
import { docBlock } from '../../support/doc-blocks';
import { debugScript } from './run-debug';
import { CallFrameInfo } from '../../../emu/debugger/dwarf-cfi';
import { unwindFrames } from '../../../emu/debugger/unwind';
import type { UnwindSource } from '../../../emu/debugger/unwind';

const ROOT = process.cwd();
const FIXTURES = join('tests', 'emu', 'debugger', 'fixtures');
const GOLDEN = join(ROOT, 'tests', 'emu', 'debugger', 'golden');
const SCRIPT = join(FIXTURES, 'unwind.gdb');
const FIXTURES_ABS = join(ROOT, FIXTURES);
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');

interface Frame {
  level: number;
  pc: number;
  fn: string;
  where: string;
}

/** gdb's backtrace lines (`#1  0x... in middle (n=7) at FILE:LINE`; frame 0 at a line's start has no pc: the breakpoint's). */
function gdbFrames(out: string): Frame[] {
  const bp = Number(/Breakpoint 1 at (0x[0-9a-f]+)/.exec(out)![1]);
  const bt = out.slice(out.indexOf('\n#0 '), out.indexOf('\n#1 ', out.indexOf('\n#3 ')));
  return [...bt.matchAll(/^#(\d+) {2}(?:(0x[0-9a-f]+) in )?(\w+) \(.*?\) at (\S+)$/gm)].map((m) => ({ level: Number(m[1]), pc: m[2] === undefined ? bp : Number(m[2]), fn: m[3]!, where: m[4]! }));
}

/** vmlab's backtrace lines (`#1  VA 0x10220 in middle () at FILE:LINE`). */
function vmlabFrames(out: string): Frame[] {
  const bt = out.slice(out.indexOf('\n#0 '), out.indexOf('\n#1 ', out.indexOf('\n#3 ')));
  return [...bt.matchAll(/^#(\d+) {2}VA (0x[0-9a-f]+) in (\w+) \(\)(?: at (\S+))?$/gm)].map((m) => ({ level: Number(m[1]), pc: Number(m[2]), fn: m[3]!, where: m[4] ?? '' }));
}

/** The lines info locals and info args printed (`name = value`), in order, and finish's value line. */
const variableLines = (out: string): string[] => out.split('\n').filter((l) => /^\w+ = |^Value returned is /.test(l));

for (const [prog, label] of [['unwind', '-O0, .debug_frame'], ['unwind-o2', '-O2, .eh_frame']] as const) {
  describe(`unwinding C frames (${label})`, () => {
    const r = vmlab(['debug', '--no-aslr', '-x', SCRIPT, '--batch', join(FIXTURES, 'bin', prog)], { cwd: ROOT });
    const gdb = golden(`${prog}.gdb.golden.txt`);

    it('bt, frame N, info locals/args in outer frames and finish (golden transcript)', () => {
      expect(r.stdout).toBe(golden(`${prog}.golden.txt`));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it("the backtrace is gdb's: the same functions, pcs and lines, then _start", () => {
      const mine = vmlabFrames(r.stdout);
      expect(mine.slice(0, 4)).toEqual(gdbFrames(gdb));
      expect(mine.map((f) => f.fn)).toEqual(['leaf', 'middle', 'outer', 'main', '_start']);
    });

    it("frame 1, 2 and 3's locals and arguments, and finish's value, are gdb's", () => {
      expect(variableLines(r.stdout)).toEqual(variableLines(gdb));
      expect(variableLines(r.stdout)).toContain('pt = {x = 8, y = 9}');
      expect(variableLines(r.stdout).at(-1)).toBe('Value returned is $1 = 58');
    });

    it("finish stops on gdb's line (at -O2 the return address has a statement row for line 19 and a non-statement row for 20)", () => {
      const gdbStop = /\n(?:0x[0-9a-f]+ in )?middle \(.*\) at (\S+)\n(\d+\t.*)\n/.exec(gdb.slice(gdb.lastIndexOf('#0 ')))!;
      const fin = r.stdout.slice(r.stdout.indexOf('Run till exit from #0')).split('\n');
      expect(fin[1]).toBe(`${gdbStop[1]!.replace(/:\d+$/, '')}:${gdbStop[2]}`);
      expect(fin[1]).toBe(prog === 'unwind' ? 'tests/emu/debugger/fixtures/unwind.c:18\t  long r = leaf(n, &pt);' : 'tests/emu/debugger/fixtures/unwind.c:19\t  return r * 2 + pt.x;');
    });

    it('finish from the leaf returns to frame 1 of the backtrace (the pc after the call in middle)', () => {
      const fin = r.stdout.slice(r.stdout.indexOf('Run till exit from #0'));
      expect(fin).toContain(`=> VA 0x${gdbFrames(gdb)[1]!.pc.toString(16)} <middle+`);
    });
  });
}

it("docs/debugger.md's Frames example is this script and the -O0 transcript", () => {
  expect(docBlock('docs/debugger.md', 'unwind-script')).toBe(readFileSync(join(ROOT, SCRIPT), 'utf8'));
  expect(docBlock('docs/debugger.md', 'unwind-output')).toBe(golden('unwind.golden.txt'));
});

/**
 * The backtraces of a stepi-and-bt script, one list of [function, pc] a stop:
 * gdb's (a frame at the start of a line prints no pc: null) or vmlab's.
 */
function backtraces(out: string, gdb: boolean): [string, number | null][][] {
  const stops: [string, number | null][][] = [];
  for (const line of out.split('\n')) {
    const m = gdb ? /^#(\d+) {2}(?:(0x[0-9a-f]+) in )?(\w+) /.exec(line) : /^#(\d+) {2}VA (0x[0-9a-f]+) in (\S+) /.exec(line);
    if (m === null) continue;
    if (m[1] === '0') stops.push([]);
    stops[stops.length - 1]!.push([m[3]!, m[2] === undefined ? null : Number(m[2])]);
  }
  return stops;
}

describe("every instruction from outer's entry to its return: the backtrace after each stepi is gdb's", () => {
  // fixtures/PROG-steps.gdb: break at outer's first instruction, then stepi and bt 70 (55) times: through outer's,
  // middle's and leaf's prologues, bodies and epilogues, and back. gdb's output (golden, checked below against
  // gdb-multiarch when it is installed) names the functions of every frame and the pcs of frames 1 and up.
  for (const prog of ['unwind', 'unwind-o2']) {
    it(`${prog}: each stop's frames (function names; the pcs of the callers) equal gdb's, then _start`, () => {
      const r = vmlab(['debug', '--no-aslr', '-x', join(FIXTURES, `${prog}-steps.gdb`), '--batch', join(FIXTURES, 'bin', prog)], { cwd: ROOT });
      const gdb = backtraces(golden(`${prog}-steps.gdb.golden.txt`), true);
      const mine = backtraces(r.stdout, false);
      expect(gdb.length).toBe(prog === 'unwind' ? 70 : 55);
      expect(mine.length).toBe(gdb.length);
      for (const [i, frames] of gdb.entries()) {
        const expected = frames.map(([fn, pc], level) => [fn, level === 0 ? mine[i]![0]![1] : pc]);
        // gdb stops at main (backtrace past-main off) and at _start; vmlab goes on to _start.
        const tail = frames.at(-1)![0] === 'main' ? [['_start', mine[i]!.at(-1)![1]]] : [];
        expect({ stop: i, frames: mine[i] }).toEqual({ stop: i, frames: [...expected, ...tail] });
      }
      expect(new Set(mine.map((f) => f[0]![0]))).toEqual(new Set(['outer', 'middle', 'leaf', ...(prog === 'unwind' ? [] : ['main', '_start', 'exit'])]));
    });
  }
});

describe('frame selection in the REPL', () => {
  const script = (text: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'vmlab-unwind-')), 'script.gdb');
    writeFileSync(file, text);
    return file;
  };

  it('up, down and frame N move within the backtrace and say where they cannot; print reads the selected frame; a step selects frame 0 again', () => {
    const file = script('break unwind.c:11\nrun\ndown\nup 2\nprint a\nup 9\nup\nprint n\ndown 9\nframe 7\nframe x\nprint pt\nstepi\nprint pt\nframe\n');
    const r = vmlab(['debug', '--no-aslr', '-x', file, '--batch', join(FIXTURES, 'bin', 'unwind')], { cwd: ROOT });
    const out = r.stdout.slice(r.stdout.indexOf('=> VA 0x10190') + 1).split('\n').slice(1);
    expect(out).toEqual([
      'Bottom (innermost) frame selected; you cannot go down.',
      '#2  VA 0x10278 in outer () at tests/emu/debugger/fixtures/unwind.c:22',
      '22\t  long m = middle(a + b);',
      '$1 = 5',
      '#4  VA 0x10350 in _start ()',
      'Initial frame selected; you cannot go up.',
      'No symbol "n" in current context.',
      '#0  VA 0x10190 in leaf () at tests/emu/debugger/fixtures/unwind.c:11',
      '11\t  long sq = n * n;',
      'No frame at level 7.',
      'frame: give a frame number or a count (got "x").',
      'No symbol "pt" in current context.',
      'tests/emu/debugger/fixtures/unwind.c:11\t  long sq = n * n;',
      '=> VA 0x10194 <leaf+0x18>:\tmul\ta5,a5,a5',
      'No symbol "pt" in current context.',
      '#0  VA 0x10194 in leaf () at tests/emu/debugger/fixtures/unwind.c:11',
      '11\t  long sq = n * n;',
      '',
    ]);
  });

  it('finish in a selected outer frame runs until that frame returns', () => {
    const file = script('break unwind.c:11\nrun\nframe 1\nfinish\nbt\n');
    const r = vmlab(['debug', '--no-aslr', '-x', file, '--batch', join(FIXTURES, 'bin', 'unwind-o2')], { cwd: ROOT });
    const out = r.stdout.slice(r.stdout.indexOf('Run till exit'));
    expect(out.split('\n')[0]).toBe('Run till exit from #1  VA 0x101f0 in middle () at tests/emu/debugger/fixtures/unwind.c:18');
    expect(out).toContain('=> VA 0x1022c <outer+0x24>:');
    // middle returned 2 * 58 + 8.
    expect(out).toContain('Value returned is $1 = 124\n#0  VA 0x1022c in outer () at tests/emu/debugger/fixtures/unwind.c:24\n#1  VA 0x10194 in main () at tests/emu/debugger/fixtures/unwind.c:27\n#2  VA 0x102a4 in _start ()\n');
  });
});

describe('frames without CFI: the libc vmlab cc links (C at -O2 without -g) under C with CFI', () => {
  it("printf, stopped after its prologue (no frame pointer; ra not yet clobbered): gdb's frames, and finish returns to main with printf's count", () => {
    // gdb-multiarch through the stub, on the same ELF: `break printf` (0x13d60, past the prologue gdb's analyzer skips), then
    // `#0  0x0000000000013d60 in printf ()`, `#1  0x0000000000010288 in main () at ./gdbdemo.c:26`, and finish to main () at ./gdbdemo.c:27.
    const file = join(mkdtempSync(join(tmpdir(), 'vmlab-unwind-')), 'script.gdb');
    writeFileSync(file, 'break *0x13d60\nrun\nbt\nfinish\nbt\n');
    const r = vmlab(['debug', '--no-aslr', '-x', file, '--batch', join('bin', 'gdbdemo')], { cwd: FIXTURES_ABS });
    expect(r.stdout).toContain('#0  VA 0x13d60 in printf ()\n#1  VA 0x10288 in main () at ./gdbdemo.c:26\n#2  VA 0x102f0 in _start ()\nRun till exit from #0  VA 0x13d60 in printf ()\n');
    expect(r.stdout).toContain('./gdbdemo.c:27\t  return 0;\n=> VA 0x10288 <main+0xac>:\tli\ta5,0\nValue returned is $1 = 16\n#0  VA 0x10288 in main () at ./gdbdemo.c:27\n#1  VA 0x102f0 in _start ()\n');
  });

  it("write (assembly) called by __stdio_flushall (C, -O2, no fp) called by exit: gdb's frames, each from its prologue's save slots", () => {
    // gdb-multiarch through the stub, `break write` (0x11970): #1 0x134e8 in __stdio_flushall (), #2 0x11dac in exit (), #3 0x102f8 in _start ().
    const file = join(mkdtempSync(join(tmpdir(), 'vmlab-unwind-')), 'script.gdb');
    writeFileSync(file, 'break *0x11970\nrun\nbt\n');
    const r = vmlab(['debug', '--no-aslr', '-x', file, '--batch', join('bin', 'gdbdemo')], { cwd: FIXTURES_ABS });
    expect(r.stdout.endsWith('#0  VA 0x11970 in write ()\n#1  VA 0x134e8 in __stdio_flushall ()\n#2  VA 0x11dac in exit ()\n#3  VA 0x102f8 in _start ()\n')).toBe(true);
  });
});

describe('an unreadable frame slot ends the walk without a fault', () => {
  it('fp pointing at an unmapped page (and at an unfaulted page of the stack) gives frame 0 only; the fault list does not grow', () => {
    const r = debugScript('pf.s', 'break *0x10054\nrun\nbt\nset var $fp = 0x40000000\nbt\nset var $fp = 0x7ffffffe0010\nbt\ninfo faults\n');
    const out = r.stdout.slice(r.stdout.indexOf('=> VA 0x10054')).split('\n').slice(1);
    expect(out.slice(0, 2)).toEqual(['#0  VA 0x10054 in add1 () at pf.s:27', '#1  VA 0x1002c in main () at pf.s:14']);
    expect(out.slice(3)).toEqual([
      '#0  VA 0x10054 in add1 () at pf.s:27',
      '#0  VA 0x10054 in add1 () at pf.s:27',
      '#    pid   ip (VA)       address (VA)      error                            kernel',
      '1    1     0x10068       0x10068           0x14 not-present fetch user      file-read',
      '2    1     0x1008c       0x14000           0x6 not-present write user       demand-zero',
      '3    1     0x1001c       0x12000           0x6 not-present write user       demand-zero',
      '',
    ]);
  });
});

/** gdb-multiarch in batch mode on the script, against `vmlab debug --gdb 0` on prog: its output. */
const gdbRun = (prog: string, script = SCRIPT): Promise<string> => gdbRunOn(join(FIXTURES, 'bin', prog), script);

describePeer('gdb-multiarch', ['gdb'], () => {
  it("the gdb golden files are what gdb-multiarch prints today for the same ELFs through vmlab's stub", async () => {
    expect(await gdbRun('unwind')).toBe(golden('unwind.gdb.golden.txt'));
    expect(await gdbRun('unwind-o2')).toBe(golden('unwind-o2.gdb.golden.txt'));
  }, 120_000);

  it('the stepi-and-bt golden files are what gdb-multiarch prints today', async () => {
    expect(await gdbRun('unwind', join(FIXTURES, 'unwind-steps.gdb'))).toBe(golden('unwind-steps.gdb.golden.txt'));
    expect(await gdbRun('unwind-o2', join(FIXTURES, 'unwind-o2-steps.gdb'))).toBe(golden('unwind-o2-steps.gdb.golden.txt'));
  }, 120_000);
});

describe('backtraces through a signal frame: <signal handler called>, then the interrupted function (riscv Linux rt_sigframe)', () => {
  // fixtures/sigframe.c: on_usr1 reached by raise() (interrupted in the libc's __syscall_ret, after the kill ecall) and
  // on_segv reached by a store through NULL in poke(). gdb-multiarch runs the same script through vmlab's stub, told
  // first not to stop for the two signals (vmlab's REPL does not stop for a signal without `catch signal`); its output
  // is golden/sigframe.gdb.golden.txt, checked again below in the peer tier.
  const SIG_SCRIPT = join(FIXTURES, 'sigframe.gdb');
  const FINISH_SCRIPT = join(FIXTURES, 'sigframe-finish.gdb');
  const gdbScript = (script = SIG_SCRIPT): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'vmlab-sig-')), 'sigframe.gdb');
    writeFileSync(file, `handle SIGUSR1 nostop noprint\nhandle SIGSEGV nostop noprint\n${readFileSync(join(ROOT, script), 'utf8')}`);
    return file;
  };
  const r = vmlab(['debug', '--no-aslr', '-x', SIG_SCRIPT, '--batch', join(FIXTURES, 'bin', 'sigframe')], { cwd: ROOT });
  const gdb = golden('sigframe.gdb.golden.txt');
  /** Each bt's frames as [function, pc] (gdb: no pc on frame 0 at a line's start; the signal frame is ['<signal handler called>', null]). */
  const bts = (out: string, isGdb: boolean): [string, number | null][][] => {
    const stops: [string, number | null][][] = [];
    let last = -1;
    for (const line of out.split('\n')) {
      const m = isGdb ? /^#(\d+) {2}(?:(?:(0x[0-9a-f]+) in )?(\w+) \(|(<signal handler called>))/.exec(line) : /^#(\d+) {2}(?:VA (0x[0-9a-f]+) in (\w+) \(|(<signal handler called>))/.exec(line);
      if (m === null) continue;
      const level = Number(m[1]);
      // A lone `frame N` line (level not following the previous) is not part of a backtrace.
      if (level === 0) stops.push([]);
      else if (level !== last + 1) continue;
      last = level;
      stops[stops.length - 1]!.push(m[4] !== undefined ? [m[4], null] : [m[3]!, m[2] === undefined ? null : Number(m[2])]);
    }
    return stops;
  };

  it('the transcript is the golden one', () => {
    expect(r.stdout).toBe(golden('sigframe.golden.txt'));
    expect(r.stderr).toBe('');
  });

  it("both backtraces are gdb's frame for frame (then _start), through <signal handler called>", () => {
    const mine = bts(r.stdout, false), theirs = bts(gdb, true);
    expect(theirs.length).toBe(2);
    expect(mine.map((frames) => frames.at(-1)![0])).toEqual(['_start', '_start']);
    expect(mine.map((frames, i) => frames.slice(0, -1).map(([fn, pc], level) => [fn, level === 0 ? theirs[i]![0]![1] : pc]))).toEqual(theirs);
    expect(theirs.map((frames) => frames.map(([fn]) => fn))).toEqual([
      ['on_usr1', '<signal handler called>', '__syscall_ret', 'work', 'main'],
      ['on_segv', '<signal handler called>', 'poke', 'work', 'main'],
    ]);
  });

  it("the interrupted frames' arguments (registers from the rt_sigframe) are gdb's", () => {
    expect(variableLines(r.stdout)).toEqual(variableLines(gdb));
    expect(variableLines(r.stdout)).toEqual(['p = 0x0', 'v = 3', 'n = 3']);
  });

  describe('finish in a handler stops at the trampoline, reported as gdb reports it: <signal handler called>', () => {
    // fixtures/sigframe-finish.gdb: finish in on_usr1 returns to the [vdso] rt_sigreturn trampoline, whose page is not
    // faulted in yet (its #PF comes after, on the way on). gdb's location line there is `<signal handler called>`
    // (print_frame_info on a SIGTRAMP_FRAME; it prints "Run till exit from" only when typed, not from a script); vmlab
    // prints that line, then its `=>` line with the instruction read as ptrace reads it, not `<not mapped>`.
    const f = vmlab(['debug', '--no-aslr', '-x', FINISH_SCRIPT, '--batch', join(FIXTURES, 'bin', 'sigframe')], { cwd: ROOT });
    const fgdb = golden('sigframe-finish.gdb.golden.txt');

    it('the transcript is the golden one', () => {
      expect(f.stdout).toBe(golden('sigframe-finish.golden.txt'));
      expect(f.stderr).toBe('');
    });

    it("the stop's location line and the backtrace there are gdb's", () => {
      const after = (out: string, head: RegExp): string[] => {
        const lines = out.split('\n');
        return lines.slice(lines.findIndex((l) => head.test(l)) + 1);
      };
      const mine = after(f.stdout, /^Run till exit from #0 {2}VA 0x10190 in on_usr1 \(\)/);
      const theirs = after(fgdb, /^13\t/);
      expect(mine.slice(0, 2)).toEqual(['<signal handler called>', '=> VA 0x7ffff7ffe000:\tli\ta7,139']);
      expect(theirs[0]).toBe('<signal handler called>');
      expect(mine[2]).toBe(theirs[1]);
      expect(bts(f.stdout, false)[0]!.slice(0, -1)).toEqual(bts(fgdb, true)[0]);
      expect(bts(fgdb, true)[0]!.map(([fn]) => fn)).toEqual(['<signal handler called>', '__syscall_ret', 'work', 'main']);
    });
  });

  describePeer('gdb-multiarch', ['gdb'], () => {
    it('the gdb golden is what gdb-multiarch prints today through vmlab\'s stub', async () => {
      expect(await gdbRunOn(join(FIXTURES, 'bin', 'sigframe'), gdbScript())).toBe(gdb);
    }, 120_000);

    it('the finish gdb golden is what gdb-multiarch prints today through vmlab\'s stub', async () => {
      expect(await gdbRunOn(join(FIXTURES, 'bin', 'sigframe'), gdbScript(FINISH_SCRIPT))).toBe(golden('sigframe-finish.gdb.golden.txt'));
    }, 120_000);
  });
});

describe('unwindFrames on hand-built CFI and memory', () => {
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const u64 = (v: number): number[] => [...u32(v), 0, 0, 0, 0];
  const entry = (body: number[]): number[] => [...u32(body.length), ...body];
  const cie = entry([...u32(0xffffffff), 3, 0, 1, 0x7c, 1, 0x0c, 2, 0]);
  const fde = (start: number, prog: number[]): number[] => entry([...u32(0), ...u64(start), ...u64(0x100), ...prog]);
  /** A stopped program: pc, registers, and memory as 8-byte words (every other address unmapped); 8-byte reads are logged. */
  function source(cfi: number[], pc: number, regs: Record<number, number>, mem: Record<number, number>): { src: UnwindSource; reads: number[] } {
    const reads: number[] = [];
    const src: UnwindSource = {
      pc,
      reg: (r) => BigInt(regs[r] ?? 0),
      readVirt: (va, size) => {
        if (size === 8) reads.push(va); // the slots read (4-byte reads look for the signal trampoline at pcs without a symbol)
        return size === 8 && mem[va] !== undefined ? BigInt(mem[va]!) : `Cannot access memory at virtual address 0x${va.toString(16)}`;
      },
      syms: { cfi: new CallFrameInfo([{ bytes: Uint8Array.from(cfi), addr: 0, kind: 'debug_frame' }]), symbolAt: () => undefined, entry: 0 },
    };
    return { src, reads };
  }
  // leaf: no frame (ra in its register); mid: 32 bytes, ra at cfa-8, s0 at cfa-16; top: 16 bytes, ra at cfa-8.
  const CFI = [...cie, ...fde(0x1000, []), ...fde(0x2000, [0x0e, 32, 0x81, 2, 0x88, 4]), ...fde(0x3000, [0x0e, 16, 0x81, 2])];

  it('recovers each frame\'s pc, CFA, sp, ra and s0 from the rows; an unmapped save slot ends the walk, read without a fault', () => {
    const { src, reads } = source(CFI, 0x1010, { 1: 0x2020, 2: 0x8000, 8: 0x1234 }, { 0x8018: 0x3030, 0x8010: 0x7777 });
    const frames = unwindFrames(src);
    expect(frames.map((f) => [f.pc, f.lookupPc, f.cfa, f.from])).toEqual([[0x1010, 0x1010, 0x8000, 'live'], [0x2020, 0x201f, 0x8020, 'cfi'], [0x3030, 0x302f, 0x8030, 'cfi']]);
    expect(frames.map((f) => [f.regs[1], f.regs[2], f.regs[8]])).toEqual([[0x2020n, 0x8000n, 0x1234n], [0x2020n, 0x8000n, 0x1234n], [0x3030n, 0x8020n, 0x7777n]]);
    // top's ra slot (cfa-8 = 0x8028) is not mapped: the walk ends there.
    expect(reads).toEqual([0x8018, 0x8010, 0x8028]);
  });

  it('a caller whose CFA is not above its callee\'s is the last frame (a corrupt chain ends)', () => {
    const flat = [...cie, ...fde(0x1000, []), ...fde(0x2000, [0x0e, 32, 0x81, 2]), ...fde(0x3000, [0x81, 2])];
    const { src } = source(flat, 0x1010, { 1: 0x2020, 2: 0x8000 }, { 0x8018: 0x3030 });
    expect(unwindFrames(src).map((f) => f.pc)).toEqual([0x1010, 0x2020, 0x3030]);
  });

  it('registers: register, val_offset and undefined rules; unmentioned registers keep their value (gdb\'s unspecified rule)', () => {
    const prog = [0x09, 1, 5, 0x14, 9, 2, 0x07, 18];
    const { src } = source([...cie, ...fde(0x1000, prog)], 0x1000, { 2: 0x8000, 5: 0x2222, 9: 1, 10: 0xa0, 18: 18 }, {});
    const [, f1] = unwindFrames(src);
    expect([f1!.pc, f1!.regs[9], f1!.regs[18], f1!.regs[10], f1!.regs[2]]).toEqual([0x2222, 0x7ff8n, null, 0xa0n, 0x8000n]);
  });

  it('a frame at the rt_sigreturn trampoline (at li a7, 139 or at its ecall) is the signal frame; its caller\'s pc and registers come from sc_regs at its sp', () => {
    // The trampoline at 0x9000 (no symbol); the rt_sigframe at sp 0x8000: sc_regs (pc, x1..x31) at 0x8000 + 304.
    const SC = 0x8000 + 304;
    const mem: Record<number, number> = { [SC]: 0x1234, [SC + 8]: 0x2222, [SC + 16]: 0x8800, [SC + 64]: 0x8900 };
    for (let r = 3; r < 32; r++) if (r !== 8) mem[SC + 8 * r] = r;
    for (const pc of [0x9000, 0x9004]) {
      const { src } = source([...cie, ...fde(0x1000, [])], pc, { 2: 0x8000 }, mem);
      const read = src.readVirt;
      src.readVirt = (va, size) => (size === 4 && va === 0x9000 ? 0x08b00893n : size === 4 && va === 0x9004 ? 0x73n : read(va, size));
      const [f0, f1] = unwindFrames(src);
      expect([f0!.kind, f0!.cfa, f1!.kind, f1!.from, f1!.pc, f1!.lookupPc]).toEqual(['sigtramp', 0x8000, 'normal', 'sigframe', 0x1234, 0x1234]);
      expect(f1!.regs.slice(0, 10)).toEqual([0n, 0x2222n, 0x8800n, 3n, 4n, 5n, 6n, 7n, 0x8900n, 9n]);
    }
  });

  it('an ecall without the li before it, or code with a symbol, is not the trampoline', () => {
    const { src } = source([...cie, ...fde(0x1000, [])], 0x9004, { 1: 0x1010, 2: 0x8000 }, {});
    src.readVirt = (va, size) => (size === 4 && va === 0x9004 ? 0x73n : 'unmapped');
    expect(unwindFrames(src)[0]!.kind).toBe('normal');
  });

  it('without CFI: the fp chain (ra at fp-8, the caller\'s fp at fp-16), ending at fp 0', () => {
    const { src } = source([], 0x1010, { 1: 0x9999, 2: 0x8f00, 8: 0x9000 }, { 0x8ff8: 0x4444, 0x8ff0: 0x9100, 0x90f8: 0x5555, 0x90f0: 0 });
    expect(unwindFrames(src).map((f) => [f.pc, f.cfa, f.from, f.regs[8], f.regs[2]])).toEqual([
      [0x1010, 0x9000, 'live', 0x9000n, 0x8f00n],
      [0x4444, 0x9100, 'fp', 0x9100n, 0x9000n],
      [0x5555, null, 'fp', 0n, 0x9100n],
    ]);
  });
});
