// The debugger's expression parser at its bounds (issue 12, finding 8): 3,000
// nested parentheses in `print` overflowed the JavaScript stack. Nesting is
// bounded (MAX_EXPR_DEPTH), with a message in gdb's "near `...'" form.
import { describe, expect, it } from 'vitest';
import { ExprError, MAX_EXPR_DEPTH, evaluate } from '../../../emu/debugger/expr';
import type { ExprEnv } from '../../../emu/debugger/expr';
import { bootDebugger } from '../../support/debugger';

const env: ExprEnv = {
  register: (n) => (n === 'a0' ? 5n : undefined),
  symbol: () => undefined,
  readMem: () => 7n,
  translate: () => 0x1000n,
  history: () => undefined,
};

const nested = (n: number, inner = '1'): string => `${'('.repeat(n)}${inner}${')'.repeat(n)}`;

describe('expression nesting', () => {
  it(`takes ${MAX_EXPR_DEPTH} levels of parentheses and prefix operators`, () => {
    expect(evaluate(nested(MAX_EXPR_DEPTH - 1), env)).toBe(1n);
    expect(evaluate(`${'-'.repeat(MAX_EXPR_DEPTH - 2)}$a0`, env)).toBe(5n);
    expect(evaluate(`${'*'.repeat(500)}0x1000`, env)).toBe(7n);
  });

  it('3,000 nested parentheses are refused with a message, not a stack overflow', () => {
    expect(() => evaluate(nested(3000), env)).toThrow(ExprError);
    expect(() => evaluate(nested(3000), env)).toThrow(`Expression nested more than ${MAX_EXPR_DEPTH} levels deep, near \`${'('.repeat(40)}...'.`);
    expect(() => evaluate(`${'!'.repeat(100_000)}1`, env)).toThrow(/^Expression nested more than 1000 levels deep, near `!{40}\.\.\.'\.$/);
    expect(() => evaluate(`$pa(${nested(2000)})`, env)).toThrow(ExprError);
  });

  it('a long flat expression is parsed in one pass (the tokenizer used to copy the rest of the text per token)', () => {
    expect(evaluate(Array(200_000).fill('1').join(' + '), env)).toBe(200_000n);
  });

  it('print says so and the session goes on', async () => {
    const { d } = bootDebugger('pf.s');
    expect(await d.execute(`print ${nested(3000)}`)).toBe(`Expression nested more than ${MAX_EXPR_DEPTH} levels deep, near \`${'('.repeat(40)}...'.`);
    expect(await d.execute('print 6 * 7')).toBe('$1 = 42');
  });
});
