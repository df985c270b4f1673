// The options every command that boots a kernel shares (vmlab run, shell,
// debug): --mem, --tmpfs-size, --paging, --tlb, --aslr, --shuffle, --seed,
// --mmap-min-addr, their yargs
// definitions, their translation into KernelOptions, and the split of a
// command's words into vmlab's options, PROG and the guest's arguments.
import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { KernelOptions } from '../../kernel-ts/kernel';
import { UserError } from './errors';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
export const MIN_MEM = 16 * MiB;
export const MAX_MEM = 16 * GiB;

/** The parsed values of the shared options. */
export interface KernelArgs {
  mem: string;
  tmpfsSize?: string;
  paging: number;
  tlb: string;
  aslr: boolean;
  shuffle: boolean;
  seed: number;
  mmapMinAddr?: string;
}

/** Adds the shared options to a yargs builder. */
export function kernelOptions<T>(y: Argv<T>): Argv<T & KernelArgs> {
  return y
    .option('mem', { type: 'string', default: '1G', describe: 'guest RAM (e.g. 64M, 1G)' })
    .option('tmpfs-size', { type: 'string', describe: "/tmp's size= (e.g. 16M, or 25% of RAM; default 50%)" })
    .option('paging', { type: 'number', choices: [4, 5], default: 4, describe: 'paging levels (5 = LA57)' })
    .option('tlb', { type: 'string', choices: ['default', 'none'], default: 'default', describe: 'TLB model' })
    .option('aslr', { type: 'boolean', default: true, describe: 'randomize stack, mmap base and brk (--no-aslr: off)' })
    .option('shuffle', { type: 'boolean', default: true, describe: 'hand out page frames in shuffled order, as on a long-running system (--no-shuffle: address order)' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of every random choice (ASLR, AT_RANDOM, getrandom, frame shuffling)' })
    .option('mmap-min-addr', { type: 'string', describe: 'vm.mmap_min_addr at boot: no mapping below it (default 65536, as Linux)' }) as unknown as Argv<T & KernelArgs>;
}

/** The shared options that take a value as the next word (unless written --name=value). */
export const KERNEL_VALUE_OPTIONS: readonly string[] = ['mem', 'tmpfs-size', 'paging', 'tlb', 'seed', 'mmap-min-addr', 'mmapMinAddr'];

/** The kernel's options from the parsed ones; bad values are UserErrors. */
export function kernelOptionsFrom(a: KernelArgs): KernelOptions {
  const memSize = parseMemSize(a.mem);
  return {
    memSize,
    ...(a.tmpfsSize === undefined ? {} : { tmpfsSize: parseTmpfsSize(a.tmpfsSize, memSize) }),
    paging: a.paging === 5 ? 5 : 4,
    tlb: a.tlb === 'none' ? 'none' : undefined,
    aslr: a.aslr,
    shufflePages: a.shuffle,
    seed: checkInteger('--seed', a.seed, 0),
    mmapMinAddr: a.mmapMinAddr === undefined ? undefined : parseMmapMinAddr(a.mmapMinAddr),
  };
}

/** --mmap-min-addr BYTES: a byte count in decimal or 0x hex, 0..2^53-1 (the sysctl's own limit); otherwise a usage error (exit 2). */
export function parseMmapMinAddr(s: string): number {
  const v = typeof s === 'string' && /^(0[xX][0-9a-fA-F]+|0|[1-9][0-9]*)$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(v)) throw new UserError(`--mmap-min-addr: '${s}' is not a byte count (e.g. 4096 or 0x1000)`, 2);
  return v;
}

/** Parses a size: bytes, or a number with K/M/G (KiB, MiB, GiB), e.g. 64M. */
export function parseMemSize(s: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*$/.exec(s);
  if (!m) throw new UserError(`--mem: '${s}' is not a size (use e.g. 64M or 1G)`);
  const unit = { '': 1, k: KiB, m: MiB, g: GiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Number(m[1]) * unit;
  if (bytes % (4 * KiB) !== 0) throw new UserError(`--mem: ${s} is not a multiple of 4 KiB`);
  if (bytes < MIN_MEM || bytes > MAX_MEM) throw new UserError(`--mem: ${s} is outside 16M..16G`);
  return bytes;
}

/**
 * Parses tmpfs's size= as Linux's mount option: bytes, K/M/G, or a percentage
 * of RAM, rounded up to whole pages; at least one page, at most MAX_MEM.
 */
export function parseTmpfsSize(s: string, memSize: number): number {
  const pct = /^\s*(\d+)\s*%\s*$/.exec(s);
  let bytes: number;
  if (pct) bytes = Math.floor((memSize * Number(pct[1])) / 100);
  else {
    const m = /^\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*$/.exec(s);
    if (!m) throw new UserError(`--tmpfs-size: '${s}' is not a size (use e.g. 16M or 25%)`, 2);
    bytes = Number(m[1]) * { '': 1, k: KiB, m: MiB, g: GiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  }
  const pages = Math.ceil(bytes / (4 * KiB));
  if (pages < 1 || pages * 4 * KiB > MAX_MEM) throw new UserError(`--tmpfs-size: ${s} is outside 4K..16G`, 2);
  return pages * 4 * KiB;
}

export function checkInteger(opt: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw new UserError(`${opt}: '${v}' is not an integer >= ${min}`);
  return v;
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
    if (takesValue && (i + 1 >= words.length || /^--?[a-zA-Z]/.test(words[i + 1]!))) throw new UserError(`option ${w} needs a value`, 2);
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
  const parsed = define(yargs(words))
    .strict()
    .help(false)
    .version(false)
    .fail((msg) => {
      failure = msg;
    })
    .parseSync() as T & { _: (string | number)[] };
  if (failure !== null) throw new UserError(`${command}: ${failure}`, 2);
  if (parsed._.length > 0) throw new UserError(`${command}: unexpected '${parsed._[0]}' among the options`, 2);
  return parsed;
}
