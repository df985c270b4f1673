// The debugger fuzzers' generators, shared by tests/emu/debugger/fuzz.test.ts
// and the `debugger` target of npm run fuzz (tests/fuzz/targets/debugger.ts):
// random forward, reverse, stop, edit, record and view commands on the
// debugger's fixture programs, and garbage arguments for every command. Each
// takes a generator of floats in [0, 1) (tests/support/prng.ts prngUnit, or
// a fuzz case's Rng.unit: the same stream for the same seed).

export type Fixture = 'tt.s' | 'pf.s' | 'segv.s';

export const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
export const int = (r: () => number, n: number): number => Math.floor(r() * n);

export const LOCS: Record<Fixture, string[]> = {
  'tt.s': ['main', 'free', 'malloc', 'fork', 'waitpid', 'tt.s:21', 'tt.s:29', 'tt.s:59', 'tt.s:40', 'child', 'printf', 'exit', '*0x10000', 'main+8'],
  'pf.s': ['main', 'add1', 'pf.s:12', 'pf.s:15', 'pf.s:28', '*0x10010', 'add1+4'],
  'segv.s': ['main', 'segv.s:6', 'main+4'],
};
export const VALUES: Record<Fixture, string[]> = { 'tt.s': ['status', '$sp', '$s1', '$a0'], 'pf.s': ['buf', '$sp', '$a0'], 'segv.s': ['$sp', 'main'] };

/** What each fixture prints and how it ends when run to the end undisturbed. */
export const ENDING: Record<Fixture, { out: string; status: string }> = {
  'tt.s': { out: 'child: wrote 50 pages\nparent: child exited with 13\n', status: '[Inferior 1 (process 1) exited with code 05]' },
  'pf.s': { out: '', status: '[Inferior 1 (process 1) exited with code 03]' },
  'segv.s': { out: '', status: 'Program terminated with signal SIGSEGV.' },
};

/** One random command; `pagefaults` false leaves out `catch pagefault` (its stops travel while recording: a case of its own). */
export function randomCommand(r: () => number, file: Fixture, pagefaults: boolean): string {
  const loc = (): string => pick(r, LOCS[file]);
  const val = (): string => pick(r, VALUES[file]);
  const forward = ['stepi', `stepi ${1 + int(r, 200)}`, 'nexti', `nexti ${1 + int(r, 20)}`, 'step', 'next', 'finish', `until ${loc()}`, 'continue', `advance ${loc()}`];
  const reverse = ['reverse-stepi', `reverse-stepi ${1 + int(r, 300)}`, 'reverse-next', 'reverse-step', 'reverse-finish', 'reverse-continue', `record goto ${int(r, 5000)}`, 'record goto begin', 'record goto end'];
  const stops = [
    `break ${loc()}`, `tbreak ${loc()}`, `break ${loc()} if $t0 == ${int(r, 50)}`, `delete ${1 + int(r, 10)}`, `disable ${1 + int(r, 10)}`, 'enable',
    `condition ${1 + int(r, 8)} $a0 > ${int(r, 10)}`, `ignore ${1 + int(r, 8)} ${int(r, 5)}`, `watch ${val()}`, `rwatch ${val()}`, `awatch ${val()}`,
    `watch *(long*)${pick(r, ['$s1', '$sp', '$s1+4096', '0x14000'])}`, `watch -p ${pick(r, ['0x102000', '0x109068', '0x200000'])}`,
    ...(pagefaults ? [`catch pagefault ${pick(r, ['', 'w', '!p', 'w,!p', 'p', 'u,w'])}`] : []),
    `catch syscall ${pick(r, ['', 'write', 'fork', 'clone', 'exit', 'munmap mmap', 'wait4'])}`, 'catch signal', 'catch fork', 'catch tlb-miss', 'catch cr3', 'catch invlpg', 'delete',
  ];
  const edits = [`set var $a0 = ${int(r, 100)}`, `set var $t0 = ${int(r, 60)}`, `set var *(long*)$sp = ${int(r, 9)}`, 'kill', 'set var $pc = $pc'];
  const record = ['record', 'record stop', 'record', `set record snapshot-interval ${1 + int(r, 1000)}`, `set record full insn-number-max ${1 + int(r, 20000)}`, 'set follow-fork-mode child', 'set follow-fork-mode parent'];
  const views = [
    'info record', 'info faults', 'info tlb', 'info maps', 'info pagetables', 'info frames', 'info proc', 'info inferiors', 'info registers', 'info breakpoints',
    'diff pagetables', `diff pagetables ${int(r, 3000)} ${int(r, 3000)}`, `diff pagetables ${int(r, 3000)}`, 'x/4xg $sp', 'x/2i $pc', `xp/4xg ${int(r, 0x400000)}`,
    `pt ${val()}`, `v2p ${val()}`, `p2v ${int(r, 0x400000)}`, `print ${val()}`, 'bt', 'list', 'info line', 'disassemble', 'dmesg', 'print $cr2', 'x/s $a0',
  ];
  const x = r();
  if (x < 0.3) return pick(r, forward);
  if (x < 0.55) return pick(r, reverse);
  if (x < 0.7) return pick(r, stops);
  if (x < 0.75) return pick(r, edits);
  if (x < 0.83) return pick(r, record);
  return pick(r, views);
}

export const ATOMS = [
  '', ' ', '0', '-1', '-9223372036854775808', '18446744073709551616', '99999999999999999999999', '1e308', 'NaN', 'Infinity', '0x', '0xffffffffffffffff',
  '0x8000000000000000', '$', '$pc', '$zz', '$cr2', '*', '**', '*(long*)', '*(long*)0', '*(char*)$sp', '(', ')', '((((', '1/0', '1%0', '-', '~', '!', '"', "'", '\\',
  '\u00e9', '\u{1F600}', '\u0000', '\t', 'if', 'if 1', 'len', 'len 0', 'len 99999999999', 'main', 'main+', 'main+99999999999', 'tt.s:', 'tt.s:0', 'tt.s:-1', ':5',
  'x.s:3', '99999', '1 2 3', '-p', '-l', 'begin', 'end', 'stop', 'goto', 'goto -5', 'goto 1e9', 'pagetables', 'snapshot-interval', 'full insn-number-max', 'var',
  '=', '$a0 =', '= 5', '$x0 = 5', 'follow-fork-mode', 'w,!p,', ',', 'all', 'SIGSEGV', '65', 'user', 'kernel', '0-0', '5-1', '0x10000-0xffffffffffffffff',
  '/', '/x', '/99999x', '/0x', '/s', '/i', '/q', '2<<64', '1<<63', '-1>>1',
];
export const SUBCOMMANDS: Record<string, string[]> = {
  info: ['record', 'faults', 'tlb', 'maps', 'pagetables', 'frames', 'proc', 'inferiors', 'registers', 'breakpoints', 'symbol', 'line', 'bogus', ''],
  set: ['var', 'variable', 'record', 'record snapshot-interval', 'record full insn-number-max', 'follow-fork-mode', '$pc =', '*(long*)$sp =', 'var $a0 =', 'var *(int*)'],
  record: ['', 'stop', 'goto', 'full'],
  catch: ['pagefault', 'syscall', 'signal', 'fork', 'tlb-miss', 'invlpg', 'cr3', 'exec'],
  diff: ['pagetables'],
  show: ['follow-fork-mode', 'record'],
};

export function garbage(r: () => number): string {
  const parts: string[] = [];
  for (let i = 1 + int(r, 3); i > 0; i--) {
    const x = r();
    if (x < 0.7) parts.push(pick(r, ATOMS));
    else if (x < 0.85) parts.push(String(Math.floor((r() - 0.5) * 2 ** (r() * 80))));
    else {
      let t = '';
      for (let j = int(r, 12); j > 0; j--) t += String.fromCodePoint(pick(r, [32 + int(r, 95), 0x80 + int(r, 0x2000), 0x1f600]));
      parts.push(t);
    }
  }
  return parts.join(pick(r, [' ', '', '  ']));
}
