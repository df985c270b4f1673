// Paging conformance cases (FORMAT.md v1): parsing and validation. A file is
// checked completely before anything runs; each problem is one
// `FILE:LINE: reason` diagnostic. Values stay BigInt here (the runner splits
// them into 32-bit halves); nothing in this file is on a hot path.

export const OPS = [
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
] as const;
export type Op = (typeof OPS)[number];
export type AccessOp = 'read' | 'write' | 'fetch';

export type Expect = { pa: bigint } | { fault: { vector: number; error: bigint } };

export type Step =
  | { op: AccessOp; va: bigint; size: 1 | 2 | 4 | 8; expect: Expect; implicit: boolean }
  | { op: 'store_phys'; pa: bigint; value: bigint }
  | { op: 'invlpg'; va: bigint }
  | { op: 'mov_cr3' | 'mov_cr4' | 'mov_cr0' | 'set_pkru'; value: bigint }
  | { op: 'set_cpl'; cpl: 0 | 3 }
  | { op: 'set_ac'; ac: 0 | 1 };

export interface CpuState {
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
  cpl: 0 | 3;
  rflagsAc: 0 | 1;
  pkru: bigint;
  maxPhyAddr: number;
}

export interface Case {
  id: string;
  file: string;
  line: number;
  cpu: CpuState;
  mem: [bigint, bigint][];
  steps: Step[];
  after: [bigint, bigint][] | null;
}

export interface Diagnostic {
  file: string;
  line: number;
  message: string;
}

/** `FILE:LINE: message`, as printed. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.message}`;
}

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffffffffn;
const PA_LIMIT = 1n << 52n;
const CR0_PG = 1n << 31n;
const CR4_PAE = 1n << 5n;
const CR4_LA57 = 1n << 12n;
const CR4_PCIDE = 1n << 17n;
const EFER_LME = 1n << 8n;
const EFER_LMA = 1n << 10n;
const BIT63 = 1n << 63n;

/** A problem in one case; `where` is a path into the JSON like `steps[2].va`. */
class Invalid extends Error {}

function fail(where: string, what: string): never {
  throw new Invalid(where === '' ? what : `${where}: ${what}`);
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fields(o: Record<string, unknown>, where: string, required: string[], optional: string[]): void {
  const prefix = where === '' ? '' : `${where}.`;
  for (const k of required) if (!(k in o)) fail('', `missing field '${prefix}${k}'`);
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) fail('', `unknown field '${prefix}${k}'`);
  }
}

function hex(v: unknown, where: string, max: bigint = U64_MAX): bigint {
  if (typeof v !== 'string' || !/^0[xX][0-9a-fA-F]+$/.test(v)) fail(where, `expected a hex string like "0x1000", got ${show(v)}`);
  const n = BigInt(v);
  if (n > max) fail(where, `${v} is out of range (at most 0x${max.toString(16)})`);
  return n;
}

function choice<T extends number>(v: unknown, where: string, allowed: readonly T[]): T {
  if (typeof v !== 'number' || !(allowed as readonly number[]).includes(v)) {
    const list = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    fail(where, `must be ${list}, got ${show(v)}`);
  }
  return v as T;
}

function physAddr(v: unknown, where: string): bigint {
  const a = hex(v, where);
  if (a >= PA_LIMIT) fail(where, `physical address ${hexOf(a)} is not below 2^52`);
  if ((a & 7n) !== 0n) fail(where, `physical address ${hexOf(a)} is not 8-byte aligned`);
  return a;
}

export function hexOf(n: bigint): string {
  return `0x${n.toString(16)}`;
}

function words(v: unknown, where: string): [bigint, bigint][] {
  if (!Array.isArray(v)) fail(where, `expected a list of [address, value] pairs, got ${show(v)}`);
  return v.map((pair, i) => {
    const w = `${where}[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) fail(w, `expected an [address, value] pair, got ${show(pair)}`);
    return [physAddr(pair[0], `${w}[0]`), hex(pair[1], `${w}[1]`)];
  });
}

function parseCpu(v: unknown): CpuState {
  if (!isObject(v)) fail('cpu', `expected an object, got ${show(v)}`);
  fields(v, 'cpu', ['cr0', 'cr3', 'cr4', 'efer', 'cpl'], ['rflags_ac', 'pkru', 'maxphyaddr']);
  const maxPhyAddr = v.maxphyaddr ?? 46;
  if (typeof maxPhyAddr !== 'number' || !Number.isInteger(maxPhyAddr) || maxPhyAddr < 36 || maxPhyAddr > 52) {
    fail('cpu.maxphyaddr', `must be an integer in 36..52, got ${show(maxPhyAddr)}`);
  }
  const cpu: CpuState = {
    cr0: hex(v.cr0, 'cpu.cr0', U32_MAX),
    cr3: hex(v.cr3, 'cpu.cr3', PA_LIMIT - 1n),
    cr4: hex(v.cr4, 'cpu.cr4', U32_MAX),
    efer: hex(v.efer, 'cpu.efer', U32_MAX),
    cpl: choice(v.cpl, 'cpu.cpl', [0, 3] as const),
    rflagsAc: choice(v.rflags_ac ?? 0, 'cpu.rflags_ac', [0, 1] as const),
    pkru: hex(v.pkru ?? '0x0', 'cpu.pkru', U32_MAX),
    maxPhyAddr,
  };
  if ((cpu.cr0 & CR0_PG) === 0n) fail('cpu.cr0', 'CR0.PG (bit 31) must be 1');
  if ((cpu.cr4 & CR4_PAE) === 0n) fail('cpu.cr4', 'CR4.PAE (bit 5) must be 1');
  if ((cpu.efer & (EFER_LME | EFER_LMA)) !== (EFER_LME | EFER_LMA)) fail('cpu.efer', 'EFER.LME (bit 8) and EFER.LMA (bit 10) must be 1');
  return cpu;
}

/** Machine state the validator tracks through the steps, to check the FORMAT.md promises about CR changes. */
interface Tracked {
  cr3: bigint;
  cr4: bigint;
}

function parseExpect(v: unknown, where: string): Expect {
  if (!isObject(v)) fail(where, `expected {"pa": ...} or {"fault": ...}, got ${show(v)}`);
  if ('pa' in v) {
    fields(v, where, ['pa'], []);
    const pa = hex(v.pa, `${where}.pa`);
    if (pa >= PA_LIMIT) fail(`${where}.pa`, `physical address ${hexOf(pa)} is not below 2^52`);
    return { pa };
  }
  if ('fault' in v) {
    fields(v, where, ['fault'], []);
    const f = v.fault;
    if (!isObject(f)) fail(`${where}.fault`, `expected {"vector": 14, "error": "0x..."}, got ${show(f)}`);
    fields(f, `${where}.fault`, ['vector', 'error'], []);
    const vector = choice(f.vector, `${where}.fault.vector`, [13, 14] as const);
    const error = hex(f.error, `${where}.fault.error`, 0xffffn);
    return { fault: { vector, error } };
  }
  fail(where, `expected {"pa": ...} or {"fault": ...}, got ${show(v)}`);
}

function parseStep(v: unknown, i: number, t: Tracked): Step {
  const where = `steps[${i}]`;
  if (!isObject(v)) fail(where, `expected an object, got ${show(v)}`);
  if (!('op' in v)) fail('', `missing field '${where}.op'`);
  const op = v.op;
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    fail(`${where}.op`, `unknown op ${show(op)} (one of ${OPS.join(', ')})`);
  }
  switch (op as Op) {
    case 'read':
    case 'write':
    case 'fetch': {
      fields(v, where, ['op', 'va', 'expect'], op === 'fetch' ? ['size'] : ['size', 'implicit']);
      const va = hex(v.va, `${where}.va`);
      // An access may cross a 4-KByte boundary (a vmlab extension: v1 cases never do).
      const size = choice(v.size ?? 1, `${where}.size`, [1, 2, 4, 8] as const);
      const implicit = v.implicit ?? false;
      if (typeof implicit !== 'boolean') fail(`${where}.implicit`, `must be true or false, got ${show(implicit)}`);
      return { op: op as AccessOp, va, size, expect: parseExpect(v.expect, `${where}.expect`), implicit };
    }
    case 'store_phys':
      fields(v, where, ['op', 'pa', 'value'], []);
      return { op: 'store_phys', pa: physAddr(v.pa, `${where}.pa`), value: hex(v.value, `${where}.value`) };
    case 'invlpg':
      fields(v, where, ['op', 'va'], []);
      return { op: 'invlpg', va: hex(v.va, `${where}.va`) };
    case 'mov_cr3': {
      fields(v, where, ['op', 'value'], []);
      const value = hex(v.value, `${where}.value`);
      const pcide = (t.cr4 & CR4_PCIDE) !== 0n;
      if ((value & BIT63) !== 0n && !pcide) fail(`${where}.value`, 'bit 63 (no flush) is set but CR4.PCIDE is 0');
      const cr3 = value & ~BIT63;
      if (cr3 >= PA_LIMIT) fail(`${where}.value`, `${hexOf(value)} sets CR3 bits above 51`);
      t.cr3 = cr3;
      return { op: 'mov_cr3', value };
    }
    case 'mov_cr4': {
      fields(v, where, ['op', 'value'], []);
      const value = hex(v.value, `${where}.value`, U32_MAX);
      if ((value ^ t.cr4) & (CR4_PAE | CR4_LA57)) fail(`${where}.value`, 'a case never changes CR4.PAE or CR4.LA57');
      if ((value & CR4_PCIDE) !== 0n && (t.cr4 & CR4_PCIDE) === 0n && (t.cr3 & 0xfffn) !== 0n) {
        fail(`${where}.value`, 'sets CR4.PCIDE while CR3[11:0] is not 0');
      }
      t.cr4 = value;
      return { op: 'mov_cr4', value };
    }
    case 'mov_cr0': {
      fields(v, where, ['op', 'value'], []);
      const value = hex(v.value, `${where}.value`, U32_MAX);
      if ((value & CR0_PG) === 0n) fail(`${where}.value`, 'CR0.PG (bit 31) must stay 1');
      return { op: 'mov_cr0', value };
    }
    case 'set_pkru':
      fields(v, where, ['op', 'value'], []);
      return { op: 'set_pkru', value: hex(v.value, `${where}.value`, U32_MAX) };
    case 'set_cpl':
      fields(v, where, ['op', 'cpl'], []);
      return { op: 'set_cpl', cpl: choice(v.cpl, `${where}.cpl`, [0, 3] as const) };
    case 'set_ac':
      fields(v, where, ['op', 'ac'], []);
      return { op: 'set_ac', ac: choice(v.ac, `${where}.ac`, [0, 1] as const) };
  }
}

/** Parses one non-blank, non-comment line; throws Invalid with the reason. */
function parseCase(text: string, file: string, line: number): Case {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail('', `bad JSON: ${(e as Error).message}`);
  }
  if (!isObject(v)) fail('', `a case must be a JSON object, got ${show(v)}`);
  fields(v, '', ['id', 'cpu', 'mem', 'steps'], ['after']);
  if (typeof v.id !== 'string' || v.id === '') fail('id', `must be a non-empty string, got ${show(v.id)}`);
  const cpu = parseCpu(v.cpu);
  const mem = words(v.mem, 'mem');
  if (!Array.isArray(v.steps)) fail('steps', `expected a list of steps, got ${show(v.steps)}`);
  const t: Tracked = { cr3: cpu.cr3, cr4: cpu.cr4 };
  const steps = v.steps.map((s, i) => parseStep(s, i, t));
  const after = v.after === undefined ? null : words(v.after, 'after');
  return { id: v.id, file, line, cpu, mem, steps, after };
}

/** Parses a whole file: the cases, or every line's first problem. */
export function parseCases(text: string, file: string): { cases: Case[]; errors: Diagnostic[] } {
  const cases: Case[] = [];
  const errors: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    try {
      cases.push(parseCase(s, file, i + 1));
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      errors.push({ file, line: i + 1, message: e.message });
    }
  });
  return { cases, errors };
}
