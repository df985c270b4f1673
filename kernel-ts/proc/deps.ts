// What proc/ and kernel.ts use from the memory manager (K1, kernel-ts/mm) and
// the VFS (K3, kernel-ts/fs), named in one place so the rest of proc/ imports
// them from here. Until those modules land these are the agreed shapes.

/** Linux mm_struct, as kernel-ts/mm/kernel-mm.ts exports it. */
export interface MmStruct {
  mmapBase: number;
  startCode: number;
  endCode: number;
  startData: number;
  endData: number;
  startBrk: number;
  brk: number;
  startStack: number;
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
}

/** The per-task file table (K3's FilesStruct). */
export interface FilesStruct {
  dupForFork(): FilesStruct;
  closeAll(): void;
}

/** The memory manager (K1's KernelMm). */
export interface KernelMm {
  mmCreate(): MmStruct;
  dupMmap(old: MmStruct): MmStruct | number;
  exitMmap(mm: MmStruct): void;
  switchMm(mm: MmStruct): void;
  framesInUse(): number;
}

/** The VFS (K3's Vfs). */
export interface Vfs {
  lookup(path: string): unknown;
}
