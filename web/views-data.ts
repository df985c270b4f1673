// What the worker sends the page to draw (web/worker/views.ts computes it,
// web/page draws it): plain data. Virtual addresses travel as hex strings
// (64-bit values do not fit a JS number); physical ones as numbers (RAM is
// far below 2^53).

/** One process the views can show. */
export interface ProcessSummary {
  pid: number;
  comm: string;
  /** 'R' running/runnable, 'S' sleeping, 'Z' exited. */
  state: string;
}

/** One present entry of a page table. */
export interface PtEntryView {
  index: number;
  /** The raw 64-bit entry, hex. */
  raw: string;
  /** Intel's names of the bits set: P RW US PWT PCD A D PS G NX, and PK=n for a protection key. */
  flags: string[];
  /** PA the entry points to: the next table, or the page (frame) of a leaf. */
  target: number;
  /** '4K' | '2M' | '1G' for a leaf (a page), null for a pointer to the next table. */
  leaf: '4K' | '2M' | '1G' | null;
  /** First virtual address the entry covers, hex. */
  va: string;
  /** The top level's kernel half (entries 256-511): the same tables in every process. */
  shared: boolean;
  /** On the path of the last walk (walkVa). */
  onPath: boolean;
}

/** One page table (512 entries), present entries only. */
export interface PtTableView {
  pa: number;
  /** Paging level: 5 or 4 (the top) down to 1 (the PTE table). */
  level: number;
  /** Linux's name and Intel's: 'PGD (PML4)', 'PUD (PDPT)', 'PMD (PD)', 'PTE (PT)'. */
  name: string;
  entries: PtEntryView[];
  notPresent: number;
}

export interface TlbEntryView {
  tlb: string;
  pageSize: string;
  va: string;
  vpn: string;
  pa: number;
  pfn: number;
  pcid: number;
  global: boolean;
  /** u/s, w/r, x/-, d/- as `info tlb` prints them. */
  rights: string;
}

export interface TlbStatsView {
  name: string;
  lookups: number;
  hits: number;
  misses: number;
  walks: number;
  evictions: number;
  /** Entries removed by invalidations. */
  dropped: number;
  /** Invalidations by cause: cr3 (a CR3 write, PCID switch included), cr4, cr0, invlpg, invpcid, fault. */
  flushes: Record<string, number>;
}

/** A TLB entry as the TLB log names it: which TLB, page size, VPN (and VA), PCID, global. */
export interface TlbBrief {
  tlb: string;
  pageSize: string;
  vpn: string;
  va: string;
  pcid: number;
  global: boolean;
}

/** One invalidation of the last step or run (web/worker/tlb-log.ts). */
export interface TlbEventView {
  n: number;
  /** The operation and its operands: `INVLPG 0x...`, `CR3 write: 0x..., PCID 3, NOFLUSH (PCID switch 1 -> 3; was 0x...)`, `#PF 0x..., error 0x6 (not-present write user): ...`. */
  what: string;
  /** For whom the kernel did it: `pid 7 (memview2)`, or `kernel`. */
  by: string;
  /** The entries it dropped. */
  dropped: TlbBrief[];
  /** The valid entries in its scope it left (an INVLPG: the page's entries of other PCIDs; a whole-TLB operation: every survivor). */
  kept: TlbBrief[];
  /** Why they were kept, counted: `3 global, 12 of PCID 2, 40 of other PCIDs`. */
  keptWhy: string;
}

export interface FaultView {
  n: number;
  pid: number;
  comm: string;
  ip: string;
  addr: string;
  /** The error code, hex, and its words (pfWords): 'not-present write user'. */
  error: string;
  words: string;
  /** What the kernel did (FAULT_KIND_NAMES). */
  outcome: string;
}

export interface FrameDetail {
  pfn: number;
  /** MemMap.describe: owner, refcount, mapcount, flags. */
  text: string;
  /** Every user VA mapping it (formatP2v). */
  mappings: string;
}

export interface Views {
  /** 'idle' at the prompt, 'running' a command, 'paused' in the middle of one. */
  run: 'idle' | 'running' | 'paused';
  processes: ProcessSummary[];
  /** The process shown, or null when none is alive. */
  pid: number | null;
  comm: string;
  /** CR3 (PA of the top table) and the paging levels. */
  cr3: number;
  levels: number;
  /** The VA whose walk is highlighted (the process's last fault, else its pc), hex; null without a process. */
  walkVa: string | null;
  /** PAs of the tables the walk of walkVa reads, top first (the page's "expand the walk" opens them). */
  walkTables: number[];
  /** The top table and every expanded one, by PA. */
  tables: PtTableView[];
  tlb: TlbEntryView[];
  tlbStats: TlbStatsView[];
  /** The invalidations of the last step or run (since the command started or was last resumed), the newest last; `total` counts those no longer listed. */
  tlbLog: { events: TlbEventView[]; total: number; since: string };
  /** /proc/PID/maps, one line per VMA. */
  maps: string[];
  /** Each frame's owner (OWNER_NAMES index), by PFN, up to the row of the highest frame not free (the rest are free). */
  frameOwners: Uint8Array;
  /** page->_refcount and page_mapcount() of the same frames (the frame map's hover). */
  frameRefcount: Int32Array;
  frameMapcount: Int32Array;
  /** Frames of RAM. */
  nrFrames: number;
  ownerNames: readonly string[];
  frame: FrameDetail | null;
  faults: FaultView[];
  /** x1..x31 and pc: [name, hex]. */
  regs: [string, string][];
  /** Instructions around pc: address, word, text, is pc, its source line (`memview2.s:128`, '' without line information) and symbol (`main+0x8`, ''). */
  disasm: { addr: string; word: string; text: string; current: boolean; line: string; symbol: string }[];
  /** The source lines around pc's, from the program's line table (null: no line information); `lines` is empty when the text is not in the build. */
  source: { file: string; line: number; lines: { n: number; text: string; current: boolean }[] } | null;
  /** Guest instructions retired since boot. */
  instret: number;
  /** Why the command is held: a breakpoint or catchpoint's words, what a reverse move did ('' for Pause, Step or none). */
  stop: string;
  /** While held: 'recording' (Reverse step and Reverse continue work), else why not; '' when not held. */
  recording: string;
}
