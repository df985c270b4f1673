// The conformance-file validator (FORMAT.md v1): every rejection, with its exact message.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseCases } from '../../../emu/conform/case';

const CPU = { cr0: '0x80010011', cr3: '0x1000', cr4: '0x20', efer: '0xd00', cpl: 3 };
const OK = { id: 'ok', cpu: CPU, mem: [['0x1000', '0x2027']], steps: [{ op: 'read', va: '0x0', expect: { pa: '0x5000' } }] };

/** The diagnostics for a one-case file whose case is OK with `patch` applied. */
function errorsFor(patch: (c: any) => void): string[] {
  const c = structuredClone(OK) as any;
  patch(c);
  return parseCases(JSON.stringify(c), 'f.jsonl').errors.map(formatDiagnostic);
}

describe('parseCases', () => {
  it('accepts a valid case, filling in the defaults', () => {
    const r = parseCases(`# a comment\n\n${JSON.stringify(OK)}\n`, 'f.jsonl');
    expect(r.errors).toEqual([]);
    expect(r.cases).toEqual([
      {
        id: 'ok',
        file: 'f.jsonl',
        line: 3,
        cpu: { cr0: 0x80010011n, cr3: 0x1000n, cr4: 0x20n, efer: 0xd00n, cpl: 3, rflagsAc: 0, pkru: 0n, maxPhyAddr: 46 },
        mem: [[0x1000n, 0x2027n]],
        steps: [{ op: 'read', va: 0n, size: 1, expect: { pa: 0x5000n }, implicit: false }],
        after: null,
      },
    ]);
  });

  it('accepts an access that crosses a 4-KByte boundary (a vmlab extension of v1)', () => {
    const c = structuredClone(OK) as any;
    Object.assign(c.steps[0], { va: '0xffc', size: 8 });
    const r = parseCases(JSON.stringify(c), 'f.jsonl');
    expect(r.errors).toEqual([]);
    expect(r.cases[0]!.steps[0]).toEqual({ op: 'read', va: 0xffcn, size: 8, expect: { pa: 0x5000n }, implicit: false });
  });

  it('reports bad JSON with its line number', () => {
    const r = parseCases(`${JSON.stringify(OK)}\n{"id": }\n`, 'f.jsonl');
    expect(r.errors.map(formatDiagnostic)[0]).toMatch(/^f\.jsonl:2: bad JSON: /);
    expect(r.cases.length).toBe(1);
  });

  it('reports one problem per line, every line', () => {
    const bad = JSON.stringify({ ...OK, extra: 1 });
    const r = parseCases(`${bad}\n${bad}\n`, 'g.jsonl');
    expect(r.errors.map(formatDiagnostic)).toEqual(["g.jsonl:1: unknown field 'extra'", "g.jsonl:2: unknown field 'extra'"]);
  });

  const cases: [string, (c: any) => void, string][] = [
    ['a missing top-level field', (c) => delete c.cpu, "missing field 'cpu'"],
    ['an empty id', (c) => Object.assign(c, { id: '' }), 'id: must be a non-empty string, got ""'],
    ['a missing cpu field', (c) => delete c.cpu.cpl, "missing field 'cpu.cpl'"],
    ['an unknown cpu field', (c) => (c.cpu.cr8 = '0x0'), "unknown field 'cpu.cr8'"],
    ['a number where hex is due', (c) => (c.cpu.cr3 = 4096), 'cpu.cr3: expected a hex string like "0x1000", got 4096'],
    ['hex without 0x', (c) => (c.cpu.cr3 = '1000'), 'cpu.cr3: expected a hex string like "0x1000", got "1000"'],
    ['a bad CPL', (c) => (c.cpu.cpl = 2), 'cpu.cpl: must be 0 or 3, got 2'],
    ['a bad AC', (c) => (c.cpu.rflags_ac = true), 'cpu.rflags_ac: must be 0 or 1, got true'],
    ['MAXPHYADDR out of range', (c) => (c.cpu.maxphyaddr = 53), 'cpu.maxphyaddr: must be an integer in 36..52, got 53'],
    ['a PKRU wider than 32 bits', (c) => (c.cpu.pkru = '0x100000000'), 'cpu.pkru: 0x100000000 is out of range (at most 0xffffffff)'],
    ['a value wider than 64 bits', (c) => (c.mem[0][1] = '0x10000000000000000'), 'mem[0][1]: 0x10000000000000000 is out of range (at most 0xffffffffffffffff)'],
    ['paging off', (c) => (c.cpu.cr0 = '0x10011'), 'cpu.cr0: CR0.PG (bit 31) must be 1'],
    ['PAE off', (c) => (c.cpu.cr4 = '0x0'), 'cpu.cr4: CR4.PAE (bit 5) must be 1'],
    ['not in IA-32e mode', (c) => (c.cpu.efer = '0x100'), 'cpu.efer: EFER.LME (bit 8) and EFER.LMA (bit 10) must be 1'],
    ['an unaligned mem address', (c) => (c.mem[0][0] = '0x1004'), 'mem[0][0]: physical address 0x1004 is not 8-byte aligned'],
    ['a mem address at 2^52', (c) => (c.mem[0][0] = '0x10000000000000'), 'mem[0][0]: physical address 0x10000000000000 is not below 2^52'],
    ['a mem entry that is not a pair', (c) => (c.mem[0] = ['0x1000']), 'mem[0]: expected an [address, value] pair, got ["0x1000"]'],
    ['mem not a list', (c) => (c.mem = {}), 'mem: expected a list of [address, value] pairs, got {}'],
    ['steps not a list', (c) => (c.steps = 'read'), 'steps: expected a list of steps, got "read"'],
    ['an unknown op', (c) => (c.steps[0].op = 'jump'), 'steps[0].op: unknown op "jump" (one of read, write, fetch, store_phys, invlpg, mov_cr3, mov_cr4, mov_cr0, set_cpl, set_ac, set_pkru)'],
    ['a step without op', (c) => delete c.steps[0].op, "missing field 'steps[0].op'"],
    ['an access without expect', (c) => delete c.steps[0].expect, "missing field 'steps[0].expect'"],
    ['a bad size', (c) => (c.steps[0].size = 3), 'steps[0].size: must be 1, 2, 4 or 8, got 3'],
    ['implicit on a fetch', (c) => Object.assign(c.steps[0], { op: 'fetch', implicit: true }), "unknown field 'steps[0].implicit'"],
    ['implicit not boolean', (c) => (c.steps[0].implicit = 1), 'steps[0].implicit: must be true or false, got 1'],
    ['an empty expect', (c) => (c.steps[0].expect = {}), 'steps[0].expect: expected {"pa": ...} or {"fault": ...}, got {}'],
    ['a fault vector other than #PF/#GP', (c) => (c.steps[0].expect = { fault: { vector: 6, error: '0x0' } }), 'steps[0].expect.fault.vector: must be 13 or 14, got 6'],
    ['a fault without error', (c) => (c.steps[0].expect = { fault: { vector: 14 } }), "missing field 'steps[0].expect.fault.error'"],
    ['pa and fault together', (c) => (c.steps[0].expect = { pa: '0x0', fault: {} }), "unknown field 'steps[0].expect.fault'"],
    ['an unaligned store_phys', (c) => c.steps.push({ op: 'store_phys', pa: '0x1001', value: '0x0' }), 'steps[1].pa: physical address 0x1001 is not 8-byte aligned'],
    ['an extra field on a step', (c) => c.steps.push({ op: 'invlpg', va: '0x0', size: 1 }), "unknown field 'steps[1].size'"],
    ['CR3 bit 63 without PCIDE', (c) => c.steps.push({ op: 'mov_cr3', value: '0x8000000000001000' }), 'steps[1].value: bit 63 (no flush) is set but CR4.PCIDE is 0'],
    ['a change of LA57', (c) => c.steps.push({ op: 'mov_cr4', value: '0x1020' }), 'steps[1].value: a case never changes CR4.PAE or CR4.LA57'],
    [
      'PCIDE set while CR3[11:0] is not 0',
      (c) => c.steps.push({ op: 'mov_cr3', value: '0x1001' }, { op: 'mov_cr4', value: '0x20020' }),
      'steps[2].value: sets CR4.PCIDE while CR3[11:0] is not 0',
    ],
    ['paging turned off', (c) => c.steps.push({ op: 'mov_cr0', value: '0x10011' }), 'steps[1].value: CR0.PG (bit 31) must stay 1'],
    ['set_cpl 1', (c) => c.steps.push({ op: 'set_cpl', cpl: 1 }), 'steps[1].cpl: must be 0 or 3, got 1'],
    ['set_ac 2', (c) => c.steps.push({ op: 'set_ac', ac: 2 }), 'steps[1].ac: must be 0 or 1, got 2'],
    ['a bad after word', (c) => (c.after = [['0x1000', 5]]), 'after[0][1]: expected a hex string like "0x1000", got 5'],
  ];
  for (const [what, patch, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(errorsFor(patch)).toEqual([`f.jsonl:1: ${message}`]);
    });
  }

  it('allows CR3 bit 63 once PCIDE is on, and tracks CR4 through the steps', () => {
    const errors = errorsFor((c) =>
      c.steps.push({ op: 'mov_cr4', value: '0x20020' }, { op: 'mov_cr3', value: '0x8000000000001001' }, { op: 'mov_cr4', value: '0x20' }),
    );
    expect(errors).toEqual([]);
  });
});
