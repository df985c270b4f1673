// tryTranslate: the same translation as translate(), with faults reported by
// value (TRAP_PENDING + the trap record, Mmu.trap) instead of a throw; the CPU's run loop
// relies on it for loads, stores and fetches.
import { describe, expect, it } from 'vitest';
import { Access, TRAP_PENDING, Vector } from '../../../../emu/machine/trap';
import { P, RW, Tables, US, hi32, lo32, makeMmu } from './support';

const VA = 0x4000_1000n;
const PA = 0x7_3000n;

describe('Mmu.tryTranslate', () => {
  it('returns the physical address of a mapped page, like translate', () => {
    const t = new Tables();
    t.map(VA, PA, P | RW | US);
    const m = makeMmu(t, { cpl: 3 });
    expect(m.tryTranslate(lo32(VA) + 0x10, hi32(VA), Access.Write)).toBe(Number(PA) + 0x10);
    expect(m.translate(lo32(VA) + 0x10, hi32(VA), Access.Read)).toBe(Number(PA) + 0x10);
  });

  it('reports a not-present page as TRAP_PENDING with #PF, the error code and CR2, without throwing', () => {
    const t = new Tables();
    const m = makeMmu(t, { cpl: 3 });
    expect(m.tryTranslate(lo32(VA) + 8, hi32(VA), Access.Write)).toBe(TRAP_PENDING);
    expect(m.trap).toMatchObject({ vector: Vector.PF, error: 0x6, addrLo: lo32(VA) + 8, addrHi: 0 });
    expect([m.cr2Lo, m.cr2Hi]).toEqual([lo32(VA) + 8, 0]);
  });

  it('reports a non-canonical address as TRAP_PENDING with #GP(0) and leaves CR2 alone', () => {
    const t = new Tables();
    const m = makeMmu(t, { cpl: 3 });
    m.tryTranslate(lo32(VA), hi32(VA), Access.Read);
    expect(m.tryTranslate(0, 0x8000, Access.Read)).toBe(TRAP_PENDING);
    expect(m.trap).toMatchObject({ vector: Vector.GP, error: 0 });
    expect([m.cr2Lo, m.cr2Hi]).toEqual([lo32(VA), 0]);
  });
});
