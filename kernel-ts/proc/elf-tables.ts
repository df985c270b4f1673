// The initial user stack of a new program (Linux fs/exec.c copy_strings and
// fs/binfmt_elf.c create_elf_tables), computed as bytes for one copy_to_user.
// From the top (stack_top) down:
//
//   8 bytes unused (bprm->p starts at vm_end - sizeof(void *))
//   the execfn string (AT_EXECFN points here)
//   envp strings, then argv strings below them (argv[0] lowest = arg_start)
//   16 AT_RANDOM bytes, directly below arg_start (riscv has no arch_align_stack)
//   padding to 16 bytes
//   auxv pairs ending in AT_NULL
//   envp[] pointers, NULL
//   argv[] pointers, NULL
//   argc                       <- sp (16-byte aligned, STACK_ROUND)
import { TWO32 } from '../../emu/machine/cpu/int64';

/** Auxiliary vector types (include/uapi/linux/auxvec.h). */
export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_EXECFN = 31;

/** riscv's ELF_HWCAP: one bit per single-letter extension, 'I' and 'M' here. */
export const RISCV_HWCAP_IM = (1 << ('I'.charCodeAt(0) - 65)) | (1 << ('M'.charCodeAt(0) - 65));
/** USER_HZ, AT_CLKTCK. */
export const CLOCKS_PER_SEC = 100;

/** An argument or environment string: text, or the bytes execve copied from user memory (any bytes but NUL). */
export type ArgString = string | Uint8Array;

export interface ElfTablesInput {
  /** Page-aligned top of the stack (the randomized STACK_TOP). */
  stackTop: number;
  argv: readonly ArgString[];
  envp: readonly ArgString[];
  /** The path execve was given (AT_EXECFN). */
  execfn: string;
  /** The 16 AT_RANDOM bytes. */
  random: Uint8Array;
  /** Auxv entries before AT_RANDOM/AT_EXECFN/AT_NULL, in order (type, value). */
  aux: readonly (readonly [number, number])[];
}

export interface ElfTables {
  /** The initial sp: address of argc. */
  sp: number;
  /** The bytes of [sp, stackTop). */
  bytes: Uint8Array;
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
  /** Where AT_RANDOM points. */
  randomAddr: number;
  execfnAddr: number;
}

const enc = new TextEncoder();

/** Lays out the stack; the caller checks the size against the stack limit (-E2BIG). */
export function buildElfTables(input: ElfTablesInput): ElfTables {
  const { stackTop } = input;
  const bytesOf = (s: ArgString): Uint8Array => (typeof s === 'string' ? enc.encode(s) : s);
  const argv = input.argv.map(bytesOf);
  const envp = input.envp.map(bytesOf);
  const execfn = enc.encode(input.execfn);
  let p = stackTop - 8;
  p -= execfn.length + 1;
  const execfnAddr = p;
  const envAddr: number[] = [];
  for (let i = envp.length - 1; i >= 0; i--) {
    p -= envp[i]!.length + 1;
    envAddr[i] = p;
  }
  const argAddr: number[] = [];
  for (let i = argv.length - 1; i >= 0; i--) {
    p -= argv[i]!.length + 1;
    argAddr[i] = p;
  }
  const argStart = p;
  const argEnd = envp.length > 0 ? envAddr[0]! : execfnAddr;
  const envStart = argEnd;
  const envEnd = execfnAddr;
  p -= 16;
  const randomAddr = p;
  const aux: (readonly [number, number])[] = [
    ...input.aux,
    [AT_RANDOM, randomAddr],
    [AT_EXECFN, execfnAddr],
    [AT_NULL, 0],
  ];
  const items = 1 + (argv.length + 1) + (envp.length + 1);
  let sp = p - aux.length * 16;
  sp = Math.floor((sp - items * 8) / 16) * 16;

  const bytes = new Uint8Array(stackTop - sp);
  const dv = new DataView(bytes.buffer);
  const put64 = (addr: number, v: number): void => {
    dv.setUint32(addr - sp, v >>> 0, true);
    dv.setUint32(addr - sp + 4, Math.floor(v / TWO32) >>> 0, true);
  };
  const putStr = (addr: number, s: Uint8Array): void => bytes.set(s, addr - sp); // NUL: already zero
  putStr(execfnAddr, execfn);
  envp.forEach((s, i) => putStr(envAddr[i]!, s));
  argv.forEach((s, i) => putStr(argAddr[i]!, s));
  bytes.set(input.random.subarray(0, 16), randomAddr - sp);
  let q = sp;
  put64(q, argv.length);
  q += 8;
  for (const a of argAddr) (put64(q, a), (q += 8));
  q += 8;
  for (const a of envAddr) (put64(q, a), (q += 8));
  q += 8;
  for (const [type, value] of aux) {
    put64(q, type);
    put64(q + 8, value);
    q += 16;
  }
  return { sp, bytes, argStart, argEnd, envStart, envEnd, randomAddr, execfnAddr };
}
