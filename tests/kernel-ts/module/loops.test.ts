// Loop counting in module code (kernel-ts/module/loops.ts): each kind of
// loop gets exactly one call of the tick per iteration, strings, comments,
// regular expressions and template literals are left alone, no line moves,
// and the rewritten code runs with the same result.
import { describe, expect, it } from 'vitest';
import { LOOP_TICK, instrumentLoops, rewriteLoops } from '../../../kernel-ts/module/loops';

const T = LOOP_TICK;

describe('instrumentLoops', () => {
  it.each([
    ['while (x) y();', `while (${T}(), x) y();`],
    ['do { z(); } while (a < b);', `do { z(); } while (${T}(), a < b);`],
    ['for (;;) {}', `for (; ${T}(), true;) {}`],
    ['for (let i = 0; i < n; i++) s += i;', `for (let i = 0; ${T}(), i < n; i++) s += i;`],
    ['for (const x of xs) { f(x); }', `for (const x of xs) {${T}(); f(x); }`],
    ['for (const [a, b] of m) g(a);', `for (const [a, b] of ${T}.of( m)) g(a);`],
    ['for (const { a } of m) g(a);', `for (const { a } of ${T}.of( m)) g(a);`],
    ['for (const k in o) h(k);', 'for (const k in o) h(k);'],
    ['for await (const x of it) {}', 'for await (const x of it) {}'],
    ['for (let i = 0, f = () => { a; b; }; i < 3; i++) {}', `for (let i = 0, f = () => { a; b; }; ${T}(), i < 3; i++) {}`],
    ['outer: for (;;) { while (q) { continue outer; } }', `outer: for (; ${T}(), true;) { while (${T}(), q) { continue outer; } }`],
  ])('%s', (code, want) => {
    expect(instrumentLoops(code)).toBe(want);
  });

  it('leaves strings, regular expressions, template text, comments, properties and keys alone', () => {
    const code = [
      'const s = "for (;;)" + \'while (1)\';',
      'const r = /while (x)[/]/g, d = a / b / c;',
      'const t = `for ${(() => { for (;;) break; })()} while (1) ${`${x}`}`;',
      'x.for(1); x?.while(2); o = { while: 1, for: 2 };',
      '// for (;;) {}',
      '/* while (1) {} */ if (r.test(s)) return /for (;;)/.source;',
    ].join('\n');
    const out = instrumentLoops(code);
    expect(out).toBe(code.replace('for (;;) break;', `for (; ${T}(), true;) break;`));
    expect(out.split('\n')).toHaveLength(6);
  });

  it('a / right after an if, while, for or with header starts a regular expression; after a call or a grouping it divides', () => {
    const code = [
      'if (x) /for(;;)/.test(s);',
      'while (y) /while (1)/g.exec(t);',
      'for (const k in o) /for (;;)/.test(k);',
      'do n++; while (n < 3) /while (z)/.test(u);',
      'a = f(x) / 2; b = (c) / d; for (;;) break;',
      'o.if(x) / 2; while (q) r();',
    ].join('\n');
    expect(instrumentLoops(code).split('\n')).toEqual([
      'if (x) /for(;;)/.test(s);',
      `while (${T}(), y) /while (1)/g.exec(t);`,
      'for (const k in o) /for (;;)/.test(k);',
      `do n++; while (${T}(), n < 3) /while (z)/.test(u);`,
      `a = f(x) / 2; b = (c) / d; for (; ${T}(), true;) break;`,
      `o.if(x) / 2; while (${T}(), q) r();`,
    ]);
  });

  it('the rewritten code computes the same, calling the tick once per iteration', () => {
    const code = [
      'let s = 0;',
      'for (let i = 0; i < 5; i++) s += i;',
      'let j = 0; while (j < 3) j++;',
      'let k = 0; do { k++; } while (k < 4);',
      'for (const x of [1, 2]) s += x;',
      'for (const x of [10, 20]) { s += x; }',
      'for (const key in { a: 1 }) s += key.length;',
      'return [s, j, k];',
    ].join('\n');
    let ticks = 0;
    const tick = Object.assign(() => void ticks++, {
      *of<V>(it: Iterable<V>): Generator<V> {
        for (const v of it) {
          ticks++;
          yield v;
        }
      },
    });
    const plain = new Function(code)() as number[];
    const counted = new Function(T, instrumentLoops(code))(tick) as number[];
    expect(counted).toEqual(plain);
    // 5+1 tests of the for, 3+1 of the while, 4 of the do-while, 2 + 2 iterations of the for-ofs.
    expect(ticks).toBe(6 + 4 + 4 + 2 + 2);
  });

  it('maps a column of the rewritten code back to the original (an oops counts offsets in the code as compiled)', () => {
    const code = 'a();\nfor (;;) { b(); while (c) d(); }\ne();';
    const r = rewriteLoops(code);
    const lines = r.code.split('\n');
    expect(lines[1]).toBe(`for (; ${T}(), true;) { b(); while (${T}(), c) d(); }`);
    const col = (line: number, text: string): number => r.originalColumn(line, lines[line - 1]!.indexOf(text) + 1);
    const orig = code.split('\n');
    for (const text of ['b()', 'd()', 'c)', 'for']) expect(col(2, text)).toBe(orig[1]!.indexOf(text) + 1);
    // Inside the added text: where it was added.
    expect(col(2, `${T}(), c`)).toBe(orig[1]!.indexOf('c)') + 1);
    // Lines without a loop are unchanged.
    expect([r.originalColumn(1, 1), r.originalColumn(3, 2)]).toEqual([1, 2]);
  });
});
