// The mmapper experiment (guest-programs/experiments/mmapper.vmsh,
// docs/experiments/mmapper.md): the transcript against a golden copy with
// addresses and times masked, and the lab's observations asserted exactly.
// Regenerate the golden copy with: npx vitest run tests/experiments/mmapper.test.ts -u
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { commands } from './transcript';

const SCRIPT = join(process.cwd(), 'guest-programs', 'experiments', 'mmapper.vmsh');
const PAGES = 4;

/** Times, addresses, frame numbers and decimal addresses masked. */
function mask(text: string): string {
  return text
    .replace(/^\[\s*\d+\.\d+\]/gm, '[    T]')
    .replace(/\b(0x)?[0-9a-f]{9,16}\b/g, (h) => {
      const digits = h.replace(/^0x/, '');
      const keep = digits.startsWith('ffff') ? 7 : 0;
      return (h.startsWith('0x') ? '0x' : '') + digits.slice(0, keep) + 'X'.repeat(digits.length - keep);
    })
    // Frames, and whether vmalloc's happen to be consecutive, depend on what was allocated before.
    .replace(/^( {2}pfns:.*)$/gm, (l) => l.replace(/0x[0-9a-f]+/g, '0xPFN').replace(/\((not )?contiguous\)$/, '(...)'))
    .replace(/(pfn |= )0x[0-9a-f]+/g, '$10xPFN')
    .replace(/physical Address 0x[0-9a-f]+/g, 'physical Address 0xPA')
    .replace(/\barg: \d{6,}/g, 'arg: ADDR')
    .replace(/^\[(\d+)\] \d+$/gm, '[$1] PID');
}

const log = (out: string): string[] => out.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
const hexes = (s: string): number[] => [...s.matchAll(/0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));

describe('mmapper experiment (vmlab shell mmapper.vmsh)', () => {
  const r = vmlab(['shell', SCRIPT]);
  const cmds = commands(r.stdout);
  const test = cmds.find((c) => c.cmd === 'mmapper-test')!.out;
  const dmesgs = cmds.filter((c) => c.cmd === 'dmesg -c').map((c) => log(c.out));
  const [initLog, testLog, holdLog] = dmesgs as [string[], string[], string[]];
  const pfns = [...test.matchAll(/^ {2}pfns:(.*) \((?:not )?contiguous\)$/gm)].map((m) => hexes(m[1]!));

  it('runs to the end, and the transcript matches the golden copy (addresses masked)', async () => {
    const errs = r.stderr.split('\n').filter((l) => l !== '' && !/^vmlab shell: \S+\.s not installed: /.test(l));
    expect(errs).toEqual(['rmmod: ERROR: Module mmapper is in use']);
    expect(r.status).toBe(0);
    await expect(mask(r.stdout)).toMatchFileSnapshot('mmapper.golden.txt');
  });

  it('the program sees what the kernel wrote, in every mode, and passes all its checks', () => {
    expect(test).toMatch(/all checks passed\n$/);
    expect(test.match(/^ {2}pattern: ok$/gm)).toHaveLength(3);
    expect(test).toContain("  mmap: '01234567890123456789012345678901'\n"); // kmalloc: '0' + i % 10
    expect(test.match(/^ {2}mmap: 'abcdefghijklmnopqrstuvwxyzabcdef'$/gm)).toHaveLength(2); // vmalloc: 'a' + i % 26
  });

  it('mode 1 maps the kmalloc buffer\'s frames: contiguous, from the pfn remap_pfn_range was given', () => {
    expect(pfns).toHaveLength(3);
    const first = pfns[0]![0]!;
    expect(pfns[0]).toEqual(Array.from({ length: PAGES }, (_, i) => first + i));
    const remap = testLog.find((l) => l.startsWith('mmap_kmalloc: remap_pfn_range('))!;
    expect(remap).toMatch(/, pfn 0x[0-9a-f]+, 16384\) = 0$/);
    expect(hexes(remap)[1]).toBe(first);
    // virt_to_phys(kmalloc_area) >> PAGE_SHIFT, as logged at insmod.
    const area = initLog.find((l) => l.startsWith('kmalloc_area :'))!;
    expect(Number(BigInt(`0x${/physical Address 0x([0-9a-f]+)/.exec(area)![1]}`) >> 12n)).toBe(first);
  });

  it('modes 2 and 3 map the vmalloc buffer: the frames vmalloc_to_pfn names, page by page (contiguous or not)', () => {
    const named = testLog.filter((l) => l.startsWith('mmap_vmalloc: vmalloc_to_pfn(')).map((l) => hexes(l)[1]!);
    expect(named).toHaveLength(PAGES);
    expect(pfns[1]).toEqual(named);
    expect(pfns[2]).toEqual(named);
  });

  it('mode 3: nothing mapped at mmap; one fault per page touched, each logged by the driver', () => {
    expect(test).toContain('  faults before touching: 0\n  faults after reading page 0: 1\n');
    expect(test).toContain(`  faults after reading every page: ${PAGES}\n`);
    const mode3 = testLog.slice(testLog.indexOf('In mmapper ioctl cmd:0x6d01 - arg: 3'));
    const faults = mode3.slice(0, mode3.indexOf('In mmapper ioctl cmd:0x6d01 - arg: 3', 1)).filter((l) => l.startsWith('In vmalloc fault for addr '));
    expect(faults).toHaveLength(PAGES);
    // The kernel address of each page, in order: vm_pgoff carries vmalloc_ptr >> PAGE_SHIFT.
    const vptr = BigInt(/0x([0-9a-f]+)/.exec(initLog.find((l) => l.startsWith('vmalloc_ptr at '))!)![0]);
    expect(faults.map((l) => BigInt(`0x${l.slice('In vmalloc fault for addr '.length)}`))).toEqual(Array.from({ length: PAGES }, (_, i) => vptr + BigInt(i * 4096)));
  });

  it('put_user into a mapped page not yet faulted in: the fault is handled inside put_user and the byte arrives', () => {
    expect(test).toMatch(/into the mode-3 mapping, not faulted in \(0x[0-9a-f]+\): ret 0\n {2}faults after put_user: 1\n {2}mmap: 'Xbcdefghijklmnopqrstuvwxyzabcdef'\n/);
    const i = testLog.findIndex((l) => l.startsWith('Testing fault handler: 0x'));
    expect(testLog.slice(i + 1, i + 4).map((l) => l.replace(/[0-9a-f]{16}/g, 'ADDR').replace(/pfn 0x[0-9a-f]+/, 'pfn N'))).toEqual([
      'In vmalloc fault for addr ADDR',
      'returning page ADDR (pfn N)',
      'Testing fault handler: Ret is 0',
    ]);
    expect(test).toMatch(/into an anonymous page never touched \(0x[0-9a-f]+\): ret 0, value 'X'\n/);
  });

  it('put_user into an unmapped or a kernel address is -EFAULT, and the kernel keeps running', () => {
    expect(test).toMatch(/into an unmapped address \(0x[0-9a-f]+\): ret -1, errno 14 \(Bad address\)\n/);
    expect(test).toContain('into a kernel address (0xffff888000000000): ret -1, errno 14 (Bad address)\n');
    expect(testLog.filter((l) => l === 'Testing fault handler: Ret is -14')).toHaveLength(2);
    expect(testLog.some((l) => /BUG|Oops/.test(l))).toBe(false);
    // Alive: the commands after it run, the module is used and unloaded.
    expect(holdLog.at(-1)).toBe('mmapper: unloaded');
  });

  it('rmmod is refused while a process has the device mapped, and works once it is gone', () => {
    const rmmods = cmds.filter((c) => c.cmd === 'rmmod mmapper');
    expect(rmmods).toHaveLength(2);
    const lsmods = cmds.filter((c) => c.cmd === 'lsmod').map((c) => c.out);
    expect(lsmods[1]).toMatch(/^mmapper\s+\d+\s+[1-9]\d*$/m);
    expect(lsmods[2]).toBe('Module                  Size  Used by\n');
  });
});
