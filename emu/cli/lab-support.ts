// What a lab of `vmlab lab check` is (lab.ts runs them): its modules, the
// shell session that exercises them, and the checks that read the session.
// Helpers the labs' checks share: a command's output, the kernel log's
// lines, a failed check that names the exercise.

/** One module of a lab: the skeleton the student completes and the built-in driver that solves it. */
export interface LabModule {
  /** The skeleton's file name in docs/labs/LAB/ (part2_a.ts). */
  skeleton: string;
  /** The reference solution: a built-in driver's name (memalloc). */
  builtin: string;
}

/** A module as this run loads it. */
export interface LoadedModule {
  /** insmod's word: a path (./mtest.ts) or a built-in's name. */
  insmod: string;
  /** The module's name once loaded (rmmod's word). */
  name: string;
  /** The file given, or null for the built-in reference. */
  file: string | null;
  role: LabModule;
}

/** A session cut at each command: the command and what it printed (programs, the shell, the kernel's messages). */
export type Transcript = { cmd: string; out: string }[];

/** A command line of the session, or one made from what the session printed so far (a pid it learnt). */
export type ScriptLine = string | ((sofar: Transcript) => string);

/** One graded point: null `fail` when it passed; else what went wrong, and the skeleton's exercise it belongs to. */
export interface Check {
  what: string;
  fail: string | null;
  exercise?: string;
}

export interface Lab {
  /** The name `vmlab lab check` takes, and docs/labs/NAME/. */
  name: string;
  aliases: readonly string[];
  title: string;
  modules: readonly LabModule[];
  script(mods: readonly LoadedModule[]): ScriptLine[];
  check(t: Transcript, mods: readonly LoadedModule[]): Check[];
}

/** The output of the n-th (from 0) command `cmd` of the session; null when it did not run. */
export function outputOf(t: Transcript, cmd: string, n = 0): string | null {
  return t.filter((c) => c.cmd === cmd)[n]?.out ?? null;
}

/** The output of the command right after the n-th `cmd`. */
export function outputAfter(t: Transcript, cmd: string, n = 0): string | null {
  let seen = -1;
  for (let i = 0; i < t.length; i++) if (t[i]!.cmd === cmd && ++seen === n) return t[i + 1]?.out ?? null;
  return null;
}

/** The kernel log lines of a dmesg output, without their timestamps. */
export function logLines(dmesg: string | null): string[] {
  return (dmesg ?? '').split('\n').filter((l) => l !== '').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
}

/** Indents text as a quote of what the session printed. */
export function quote(text: string, max = 12): string {
  // A line repeated is shown once, with its count.
  const lines: string[] = [];
  let prev: string | null = null;
  let n = 0;
  const flush = (): void => {
    if (prev !== null) lines.push(n > 1 ? `${prev}   (${n} times)` : prev);
  };
  for (const l of text.replace(/\n$/, '').split('\n')) {
    if (l === prev) {
      n++;
      continue;
    }
    flush();
    prev = l;
    n = 1;
  }
  flush();
  const shown = lines.length > max ? [...lines.slice(0, max), `... (${lines.length - max} more lines)`] : lines;
  return shown.map((l) => `| ${l}`).join('\n');
}

/** A check from a condition: passes when `fail` is null. */
export function check(what: string, fail: string | null, exercise?: string): Check {
  return exercise === undefined ? { what, fail } : { what, fail, exercise };
}

/**
 * The check that module `m` loaded: its insmod printed nothing (a compile or
 * type error, a failed init, an oops all print something, shown here).
 */
export function loadCheck(t: Transcript, m: LoadedModule, args = ''): Check {
  const cmd = `insmod ${m.insmod}${args}`;
  const out = outputOf(t, cmd);
  const what = `insmod ${m.file ?? m.name}${args} loads the module`;
  if (out === null) return check(what, 'insmod did not run');
  return check(what, out === '' ? null : `insmod said:\n${quote(out, 20)}`);
}

/** Whether every module loaded (the other checks are then meaningful). */
export function allLoaded(checks: readonly Check[]): boolean {
  return checks.every((c) => c.fail === null);
}

/** The checks after a failed load: each one failed, saying why it could not run. */
export function notRun(whats: readonly string[]): Check[] {
  return whats.map((w) => check(w, 'not checked: the module did not load (above)'));
}
