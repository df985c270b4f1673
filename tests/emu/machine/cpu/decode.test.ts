// The predecoded entries: what the run loop reads for each word.
import { describe, expect, it } from 'vitest';
import { DecodeCache, DecodedPage, ID_ILLEGAL, SINK_SLOT } from '../../../../emu/machine/cpu/decode';
import { OP } from '../../../../emu/machine/isa/table';
import { ins } from '../../../support/machine';

const fields = (e: number): number[] => [e & 0xff, (e >>> 8) & 0xff, (e >>> 16) & 0xff, e >>> 24];

describe('DecodedPage', () => {
  it('packs id and register slots (2 * register) and keeps the immediate apart', () => {
    const p = new DecodedPage();
    expect(fields(p.fill(0, ins('add', 'a0', 'a1', 't6')))).toEqual([OP.add, 20, 22, 62]);
    const [id, , base, src] = fields(p.fill(1, ins('sd', 'a2', -8, 'sp')));
    expect([id, base, src]).toEqual([OP.sd, 4, 24]);
    expect(p.imms[1]).toBe(-8);
    p.fill(2, ins('beq', 'zero', 'zero', -4096));
    expect(p.imms[2]).toBe(-4096);
    p.fill(3, ins('jal', 'ra', 0xffffe));
    expect(p.imms[3]).toBe(0xffffe);
    p.fill(4, ins('lui', 'a0', 0xfffff));
    expect(p.imms[4]).toBe(-4096);
    p.fill(5, ins('srai', 'a0', 'a0', 63));
    expect(p.imms[5]).toBe(63);
    p.fill(6, ins('sraiw', 'a0', 'a0', 31));
    expect(p.imms[6]).toBe(31);
    expect(p.words[6]).toBe(ins('sraiw', 'a0', 'a0', 31));
  });

  it('sends writes to x0 to the sink slot', () => {
    expect(fields(new DecodedPage().fill(0, ins('addi', 'zero', 'a0', 1)))[1]).toBe(SINK_SLOT);
  });

  it('starts with every slot decoded as the word 0: illegal', () => {
    const p = new DecodedPage();
    expect([p.ops[0], p.ops[1023], p.words[512]]).toEqual([ID_ILLEGAL, ID_ILLEGAL, 0]);
    expect(p.fill(7, 0x4501)).toBe(ID_ILLEGAL);
  });
});

describe('DecodeCache', () => {
  it('gives one page per physical frame', () => {
    const c = new DecodeCache();
    expect(c.page(0x5000)).toBe(c.page(0x5ffc));
    expect(c.page(0x5000)).not.toBe(c.page(0x6000));
    expect(c.page(2 ** 40)).not.toBe(c.page(0));
    expect(c.size).toBe(4);
  });
});
