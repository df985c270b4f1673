// Runs GNU as + ld on the same sources and places the sections where vmlab's
// image put them, so the bytes of both can be compared section by section.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { assemble } from '../../asm/assembler';
import type { SourceFile } from '../../asm/assembler';
import { formatDiagnostic } from '../../asm/diagnostics';
import type { LinkedImage } from '../../asm/image';
import { PEER_TOOLS } from '../support/peers';

export const AS_FLAGS = ['-march=rv64im', '-mabi=lp64', '-mno-relax'];

/** GNU's bytes for each of the image's progbits sections, linked at the image's addresses. */
export function gnuSections(files: SourceFile[], image: LinkedImage): Map<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-'));
  try {
    const objs = files.map((f, i) => {
      const s = join(dir, `f${i}.s`);
      const o = join(dir, `f${i}.o`);
      writeFileSync(s, f.text);
      execFileSync(PEER_TOOLS.as, [...AS_FLAGS, s, '-o', o], { stdio: ['ignore', 'ignore', 'pipe'] });
      return o;
    });
    // vmlab folds .text.*, .rodata*/.srodata*, .data*/.sdata*, .bss*/.sbss* into four sections: say the same to ld.
    const inputs: Record<string, string> = {
      '.text': '.text .text.*', '.rodata': '.rodata .rodata.* .srodata .srodata.*',
      '.data': '.data .data.* .sdata .sdata.*', '.bss': '.bss .bss.* .sbss .sbss.*',
    };
    const script = ['SECTIONS {', ...image.sections.map((s) => `  ${s.name} 0x${s.addr.toString(16)} : { *(${inputs[s.name]}) }`), '}'].join('\n');
    const lds = join(dir, 'link.ld');
    writeFileSync(lds, script);
    const exe = join(dir, 'a.out');
    execFileSync(PEER_TOOLS.ld, ['-T', lds, '-e', '_start', ...objs, '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = new Map<string, Uint8Array>();
    for (const s of image.sections) {
      if (s.kind !== 'progbits') continue;
      const bin = join(dir, `${s.name.slice(1)}.bin`);
      execFileSync('riscv64-linux-gnu-objcopy', ['-O', 'binary', '-j', s.name, exe, bin]);
      out.set(s.name, new Uint8Array(readFileSync(bin)));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when GNU as alone accepts `text` (warnings allowed). */
export function gnuAssembles(text: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-'));
  try {
    writeFileSync(join(dir, 't.s'), text);
    execFileSync(PEER_TOOLS.as, [...AS_FLAGS, join(dir, 't.s'), '-o', join(dir, 't.o')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles with vmlab (which must succeed). */
export function vmlabImage(files: SourceFile[]): LinkedImage {
  const r = assemble(files);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.image;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Expects every progbits section of vmlab's image to equal GNU's bytes; on a
 * mismatch the message names the first differing word and its source line.
 */
export function expectSameAsGnu(files: SourceFile[]): LinkedImage {
  const image = vmlabImage(files);
  const gnu = gnuSections(files, image);
  for (const s of image.sections) {
    if (s.kind !== 'progbits') continue;
    const g = gnu.get(s.name)!;
    if (hex(g) === hex(s.bytes)) continue;
    let i = 0;
    while (i < Math.min(g.length, s.bytes.length) && g[i] === s.bytes[i]) i++;
    const at = s.addr + (i & ~3);
    const row = image.lines.find((l) => l.address === at);
    const src = row ? files.find((f) => f.path === row.file)?.text.split('\n')[row.line - 1] : undefined;
    const word = (b: Uint8Array): string => hex(b.subarray(i & ~3, (i & ~3) + 4));
    expect.fail(`${s.name} differs at 0x${at.toString(16)} (size vmlab ${s.bytes.length}, gnu ${g.length}): `
      + `vmlab ${word(s.bytes)} gnu ${word(g)}${row ? ` from ${row.file}:${row.line}: ${src}` : ''}`);
  }
  return image;
}

/** One source file from lines, with `_start` made global. */
export const file = (path: string, lines: string[]): SourceFile => ({ path, text: ['.text', '.globl _start', ...lines, ''].join('\n') });
