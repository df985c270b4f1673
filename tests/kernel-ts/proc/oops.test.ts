// The oops in Linux's x86-64 shape (kernel-ts/proc/oops.ts): golden
// transcripts of the kernel log, line for line, for each kind of oops a
// module can cause. The module's frames are exact (offsets in its esbuild
// output); the kernel's frames are names alone here (vitest runs the kernel
// from its TypeScript sources, whose compiled text is not at hand).
//
// The modules reach vmlab/linux's real readq, writeq and BUG_ON (a namespace
// makeLinux built for a stand-in module) through a global `oopsTest`, as the
// module files of this test are the old KernelModule kind; WARN_ON and
// dump_stack are stand-ins calling this file's printers (warnReport,
// dumpStack), and writel throws the KernelPageFault the MMU gives for a
// write to a present read-only kernel page (vmlab maps none such).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '../../../kernel-ts/kernel';
import { LoadedModule } from '../../../kernel-ts/module/context';
import { makeLinux } from '../../../kernel-ts/module/linux';
import { KernelPageFault } from '../../../kernel-ts/module/linux/fault';
import { dumpStack, printTainted, warnReport } from '../../../kernel-ts/proc/oops';
import { PF_P, PF_W } from '../../../emu/machine/trap';
import { bootKernel, logLines } from './helpers';
import { catFile, insmod, moduleFile } from '../module/helpers';

const GOLDEN = join(__dirname, 'golden');

/** The golden file's lines; VMLAB_UPDATE_GOLDEN=1 writes `actual` there instead. */
function golden(name: string, actual: string[]): string[] {
  const path = join(GOLDEN, name);
  if (process.env.VMLAB_UPDATE_GOLDEN === '1') writeFileSync(path, `${actual.join('\n')}\n`);
  return readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
}

/** The kernel-side functions the test modules call (as `oopsTest.NAME`), bound to kernel k. */
function installAccessors(k: Kernel): void {
  const L = makeLinux({ kernel: k, module: new LoadedModule(k, { name: 'oopstest', init: () => 0 }, new Map(), 4096, false, 0xffffffffc0000000n) });
  (globalThis as Record<string, unknown>).oopsTest = {
    readq: L.readq,
    writeq: L.writeq,
    BUG_ON: L.BUG_ON,
    // A stand-in for writel on a page mapped read-only: the fault the MMU gives (P|W), as L.writel would throw it.
    writel(value: number, addr: bigint): void {
      void value;
      throw new KernelPageFault(addr, PF_P | PF_W, 'writel', false);
    },
    WARN_ON(cond: boolean): boolean {
      if (cond) warnReport(k, { file: 'drivers/misc/warnmod.c', line: 7, entry: 'WARN_ON' });
      return cond;
    },
    dump_stack(): void {
      dumpStack(k, 'dump_stack');
    },
  };
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>).oopsTest;
});

/** A module file: its name, functions (TypeScript) and init body; `oopsTest` is the accessors above. */
function moduleWith(name: string, fns: string, init: string): string {
  return moduleFile(`import type { KernelModule } from 'vmlab/module';
declare const oopsTest: {
  readq(addr: bigint): bigint;
  writeq(v: bigint, addr: bigint): void;
  BUG_ON(cond: boolean): void;
  writel(v: number, addr: bigint): void;
  WARN_ON(cond: boolean): boolean;
  dump_stack(): void;
};
${fns}
const mod: KernelModule = {
  name: ${JSON.stringify(name)},
  init(m) {
${init}
  },
};
export default mod;
`);
}

describe('oops: every kind in one boot, in Linux x86-64 shape', () => {
  it('page fault, NULL dereference, write to a present page, #GP, BUG_ON, WARN_ON, dump_stack, a thrown Error: counter, taint and registers', () => {
    const { k } = bootKernel();
    installAccessors(k);
    const n = logLines(k).length;
    // 1. A read of an unmapped vmalloc address from a helper the init calls.
    const pf = moduleWith('pfault', 'function pfault_peek(addr: bigint): bigint {\n  return oopsTest.readq(addr);\n}', '    m.printk(`value ${pfault_peek(0xffffc90000123000n)}`);\n    return 0;');
    expect(insmod(k, pf)).toEqual({ r: -14, err: ['Killed'] });
    // 2. A write through a NULL struct pointer (offset 8).
    const nul = moduleWith('nullw', 'function nullw_store(p: bigint): void {\n  oopsTest.writeq(1n, p + 8n);\n}', '    nullw_store(0n);\n    return 0;');
    expect(insmod(k, nul)).toEqual({ r: -14, err: ['Killed'] });
    // 3. A write to a present page the kernel maps read-only (the error code the MMU gives: P|W).
    const ro = moduleWith('rowrite', '', '    oopsTest.writel(0, 0xffff888000001000n);\n    return 0;');
    expect(insmod(k, ro)).toEqual({ r: -14, err: ['Killed'] });
    // 4. A non-canonical pointer (a list poison value).
    const gp = moduleWith('gpf', '', '    oopsTest.writeq(0n, 0xdead000000000100n);\n    return 0;');
    expect(insmod(k, gp)).toEqual({ r: -14, err: ['Killed'] });
    // 5. BUG_ON.
    const bug = moduleWith('bugmod', 'function bugmod_check(n: number): void {\n  oopsTest.BUG_ON(n > 3);\n}', '    bugmod_check(4);\n    return 0;');
    expect(insmod(k, bug)).toEqual({ r: -14, err: ['Killed'] });
    // 6. WARN_ON and dump_stack: logged, nobody killed, the module loads.
    const warn = moduleWith('warnmod', '', '    oopsTest.WARN_ON(true);\n    oopsTest.dump_stack();\n    return 0;');
    expect(insmod(k, warn)).toEqual({ r: 0, err: [] });
    // 7. A thrown Error in a /proc read: the reader (cat) is killed, the module stays.
    const thr = moduleWith('throwr', '', "    return typeof m.procCreate('throwr', { read: function throwr_read() { throw new TypeError('bad state'); } }) === 'number' ? -12 : 0;");
    expect(insmod(k, thr)).toEqual({ r: 0, err: [] });
    expect(catFile(k, '/proc/throwr')).toBe(-9);
    expect(logLines(k).slice(n)).toEqual(golden('oops-kinds.txt', logLines(k).slice(n)));
    // The kernel runs on: the modules that loaded are there and go away.
    expect(k.modules.names().sort()).toEqual(['throwr', 'warnmod']);
    expect(k.modules.rmmod('throwr')).toBe(0);
    expect(k.modules.rmmod('warnmod')).toBe(0);
    expect(k.die.count).toBe(6);
  });

  it('a soft lockup: the watchdog line with the threshold in seconds, the Call Trace from the loop, no Oops line or end marker, taint L after', () => {
    // Stopped at its 1001st API call: the SoftLockup's stack is the loop's.
    const { k } = bootKernel({ softLockupCalls: 1000 });
    const n = logLines(k).length;
    const spin = moduleWith('spin', 'function spin_forever(m: { current(): unknown }): number {\n  for (;;) m.current();\n}', '    return spin_forever(m);');
    expect(insmod(k, spin)).toEqual({ r: -14, err: ['Killed'] });
    // The next oops (here one of the kernel's own, outside any task, of a thrown string: no frames) shows the L taint.
    k.reportOops(null, 'test', 'after the lockup');
    expect(logLines(k).slice(n)).toEqual(golden('oops-softlockup.txt', logLines(k).slice(n)));
  });
});

describe('oops: 5-level paging', () => {
  it("the page-table line walks five levels: the PGD is a level of its own (not folded), and the vmemmap's 5-level base", () => {
    const { k } = bootKernel({ paging: 5 });
    installAccessors(k);
    const n = logLines(k).length;
    const pf = moduleWith('pf5', 'function pf5_peek(addr: bigint): bigint {\n  return oopsTest.readq(addr);\n}', '    return Number(pf5_peek(0xff11000000000000n + 0x40000000000n));');
    expect(insmod(k, pf)).toEqual({ r: -14, err: ['Killed'] });
    const lines = logLines(k).slice(n);
    const i = lines.indexOf('BUG: unable to handle page fault for address: ff11040000000000');
    expect(i).toBeGreaterThanOrEqual(0);
    // The direct map's PML5 entry is present, its P4D entry for +4 TiB (beyond the 64 MiB of RAM) is not.
    expect(lines[i + 3]).toMatch(/^PGD [0-9a-f]+ P4D 0 $/);
    expect(lines[i + 3]).not.toBe('PGD 0 P4D 0 ');
  });
});

describe('print_tainted', () => {
  it("prints Linux 6.1's 19 columns: G, then each flag's letter or a space", () => {
    expect(printTainted(0)).toBe('Not tainted');
    expect(printTainted(1 << 12)).toBe('Tainted: G           O      ');
    expect(printTainted((1 << 7) | (1 << 9) | (1 << 12) | (1 << 14))).toBe('Tainted: G      D W  O L    ');
    expect(printTainted(1)).toBe('Tainted: P                  ');
  });
});
