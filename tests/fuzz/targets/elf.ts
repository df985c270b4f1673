// Target `elf`: valid vmlab-built executables, mutated (bit flips, bytes
// overwritten, header and program/section header fields set to edge values,
// truncation, junk appended, a program header copied over another), then
// read by every consumer: asm/elf-read (one-line error or a file), the
// disassembler and the debugger's symbol table on what it accepts, and the
// kernel's loader, both from the host (spawn) and from a guest's execve;
// what loads runs within an instruction budget (mutated code may loop, so
// running out is not a failure). Checked: no host exception, no oops, the
// mm invariants after every call, frames back to the baseline.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import type { SourceFile } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import { readElf } from '../../../asm/elf-read';
import { disassembleElf } from '../../../asm/disasm-listing';
import { Symbols } from '../../../emu/debugger/symbols';
import { KernelWatch, bootKernel } from '../harness/kernel';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget } from '../harness/target';
import { EDGES } from '../gen/syscall-args';

type Mutation =
  | { readonly k: 'flip'; readonly at: number; readonly bit: number }
  | { readonly k: 'set'; readonly at: number; readonly bytes: readonly number[] }
  /** A header field (ELF header, program header ph, section header sh) set to a value. */
  | { readonly k: 'field'; readonly name: string; readonly at: number; readonly width: 2 | 4 | 8; readonly value: bigint }
  | { readonly k: 'truncate'; readonly len: number }
  | { readonly k: 'append'; readonly len: number; readonly byte: number }
  | { readonly k: 'copyPhdr'; readonly from: number; readonly to: number };

export interface ElfCase {
  base: string;
  mutations: readonly Mutation[];
  /** Load it from a guest's execve (else the host's spawn). */
  viaExecve: boolean;
}

const MAX_INSNS = 2_000_000;

// ---- the valid executables -----------------------------------------------------

const GUEST = join(process.cwd(), 'guest-programs');
const BASES = ['tests/hello.s', 'tests/fork.s', 'tests/segv.s', 'tests/args.s', 'tests/brk.s', 'tests/mapshared.s', 'samples/hello.s', 'experiments/cow.s', 'lib-tests/heap.s'];
/** Sources with a main, linked with the runtime library. */
const WITH_LIB = new Set(['experiments/cow.s', 'lib-tests/heap.s']);
const STUB = `.globl _start
_start:
  la a0, path
  la a1, argv
  li a2, 0
  li a7, 221
  ecall
  li a0, 99
  li a7, 94
  ecall
  .data
path: .asciz "/bin/bad"
  .align 3
argv: .dword path, 0
`;

let cache: Map<string, Uint8Array> | null = null;

function assembled(files: SourceFile[]): Uint8Array {
  const r = assemble(files);
  if (!r.ok) throw new Error(`cannot build a base executable: ${r.diagnostics.map((d) => formatDiagnostic(d)).join('; ')}`);
  return writeElf(r.image);
}

/** The base executables (built once): the guest tests, and a sample linked with the runtime library. */
function bases(): Map<string, Uint8Array> {
  if (cache !== null) return cache;
  cache = new Map();
  const lib = readdirSync(join(GUEST, 'lib')).filter((f) => f.endsWith('.s')).sort().map((f) => join(GUEST, 'lib', f));
  for (const b of BASES) {
    const main = join(GUEST, b);
    const files = [main, ...(WITH_LIB.has(b) ? lib : [])].map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
    cache.set(b, assembled(files));
  }
  cache.set('stub', assembled([{ path: 'stub.s', text: STUB }]));
  return cache;
}

// ---- mutations --------------------------------------------------------------------

const EHDR_FIELDS: readonly [string, number, 2 | 4 | 8][] = [
  ['e_type', 16, 2], ['e_machine', 18, 2], ['e_version', 20, 4], ['e_entry', 24, 8], ['e_phoff', 32, 8], ['e_shoff', 40, 8],
  ['e_flags', 48, 4], ['e_ehsize', 52, 2], ['e_phentsize', 54, 2], ['e_phnum', 56, 2], ['e_shentsize', 58, 2], ['e_shnum', 60, 2], ['e_shstrndx', 62, 2],
];
const PHDR_FIELDS: readonly [string, number, 4 | 8][] = [
  ['p_type', 0, 4], ['p_flags', 4, 4], ['p_offset', 8, 8], ['p_vaddr', 16, 8], ['p_paddr', 24, 8], ['p_filesz', 32, 8], ['p_memsz', 40, 8], ['p_align', 48, 8],
];
const SHDR_FIELDS: readonly [string, number, 4 | 8][] = [
  ['sh_name', 0, 4], ['sh_type', 4, 4], ['sh_flags', 8, 8], ['sh_addr', 16, 8], ['sh_offset', 24, 8], ['sh_size', 32, 8], ['sh_link', 40, 4],
  ['sh_info', 44, 4], ['sh_addralign', 48, 8], ['sh_entsize', 56, 8],
];

function u(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
  return v;
}

/** A value for a field that held `old`: near it, a multiple of it, a type code, or an edge value. */
function fieldValue(r: Rng, old: bigint, width: number, name: string): bigint {
  const mask = (1n << BigInt(8 * width)) - 1n;
  const x = r.unit();
  let v: bigint;
  if (name === 'p_type' && x < 0.5) v = BigInt(r.pick([0, 1, 2, 3, 4, 6, 7, 0x6474e550, 0x6474e551, 0x6474e552, 0x70000003]));
  else if (x < 0.25) v = old + BigInt(r.pick([1, -1, 8, -8, 4095, 4096, -4096, 0x10000]));
  else if (x < 0.35) v = old * 2n;
  else if (x < 0.45) v = BigInt(r.int(256));
  else if (x < 0.5) v = r.u64();
  else v = r.pick(EDGES);
  return v & mask;
}

function genMutation(r: Rng, b: Uint8Array): Mutation {
  const phoff = Number(u(b, 32, 8)), phnum = Number(u(b, 56, 2)), shoff = Number(u(b, 40, 8)), shnum = Number(u(b, 60, 2));
  const kind = r.weighted({ flip: 25, set: 10, ehdr: 15, phdr: 30, shdr: 10, truncate: 5, append: 2, copy: 3 } as const);
  switch (kind) {
    case 'flip':
      return { k: 'flip', at: r.chance(0.5) ? r.int(Math.min(b.length, 64 + 56 * phnum)) : r.int(b.length), bit: r.int(8) };
    case 'set':
      return { k: 'set', at: r.int(b.length), bytes: Array.from({ length: r.range(1, 8) }, () => r.pick([0, 0xff, 0x7f, 0x80, r.int(256)])) };
    case 'ehdr': {
      const [name, at, width] = r.pick(EHDR_FIELDS);
      return { k: 'field', name, at, width, value: fieldValue(r, u(b, at, width), width, name) };
    }
    case 'phdr': {
      const i = r.int(Math.max(1, phnum));
      const [f, off, width] = r.pick(PHDR_FIELDS);
      const at = phoff + 56 * i + off;
      return { k: 'field', name: `ph[${i}].${f}`, at, width, value: fieldValue(r, u(b, at, width), width, f) };
    }
    case 'shdr': {
      const i = r.int(Math.max(1, shnum));
      const [f, off, width] = r.pick(SHDR_FIELDS);
      const at = shoff + 64 * i + off;
      return { k: 'field', name: `sh[${i}].${f}`, at, width, value: fieldValue(r, u(b, at, width), width, f) };
    }
    case 'truncate':
      return { k: 'truncate', len: r.chance(0.5) ? r.int(Math.min(b.length, 64 + 56 * phnum + 16)) : r.int(b.length) };
    case 'append':
      return { k: 'append', len: r.magnitude(16), byte: r.int(256) };
    case 'copy':
      return { k: 'copyPhdr', from: r.int(Math.max(1, phnum)), to: r.int(Math.max(1, phnum)) };
  }
}

function apply(base: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = base.slice();
  const phoff = Number(u(base, 32, 8));
  for (const m of ms) {
    switch (m.k) {
      case 'flip':
        if (m.at < b.length) b[m.at]! ^= 1 << m.bit;
        break;
      case 'set':
        m.bytes.forEach((x, i) => {
          if (m.at + i < b.length) b[m.at + i] = x;
        });
        break;
      case 'field':
        for (let i = 0; i < m.width; i++) if (m.at + i < b.length) b[m.at + i] = Number((m.value >> BigInt(8 * i)) & 0xffn);
        break;
      case 'truncate':
        b = b.slice(0, m.len);
        break;
      case 'append': {
        const n = new Uint8Array(b.length + m.len).fill(m.byte);
        n.set(b);
        b = n;
        break;
      }
      case 'copyPhdr':
        if (phoff + 56 * (m.from + 1) <= b.length && phoff + 56 * (m.to + 1) <= b.length) b.copyWithin(phoff + 56 * m.to, phoff + 56 * m.from, phoff + 56 * (m.from + 1));
        break;
    }
  }
  return b;
}

function generate(r: Rng): ElfCase {
  const names = [...bases().keys()].filter((n) => n !== 'stub');
  const base = r.pick(names);
  const b = bases().get(base)!;
  const n = r.chance(0.6) ? 1 : r.range(2, 6);
  return { base, mutations: Array.from({ length: n }, () => genMutation(r, b)), viaExecve: r.chance(0.5) };
}

const mutated = (c: ElfCase): Uint8Array => apply(bases().get(c.base)!, c.mutations);

function run(c: ElfCase, ctx: CaseContext): void {
  const bytes = mutated(c);
  const r = readElf(bytes);
  if (!r.ok && (r.error.includes('\n') || r.error === '')) ctx.fail('check', `readElf's error is not one line: ${JSON.stringify(r.error)}`);
  if (r.ok) {
    disassembleElf(r.elf, 'bad');
    new Symbols(bytes);
  }
  const k = bootKernel({ memSize: 8 << 20, paging: 4, aslr: false, seed: 1, sliceInsns: 100_000, maxInsns: MAX_INSNS });
  k.vfs.addExecutable('/bin/bad', bytes);
  k.vfs.addExecutable('/bin/stub', bases().get('stub')!);
  const watch = new KernelWatch(k, ctx, { check: 'syscall', maxSteps: 2_000, insnBudgetFails: false });
  const t = c.viaExecve ? k.spawn('/bin/stub', ['stub'], []) : k.spawn('/bin/bad', ['bad'], []);
  if (typeof t === 'number') {
    if (!(Number.isInteger(t) && t < 0 && t >= -4095)) ctx.fail('check', `spawn returned ${t}, not -errno`);
    if (c.viaExecve) ctx.fail('check', `spawn of the stub failed: ${t}`);
    watch.finish();
    return;
  }
  watch.run();
}

const hexBytes = (b: readonly number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');

function showMutation(m: Mutation): string {
  switch (m.k) {
    case 'flip':
      return `flip bit ${m.bit} of byte 0x${m.at.toString(16)}`;
    case 'set':
      return `set bytes at 0x${m.at.toString(16)} to ${hexBytes(m.bytes)}`;
    case 'field':
      return `${m.name} (at 0x${m.at.toString(16)}) = 0x${m.value.toString(16)}`;
    case 'truncate':
      return `truncate to ${m.len} bytes`;
    case 'append':
      return `append ${m.len} bytes of 0x${m.byte.toString(16)}`;
    case 'copyPhdr':
      return `copy program header ${m.from} over ${m.to}`;
  }
}

export const target: FuzzTarget<ElfCase> = {
  name: 'elf',
  about: 'mutated vmlab-built executables through elf-read, the disassembler, the debugger\'s symbols and the kernel\'s loader (spawn and execve)',
  batch: { seed: 1, count: 60 },
  known: [],
  generate,
  run,
  show: (c) => [`base ${c.base}, loaded by ${c.viaExecve ? 'a guest\'s execve' : 'spawn'}; mutations:`, ...c.mutations.map((m) => `  ${showMutation(m)}`)].join('\n'),
  files: (c) => ({ '.elf': mutated(c), '.txt': c.mutations.map(showMutation).join('\n') }),
  parts: (c) => c.mutations.length,
  without: (c, i) => (c.mutations.length > 1 ? { ...c, mutations: c.mutations.filter((_, j) => j !== i) } : null),
};
