// Generated text files (Linux's seq_file, fs/seq_file.c, as proc_create_single
// and sysfs attributes use it): the text is produced by a show function when a
// read starts at offset 0 and kept for the reads that follow, so a program
// reading in small pieces sees one consistent snapshot, and lseek(fd, 0,
// SEEK_SET) + read sees fresh contents.
import type { File, FileOperations, Loff } from './file';
import { anyPositionLlseek, simpleReadFromBuffer } from './file';

/** What a show function returns: the text, or -errno (a read then fails with it). */
export type ShowResult = string | Uint8Array | number;

const encoder = new TextEncoder();

interface SeqState {
  buf: Uint8Array;
}

/**
 * seq_read + seq_lseek around `show(file)`. Reads that do not start at offset 0
 * use the snapshot taken by the last read from 0 (or take one if none exists).
 */
export function seqFileOps(show: (file: File) => ShowResult, extra: Partial<FileOperations> = {}): FileOperations {
  const snapshot = (file: File, fresh: boolean): Uint8Array | number => {
    const st = file.private as SeqState | null;
    if (st && !fresh) return st.buf;
    const r = show(file);
    if (typeof r === 'number') return r;
    const buf = typeof r === 'string' ? encoder.encode(r) : r;
    file.private = { buf } satisfies SeqState;
    return buf;
  };
  return {
    read: (file: File, buf: Uint8Array, ppos: Loff): number => {
      const data = snapshot(file, ppos.pos === 0);
      if (typeof data === 'number') return data;
      return simpleReadFromBuffer(buf, ppos, data);
    },
    llseek: anyPositionLlseek, // seq_lseek: SEEK_SET and SEEK_CUR only
    ...extra,
  };
}
