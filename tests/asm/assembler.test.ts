// What the assembler produces: layout, symbols, line rows, local labels,
// .set semantics, and the single-line encoder.
import { describe, expect, it } from 'vitest';
import { assemble, encodeLine } from '../../asm/assembler';
import type { SourceFile } from '../../asm/assembler';
import type { LinkedImage } from '../../asm/image';

function image(files: SourceFile[] | string, opts = {}): LinkedImage {
  const r = assemble(typeof files === 'string' ? [{ path: 't.s', text: files }] : files, opts);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n'));
  return r.image;
}

const words = (img: LinkedImage): number[] => {
  const t = img.sections.find((s) => s.name === '.text')!;
  const dv = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  return Array.from({ length: t.size >> 2 }, (_, i) => dv.getUint32(i * 4, true));
};

describe('asm layout', () => {
  it('puts .text at 0x10000, .rodata after it, .data on the next page, .bss after .data', () => {
    const img = image('.globl _start\n_start: nop\nnop\n.rodata\n.byte 1,2,3\n.data\n.byte 4\n.bss\n.p2align 3\nb: .zero 16\n');
    expect(img.sections.map((s) => [s.name, s.kind, s.perms, s.addr, s.size, s.align])).toEqual([
      ['.text', 'progbits', 'rx', 0x10000, 8, 4],
      ['.rodata', 'progbits', 'rx', 0x10008, 3, 1],
      ['.data', 'progbits', 'rw', 0x11000, 1, 1],
      ['.bss', 'nobits', 'rw', 0x11008, 16, 8],
    ]);
    expect(img.sections[3]!.bytes.length).toBe(0);
    expect(img.entry).toBe(0x10000);
  });

  it('starts .bss on a new page when there is no .data, and honours textBase', () => {
    const img = image('_start: nop\n.bss\nbuf: .zero 4\n', { textBase: 0x400000 });
    expect(img.sections.map((s) => [s.name, s.addr])).toEqual([['.text', 0x400000], ['.bss', 0x401000]]);
  });

  it('maps .text.*, .srodata*, .sdata* and .sbss* onto the four sections', () => {
    const img = image('.section .text.startup\n_start: nop\n.section .srodata.x\n.byte 1\n.section .sdata,"aw"\n.byte 2\n.section .sbss\n.zero 1\n');
    expect(img.sections.map((s) => [s.name, s.size])).toEqual([['.text', 4], ['.rodata', 1], ['.data', 1], ['.bss', 1]]);
  });

  it('places each file\'s chunk at its own alignment, in file order', () => {
    const img = image([
      { path: 'a.s', text: '.globl _start\n_start: nop\n.data\nda: .byte 1\n' },
      { path: 'b.s', text: '.p2align 4\nfb: nop\n.data\n.p2align 3\ndb: .byte 2\n' },
    ]);
    const sym = (n: string): number => img.symbols.find((s) => s.name === n)!.value;
    expect([sym('_start'), sym('fb'), sym('da'), sym('db')]).toEqual([0x10000, 0x10010, 0x11000, 0x11008]);
    // a.s's nop, a zero gap (as GNU ld leaves it), then b.s's nop padded with nops to its 16-byte alignment (as gas does).
    expect(words(img)).toEqual([0x13, 0, 0, 0, 0x13, 0x13, 0x13, 0x13]);
  });
});

describe('asm symbols and lines', () => {
  it('lists symbols with binding, type, size and section; hides .L and numeric labels', () => {
    const img = image('.globl _start\n.type _start, @function\n_start: nop\n1: nop\n.Lx: j 1b\n.size _start, . - _start\n.equ K, 42\n.data\n.type obj, %object\nobj: .word 1\n.size obj, 4\n');
    expect(img.symbols).toEqual([
      { name: '_start', value: 0x10000, size: 12, section: '.text', binding: 'global', type: 'func' },
      { name: 'K', value: 42, size: 0, section: null, binding: 'local', type: 'notype' },
      { name: 'obj', value: 0x11000, size: 4, section: '.data', binding: 'local', type: 'object' },
    ]);
  });

  it('gives every instruction of a pseudo-expansion the row of its source line', () => {
    const img = image('_start:\n  li a0, 0x123456789\n  call f\nf:\tret\n');
    expect(img.lines.map((l) => [l.address - 0x10000, l.line, l.col])).toEqual([
      [0, 2, 3], [4, 2, 3], [8, 2, 3], [12, 2, 3], [16, 3, 3], [20, 3, 3], [24, 4, 4],
    ]);
    expect(new Set(img.lines.map((l) => l.file))).toEqual(new Set(['t.s']));
  });

  it('records rows of included files under the included path', () => {
    const img = image([{ path: 'src/m.s', text: '_start: nop\n.include "inc.s"\nnop\n' }], {
      readFile: (p: string) => {
        if (p !== 'src/inc.s') throw new Error('ENOENT');
        return 'addi a0, a0, 1\n';
      },
    });
    expect(img.lines.map((l) => [l.file, l.line])).toEqual([['src/m.s', 1], ['src/inc.s', 1], ['src/m.s', 3]]);
  });

  it('resolves numeric local labels to the nearest definition in each direction', () => {
    const img = image('_start:\n1: j 1f\n1: j 1b\nj 1b\n1: j 1b\n');
    // jal x0 offsets: +4, 0, -4, 0
    expect(words(img)).toEqual([0x0040006f, 0x0000006f, 0xffdff06f, 0x0000006f]);
  });

  it('binds each use of a .set symbol to the definition in force at that point', () => {
    const img = image('_start:\n.set v, 1\nli a0, v\n.set v, 2\nli a0, v\n.set w, l1\nla a1, w\n.set w, l2\nla a1, w\nl1: nop\nl2: nop\n');
    const w = words(img);
    expect(w[0]).toBe(0x00100513); // addi a0, zero, 1
    expect(w[1]).toBe(0x00200513); // addi a0, zero, 2
    expect((w[3]! >>> 20)).toBe(0x18 - 0x8); // la a1, l1 from the auipc at 0x8: +16
    expect((w[5]! >>> 20)).toBe(0x1c - 0x10); // la a1, l2 from the auipc at 0x10: +12
  });

  it('evaluates forward .equ at link time', () => {
    const img = image('_start: lui a0, %hi(N)\n.data\n.dword N, end - start\nstart: .zero 5\nend:\n.equ N, 0x12345000\n');
    expect(words(img)).toEqual([0x12345537]);
    const d = img.sections.find((s) => s.name === '.data')!;
    expect(Buffer.from(d.bytes.subarray(0, 16)).toString('hex')).toBe('0050341200000000' + '0500000000000000');
  });
});

describe('encodeLine', () => {
  it('encodes one instruction or pseudo-instruction at a pc', () => {
    expect(encodeLine('addi a0, a0, 1', 0x10000)).toEqual([0x00150513]);
    expect(encodeLine('j .+8', 0x1000)).toEqual([0x0080006f]);
    expect(encodeLine('li a0, 0x80000000', 0)).toEqual([0x0010051b, 0x01f51513]);
    expect(encodeLine('fence', 0)).toEqual([0x0ff0000f]);
  });

  it('returns the first diagnostic for a bad line', () => {
    const d = encodeLine('addi a0, a0, 4096', 0);
    expect(Array.isArray(d)).toBe(false);
    if (!Array.isArray(d)) expect([d.line, d.col, d.message]).toEqual([1, 14, 'immediate out of range: 4096 is not in -2048..2047']);
  });
});
