// The memory labs of `vmlab lab check` (lab.ts): kmalloc vs vmalloc
// (part2_a, part2_b), /proc/mtest, and 3000physicalview. Each is the
// experiment of docs/experiments/ (guest-programs/experiments/*.vmsh),
// with the module under test in place of the built-in driver, and checks
// that read what the test programs and the kernel log say.
import { allLoaded, check, loadCheck, logLines, notRun, outputAfter, outputOf, quote } from './lab-support';
import type { Check, Lab, Transcript } from './lab-support';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

// ---- kmalloc vs vmalloc ------------------------------------------------------

/** What one module of the lab logged between its `NAME: -----INSERTED-----` and the next module's. */
interface Insertion {
  module: string;
  va: bigint | null;
  value: string | null;
  walk: bigint | null;
  virtToPhys: bigint | null;
  walkLine: string;
}

/** The insertions logged in a dmesg output, in order. */
function insertions(dmesg: string | null): Insertion[] {
  const out: Insertion[] = [];
  for (const l of logLines(dmesg)) {
    const head = /^(\S+): -----INSERTED-----$/.exec(l);
    if (head) {
      out.push({ module: head[1]!, va: null, value: null, walk: null, virtToPhys: null, walkLine: '' });
      continue;
    }
    const cur = out.at(-1);
    if (cur === undefined) continue;
    let m: RegExpExecArray | null;
    if ((m = /^Node-P: \S+ VA: (\d+)$/.exec(l))) cur.va = BigInt(m[1]!);
    else if ((m = /^Value at Node: (.*)$/.exec(l))) cur.value = m[1]!;
    else if ((m = /^Physical Address Obtained from virt_to_phys : ([0-9a-f]+)$/.exec(l))) cur.virtToPhys = BigInt(`0x${m[1]}`);
    else if ((m = /^Physical Address Obtained from software walk: ([0-9a-f]+)$/.exec(l))) cur.walk = BigInt(`0x${m[1]}`);
    else if (l.startsWith('pgd-off:')) cur.walkLine = l;
  }
  return out;
}

const EX_WALK = 'EXERCISE 1 in walk.ts: software_walk()';
const EX_READ = 'EXERCISE 2 in part2_b.ts: read node->data through its kernel address';

/** The checks of one allocator's round: a = the student's part2_a, b = part2_b, ref = the reference memaccess on a's struct. */
function kvRound(t: Transcript, choice: 0 | 1, round: number): Check[] {
  const alloc = choice === 0 ? 'kmalloc' : 'vmalloc';
  const ins = insertions(outputOf(t, 'dmesg -c', round));
  const [a, b, ref] = ins as [Insertion | undefined, Insertion | undefined, Insertion | undefined];
  const checks: Check[] = [];
  const walkWhat = `${alloc} (choice=${choice}): part2_a's software walk finds the struct's physical address`;
  if (a === undefined || a.va === null || a.walk === null) {
    checks.push(check(walkWhat, `part2_a logged no 'Node-P: ... VA: ...' and 'Physical Address Obtained from software walk: ...' lines:\n${quote(outputOf(t, 'dmesg -c', round) ?? '')}`, EX_WALK));
  } else {
    // The truth: the kernel's virt_to_phys for the direct map; for vmalloc the reference walk of the same address.
    const truth = choice === 0 ? a.virtToPhys : ref?.walk ?? null;
    let fail: string | null = null;
    if (a.walk === 0n) fail = `the walk answered 0 (not mapped) for ${hex(a.va)}, which is mapped: ${a.walkLine}`;
    else if (a.walk % 4096n !== a.va % 4096n) fail = `the walk answered ${hex(a.walk)}, whose offset in the page (${hex(a.walk % 4096n)}) is not the address's (${hex(a.va % 4096n)})`;
    else if (truth !== null && a.walk !== truth) fail = `the walk answered ${hex(a.walk)}; the struct is at ${hex(truth)} (${choice === 0 ? 'virt_to_phys, right for the direct map' : "the reference solution's walk"})`;
    checks.push(check(walkWhat, fail, EX_WALK));
  }
  const readWhat = `${alloc}: part2_b reads node->data (10) through the address part2_a printed`;
  if (b === undefined) checks.push(check(readWhat, 'part2_b logged no \'-----INSERTED-----\' line', EX_READ));
  else checks.push(check(readWhat, b.value === '10' ? null : `part2_b logged 'Value at Node: ${b.value ?? '(no such line)'}', not 10`, EX_READ));
  const bWhat = `${alloc}: part2_b's walk, from its own insmod process, finds the same physical address`;
  if (b === undefined || a === undefined) checks.push(check(bWhat, 'part2_a or part2_b logged nothing', EX_WALK));
  else if (b.walk === null || a.walk === null || a.walk === 0n || b.walk !== a.walk)
    checks.push(check(bWhat, `part2_a's walk says ${a.walk === null ? 'nothing' : hex(a.walk)}, part2_b's ${b.walk === null ? 'nothing' : hex(b.walk)}`, EX_WALK));
  else checks.push(check(bWhat, null));
  return checks;
}

export const kmallocVmallocLab: Lab = {
  name: 'kmalloc-vmalloc',
  aliases: ['part2'],
  title: 'kmalloc vs vmalloc: a software page-table walk against virt_to_phys()',
  modules: [
    { skeleton: 'part2_a.ts', builtin: 'memalloc' },
    { skeleton: 'part2_b.ts', builtin: 'memaccess' },
  ],
  script: ([a, b]) => {
    const round = (choice: number): string[] => [
      `insmod ${a!.insmod} choice=${choice}`,
      'cat /sys/kernel/memalloc/va',
      `insmod ${b!.insmod}`,
      `rmmod ${b!.name}`,
      // The reference part b on the same struct: the truth for a vmalloc address.
      'insmod memaccess',
      'rmmod memaccess',
      `rmmod ${a!.name}`,
      'dmesg -c',
    ];
    return [...round(0), ...round(1)];
  },
  check: (t, [a, b]) => {
    const loads = [loadCheck(t, a!, ' choice=0'), loadCheck(t, b!)];
    const rest = ['kmalloc: the walk', 'kmalloc: part2_b reads node->data', 'kmalloc: part2_b walks', 'vmalloc: the walk', 'vmalloc: part2_b reads node->data', 'vmalloc: part2_b walks'];
    if (!allLoaded(loads)) return [...loads, ...notRun(rest)];
    const leaks = logLines(t.filter((c) => c.cmd === 'dmesg -c').map((c) => c.out).join('')).filter((l) => l.startsWith('kmemleak: '));
    return [
      ...loads,
      ...kvRound(t, 0, 0),
      ...kvRound(t, 1, 1),
      check('rmmod part2_a frees the struct (no kmemleak report)', leaks.length === 0 ? null : quote(leaks.join('\n')), 'part2_a.ts: free the struct in module_exit with the allocator\'s own free'),
    ];
  },
};

// ---- mtest -------------------------------------------------------------------

const EX_LISTVMA = 'EXERCISE 1 in mtest.ts: listvma()';
const EX_FINDPAGE = 'EXERCISE 2 in mtest.ts: walk()';
const EX_WRITEVAL = 'EXERCISE 3 in mtest.ts: writeval()';

/** The [mtest...] lines of a dmesg output. */
const mtestLines = (dmesg: string | null): string[] => logLines(dmesg).filter((l) => l.startsWith('[mtest'));

/** listvma of mtest-hold against /proc/PID/maps. */
function listvmaCheck(t: Transcript, pid: string | null): Check {
  const what = 'listvma lists each process and its VMAs (start end rwx), as /proc/PID/maps does';
  if (pid === null) return check(what, 'mtest-hold did not start (no [1] PID line)');
  const write = outputOf(t, 'echo listvma > /proc/mtest') ?? '';
  const lines = mtestLines(outputAfter(t, 'echo listvma > /proc/mtest'));
  const head = `[mtest.listvma] Process = mtest-hold, PID = ${pid}`;
  const i = lines.indexOf(head);
  if (i < 0) return check(what, `${write === '' ? '' : `echo listvma said: ${write.trim()}\n`}no '${head}' line in the log:\n${quote(lines.join('\n'))}`, EX_LISTVMA);
  let end = lines.findIndex((l, j) => j > i && !/^\[mtest\.listvma\] 0x/.test(l));
  if (end < 0) end = lines.length;
  const got = lines.slice(i + 1, end).map((l) => l.replace('[mtest.listvma] ', ''));
  const maps = (outputOf(t, `cat /proc/${pid}/maps`) ?? '').split('\n').filter((l) => /^[0-9a-f]+-/.test(l));
  const want = maps.map((m) => {
    const [range, perms] = m.split(/\s+/) as [string, string];
    const [s, e] = range.split('-').map((x) => hex(BigInt(`0x${x}`)));
    return `${s} ${e} ${perms.slice(0, 3)}`;
  });
  if (got.join('\n') === want.join('\n')) return check(what, null);
  return check(what, `mtest-hold's VMAs should be (from /proc/${pid}/maps):\n${quote(want.join('\n'))}\nlistvma printed:\n${quote(got.join('\n') || '(nothing)')}`, EX_LISTVMA);
}

export const mtestLab: Lab = {
  name: 'mtest',
  aliases: [],
  title: '/proc/mtest: listvma, findpage, writeval',
  modules: [{ skeleton: 'mtest.ts', builtin: 'mtest' }],
  script: ([m]) => [
    `insmod ${m!.insmod}`,
    'cat /proc/mtest',
    'mtest-hold &',
    'sleep 1',
    'echo listvma > /proc/mtest',
    'dmesg -c',
    (t) => `cat /proc/${/^\[1\] (\d+)$/m.exec(outputOf(t, 'mtest-hold &') ?? '')?.[1] ?? 0}/maps`,
    'kill %1',
    'wait',
    'mtest-test',
    'dmesg -c',
    `rmmod ${m!.name}`,
    'ls /proc',
  ],
  check: (t, [m]) => {
    const load = loadCheck(t, m!);
    const procWhat = 'the module creates /proc/mtest';
    const cat = outputOf(t, 'cat /proc/mtest') ?? '';
    const proc = check(procWhat, /No such file|Invalid argument|Permission/.test(cat) ? `cat /proc/mtest said: ${cat.trim()}` : null);
    const rest = ['listvma', 'findpage', 'findpage of an unmapped address', 'writeval', 'writeval on a read-only VMA', 'writeval and copy-on-write', 'rmmod removes /proc/mtest'];
    if (!allLoaded([load, proc])) return [load, proc, ...notRun(rest)];
    const pid = /^\[1\] (\d+)$/m.exec(outputOf(t, 'mtest-hold &') ?? '')?.[1] ?? null;

    const out = outputOf(t, 'mtest-test') ?? '';
    const log = mtestLines(outputAfter(t, 'mtest-test'));
    const buf = /buffer at (0x[0-9a-f]+)/.exec(out)?.[1] ?? '?';
    const pagemap = new RegExp(`pagemap: ${buf} -> (0x[0-9a-f]+)`).exec(out)?.[1] ?? '?';
    const said = (cmd: string): string => new RegExp(`^mtest: ${cmd} -> (.*)$`, 'm').exec(out)?.[1] ?? '(not run)';
    const paddrs = log.filter((l) => l.startsWith(`[mtest.findpage] vaddr = ${buf} -> paddr = `)).map((l) => l.split(' ').at(-1)!);

    // findpage of mtest-test's buffer: the first findpage command's lines.
    const first = log.slice(log.indexOf(`[mtest] Got command: findpage ${buf}`));
    const upto = first.findIndex((l, j) => j > 0 && l.startsWith('[mtest] Got command:'));
    const found = upto < 0 ? first : first.slice(0, upto);
    const levels = found.filter((l) => /_(val|index) = /.test(l)).map((l) => l.replace(/ = .*/, '').replace('[mtest.findpage] ', ''));
    const wantLevels = ['pgd_val', 'pgd_index', 'p4d_val', 'p4d_index', 'pud_val', 'pud_index', 'pmd_val', 'pmd_index', 'pte_val', 'pte_index'];
    let findFail: string | null = null;
    if (said(`findpage ${buf}`) !== 'ok') findFail = `mtest-test's 'findpage ${buf}' failed: ${said(`findpage ${buf}`)}`;
    else if (paddrs[0] !== pagemap) findFail = `findpage ${buf} should end with '[mtest.findpage] vaddr = ${buf} -> paddr = ${pagemap}' (the address /proc/self/pagemap gives); the log says:\n${quote(found.join('\n'))}`;
    else if (levels.join(' ') !== wantLevels.join(' ')) findFail = `findpage should log each level's entry and index (${wantLevels.join(', ')}); it logged: ${levels.join(', ') || 'none'}`;

    const unmapped = log.slice(log.indexOf('[mtest] Got command: findpage 0x10'));
    const unmappedEnd = unmapped.findIndex((l, j) => j > 0 && l.startsWith('[mtest] Got command:'));
    const unmappedLines = unmappedEnd < 0 ? unmapped : unmapped.slice(0, unmappedEnd);

    const writeOk = said(`writeval ${buf} 0x42`);
    return [
      load,
      proc,
      listvmaCheck(t, pid),
      check(`findpage ADDR PID: the walk, each level's entry and index, the physical address /proc/PID/pagemap gives`, findFail, EX_FINDPAGE),
      check('findpage of an unmapped address (0x10): "translation not found"', unmappedLines.includes('[mtest.findpage] translation not found') ? null : `the log says:\n${quote(unmappedLines.join('\n'))}`, EX_FINDPAGE),
      check('writeval ADDR VAL: the process reads back the byte written', out.includes('read back: BAAAAAAA\n') ? null : `mtest-test's 'writeval ${buf} 0x42' said: ${writeOk}; it read back: ${/read back: (.*)/.exec(out)?.[1] ?? '(nothing)'}, not BAAAAAAA`, EX_WRITEVAL),
      check("writeval on a read-only VMA (the text) is refused with EINVAL", /^mtest: writeval 0x[0-9a-f]+ 0x42 -> Invalid argument$/m.test(out) && log.includes('[mtest.writeval] vma has no write permission') ? null : `mtest-test's writeval on main said: ${/^mtest: writeval (?!0x[0-9a-f]{6,} )\S+ 0x42 -> (.*)$/m.exec(out)?.[1] ?? '(not run)'}; expected 'Invalid argument' and the log line '[mtest.writeval] vma has no write permission'`, EX_WRITEVAL),
      check("writeval after fork: the child's write goes to its own copy (copy-on-write), the parent keeps its byte", out.includes('child: CAAAAAAA\n') && out.includes('parent: BAAAAAAA\n') ? null : `mtest-test's fork test printed:\n${quote(out.split('\n').filter((l) => /^(child|parent): /.test(l)).join('\n') || '(nothing)')}\nexpected 'child: CAAAAAAA' and 'parent: BAAAAAAA'${out.includes('parent: C') ? ": the child's write reached the parent: writing into the frame the PTE names (page_address + writeb) writes into the page parent and child still share" : ''}`, EX_WRITEVAL),
      check('rmmod removes /proc/mtest', (outputOf(t, 'ls /proc') ?? '').split('\n').includes('mtest') ? '/proc/mtest is still there after rmmod' : null, 'module_exit: remove_proc_entry'),
    ];
  },
};

// ---- 3000physicalview ------------------------------------------------------------

const EX_REGISTER = 'EXERCISE 1 in physicalview.ts: the registration in module_init (and its undoing in module_exit)';
const EX_PWALK = 'EXERCISE 2 in physicalview.ts: get_physical()';
const EX_IOCTL = 'EXERCISE 3 in physicalview.ts: physicalview_ioctl()';

/** A memview2 report: label -> [virtual, physical] (physical null for UNKNOWN). */
function memviewReport(out: string | null): Map<string, [bigint, bigint | null]> {
  const r = new Map<string, [bigint, bigint | null]>();
  for (const m of (out ?? '').matchAll(/^(\S+):\s+(0x[0-9a-f]+) -> (0x[0-9a-f]+|UNKNOWN)$/gm)) r.set(m[1]!, [BigInt(m[2]!), m[3] === 'UNKNOWN' ? null : BigInt(m[3]!)]);
  return r;
}

/** The checks of one memview2 report; `noDevice` when its device file is missing. */
function reportChecks(prog: string, out: string | null, noDevice: boolean): Check[] {
  const rep = memviewReport(out);
  const unknown = [...rep].filter(([, [, p]]) => p === null || p === 0n).map(([k]) => k);
  const whatAll = `${prog}: every address has a physical address (no UNKNOWN)`;
  const whatOffset = `${prog}: each physical address keeps the byte's offset in its page`;
  const whatFrames = `${prog}: one frame per virtual page, a different one for each page`;
  if (rep.size !== 40) {
    const why = `${prog} printed ${rep.size} of its 40 lines:\n${quote(out ?? '')}`;
    return [check(whatAll, why, noDevice ? EX_REGISTER : EX_IOCTL), ...[whatOffset, whatFrames].map((w) => check(w, `not checked: ${prog} reported no address (above)`))];
  }
  const all = check(whatAll, unknown.length === 0 ? null : `UNKNOWN or 0 for: ${unknown.join(', ')}`, EX_PWALK);
  const offs = [...rep].filter(([, [v, p]]) => p !== null && p % 4096n !== v % 4096n).map(([k, [v, p]]) => `${k}: ${hex(v)} -> ${hex(p!)}`);
  const offset = check(whatOffset, rep.size > 0 && offs.length === 0 ? null : offs.length === 0 ? 'no report' : quote(offs.join('\n')), EX_PWALK);
  // Labels on one virtual page are on one frame; the 30 heap buffers span 30 pages, and each has its own frame.
  const byPage = new Map<bigint, Set<bigint>>();
  for (const [, [v, p]] of rep) if (p !== null) byPage.set(v / 4096n, (byPage.get(v / 4096n) ?? new Set()).add(p / 4096n));
  const split = [...byPage].filter(([, f]) => f.size > 1).map(([pg]) => hex(pg * 4096n));
  const frames = new Set([...byPage].map(([, f]) => [...f][0]!));
  const same = check(whatFrames, rep.size > 0 && split.length === 0 && frames.size === byPage.size ? null : split.length > 0 ? `addresses of one page got different frames: pages ${split.join(', ')}` : `${byPage.size} virtual pages got only ${frames.size} different frames`, EX_PWALK);
  return [all, offset, same];
}

export const physicalviewLab: Lab = {
  name: 'physicalview',
  aliases: ['3000physicalview', 'memview2'],
  title: '3000physicalview: a page-table walk behind an ioctl (COMP3000 tutorial 8)',
  modules: [{ skeleton: 'physicalview.ts', builtin: 'physicalview' }],
  script: ([m]) => [`insmod ${m!.insmod}`, 'ls /dev', 'memview2', '3000memview2', `rmmod ${m!.name}`, 'ls /dev', 'dmesg'],
  check: (t, [m]) => {
    const load = loadCheck(t, m!);
    const dev = (outputOf(t, 'ls /dev') ?? '').split('\n');
    const devs = check('the module creates /dev/physicalview (register_chrdev) and /dev/3000physicalview (class COMP3000, device_create)', dev.includes('physicalview') && dev.includes('3000physicalview') ? null : `ls /dev shows: ${dev.filter((d) => d !== '').join(' ')}`, EX_REGISTER);
    if (!allLoaded([load])) return [load, ...notRun(['/dev files', 'memview2', '3000memview2', 'rmmod'])];
    const after = (outputOf(t, 'ls /dev', 1) ?? '').split('\n');
    return [
      load,
      devs,
      ...reportChecks('memview2 (/dev/physicalview)', outputOf(t, 'memview2'), !dev.includes('physicalview')),
      ...reportChecks('3000memview2 (/dev/3000physicalview)', outputOf(t, '3000memview2'), !dev.includes('3000physicalview')),
      check('rmmod removes both device files', after.includes('physicalview') || after.includes('3000physicalview') ? `ls /dev after rmmod shows: ${after.filter((d) => d !== '').join(' ')}` : null, EX_REGISTER),
    ];
  },
};

