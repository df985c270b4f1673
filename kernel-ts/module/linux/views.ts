// The kernel's objects as a module sees them: task_struct, mm_struct,
// vm_area_struct, file and inode with Linux's field names, bigint where the
// C field is 64-bit (include/sched.d.ts, mm_types.d.ts, fs_types.d.ts).
//
// A view holds its kernel object and reads it on every access, so it is
// never stale; writable fields write the kernel object itself. Views are
// cached per kernel object (WeakMap), so the same object always gives the
// same view and a module can compare pointers as C does (`vma === prev`).
// The cache is per kernel: two kernels in one process share nothing.
//
// The other areas of vmlab/linux go both ways through the exported
// functions: taskView(env, task) ... and taskOf(view) ... for the internal
// object behind a view (undefined for anything that is not a view).
import type { Kernel } from '../../kernel';
import type { Task } from '../../proc/task';
import { EXIT_DEAD, EXIT_ZOMBIE } from '../../proc/task';
import type { MmStruct } from '../../mm/mm-struct';
import type { VmAreaStruct, VmOperations } from '../../mm/vma';
import { vmPageProtHi, vmPageProtLo } from '../../mm/prot';
import { PTE_PCD, PTE_PS, PTE_PWT } from '../../../emu/machine/mmu/paging';
import { KERN_WARNING } from '../../printk';
import { File, O_ACCMODE, O_RDWR, O_WRONLY } from '../../fs/file';
import { Inode } from '../../fs/inode';
import { kvaToBigint } from '../../mm/kaddr';
import type { LinuxEnv } from './env';
import type { task_struct } from './include/sched';
import type { mm_struct, vm_area_struct, vm_operations_struct } from './include/mm_types';
import type { file, inode } from './include/fs_types';

/** Linux TASK_DEAD: __state of a task that has exited (exit_state says zombie or dead). */
export const TASK_DEAD = 0x80;
/** Linux PF_KTHREAD (task_struct.flags). */
export const PF_KTHREAD = 0x00200000;

/** The views of one kernel, by kernel object. */
interface ViewCache {
  readonly objs: WeakMap<object, object>;
}
const caches = new WeakMap<Kernel, ViewCache>();

function cacheOf(k: Kernel): ViewCache {
  let c = caches.get(k);
  if (c === undefined) {
    c = { objs: new WeakMap() };
    caches.set(k, c);
  }
  return c;
}

function cached<O extends object, V extends object>(k: Kernel, obj: O, make: () => V): V {
  const c = cacheOf(k);
  let v = c.objs.get(obj) as V | undefined;
  if (v === undefined) {
    v = make();
    c.objs.set(obj, v);
  }
  return v;
}

// ---- task_struct -----------------------------------------------------------

class TaskView implements task_struct {
  constructor(
    private readonly k: Kernel,
    readonly task: Task,
  ) {}
  get pid(): number {
    return this.task.pid;
  }
  get tgid(): number {
    return this.task.tgid;
  }
  get comm(): string {
    return this.task.comm;
  }
  get mm(): mm_struct | null {
    return this.task.mm === null || this.task.mm.dead ? null : mmViewK(this.k, this.task.mm);
  }
  get active_mm(): mm_struct | null {
    return this.mm;
  }
  get parent(): task_struct | null {
    return this.task.parent === null ? null : taskViewK(this.k, this.task.parent);
  }
  get real_parent(): task_struct | null {
    return this.parent;
  }
  get __state(): number {
    const s = this.task.state;
    return s === EXIT_ZOMBIE || s === EXIT_DEAD ? TASK_DEAD : s;
  }
  get state(): number {
    return this.__state;
  }
  get exit_state(): number {
    const s = this.task.state;
    return s === EXIT_ZOMBIE || s === EXIT_DEAD ? s : 0;
  }
  get flags(): number {
    return 0;
  }
}

/**
 * A kernel thread's task_struct (kthread.d.ts): no mm, PF_KTHREAD, parent
 * kthreadd (absent here: null). Its pid is the kthread's own.
 */
export class KthreadTaskView implements task_struct {
  readonly mm = null;
  readonly active_mm = null;
  readonly parent = null;
  readonly real_parent = null;
  readonly flags = PF_KTHREAD;
  readonly exit_state = 0;
  /** TASK_RUNNING while it runs, TASK_INTERRUPTIBLE while it sleeps, TASK_DEAD once stopped. */
  __state = 0;
  constructor(
    readonly pid: number,
    readonly comm: string,
  ) {}
  get tgid(): number {
    return this.pid;
  }
  get state(): number {
    return this.__state;
  }
}

function taskViewK(k: Kernel, t: Task): task_struct {
  return cached(k, t, () => new TaskView(k, t));
}

/** The task_struct of a kernel task. */
export function taskView(env: LinuxEnv, t: Task): task_struct {
  return taskViewK(env.kernel, t);
}

/** The kernel task behind a task_struct view (undefined for a kernel thread's or a non-view). */
export function taskOf(v: task_struct): Task | undefined {
  return v instanceof TaskView ? v.task : undefined;
}

// ---- mm_struct -------------------------------------------------------------

class MmView implements mm_struct {
  constructor(
    private readonly k: Kernel,
    readonly mm: MmStruct,
  ) {}
  get pgd(): bigint {
    return kvaToBigint(this.k.mm.physToVirt(this.mm.pgd));
  }
  get mmap_base(): bigint {
    return BigInt(this.mm.mmapBase);
  }
  get mmap_legacy_base(): bigint {
    return BigInt(this.mm.mmapLegacyBase);
  }
  get task_size(): bigint {
    return BigInt(this.mm.taskSize);
  }
  get start_code(): bigint {
    return BigInt(this.mm.startCode);
  }
  get end_code(): bigint {
    return BigInt(this.mm.endCode);
  }
  get start_data(): bigint {
    return BigInt(this.mm.startData);
  }
  get end_data(): bigint {
    return BigInt(this.mm.endData);
  }
  get start_brk(): bigint {
    return BigInt(this.mm.startBrk);
  }
  get brk(): bigint {
    return BigInt(this.mm.brk);
  }
  get start_stack(): bigint {
    return BigInt(this.mm.startStack);
  }
  get arg_start(): bigint {
    return BigInt(this.mm.argStart);
  }
  get arg_end(): bigint {
    return BigInt(this.mm.argEnd);
  }
  get env_start(): bigint {
    return BigInt(this.mm.envStart);
  }
  get env_end(): bigint {
    return BigInt(this.mm.envEnd);
  }
  get total_vm(): bigint {
    return BigInt(this.mm.totalVm);
  }
  get locked_vm(): bigint {
    return BigInt(this.mm.lockedVm);
  }
  get data_vm(): bigint {
    return BigInt(this.mm.dataVm);
  }
  get exec_vm(): bigint {
    return BigInt(this.mm.execVm);
  }
  get stack_vm(): bigint {
    return BigInt(this.mm.stackVm);
  }
  get hiwater_rss(): bigint {
    return BigInt(Math.max(this.mm.hiwaterRss, this.mm.rss));
  }
  get hiwater_vm(): bigint {
    return BigInt(Math.max(this.mm.hiwaterVm, this.mm.totalVm));
  }
  get map_count(): number {
    return this.mm.vmas.length;
  }
  get mm_users(): number {
    return this.mm.users;
  }
}

function mmViewK(k: Kernel, mm: MmStruct): mm_struct {
  return cached(k, mm, () => new MmView(k, mm));
}

/** The mm_struct of a kernel address space. */
export function mmView(env: LinuxEnv, mm: MmStruct): mm_struct {
  return mmViewK(env.kernel, mm);
}

/** The kernel MmStruct behind an mm_struct view (undefined for a non-view). */
export function mmOf(v: mm_struct): MmStruct | undefined {
  return v instanceof MmView ? v.mm : undefined;
}

// ---- vm_area_struct ----------------------------------------------------------

/** The Linux vm_operations_struct a kernel VmOperations was made from (vmOpsAdapter). */
const linuxOps = new WeakMap<VmOperations, vm_operations_struct>();

/**
 * Builds the kernel's VmOperations for a driver's vm_operations_struct: the
 * adapter the kernel calls. The fault member is the mmap-driver area's
 * (mm.ts: struct vm_fault and the VM_FAULT_* answers); it registers it with
 * setVmFaultAdapter. Until then a VMA with ops.fault is refused by vm_ops's
 * setter.
 */
export interface VmOpsAdapters {
  fault?: (k: Kernel, ops: vm_operations_struct, vma: VmAreaStruct, address: number, flags: number) => number;
}
const adapters = new WeakMap<Kernel, VmOpsAdapters>();

/** Where the mmap-driver area plugs in its fault translation for kernel k. */
export function vmOpsAdapters(k: Kernel): VmOpsAdapters {
  let a = adapters.get(k);
  if (a === undefined) {
    a = {};
    adapters.set(k, a);
  }
  return a;
}

function toKernelOps(k: Kernel, ops: vm_operations_struct, name: string): VmOperations {
  const kops: VmOperations = {
    name,
    ...(ops.open !== undefined && { open: (v: VmAreaStruct) => ops.open!(vmaViewK(k, v)) }),
    ...(ops.close !== undefined && { close: (v: VmAreaStruct) => ops.close!(vmaViewK(k, v)) }),
    ...(ops.fault !== undefined && {
      fault: (v: VmAreaStruct, address: number, flags: number) => {
        const f = vmOpsAdapters(k).fault;
        if (f === undefined) throw new Error(`${name}: vm_ops fault handlers need the mmap-driver area (mm.ts)`);
        return f(k, ops, v, address, flags);
      },
    }),
  };
  linuxOps.set(kops, ops);
  return kops;
}

/** _PAGE_CACHE_MASK of a 4 KiB PTE: PWT, PCD and PAT (bit 7, the PS position of a PTE). */
const CACHE_MASK = BigInt(PTE_PWT | PTE_PCD | PTE_PS);

class VmaView implements vm_area_struct {
  constructor(
    private readonly k: Kernel,
    readonly vma: VmAreaStruct,
    private owner: MmStruct | null,
  ) {}
  get vm_start(): bigint {
    return BigInt(this.vma.vmStart);
  }
  get vm_end(): bigint {
    return BigInt(this.vma.vmEnd);
  }
  get vm_flags(): bigint {
    return BigInt(this.vma.vmFlags >>> 0);
  }
  set vm_flags(f: bigint) {
    if (typeof f !== 'bigint' || f < 0n || f > 0xffffffffn) throw new TypeError(`vm_flags: 0x${f.toString(16)} is not a VM_* bit set`);
    this.vma.vmFlags = Number(f);
  }
  get vm_page_prot(): bigint {
    return (BigInt(vmPageProtHi(this.vma.vmFlags) >>> 0) << 32n) | BigInt((vmPageProtLo(this.vma.vmFlags) | this.vma.vmPageProtCache) >>> 0);
  }
  /**
   * vma->vm_page_prot = prot: the cache-mode bits (PWT, PCD, PAT) are the
   * VMA's from now on (its faults' PTEs carry them); the other bits follow
   * vm_flags, and a value that differs there is a WARN (what the kernel keeps
   * is said in it).
   */
  set vm_page_prot(prot: bigint) {
    if (typeof prot !== 'bigint') throw new TypeError(`vm_page_prot: ${typeof prot} is not a pgprot_t`);
    this.vma.vmPageProtCache = Number(prot & CACHE_MASK);
    const rest = prot & ~CACHE_MASK & 0xffffffffffffffffn;
    const follows = this.vm_page_prot & ~CACHE_MASK;
    if (rest !== follows) {
      const log = (t: string): void => this.k.printk.log(t, KERN_WARNING);
      log('------------[ cut here ]------------');
      log(`vm_page_prot = 0x${prot.toString(16)}: only the cache-mode bits (_PAGE_PWT, _PAGE_PCD, _PAGE_PAT) are kept; the others follow vm_flags (0x${follows.toString(16)})`);
      log(`WARNING: CPU: 0 PID: ${this.k.current?.pid ?? 0} at mm/mmap.c vma_set_page_prot`);
    }
  }
  get vm_pgoff(): bigint {
    return BigInt(this.vma.vmPgoff);
  }
  set vm_pgoff(p: bigint) {
    // Up to 2^53 pages: a driver may keep a kernel address >> PAGE_SHIFT there (the mmap labs' fault handlers do).
    if (typeof p !== 'bigint' || p < 0n || p > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(`vm_pgoff: ${String(p)} is out of range`);
    this.vma.vmPgoff = Number(p);
  }
  get vm_ops(): vm_operations_struct | null {
    const o = this.vma.vmOps;
    if (o === null) return null;
    return linuxOps.get(o) ?? (cached(this.k, o, () => Object.freeze({ name: () => o.name })) as vm_operations_struct);
  }
  set vm_ops(ops: vm_operations_struct | null) {
    this.vma.vmOps = ops === null ? null : toKernelOps(this.k, ops, this.vma.vmOps?.name ?? 'vm_ops');
  }
  get vm_private_data(): unknown {
    return this.vma.vmPrivateData;
  }
  set vm_private_data(d: unknown) {
    this.vma.vmPrivateData = d;
  }
  get vm_mm(): mm_struct {
    return mmViewK(this.k, this.ownerMm());
  }
  get vm_file(): file | null {
    const f = this.vma.vmOpenFile;
    return f instanceof File ? fileViewK(this.k, f) : null;
  }

  /** The mm holding the VMA: the one it was looked up in, else the task whose VMA set has it. */
  private ownerMm(): MmStruct {
    if (this.owner !== null && this.owner.vmas.vmaLookup(this.vma.vmStart) === this.vma) return this.owner;
    for (const t of this.k.tasks.values()) {
      const mm = t.mm;
      if (mm !== null && mm.vmas.vmaLookup(this.vma.vmStart) === this.vma) return (this.owner = mm);
    }
    if (this.owner !== null) return this.owner;
    throw new Error(`vm_mm: VMA [0x${this.vma.vmStart.toString(16)}, 0x${this.vma.vmEnd.toString(16)}) belongs to no address space`);
  }
}

function vmaViewK(k: Kernel, vma: VmAreaStruct, mm: MmStruct | null = null): vm_area_struct {
  return cached(k, vma, () => new VmaView(k, vma, mm));
}

/** The vm_area_struct of a kernel VMA; mm, when known, is the address space it is in (vm_mm). */
export function vmaView(env: LinuxEnv, vma: VmAreaStruct, mm: MmStruct | null = null): vm_area_struct {
  return vmaViewK(env.kernel, vma, mm);
}

/** The kernel VmAreaStruct behind a vm_area_struct view (undefined for a non-view). */
export function vmaOf(v: vm_area_struct): VmAreaStruct | undefined {
  return v instanceof VmaView ? v.vma : undefined;
}

// ---- file and inode ----------------------------------------------------------

/** Linux FMODE_READ / FMODE_WRITE. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

class FileView implements file {
  constructor(
    private readonly k: Kernel,
    readonly file: File,
  ) {}
  get f_pos(): bigint {
    return BigInt(this.file.pos);
  }
  set f_pos(p: bigint) {
    if (typeof p !== 'bigint' || p < 0n || p > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(`f_pos: ${String(p)} is out of range`);
    this.file.pos = Number(p);
  }
  get f_flags(): number {
    return this.file.flags;
  }
  set f_flags(f: number) {
    this.file.flags = f;
  }
  get f_mode(): number {
    const acc = this.file.flags & O_ACCMODE;
    return (acc === O_WRONLY ? 0 : FMODE_READ) | (acc === O_WRONLY || acc === O_RDWR ? FMODE_WRITE : 0);
  }
  get f_inode(): inode {
    return inodeViewK(this.k, this.file.inode);
  }
  get private_data(): unknown {
    return this.file.private;
  }
  set private_data(d: unknown) {
    this.file.private = d;
  }
}

class InodeView implements inode {
  constructor(readonly inode: Inode) {}
  get i_ino(): bigint {
    return BigInt(this.inode.ino);
  }
  get i_mode(): number {
    return this.inode.mode;
  }
  get i_rdev(): number {
    return this.inode.rdev;
  }
  get i_nlink(): number {
    return this.inode.nlink;
  }
  get i_size(): bigint {
    return BigInt(this.inode.size);
  }
  get i_private(): unknown {
    return this.inode.private;
  }
  set i_private(d: unknown) {
    this.inode.private = d;
  }
}

function fileViewK(k: Kernel, f: File): file {
  return cached(k, f, () => new FileView(k, f));
}

function inodeViewK(k: Kernel, i: Inode): inode {
  return cached(k, i, () => new InodeView(i));
}

/** The struct file of an open file. */
export function fileView(env: LinuxEnv, f: File): file {
  return fileViewK(env.kernel, f);
}

/** The struct inode of an inode. */
export function inodeView(env: LinuxEnv, i: Inode): inode {
  return inodeViewK(env.kernel, i);
}

/** The kernel File behind a struct file view (undefined for a non-view). */
export function fileOf(v: file): File | undefined {
  return v instanceof FileView ? v.file : undefined;
}

/** The kernel Inode behind a struct inode view (undefined for a non-view). */
export function inodeOf(v: inode): Inode | undefined {
  return v instanceof InodeView ? v.inode : undefined;
}
