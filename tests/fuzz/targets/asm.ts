// Target `asm`: assembler input of five kinds: token soup, valid sources
// from guest-programs/ mutated line by line (lines dropped, doubled, swapped,
// tokens replaced, numbers set to edge values, junk inserted, truncation),
// long string literals and lines, deep or long expressions and .equ chains,
// and raw bytes. Includes come from an in-memory table (no host file is
// read). Checked: assemble() never throws; every diagnostic is a one-line
// message with a position inside the input and no JavaScript leaking out
// (internal error, undefined, NaN, [object); a failed assembly has an error;
// what assembles is written as an ELF that elf-read and the disassembler
// take back.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { assemble } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import { readElf } from '../../../asm/elf-read';
import { disassembleElf } from '../../../asm/disasm-listing';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget } from '../harness/target';

export interface AsmCase {
  kind: 'soup' | 'mutant' | 'long' | 'deep' | 'bytes';
  /** The source the mutant came from. */
  origin: string;
  /** The text, as lines (the unit of shrinking). */
  lines: readonly string[];
  /** Assembled with the runtime library's other files (so that a mutant can link). */
  withLib: boolean;
}

const GUEST = join(process.cwd(), 'guest-programs');
const DIRS = ['tests', 'lib', 'samples', 'experiments', 'programs', 'lib-tests', 'bench'];

let corpus: Map<string, string> | null = null;

/** Every assembly source and include file under guest-programs/, by name (read once). */
function sources(): Map<string, string> {
  if (corpus !== null) return corpus;
  corpus = new Map();
  for (const d of DIRS) {
    let names: string[];
    try {
      names = readdirSync(join(GUEST, d));
    } catch {
      continue;
    }
    for (const f of names.sort()) if (/\.(s|inc)$/.test(f)) corpus.set(`${d}/${f}`, readFileSync(join(GUEST, d, f), 'utf8'));
  }
  return corpus;
}

/** Include files the cases may name: the real ones by base name, and one that includes itself. */
function readInclude(path: string): string {
  const name = basename(path);
  if (name === 'self.inc') return '.include "self.inc"\nnop\n';
  if (name === 'deep0.inc') return '.include "deep0.inc"\n';
  for (const [k, text] of sources()) if (k.endsWith(`/${name}`) && name.endsWith('.inc')) return text;
  throw new Error('no such file');
}

const TOKENS = [
  '_start', ':', 'x', '1:', '1f', '1b', 'a0', 'x31', 'x32', 'zero', 'sp', 'fp', 's0', '.', ',', '(', ')', '%hi', '%lo', '%pcrel_hi', '%pcrel_lo',
  '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '!', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '=', '0', '1', '-1', '2047', '2048',
  '-2049', '0x7fffffff', '0xffffffffffffffff', '0x10000000000000000', '99999999999999999999', '0b101', '0777', "'a'", "'\\n'", '"s"', '"\\n',
  '"\\x41\\777"', ';', '\n', '#c\n', '/*', '*/', '//', 'li', 'la', 'lla', 'call', 'tail', 'addi', 'addiw', 'lw', 'ld', 'sd', 'lbu', 'beq', 'bgtz',
  'jal', 'jalr', 'j', 'jr', 'ret', 'nop', 'mv', 'not', 'neg', 'seqz', 'lui', 'auipc', 'ecall', 'ebreak', 'fence', 'iorw', 'csrr', 'rdcycle',
  'mul', 'mulh', 'div', 'remuw', 'slli', 'srai', 'sext.w', '.text', '.data', '.bss', '.rodata', '.section', '.pushsection', '.popsection',
  '.previous', '.globl', '.local', '.weak', '.equ', '.set', '.equiv', '.align', '.p2align', '.balign', '.byte', '.half', '.word', '.dword',
  '.quad', '.ascii', '.asciz', '.string', '.zero', '.space', '.skip', '.size', '.type', '@function', '@object', '.include', '"self.inc"',
  '"sys.inc"', '"linux.inc"', '"/dev/zero"', '.option', 'push', 'pop', 'norvc', '.end', '.file', '.loc', '.cfi_startproc', '\u0000', '\u00ff',
  '\t', '\r', '\u{1F600}', '\u202e',
];
const EDGE_NUMBERS = ['0', '-1', '2047', '-2048', '2048', '4095', '4096', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '0x7fffffffffffffff',
  '0x8000000000000000', '0xffffffffffffffff', '18446744073709551616', '-9223372036854775809', '1e3', '0x', '08', '1<<63', '1<<64', '-0'];

function soup(r: Rng, n: number): string {
  return Array.from({ length: n }, () => r.pick(TOKENS)).join(r.pick([' ', ' ', '', ', ']));
}

function mutateLines(r: Rng, lines: string[]): string[] {
  const out = lines.slice();
  for (let n = r.range(1, 8); n > 0 && out.length > 0; n--) {
    const i = r.int(out.length);
    switch (r.int(8)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1:
        out.splice(i, 0, out[i]!);
        break;
      case 2:
        if (i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
        break;
      case 3: {
        const words = out[i]!.split(/(\s+|,)/);
        const w = r.int(words.length);
        words[w] = r.pick(TOKENS);
        out[i] = words.join('');
        break;
      }
      case 4:
        out[i] = out[i]!.replace(/-?\b(0x[0-9a-f]+|\d+)\b/i, () => r.pick(EDGE_NUMBERS));
        break;
      case 5:
        out.splice(i, 0, soup(r, r.range(1, 6)));
        break;
      case 6:
        out[i] = out[i]!.slice(0, r.int(out[i]!.length + 1));
        break;
      default:
        out[i] = out[i]! + r.pick(TOKENS);
    }
  }
  return out;
}

function longCase(r: Rng): string[] {
  const n = r.chance(0.995) ? r.magnitude(17) : r.magnitude(24);
  const ch = r.pick(['A', '\\n', '\\x41', '\\"', '\\\\', '\u00e9']);
  switch (r.int(5)) {
    case 0:
      return ['.globl _start', '_start: nop', '.data', `s: .ascii "${ch.repeat(n)}"`];
    case 1:
      return ['.globl _start', '_start: nop', '.data', `s: .asciz "${ch.repeat(n)}`]; // unterminated
    case 2:
      return ['.globl _start', `_start: li a0, ${'9'.repeat(Math.min(n, 100_000))}`];
    case 3:
      return ['.globl _start', `${'x'.repeat(Math.min(n, 100_000))}:`, '_start: nop'];
    default:
      return ['.globl _start', '_start:', ...Array.from({ length: Math.min(n, 20_000) }, (_, i) => `  addi a0, a0, ${i % 2048}`)];
  }
}

function deepCase(r: Rng): string[] {
  const n = r.magnitude(14);
  switch (r.int(6)) {
    case 0:
      return ['.globl _start', `_start: li a0, ${'('.repeat(n)}1${')'.repeat(n)}`];
    case 1:
      return ['.globl _start', `_start: li a0, ${'-'.repeat(n)}1`];
    case 2:
      return ['.globl _start', `_start: li a0, 1${'+1'.repeat(n)}`];
    case 3:
      return ['.globl _start', '_start: nop', '.data', `.dword v${n}`, ...Array.from({ length: n }, (_, i) => `.equ v${n - i}, v${n - i - 1} * 2 + 1`), '.equ v0, 1'];
    case 4:
      return ['.globl _start', '_start:', '.include "self.inc"', '.include "deep0.inc"'];
    default:
      return ['.globl _start', '_start:', ...Array.from({ length: Math.min(n, 5000) }, (_, i) => `l${i}: j l${(i * 7919) % Math.min(n, 5000)}`)];
  }
}

function generate(r: Rng): AsmCase {
  const kind = r.weighted({ soup: 25, mutant: 45, long: 8, deep: 10, bytes: 12 } as const);
  if (kind === 'mutant') {
    const names = [...sources().keys()];
    const origin = r.pick(names);
    const text = sources().get(origin)!;
    const withLib = (origin.startsWith('lib/') || /^main:/m.test(text)) && r.chance(0.5);
    return { kind, origin, lines: mutateLines(r, text.split('\n')), withLib };
  }
  if (kind === 'soup') return { kind, origin: '', lines: Array.from({ length: r.range(1, 20) }, () => soup(r, r.range(0, 20))), withLib: false };
  if (kind === 'long') return { kind, origin: '', lines: longCase(r), withLib: false };
  if (kind === 'deep') return { kind, origin: '', lines: deepCase(r), withLib: false };
  const bytes = Array.from({ length: r.magnitude(12) }, () => (r.chance(0.7) ? r.range(32, 126) : r.int(0x11000)));
  return { kind, origin: '', lines: String.fromCodePoint(...bytes).split('\n'), withLib: false };
}

/** JavaScript leaking into a message (`undefined symbol` is the assembler's own wording). */
const LEAKS: readonly RegExp[] = [/internal error/, /\bundefined\b(?! symbol)/, /\bNaN\b/, /\[object /, /Maximum call stack/, /\bInfinity\b/];

function run(c: AsmCase, ctx: CaseContext): void {
  const text = c.lines.join('\n');
  const path = c.origin !== '' ? join(GUEST, c.origin) : 'fuzz.s';
  const lib = c.withLib ? [...sources()].filter(([k]) => k.startsWith('lib/') && k.endsWith('.s') && k !== c.origin).map(([k, t]) => ({ path: join(GUEST, k), text: t })) : [];
  const r = assemble([{ path, text }, ...lib], { readFile: readInclude });
  const nlines = text.split('\n').length;
  for (const d of r.diagnostics) {
    const where = `${d.file}:${d.line}:${d.col}`;
    if (d.message === '' || /[\n\r]/.test(d.message)) ctx.fail('check', `a diagnostic that is not one line at ${where}: ${JSON.stringify(d.message.slice(0, 200))}`);
    for (const w of LEAKS) if (w.test(d.message) && !w.test(text)) ctx.fail('check', `${w.source} in a diagnostic at ${where}: ${d.message.slice(0, 200)}`);
    if (d.line < 0 || (d.file === path && d.line > nlines) || d.col < 0) ctx.fail('check', `a diagnostic outside the input at ${where} (the input has ${nlines} lines): ${d.message.slice(0, 200)}`);
  }
  if (!r.ok) {
    if (!r.diagnostics.some((d) => d.severity === 'error')) ctx.fail('check', 'assembly failed without an error diagnostic');
    return;
  }
  const elf = writeElf(r.image);
  const back = readElf(elf);
  if (!back.ok) {
    ctx.fail('check', `elf-read rejects what the assembler wrote: ${back.error}`);
    return;
  }
  disassembleElf(back.elf, 'fuzz');
}

export const target: FuzzTarget<AsmCase> = {
  name: 'asm',
  about: 'assembler text: token soup, mutated guest-programs sources, long strings and lines, deep expressions, raw bytes',
  batch: { seed: 1, count: 150 },
  known: [],
  generate,
  run,
  show: (c) => {
    const text = c.lines.join('\n');
    const head = `# ${c.kind}${c.origin ? ` of ${c.origin}` : ''}${c.withLib ? ' (with the other guest-programs/lib files)' : ''}, ${c.lines.length} lines, ${text.length} characters`;
    return text.length > 4000 ? `${head} (first 4000 shown; --save writes it whole)\n${text.slice(0, 4000)}` : `${head}\n${text}`;
  },
  files: (c) => ({ '.s': c.lines.join('\n') }),
  parts: (c) => c.lines.length,
  without: (c, i) => ({ ...c, lines: c.lines.filter((_, j) => j !== i) }),
};
