// The device labs of `vmlab lab check` (lab.ts): the mmap drivers (mmapper)
// and CS614's VMA surgery (btplus). Their test programs check themselves
// (mmapper-test's `all checks passed`, btplus-part*'s PASS/FAIL lines); the
// checks here group what they print by the skeleton's exercises.
import { allLoaded, check, loadCheck, notRun, outputOf, quote } from './lab-support';
import type { Lab } from './lab-support';

// ---- mmapper -------------------------------------------------------------------

const EX_KMALLOC = 'EXERCISE 1 in mmapper.ts: mmap_kmalloc()';
const EX_PAGES = 'EXERCISE 2 in mmapper.ts: mmap_vmalloc_pages()';
const EX_FAULT = 'EXERCISE 3 in mmapper.ts: file_vma_fault()';
const EX_PUT = 'EXERCISE 4 in mmapper.ts: MMAPPER_PUT_USER in mmapper_ioctl()';

/** mmapper-test's output cut into its sections: `mode 1`, `mode 2`, `mode 3`, `put_user`. */
function sections(out: string): Map<string, string> {
  const r = new Map<string, string>();
  let cur = '';
  for (const l of out.split('\n')) {
    const m = /^(mode \d|put_user)[: ]/.exec(l);
    if (m) cur = m[1]!;
    if (cur !== '') r.set(cur, `${r.get(cur) ?? ''}${l}\n`);
  }
  return r;
}

export const mmapperLab: Lab = {
  name: 'mmapper',
  aliases: [],
  title: 'mmapper: kernel memory mapped into user space three ways, and put_user',
  modules: [{ skeleton: 'mmapper.ts', builtin: 'mmapper' }],
  script: ([m]) => [`insmod ${m!.insmod}`, 'ls /dev', 'mmapper-test', 'mmapper-test hold &', 'sleep 1', `rmmod ${m!.name}`, 'kill %1', 'wait', `rmmod ${m!.name}`, 'ls /dev', 'dmesg'],
  check: (t, [m]) => {
    const load = loadCheck(t, m!);
    const rest = ['mode 1', 'mode 2', 'mode 3', 'put_user', 'rmmod'];
    if (!allLoaded([load])) return [load, ...notRun(rest)];
    const out = outputOf(t, 'mmapper-test') ?? '';
    const s = sections(out);
    const sec = (k: string): string | null => s.get(k) ?? null;
    const mode = (k: string, ok: (x: string) => boolean): string | null => {
      const x = sec(k);
      if (x === null) return `mmapper-test printed no '${k}' lines (it ended first; its output is buffered, so a killed run shows only its errors):\n${quote(out || '(nothing)')}`;
      return ok(x) ? null : `mmapper-test printed:\n${quote(x)}`;
    };
    const pattern = (x: string): boolean => x.includes('  pattern: ok\n');
    const rmmods = t.filter((c) => c.cmd === `rmmod ${m!.name}`).map((c) => c.out.trim());
    return [
      load,
      check('mode 1: the kmalloc buffer mapped with one remap_pfn_range (its contents, contiguous frames)', mode('mode 1', (x) => pattern(x) && x.includes('(contiguous)')), EX_KMALLOC),
      check('mode 2: the vmalloc buffer mapped page by page at mmap time (vmalloc_to_pfn)', mode('mode 2', pattern), EX_PAGES),
      check('mode 3: the vmalloc buffer mapped by the fault handler, one fault per page touched', mode('mode 3', (x) => pattern(x) && x.includes('faults before touching: 0\n') && x.includes('faults after reading page 0: 1\n') && x.includes('faults after reading every page: 4\n')), EX_FAULT),
      check('put_user into the mode-3 mapping: the kernel takes the fault, the handler maps the page', mode('put_user', (x) => /into the mode-3 mapping, not faulted in \(\S+\): ret 0\n/.test(x) && x.includes("  mmap: 'Xbcdefgh")), EX_PUT),
      check('put_user into an untouched anonymous page, and -EFAULT for an unmapped or kernel address', mode('put_user', (x) => /anonymous page never touched \(\S+\): ret 0, value 'X'/.test(x) && /unmapped address \(\S+\): ret -1, errno 14/.test(x) && /kernel address \(\S+\): ret -1, errno 14/.test(x)), EX_PUT),
      check('mmapper-test: all checks passed', out.includes('all checks passed\n') ? null : `it says: ${/FAILED: .*/.exec(out)?.[0] ?? out.split('\n').filter((l) => l !== '').at(-1) ?? '(nothing)'}`),
      check('rmmod is refused while a process maps the device, and works once it is gone', /in use/.test(rmmods[0] ?? '') && rmmods[1] === '' ? null : `while 'mmapper-test hold' maps the device, rmmod said: ${rmmods[0] || '(nothing: it unloaded the module)'}; after: ${rmmods[1] || '(nothing)'}\n'mmapper-test hold' printed: ${(outputOf(t, 'sleep 1') ?? '').trim() || '(nothing)'}`),
    ];
  },
};

// ---- btplus --------------------------------------------------------------------

/** The FAIL lines of a btplus-part* run, or why it did not say `N check(s), 0 failed`. */
function programFails(out: string | null, filter: (l: string) => boolean = () => true): string | null {
  const text = out ?? '';
  const fails = text.split('\n').filter((l) => l.startsWith('FAIL') && filter(l));
  if (fails.length > 0) return quote(fails.join('\n'), 20);
  const relevant = text.split('\n').filter((l) => l.startsWith('PASS') && filter(l));
  if (relevant.length === 0) return `no PASS line; it printed:\n${quote(text)}`;
  return null;
}

export const btplusLab: Lab = {
  name: 'btplus',
  aliases: ['cs614'],
  title: 'btplus: move a VMA, promote and demote 2 MiB pages, compact a VMA (CS614 assignment 2)',
  modules: [{ skeleton: 'btplus.ts', builtin: 'btplus' }],
  script: ([m]) => [`insmod ${m!.insmod}`, 'ls /dev', 'cat /sys/kernel/kobject_cs614/promote', 'btplus-part1_1', 'btplus-part1_2', 'btplus-part2', 'btplus-part3', `rmmod ${m!.name}`, 'lsmod', 'dmesg'],
  check: (t, [m]) => {
    const load = loadCheck(t, m!);
    const rest = ['part 1_1', 'part 1_2', 'part 2', 'part 2 demotion', 'part 3', 'rmmod'];
    if (!allLoaded([load])) return [load, ...notRun(rest)];
    const dev = (outputOf(t, 'ls /dev') ?? '').split('\n').includes('btplus');
    const promote = outputOf(t, 'cat /sys/kernel/kobject_cs614/promote');
    const demotion = (l: string): boolean => / case [ab]: /.test(l) && !/promoted to two/.test(l);
    return [
      load,
      check('/dev/btplus and /sys/kernel/kobject_cs614/promote (reads 0) exist', dev && promote === '0\n' ? null : `ls /dev has btplus: ${dev}; cat promote said: ${promote?.trim() ?? '(nothing)'}`),
      check('part 1_1: IOCTL_MVE_VMA_TO moves a whole VMA to the given address, and refuses bad requests', programFails(outputOf(t, 'btplus-part1_1')), 'EXERCISE 1 in btplus.ts: move_vma_to()'),
      check('part 1_2: IOCTL_MVE_VMA moves a VMA to the first hole above it that fits', programFails(outputOf(t, 'btplus-part1_2')), 'EXERCISE 2 in btplus.ts: first_hole_after()'),
      check('part 2: the promotion thread makes 2 MiB pages of fully present 2 MiB ranges', programFails(outputOf(t, 'btplus-part2'), (l) => !demotion(l)), 'EXERCISE 3 in btplus-huge.ts: promote_range()'),
      check('part 2: munmap of part of a huge page demotes it to 4 KiB pages, the rest stays huge', programFails(outputOf(t, 'btplus-part2'), demotion), 'EXERCISE 4 in btplus-huge.ts: demote_at()'),
      check('part 3: IOCTL_COMPACT_VMA moves the present pages to the start, fills the table, then promotes', programFails(outputOf(t, 'btplus-part3')), 'EXERCISE 5 in btplus-compact.ts: compact_vma()'),
      check('rmmod unloads the module (its thread stopped, its notifiers gone)', outputOf(t, `rmmod ${m!.name}`) === '' && !(outputOf(t, 'lsmod') ?? '').includes(`${m!.name} `) ? null : `rmmod said: ${outputOf(t, `rmmod ${m!.name}`)}`),
    ];
  },
};
