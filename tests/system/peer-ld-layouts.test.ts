// Peer tier: the ld layouts a newcomer meets (the default, -Ttext=ADDR from
// RISC-V tutorials, -Ttext-segment, -N, -n). The C programs of
// guest-programs/tests/c, linked each way by riscv64-linux-gnu-gcc, print and
// exit under vmlab as under qemu-riscv64, with --mmap-min-addr where a
// layout puts a PT_LOAD below vm.mmap_min_addr's default (65536; which one,
// and the address, readelf says). Without the flag `vmlab run` refuses such a
// program in one line naming the segment, its address, the limit and the
// remedies. Also: the debugger's `catch pagefault` on a GNU-linked program
// touching its low page (a golden transcript), and the doc examples of
// docs/run.md and docs/shell.md, run as the documents show them.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { VMLAB, vmlab } from '../support/cli';
import { GUEST_TESTS, guestElf, runGuest } from '../support/kernel';

const C_DIR = join(GUEST_TESTS, 'c');
const C_PROGRAMS = ['hello', 'heap', 'bigmap', 'forks', 'sieve', 'devices', 'ehdr'];
const GUEST_ARGS = ['first', 'second arg'];
const STDIN = 'some input\n';
const CFLAGS = ['-march=rv64im', '-mabi=lp64', '-O2'];
const LDFLAGS = ['-march=rv64im', '-mabi=lp64', '-static', '-nostdlib'];
const PAGE = 4096;
const DEFAULT_MIN = 65536;

interface Layout {
  name: string;
  /** gcc link flags. -Ttext needs --build-id=none: ld would put the build-id note over .text. */
  flags: string[];
}

const LAYOUTS: Layout[] = [
  { name: 'default', flags: [] },
  { name: 'Ttext-0x10000', flags: ['-Wl,--build-id=none,-Ttext=0x10000'] },
  { name: 'Ttext-0x20000', flags: ['-Wl,--build-id=none,-Ttext=0x20000'] },
  { name: 'Ttext-0x1000', flags: ['-Wl,--build-id=none,-Ttext=0x1000'] },
  { name: 'Ttext-0', flags: ['-Wl,--build-id=none,-Ttext=0'] },
  { name: 'Ttext-segment-0x10000', flags: ['-Wl,-Ttext-segment=0x10000'] },
  { name: 'Ttext-segment-0x1000', flags: ['-Wl,-Ttext-segment=0x1000'] },
  { name: 'N', flags: ['-Wl,-N'] },
  { name: 'n', flags: ['-Wl,-n'] },
];

interface Outcome {
  stdout: string;
  exitCode: number | null;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function underQemu(path: string, args: string[]): Outcome {
  const r = spawnSync(PEER_TOOLS.qemu, [path, ...args], { input: STDIN, encoding: 'utf8', timeout: 60_000 });
  const sig = r.signal ? constants.signals[r.signal] : undefined;
  return { stdout: r.stdout, exitCode: sig !== undefined ? 128 + sig : r.status };
}

/** The first PT_LOAD (with memory) whose page lies below `min`, by readelf -lW: its index in the program headers and p_vaddr. */
function lowLoad(path: string, min: number): { index: number; vaddr: number } | null {
  const rows = run(PEER_TOOLS.readelf, ['-lW', path]).split('\n').filter((l) => /^\s+[A-Z_]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+/.test(l));
  for (let i = 0; i < rows.length; i++) {
    const f = rows[i]!.trim().split(/\s+/);
    const vaddr = parseInt(f[2]!, 16);
    if (f[0] === 'LOAD' && parseInt(f[5]!, 16) > 0 && vaddr - (vaddr % PAGE) < min) return { index: i, vaddr };
  }
  return null;
}

/** The limit that lets a segment at vaddr load: 4096 (the NULL page stays unmapped), or 0 for one in page 0. */
const limitFor = (vaddr: number): number => (vaddr >= PAGE ? PAGE : 0);

describePeer('GNU ld layouts: C programs under vmlab as under qemu-riscv64 (--mmap-min-addr where needed)', ['gcc', 'qemu', 'readelf'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-ld-'));
  beforeAll(() => {
    for (const p of ['rt', ...C_PROGRAMS]) run(PEER_TOOLS.gcc, [...CFLAGS, `-I${C_DIR}`, '-c', join(C_DIR, `${p}.c`), '-o', join(dir, `${p}.o`)]);
    for (const l of LAYOUTS) {
      mkdirSync(join(dir, l.name));
      for (const p of C_PROGRAMS)
        run(PEER_TOOLS.gcc, [...LDFLAGS, join(dir, 'rt.o'), join(dir, `${p}.o`), ...l.flags, '-o', join(dir, l.name, p)]);
    }
  });

  for (const l of LAYOUTS) {
    it(`${l.name}: every program prints and exits as under qemu-riscv64`, () => {
      const low = lowLoad(join(dir, l.name, 'hello'), DEFAULT_MIN);
      const mmapMinAddr = low === null ? undefined : limitFor(low.vaddr);
      for (const p of C_PROGRAMS) {
        const path = join(dir, l.name, p);
        expect(lowLoad(path, DEFAULT_MIN)?.vaddr, `${p}: the same low segment as hello`).toBe(low?.vaddr);
        let q = underQemu(path, GUEST_ARGS);
        // qemu-riscv64 (7.2) cannot grow a brk that starts below 0x10000: it
        // reserves the space after the image and its brk(2) then fails, so
        // heap.c's first step fails. Linux, with vm.mmap_min_addr lowered so
        // that the program loads at all, grows it; vmlab does too. What
        // Linux prints is what heap prints in the default layout.
        if (p === 'heap' && q.stdout.startsWith('FAIL brk grows by 1 MiB: got 0,')) q = underQemu(join(dir, 'default', p), GUEST_ARGS);
        const r = runGuest(guestElf(path, p), { args: GUEST_ARGS, stdin: STDIN, kernel: { mmapMinAddr } });
        expect({ stdout: r.stdout, exitCode: r.exitCode }, `${l.name}/${p}`).toEqual(q);
        expect(q.stdout, `${l.name}/${p}`).not.toContain('FAIL');
      }
    });

    it(`${l.name}: through the CLI, refused in one line without the flag when a segment is low, as qemu with it`, () => {
      const path = join(dir, l.name, 'hello');
      const q = underQemu(path, GUEST_ARGS);
      const low = lowLoad(path, DEFAULT_MIN);
      if (low === null) {
        expect(vmlab(['run', path, '--', ...GUEST_ARGS])).toEqual({ status: q.exitCode, stdout: q.stdout, stderr: '' });
        return;
      }
      const seg = String(low.index).padStart(2, '0');
      const limit = limitFor(low.vaddr);
      expect(vmlab(['run', path, '--', ...GUEST_ARGS])).toEqual({
        status: 1,
        stdout: '',
        stderr:
          `vmlab: ${path}: cannot execute (EPERM): segment ${seg} (LOAD at 0x${low.vaddr.toString(16)}) is below vm.mmap_min_addr (65536): ` +
          `link without -Ttext or above 0x10000, or set vm.mmap_min_addr to ${limit} (--mmap-min-addr ${limit})\n`,
      });
      expect(vmlab(['run', '--mmap-min-addr', String(limit), path, '--', ...GUEST_ARGS])).toEqual({ status: q.exitCode, stdout: q.stdout, stderr: '' });
    });
  }

  it('-Ttext=0x10000 is the tutorials\' layout: the ELF header in a PT_LOAD at 0xf000', () => {
    expect(lowLoad(join(dir, 'Ttext-0x10000', 'hello'), DEFAULT_MIN)).toEqual({ index: 1, vaddr: 0xf000 });
    expect(underQemu(join(dir, 'Ttext-0x10000', 'ehdr'), []).stdout).toMatch(/^ELF header at 0xf000\n/);
  });

  it('-N with -Ttext=0x10000 (file offset and address out of step) runs under neither', () => {
    const path = join(dir, 'N-Ttext');
    run(PEER_TOOLS.gcc, [...LDFLAGS, join(dir, 'rt.o'), join(dir, 'hello.o'), '-Wl,--build-id=none,-N,-Ttext=0x10000', '-o', path]);
    const q = underQemu(path, []);
    expect(q.stdout).toBe('');
    expect(q.exitCode).not.toBe(0);
    for (const extra of [[], ['--mmap-min-addr', '0']])
      expect(vmlab(['run', ...extra, path])).toEqual({ status: 1, stdout: '', stderr: `vmlab: ${path}: cannot execute (EINVAL)\n` });
  });
});

describePeer('GNU ld -Ttext=0x10000 under the debugger: catch pagefault at the low page', ['as', 'ld', 'qemu', 'readelf'], () => {
  it('faults at 0xf001, maps the page from the file, and runs as under qemu (golden transcript)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-ehdr-'));
    run(PEER_TOOLS.as, ['-march=rv64im', '-mabi=lp64', join(GUEST_TESTS, 'gnu-ehdr.s'), '-o', join(dir, 'ehdr.o')]);
    run(PEER_TOOLS.ld, ['-Ttext=0x10000', join(dir, 'ehdr.o'), '-o', join(dir, 'ehdr')]);
    const q = underQemu(join(dir, 'ehdr'), []);
    expect(q).toEqual({ stdout: 'the ELF header is mapped: magic ELF\n', exitCode: 0 });
    const low = lowLoad(join(dir, 'ehdr'), DEFAULT_MIN);
    expect(low?.vaddr).toBe(0xf000);
    // The first stop is the fetch of the entry (its page is not mapped yet), the very first instruction; the second the read of 0xf001.
    writeFileSync(join(dir, 'script.gdb'), ['info maps', 'catch pagefault', 'continue', 'continue', 'stepi', 'x/4xb 0xf000', 'pt 0xf000', 'info faults', 'continue', ''].join('\n'));
    const r = vmlab(['debug', '--no-aslr', '--mmap-min-addr', '4096', '-x', 'script.gdb', '--batch', 'ehdr'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(q.stdout);
    await expect(r.stdout).toMatchFileSnapshot('golden/gnu-ehdr.debug.txt');
    // Without the flag the debugger cannot start it, and says why.
    expect(vmlab(['debug', '--batch', 'ehdr'], { cwd: dir }).stderr).toBe(
      `vmlab: ehdr: cannot execute (EPERM): segment 0${low!.index} (LOAD at 0xf000) is below vm.mmap_min_addr (65536): ` +
        'link without -Ttext or above 0x10000, or set vm.mmap_min_addr to 4096 (--mmap-min-addr 4096)\n',
    );
  });
});

/** The block after `<!-- marker -->` in a doc. */
function docBlock(doc: string, marker: string): string {
  const text = readFileSync(join(process.cwd(), 'docs', doc), 'utf8');
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`docs/${doc}: no block after <!-- ${marker} -->`);
  return m[1]!;
}

/**
 * Runs each `$ COMMAND` line of a doc block with bash in `dir` (where
 * `vmlab` is the built CLI) and returns the transcript the block should
 * be: each command, then its stdout and stderr as a terminal shows them.
 */
function replay(block: string, dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'vmlab'), `#!/bin/sh\nexec "${process.execPath}" "${VMLAB}" "$@"\n`);
  chmodSync(join(bin, 'vmlab'), 0o755);
  let out = '';
  for (const cmd of block.split('\n').filter((l) => l.startsWith('$ ')).map((l) => l.slice(2))) {
    const r = spawnSync('bash', ['-c', `exec 2>&1; ${cmd}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' } });
    out += `$ ${cmd}\n${r.stdout}`;
  }
  return out;
}

describePeer('docs: the -Ttext=0x10000 examples of docs/run.md and docs/shell.md', ['gcc'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-docs-'));
  beforeAll(() => {
    for (const f of ['rt.c', 'rt.h', 'hello.c']) copyFileSync(join(C_DIR, f), join(dir, f));
    // docs/shell.md uses the hello of docs/run.md's first command.
    run(PEER_TOOLS.gcc, [...LDFLAGS, '-O2', '-Wl,-Ttext=0x10000,--build-id=none', 'rt.c', 'hello.c', '-o', 'hello'], dir);
  });

  it('docs/run.md shows what vmlab run prints', () => {
    const block = docBlock('run.md', 'mmap-min-addr-run');
    expect(replay(block, dir)).toBe(block);
  });

  it('docs/shell.md shows what vmlab shell prints', () => {
    const block = docBlock('shell.md', 'mmap-min-addr-shell');
    expect(replay(block, dir)).toBe(block);
  });
});
