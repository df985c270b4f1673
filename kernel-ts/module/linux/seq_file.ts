// <linux/seq_file.h>: single_open's seq_file, kept in file.private_data.
import type { LinuxEnv } from './env';
import type * as Seq from './include/seq_file';
import type { file } from './include/fs_types';
import type { seq_file } from './include/seq_file';
import { vsprintf } from './printk';
import { fsApi, sizeOf } from './fs';
import { SEEK_CUR, SEEK_SET } from '../../fs/file';
import { EINVAL } from '../../errno';

const decoder = new TextDecoder();

class SeqFile implements seq_file {
  text = '';
  /** The text of the last generation, kept for reads past position 0. */
  snapshot: string | null = null;
  readonly private: unknown;
  constructor(
    readonly show: (m: seq_file, v: unknown) => number,
    data: unknown,
  ) {
    this.private = data;
  }
}

function seqOf(file: file): SeqFile {
  const m = file.private_data;
  if (!(m instanceof SeqFile)) throw new TypeError('seq_read: file.private_data is not a seq_file (no single_open in the open method?)');
  return m;
}

export function seqFileApi(env: LinuxEnv): typeof Seq {
  const fs = fsApi(env);
  const append = (m: seq_file, s: string): void => {
    (m as SeqFile).text += s;
  };
  return {
    single_open(file, show, data) {
      file.private_data = new SeqFile(show, data);
      return 0;
    },
    single_release(_inode, file) {
      file.private_data = null;
      return 0;
    },
    seq_read(file, buf, count, ppos) {
      const m = seqOf(file);
      if (m.snapshot === null || ppos.pos === 0n) {
        m.text = '';
        const r = m.show(m, null);
        if (r < 0) return r;
        m.snapshot = m.text;
      }
      return fs.simple_read_from_buffer(buf, count, ppos, m.snapshot, Number.MAX_SAFE_INTEGER);
    },
    seq_lseek(file, offset, whence) {
      const pos = whence === SEEK_SET ? offset : whence === SEEK_CUR ? file.f_pos + offset : -1n;
      if (pos < 0n) return BigInt(-EINVAL);
      file.f_pos = pos;
      return pos;
    },
    seq_printf: (m, fmt, ...args) => append(m, vsprintf(fmt, args)),
    seq_puts: (m, s) => append(m, s),
    seq_putc: (m, c) => append(m, typeof c === 'number' ? String.fromCharCode(c) : c.slice(0, 1)),
    seq_write(m, data, len) {
      const n = sizeOf(len) ?? 0;
      append(m, decoder.decode(data.subarray(0, n)));
      return 0;
    },
  };
}
