// Programs vmlab cannot run say so (issue 14, item 5): an ELF whose e_flags
// announce the C extension or a hardware floating-point ABI gets one line on
// stderr before it runs, and then stops where an RV64IM hart without C would:
// SIGILL at its first compressed instruction, or SIGBUS (BUS_ADRALN, riscv's
// log line) at a jump to a 2-byte boundary. The ELFs are vmlab asm's with
// e_flags patched, so this needs no cross compiler; the peer test below runs
// what riscv64-linux-gnu-gcc builds by default (glibc, RV64GC).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsupportedIsaNotice } from '../../../emu/cli/elf-notice';
import { vmlab } from '../../support/cli';
import { describePeer, PEER_TOOLS } from '../../support/peers';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-elf-notice-'));
const E_FLAGS = 48;

/** vmlab asm's ELF of `src` with e_flags set to `flags`. */
function elfWithFlags(name: string, src: string, flags: number): string {
  const s = join(dir, `${name}.s`);
  const out = join(dir, name);
  writeFileSync(s, src);
  const r = vmlab(['asm', s, '-o', out]);
  if (r.status !== 0) throw new Error(r.stderr);
  const bytes = readFileSync(out);
  bytes.writeUInt32LE(flags, E_FLAGS);
  writeFileSync(out, bytes);
  return out;
}

const NOTICE = (name: string, flags: string): string =>
  `vmlab: ${name}: e_flags ${flags}: built for more than vmlab's RV64IM guest (no C, F or D extension), ` +
  'so it stops at the first instruction that needs them (SIGILL) or at a jump to a 2-byte boundary (SIGBUS); build it with `vmlab cc` (docs/guest-libc.md)\n';

describe('the e_flags notice', () => {
  it('names the bits readelf names, and says nothing for lp64 without RVC', () => {
    const elf = (flags: number): Uint8Array => {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint32(E_FLAGS, flags, true);
      return b;
    };
    expect(unsupportedIsaNotice('p', elf(0))).toBeNull();
    expect(unsupportedIsaNotice('p', elf(0x5))).toContain('e_flags 0x5 (RVC, double-float ABI)');
    expect(unsupportedIsaNotice('p', elf(0x1))).toContain('e_flags 0x1 (RVC)');
    expect(unsupportedIsaNotice('p', elf(0x2))).toContain('e_flags 0x2 (single-float ABI)');
    expect(unsupportedIsaNotice('p', elf(0x10))).toBeNull(); // TSO alone: nothing vmlab lacks
  });

  it('is printed before the program runs; its first compressed instruction is SIGILL (status 132), with the traps: line', () => {
    const p = elfWithFlags('rvc', '        .globl _start\n_start:\n        li a0, 1\n        .2byte 0x4505\n        .2byte 0x0001\n', 0x5);
    const r = vmlab(['run', '--dmesg', p]);
    expect(r.status).toBe(132);
    const [first, ...dmesg] = r.stderr.split(/(?<=\n)/);
    expect(first).toBe(NOTICE('rvc', '0x5 (RVC, double-float ABI)'));
    expect(dmesg.join('')).toContain('traps: rvc[1] trap invalid opcode ip:10004 sp:');
  });

  it('a jump to a 2-byte boundary is SIGBUS (status 135) with riscv Linux\'s unhandled-signal line, at the jump', () => {
    const p = elfWithFlags('jump2', '        .globl _start\n_start:\n        la t0, there\n        jr 2(t0)\nthere:  .word 0\n        .word 0\n', 0x1);
    const r = vmlab(['run', '--dmesg', p]);
    expect(r.status).toBe(135);
    const [first, ...dmesg] = r.stderr.split(/(?<=\n)/);
    expect(first).toBe(NOTICE('jump2', '0x1 (RVC)'));
    expect(dmesg.join('')).toContain('jump2[1]: unhandled signal 7 code 0x1 at 0x0000000000010008 in jump2[10000+1000]');
  });
});

describePeer('what riscv64-linux-gnu-gcc builds by default', ['gcc', 'glibc'], () => {
  it('gets the notice, then SIGBUS at _start\'s jump to a 2-byte-aligned load_gp', () => {
    const src = join(dir, 'hello.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
    const out = join(dir, 'hello-glibc');
    execFileSync(PEER_TOOLS.gcc, ['-static', '-O2', src, '-o', out]);
    const r = vmlab(['run', '--dmesg', out]);
    const [first, ...dmesg] = r.stderr.split(/(?<=\n)/);
    expect(first).toBe(NOTICE('hello-glibc', '0x5 (RVC, double-float ABI)'));
    expect(r.status).toBe(135);
    expect(dmesg.join('')).toMatch(/hello-glibc\[1\]: unhandled signal 7 code 0x1 at 0x[0-9a-f]{16} in hello-glibc\[10000\+[0-9a-f]+\]/);
  });
});
