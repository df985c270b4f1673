// The page cache (Linux mm/filemap.c): pages of mappable files, keyed by the
// file's identity (device and inode, so two opens or two runs of one file
// share it) and the page index. A cached frame is Owner.Pagecache with one
// reference held by the cache; each PTE mapping it adds a reference and a
// mapcount. dropCaches (/proc/sys/vm/drop_caches) frees the pages no one maps,
// as invalidate_mapping_pages() does; mapped pages stay.
//
// Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is backed by a ShmemFile,
// Linux's "/dev/zero (deleted)" shmem inode: its pages live in the same cache
// but are never dropped (there is no swap), and go when the last VMA using the
// file goes (mapRef).
import type { MappableFile } from '../fs/mappable';
import type { VmFile } from './vma';
import { Owner, PAGE_SIZE, PG_dirty, PG_swapbacked, PG_uptodate } from './page';
import type { KernelMm } from './kernel-mm';

/** Per-file cache: page index -> pfn (Linux struct address_space). */
class AddressSpace {
  readonly pages = new Map<number, number>();
  constructor(
    readonly key: string,
    readonly shmem: boolean,
    /** The file (a_ops: writePage for writeback). */
    readonly file: VmFile,
  ) {}
}

function fileKey(f: VmFile): string {
  return `${f.devMajor}:${f.devMinor}:${f.ino}`;
}

/** True when f can fill the page cache. */
export function isMappableFile(f: VmFile | null): f is MappableFile {
  return f !== null && typeof (f as Partial<MappableFile>).readPage === 'function';
}

/** The next shmem inode number (an object, so the debugger's recorder can save it with the kernel's state). */
export const shmemInos = { next: 1 };

/** Linux shmem_zero_setup()'s inode: the file behind one MAP_SHARED|MAP_ANONYMOUS mapping. */
export class ShmemFile implements MappableFile {
  readonly path = '/dev/zero (deleted)';
  readonly devMajor = 0;
  readonly devMinor = 1;
  readonly ino: number;
  /** VMAs referring to this file; its pages are freed when it reaches 0. */
  vmaCount = 0;
  constructor(
    readonly size: number,
    private readonly onLastUnmap: (f: ShmemFile) => void,
  ) {
    this.ino = shmemInos.next++;
  }
  readPage(_index: number, into: Uint8Array): void {
    into.fill(0);
  }
  /** VmFile.mapRef: counts the VMAs using the file. */
  mapRef(delta: 1 | -1): void {
    this.vmaCount += delta;
    if (this.vmaCount === 0) this.onLastUnmap(this);
  }
}

export class PageCache {
  private readonly spaces = new Map<string, AddressSpace>();
  private readonly scratch = new Uint8Array(PAGE_SIZE);
  /** Pages in the cache (meminfo's Cached + Shmem). */
  nrPages = 0;
  nrShmem = 0;

  constructor(private readonly kmm: KernelMm) {}

  private space(f: VmFile, create: boolean): AddressSpace | undefined {
    const key = fileKey(f);
    let s = this.spaces.get(key);
    if (s === undefined && create) {
      s = new AddressSpace(key, f instanceof ShmemFile, f);
      this.spaces.set(key, s);
    }
    return s;
  }

  /** Linux find_get_page() without the reference: the cached pfn of (file, index), or -1. */
  findGetPage(f: VmFile, index: number): number {
    return this.space(f, false)?.pages.get(index) ?? -1;
  }

  /**
   * Linux read_cache_page(): the cached pfn of page `index` of f, reading it
   * with f.readPage on a miss; -1 when no frame is free. The cache keeps its
   * own reference; callers that map the page take another.
   */
  readCachePage(f: MappableFile, index: number): number {
    const s = this.space(f, true)!;
    const hit = s.pages.get(index);
    if (hit !== undefined) return hit;
    const kmm = this.kmm;
    const pfn = s.shmem ? kmm.buddy.allocZeroedPage(Owner.Pagecache, kmm.clearPage) : kmm.buddy.allocPages(0, Owner.Pagecache);
    if (pfn < 0) return -1;
    const pa = pfn * PAGE_SIZE;
    if (s.shmem) {
      kmm.memMap.setFlag(pfn, PG_swapbacked);
      this.nrShmem++;
    } else {
      this.scratch.fill(0);
      f.readPage(index, this.scratch);
      kmm.mem.writeBytes(pa, this.scratch);
    }
    kmm.memMap.setFlag(pfn, PG_uptodate);
    kmm.memMap.priv[pfn] = index;
    s.pages.set(index, pfn);
    this.nrPages++;
    return pfn;
  }

  /** Cached pages some PTE maps (meminfo's Mapped). */
  mappedPages(): number {
    const m = this.kmm.memMap;
    let n = 0;
    for (const s of this.spaces.values()) for (const pfn of s.pages.values()) if (m.mapcount[pfn]! >= 0) n++;
    return n;
  }

  /**
   * Keeps mappings coherent with write(2) (Linux writes through the page
   * cache): copies `bytes`, written at byte `pos` of f, into the pages of f
   * that are cached. The VFS calls this after updating its own copy.
   */
  writeThrough(f: VmFile, pos: number, bytes: Uint8Array): void {
    const s = this.space(f, false);
    if (s === undefined) return;
    const mem = this.kmm.mem;
    let done = 0;
    while (done < bytes.length) {
      const at = pos + done;
      const index = Math.floor(at / PAGE_SIZE);
      const off = at % PAGE_SIZE;
      const n = Math.min(bytes.length - done, PAGE_SIZE - off);
      const pfn = s.pages.get(index);
      if (pfn !== undefined) mem.writeBytes(pfn * PAGE_SIZE + off, bytes.subarray(done, done + n));
      done += n;
    }
  }

  /**
   * For read(2) of a file whose pages may hold MAP_SHARED stores: copies the
   * cached page `index` of f into `into` (4096 bytes) and returns true, or
   * returns false when the page is not cached (the file's own data is current).
   */
  readCached(f: VmFile, index: number, into: Uint8Array): boolean {
    const pfn = this.findGetPage(f, index);
    if (pfn < 0) return false;
    into.set(this.kmm.mem.readBytes(pfn * PAGE_SIZE, PAGE_SIZE));
    return true;
  }

  /**
   * /proc/sys/vm/drop_caches (1 or 3): frees every cached page that no PTE
   * maps (invalidate_mapping_pages); shmem pages are not droppable. A dirty
   * page (a MAP_SHARED store, marked at unmap) is written back to its file
   * first: Linux's drop_caches skips dirty pages and leaves them to the
   * flusher threads, which vmlab does not have, so the writeback happens
   * here. Returns the number of pages freed.
   */
  dropCaches(): number {
    let freed = 0;
    const m = this.kmm.memMap;
    for (const [key, s] of this.spaces) {
      if (s.shmem) continue;
      for (const [index, pfn] of s.pages) {
        if (m.mapcount[pfn] !== -1 || m.refcount[pfn] !== 1) continue;
        if ((m.flags[pfn]! & PG_dirty) !== 0) this.writeback(s, index, pfn);
        s.pages.delete(index);
        this.release(pfn, false);
        freed++;
      }
      if (s.pages.size === 0) this.spaces.delete(key);
    }
    return freed;
  }

  /**
   * filemap_write_and_wait_range() for pages [first, last] of f: every
   * cached page marked PG_dirty is written to the file and cleaned. The
   * number written back.
   */
  writebackRange(f: VmFile, first: number, last: number): number {
    const s = this.space(f, false);
    if (s === undefined || s.shmem) return 0;
    const m = this.kmm.memMap;
    let n = 0;
    for (const [index, pfn] of s.pages) {
      if (index < first || index > last || (m.flags[pfn]! & PG_dirty) === 0) continue;
      this.writeback(s, index, pfn);
      n++;
    }
    return n;
  }

  /** Linux ->writepage of a dirty page: into the file (clipped at EOF there), then clean. */
  private writeback(s: AddressSpace, index: number, pfn: number): void {
    if (isMappableFile(s.file) && s.file.writePage) s.file.writePage(index, this.kmm.mem.readBytes(pfn * PAGE_SIZE, PAGE_SIZE));
    this.kmm.memMap.clearFlag(pfn, PG_dirty);
  }

  /**
   * truncate_inode_pages_range() after the file shrank to `size` (the
   * mappings past it were zapped first: truncate_pagecache): the pages wholly
   * past the end leave the cache, the part of the last page past the end is
   * zeroed, so the file grown again reads zeros there, as Linux.
   */
  truncate(f: VmFile, size: number): void {
    const s = this.space(f, false);
    if (s === undefined) return;
    const first = Math.ceil(size / PAGE_SIZE);
    const m = this.kmm.memMap;
    for (const [index, pfn] of s.pages) {
      if (index < first) continue;
      // Still mapped would be a kernel bug (the caller zapped every mapping): keep the frame, drop nothing.
      if (m.mapcount[pfn] !== -1) throw new Error(`truncate: page ${index} of ${s.key} is still mapped`);
      s.pages.delete(index);
      m.clearFlag(pfn, PG_dirty);
      this.release(pfn, false);
    }
    const off = size % PAGE_SIZE;
    const partial = off === 0 ? undefined : s.pages.get(Math.floor(size / PAGE_SIZE));
    if (partial !== undefined) this.kmm.mem.writeBytes(partial * PAGE_SIZE + off, new Uint8Array(PAGE_SIZE - off));
    if (s.pages.size === 0) this.spaces.delete(s.key);
  }

  /** Linux truncate of a shmem inode at its last unmap: all its pages go (they are unmapped by now). */
  evictShmem(f: ShmemFile): void {
    const s = this.spaces.get(fileKey(f));
    if (s === undefined) return;
    for (const pfn of s.pages.values()) this.release(pfn, true);
    this.spaces.delete(s.key);
  }

  private release(pfn: number, shmem: boolean): void {
    const m = this.kmm.memMap;
    m.clearFlag(pfn, PG_uptodate | PG_swapbacked);
    this.nrPages--;
    if (shmem) this.nrShmem--;
    this.kmm.buddy.putPage(pfn);
  }
}
