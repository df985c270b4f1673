// /proc/mtest: the "Linux Kernel Memory Management" lab's module. A command
// written to the file is carried out and reported in the kernel log (dmesg)
// with the original's `[mtest]` prefixes:
//
//   listvma [PID]             every process's VMAs (or PID's), `start end rwx`
//   findpage ADDR [PID]       ADDR's physical address in the writer's address
//                             space (or PID's), with each level's entry and index
//   writeval ADDR VAL [PID]   stores the byte VAL at ADDR, if its VMA is writable
//
// Numbers are read as kstrtoul(s, 0) reads them: 0x... hex, 0... octal, else
// decimal; PIDs are decimal. Several commands may be written at once, one a
// line. A command that cannot be carried out is logged and the write fails
// with -EINVAL (-ESRCH for a PID that does not exist); nothing is half done.
//
// Where this differs from the report's module, deliberately:
//  - the optional PID (the report hard-codes a process named "test");
//  - findpage handles 2M/1G leaves and prints pte_pfn's address (the report's
//    pte_val & PAGE_MASK keeps the NX bit: "paddr = 0x8000000106141000");
//  - writeval writes through copy_to_user into the target mm, i.e. through the
//    page-fault path: a not-yet-present page is faulted in and a copy-on-write
//    page is copied first, where the report's memset on page_address(pte_page)
//    writes into a frame that may be shared with the parent (or the page
//    cache). VAL must fit in a byte, as memset(addr, val, 1) writes one.
import type { File, FileOperations, KernelModule, ModuleContext, Task } from '../module/api';
import type { Loff } from '../fs/file';
import { VM_EXEC, VM_READ, VM_WRITE } from '../mm/vma';
import type { MmStruct } from '../mm/mm-struct';
import { EINVAL, ESRCH } from '../errno';
import { hex, walkUserVa } from './physicalview-walk';
import type { UserWalk } from './physicalview-walk';

const USAGE = 'listvma [PID]\nfindpage ADDR [PID]\nwriteval ADDR VAL [PID]\n';

/** Linux kstrtoul(s, 0): the value, or null for anything else (sign, junk, overflow past 2^53). */
export function parseUlong(s: string): number | null {
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
  else if (/^0[0-7]*$/.test(s)) v = BigInt(`0o${s.slice(1) || '0'}`);
  else if (/^[1-9][0-9]*$/.test(s)) v = BigInt(s);
  else return null;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

/** The rwx string of a VMA's flags, as the report's listvma builds it. */
export function permString(vmFlags: number): string {
  return `${vmFlags & VM_READ ? 'r' : '-'}${vmFlags & VM_WRITE ? 'w' : '-'}${vmFlags & VM_EXEC ? 'x' : '-'}`;
}

/** A command's outcome: 0, or -errno after it has logged why. */
type Outcome = number;

class Mtest {
  constructor(private readonly m: ModuleContext) {}

  private log(where: string, text: string): void {
    this.m.printk(`[mtest${where ? `.${where}` : ''}] ${text}`);
  }

  /** The process a command is about: PID's, or the writer's. */
  private target(where: string, pidArg: string | undefined): Task | number {
    if (pidArg === undefined) return this.m.current();
    const pid = /^[0-9]+$/.test(pidArg) ? Number(pidArg) : NaN;
    if (!Number.isSafeInteger(pid)) {
      this.log(where, `bad pid '${pidArg}'`);
      return -EINVAL;
    }
    const t = this.m.kernel.tasks.get(pid);
    if (t === undefined) {
      this.log(where, `no process with PID = ${pid}`);
      return -ESRCH;
    }
    return t;
  }

  private mmOf(where: string, t: Task): MmStruct | null {
    if (t.mm === null || t.mm.dead) {
      this.log(where, `${t.comm}, PID = ${t.pid} has no address space`);
      return null;
    }
    return t.mm;
  }

  /** One command line; 0 or -errno. */
  run(line: string): Outcome {
    this.log('', `Got command: ${line}`);
    const [cmd, ...args] = line.split(/\s+/);
    switch (cmd) {
      case 'listvma':
        if (args.length > 1) break;
        return this.listvma(args[0]);
      case 'findpage':
        if (args.length < 1 || args.length > 2) break;
        return this.findpage(args[0]!, args[1]);
      case 'writeval':
        if (args.length < 2 || args.length > 3) break;
        return this.writeval(args[0]!, args[1]!, args[2]);
    }
    this.log('', `unknown command or wrong arguments: '${line}' (commands: ${USAGE.trim().split('\n').join(' | ')})`);
    return -EINVAL;
  }

  /** for_each_process: each process with an mm, its VMAs in address order. */
  private listvma(pidArg: string | undefined): Outcome {
    let tasks: Task[];
    if (pidArg === undefined) {
      tasks = [...this.m.kernel.tasks.values()].sort((a, b) => a.pid - b.pid);
    } else {
      const t = this.target('listvma', pidArg);
      if (typeof t === 'number') return t;
      tasks = [t];
    }
    for (const t of tasks) {
      if (t.mm === null || t.mm.dead) continue;
      this.log('listvma', `Process = ${t.comm}, PID = ${t.pid}`);
      for (const v of t.mm.vmas) this.log('listvma', `${hex(v.vmStart)} ${hex(v.vmEnd)} ${permString(v.vmFlags)}`);
    }
    return 0;
  }

  private findpage(addrArg: string, pidArg: string | undefined): Outcome {
    const vaddr = parseUlong(addrArg);
    if (vaddr === null) {
      this.log('findpage', `bad address '${addrArg}'`);
      return -EINVAL;
    }
    const t = this.target('findpage', pidArg);
    if (typeof t === 'number') return t;
    this.log('findpage', `vaddr = ${hex(vaddr)}`);
    this.log('findpage', `pgtable_l5_enabled = ${this.m.kernel.mm.levels === 5 ? 1 : 0}`);
    this.log('findpage', `current = ${t.comm}, PID = ${t.pid}`);
    const mm = this.mmOf('findpage', t);
    if (mm === null) return -EINVAL;
    if (vaddr >= mm.taskSize) {
      this.log('findpage', `${hex(vaddr)} is not a user address (TASK_SIZE = ${hex(mm.taskSize)})`);
      this.log('findpage', 'translation not found');
      return 0;
    }
    const w = walkUserVa(this.m.kernel.mm, mm, vaddr);
    for (const s of w.steps) {
      this.log('findpage', `${s.level}_val = ${hex(s.val)}`);
      this.log('findpage', `${s.level}_index = ${s.index}`);
    }
    if (w.missing !== null) {
      this.log('findpage', `not mapped in ${w.missing}`);
      this.log('findpage', 'translation not found');
      return 0;
    }
    this.reportPage(w, vaddr);
    return 0;
  }

  private reportPage(w: UserWalk, vaddr: number): void {
    const leaf = w.steps[w.steps.length - 1]!.level;
    if (leaf !== 'pte') this.log('findpage', `${leaf} maps a ${w.pageSize >= 1 << 30 ? '1G' : '2M'} page (huge)`);
    this.log('findpage', `page_addr = ${hex(w.pageAddr)}, page_offset = ${hex(w.phys - w.pageAddr)}`);
    this.log('findpage', `vaddr = ${hex(vaddr)} -> paddr = ${hex(w.phys)}`);
  }

  private writeval(addrArg: string, valArg: string, pidArg: string | undefined): Outcome {
    const vaddr = parseUlong(addrArg);
    const val = parseUlong(valArg);
    if (vaddr === null || val === null || val > 0xff) {
      this.log('writeval', vaddr === null ? `bad address '${addrArg}'` : `bad value '${valArg}' (one byte: 0..0xff)`);
      return -EINVAL;
    }
    const t = this.target('writeval', pidArg);
    if (typeof t === 'number') return t;
    const mm = this.mmOf('writeval', t);
    if (mm === null) return -EINVAL;
    const vma = mm.vmas.vmaLookup(vaddr);
    if (vma === null) {
      this.log('writeval', 'vma not found');
      return -EINVAL;
    }
    if ((vma.vmFlags & VM_WRITE) === 0) {
      this.log('writeval', 'vma has no write permission');
      return -EINVAL;
    }
    const kmm = this.m.kernel.mm;
    const before = walkUserVa(kmm, mm, vaddr);
    // copy_to_user into t's mm: a write fault through handle_mm_fault when the
    // page is absent or write-protected (copy-on-write), as access_process_vm does.
    if (kmm.copyToUser(mm, vaddr, Uint8Array.of(val)) !== 0) {
      this.log('writeval', `cannot write at ${hex(vaddr)}`);
      return -EINVAL;
    }
    const after = walkUserVa(kmm, mm, vaddr);
    this.log('writeval', 'found');
    this.log('writeval', `wrote ${hex(val)} at vaddr = ${hex(vaddr)} -> paddr = ${hex(after.phys)} (${t.comm}, PID = ${t.pid})`);
    if (before.missing === null && before.pageAddr !== after.pageAddr)
      this.log('writeval', `copy-on-write: the page at paddr ${hex(before.pageAddr)} was shared; the write went to a private copy at ${hex(after.pageAddr)}`);
    else if (before.missing !== null) this.log('writeval', `the page was not present: faulted in at ${hex(after.pageAddr)}`);
    return 0;
  }
}

function fops(m: ModuleContext): FileOperations {
  const mt = new Mtest(m);
  return {
    read: (_f: File, buf: Uint8Array, ppos: Loff): number => {
      const usage = new TextEncoder().encode(USAGE);
      if (ppos.pos >= usage.length) return 0;
      const n = Math.min(buf.length, usage.length - ppos.pos);
      buf.set(usage.subarray(ppos.pos, ppos.pos + n));
      ppos.pos += n;
      return n;
    },
    write: (_f: File, data: Uint8Array, ppos: Loff): number => {
      const lines = new TextDecoder().decode(data).split('\n').map((l) => l.trim()).filter((l) => l !== '');
      for (const line of lines) {
        const r = mt.run(line);
        if (r < 0) return r;
      }
      ppos.pos += data.length;
      return data.length;
    },
  };
}

const mtest: KernelModule = {
  name: 'mtest',
  description: '/proc/mtest: listvma [PID], findpage ADDR [PID], writeval ADDR VAL [PID]; output in dmesg',
  license: 'GPL',
  init(m) {
    const r = m.procCreate('mtest', fops(m), 0o666);
    if (typeof r === 'number') {
      m.printk(`[mtest] cannot create /proc/mtest (${r})`);
      return r;
    }
    m.printk('[mtest] /proc/mtest created');
    return 0;
  },
  exit(m) {
    m.printk('[mtest] /proc/mtest removed');
  },
};
export default mtest;
