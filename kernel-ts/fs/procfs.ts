// /proc (Linux fs/proc): per-process directories made on lookup, /proc/self,
// and the system files: meminfo, buddyinfo, the sysctls sys/vm/drop_caches,
// sys/vm/mmap_min_addr and sys/vm/max_map_count. Drivers add
// their own entries with procCreate (Linux proc_create).
//
//   /proc/PID/maps     show_map_vma() lines (kernel-ts/mm/vma.ts)
//   /proc/PID/pagemap  8 bytes per virtual page, read at offset vpn * 8
//   /proc/PID/status   proc_pid_status(), Linux's field order, tab separated
//   /proc/PID/smaps_rollup  show_smaps_rollup(): Rss, Pss, Anonymous, AnonHugePages (kernel-ts/mm/introspect.ts)
//   /proc/PID/comm     the command name and a newline
//   /proc/PID/limits   proc_pid_limits(): the resource limits, soft and hard
import { entryPathParts } from './entry-name';
import type { File, FileOperations, Loff } from './file';
import { anyPositionLlseek } from './file';
import { Inode, SuperBlock, childPath, mkdirInode } from './inode';
import type { InodeOperations } from './inode';
import { MAY_READ } from './inode';
import { lookupChild } from './namei';
import { dirOps } from './ramfs';
import { seqFileOps } from './seq';
import type { ShowResult } from './seq';
import { S_IFLNK, S_IFREG } from './stat';
import type { VfsKernel } from './deps';
import type { Task } from '../proc/task';
import { EXIT_ZOMBIE, TASK_INTERRUPTIBLE } from '../proc/task';
import { SIG_DFL, SIG_IGN, NSIG } from '../proc/signal-defs';
import { USER_GID, USER_UID } from '../proc/creds';
import { showMaps } from '../mm/vma';
import { PAGE_SIZE } from '../mm/page';
import { EACCES, EEXIST, EINVAL, ENOENT, ENOTDIR } from '../errno';
import { RLIMIT_SIGPENDING, RLIM_INFINITY, RLIM_NLIMITS } from '../resource';
import type { Rlimits } from '../resource';

/** Bytes per /proc/PID/pagemap entry (PM_ENTRY_BYTES). */
export const PM_ENTRY_BYTES = 8;

/** drop_caches values (mm/drop_caches.c): 1 page cache, 2 slab, 4 silences the log line. */
export const DROP_PAGECACHE = 1;
export const DROP_SLAB = 2;
export const DROP_QUIET = 4;
/** proc_dointvec_minmax's range for drop_caches: 1..4. */
export const DROP_MAX = 4;

// Linux's full capability set (CAP_LAST_CAP = 40): the bounding set. vmlab's
// processes run as uid 1000 with no capability (creds.ts).
const CAP_FULL = '000001ffffffffff';
const CAP_NONE = '0000000000000000';

export class ProcFs {
  readonly sb: SuperBlock;
  readonly root: Inode;
  private readonly pidDirs = new WeakMap<Task, Inode>();
  // Once 4 is written, drop_caches stops logging (mm/drop_caches.c's stfu).
  private dropCachesQuiet = false;

  constructor(
    private readonly k: VfsKernel,
    dev: number,
    parent: Inode,
  ) {
    this.sb = new SuperBlock('proc', dev, false);
    this.root = new Inode(this.sb, 0o040555, dirOps, '/proc', parent);
    this.root.iop = {
      lookup: (_dir, name) => this.lookupPid(name),
      readdir: () => [...this.k.tasks.keys()].sort((a, b) => a - b).map(String),
    };
    const self = this.root.link('self', new Inode(this.sb, S_IFLNK | 0o777, {}, '/proc/self', this.root));
    self.iop = { getLink: () => (this.k.current ? String(this.k.current.tgid) : null) };
    this.createSingle('meminfo', () => this.k.mm.meminfo());
    this.createSingle('buddyinfo', () => this.k.mm.buddyinfo());
    const mm = this.k.mm;
    if (mm.vmstat !== undefined) this.createSingle('vmstat', () => mm.vmstat!());
    this.createDropCaches();
    this.createMmapMinAddr();
    this.createMaxMapCount();
  }

  /**
   * proc_create(): a file at `path` under /proc ('mtest', 'driver/x' or
   * '/proc/mtest'), directories made as needed. The inode, or -EEXIST,
   * -ENOTDIR, -EINVAL (not an entry's name: entry-name.ts).
   */
  create(path: string, fops: FileOperations, mode = 0o444): Inode | number {
    const checked = entryPathParts('/proc', path);
    if ('why' in checked) return -EINVAL;
    const { parts } = checked;
    let dir = this.root;
    for (const name of parts.slice(0, -1)) {
      const next = lookupChild(dir, name) ?? mkdirInode(dir, name, dirOps, 0o555);
      if (!next.isDir) return -ENOTDIR;
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (lookupChild(dir, name)) return -EEXIST;
    return dir.link(name, new Inode(this.sb, S_IFREG | (mode & 0o7777), fops, childPath(dir, name), dir));
  }

  /** proc_create_single(): a read-only file whose text `show` produces. */
  createSingle(path: string, show: (file: File) => ShowResult, mode = 0o444): Inode | number {
    return this.create(path, seqFileOps(show), mode);
  }

  /** remove_proc_entry(): 0 or -ENOENT. */
  remove(path: string): number {
    const parts = path.replace(/^\/proc\/?/, '').split('/').filter((p) => p !== '');
    let dir: Inode | null = this.root;
    for (const name of parts.slice(0, -1)) dir = dir?.children?.get(name) ?? null;
    const name = parts[parts.length - 1];
    if (!dir?.children || name === undefined || !dir.children.delete(name)) return -ENOENT;
    return 0;
  }

  private lookupPid(name: string): Inode | null {
    if (!/^[1-9][0-9]*$/.test(name)) return null;
    const task = this.k.tasks.get(Number(name));
    if (!task) return null;
    let dir = this.pidDirs.get(task);
    if (!dir) {
      dir = new Inode(this.sb, 0o040555, dirOps, `/proc/${task.pid}`, this.root);
      dir.private = task;
      this.addPidFile(dir, 'maps', seqFileOps(() => this.showMaps(task)));
      this.addPidFile(dir, 'status', seqFileOps(() => this.showStatus(task)));
      this.addPidFile(dir, 'smaps_rollup', seqFileOps(() => (task.mm && this.k.mm.smapsRollup ? this.k.mm.smapsRollup(task.mm) : '')), 0o444);
      this.addPidFile(dir, 'comm', seqFileOps(() => `${task.comm}\n`), 0o644);
      this.addPidFile(dir, 'pagemap', this.pagemapOps(task), 0o400);
      this.addPidFile(dir, 'limits', seqFileOps(() => procPidLimits(task.rlim)));
      this.pidDirs.set(task, dir);
    }
    return dir;
  }

  private addPidFile(dir: Inode, name: string, fops: FileOperations, mode = 0o444): void {
    const inode = dir.link(name, new Inode(this.sb, S_IFREG | mode, fops, childPath(dir, name), dir));
    inode.private = dir.private;
  }

  private showMaps(task: Task): ShowResult {
    return task.mm ? showMaps(task.mm.vmas) : '';
  }

  /** proc_pid_status() (fs/proc/array.c): Linux's lines in Linux's order. */
  showStatus(task: Task): string {
    const state =
      task.state === EXIT_ZOMBIE ? 'Z (zombie)' : task.state === TASK_INTERRUPTIBLE ? 'S (sleeping)' : 'R (running)';
    const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
    let ignored = 0n;
    let caught = 0n;
    for (let s = 1; s <= NSIG; s++) {
      const h = task.sighand.action[s]!.handler;
      if (h === SIG_IGN) ignored |= 1n << BigInt(s - 1);
      else if (h !== SIG_DFL) caught |= 1n << BigInt(s - 1);
    }
    const lines = [
      `Name:\t${task.comm}`,
      'Umask:\t0022',
      `State:\t${state}`,
      `Tgid:\t${task.tgid}`,
      'Ngid:\t0',
      `Pid:\t${task.pid}`,
      `PPid:\t${task.ppid}`,
      'TracerPid:\t0',
      `Uid:\t${USER_UID}\t${USER_UID}\t${USER_UID}\t${USER_UID}`,
      `Gid:\t${USER_GID}\t${USER_GID}\t${USER_GID}\t${USER_GID}`,
      'FDSize:\t64',
      'Groups:\t ',
      `NStgid:\t${task.tgid}`,
      `NSpid:\t${task.pid}`,
      `NSpgid:\t${task.tgid}`,
      `NSsid:\t${task.tgid}`,
      'Kthread:\t0',
    ];
    let s = lines.join('\n') + '\n';
    if (task.mm) s += this.k.mm.status(task.mm) + 'CoreDumping:\t0\nTHP_enabled:\t1\n';
    s += [
      'Threads:\t1',
      `SigQ:\t0/${task.rlim.get(RLIMIT_SIGPENDING).cur}`,
      `SigPnd:\t${hex(task.pending.signal)}`,
      `ShdPnd:\t${hex(0n)}`,
      `SigBlk:\t${hex(task.blocked)}`,
      `SigIgn:\t${hex(ignored)}`,
      `SigCgt:\t${hex(caught)}`,
      `CapInh:\t${CAP_NONE}`,
      `CapPrm:\t${CAP_NONE}`,
      `CapEff:\t${CAP_NONE}`,
      `CapBnd:\t${CAP_FULL}`,
      `CapAmb:\t${CAP_NONE}`,
      'NoNewPrivs:\t0',
      'Seccomp:\t0',
      'Seccomp_filters:\t0',
      'Speculation_Store_Bypass:\tnot vulnerable',
      'SpeculationIndirectBranch:\tunknown',
      'Cpus_allowed:\t1',
      'Cpus_allowed_list:\t0',
      'Mems_allowed:\t1',
      'Mems_allowed_list:\t0',
      'voluntary_ctxt_switches:\t0',
      'nonvoluntary_ctxt_switches:\t0',
    ].join('\n');
    return s + '\n';
  }

  /**
   * pagemap_read(): position and count must be multiples of 8 (-EINVAL);
   * entry i of a read is the page at (pos / 8 + i) * 4096; reads end at TASK_SIZE.
   */
  private pagemapOps(task: Task): FileOperations {
    return {
      read: (_file: File, buf: Uint8Array, ppos: Loff): number => {
        if (ppos.pos % PM_ENTRY_BYTES !== 0 || buf.length % PM_ENTRY_BYTES !== 0) return -EINVAL;
        const mm = task.mm;
        if (!mm || buf.length === 0) return 0;
        const vpn = ppos.pos / PM_ENTRY_BYTES;
        const n = Math.min(buf.length / PM_ENTRY_BYTES, mm.taskSize / PAGE_SIZE - vpn);
        if (n <= 0) return 0;
        const view = new DataView(buf.buffer, buf.byteOffset, n * PM_ENTRY_BYTES);
        for (let i = 0; i < n; i++) view.setBigUint64(i * PM_ENTRY_BYTES, this.k.mm.pagemapEntry(mm, (vpn + i) * PAGE_SIZE), true);
        ppos.pos += n * PM_ENTRY_BYTES;
        return n * PM_ENTRY_BYTES;
      },
      llseek: anyPositionLlseek, // mem_lseek: any position, SEEK_SET and SEEK_CUR
    };
  }

  // vm.drop_caches (mm/drop_caches.c): mode 0200, so even root cannot read it
  // (sysctl checks its mode bits without a DAC override); a write of 1..4.
  private createDropCaches(): void {
    const iop: InodeOperations = { permission: (_i, mask) => (mask & MAY_READ ? -EACCES : 0) };
    const r = this.create('sys/vm/drop_caches', {
      write: (_file: File, data: Uint8Array, ppos: Loff): number => {
        // sysctl_writes_strict: a write that does not start at 0 is ignored.
        if (ppos.pos > 0) {
          ppos.pos += data.length;
          return data.length;
        }
        const m = /^\s*([+-]?\d+)\s*$/.exec(new TextDecoder().decode(data));
        const v = m ? Number(m[1]) : NaN;
        if (!(Number.isInteger(v) && v >= 1 && v <= DROP_MAX)) return -EINVAL;
        this.k.mm.dropCaches(v & (DROP_PAGECACHE | DROP_SLAB));
        this.dropCachesQuiet ||= (v & DROP_QUIET) !== 0;
        const t = this.k.current;
        if (!this.dropCachesQuiet) this.k.printk.log(`${t?.comm ?? 'swapper'} (${t?.pid ?? 0}): drop_caches: ${v}`);
        ppos.pos += data.length;
        return data.length;
      },
    }, 0o200);
    if (typeof r === 'number') throw new Error('cannot create /proc/sys/vm/drop_caches');
    r.iop = iop;
  }

  // vm.mmap_min_addr (security/min_addr.c, proc_doulongvec_minmax): reads give
  // the value as written, a write of one unsigned number sets it. Linux wants
  // CAP_SYS_RAWIO for the write; vmlab lets any writer set it, as it lets any
  // writer drop caches.
  private createMmapMinAddr(): void {
    const r = this.create('sys/vm/mmap_min_addr', seqFileOps(() => `${this.k.mm.mmapMinAddr}\n`, {
      write: (_file: File, data: Uint8Array, ppos: Loff): number => {
        // sysctl_writes_strict: a write that does not start at 0 is ignored.
        if (ppos.pos > 0) {
          ppos.pos += data.length;
          return data.length;
        }
        const v = parseSysctlUlong(new TextDecoder().decode(data));
        if (v < 0) return v;
        this.k.mm.mmapMinAddr = v;
        ppos.pos += data.length;
        return data.length;
      },
    }), 0o644);
    if (typeof r === 'number') throw new Error('cannot create /proc/sys/vm/mmap_min_addr');
  }

  // vm.max_map_count (mm/mmap.c, proc_dointvec_minmax with a minimum of 0):
  // reads give the value, a write of one number from 0 to INT_MAX sets it
  // (-EINVAL otherwise). Linux wants root for the write; vmlab lets any writer.
  private createMaxMapCount(): void {
    const r = this.create('sys/vm/max_map_count', seqFileOps(() => `${this.k.mm.maxMapCount}\n`, {
      write: (_file: File, data: Uint8Array, ppos: Loff): number => {
        if (ppos.pos > 0) {
          ppos.pos += data.length;
          return data.length;
        }
        const v = parseSysctlUlong(new TextDecoder().decode(data));
        if (v < 0) return v;
        if (v > INT_MAX) return -EINVAL;
        this.k.mm.maxMapCount = v;
        ppos.pos += data.length;
        return data.length;
      },
    }), 0o644);
    if (typeof r === 'number') throw new Error('cannot create /proc/sys/vm/max_map_count');
  }
}

/** Linux's lnames[] (fs/proc/base.c): each limit's name and unit in /proc/PID/limits. */
const LIMIT_NAMES: readonly (readonly [string, string | null])[] = [
  ['Max cpu time', 'seconds'],
  ['Max file size', 'bytes'],
  ['Max data size', 'bytes'],
  ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'],
  ['Max resident set', 'bytes'],
  ['Max processes', 'processes'],
  ['Max open files', 'files'],
  ['Max locked memory', 'bytes'],
  ['Max address space', 'bytes'],
  ['Max file locks', 'locks'],
  ['Max pending signals', 'signals'],
  ['Max msgqueue size', 'bytes'],
  ['Max nice priority', null],
  ['Max realtime priority', null],
  ['Max realtime timeout', 'us'],
];

/**
 * proc_pid_limits() (fs/proc/base.c): a header, then per limit
 * `%-25s %-20s %-20s %-10s\n` (name, soft, hard, unit; "unlimited" for
 * RLIM_INFINITY; a limit without a unit ends after the hard column's space).
 */
export function procPidLimits(rlim: Rlimits): string {
  let s = 'Limit                     Soft Limit           Hard Limit           Units     \n';
  const value = (v: bigint): string => (v === RLIM_INFINITY ? 'unlimited' : v.toString());
  for (let r = 0; r < RLIM_NLIMITS; r++) {
    const [name, unit] = LIMIT_NAMES[r]!;
    const { cur, max } = rlim.get(r);
    s += `${name.padEnd(25)} ${value(cur).padEnd(20)} ${value(max).padEnd(20)} ${unit === null ? '' : unit.padEnd(10)}\n`;
  }
  return s;
}

/** INT_MAX: the largest value proc_dointvec takes. */
const INT_MAX = 0x7fffffff;

/**
 * proc_doulongvec_minmax's parse of one value (proc_get_long): leading
 * blanks, then a number in C's base 0 (decimal, 0x hex, 0 octal) ending at a
 * blank or the end; what follows is ignored. -EINVAL for a sign, a bad digit,
 * no number, or (vmlab's limit on Linux's unsigned long) a value above 2^53 - 1.
 */
export function parseSysctlUlong(text: string): number {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?:\s|$)/.exec(text);
  if (m === null) return -EINVAL;
  const digits = m[1]!;
  const v = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -EINVAL : Number(v);
}
