// The host's WebAssembly API, typed here because the project's lib setting
// (es2022, node types) declares none of it. Only what tier 1 calls.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A table of functions (funcref): regions find each other's code in it. */
export interface WasmTable {
  readonly length: number;
  grow(n: number): number;
  set(i: number, f: unknown): void;
}

export interface WasmModule {
  readonly __brand?: 'WasmModule';
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Table: new (desc: { initial: number; element: 'anyfunc' }) => WasmTable;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** globalThis.WebAssembly, with the types above. */
export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
