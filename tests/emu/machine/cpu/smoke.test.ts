import { describe, it } from 'vitest';
import { ins, machine } from '../../../support/machine';

describe('smoke', () => {
  it('adds', () => {
    machine([ins('addi', 'a0', 'a0', 5), ins('ecall')]).regs({ a0: 5n }).run().expectEcall(1).expectRegs({ a0: 10n });
  });
  it('loops', () => {
    machine([ins('addi', 'a0', 'zero', 100), ins('addi', 'a1', 'a1', 3), ins('addi', 'a0', 'a0', -1), ins('bne', 'a0', 'zero', -8), ins('ecall')])
      .run().expectEcall(4).expectRegs({ a0: 0n, a1: 300n });
  });
});
