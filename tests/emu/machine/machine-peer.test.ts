// Differential test against qemu-riscv64: random straight-line RV64IM
// programs (fast-check) run under vmlab and under qemu (assembled there by
// GNU as and ld). Each program loads random values into the registers, runs
// random ALU/M instructions (and, in the second property, loads and stores
// into a .data buffer), then writes x1..x31 (and the buffer) to stdout with
// write(64) and leaves with exit_group(94); the outputs must be byte-identical.
// The programs and the qemu runner are tests/support/peer-programs.ts's.
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { describePeer } from '../../support/peers';
import { machine } from '../../support/machine';
import { aluInsn, memInsn, peerProgram, qemuPeer, regValues } from '../../support/peer-programs';

describePeer('cpu vs qemu-riscv64', ['as', 'ld', 'qemu'], () => {
  const qemu = qemuPeer('vmlab-peer-cpu-');
  afterAll(() => qemu.close());

  it('runs random straight-line ALU and M programs to the same registers', () => {
    fc.assert(
      fc.property(regValues, fc.array(aluInsn, { minLength: 1, maxLength: 80 }), (init, body) => {
        const src = peerProgram(init, body);
        const want = [...qemu.run(src)];
        const m = machine(src).runLinux();
        expect(m.exitCode, src).toBe(0);
        expect(m.stdout, src).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('runs random loads and stores of every size and alignment to the same registers and memory', () => {
    fc.assert(
      fc.property(regValues, fc.array(memInsn, { minLength: 1, maxLength: 80 }), (init, body) => {
        const src = peerProgram(init, body, true);
        const want = [...qemu.run(src)];
        const m = machine(src).runLinux();
        expect(m.exitCode, src).toBe(0);
        expect(m.stdout, src).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});
