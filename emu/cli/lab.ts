// `vmlab lab`: the lab kit's grader (docs/labs/README.md).
//   vmlab lab list                          the labs, their skeleton files and reference drivers
//   vmlab lab check LAB [FILE...]           grade module files (default: the built-in reference drivers)
//
// A check boots a kernel as `vmlab shell` does, loads the modules (a file by
// its path, exactly as `insmod ./mtest.ts` would: compiled and type-checked;
// or the built-in reference driver by name), runs the lab's test programs
// and reads what they and the kernel log say (lab-support.ts says what a lab
// is; the labs are in lab-mm.ts and lab-devices.ts). Each check is printed
// `ok` or `FAIL` with what was expected, what was seen, and the exercise of
// the skeleton it belongs to. Exit status 0 when every check
// passes, 1 when one fails, 2 for a usage error (unknown lab, missing file).
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from './errors';
import { ShellSession } from './shell-session';
import { EXIT_USAGE } from './option-values';
import type { Check, Lab, LabModule, LoadedModule, ScriptLine, Transcript } from './lab-support';
import { kmallocVmallocLab, mtestLab, physicalviewLab } from './lab-mm';
import { btplusLab, mmapperLab } from './lab-devices';

/** The labs, in the order of docs/labs/README.md. */
export const LABS: readonly Lab[] = [kmallocVmallocLab, mtestLab, btplusLab, mmapperLab, physicalviewLab];

/** The most instructions one foreground test program may run: a runaway is stopped (status 124), not waited for. */
const MAX_INSNS = 2_000_000_000;

/** Linux's KBUILD_MODNAME for a module file, as insmod names it: the file name without .ts/.js, `-` as `_`. */
export function moduleNameOf(path: string): string {
  return basename(path).replace(/\.(ts|js|mts|mjs)$/, '').replace(/-/g, '_');
}

/** The lab named `name` (or by an alias), else a usage error listing the labs. */
export function findLab(name: string): Lab {
  const lab = LABS.find((l) => l.name === name || l.aliases.includes(name));
  if (lab === undefined) throw new UserError(`lab check: no lab '${name}'; the labs: ${LABS.map((l) => l.name).join(', ')}`, EXIT_USAGE);
  return lab;
}

/** The modules to load: the given files (as many as the lab has modules), else the reference drivers. */
export function modulesFor(lab: Lab, files: readonly string[]): LoadedModule[] {
  if (files.length === 0) return lab.modules.map((m) => ({ insmod: m.builtin, name: m.builtin, file: null, role: m }));
  if (files.length !== lab.modules.length) {
    const want = lab.modules.map((m: LabModule) => m.skeleton).join(' ');
    throw new UserError(`lab check ${lab.name}: give ${lab.modules.length === 1 ? 'one module file' : `${lab.modules.length} module files`} (${want}), or none for the reference solution`, EXIT_USAGE);
  }
  return files.map((f, i) => {
    if (!existsSync(f)) throw new UserError(`lab check ${lab.name}: ${f}: No such file or directory`, EXIT_USAGE);
    if (!statSync(f).isFile()) throw new UserError(`lab check ${lab.name}: ${f}: not a module file`, EXIT_USAGE);
    // insmod takes a path when the word has a '/' or a .ts/.js suffix: give it one either way.
    const insmod = f.includes('/') ? f : `./${f}`;
    return { insmod, name: moduleNameOf(f), file: f, role: lab.modules[i]! };
  });
}

/** Runs `lines` in a fresh kernel (seed 1, as `vmlab shell`'s default); the transcript, cut at each command. */
export async function runLabSession(lines: readonly ScriptLine[]): Promise<{ text: string; commands: Transcript }> {
  let text = '';
  const append = (s: string): void => {
    text += s;
  };
  const session = new ShellSession({}, { out: append, err: append });
  const decoder = new TextDecoder();
  session.k.opts.stdout = (b) => append(decoder.decode(b));
  session.k.opts.stderr = (b) => append(decoder.decode(b));
  session.echoCommands = true;
  session.maxInsns = MAX_INSNS;
  for (const line of lines) await session.execLine(typeof line === 'string' ? line : line(transcriptOf(text)));
  return { text, commands: transcriptOf(text) };
}

/** A session's text cut at each echoed command: the command and what it printed. */
function transcriptOf(text: string): Transcript {
  const commands: Transcript = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('vmlab# ')) commands.push({ cmd: line.slice(7), out: '' });
    else if (commands.length > 0) commands.at(-1)!.out += `${line}\n`;
  }
  if (commands.length > 0) commands.at(-1)!.out = commands.at(-1)!.out.replace(/\n$/, '');
  return commands;
}

/**
 * The report's lines for one check: `  ok    WHAT`, or `  FAIL  WHAT` and
 * why, indented, then its exercise and what the module logged about that
 * exercise (a skeleton logs `EXERCISE n is not done`).
 */
function checkLines(c: Check, notDone: ReadonlyMap<string, string>): string[] {
  if (c.fail === null) return [`  ok    ${c.what}`];
  const why = c.fail.replace(/\n$/, '').split('\n').map((l) => `        ${l}`);
  const n = c.exercise === undefined ? undefined : /^EXERCISE (\d+) /.exec(c.exercise)?.[1];
  const logged = n === undefined ? undefined : notDone.get(n);
  return [`  FAIL  ${c.what}`, ...why, ...(c.exercise ? [`        (${c.exercise})`] : []), ...(logged ? [`        the module logged: ${logged}`] : [])];
}

/** The first `EXERCISE n is not done` line the modules logged, by n. */
function notDoneLines(transcript: string): Map<string, string> {
  const r = new Map<string, string>();
  for (const m of transcript.matchAll(/^\[\s*\d+\.\d+\] (.*EXERCISE (\d+) is not done.*)$/gm)) if (!r.has(m[2]!)) r.set(m[2]!, m[1]!);
  return r;
}

/** Grades the modules: the report and whether every check passed. */
export async function checkLab(lab: Lab, mods: LoadedModule[]): Promise<{ report: string; passed: boolean; transcript: string }> {
  const session = await runLabSession(lab.script(mods));
  const checks = lab.check(session.commands, mods);
  const failed = checks.filter((c) => c.fail !== null).length;
  const who = mods.map((m) => (m.file === null ? `${m.name} (built-in reference)` : `${m.file} (module ${m.name})`)).join(', ');
  const notDone = notDoneLines(session.text);
  const lines = [`lab ${lab.name}: ${who}`, ...checks.flatMap((c) => checkLines(c, notDone))];
  lines.push(failed === 0 ? `all ${checks.length} checks passed` : `${checks.length - failed} of ${checks.length} checks passed`);
  return { report: `${lines.join('\n')}\n`, passed: failed === 0, transcript: session.text };
}

interface LabArgs {
  action: string;
  lab?: string;
  files?: string[];
  transcript: boolean;
}

export const labCommand: CommandModule<object, LabArgs> = {
  command: 'lab <action> [lab] [files..]',
  describe: "The lab kit: list the labs, or grade a lab's module files (docs/labs/)",
  builder: (y) =>
    y
      .positional('action', { type: 'string', describe: 'list, or check', demandOption: true })
      .positional('lab', { type: 'string', describe: 'the lab (vmlab lab list)' })
      .positional('files', { type: 'string', array: true, describe: 'the module files to grade (none: the reference drivers)' })
      .option('transcript', { type: 'boolean', default: false, describe: 'print the shell session the checks read, before the report' })
      .example('vmlab lab check mtest ./mtest.ts', 'grade your /proc/mtest module')
      .example('vmlab lab check kmalloc-vmalloc ./part2_a.ts ./part2_b.ts', 'grade both modules of a two-module lab')
      .epilogue('The skeletons and walkthroughs are in docs/labs/LAB/.'),
  handler: async (argv) => {
    if (argv.action === 'list') {
      for (const l of LABS) {
        process.stdout.write(`${l.name.padEnd(17)}${l.title}\n`);
        process.stdout.write(`${''.padEnd(17)}docs/labs/${l.name}/: ${l.modules.map((m) => m.skeleton).join(' ')} (reference: ${l.modules.map((m) => m.builtin).join(' ')})\n`);
      }
      return;
    }
    if (argv.action !== 'check') throw new UserError(`lab: unknown action '${argv.action}' (list, or check LAB [FILE...])`, EXIT_USAGE);
    if (argv.lab === undefined) throw new UserError(`lab check: which lab? ${LABS.map((l) => l.name).join(', ')}`, EXIT_USAGE);
    const lab = findLab(argv.lab);
    const r = await checkLab(lab, modulesFor(lab, argv.files ?? []));
    if (argv.transcript) process.stdout.write(`${r.transcript}\n`);
    process.stdout.write(r.report);
    process.exitCode = r.passed ? 0 : 1;
  },
};
