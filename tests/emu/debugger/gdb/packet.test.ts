// The RSP framing: checksums, escapes, a stream cut anywhere, bad input.
import { describe, expect, it } from 'vitest';
import { MAX_PACKET, PacketDecoder, checksum, escapeBinary, frame, fromHex, hexToReg, parseHexNumber, regToHex, textToHex, hexToText, unescapeBinary } from '../../../../emu/debugger/gdb/packet';

describe('RSP packets', () => {
  it('frames with the mod-256 sum of the payload bytes', () => {
    expect(checksum('')).toBe(0);
    expect(frame('OK')).toBe('$OK#9a');
    expect(frame('qSupported')).toBe('$qSupported#37');
    expect(frame('g')).toBe('$g#67');
  });

  it('decodes packets, acks, nacks and Ctrl-C from a stream cut at every byte', () => {
    const stream = `+$g#67-\x03$m10000,4#${checksum('m10000,4').toString(16)}noise$OK#9a`;
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new PacketDecoder();
      const evs = [...d.push(stream.slice(0, cut)), ...d.push(stream.slice(cut))];
      expect(evs).toEqual([
        { kind: 'ack' },
        { kind: 'packet', payload: 'g' },
        { kind: 'nack' },
        { kind: 'interrupt' },
        { kind: 'packet', payload: 'm10000,4' },
        { kind: 'packet', payload: 'OK' },
      ]);
    }
  });

  it('reports a wrong or non-hex checksum, and recovers at the next packet', () => {
    const d = new PacketDecoder();
    expect(d.push('$g#00$g#zz$g#67')).toEqual([{ kind: 'bad-checksum' }, { kind: 'bad-checksum' }, { kind: 'packet', payload: 'g' }]);
  });

  it('drops an unfinished packet when a new one starts, and one longer than MAX_PACKET', () => {
    const d = new PacketDecoder();
    expect(d.push('$m10$g#67')).toEqual([{ kind: 'packet', payload: 'g' }]);
    const long = `$${'a'.repeat(MAX_PACKET + 1)}`;
    expect(d.push(long)).toEqual([{ kind: 'bad-checksum' }]);
    // The rest of the oversized packet is noise until the next `$`.
    expect(d.push('aaaa#00$g#67')).toEqual([{ kind: 'packet', payload: 'g' }]);
  });

  it('escapes $ # } * in binary data and undoes it', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const esc = escapeBinary(all);
    expect(esc).not.toMatch(/[$#*]/);
    expect(unescapeBinary(esc)).toBe(all);
    expect(escapeBinary('a$b#c}d*')).toBe('a}\x04b}\x03c}]d}\x0a');
    expect(unescapeBinary('ab}')).toBe('ab');
  });

  it('converts registers (8 bytes little-endian), hex numbers and text', () => {
    expect(regToHex(0x10078n)).toBe('7800010000000000');
    expect(regToHex(-1n)).toBe('ffffffffffffffff');
    expect(hexToReg('7800010000000000')).toBe(0x10078n);
    expect(hexToReg('78000100')).toBeNull();
    expect(parseHexNumber('7fffffffee20')).toBe(0x7fffffffee20);
    expect(parseHexNumber('ffffffffffffffff')).toBeNull(); // above 2^53: no user address
    expect(parseHexNumber('')).toBeNull();
    expect(parseHexNumber('12g')).toBeNull();
    expect(fromHex('0aff')).toEqual(new Uint8Array([10, 255]));
    expect(fromHex('0af')).toBeNull();
    expect(hexToText(textToHex('info tlb'))).toBe('info tlb');
  });
});
