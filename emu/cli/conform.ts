// vmlab conform FILE... [--json]: run paging conformance files (FORMAT.md v1).
import { readHostText } from '../../host/files';
import type { CommandModule } from 'yargs';
import { formatDiagnostic, parseCases } from '../conform/case';
import type { Case, Diagnostic } from '../conform/case';
import { compareCase, jsonLines, runCase } from '../conform/run';
import { UserError } from './errors';

interface ConformArgs {
  files: string[];
  json: boolean;
}

/** Exit status for files that are not valid (nothing was run). */
export const EXIT_INVALID = 2;

function load(files: string[]): Case[] {
  const cases: Case[] = [];
  const errors: Diagnostic[] = [];
  for (const file of files) {
    const text = readHostText(file, 'a file of conformance cases (JSONL)');
    if (!text.ok) throw new UserError(`cannot read ${file}: ${text.reason}`, EXIT_INVALID);
    const r = parseCases(text.value, file);
    cases.push(...r.cases);
    errors.push(...r.errors);
  }
  if (errors.length > 0) {
    throw new UserError(`${errors.map(formatDiagnostic).join('\n')}\n${errors.length} invalid case${errors.length === 1 ? '' : 's'}; nothing was run`, EXIT_INVALID);
  }
  return cases;
}

export const conformCommand: CommandModule<object, ConformArgs> = {
  command: 'conform <files..>',
  describe: 'Run x86-64 paging conformance cases (JSON Lines, FORMAT.md v1) against the MMU',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'conformance files (.jsonl)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print what actually happened, one JSON object per access step and per "after", without comparing',
      })
      .epilog(
        'Prints one FAIL line per failing case, then "N passed, M failed".\n' +
          'Exit status: 0 all cases passed (or --json ran), 1 some case failed, ' +
          `${EXIT_INVALID} a file could not be read or is not valid (each problem is reported as FILE:LINE: reason, and nothing runs).`,
      ),
  handler: (args) => {
    const cases = load(args.files);
    const out: string[] = [];
    let failed = 0;
    for (const c of cases) {
      const outcome = runCase(c);
      if (args.json) {
        out.push(...jsonLines(c, outcome));
        continue;
      }
      const why = compareCase(c, outcome);
      if (why !== null) {
        failed++;
        out.push(why);
      }
    }
    if (!args.json) out.push(`${cases.length - failed} passed, ${failed} failed`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (failed > 0) process.exitCode = 1;
  },
};
