// Comparing blocks of bytes with the host's native memcmp (Node's
// Buffer.compare): the recorder's snapshots compare every block of the frame
// table (emu/debugger/record/graph.ts). The browser build substitutes
// web/host/bytes.ts (a loop over 32-bit words) for this file.

/** Equal contents. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
