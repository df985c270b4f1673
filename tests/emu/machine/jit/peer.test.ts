// The peer tier's random programs (tests/support/peer-programs.ts, as
// tests/emu/machine/machine-peer.test.ts runs them: random straight-line
// ALU/M code, then loads and stores of every size and alignment) under
// tier 1, against qemu-riscv64. A hot threshold of 1 compiles each program's
// code at its first entry, so the random body runs as one compiled region
// (its loads and stores through the memory port).
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { Tier1 } from '../../../../emu/machine/jit/tier1';
import { describePeer } from '../../../support/peers';
import { machine } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { aluInsn, memInsn, peerProgram, qemuPeer, regValues } from '../../../support/peer-programs';

/** The test machine with its runs going through tier 1. */
function tier1Machine(src: string): { m: MachineRun; jit: Tier1 } {
  const m = machine(src);
  const jit = new Tier1(m.m, { hotThreshold: 1 });
  m.m.run = (budget: number) => jit.run(budget);
  return { m, jit };
}

describePeer('tier 1 vs qemu-riscv64', ['as', 'ld', 'qemu'], () => {
  const qemu = qemuPeer('vmlab-peer-jit-');
  afterAll(() => qemu.close());

  for (const [what, gen, withBuffer, runs] of [
    ['random straight-line ALU and M programs', aluInsn, false, 40],
    ['random loads and stores of every size and alignment', memInsn, true, 30],
  ] as const) {
    it(`runs ${what} compiled, to the same registers and memory`, () => {
      fc.assert(
        fc.property(regValues, fc.array(gen, { minLength: 1, maxLength: 80 }), (init, body) => {
          const src = peerProgram(init, body, withBuffer);
          const want = [...qemu.run(src)];
          const { m, jit } = tier1Machine(src);
          m.runLinux();
          expect(m.exitCode, src).toBe(0);
          expect(m.stdout, src).toEqual(want);
          expect(jit.stats.regionRetired).toBeGreaterThan(body.length);
        }),
        { numRuns: runs },
      );
    });
  }
});
