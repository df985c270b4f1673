// Operand kinds: a register name is a register where the instruction takes a
// register, a symbol in an expression, and refused at the start of a 12- or
// 20-bit immediate (GNU as 2.40's my_getExpression / my_getSmallExpression).
import { describe, expect, it } from 'vitest';
import { DiagnosticSink, SourceText } from '../../asm/diagnostics';
import type { Expr, ExprError } from '../../asm/expr';
import { isErr } from '../../asm/expr';
import type { Statement } from '../../asm/lexer';
import { lexStatements } from '../../asm/lexer';
import type { ImmExpr, Operand } from '../../asm/parser';
import { isRegOperand, operandExpr, operandImm, operandMem, operandReg, parseStatement, startsWithRegister } from '../../asm/parser';

/** The operands of one instruction line. */
function operands(line: string): Operand[] {
  const sts: Statement[] = [];
  lexStatements(new SourceText('t.s', line), new DiagnosticSink(20), (st) => sts.push(st));
  const p = parseStatement(sts[0]!);
  if (isErr(p) || p.body.kind !== 'insn') throw new Error(`not an instruction: ${line}`);
  return p.body.ops;
}

const op = (text: string): Operand => operands(`insn ${text}`)[0]!;
const localRef = (t: { text: string }): string => t.text;

/** An expression written back with its symbols in braces: `{t0} + 1`. */
function show(e: Expr): string {
  switch (e.k) {
    case 'num': return String(e.v);
    case 'sym': return `{${e.name}}`;
    case 'dot': return '.';
    case 'un': return `${e.op}${show(e.e)}`;
    case 'bin': return `(${show(e.l)} ${e.op} ${show(e.r)})`;
  }
}

function shown(x: ImmExpr | ExprError): string {
  if (isErr(x)) return `error: ${x.err}`;
  return x.fn ? `%${x.fn}(${show(x.e)})` : show(x.e);
}

describe('register operands', () => {
  it.each([['s1', 9], ['fp', 8], ['s0', 8], ['x5', 5], ['zero', 0], ['t6', 31]])('%s is register %i', (text, n) => {
    expect(operandReg(op(text))).toBe(n);
    expect(isRegOperand(op(text))).toBe(true);
  });

  it.each([
    ['foo', "expected a register, got 'foo'"],
    ['(s1)', "expected a register, got '( s1 )'"],
    ['S1', "expected a register, got 'S1'"],
    ['x32', "bad register name 'x32'"],
    ['a8', "bad register name 'a8'"],
  ])('%s is not a register', (text, err) => {
    expect(operandReg(op(text))).toEqual({ err, tok: expect.anything() });
    expect(isRegOperand(op(text))).toBe(false);
  });
});

describe('expression operands (targets, symbols, li, shift amounts)', () => {
  it.each([
    ['s1', '{s1}'], ['zero', '{zero}'], ['x5', '{x5}'], ['fp', '{fp}'], ['t0 + 8', '({t0} + 8)'],
    ['ra - s1', '({ra} - {s1})'], ['(a0)', '{a0}'], ['-sp', '-{sp}'], ['%hi(t0)', '%hi({t0})'],
  ])('%s reads register names as symbols: %s', (text, tree) => {
    expect(shown(operandExpr(op(text), localRef))).toBe(tree);
  });
});

describe('12- and 20-bit immediates', () => {
  it.each([
    ['(t0)', '{t0}'], ['-t0', '-{t0}'], ['1 + t0', '(1 + {t0})'], ['%lo(s1)', '%lo({s1})'], ['%pcrel_hi(t0)', '%pcrel_hi({t0})'],
    ['T0', '{T0}'], ['x32', '{x32}'], ['t0x', '{t0x}'], ['s1.end', '{s1.end}'],
  ])('%s is an expression: %s', (text, tree) => {
    expect(startsWithRegister(op(text).toks)).toBe(false);
    expect(shown(operandImm(op(text), localRef))).toBe(tree);
  });

  it.each([['t0', 't0'], ['t0 + 1', 't0'], ['zero', 'zero'], ['fp*2', 'fp'], ['x5 - x5', 'x5']])('%s starts with register %s', (text, r) => {
    expect(startsWithRegister(op(text).toks)).toBe(true);
    expect(shown(operandImm(op(text), localRef))).toBe(`error: expected an immediate or symbol, got register '${r}'`);
  });
});

describe('memory operands', () => {
  const mem = (text: string): string => {
    const m = operandMem(op(text), localRef);
    return isErr(m) ? `error: ${m.err}` : `${m.off ? shown(m.off) : '-'} base ${m.base}`;
  };

  it.each([
    ['8(s1)', '8 base 9'], ['(s1)', '- base 9'], ['(t0)(a1)', '{t0} base 11'], ['-t0(sp)', '-{t0} base 2'],
    ['%lo(s1)(a0)', '%lo({s1}) base 10'], ['x32(fp)', '{x32} base 8'],
  ])('%s: %s', (text, result) => {
    expect(mem(text)).toBe(result);
  });

  it.each([
    ['t0(a1)', "error: expected an immediate or symbol, got register 't0'"],
    ['4(foo)', "error: expected a register, got 'foo'"],
    ['4(x32)', "error: bad register name 'x32'"],
    ['s1', "error: expected a memory operand 'offset(register)', got 's1'"],
  ])('%s is refused', (text, result) => {
    expect(mem(text)).toBe(result);
  });
});
