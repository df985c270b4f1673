// Every numeric (and fixed-choice) option of every vmlab command is read by
// one parser (emu/cli/option-values.ts): a bad value is a usage error, one
// line on stderr naming the option, quoting the value and saying what the
// option takes, and exit status 2, before anything runs. The parser in
// process first, then each command through the built CLI.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../emu/cli/errors';
import { formatSize, optionText, parseChoice, parseChoices, parseInteger, parsePositive, parseSize } from '../../../emu/cli/option-values';
import { vmlab } from '../../support/cli';

const HELLO = join(process.cwd(), 'guest-programs', 'samples', 'hello.s');
const dir = mkdtempSync(join(tmpdir(), 'vmlab-options-'));
const LOOP = join(dir, 'loop.s');
writeFileSync(LOOP, '.globl _start\n_start: j _start\n');

/** What a parse throws: the message and the exit status, or the value. */
function attempt<T>(f: () => T): T | { message: string; status: number } {
  try {
    return f();
  } catch (e) {
    if (e instanceof UserError) return { message: e.message, status: e.status };
    throw e;
  }
}

const usage = (message: string): { message: string; status: number } => ({ message, status: 2 });
/** The CLI's answer to a bad value: nothing on stdout, the one line, status 2. */
const refused = (line: string): { status: number; stdout: string; stderr: string } => ({ status: 2, stdout: '', stderr: `vmlab: ${line}\n` });

describe('option-values: the parser', () => {
  it('integers: decimal or 0x hex, within the range; everything else quoted back', () => {
    const spec = { min: 1, max: 1000 };
    expect(['1', '1000', '0x10', '0X3e8'].map((v) => parseInteger('--n', v, spec))).toEqual([1, 1000, 16, 1000]);
    for (const v of ['0', '1001', 'abc', '', '1e3', '1.5', '-1', '+5', '010', ' 5', '5 ', '0x', '1_000', 'NaN', 'Infinity'])
      expect(attempt(() => parseInteger('--n', v, spec)), v).toEqual(usage(`--n: '${v}' is not an integer from 1 to 1000`));
    expect(attempt(() => parseInteger('--n', '9007199254740992', { min: 0 }))).toEqual(usage("--n: '9007199254740992' is not an integer from 0 to 9007199254740991"));
    expect(parseInteger('--n', '9007199254740991', { min: 0 })).toBe(Number.MAX_SAFE_INTEGER);
    expect(attempt(() => parseInteger('--a', '0x1001', { min: 0, align: 0x1000, expected: 'an aligned address' }))).toEqual(usage("--a: '0x1001' is not an aligned address"));
  });

  it('the value typed last counts; a default may be a number', () => {
    expect(optionText(['1', '2', 'x'])).toBe('x');
    expect(optionText(4)).toBe('4');
    expect(parseInteger('--seed', ['x', '7'], { min: 0 })).toBe(7);
  });

  it('sizes: bytes or K/M/G (also KB, KiB), within the range, a multiple of the alignment', () => {
    const spec = { min: 16 << 20, max: 16 * 2 ** 30, align: 4096 };
    expect(['16M', '16m', '64MiB', '1G', '16G', '16384K', '16384kB', '16777216'].map((v) => parseSize('--mem', v, spec)))
      .toEqual([16 << 20, 16 << 20, 64 << 20, 2 ** 30, 16 * 2 ** 30, 16 << 20, 16 << 20, 16 << 20]);
    for (const v of ['lots', '', '4M', '17G', '16777217', '1T', '1.5G', '0x1000000', '-64M', '64 M', '64MB5'])
      expect(attempt(() => parseSize('--mem', v, spec)), v).toEqual(usage(`--mem: '${v}' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)`));
    expect([formatSize(4096), formatSize(3 << 20), formatSize(1000), formatSize(2 ** 31)]).toEqual(['4K', '3M', '1000', '2G']);
  });

  it('positive numbers and choices', () => {
    expect(['2', '0.5', '.25', '1e-3'].map((v) => parsePositive('--scale', v, '2'))).toEqual([2, 0.5, 0.25, 0.001]);
    for (const v of ['0', '-1', 'abc', '', 'Infinity', '1e999', '0x10'])
      expect(attempt(() => parsePositive('--scale', v, '0.1 or 2')), v).toEqual(usage(`--scale: '${v}' is not a positive number (e.g. 0.1 or 2)`));
    expect(parseChoice('--paging', 5, ['4', '5'])).toBe('5');
    expect(attempt(() => parseChoice('--tlb', 'x', ['default', 'none']))).toEqual(usage("--tlb: 'x' is not default or none"));
    expect(attempt(() => parseChoice('--x', 'd', ['a', 'b', 'c']))).toEqual(usage("--x: 'd' is not a, b or c"));
    expect(parseChoices('--only', ['a', 'c'], ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(attempt(() => parseChoices('--only', ['a', 'z'], ['a', 'b']))).toEqual(usage("--only: 'z' is not a or b"));
  });
});

describe('vmlab run: bad values of its options', () => {
  it('--mem', () => {
    for (const v of ['lots', '4M', '32G', '16777217', '1T'])
      expect(vmlab(['run', '--mem', v, HELLO]), v).toEqual(refused(`--mem: '${v}' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)`));
    expect(vmlab(['run', '--mem=', HELLO])).toEqual(refused("--mem: '' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)"));
    expect(vmlab(['run', '--mem', '65536K', HELLO])).toEqual({ status: 7, stdout: 'hello, vmlab\n', stderr: '' });
  });

  it('--seed: 0..4294967295 (the kernel keeps 32 bits of it)', () => {
    for (const v of ['abc', '-1', '1.5', '4294967296'])
      expect(vmlab(['run', '--seed', v, HELLO]), v).toEqual(refused(`--seed: '${v}' is not an integer from 0 to 4294967295`));
    expect(vmlab(['run', '--seed', '0xffffffff', HELLO]).status).toBe(7);
  });

  it('--max-insns, never NaN', () => {
    for (const v of ['abc', '0', '1e3', '9007199254740992'])
      expect(vmlab(['run', '--max-insns', v, LOOP]), v).toEqual(refused(`--max-insns: '${v}' is not an integer from 1 to 9007199254740991`));
    expect(vmlab(['run', '--max-insns', '0x100', LOOP])).toEqual({ status: 124, stdout: '', stderr: 'vmlab: stopped after 256 instructions (--max-insns)\n' });
  });

  it('--paging and --tlb', () => {
    for (const v of ['3', 'four', '4.0']) expect(vmlab(['run', `--paging=${v}`, HELLO]), v).toEqual(refused(`--paging: '${v}' is not 4 or 5`));
    expect(vmlab(['run', '--tlb', 'off', HELLO])).toEqual(refused("--tlb: 'off' is not default or none"));
  });

  it('the last of a repeated option counts; a missing value is one line too', () => {
    expect(vmlab(['run', '--seed', '1', '--seed', 'x', HELLO])).toEqual(refused("--seed: 'x' is not an integer from 0 to 4294967295"));
    expect(vmlab(['run', '--seed', 'x', '--seed', '1', HELLO]).status).toBe(7);
    expect(vmlab(['run', '--max-insns'])).toEqual(refused('option --max-insns needs a value'));
  });
});

describe('vmlab shell and vmlab debug: the same options, the same errors', () => {
  it('shell', () => {
    expect(vmlab(['shell', '--seed', 'abc', '-c', 'true'])).toEqual(refused("--seed: 'abc' is not an integer from 0 to 4294967295"));
    expect(vmlab(['shell', '--mem', '4M', '-c', 'true'])).toEqual(refused("--mem: '4M' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)"));
    expect(vmlab(['shell', '--paging', '7', '-c', 'true'])).toEqual(refused("--paging: '7' is not 4 or 5"));
    expect(vmlab(['shell', '--tlb', 'x', '-c', 'true'])).toEqual(refused("--tlb: 'x' is not default or none"));
    expect(vmlab(['shell', '-c', 'true', '--seed'])).toEqual(refused('option --seed needs a value'));
    expect(vmlab(['shell', '--seed', '0x2a', '--mem', '64M', '--paging', '5', '-q', '-c', 'echo ok'])).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
  });

  it('debug', () => {
    expect(vmlab(['debug', '--seed', '-1', '--batch', HELLO])).toEqual(refused("--seed: '-1' is not an integer from 0 to 4294967295"));
    expect(vmlab(['debug', '--mem', 'lots', '--batch', HELLO])).toEqual(refused("--mem: 'lots' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)"));
    expect(vmlab(['debug', '--paging=3', '--batch', HELLO])).toEqual(refused("--paging: '3' is not 4 or 5"));
  });
});

describe('vmlab asm and vmlab bench', () => {
  it('asm --text-base: a 4 KiB-aligned address below 2^47; nothing is written', () => {
    const out = join(dir, 'never');
    for (const v of ['lots', '0x10001', '0x800000000000', '-4096', ''])
      expect(vmlab(['asm', HELLO, '-o', out, `--text-base=${v}`]), v).toEqual(refused(`--text-base: '${v}' is not an address below 2^47, a multiple of 4096 (e.g. 0x10000)`));
    expect(existsSync(out)).toBe(false);
    expect(vmlab(['asm', HELLO, '-o', out, '--text-base', '0x7fff00000000']).status).toBe(0);
  });

  it('bench --scale, --tlb, --only, --jit and --compare, before anything runs', () => {
    for (const v of ['0', '-1', 'abc', 'Infinity'])
      expect(vmlab(['bench', '--scale', v]), v).toEqual(refused(`--scale: '${v}' is not a positive number (e.g. 0.1 or 2)`));
    expect(vmlab(['bench', '--tlb', 'off'])).toEqual(refused("--tlb: 'off' is not default or none"));
    expect(vmlab(['bench', '--only', 'alu', 'nope'])).toEqual(refused("--only: 'nope' is not alu, muldiv, stream, ptrchase, kfaults, kfork, kgetpid, c-alu, c-muldiv, c-calls, c-mix, c-stream or c-chase"));
    expect(vmlab(['bench', '--jit', 'fast'])).toEqual(refused("--jit: 'fast' is not off, on or both"));
    expect(vmlab(['bench', '--compare', 'spike'])).toEqual(refused("--compare: 'spike' is not qemu"));
    expect(vmlab(['bench', '--scale'])).toEqual(refused('option --scale needs a value'));
  });
});
