// Little-endian byte building and reading for the ELF and DWARF code.
// 64-bit fields are plain numbers: every address and size vmlab writes is
// below 2^53, and the reader rejects (rather than rounds) anything larger.

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.length, v & 0xffff, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  /** A 64-bit field from a non-negative safe integer (or a negative one, two's complement). */
  u64(v: number): this {
    const hi = Math.floor(v / 0x1_0000_0000);
    this.u32(v - hi * 0x1_0000_0000);
    this.u32(hi);
    return this;
  }

  uleb(v: number): this {
    let x = v;
    do {
      let byte = x % 128;
      x = Math.floor(x / 128);
      if (x !== 0) byte |= 0x80;
      this.u8(byte);
    } while (x !== 0);
    return this;
  }

  sleb(v: number): this {
    let x = v;
    for (;;) {
      const byte = ((x % 128) + 128) % 128;
      x = Math.floor(x / 128);
      const signBit = (byte & 0x40) !== 0;
      if ((x === 0 && !signBit) || (x === -1 && signBit)) {
        this.u8(byte);
        return this;
      }
      this.u8(byte | 0x80);
    }
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(s: string): this {
    this.bytes(new TextEncoder().encode(s));
    return this.u8(0);
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Zero bytes up to the next multiple of `align`. */
  align(align: number): this {
    while (this.length % align !== 0) this.u8(0);
    return this;
  }

  /** Zero bytes up to absolute position `pos` (which must not be behind). */
  padTo(pos: number): this {
    if (pos < this.length) throw new Error(`ByteWriter.padTo: ${pos} is behind ${this.length}`);
    this.reserve(pos - this.length);
    this.buf.fill(0, this.length, pos);
    this.length = pos;
    return this;
  }

  /** Overwrite a 32-bit field already written (for lengths known only later). */
  patchU32(pos: number, v: number): void {
    this.view.setUint32(pos, v >>> 0, true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Thrown by ByteReader when a read runs past its end; callers turn it into a result. */
export class ReadPastEnd extends Error {}

/**
 * A bounds-checked little-endian reader over [start, end) of a byte array.
 * Every read past `end` throws ReadPastEnd, which the ELF and DWARF parsers
 * catch once at their entry point and report as a malformed-input result.
 */
export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(readonly bytes: Uint8Array, readonly start = 0, readonly end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (this.pos < this.start || this.pos + n > this.end) {
      throw new ReadPastEnd(`${what} at offset 0x${this.pos.toString(16)} runs past the end (0x${this.end.toString(16)})`);
    }
    const p = this.pos;
    this.pos += n;
    return p;
  }

  u8(what = 'byte'): number {
    return this.view.getUint8(this.need(1, what));
  }

  i8(what = 'byte'): number {
    return this.view.getInt8(this.need(1, what));
  }

  u16(what = 'half'): number {
    return this.view.getUint16(this.need(2, what), true);
  }

  u32(what = 'word'): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  /** A 64-bit field; throws ReadPastEnd-style error if it is not a safe integer. */
  u64(what = 'doubleword'): number {
    const p = this.need(8, what);
    const lo = this.view.getUint32(p, true);
    const hi = this.view.getUint32(p + 4, true);
    if (hi >= 0x20_0000) throw new ReadPastEnd(`${what} at offset 0x${p.toString(16)} is too large (0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')})`);
    return hi * 0x1_0000_0000 + lo;
  }

  /** An unsigned value of `size` bytes (1, 2, 4 or 8). */
  uN(size: number, what = 'value'): number {
    switch (size) {
      case 1: return this.u8(what);
      case 2: return this.u16(what);
      case 4: return this.u32(what);
      case 8: return this.u64(what);
      default: throw new ReadPastEnd(`${what}: unsupported size ${size}`);
    }
  }

  uleb(what = 'ULEB128'): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8(what);
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
      if (mul > 2 ** 56) throw new ReadPastEnd(`${what} at offset 0x${this.pos.toString(16)} is too long`);
    }
    return result;
  }

  sleb(what = 'SLEB128'): number {
    let result = 0;
    let mul = 1;
    let b: number;
    do {
      b = this.u8(what);
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (mul > 2 ** 56 && (b & 0x80) !== 0) throw new ReadPastEnd(`${what} at offset 0x${this.pos.toString(16)} is too long`);
    } while ((b & 0x80) !== 0);
    if ((b & 0x40) !== 0) result -= mul;
    return result;
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(what = 'string'): string {
    const from = this.pos;
    let p = from;
    while (p < this.end && this.bytes[p] !== 0) p++;
    if (p >= this.end) throw new ReadPastEnd(`${what} at offset 0x${from.toString(16)} is not NUL-terminated`);
    this.pos = p + 1;
    return new TextDecoder().decode(this.bytes.subarray(from, p));
  }

  skip(n: number, what = 'field'): void {
    this.need(n, what);
  }
}

/** The NUL-terminated string at `offset` in a string table, or undefined if out of range/unterminated. */
export function cstrAt(bytes: Uint8Array, offset: number): string | undefined {
  if (offset < 0 || offset >= bytes.length) return undefined;
  let p = offset;
  while (p < bytes.length && bytes[p] !== 0) p++;
  if (p >= bytes.length) return undefined;
  return new TextDecoder().decode(bytes.subarray(offset, p));
}
