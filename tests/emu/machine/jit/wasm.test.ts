// The wasm encoder: LEB128 against the spec's examples and a BigInt oracle,
// then modules that V8 must accept and run with exact results.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Body, Bytes, Op, ValType, encodeModule } from '../../../../emu/machine/jit/wasm';
import type { FuncType } from '../../../../emu/machine/jit/wasm';
import { Wasm } from '../../../../emu/machine/jit/wasm-host';
import type { WasmMemory } from '../../../../emu/machine/jit/wasm-host';

/** Reference signed LEB128 of a BigInt. */
function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const bytesOf = (b: Bytes): number[] => [...b.toArray()];

describe('LEB128', () => {
  it('encodes the spec examples', () => {
    expect(bytesOf(new Bytes().u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf(new Bytes().s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytesOf(new Bytes().u32(0))).toEqual([0]);
    expect(bytesOf(new Bytes().s32(63))).toEqual([0x3f]);
    expect(bytesOf(new Bytes().s32(64))).toEqual([0xc0, 0x00]);
    expect(bytesOf(new Bytes().s32(-64))).toEqual([0x40]);
    expect(bytesOf(new Bytes().s32(-65))).toEqual([0xbf, 0x7f]);
  });

  it('s32 and s64 match a BigInt reference', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      expect(bytesOf(new Bytes().s32(v))).toEqual(sleb(BigInt(v)));
    }));
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => {
      const lo = Number(BigInt.asIntN(32, v));
      const hi = Number(BigInt.asIntN(32, v >> 32n));
      expect(bytesOf(new Bytes().s64(lo, hi))).toEqual(sleb(v));
    }));
  });
});

function instantiate(type: FuncType, body: Body, imports: Record<string, Function> = {}, mem?: WasmMemory): Function {
  const names = Object.keys(imports);
  const bytes = encodeModule({
    imports: names.map((name) => ({ name, type: { params: [ValType.I32], results: [ValType.I32] } })),
    memoryPages: mem === undefined ? undefined : 1,
    func: { name: 'f', type, body },
  });
  expect(Wasm.validate(bytes)).toBe(true);
  const env: Record<string, unknown> = { ...imports };
  if (mem !== undefined) env.mem = mem;
  const inst = new Wasm.Instance(new Wasm.Module(bytes), { env });
  return inst.exports.f as Function;
}

describe('modules', () => {
  it('i64 constants and arithmetic round-trip through BigInt parameters', () => {
    const b = new Body(2);
    b.get(0).get(1).op(Op.i64_mul).i64(0x89abcdef, 0x01234567 | 0).op(Op.i64_xor);
    const f = instantiate({ params: [ValType.I64, ValType.I64], results: [ValType.I64] }, b);
    expect(f(3n, -5n)).toBe(BigInt.asIntN(64, -15n ^ 0x0123456789abcdefn));
  });

  it('a loop over a br_table block switch, with locals of two types', () => {
    // Sums n, n-1, ..., 1 through a two-state machine: state 0 adds, state 1 decrements.
    const b = new Body(1);
    const acc = b.local(ValType.I64);
    const st = b.local(ValType.I32);
    b.loop();
    b.block().block().get(st).brTable([0, 1], 1).end();
    // state 0
    b.get(acc).get(0).op(Op.i64_extend_i32_s).op(Op.i64_add).set(acc).i32(1).set(st).br(1);
    b.end();
    // state 1
    b.get(0).i32(1).op(Op.i32_sub).tee(0).i32(0).set(st).brIf(0);
    b.end();
    b.get(acc);
    const f = instantiate({ params: [ValType.I32], results: [ValType.I64] }, b);
    expect(f(100)).toBe(5050n);
  });

  it('calls an import and reads and writes the imported memory', () => {
    const mem = new Wasm.Memory({ initial: 1 });
    const b = new Body(1);
    b.i32(16).get(0).call(0).mem(Op.i32_store, 2, 4);
    b.i32(0).mem(Op.i64_load, 3, 16);
    const f = instantiate({ params: [ValType.I32], results: [ValType.I64] }, b, { twice: (v: number) => v * 2 }, mem);
    new Int32Array(mem.buffer)[4] = 7;
    expect(f(21)).toBe((42n << 32n) | 7n);
    expect(new Int32Array(mem.buffer)[5]).toBe(42);
  });

  it('if/else with a value', () => {
    const b = new Body(1);
    b.get(0).op(Op.i32_eqz).ifValue(ValType.I32).i32(10).op(Op.else).i32(-20).end();
    const f = instantiate({ params: [ValType.I32], results: [ValType.I32] }, b);
    expect([f(0), f(1)]).toEqual([10, -20]);
  });
});
