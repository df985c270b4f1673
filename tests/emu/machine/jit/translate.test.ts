// What a region's module holds, by counts: the things that made V8's
// optimizing compiler slow and hungry (a call into JavaScript at every load
// and store, a dispatch table with a label for each of the page's 1,024
// words) must not come back. The table it imports holds the other regions, for
// chained exits. Semantics are tested elsewhere (exact, random,
// memory, programs); these are the module's shape.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../../emu/machine/machine';
import { planRegion } from '../../../../emu/machine/jit/region';
import { stateLayout } from '../../../../emu/machine/jit/regfile';
import { translateRegion } from '../../../../emu/machine/jit/translate';
import { ins } from '../../../support/machine';

const PAGE = 0x10000;

interface ModuleApi {
  Module: { new (bytes: Uint8Array): object; imports(m: object): { module: string; name: string; kind: string }[] };
}
const WA = (globalThis as unknown as { WebAssembly: ModuleApi }).WebAssembly;

/** A page of code: `body` at word 0, the rest zero (illegal words, which no region reaches). */
function page(body: number[]): Int32Array {
  const code = new Int32Array(1024);
  code.set(body);
  return code;
}

function compile(body: number[]): { bytes: Uint8Array; blocks: number; insns: number } {
  const m = new Machine({ memSize: 16 * 1024 * 1024 });
  const plan = planRegion(page(body), 0, [0], PAGE, 0);
  expect(plan).not.toBeNull();
  const r = translateRegion(plan!, PAGE, 0, 0x5000, stateLayout(m.arena.layout));
  return { bytes: r.bytes, blocks: plan!.blocks.length, insns: r.insns };
}

describe('a region module', () => {
  it('imports only the arena and the region table: no function a load or store could call out to', () => {
    // Loads and stores of every width, a call and a return within the page.
    const body = [
      ins('ld', 'a1', 0, 't0'), ins('lw', 'a2', 4, 't0'), ins('lbu', 'a3', 1, 't0'),
      ins('sd', 'a1', 8, 't0'), ins('sw', 'a2', 16, 't0'), ins('sb', 'a3', 20, 't0'),
      ins('jal', 'ra', 12), ins('addi', 'a0', 'a0', 1), ins('bne', 'a0', 't1', -32),
      ins('lh', 'a4', 2, 't0'), ins('sh', 'a4', 22, 't0'), ins('jalr', 'zero', 'ra', 0),
    ];
    const { bytes, insns } = compile(body);
    expect(insns).toBe(body.length);
    const imports = WA.Module.imports(new WA.Module(bytes));
    expect(imports).toEqual([
      { module: 'env', name: 'mem', kind: 'memory' },
      { module: 'env', name: 'table', kind: 'table' },
    ]);
  });

  it('dispatches by block number: a one-block loop is a few hundred bytes, not a 1,024-label table', () => {
    const { bytes, blocks } = compile([ins('addi', 'a0', 'a0', 1), ins('bne', 'a0', 't1', -4), ins('ecall')]);
    expect(blocks).toBe(2); // the loop, and the block stopping at the ecall
    // The table by page word alone took 1,024 label bytes (plus the rest of the region; the
    // chained exit's checks take about 150).
    expect(bytes.length).toBeLessThan(768);
  });
});
