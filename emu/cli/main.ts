// The vmlab command line: one yargs command per file in this folder.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asmCommand } from './asm';
import { ccCommand } from './cc';
import { disasmCommand } from './disasm';
import { conformCommand } from './conform';
import { benchCommand } from './bench';
import { demoCommand } from './demo';
import { runCommand } from './run';
import { debugCommand } from './debug';
import { dapCommand } from './dap';
import { shellCommand } from './shell';
import { labCommand } from './lab';
import { webCommand } from './web';
import { reportInternalError, reportUnhandledRejection } from './errors';
import { EXIT_USAGE } from './option-values';
import { setFlagsFromString } from 'node:v8';

// Tier 1's regions (emu/machine/jit) go straight to V8's optimizing compiler. With its
// baseline compiler first, every region was compiled twice and both codes lived for a
// while: on the c-mix benchmark that cost ~10 MiB of peak RSS (94 against 101-105 MiB,
// the target 100 MiB) and ran no faster (docs/jit.md, Limits). Set before any
// wasm is compiled.
setFlagsFromString('--no-liftoff');

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('vmlab')
    // Option values stay the text typed: option-values.ts reads numbers, so a bad one is quoted, not NaN.
    .parserConfiguration({ 'parse-numbers': false })
    .usage('vmlab: a virtual-memory laboratory (RV64IM guest, x86-64 paging)\n\nUsage: vmlab <command> [options]')
    .command(asmCommand)
    .command(ccCommand)
    .command(disasmCommand)
    .command(conformCommand)
    .command(benchCommand)
    .command(runCommand)
    .command(debugCommand)
    .command(dapCommand)
    .command(shellCommand)
    .command(demoCommand)
    .command(labCommand)
    .command(webCommand)
    .demandCommand(1, 'Give a command; see vmlab --help.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs's own complaints (YError: a missing value, an unknown option) are usage errors; anything else is ours.
      if (err && err.name !== 'YError') throw err;
      process.stderr.write(`vmlab: ${usageText(msg ?? err.message)}\n`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
}

/** yargs's message: a missing value in the words `vmlab run` uses for it, anything else with a pointer to the help. */
function usageText(msg: string): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(msg);
  if (missing === null) return `${msg}\nRun 'vmlab --help' for usage.`;
  const name = missing[1]!;
  return `option ${name.length === 1 ? '-' : '--'}${name} needs a value`;
}

// `vmlab disasm prog | head`: a closed pipe ends the output quietly, as for
// any Unix filter (exit status 141 = 128 + SIGPIPE), not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(141);
  reportInternalError(err);
});

process.on('unhandledRejection', reportUnhandledRejection);

main().catch(reportInternalError);
