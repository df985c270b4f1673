// The undefined-symbol message: register names and near-register names
// (x32, a8...) that reach an expression get a word of explanation.
import { describe, expect, it } from 'vitest';
import { undefinedSymbol } from '../../asm/expr';

describe('undefinedSymbol', () => {
  it.each([
    ['foo', "undefined symbol 'foo'"],
    ['S1', "undefined symbol 'S1'"],
    ['s1', "undefined symbol 's1' (this operand takes no register, so 's1' is read as a symbol)"],
    ['fp', "undefined symbol 'fp' (this operand takes no register, so 'fp' is read as a symbol)"],
    ['x0', "undefined symbol 'x0' (this operand takes no register, so 'x0' is read as a symbol)"],
    ['x32', "undefined symbol 'x32' (and not a register: the x registers are x0..x31)"],
    ['a8', "undefined symbol 'a8' (and not a register: the a registers are a0..a7)"],
    ['s12', "undefined symbol 's12' (and not a register: the s registers are s0..s11)"],
    ['t7', "undefined symbol 't7' (and not a register: the t registers are t0..t6)"],
  ])('%s', (name, message) => {
    expect(undefinedSymbol(name)).toBe(message);
  });
});
