// Where compiled regions find the register file: the one place that knows.
//
// Until guest RAM and the register file share one WebAssembly.Memory (the
// arena, docs/jit.md), tier 1 owns a one-page wasm memory holding a copy of
// the CPU's registers, laid out exactly as Cpu.x (x[r] as an i64 at byte 8r:
// int32 halves, low first, are a little-endian i64), and a few exit fields.
// RegFile.toWasm / toCpu copy between that and Cpu.x; the run loop copies in
// only before a region runs after the interpreter (or the kernel) touched the
// registers, and out only before the interpreter or the caller needs them.
// When the arena exists, STATE_BASE becomes the register file's offset in it,
// the memory becomes the arena, and the copies go away.
import type { Cpu } from '../cpu/cpu';
import { Wasm } from './wasm-host';
import type { WasmMemory } from './wasm-host';

/** Byte offset of x0 in the state memory (x[r] at STATE_BASE + 8r). */
export const STATE_BASE = 0;
/** A load's result, as its import leaves it (an i64: the value already sign- or zero-extended). */
export const LOAD_VALUE = STATE_BASE + 8 * 32;
/** The pc a region exits at (i64). */
export const EXIT_PC = LOAD_VALUE + 8;
/** Instructions the region retired (i32). */
export const EXIT_RETIRED = EXIT_PC + 8;

/** Byte offset of register r. */
export function regOffset(r: number): number {
  return STATE_BASE + 8 * r;
}

/** Int32 halves of x0..x31. */
const REG_HALVES = 64;

export class RegFile {
  readonly memory: WasmMemory = new Wasm.Memory({ initial: 1, maximum: 1 });
  readonly i32 = new Int32Array(this.memory.buffer);
  /** True while the wasm copy is the current one (Cpu.x is stale). */
  inWasm = false;

  constructor(private readonly cpu: Cpu) {}

  /** Before a region runs: the registers into the state memory, unless they are there already. */
  toWasm(): void {
    if (this.inWasm) return;
    this.i32.set(this.cpu.x.subarray(0, REG_HALVES), STATE_BASE >> 2);
    this.inWasm = true;
  }

  /** Before the interpreter, the kernel or a debugger reads them: back into Cpu.x. */
  toCpu(): void {
    if (!this.inWasm) return;
    this.cpu.x.set(this.i32.subarray(STATE_BASE >> 2, (STATE_BASE >> 2) + REG_HALVES));
    this.inWasm = false;
  }
}
