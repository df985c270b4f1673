// The contents of a RAM file, page by page (Linux's inode->i_mapping, the
// page cache that is a ramfs or tmpfs file's only copy). Pages exist only
// where the file was written: a hole, and a file grown by ftruncate, cost
// nothing and read as zeros. A write touches only the pages it covers, so
// writing a file of N bytes copies N bytes whatever the size of the pieces.
import { PAGE_SIZE } from '../mm/page';

export class FilePages {
  /** Page index -> its bytes. A page shorter than PAGE_SIZE (rootfs contents) reads as zeros past its end. */
  private readonly pages = new Map<number, Uint8Array>();

  /** The number of pages that exist (what st_blocks and tmpfs's size= count). */
  get nrPages(): number {
    return this.pages.size;
  }

  /** True when page `index` exists (a write there allocates nothing). */
  has(index: number): boolean {
    return this.pages.has(index);
  }

  /** Copies the bytes at [pos, pos + into.length) into `into`; holes read as zeros. */
  read(pos: number, into: Uint8Array): void {
    let done = 0;
    while (done < into.length) {
      const at = pos + done;
      const index = Math.floor(at / PAGE_SIZE);
      const off = at - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, into.length - done);
      const page = this.pages.get(index);
      const have = page === undefined ? 0 : Math.max(0, Math.min(n, page.length - off));
      if (have > 0) into.set(page!.subarray(off, off + have), done);
      if (have < n) into.fill(0, done + have, done + n);
      done += n;
    }
  }

  /**
   * Writes `bytes` into page `index` at offset `off` (they must fit in the
   * page), allocating the page if it does not exist; the caller has
   * accounted for a new page.
   */
  writeInPage(index: number, off: number, bytes: Uint8Array): void {
    let page = this.pages.get(index);
    if (page === undefined || page.length < PAGE_SIZE) {
      const full = new Uint8Array(PAGE_SIZE);
      if (page !== undefined) full.set(page);
      page = full;
      this.pages.set(index, page);
    }
    page.set(bytes, off);
  }

  /**
   * truncate_inode_pages_range() for a new size: the pages wholly past it go
   * and the tail of the last one is zeroed (a later grow reads zeros there).
   * Returns the number of pages freed.
   */
  truncate(size: number): number {
    const keep = Math.ceil(size / PAGE_SIZE);
    let freed = 0;
    for (const index of [...this.pages.keys()]) {
      if (index < keep) continue;
      this.pages.delete(index);
      freed++;
    }
    const off = size % PAGE_SIZE;
    const last = this.pages.get(keep - 1);
    if (off !== 0 && last !== undefined && last.length > off) {
      if (last.length < PAGE_SIZE) this.pages.set(keep - 1, last.slice(0, off));
      else last.fill(0, off);
    }
    return freed;
  }

  /** Replaces the contents with `bytes`, sharing its memory (rootfs population: never written afterwards). */
  setContents(bytes: Uint8Array): void {
    this.pages.clear();
    for (let at = 0; at < bytes.length; at += PAGE_SIZE) this.pages.set(at / PAGE_SIZE, bytes.subarray(at, Math.min(at + PAGE_SIZE, bytes.length)));
  }
}
