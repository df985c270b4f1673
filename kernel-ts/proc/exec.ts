// Loading a program (Linux fs/binfmt_elf.c load_elf_binary, fs/exec.c
// setup_arg_pages, arch/x86/mm/mmap.c's layout): a fresh mm with the ELF's
// PT_LOAD segments mapped from the file, brk after the bss, the vdso page and
// the initial stack. Nothing of the caller's old image is touched here: the
// new mm is complete or torn down, so a failed execve returns -errno to a
// caller that still has its old image (Linux's point of no return is after
// this). The one failure vmlab places where Linux meets it, past that point,
// is a segment below vm.mmap_min_addr (findLowSegment; execve.ts).
import { E2BIG, EFAULT, EINVAL, ENOMEM } from '../errno';
import { PAGE_SIZE } from '../mm/page';
import { DEFAULT_MAP_WINDOW } from '../mm/vma';
import { archPickMmapLayout, archRandomizeBrk, randomizeStackTop } from '../mm/aslr';
import { RLIMIT_STACK_DEFAULT } from '../mm/memory';
import { RLIMIT_STACK, Rlimits } from '../resource';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../mm/mmap';
import type { Kernel } from '../kernel';
import { PF_R, PF_W, PF_X, PHDR_SIZE, PT_LOAD, readExecHeader } from './binfmt';
import type { ElfPhdr, ExecHeader } from './binfmt';
import type { ExecInode, MmStruct } from './deps';
import {
  AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_FLAGS, AT_GID, AT_HWCAP, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM,
  AT_SECURE, AT_UID, CLOCKS_PER_SEC, RISCV_HWCAP_IM, buildElfTables,
} from './elf-tables';
import type { ArgString } from './elf-tables';
import { vdsoFile } from './vdso';
import { USER_GID, USER_UID } from './creds';

/** x86-64 STACK_TOP: TASK_SIZE_LOW, the 47-bit window even with 5-level paging. */
export const STACK_TOP = DEFAULT_MAP_WINDOW;
/** setup_arg_pages grows the new stack VMA by 128 KiB below the arguments. */
export const STACK_EXPAND = 131072;
/** MAX_ARG_STRLEN: 32 pages per argument or environment string. */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** Arguments and environment may take a quarter of the stack rlimit (bprm_stack_limits). */
export const ARG_MAX = RLIMIT_STACK_DEFAULT / 4;

export interface ExecImage {
  mm: MmStruct;
  entry: number;
  sp: number;
}

const pageDown = (a: number): number => a - (a % PAGE_SIZE);
const pageUp = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

function protOf(p: ElfPhdr): number {
  return (p.flags & PF_R ? PROT_READ : 0) | (p.flags & PF_W ? PROT_WRITE : 0) | (p.flags & PF_X ? PROT_EXEC : 0);
}

/**
 * Checks argument sizes as bprm does (kernel-ts/proc/bprm.ts, which copies
 * them within these bounds): `argv` is the argument strings then the filename.
 * Each string with its NUL <= MAX_ARG_STRLEN; all of them plus the argv and
 * envp pointers <= ARG_MAX. 0 or -E2BIG.
 */
export function checkArgSizes(argv: readonly ArgString[], envp: readonly ArgString[]): number {
  let total = (Math.max(argv.length - 1, 1) + envp.length) * 8;
  for (const s of [...argv, ...envp]) {
    const n = (typeof s === 'string' ? new TextEncoder().encode(s).length : s.length) + 1;
    if (n > MAX_ARG_STRLEN) return -E2BIG;
    total += n;
  }
  return total > ARG_MAX ? -E2BIG : 0;
}

/**
 * load_elf_binary()'s checks before its point of no return: the header
 * (-ENOEXEC, -ENOENT for a dynamic program), the size of the arguments
 * (-E2BIG) and each PT_LOAD's sanity (-EINVAL). The header, or -errno.
 */
export function checkExec(file: ExecInode, execfn: string, argv: readonly ArgString[], envp: readonly ArgString[]): ExecHeader | number {
  const hdr = readExecHeader(file);
  if (typeof hdr === 'number') return hdr;
  const sizes = checkArgSizes([...argv, execfn], envp);
  if (sizes < 0) return sizes;
  for (const p of hdr.phdrs) {
    if (p.type !== PT_LOAD) continue;
    if (p.filesz > p.memsz || p.offset % PAGE_SIZE !== p.vaddr % PAGE_SIZE) return -EINVAL;
    if (p.vaddr + p.memsz > STACK_TOP || p.offset + p.filesz > file.size) return -EINVAL;
  }
  return hdr;
}

/** A PT_LOAD segment that vm.mmap_min_addr forbids: its program header's index (readelf -l's segment number), p_vaddr, and the limit. */
export interface LowSegment {
  readonly index: number;
  readonly vaddr: number;
  readonly minAddr: number;
}

/**
 * The first PT_LOAD with memory whose first page lies below vm.mmap_min_addr
 * (elf_map's MAP_FIXED mmap, or vm_brk_flags for a bss-only segment, would
 * meet security_mmap_addr's -EPERM there), or null.
 */
export function findLowSegment(hdr: ExecHeader, minAddr: number): LowSegment | null {
  for (let i = 0; i < hdr.phdrs.length; i++) {
    const p = hdr.phdrs[i]!;
    if (p.type === PT_LOAD && p.memsz > 0 && pageDown(p.vaddr) < minAddr) return { index: i, vaddr: p.vaddr, minAddr };
  }
  return null;
}

/**
 * Why a segment below vm.mmap_min_addr stops an exec, in one line with the
 * two ways out: `segment 01 (LOAD at 0xf000) is below vm.mmap_min_addr
 * (65536): link without -Ttext or above 0x10000, or set vm.mmap_min_addr to
 * 4096 (--mmap-min-addr 4096)`. The value offered is 4096, the lowest
 * that keeps the NULL page unmapped, unless the segment starts in page 0.
 */
export function lowSegmentText(s: LowSegment): string {
  const seg = String(s.index).padStart(2, '0');
  const lower = pageDown(s.vaddr) >= PAGE_SIZE ? PAGE_SIZE : 0;
  return (
    `segment ${seg} (LOAD at 0x${s.vaddr.toString(16)}) is below vm.mmap_min_addr (${s.minAddr}): ` +
    `link without -Ttext or above 0x${pageUp(s.minAddr).toString(16)}, or set vm.mmap_min_addr to ${lower} (--mmap-min-addr ${lower})`
  );
}

/**
 * The mapping half of load_elf_binary() into a new mm, for a header that
 * passed checkExec: returns the mm, entry and initial sp, or -errno
 * (-ENOMEM...). Random draws, in Linux's order: mmap base, stack top, brk,
 * AT_RANDOM (kernel-ts/mm/aslr.ts has Linux's formulas). `rlim` is the
 * task's resource limits: RLIMIT_STACK places the mmap base and sizes the
 * initial stack VMA, RLIMIT_AS and RLIMIT_DATA bound the mappings.
 */
export function loadElf(
  k: Kernel, file: ExecInode, hdr: ExecHeader, execfn: string, argv: readonly ArgString[], envp: readonly ArgString[], rlim: Rlimits = new Rlimits(),
): ExecImage | number {
  const mm = k.mm.mmCreate();
  if (mm === null) return -ENOMEM;
  // The task's limits apply to the new image's mappings (bprm->rlim_stack, may_expand_vm).
  mm.rlim = rlim;
  const r = populate(k, mm, file, hdr, execfn, argv, envp);
  if (r < 0) {
    k.mm.exitMmap(mm);
    return r;
  }
  return { mm, entry: hdr.entry, sp: r };
}

/** Maps everything into mm; returns the initial sp or -errno. */
function populate(k: Kernel, mm: MmStruct, file: ExecInode, hdr: ExecHeader, execfn: string, argv: readonly ArgString[], envp: readonly ArgString[]): number {
  const aslr = k.opts.aslr;
  archPickMmapLayout(mm, k.randomUnit, aslr, mm.rlim.rlimit(RLIMIT_STACK));
  const stackTop = randomizeStackTop(STACK_TOP, k.randomUnit, aslr);

  let startCode = Infinity, endCode = 0, startData = 0, endData = 0, elfBrk = 0;
  let phdrAddr = 0;
  for (const p of hdr.phdrs) {
    if (p.type !== PT_LOAD) continue;
    const r = elfLoad(k, mm, file, p);
    if (r < 0) return r;
    if (p.offset <= hdr.phoff && hdr.phoff < p.offset + p.filesz) phdrAddr = hdr.phoff - p.offset + p.vaddr;
    if (p.flags & PF_X && p.vaddr < startCode) startCode = p.vaddr;
    if (startData < p.vaddr) startData = p.vaddr;
    const fileEnd = p.vaddr + p.filesz;
    if (p.flags & PF_X && endCode < fileEnd) endCode = fileEnd;
    if (endData < fileEnd) endData = fileEnd;
    if (elfBrk < p.vaddr + p.memsz) elfBrk = p.vaddr + p.memsz;
  }
  mm.startCode = startCode === Infinity ? 0 : startCode;
  mm.endCode = endCode;
  mm.startData = startData;
  mm.endData = endData;
  mm.startBrk = mm.brk = pageUp(elfBrk);
  if (aslr) mm.startBrk = mm.brk = archRandomizeBrk(mm, k.randomUnit);

  const vdso = k.mm.doMmap(mm, 0, PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_PRIVATE, { file: vdsoFile }, 0);
  if (vdso < 0) return vdso;

  const random = new Uint8Array(16);
  k.random.fill(random);
  const tables = buildElfTables({
    stackTop,
    argv,
    envp,
    execfn,
    random,
    aux: [
      [AT_HWCAP, RISCV_HWCAP_IM],
      [AT_PAGESZ, PAGE_SIZE],
      [AT_CLKTCK, CLOCKS_PER_SEC],
      [AT_PHDR, phdrAddr],
      [AT_PHENT, PHDR_SIZE],
      [AT_PHNUM, hdr.phnum],
      [AT_BASE, 0],
      [AT_FLAGS, 0],
      [AT_ENTRY, hdr.entry],
      [AT_UID, USER_UID],
      [AT_EUID, USER_UID],
      [AT_GID, USER_GID],
      [AT_EGID, USER_GID],
      [AT_SECURE, 0],
    ],
  });
  // setup_arg_pages(): the stack VMA grows 128 KiB below the arguments, within RLIMIT_STACK.
  const stackSize = stackTop - pageDown(tables.sp);
  const rlimStack = pageDown(Math.min(mm.rlim.rlimit(RLIMIT_STACK), Number.MAX_SAFE_INTEGER));
  const stackLow = Math.min(pageDown(tables.sp), stackTop - Math.min(rlimStack, stackSize + STACK_EXPAND));
  const st = k.mm.doMmap(
    mm, stackLow, stackTop - stackLow, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, null, 0,
  );
  if (st < 0) return st;
  const vma = mm.vmas.findVma(stackLow);
  if (vma) vma.name = '[stack]';
  const w = k.mm.copyToUser(mm, tables.sp, tables.bytes);
  if (w < 0) return w;
  mm.argStart = tables.argStart;
  mm.argEnd = tables.argEnd;
  mm.envStart = tables.envStart;
  mm.envEnd = tables.envEnd;
  mm.startStack = tables.sp;
  return tables.sp;
}

/**
 * elf_load(): the segment's file part mapped private from the file (shared
 * with the page cache until written), the tail of its last file page zeroed
 * (padzero) and the rest of the bss anonymous.
 */
function elfLoad(k: Kernel, mm: MmStruct, file: ExecInode, p: ElfPhdr): number {
  const prot = protOf(p);
  const start = pageDown(p.vaddr);
  let zeroStart: number;
  const zeroEnd = p.vaddr + p.memsz;
  if (p.filesz > 0) {
    const len = pageUp(p.vaddr + p.filesz) - start;
    const r = k.mm.doMmap(mm, start, len, prot, MAP_PRIVATE | MAP_FIXED, { file, readable: true }, pageDown(p.offset));
    if (r < 0) return r;
    zeroStart = p.vaddr + p.filesz;
    if (p.memsz > p.filesz && zeroStart % PAGE_SIZE !== 0) {
      const pad = new Uint8Array(PAGE_SIZE - (zeroStart % PAGE_SIZE));
      // Errors are ignored for a segment that is not writable (Linux does the same).
      if (k.mm.copyToUser(mm, zeroStart, pad) < 0 && prot & PROT_WRITE) return -EFAULT;
    }
  } else {
    zeroStart = start;
  }
  if (p.memsz > p.filesz) {
    const a = pageUp(zeroStart);
    const b = pageUp(zeroEnd);
    if (b > a) {
      const r = k.mm.doMmap(mm, a, b - a, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
      if (r < 0) return r;
    }
  }
  return 0;
}
