// vmlab's ELF files as the GNU tools and qemu see them, and GNU ld's files
// as vmlab's reader sees them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePeer } from '../support/peers';
import { vmlab } from '../support/cli';
import { writeElf } from '../../asm/elf-write';
import { readElf } from '../../asm/elf-read';
import { findLine } from '../../asm/dwarf-line';
import { helloImage, HELLO_EXIT, HELLO_STDOUT } from './elf-fixtures';
import { put, readelfDecodedLines, run, runClean, scratch } from './peer-tools';

describePeer('GNU binutils read vmlab ELF files', ['readelf', 'objdump'], () => {
  const dir = scratch();
  const image = helloImage('hello.s');
  const path = put(dir, 'hello.elf', writeElf(image));

  it('readelf -a -W prints no warning and shows the header, segments and symbols', () => {
    const out = runClean('readelf', ['-a', '-W', path]);
    expect(out).toMatch(/^\s+Type:\s+EXEC \(Executable file\)$/m);
    expect(out).toMatch(/^\s+Machine:\s+RISC-V$/m);
    expect(out).toMatch(/^\s+Flags:\s+0x0$/m);
    expect(out).toMatch(/^\s+Entry point address:\s+0x10000$/m);
    const loads = out.split('\n').filter((l) => /^\s+(LOAD|RISCV_ATTRIBUT)/.test(l)).map((l) => l.trim().split(/\s+/).join(' '));
    expect(loads).toEqual([
      expect.stringMatching(/^RISCV_ATTRIBUT 0x[0-9a-f]+ 0x0+ 0x0+ 0x000028 0x000000 R 0x1$/),
      'LOAD 0x001000 0x0000000000010000 0x0000000000010000 0x00010d 0x00010d R E 0x1000',
      'LOAD 0x002000 0x0000000000011000 0x0000000000011000 0x000001 0x000050 RW 0x1000',
    ]);
    expect(out).toMatch(/^\s+01\s+\.text \.rodata\s*$/m);
    expect(out).toMatch(/^\s+02\s+\.data \.bss\s*$/m);
    expect(out).toMatch(/^\s+5: 0000000000010000\s+72 FUNC\s+GLOBAL DEFAULT\s+1 _start$/m);
    expect(out).toMatch(/^\s+4: 000000000000000d\s+0 NOTYPE\s+LOCAL\s+DEFAULT\s+ABS MSG_LEN$/m);
    expect(out).toMatch(/Tag_RISCV_arch: "rv64i2p0_m2p0_zmmul1p0"/);
  });

  it('readelf decodes the DWARF (info, abbrev, raw and decoded lines) without a warning', () => {
    const out = runClean('readelf', ['--debug-dump=info,abbrev,rawline,decodedline', '-W', path]);
    expect(out).toMatch(/DW_AT_stmt_list\s+: \(sec_offset\) 0$/m);
    expect(out).toMatch(/DW_AT_low_pc\s+: \(addr\) 0x10000$/m);
    expect(out).toMatch(/DW_AT_high_pc\s+: \(data8\) 0x48$/m);
    expect(readelfDecodedLines(path)).toEqual([
      ...image.lines.map((l): [string, string, number] => [l.file, String(l.line), l.address]),
      ['hello.s', '-', 0x10048],
    ]);
  });

  it('objdump -dl shows the right file:line above each instruction', () => {
    const out = runClean('objdump', ['-dl', path]);
    let where = '';
    const seen = new Map<number, string>();
    for (const line of out.split('\n')) {
      const loc = /^(\S+):(\d+)$/.exec(line);
      if (loc) where = `${loc[1]}:${loc[2]}`;
      const insn = /^ +([0-9a-f]+):\t/.exec(line);
      if (insn) seen.set(parseInt(insn[1]!, 16), where);
    }
    expect(seen.size).toBe(image.lines.length);
    for (const l of image.lines) expect(seen.get(l.address), `0x${l.address.toString(16)}`).toBe(`${l.file}:${l.line}`);
  });

  it('objdump -d, -h and -t print no warning', () => {
    for (const flag of ['-d', '-h', '-t', '-x']) runClean('objdump', [flag, path]);
  });
});

describePeer('qemu-riscv64 runs vmlab ELF files', ['qemu'], () => {
  it('runs the hand-encoded hello program: stdout and exit status exact', () => {
    const dir = scratch();
    const path = put(dir, 'hello', writeElf(helloImage()), 0o755);
    const r = run('qemu', [path]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(HELLO_STDOUT);
    expect(r.status).toBe(HELLO_EXIT);
  });
});

describePeer('vmlab reads GNU ld and GCC output', ['as', 'ld', 'gcc', 'readelf'], () => {
  const dir = scratch();
  const src = put(dir, 'prog.s', [
    '.globl _start',
    '.text',
    '_start:',
    '  li a0, 1',
    '  la a1, msg',
    '  li a2, 6',
    '  li a7, 64',
    '  ecall',
    '  li a0, 3',
    '  li a7, 94',
    '  ecall',
    '.data',
    'msg: .ascii "hello\\n"',
    '.bss',
    'buf: .zero 100',
    '',
  ].join('\n'));

  it('reads an `as -g` + `ld` executable: segments, sections, symbols and lines agree with readelf', () => {
    runClean('as', ['-march=rv64im', '-mabi=lp64', '-g', '-o', join(dir, 'prog.o'), src]);
    runClean('ld', ['-o', join(dir, 'prog'), join(dir, 'prog.o')]);
    const r = readElf(readFileSync(join(dir, 'prog')));
    if (!r.ok) throw new Error(r.error);
    const { elf } = r;
    const sections = runClean('readelf', ['-SW', join(dir, 'prog')]).split('\n')
      .map((l) => /^\s+\[\s*\d+\]\s+(\S+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined && n !== 'Name');
    expect(elf.sections.slice(1).map((s) => s.name)).toEqual(sections.filter((n) => n !== 'NULL'));
    expect(elf.segments.map((s) => s.type)).toEqual([0x70000003, 1, 1]);
    expect(elf.symbols.find((s) => s.name === '_start')).toMatchObject({ binding: 'global', section: '.text', value: elf.header.entry });
    expect(elf.symbols.find((s) => s.name === 'buf')).toMatchObject({ binding: 'local', section: '.bss' });
    expect(elf.debugLine?.ok).toBe(true);
    if (!elf.debugLine?.ok) return;
    const ours = elf.debugLine.tables.flatMap((t) => t.rows.map((x): [string, string, number] => [x.file.split('/').pop()!, x.endSequence ? '-' : String(x.line), x.address]));
    expect(ours).toEqual(readelfDecodedLines(join(dir, 'prog')));
    expect(findLine(elf.debugLine.tables, elf.header.entry + 4)).toMatchObject({ file: join(dir, 'prog.s'), line: 5 });
  });

  it('decodes the DWARF 5 line table of `as --gdwarf-5` (directory and file tables in .debug_line_str)', () => {
    runClean('as', ['-march=rv64im', '-mabi=lp64', '--gdwarf-5', '-o', join(dir, 'prog5.o'), src]);
    runClean('ld', ['-o', join(dir, 'prog5'), join(dir, 'prog5.o')]);
    const r = readElf(readFileSync(join(dir, 'prog5')));
    if (!r.ok || !r.elf.debugLine?.ok) throw new Error(r.ok ? String(r.elf.debugLine) : r.error);
    const t = r.elf.debugLine.tables;
    expect(t.map((x) => x.version)).toEqual([5]);
    expect(t[0]!.files).toEqual([join(dir, 'prog.s'), join(dir, 'prog.s')]);
    const ours = t.flatMap((x) => x.rows.map((row): [string, string, number] => [row.file.split('/').pop()!, row.endSequence ? '-' : String(row.line), row.address]));
    expect(ours).toEqual(readelfDecodedLines(join(dir, 'prog5')));
  });

  /** A GCC-built rv64im program without libc, built once for the two tests below. */
  let sumPath: string | undefined;
  const buildSum = (): string => {
    if (sumPath) return sumPath;
    const c = put(dir, 'sum.c', [
      'static int sq(int x) { return x * x; }',
      'int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += sq(i); return s; }',
      'void _start(void) { volatile int r = sum(10); (void)r; for (;;); }',
      '',
    ].join('\n'));
    const out = join(dir, 'sum');
    runClean('gcc', ['-g', '-O1', '-march=rv64im', '-mabi=lp64', '-nostdlib', '-static', '-o', out, c], dir);
    sumPath = out;
    return out;
  };

  it('reads a GCC-built C program (DWARF 5 with views, PT_NOTE, PT_GNU_STACK) and agrees with readelf on its lines', () => {
    const out = buildSum();
    const r = readElf(readFileSync(out));
    if (!r.ok || !r.elf.debugLine?.ok) throw new Error(r.ok ? JSON.stringify(r.elf.debugLine) : r.error);
    expect(r.elf.segments.map((s) => s.type)).toContain(0x6474e551);
    const ours = r.elf.debugLine.tables.flatMap((x) => x.rows.map((row): [string, string, number] => [row.file.split('/').pop()!, row.endSequence ? '-' : String(row.line), row.address]));
    const theirs = readelfDecodedLines(out);
    expect(theirs.length).toBeGreaterThan(5);
    expect(ours).toEqual(theirs);
  });

  it('vmlab disasm agrees with objdump -d on the GCC-built rv64im program', () => {
    const out = buildSum();
    const ours = vmlab(['disasm', out]);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(runClean('objdump', ['-d', out]));
  });
});

describe('vmlab disasm on bad input', () => {
  it('exits 1 with one line naming the file and the reason', () => {
    const dir = scratch();
    const r1 = vmlab(['disasm', join(dir, 'missing.elf')]);
    expect([r1.status, r1.stdout, r1.stderr]).toEqual([1, '', `vmlab: ${join(dir, 'missing.elf')}: no such file\n`]);
    const text = put(dir, 'notes.txt', 'just text\n');
    const r2 = vmlab(['disasm', text]);
    expect([r2.status, r2.stderr]).toEqual([1, `vmlab: ${text}: not an ELF64 RISC-V executable: no ELF magic number (\\x7fELF) at the start\n`]);
    const cut = put(dir, 'cut.elf', writeElf(helloImage()).slice(0, 100));
    const r3 = vmlab(['disasm', cut]);
    expect(r3.status).toBe(1);
    expect(r3.stderr).toMatch(/^vmlab: .*cut\.elf: not an ELF64 RISC-V executable: [^\n]+\n$/);
    const r4 = vmlab(['disasm', dir]);
    expect([r4.status, r4.stderr]).toEqual([1, `vmlab: ${dir}: is a directory\n`]);
  });

  it('prints file:line above instructions with -l', () => {
    const dir = scratch();
    const path = put(dir, 'hello.elf', writeElf(helloImage('src/hello.s')));
    const r = vmlab(['disasm', '-l', path]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('   10000:'));
    expect(lines.slice(at - 1, at + 4)).toEqual([
      'src/hello.s:3',
      '   10000:\t00100513          \tli\ta0,1',
      'src/hello.s:4',
      '   10004:\t00000597          \tauipc\ta1,0x0',
      '   10008:\t0fc58593          \tadd\ta1,a1,252 # 10100 <msg>',
    ]);
  });
});
