// SKELETON begin
//| // mtest.ts: the "Linux Kernel Memory Management" lab's module, to complete
//| // (docs/labs/mtest/README.md). Loaded with `insmod ./mtest.ts`, it creates
//| // /proc/mtest; a command written to it is carried out and reported in the
//| // kernel log (dmesg) with the lab's `[mtest]` prefixes:
// /proc/mtest: the "Linux Kernel Memory Management" lab's module. A command
// written to the file is carried out and reported in the kernel log (dmesg)
// with the original's `[mtest]` prefixes:
// SKELETON end
//
//   listvma [PID]             every process's VMAs (or PID's), `start end rwx`
//   findpage ADDR [PID]       ADDR's physical address in the writer's address
//                             space (or PID's), with each level's entry and index
//   writeval ADDR VAL [PID]   stores the byte VAL at ADDR, if its VMA is writable
//
// SKELETON begin
//| // The /proc file, the parsing of the commands and the choice of the process
//| // are written. Three parts are yours, each marked `EXERCISE n`:
//| //   1. listvma(): the VMAs of each process with their rights;
//| //   2. walk(): the page-table walk of findpage (and of writeval's report);
//| //   3. writeval(): the byte written into the process's page, only when its
//| //      VMA is writable, without breaking copy-on-write.
//| // Until an exercise is done its part logs `EXERCISE n is not done` and fails.
//| // Grade your file with: vmlab lab check mtest ./mtest.ts
// Numbers are read as kstrtoul(s, 0) reads them: 0x... hex, 0... octal, else
// decimal; PIDs are decimal. Several commands may be written at once, one a
// line. A command that cannot be carried out is logged and the write fails
// with -EINVAL (-ESRCH for a PID that does not exist); nothing is half done.
//
// Where this differs from the report's module, deliberately:
//  - the optional PID (the report hard-codes a process named "test");
//  - findpage handles 2M/1G leaves and prints pte_pfn's address (the report's
//    pte_val & PAGE_MASK keeps the NX bit: "paddr = 0x8000000106141000");
//  - findpage names the first level whose entry is empty: with 4-level paging
//    Linux's pgd_none() is always false (the p4d is folded into the pgd), so
//    the report's walk only notices an empty top-level entry one step later,
//    as "not mapped in p4d"; here it is "not mapped in pgd";
//  - writeval writes through access_process_vm into the target mm, i.e.
//    through the page-fault path: a not-yet-present page is faulted in and a
//    copy-on-write page is copied first, where the report's memset on
//    page_address(pte_page) writes into a frame that may be shared with the
//    parent (or the page cache). VAL must fit in a byte, as memset(addr, val, 1)
//    writes one.
// SKELETON end
import {
  // SKELETON begin
  //| EINVAL, ENOMEM, ENOSYS, ESRCH, EFAULT, FOLL_WRITE, MODULE_DESCRIPTION, MODULE_LICENSE, PAGE_SHIFT, PMD_SIZE, PUD_SIZE,
  //| PAGE_SIZE,
  EINVAL, ENOMEM, ESRCH, EFAULT, FOLL_WRITE, MODULE_DESCRIPTION, MODULE_LICENSE, PAGE_SHIFT, PMD_SIZE, PUD_SIZE, PAGE_SIZE,
  // SKELETON end
  VMA_ITERATOR, VM_EXEC, VM_READ, VM_WRITE, _PAGE_PRESENT, access_process_vm, copy_from_user, find_task_by_vpid,
  for_each_process, for_each_vma, get_current, mmap_read_lock, mmap_read_unlock, module_exit, module_init, p4d_index,
  p4d_none, p4d_offset, p4d_present, p4d_val, p4dp_get, pgd_index, pgd_none, pgd_offset, pgd_val, pgdp_get, pgtable_l5_enabled,
  pmd_index, pmd_leaf, pmd_none, pmd_offset, pmd_pfn, pmd_present, pmd_val, pmdp_get, pr_info, proc_create, pte_index,
  pte_offset_map, pte_pfn, pte_present, pte_unmap, pte_val, ptep_get, pud_index, pud_leaf, pud_none, pud_offset, pud_pfn,
  pud_present, pud_val, pudp_get, remove_proc_entry, simple_read_from_buffer, vma_lookup,
} from 'vmlab/linux';
import type { loff_ptr, mm_struct, proc_ops, task_struct, file } from 'vmlab/linux';

const USAGE = 'listvma [PID]\nfindpage ADDR [PID]\nwriteval ADDR VAL [PID]\n';

/** Linux kstrtoul(s, 0): the value, or null for anything else (a sign, junk, more than 64 bits). */
function kstrtoul(s: string): bigint | null {
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
  else if (/^0[0-7]*$/.test(s)) v = BigInt(`0o${s.slice(1) || '0'}`);
  else if (/^[1-9][0-9]*$/.test(s)) v = BigInt(s);
  else return null;
  return v < 1n << 64n ? v : null;
}

/** The rwx string of a VMA's flags, as the report's listvma builds it. */
function perm_str(vm_flags: bigint): string {
  return `${vm_flags & VM_READ ? 'r' : '-'}${vm_flags & VM_WRITE ? 'w' : '-'}${vm_flags & VM_EXEC ? 'x' : '-'}`;
}

/** The process a command is about: PID's, or the writer's (current); -errno after logging why. */
function target(where: string, pidArg: string | undefined): task_struct | number {
  if (pidArg === undefined) return get_current();
  const pid = /^[0-9]+$/.test(pidArg) ? Number(pidArg) : NaN;
  if (!Number.isSafeInteger(pid)) {
    pr_info('[mtest.%s] bad pid \'%s\'\n', where, pidArg);
    return -EINVAL;
  }
  const task = find_task_by_vpid(pid);
  if (task === null) {
    pr_info('[mtest.%s] no process with PID = %d\n', where, pid);
    return -ESRCH;
  }
  return task;
}

function mm_of(where: string, task: task_struct): mm_struct | null {
  if (task.mm === null) pr_info('[mtest.%s] %s, PID = %d has no address space\n', where, task.comm, task.pid);
  return task.mm;
}

// SKELETON begin
//| /**
 //| * listvma [PID]: for each process with an mm (for_each_process(), or just
 //| * PID's), one line `[mtest.listvma] Process = COMM, PID = N`, then one line
 //| * per VMA in address order: `[mtest.listvma] 0xSTART 0xEND rwx` (perm_str).
 //| * 0, or -errno (target() logs why).
 //| */
/** for_each_process: each process with an mm, its VMAs in address order. */
// SKELETON end
function listvma(pidArg: string | undefined): number {
  // EXERCISE 1 begin
  //| // EXERCISE 1: list the VMAs.
  //| //   - the tasks: for_each_process() without a PID, else [target('listvma', pidArg)]
  //| //     (a number is an -errno: return it);
  //| //   - skip a task whose mm is null (a kernel thread);
  //| //   - pr_info('[mtest.listvma] Process = %s, PID = %d\n', task.comm, task.pid);
  //| //   - under mmap_read_lock(mm) / mmap_read_unlock(mm), each VMA of
  //| //     for_each_vma(VMA_ITERATOR(mm, 0n)):
  //| //     pr_info('[mtest.listvma] 0x%lx 0x%lx %s\n', vma.vm_start, vma.vm_end, perm_str(vma.vm_flags)).
  //| pr_info('[mtest.listvma] EXERCISE 1 is not done: listvma (%s)\n', pidArg ?? 'every process');
  //| return -ENOSYS;
  let tasks: Iterable<task_struct>;
  if (pidArg === undefined) {
    tasks = for_each_process();
  } else {
    const t = target('listvma', pidArg);
    if (typeof t === 'number') return t;
    tasks = [t];
  }
  for (const task of tasks) {
    const mm = task.mm;
    if (mm === null) continue;
    pr_info('[mtest.listvma] Process = %s, PID = %d\n', task.comm, task.pid);
    mmap_read_lock(mm);
    for (const vma of for_each_vma(VMA_ITERATOR(mm, 0n)))
      pr_info('[mtest.listvma] 0x%lx 0x%lx %s\n', vma.vm_start, vma.vm_end, perm_str(vma.vm_flags));
    mmap_read_unlock(mm);
  }
  return 0;
  // EXERCISE 1 end
}

/** Where a user address lives: the page that maps it (4K, 2M or 1G) and the byte; null when unmapped. */
interface Translation {
  page_size: bigint;
  page_addr: bigint;
  paddr: bigint;
}

/**
 // SKELETON begin
 //| * The walk pgd_offset .. pte_offset_map of the lab's findpage: the page
 //| * that maps vaddr, or null at the first empty entry. With `log`, each
 //| * level's entry and index is logged, and "not mapped in LEVEL" where the walk
 //| * stops.
 * The walk pgd_offset .. pte_offset_map of the report's findpage: the page
 * that maps vaddr, or null at the first empty entry. The entries are read
 * from the real tables (pXdp_get: kernel loads through the direct map); a
 * 1G or 2M leaf (pud_leaf, pmd_leaf) ends the walk. With `log`, each level's
 * entry and index is logged as the report does, and "not mapped in LEVEL".
 // SKELETON end
 */
function walk(mm: mm_struct, vaddr: bigint, log: boolean): Translation | null {
  const say = (level: string, val: bigint, index: number): void => {
    if (!log) return;
    pr_info('[mtest.findpage] %s_val = 0x%lx\n', level, val);
    pr_info('[mtest.findpage] %s_index = %lu\n', level, index);
  };
  const missing = (level: string): null => {
    if (log) pr_info('[mtest.findpage] not mapped in %s\n', level);
    return null;
  };
  const leaf = (page_size: bigint, pfn: bigint): Translation => {
    const page_addr = (pfn << PAGE_SHIFT) & ~(page_size - 1n);
    return { page_size, page_addr, paddr: page_addr | (vaddr & (page_size - 1n)) };
  };

  // EXERCISE 2 begin
  //| // EXERCISE 2: walk the five levels, reading each entry from the real tables.
  //| //   pgd = pgd_offset(mm, vaddr), its value pgdp_get(pgd);
  //| //   say('pgd', pgd_val(v), pgd_index(vaddr)); then the same for
  //| //   p4d_offset(pgd, vaddr) / p4dp_get / p4d_val / p4d_index,
  //| //   pud_offset(p4d, vaddr) ..., pmd_offset(pud, vaddr) ...,
  //| //   pte_offset_map(pmd, vaddr) (0n when the pmd is bad), ptep_get, pte_unmap.
  //| //   - an entry that is not present ends the walk: return missing('pgd') ...
  //| //     missing('pte'). With 4-level paging pgd_none() is always false (the
  //| //     p4d is folded into the pgd): test `pgd_val(v) & _PAGE_PRESENT` too;
  //| //     for the others pXd_none() / !pXd_present(), and !pte_present() at the end;
  //| //   - a 1 GiB or 2 MiB page (pud_leaf, pmd_leaf) ends the walk:
  //| //     return leaf(PUD_SIZE, pud_pfn(v)) or leaf(PMD_SIZE, pmd_pfn(v));
  //| //   - the last level: return leaf(PAGE_SIZE, pte_pfn(v)).
  //| void say;
  //| void leaf;
  //| if (log) pr_info('[mtest.findpage] EXERCISE 2 is not done: walk(0x%lx)\n', vaddr);
  //| return missing('pgd');
  const pgd = pgd_offset(mm, vaddr);
  const pgdv = pgdp_get(pgd);
  say('pgd', pgd_val(pgdv), pgd_index(vaddr));
  // pgd_none() is always false when the p4d is folded (4-level): look at the entry itself.
  if (pgd_none(pgdv) || !(pgd_val(pgdv) & _PAGE_PRESENT)) return missing('pgd');

  const p4d = p4d_offset(pgd, vaddr);
  const p4dv = p4dp_get(p4d);
  say('p4d', p4d_val(p4dv), p4d_index(vaddr));
  if (p4d_none(p4dv) || !p4d_present(p4dv)) return missing('p4d');

  const pud = pud_offset(p4d, vaddr);
  const pudv = pudp_get(pud);
  say('pud', pud_val(pudv), pud_index(vaddr));
  if (pud_none(pudv) || !pud_present(pudv)) return missing('pud');
  if (pud_leaf(pudv)) return leaf(PUD_SIZE, pud_pfn(pudv));

  const pmd = pmd_offset(pud, vaddr);
  const pmdv = pmdp_get(pmd);
  say('pmd', pmd_val(pmdv), pmd_index(vaddr));
  if (pmd_none(pmdv) || !pmd_present(pmdv)) return missing('pmd');
  if (pmd_leaf(pmdv)) return leaf(PMD_SIZE, pmd_pfn(pmdv));

  const pte = pte_offset_map(pmd, vaddr);
  if (pte === 0n) return missing('pmd'); // pmd_bad: not a page table
  const ptev = ptep_get(pte);
  pte_unmap(pte);
  say('pte', pte_val(ptev), pte_index(vaddr));
  // pte_present(): a PROT_NONE page keeps its frame.
  if (!pte_present(ptev)) return missing('pte');
  return leaf(PAGE_SIZE, pte_pfn(ptev));
  // EXERCISE 2 end
}

function findpage(addrArg: string, pidArg: string | undefined): number {
  const vaddr = kstrtoul(addrArg);
  if (vaddr === null) {
    pr_info('[mtest.findpage] bad address \'%s\'\n', addrArg);
    return -EINVAL;
  }
  const task = target('findpage', pidArg);
  if (typeof task === 'number') return task;
  pr_info('[mtest.findpage] vaddr = 0x%lx\n', vaddr);
  pr_info('[mtest.findpage] pgtable_l5_enabled = %u\n', pgtable_l5_enabled() ? 1 : 0);
  pr_info('[mtest.findpage] current = %s, PID = %d\n', task.comm, task.pid);
  const mm = mm_of('findpage', task);
  if (mm === null) return -EINVAL;
  if (vaddr >= mm.task_size) {
    pr_info('[mtest.findpage] 0x%lx is not a user address (TASK_SIZE = 0x%lx)\n', vaddr, mm.task_size);
    pr_info('[mtest.findpage] translation not found\n');
    return 0;
  }
  mmap_read_lock(mm);
  const t = walk(mm, vaddr, true);
  mmap_read_unlock(mm);
  if (t === null) {
    pr_info('[mtest.findpage] translation not found\n');
    return 0;
  }
  if (t.page_size !== PAGE_SIZE) pr_info('[mtest.findpage] %s maps a %s page (huge)\n', t.page_size === PUD_SIZE ? 'pud' : 'pmd', t.page_size === PUD_SIZE ? '1G' : '2M');
  pr_info('[mtest.findpage] page_addr = 0x%lx, page_offset = 0x%lx\n', t.page_addr, t.paddr - t.page_addr);
  pr_info('[mtest.findpage] vaddr = 0x%lx -> paddr = 0x%lx\n', vaddr, t.paddr);
  return 0;
}

function writeval(addrArg: string, valArg: string, pidArg: string | undefined): number {
  const vaddr = kstrtoul(addrArg);
  const val = kstrtoul(valArg);
  if (vaddr === null) {
    pr_info('[mtest.writeval] bad address \'%s\'\n', addrArg);
    return -EINVAL;
  }
  if (val === null || val > 0xffn) {
    pr_info('[mtest.writeval] bad value \'%s\' (one byte: 0..0xff)\n', valArg);
    return -EINVAL;
  }
  const task = target('writeval', pidArg);
  if (typeof task === 'number') return task;
  const mm = mm_of('writeval', task);
  if (mm === null) return -EINVAL;
  // EXERCISE 3 begin
  //| // EXERCISE 3: write the byte, only into a writable VMA.
  //| //   - under mmap_read_lock(mm): vma = vma_lookup(mm, vaddr); no VMA:
  //| //     pr_info('[mtest.writeval] vma not found\n'), -EINVAL; a VMA without
  //| //     VM_WRITE in vma.vm_flags: pr_info('[mtest.writeval] vma has no write permission\n'), -EINVAL;
  //| //   - the write: access_process_vm(task, vaddr, Uint8Array.of(Number(val)), 1, FOLL_WRITE)
  //| //     must return 1 (else log and -EINVAL). It writes through the fault
  //| //     path, as ptrace does: a page not yet present is faulted in, a
  //| //     copy-on-write page is copied first. (The lab's C wrote with
  //| //     writeb() at page_address(pte_page(pte)) + offset: into the frame
  //| //     the PTE names, which after fork() the parent still shares. Try it
  //| //     and see which check fails.)
  //| //   - then report where it went, with walk(mm, vaddr, false) (under the lock):
  //| //     pr_info('[mtest.writeval] wrote 0x%lx at vaddr = 0x%lx -> paddr = 0x%lx (%s, PID = %d)\n',
  //| //             val, vaddr, t.paddr, task.comm, task.pid); return 0.
  //| pr_info('[mtest.writeval] EXERCISE 3 is not done: writeval 0x%lx 0x%lx\n', vaddr, val);
  //| return -ENOSYS;
  mmap_read_lock(mm);
  const vma = vma_lookup(mm, vaddr);
  const writable = vma !== null && (vma.vm_flags & VM_WRITE) !== 0n;
  const before = writable ? walk(mm, vaddr, false) : null;
  mmap_read_unlock(mm);
  if (vma === null) {
    pr_info('[mtest.writeval] vma not found\n');
    return -EINVAL;
  }
  if (!writable) {
    pr_info('[mtest.writeval] vma has no write permission\n');
    return -EINVAL;
  }
  // Into task's mm through the fault path (handle_mm_fault when the page is
  // absent or write-protected: copy-on-write), as ptrace and /proc/PID/mem do.
  if (access_process_vm(task, vaddr, Uint8Array.of(Number(val)), 1, FOLL_WRITE) !== 1) {
    pr_info('[mtest.writeval] cannot write at 0x%lx\n', vaddr);
    return -EINVAL;
  }
  mmap_read_lock(mm);
  const after = walk(mm, vaddr, false);
  mmap_read_unlock(mm);
  if (after === null) return -EFAULT; // written, then gone again: cannot happen on one CPU
  pr_info('[mtest.writeval] found\n');
  pr_info('[mtest.writeval] wrote 0x%lx at vaddr = 0x%lx -> paddr = 0x%lx (%s, PID = %d)\n', val, vaddr, after.paddr, task.comm, task.pid);
  if (before !== null && before.page_addr !== after.page_addr)
    pr_info('[mtest.writeval] copy-on-write: the page at paddr 0x%lx was shared; the write went to a private copy at 0x%lx\n', before.page_addr, after.page_addr);
  else if (before === null) pr_info('[mtest.writeval] the page was not present: faulted in at 0x%lx\n', after.page_addr);
  return 0;
  // EXERCISE 3 end
}

/** One command line; 0 or -errno. */
function run(line: string): number {
  pr_info('[mtest] Got command: %s\n', line);
  const [cmd, ...args] = line.split(/\s+/);
  switch (cmd) {
    case 'listvma':
      if (args.length > 1) break;
      return listvma(args[0]);
    case 'findpage':
      if (args.length < 1 || args.length > 2) break;
      return findpage(args[0]!, args[1]);
    case 'writeval':
      if (args.length < 2 || args.length > 3) break;
      return writeval(args[0]!, args[1]!, args[2]);
  }
  pr_info('[mtest] unknown command or wrong arguments: \'%s\' (commands: %s)\n', line, USAGE.trim().split('\n').join(' | '));
  return -EINVAL;
}

const mtest_proc_ops: proc_ops = {
  /** cat /proc/mtest: the usage. */
  proc_read: (_file: file, buf: bigint, count: bigint, ppos: loff_ptr) => simple_read_from_buffer(buf, count, ppos, USAGE, USAGE.length),
  proc_write: (_file: file, buf: bigint, count: bigint, ppos: loff_ptr) => {
    const n = Number(count);
    const kbuf = new Uint8Array(n);
    if (copy_from_user(kbuf, buf, n) !== 0) return -EFAULT;
    const lines = new TextDecoder().decode(kbuf).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    for (const line of lines) {
      const r = run(line);
      if (r < 0) return r;
    }
    ppos.pos += count;
    return count;
  },
};

module_init(() => {
  if (proc_create('mtest', 0o666, null, mtest_proc_ops) === null) {
    pr_info('[mtest] cannot create /proc/mtest (%d)\n', -ENOMEM);
    return -ENOMEM;
  }
  pr_info('[mtest] /proc/mtest created\n');
  return 0;
});

module_exit(() => {
  remove_proc_entry('mtest', null);
  pr_info('[mtest] /proc/mtest removed\n');
});

MODULE_LICENSE('GPL');
MODULE_DESCRIPTION('/proc/mtest: listvma [PID], findpage ADDR [PID], writeval ADDR VAL [PID]; output in dmesg');
