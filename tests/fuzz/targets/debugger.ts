// Target `debugger`: random debugger sessions on the debugger's fixture
// programs (tests/emu/debugger/fixtures), with the generators of
// tests/fuzz/gen/debugger.ts: forward and reverse execution, breakpoints,
// watchpoints, catchpoints, edits, record stop/record, views, and sessions
// of garbage arguments for every command. The kernel runs within an
// instruction budget. Checked after every command: no exception out of
// Debugger.execute, no internal error (nor NaN/undefined/[object for garbage),
// the answer within an output bound, the recorder's memory within a host
// bound, the mm invariants (kernel-ts/mm/check.ts), and the same machine and
// kernel whenever a recorded position is reached again; at the end, the
// program ends with its usual output and status when nothing was edited, and
// with it gone, frames and page tables are back to the baseline.
import { join } from 'node:path';
import { Kernel } from '../../../kernel-ts/kernel';
import type { Vfs } from '../../../kernel-ts/fs/vfs';
import { checkVm, formatViolations, vmBaseline } from '../../../kernel-ts/mm/check';
import { loadProgram } from '../../../emu/cli/run';
import type { LoadedProgram } from '../../../emu/cli/run';
import { Session } from '../../../emu/debugger/session';
import { Symbols } from '../../../emu/debugger/symbols';
import { Debugger } from '../../../emu/debugger/commands';
import { COMMAND_NAMES, Quit } from '../../../emu/debugger/table';
import { fingerprint, firstDifference } from '../../support/debugger';
import { liveMms } from '../harness/kernel';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget } from '../harness/target';
import { ENDING, SUBCOMMANDS, garbage, int, pick, randomCommand } from '../gen/debugger';
import type { Fixture } from '../gen/debugger';

export interface DebuggerCase {
  file: Fixture;
  /** Random forward/reverse commands, or garbage arguments for every command. */
  mode: 'session' | 'garbage';
  commands: string[];
  /** Compare the whole machine and kernel at recorded positions reached again (costly: a third of the sessions). */
  revisit: boolean;
}

const FIXTURES = join(process.cwd(), 'tests', 'emu', 'debugger', 'fixtures');
const MAX_INSNS = 50_000_000;
/** Bytes one command may answer with. */
const OUTPUT_BOUND = 4 << 20;
/** Bytes the recorder may hold (its write log and snapshots). */
const RECORD_BOUND = 256 << 20;
const FILES: readonly Fixture[] = ['tt.s', 'pf.s', 'segv.s'];
const GARBAGE_LEAKS = ['NaN', 'undefined', '[object', 'Infinity'];

const programs = new Map<string, LoadedProgram>();

function program(file: Fixture): LoadedProgram {
  let p = programs.get(file);
  if (p === undefined) {
    p = loadProgram(join(FIXTURES, file), [], () => {});
    programs.set(file, p);
  }
  return p;
}

function generate(r: Rng): DebuggerCase {
  const u = (): number => r.unit();
  const file = r.pick(FILES);
  const commands: string[] = [];
  if (r.chance(0.25)) {
    const names = COMMAND_NAMES.filter((n) => !['quit', 'q', 'exit'].includes(n));
    if (r.chance(0.6)) commands.push('break main', 'run');
    if (r.chance(0.6)) commands.push('record');
    for (let i = r.range(10, 40); i > 0; i--) {
      const name = pick(u, names);
      const sub = SUBCOMMANDS[name] !== undefined && r.chance(0.7) ? `${pick(u, SUBCOMMANDS[name]!)} ` : '';
      commands.push(`${name}${r.chance(0.1) ? `/${garbage(u)}` : ''} ${sub}${garbage(u)}`);
    }
    return { file, mode: 'garbage', commands, revisit: false };
  }
  if (r.chance(0.7)) commands.push('break main', 'run');
  else if (r.chance(0.5)) commands.push('run');
  if (r.chance(0.8)) commands.push('record');
  const pagefaults = r.chance(0.5);
  for (let i = 20 + int(u, 30); i > 0; i--) {
    const x = r.unit();
    if (x < 0.02) commands.push(`x/${r.magnitude(17)}${r.pick(['xg', 'xb', 'i', 's', 'dw'])} ${r.pick(['$sp', '$pc', 'main', '0x10000'])}`);
    else if (x < 0.03) commands.push(`print ${'('.repeat(r.magnitude(13))}1${')'.repeat(r.magnitude(13))}`);
    else commands.push(randomCommand(u, file, pagefaults));
  }
  return { file, mode: 'session', commands, revisit: r.chance(0.3) };
}

async function run(c: DebuggerCase, ctx: CaseContext): Promise<void> {
  const prog = program(c.file);
  const out: string[] = [];
  let s: Session | null = null;
  const k = Kernel.boot({
    memSize: 64 << 20,
    aslr: false,
    maxInsns: MAX_INSNS,
    stdout: (b) => {
      if (s === null || s.showsOutput()) out.push(Buffer.from(b).toString());
    },
  });
  (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
  k.mm.dropCaches(1);
  const baseline = vmBaseline(k.mm);
  const t = k.spawn(`/bin/${prog.name}`, [prog.name], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  s = new Session(k, t, new Symbols(prog.elf));
  const d = new Debugger(s);
  let edited = false, followChild = false, broken = false;
  const seen = new Map<string, string>();
  const trail: string[] = [];
  const exec = async (cmd: string): Promise<string | null> => {
    trail.push(cmd);
    let res: string;
    try {
      res = await d.execute(cmd);
    } catch (e) {
      if (e instanceof Quit) return null;
      ctx.fail('exception', `"${cmd}" threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, e instanceof Error ? (e.stack ?? '').split('\n').slice(1, 8).join('\n') : undefined);
      return null;
    }
    if (res.includes('internal error')) ctx.fail('check', `"${cmd.slice(0, 80)}" answered ${res.slice(0, 200)}`);
    if (res.length > OUTPUT_BOUND) ctx.fail('check', `"${cmd.slice(0, 80)}" answered ${(res.length / 1048576).toFixed(1)} MiB (bound ${OUTPUT_BOUND >> 20} MiB)`);
    if (c.mode === 'garbage') for (const w of GARBAGE_LEAKS) if (!cmd.includes(w) && res.includes(w)) ctx.fail('check', `"${cmd.slice(0, 80)}" answered with ${w}: ${res.slice(0, 200)}`);
    const held = s!.recorder?.bytes() ?? 0;
    if (held > RECORD_BOUND) ctx.fail('check', `the recorder holds ${(held / 1048576).toFixed(0)} MiB after "${cmd.slice(0, 80)}" (bound ${RECORD_BOUND >> 20} MiB)`);
    if (!broken) {
      const v = checkVm(k.mm, liveMms(k), { baseline });
      if (v.length > 0) {
        broken = true;
        ctx.fail('invariant', `${v[0]!.invariant}: ${v[0]!.message} (after "${cmd.slice(0, 80)}")`, formatViolations(v.slice(1, 8)));
      }
    }
    return res;
  };
  for (const cmd of c.commands) {
    if (/^(set var|kill)/.test(cmd) || c.mode === 'garbage') edited = true;
    if (cmd === 'set follow-fork-mode child') followChild = true;
    if ((await exec(cmd)) === null && ctx.failures.some((f) => f.kind === 'exception')) return;
    if (c.revisit && !edited && s.exited === null && s.recorder !== null) {
      const fp = fingerprint(s.k);
      const key = `${s.pos()}/${s.recorder !== null}`;
      const was = seen.get(key);
      if (was === undefined) seen.set(key, fp);
      else {
        const diff = firstDifference(fp, was);
        if (diff !== '') ctx.fail('check', `a different machine or kernel at position ${s.pos()} reached again (after "${cmd.slice(0, 80)}"): ${diff.split('\n')[0]}`, diff);
      }
    }
  }
  await exec('delete');
  await exec('record stop');
  let last = '';
  for (let j = 0; j < 5 && s.exited === null; j++) last = (await exec('continue')) ?? '';
  if (s.exited === null) {
    ctx.fail('budget', `the program did not end after 5 continues (${k.machine.cpu.instret} instructions)`);
    return;
  }
  if (s.exited.kind === 'exited' && s.exited.reason === 'maxInsns' && !edited) ctx.fail('budget', `the instruction budget ${MAX_INSNS} ran out`);
  if (!edited && !followChild && c.mode === 'session') {
    const want = ENDING[c.file];
    if (out.join('') !== want.out) ctx.fail('check', `the program printed ${JSON.stringify(out.join('').slice(0, 200))}, not ${JSON.stringify(want.out)}`);
    if (last !== '' && !last.includes(want.status)) ctx.fail('check', `the program ended with ${JSON.stringify(last.slice(0, 200))}, not ${want.status}`);
  }
  if (k.tasks.size === 0 && !broken) {
    k.mm.dropCaches(1);
    const v = checkVm(k.mm, [], { baseline, quiescent: true });
    if (v.length > 0) ctx.fail('invariant', `${v[0]!.invariant}: ${v[0]!.message} (after the program ended)`, formatViolations(v.slice(1, 8)));
  }
}

export const target: FuzzTarget<DebuggerCase> = {
  name: 'debugger',
  about: 'random forward/reverse debugger sessions and garbage arguments on the debugger fixtures, with output, recorder-memory and instruction bounds',
  batch: { seed: 1, count: 6 },
  known: [],
  generate,
  run,
  show: (c) => [`# ${c.file}, ${c.mode}${c.revisit ? ', states compared at revisited positions' : ''}`, ...c.commands].join('\n'),
  files: (c) => ({ '.gdb': `${c.commands.join('\n')}\n` }),
  parts: (c) => c.commands.length,
  without: (c, i) => ({ ...c, commands: c.commands.filter((_, j) => j !== i) }),
};
