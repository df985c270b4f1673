// The conformance runner on the shared sample, on every tests/conformance file,
// and through the CLI (output lines, --json, exit statuses).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCases } from '../../../emu/conform/case';
import { compareCase, jsonLines, runCase } from '../../../emu/conform/run';
import { vmlab } from '../../support/cli';

const SAMPLE = '/work/shared/conformance/sample.jsonl';
const HAND = join(process.cwd(), 'tests', 'conformance');

function failures(file: string, tlb?: 'none'): string[] {
  const { cases, errors } = parseCases(readFileSync(file, 'utf8'), file);
  expect(errors).toEqual([]);
  return cases.map((c) => compareCase(c, runCase(c, tlb))).filter((x): x is string => x !== null);
}

describe('conformance files', () => {
  it('passes all 150 cases of the shared sample', () => {
    const { cases } = parseCases(readFileSync(SAMPLE, 'utf8'), SAMPLE);
    expect(cases.length).toBe(150);
    expect(failures(SAMPLE)).toEqual([]);
  });

  it('fails the sample cases that rely on stale TLB entries when run without a TLB', () => {
    const f = failures(SAMPLE, 'none').map((l) => l.split(' ')[2]!.split('/')[1]);
    expect(new Set(f)).toEqual(new Set(['cr3-global-kept', 'global-across-cr3', 'stale-readonly', 'stale-accessed', 'stale-pa']));
  });

  const files = readdirSync(HAND).filter((f) => f.endsWith('.jsonl'));
  for (const f of files) {
    it(`passes every case of tests/conformance/${f}`, () => {
      expect(failures(join(HAND, f))).toEqual([]);
    });
  }
});

const EXAMPLE = {
  id: 'pte-us0/cpl3/read',
  cpu: { cr0: '0x80010011', cr3: '0x1000', cr4: '0x20', efer: '0xd00', cpl: 3, rflags_ac: 0, pkru: '0x0', maxphyaddr: 46 },
  mem: [['0x1000', '0x2027'], ['0x2000', '0x3027'], ['0x3000', '0x4027'], ['0x4000', '0x5025']],
  steps: [{ op: 'read', va: '0x0', size: 1, expect: { pa: '0x5000' } }],
  after: [['0x4000', '0x5025']],
};

function withSteps(id: string, steps: unknown[], after?: unknown[]): string {
  return JSON.stringify({ ...EXAMPLE, id, steps, after: after ?? EXAMPLE.after });
}

function tempFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-conform-'));
  const f = join(dir, 'cases.jsonl');
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

const WRITE_FAULT = { op: 'write', va: '0x10', size: 4, expect: { fault: { vector: 14, error: '0x7' } } };

describe('the runner', () => {
  it('prints the --json lines of FORMAT.md', () => {
    const text = [withSteps('a', [EXAMPLE.steps[0], { op: 'invlpg', va: '0x0' }, WRITE_FAULT])].join('\n');
    const { cases } = parseCases(text, 'x');
    expect(jsonLines(cases[0]!, runCase(cases[0]!))).toEqual([
      '{"id":"a","step":0,"pa":"0x5000"}',
      '{"id":"a","step":2,"fault":{"vector":14,"error":"0x7","cr2":"0x10"}}',
      '{"id":"a","after":[["0x4000","0x5025"]]}',
    ]);
  });

  it('reports #GP for a non-canonical address, without CR2', () => {
    const text = withSteps('gp', [{ op: 'read', va: '0x800000000000', expect: { fault: { vector: 13, error: '0x0' } } }], []);
    const { cases } = parseCases(text, 'x');
    const out = runCase(cases[0]!);
    expect(jsonLines(cases[0]!, out)[0]).toBe('{"id":"gp","step":0,"fault":{"vector":13,"error":"0x0"}}');
    expect(compareCase(cases[0]!, out)).toBeNull();
  });
});

describe('vmlab conform', () => {
  it('passes the sample: one summary line, exit 0', () => {
    const r = vmlab(['conform', SAMPLE]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '150 passed, 0 failed\n', '']);
  });

  it('prints one line per failing case and exits 1', () => {
    const f = tempFile([
      '# first a passing case',
      withSteps('good', EXAMPLE.steps),
      withSteps('bad-pa', [{ op: 'read', va: '0x8', expect: { pa: '0x6008' } }]),
      withSteps('bad-fault', [{ ...WRITE_FAULT, expect: { fault: { vector: 14, error: '0x5' } } }]),
      withSteps('wrong-kind', [{ op: 'read', va: '0x8', expect: { fault: { vector: 14, error: '0x5' } } }]),
    ]);
    const r = vmlab(['conform', f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        `${f}:3: FAIL bad-pa step 0 (read 0x8): expected pa 0x6008, got pa 0x5008`,
        `${f}:4: FAIL bad-fault step 0 (write 0x10): expected fault vector 14 error 0x5, got fault vector 14 error 0x7`,
        `${f}:5: FAIL wrong-kind step 0 (read 0x8): expected fault vector 14 error 0x5, got pa 0x5008`,
        '1 passed, 3 failed',
        '',
      ].join('\n'),
    );
  });

  it('checks after words', () => {
    const f = tempFile([withSteps('bad-after', [EXAMPLE.steps[0]], [['0x3000', '0x4007']])]);
    const r = vmlab(['conform', f]);
    expect([r.status, r.stdout]).toEqual([1, `${f}:1: FAIL bad-after after: word at 0x3000: expected 0x4007, got 0x4027\n0 passed, 1 failed\n`]);
  });

  it('--json prints what happened without comparing, exit 0', () => {
    const f = tempFile([withSteps('j', [{ op: 'read', va: '0x8', expect: { pa: '0x1' } }, WRITE_FAULT])]);
    const r = vmlab(['conform', f, '--json']);
    expect([r.status, r.stdout]).toEqual([
      0,
      '{"id":"j","step":0,"pa":"0x5008"}\n{"id":"j","step":1,"fault":{"vector":14,"error":"0x7","cr2":"0x10"}}\n{"id":"j","after":[["0x4000","0x5025"]]}\n',
    ]);
  });

  it('rejects an invalid file before running anything: FILE:LINE: reason, exit 2', () => {
    const f = tempFile([withSteps('fine', EXAMPLE.steps), '', JSON.stringify({ id: 'x', mem: [], steps: [] })]);
    const g = tempFile([withSteps('bad', [{ op: 'read', va: '0xfff', size: 3, expect: { pa: '0x0' } }])]);
    const r = vmlab(['conform', f, g]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `vmlab: ${f}:3: missing field 'cpu'\n${g}:1: steps[0].size: must be 1, 2, 4 or 8, got 3\n2 invalid cases; nothing was run\n`,
    );
  });

  it('reports a missing file with exit 2, and documents the exit statuses', () => {
    const r = vmlab(['conform', '/nonexistent/cases.jsonl']);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'vmlab: cannot read /nonexistent/cases.jsonl: no such file\n']);
    const h = vmlab(['conform', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout.replace(/\s+/g, ' ')).toContain(
      'Exit status: 0 all cases passed (or --json ran), 1 some case failed, 2 a file could not be read or is not valid',
    );
  });
});
