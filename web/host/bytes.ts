// host/bytes.ts in the browser build (scripts/build-web.mjs substitutes this
// file for it): browsers have no Buffer.compare; 32-bit words where both
// blocks are aligned, bytes for the rest.

/** Equal contents. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset, words);
    for (let j = 0; j < words; j++) if (wa[j] !== wb[j]) return false;
    i = words * 4;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
