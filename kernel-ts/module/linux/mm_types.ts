// <linux/mm_types.h> and <linux/mm.h>'s VMA functions, the mmap lock and the
// remote-access functions, over the kernel's MmStruct/VmaSet (the views of
// views.ts in and out).
import type { Kernel } from '../../kernel';
import type { MmStruct } from '../../mm/mm-struct';
import * as vma from '../../mm/vma';
import { mmput as kmmput } from '../../mm/fork';
import { followPte } from '../../mm/introspect';
import { PAGE_SIZE } from '../../mm/page';
import { EFAULT } from '../../errno';
import { KERN_WARNING } from '../../printk';
import { UTS_RELEASE } from '../../proc/uts';
import type { LinuxEnv } from './env';
import type { mm_struct, vm_area_struct, vma_iterator } from './include/mm_types';
import { mmOf, mmView, taskOf, vmaView } from './views';
import { callerFrame } from './bug';
import { currentIdentity } from './current';

/** FOLL_* gup flags (include/linux/mm.h). */
const FOLL_WRITE = 0x1;
const FOLL_FORCE = 0x10;

/** struct page * of a pfn: its address in the vmemmap array (VMEMMAP_START, 64-byte struct page). */
export function pfnToPagePtr(k: Kernel, pfn: number): bigint {
  return (k.mm.levels === 5 ? 0xffd4000000000000n : 0xffffea0000000000n) + BigInt(pfn) * 64n;
}

/** A user address argument as a number (addresses past 2^53 are beyond every TASK_SIZE: clamp there). */
function addr(a: bigint): number {
  if (typeof a !== 'bigint') throw new TypeError(`address ${String(a)} is not a bigint`);
  return a < 0n ? 0 : a > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(a);
}

function kmm(v: mm_struct): MmStruct {
  const m = mmOf(v);
  if (m === undefined) throw new TypeError('not a struct mm_struct of this kernel');
  return m;
}

// ---- lockdep for the mmap lock ---------------------------------------------------

interface Held {
  readonly mm: MmStruct;
  write: boolean;
  readonly at: string;
}
/** The mmap locks held in the running call, per kernel (one CPU: one call at a time). */
const heldLocks = new WeakMap<Kernel, Held[]>();

function held(k: Kernel): Held[] {
  let h = heldLocks.get(k);
  if (h === undefined) heldLocks.set(k, (h = []));
  return h;
}

function lockdepReport(env: LinuxEnv, title: string, body: string[]): void {
  const k = env.kernel;
  const bar = '='.repeat(title.length);
  const lines = ['', bar, title, `${UTS_RELEASE} #1 ${k.modules?.tainted ? 'Tainted: G           O' : 'Not tainted'}`, '-'.repeat(title.length), ...body];
  for (const l of lines) k.printk.log(l, KERN_WARNING);
}

/**
 * The end of a call into the module (returning to user space, a kthread step
 * done): lockdep_sys_exit's report of every mmap lock still held, which are
 * then dropped. The module loader calls it after each call; returns the
 * number of locks that were held.
 */
export function lockdepCallEnd(env: LinuxEnv): number {
  const h = held(env.kernel);
  if (h.length === 0) return 0;
  const { pid, comm } = currentIdentity(env);
  const who = `${comm}/${pid}`;
  lockdepReport(env, 'WARNING: lock held when returning to user space!', [
    `${who} is leaving the kernel with locks still held!`,
    `${h.length} lock${h.length === 1 ? '' : 's'} held by ${who}:`,
    ...h.map((l, i) => ` #${i}: (&mm->mmap_lock){${l.write ? '++++' : '.+.+'}}, at:${l.at}`),
  ]);
  const n = h.length;
  h.length = 0;
  return n;
}

export function mmTypesApi(env: LinuxEnv): typeof import('./include/mm_types') {
  const k = env.kernel;
  const view = (m: MmStruct, v: vma.VmAreaStruct | null): vm_area_struct | null => (v === null ? null : vmaView(env, v, m));
  const who = (): string => {
    const { pid, comm } = currentIdentity(env);
    return `${comm}/${pid}`;
  };

  const lock = (fn: (...a: never[]) => unknown, mmv: mm_struct, write: boolean): void => {
    const m = kmm(mmv);
    const h = held(k);
    const at = callerFrame(k, fn);
    const prev = h.find((l) => l.mm === m);
    if (prev !== undefined) {
      lockdepReport(env, 'WARNING: possible recursive locking detected', [
        `${who()} is trying to acquire lock:`,
        `(&mm->mmap_lock){++++}, at:${at}`,
        '',
        'but task is already holding lock:',
        `(&mm->mmap_lock){++++}, at:${prev.at}`,
      ]);
      return;
    }
    h.push({ mm: m, write, at });
  };

  const unlock = (fn: (...a: never[]) => unknown, mmv: mm_struct, write: boolean): void => {
    const m = kmm(mmv);
    const h = held(k);
    const i = h.findIndex((l) => l.mm === m && l.write === write);
    if (i < 0) {
      lockdepReport(env, 'WARNING: bad unlock balance detected!', [
        `${who()} is trying to release lock (&mm->mmap_lock) at:`,
        callerFrame(k, fn).trim(),
        'but there are no more locks to release!',
      ]);
      return;
    }
    h.splice(i, 1);
  };

  const next = (vmi: vma_iterator, max: number): vm_area_struct | null => {
    const m = kmm(vmi.mm);
    const v = m.vmas.findVma(addr(vmi.index));
    if (v === null || v.vmStart >= max) return null;
    vmi.index = BigInt(v.vmEnd);
    return view(m, v);
  };

  const api: typeof import('./include/mm_types') = {
    VM_NONE: BigInt(vma.VM_NONE),
    VM_READ: BigInt(vma.VM_READ),
    VM_WRITE: BigInt(vma.VM_WRITE),
    VM_EXEC: BigInt(vma.VM_EXEC),
    VM_SHARED: BigInt(vma.VM_SHARED),
    VM_MAYREAD: BigInt(vma.VM_MAYREAD),
    VM_MAYWRITE: BigInt(vma.VM_MAYWRITE),
    VM_MAYEXEC: BigInt(vma.VM_MAYEXEC),
    VM_MAYSHARE: BigInt(vma.VM_MAYSHARE),
    VM_GROWSDOWN: BigInt(vma.VM_GROWSDOWN),
    VM_PFNMAP: BigInt(vma.VM_PFNMAP),
    VM_LOCKED: BigInt(vma.VM_LOCKED),
    VM_IO: BigInt(vma.VM_IO),
    VM_DONTCOPY: BigInt(vma.VM_DONTCOPY),
    VM_DONTEXPAND: BigInt(vma.VM_DONTEXPAND),
    VM_ACCOUNT: BigInt(vma.VM_ACCOUNT),
    VM_NORESERVE: BigInt(vma.VM_NORESERVE),
    VM_DONTDUMP: BigInt(vma.VM_DONTDUMP),
    VM_SOFTDIRTY: BigInt(vma.VM_SOFTDIRTY),
    VM_MIXEDMAP: BigInt(vma.VM_MIXEDMAP),
    VM_HUGEPAGE: BigInt(vma.VM_HUGEPAGE),
    VM_NOHUGEPAGE: BigInt(vma.VM_NOHUGEPAGE),
    VM_SPECIAL: BigInt(vma.VM_SPECIAL),
    FOLL_WRITE,
    FOLL_FORCE,

    find_vma: (mmv, a) => {
      const m = kmm(mmv);
      return view(m, m.vmas.findVma(addr(a)));
    },
    vma_lookup: (mmv, a) => {
      const m = kmm(mmv);
      return view(m, m.vmas.vmaLookup(addr(a)));
    },
    find_vma_intersection: (mmv, start, end) => {
      const m = kmm(mmv);
      const s = addr(start);
      const e = addr(end);
      return s >= e ? null : view(m, m.vmas.findVmaIntersection(s, e));
    },
    vma_pages: (v) => (v.vm_end - v.vm_start) / BigInt(PAGE_SIZE),

    VMA_ITERATOR: (mm, a) => ({ mm, index: a }),
    vma_next: (vmi) => next(vmi, Number.MAX_SAFE_INTEGER),
    vma_find: (vmi, max) => next(vmi, addr(max)),
    for_each_vma: (vmi) => ({
      *[Symbol.iterator]() {
        for (let v = next(vmi, Number.MAX_SAFE_INTEGER); v !== null; v = next(vmi, Number.MAX_SAFE_INTEGER)) yield v;
      },
    }),

    mmap_read_lock: function mmap_read_lock(mm) {
      lock(api.mmap_read_lock, mm, false);
    },
    mmap_read_unlock: function mmap_read_unlock(mm) {
      unlock(api.mmap_read_unlock, mm, false);
    },
    mmap_write_lock: function mmap_write_lock(mm) {
      lock(api.mmap_write_lock, mm, true);
    },
    mmap_write_unlock: function mmap_write_unlock(mm) {
      unlock(api.mmap_write_unlock, mm, true);
    },
    mmap_read_trylock: function mmap_read_trylock(mm) {
      const m = kmm(mm);
      if (held(k).some((l) => l.mm === m && l.write)) return false;
      lock(api.mmap_read_trylock, mm, false);
      return true;
    },
    mmap_write_downgrade: function mmap_write_downgrade(mm) {
      const m = kmm(mm);
      const l = held(k).find((x) => x.mm === m && x.write);
      if (l === undefined) unlock(api.mmap_write_downgrade, mm, true);
      else l.write = false;
    },

    get_task_mm: (task) => {
      const t = taskOf(task);
      const m = t?.mm ?? null;
      if (m === null || m.dead) return null;
      m.users++;
      return mmView(env, m);
    },
    mmput: (mmv) => kmmput(k.mm, kmm(mmv)),
    access_process_vm: (tsk, a, buf, len, gup_flags) => {
      const m = taskOf(tsk)?.mm ?? null;
      const n = typeof len === 'bigint' ? Number(len) : len;
      if (m === null || m.dead || !(n >= 0) || n > buf.length) return 0;
      const start = addr(a);
      let done = 0;
      while (done < n) {
        const va = start + done;
        const l = Math.min(n - done, PAGE_SIZE - (va % PAGE_SIZE));
        if (gup_flags & FOLL_WRITE) {
          if (k.mm.uaccess.copyToUser(m, va, buf.subarray(done, done + l)) !== 0) break;
        } else {
          const b = k.mm.uaccess.copyFromUser(m, va, l);
          if (typeof b === 'number') break;
          buf.set(b, done);
        }
        done += l;
      }
      return done;
    },
    get_user_pages_remote: (mmv, start, nr_pages, gup_flags, pages) => {
      const m = kmm(mmv);
      const s = addr(start);
      if (s % PAGE_SIZE !== 0) return -EFAULT;
      let n = 0;
      for (; n < nr_pages; n++) {
        const va = s + n * PAGE_SIZE;
        const v = m.vmas.vmaLookup(va);
        // GUP refuses VM_IO/VM_PFNMAP mappings (check_vma_flags).
        if (v === null || (v.vmFlags & (vma.VM_IO | vma.VM_PFNMAP)) !== 0) break;
        // Fault the page in as the access would: a read, or a write of the byte as it is (breaking COW).
        const b = k.mm.uaccess.copyFromUser(m, va, 1);
        if (typeof b === 'number') break;
        if (gup_flags & FOLL_WRITE && k.mm.uaccess.copyToUser(m, va, b) !== 0) break;
        const p = followPte(k.mm, m, va);
        if (!p.present) break;
        // A reference for each page handed back; with no array the call only faults the pages in (Linux takes none).
        if (pages !== null) {
          k.mm.buddy.getPage(p.pfn);
          pages[n] = pfnToPagePtr(k, p.pfn);
        }
      }
      return n === 0 && nr_pages > 0 ? -EFAULT : n;
    },
  };
  return api;
}
