// x and xp (emu/debugger/examine.ts) at their bounds (issue 12, finding 8):
// after `x/100000000xg $sp`, `x/i $pc` reused the count 100,000,000 (gdb's
// count is never sticky), x/Ni ran on through unmapped memory (2.6 GB, killed
// at 60 s), and dumps were held whole before printing.
import { describe, expect, it } from 'vitest';
import { bootDebugger } from '../../support/debugger';
import { INITIAL_EXAMINE, MAX_EXAMINE_COUNT, decodeFormat } from '../../../emu/debugger/examine';

/** A debugger stopped at add1 (main's text page and the stack are present). */
async function atAdd1() {
  const { d } = bootDebugger('pf.s');
  await d.execute('break add1');
  await d.execute('run');
  return d;
}

describe('x: what carries over (gdb decode_format / x_command)', () => {
  it('the count is 1 unless written: x/i after a huge x/xg shows one instruction', async () => {
    const d = await atAdd1();
    expect(await d.execute('x/100000000xg $sp')).toBe(`Count 100000000 is more than ${MAX_EXAMINE_COUNT}, the most units x shows at once.`);
    expect((await d.execute('x/4xg $sp')).split('\n')).toHaveLength(2);
    expect((await d.execute('x/i $pc')).split('\n')).toEqual(['=> VA 0x10044 <add1>:\tadd\tsp,sp,-16']);
    // format and size carry over: x/xg's size g, x/i's format i
    expect(await d.execute('x main')).toBe('   VA 0x10000 <main>:\tadd\tsp,sp,-32');
    expect(await d.execute('x/w main')).toBe('VA 0x10000 <main>:\t0xfe010113'); // a size after i: format x
  });

  it('decodes /NFU as gdb: sizes default by format, the last format and size fill in', () => {
    const last = { fmt: 'd', size: 'h' } as const;
    expect(decodeFormat({ count: '', fmt: '', size: '' }, last)).toEqual({ count: 1, fmt: 'd', size: 'h' });
    expect(decodeFormat({ count: '3', fmt: 'x', size: '' }, last)).toEqual({ count: 3, fmt: 'x', size: 'h' });
    expect(decodeFormat({ count: '', fmt: 'a', size: '' }, last)).toEqual({ count: 1, fmt: 'a', size: 'g' });
    expect(decodeFormat({ count: '', fmt: 'c', size: '' }, last)).toEqual({ count: 1, fmt: 'c', size: 'b' });
    expect(decodeFormat({ count: '', fmt: 's', size: '' }, last)).toEqual({ count: 1, fmt: 's', size: 'b' });
    expect(decodeFormat({ count: '', fmt: '', size: 'g' }, { fmt: 'i', size: 'w' })).toEqual({ count: 1, fmt: 'x', size: 'g' });
    expect(decodeFormat({ count: '', fmt: '', size: '' }, INITIAL_EXAMINE)).toEqual({ count: 1, fmt: 'x', size: 'w' });
  });

  it('x/s leaves byte units; a failed x leaves the defaults as they were', async () => {
    const d = await atAdd1();
    await d.execute('x/s main');
    expect(d.lastX).toEqual({ fmt: 's', size: 'b' });
    await d.execute('x/2xg $sp');
    await d.execute('x/4dw 0');
    expect(d.lastX).toEqual({ fmt: 'x', size: 'g' });
  });
});

describe('x: bounds', () => {
  it('x/Ni stops at the first page that cannot be read, as gdb does', async () => {
    const d = await atAdd1();
    const lines = (await d.execute('x/5000i main')).split('\n');
    expect(lines).toHaveLength(1025); // the 1024 instructions of main's page, then the error
    expect(lines[1023]).toMatch(/^ {3}VA 0x10ffc/);
    expect(lines[1024]).toBe('Cannot access memory at virtual address 0x11000 (not mapped for a user read)');
  });

  it('refuses a count over the bound before reading anything; the bound itself is accepted', async () => {
    const d = await atAdd1();
    expect(await d.execute(`x/${MAX_EXAMINE_COUNT + 1}xb main`)).toBe(`Count ${MAX_EXAMINE_COUNT + 1} is more than ${MAX_EXAMINE_COUNT}, the most units x shows at once.`);
    const lines = (await d.execute(`x/${MAX_EXAMINE_COUNT}xb main`)).split('\n');
    expect(lines).toHaveLength(513); // 4096 bytes, 8 a line, then Cannot access memory
    expect(lines[512]).toBe('Cannot access memory at virtual address 0x11000 (not mapped for a user read)');
  });

  it('streams a long dump to the front end in pieces of 256 lines instead of holding it whole', async () => {
    const d = await atAdd1();
    const pieces: string[] = [];
    d.stream = (text) => pieces.push(text);
    const rest = await d.execute('x/4100xb main');
    expect(pieces.map((p) => p.split('\n').length)).toEqual([256, 256]);
    expect(rest).toBe('Cannot access memory at virtual address 0x11000 (not mapped for a user read)');
    expect(pieces[0]!.split('\n')[0]).toBe('VA 0x10000 <main>:\t0x13\t0x01\t0x01\t0xfe\t0x23\t0x3c\t0x11\t0x00');
  });
});
