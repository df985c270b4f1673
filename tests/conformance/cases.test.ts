// Shape checks for the hand-written conformance families in this folder
// (tests/conformance/*.jsonl), against /work/shared/conformance/FORMAT.md v1.
// Whether the MMU passes them is the conform runner's business; this file only
// guards the files themselves: valid JSON Lines, fields in range, ids unique
// across all families, and every id naming the SDM section it was derived from.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = dirname(fileURLToPath(import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

const HEX = /^0[xX][0-9a-fA-F]+$/;
const U64 = (1n << 64n) - 1n;
const OPS = new Set([
  'read',
  'write',
  'fetch',
  'store_phys',
  'invlpg',
  'mov_cr3',
  'mov_cr4',
  'mov_cr0',
  'set_cpl',
  'set_ac',
  'set_pkru',
]);
const CR4_PAE = 1n << 5n;
const CR4_LA57 = 1n << 12n;
const CR4_PCIDE = 1n << 17n;
const CR0_PG = 1n << 31n;
const EFER_LME_LMA = (1n << 8n) | (1n << 10n);

type Json = Record<string, unknown>;

interface Line {
  file: string;
  line: number;
  value: Json;
}

function loadLines(file: string): Line[] {
  const text = readFileSync(join(DIR, file), 'utf8');
  const out: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    out.push({ file, line: i + 1, value: JSON.parse(t) as Json });
  });
  return out;
}

function hex(v: unknown, where: string, max = U64): bigint {
  if (typeof v !== 'string' || !HEX.test(v)) throw new Error(`${where}: expected a 0x hex string, got ${JSON.stringify(v)}`);
  const n = BigInt(v);
  if (n > max) throw new Error(`${where}: ${v} out of range`);
  return n;
}

/** Throws with a path-like message on the first problem. */
function checkCase(c: Json): void {
  if (typeof c.id !== 'string' || c.id === '') throw new Error('id: missing');
  const cpu = c.cpu as Json;
  if (typeof cpu !== 'object' || cpu === null) throw new Error('cpu: missing');
  const cr0 = hex(cpu.cr0, 'cpu.cr0');
  const cr3 = hex(cpu.cr3, 'cpu.cr3');
  const cr4 = hex(cpu.cr4, 'cpu.cr4');
  const efer = hex(cpu.efer, 'cpu.efer');
  if ((cr0 & CR0_PG) === 0n) throw new Error('cpu.cr0: PG must be 1');
  if ((cr4 & CR4_PAE) === 0n) throw new Error('cpu.cr4: PAE must be 1');
  if ((efer & EFER_LME_LMA) !== EFER_LME_LMA) throw new Error('cpu.efer: LME and LMA must be 1');
  if (cpu.cpl !== 0 && cpu.cpl !== 3) throw new Error('cpu.cpl: 0 or 3');
  if (cpu.rflags_ac !== undefined && cpu.rflags_ac !== 0 && cpu.rflags_ac !== 1) throw new Error('cpu.rflags_ac: 0 or 1');
  if (cpu.pkru !== undefined) hex(cpu.pkru, 'cpu.pkru', 0xffffffffn);
  const mpa = cpu.maxphyaddr ?? 46;
  if (typeof mpa !== 'number' || !Number.isInteger(mpa) || mpa < 36 || mpa > 52) throw new Error('cpu.maxphyaddr: 36..52');
  if ((cr4 & CR4_PCIDE) === 0n && (cr3 & 0xfffn) !== 0n) {
    // PWT/PCD only; nothing in FORMAT.md forbids them, but these families never use them
    throw new Error('cpu.cr3: low bits set without PCIDE');
  }
  if (!Array.isArray(c.mem)) throw new Error('mem: missing');
  const seen = new Set<bigint>();
  (c.mem as unknown[]).forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`mem[${i}]: expected [address, value]`);
    const a = hex(p[0], `mem[${i}][0]`, (1n << 52n) - 1n);
    hex(p[1], `mem[${i}][1]`);
    if ((a & 7n) !== 0n) throw new Error(`mem[${i}]: address not 8-aligned`);
    if (seen.has(a)) throw new Error(`mem[${i}]: address ${p[0]} listed twice`);
    seen.add(a);
  });
  if (!Array.isArray(c.steps) || c.steps.length === 0) throw new Error('steps: missing or empty');
  (c.steps as Json[]).forEach((s, i) => {
    const w = `steps[${i}]`;
    if (typeof s.op !== 'string' || !OPS.has(s.op)) throw new Error(`${w}.op: unknown ${JSON.stringify(s.op)}`);
    switch (s.op) {
      case 'read':
      case 'write':
      case 'fetch': {
        const va = hex(s.va, `${w}.va`);
        const size = s.size ?? 1;
        if (![1, 2, 4, 8].includes(size as number)) throw new Error(`${w}.size: 1, 2, 4 or 8`);
        if ((va & 0xfffn) + BigInt(size as number) > 0x1000n) throw new Error(`${w}: crosses a 4-KByte boundary`);
        if (s.implicit !== undefined && (typeof s.implicit !== 'boolean' || s.op === 'fetch'))
          throw new Error(`${w}.implicit: boolean, read/write only`);
        const e = s.expect as Json;
        if (typeof e !== 'object' || e === null) throw new Error(`${w}.expect: missing`);
        if ('pa' in e) hex(e.pa, `${w}.expect.pa`, (1n << 52n) - 1n);
        else if ('fault' in e) {
          const f = e.fault as Json;
          if (f.vector !== 14 && f.vector !== 13) throw new Error(`${w}.expect.fault.vector: 14 (or 13 for #GP)`);
          const err = hex(f.error, `${w}.expect.fault.error`, 0xffffffffn);
          if (f.vector === 13 && err !== 0n) throw new Error(`${w}: #GP for a non-canonical address has error code 0`);
          // 4.7: RSVD can be set only together with P
          if (f.vector === 14 && (err & 8n) !== 0n && (err & 1n) === 0n) throw new Error(`${w}: RSVD without P`);
        } else throw new Error(`${w}.expect: pa or fault`);
        break;
      }
      case 'store_phys': {
        const a = hex(s.pa, `${w}.pa`, (1n << 52n) - 1n);
        if ((a & 7n) !== 0n) throw new Error(`${w}.pa: not 8-aligned`);
        hex(s.value, `${w}.value`);
        break;
      }
      case 'invlpg':
        hex(s.va, `${w}.va`);
        break;
      case 'mov_cr3': {
        const v = hex(s.value, `${w}.value`);
        if ((v >> 63n) !== 0n && (cr4 & CR4_PCIDE) === 0n) {
          // bit 63 is never set without PCIDE (FORMAT.md); these families never clear PCIDE before such a step
          throw new Error(`${w}: bit 63 without PCIDE`);
        }
        break;
      }
      case 'mov_cr4': {
        const v = hex(s.value, `${w}.value`);
        if ((v & CR4_PAE) === 0n || (v & CR4_LA57) !== (cr4 & CR4_LA57)) throw new Error(`${w}: PAE/LA57 must not change`);
        break;
      }
      case 'mov_cr0': {
        const v = hex(s.value, `${w}.value`);
        if ((v & CR0_PG) === 0n) throw new Error(`${w}: PG must stay 1`);
        break;
      }
      case 'set_cpl':
        if (s.cpl !== 0 && s.cpl !== 3) throw new Error(`${w}.cpl: 0 or 3`);
        break;
      case 'set_ac':
        if (s.ac !== 0 && s.ac !== 1) throw new Error(`${w}.ac: 0 or 1`);
        break;
      case 'set_pkru':
        hex(s.value, `${w}.value`, 0xffffffffn);
        break;
    }
  });
  if (c.after !== undefined) {
    if (!Array.isArray(c.after)) throw new Error('after: expected a list');
    (c.after as unknown[]).forEach((p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new Error(`after[${i}]: expected [address, value]`);
      const a = hex(p[0], `after[${i}][0]`, (1n << 52n) - 1n);
      hex(p[1], `after[${i}][1]`);
      if ((a & 7n) !== 0n) throw new Error(`after[${i}]: address not 8-aligned`);
    });
  }
  const known = new Set(['id', 'cpu', 'mem', 'steps', 'after']);
  for (const k of Object.keys(c)) if (!known.has(k)) throw new Error(`unknown field ${k}`);
}

describe('hand-written conformance families', () => {
  it('has the ten families', () => {
    expect(FILES).toEqual([
      'access-rights.jsonl',
      'ad.jsonl',
      'canonical.jsonl',
      'la57.jsonl',
      'large.jsonl',
      'pku.jsonl',
      'present.jsonl',
      'rsvd.jsonl',
      'smep-smap.jsonl',
      'tlb.jsonl',
    ]);
  });

  const all: Line[] = FILES.flatMap(loadLines);

  for (const file of FILES) {
    it(`${file}: valid JSON Lines, every case well-formed (FORMAT.md v1)`, () => {
      const lines = all.filter((l) => l.file === file);
      expect(lines.length).toBeGreaterThanOrEqual(15);
      for (const l of lines) {
        try {
          checkCase(l.value);
        } catch (e) {
          throw new Error(`${file}:${l.line}: ${(e as Error).message}`);
        }
      }
    });
  }

  it('every id is unique across all families', () => {
    const where = new Map<string, string>();
    for (const l of all) {
      const id = l.value.id as string;
      const prev = where.get(id);
      if (prev !== undefined) throw new Error(`duplicate id ${id}: ${prev} and ${l.file}:${l.line}`);
      where.set(id, `${l.file}:${l.line}`);
    }
    expect(where.size).toBe(all.length);
  });

  it('every id names the SDM section it was derived from', () => {
    for (const l of all) {
      const id = l.value.id as string;
      expect(id, `${l.file}:${l.line}`).toMatch(/^(fmt-model\+)?sdm(-v1-)?\d+(\.\d+)*\//);
    }
  });
});
