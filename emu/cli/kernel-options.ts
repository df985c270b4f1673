// The options every command that boots a kernel shares (vmlab run, shell,
// debug): --mem, --tmpfs-size, --paging, --tlb, --aslr, --shuffle, --seed,
// --mmap-min-addr, their yargs definitions, their translation into
// KernelOptions (values read by option-values.ts), and the split of a
// command's words into vmlab's options, PROG and the guest's arguments.
import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { KernelOptions } from '../../kernel-ts/kernel';
import { UserError } from './errors';
import { EXIT_USAGE, badValue, optionText, parseChoice, parseInteger, parseSize } from './option-values';
import { builtinModules } from './builtins';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
export const MIN_MEM = 16 * MiB;
export const MAX_MEM = 16 * GiB;

/** The parsed values of the shared options: the numbers and choices as typed (option-values.ts reads them). */
export interface KernelArgs {
  mem: unknown;
  tmpfsSize?: unknown;
  paging: unknown;
  tlb: unknown;
  aslr: boolean;
  shuffle: boolean;
  seed: unknown;
  mmapMinAddr?: unknown;
  /** --jit off|on (tier 1, emu/machine/jit). */
  jit?: unknown;
}

/**
 * Adds the shared options to a yargs builder. The valued ones carry no yargs
 * type or choices: their text reaches kernelOptionsFrom as typed, so that a
 * bad value is one usage error from option-values.ts, not yargs's NaN.
 */
export function kernelOptions<T>(y: Argv<T>, jitDefault: 'on' | 'off' = 'on'): Argv<T & KernelArgs> {
  return y
    .option('mem', { requiresArg: true, default: '1G', describe: 'guest RAM: bytes or K/M/G, 16M..16G' })
    .option('tmpfs-size', { requiresArg: true, describe: "/tmp's size=: bytes, K/M/G, or N% of RAM (default 50%)" })
    .option('paging', { requiresArg: true, default: 4, describe: 'paging levels: 4, or 5 (LA57)' })
    .option('tlb', { requiresArg: true, default: 'default', describe: 'TLB model: default, or none (every access walks)' })
    .option('aslr', { type: 'boolean', default: true, describe: 'randomize stack, mmap base and brk (--no-aslr: off)' })
    .option('shuffle', { type: 'boolean', default: true, describe: 'hand out page frames in shuffled order, as on a long-running system (--no-shuffle: address order)' })
    .option('seed', { requiresArg: true, default: 1, describe: 'seed of every random choice (ASLR, AT_RANDOM, getrandom, frame shuffling): 0..4294967295' })
    .option('mmap-min-addr', { requiresArg: true, describe: 'vm.mmap_min_addr at boot: no mapping below it (default 65536, as Linux)' })
    .option('jit', { requiresArg: true, default: jitDefault, describe: 'tier 1: compile hot guest code to WebAssembly (on), or interpret only (off); same results either way' }) as unknown as Argv<T & KernelArgs>;
}

/** The shared options that take a value as the next word (unless written --name=value). */
export const KERNEL_VALUE_OPTIONS: readonly string[] = ['mem', 'tmpfs-size', 'paging', 'tlb', 'seed', 'mmap-min-addr', 'mmapMinAddr', 'jit'];

/** The kernel's options from the parsed ones; a bad value is a usage error (option-values.ts). */
export function kernelOptionsFrom(a: KernelArgs): KernelOptions {
  const memSize = parseMemSize(a.mem);
  return {
    memSize,
    ...(a.tmpfsSize === undefined ? {} : { tmpfsSize: parseTmpfsSize(a.tmpfsSize, memSize) }),
    paging: parseChoice('--paging', a.paging, ['4', '5']) === '5' ? 5 : 4,
    tlb: parseChoice('--tlb', a.tlb, ['default', 'none']) === 'none' ? 'none' : undefined,
    aslr: a.aslr,
    shufflePages: a.shuffle,
    // KernelRandom keeps 32 bits of the seed: a larger one would silently alias a smaller.
    seed: parseInteger('--seed', a.seed, { min: 0, max: 0xffff_ffff }),
    mmapMinAddr: a.mmapMinAddr === undefined ? undefined : parseMmapMinAddr(a.mmapMinAddr),
    builtinModules: builtinModules(),
    jit: parseJit(a.jit),
  };
}

/** --jit off|on; absent (a caller that does not offer the option): off. */
export function parseJit(v: unknown): boolean {
  return v === undefined ? false : parseChoice('--jit', v, ['off', 'on']) === 'on';
}

/** --mmap-min-addr BYTES: a byte count in decimal or 0x hex, 0..2^53-1 (the sysctl's own limit). */
export function parseMmapMinAddr(v: unknown): number {
  return parseInteger('--mmap-min-addr', v, { min: 0, expected: 'a byte count (e.g. 4096 or 0x1000)' });
}

/** --mem SIZE: bytes, or a number with K/M/G (KiB, MiB, GiB), e.g. 64M; whole pages, 16M..16G. */
export function parseMemSize(v: unknown): number {
  return parseSize('--mem', v, { min: MIN_MEM, max: MAX_MEM, align: 4 * KiB });
}

/**
 * Parses tmpfs's size= as Linux's mount option: bytes, K/M/G, or a percentage
 * of RAM, rounded up to whole pages; at least one page, at most MAX_MEM.
 */
export function parseTmpfsSize(v: unknown, memSize: number): number {
  const text = optionText(v);
  const expected = 'a size from 4K to 16G, or a percentage of RAM (e.g. 16M or 25%)';
  const pct = /^(\d+)%$/.exec(text);
  let bytes: number;
  if (pct) bytes = Math.floor((memSize * Number(pct[1])) / 100);
  else {
    try {
      bytes = parseSize('--tmpfs-size', v, { min: 1, max: MAX_MEM, align: 1 });
    } catch {
      throw badValue('--tmpfs-size', text, expected);
    }
  }
  const pages = Math.ceil(bytes / (4 * KiB));
  if (pages < 1 || pages * 4 * KiB > MAX_MEM) throw badValue('--tmpfs-size', text, expected);
  return pages * 4 * KiB;
}

/**
 * Splits the words after a command into vmlab's options, PROG and the
 * guest's words: options end at the first word that is not one (or at
 * `--`), and everything after PROG goes to the guest verbatim.
 * `valueOptions` names the options whose value is the next word.
 */
export function splitCommandWords(words: string[], valueOptions: ReadonlySet<string>): { options: string[]; prog: string | null; rest: string[] } {
  let i = 0;
  const options: string[] = [];
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    const name = w.replace(/^--?/, '').split('=')[0]!;
    const takesValue = valueOptions.has(name) && !w.includes('=');
    // `-x --batch`: the option's value is missing (the next word is an option), not "--batch".
    if (takesValue && (i + 1 >= words.length || /^--?[a-zA-Z]/.test(words[i + 1]!))) throw new UserError(`option ${w} needs a value`, EXIT_USAGE);
    options.push(...words.slice(i, i + (takesValue ? 2 : 1)));
    i += takesValue ? 2 : 1;
  }
  return { options, prog: words[i] ?? null, rest: words.slice(i + 1) };
}

/**
 * Parses the option words split off by splitCommandWords with the command's
 * yargs definitions (`define`), strictly; a mistake is a UserError naming
 * the command (exit status 2, a usage error).
 */
export function parseOptionWords<T>(command: string, words: string[], define: (y: Argv) => Argv<T>): T {
  let failure: string | null = null;
  // Values stay the text typed (option-values.ts reads them), never yargs's numbers.
  const parsed = define(yargs(words).parserConfiguration({ 'parse-numbers': false }))
    .strict()
    .help(false)
    .version(false)
    .fail((msg) => {
      failure = msg;
    })
    .parseSync() as T & { _: (string | number)[] };
  if (failure !== null) throw new UserError(`${command}: ${failure}`, EXIT_USAGE);
  if (parsed._.length > 0) throw new UserError(`${command}: unexpected '${parsed._[0]}' among the options`, EXIT_USAGE);
  return parsed;
}
