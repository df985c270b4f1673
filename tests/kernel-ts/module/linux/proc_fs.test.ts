// <linux/proc_fs.h> and <linux/seq_file.h> in vmlab/linux: mtest's
// /proc/mtest (a proc_write that copy_from_user's a command), seq_file
// show functions, directories, removal, and rmmod undoing what is left.
import { describe, expect, it } from 'vitest';
import type { proc_dir_entry } from '../../../../kernel-ts/module/linux/linux';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDONLY, O_WRONLY } from '../../../../kernel-ts/fs/file';
import { S_IFDIR, S_IFREG } from '../../../../kernel-ts/fs/stat';
import { EINVAL, ENOENT } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { boot, dmesg, getString, loader, putString, sys, userBuf } from './support';
import { catFile } from '../helpers';

function mode(k: import('../../../../kernel-ts/kernel').Kernel, path: string): number {
  const i = k.vfs.lookup(path);
  return typeof i === 'number' ? i : i.mode;
}

describe('proc_create with proc_ops', () => {
  it("mtest's /proc/mtest: the command written reaches proc_write through copy_from_user", () => {
    const { k } = boot();
    const got: string[] = [];
    const ld = loader(k, {
      mtest: {
        init: (L) => {
          const e = L.proc_create('mtest', 0o666, null, {
            proc_write: (_f, buf, count) => {
              if (count > 64n) return -EINVAL;
              const kbuf = new Uint8Array(Number(count));
              if (L.copy_from_user(kbuf, buf, count) !== 0) return -14;
              got.push(new TextDecoder().decode(kbuf).trim());
              L.pr_info('[mtest] Got command: %s\n', got.at(-1));
              return count;
            },
          });
          return e === null ? -12 : 0;
        },
        exit: (L) => L.remove_proc_entry('mtest', null),
      },
    });
    expect(ld.insmod('mtest')).toBe(0);
    expect(mode(k, '/proc/mtest')).toBe(S_IFREG | 0o666);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/proc/mtest'), O_WRONLY);
      putString(k, t, u, 'findpage 0x7f0bb470a000\n');
      expect(sys(k, t, NR.write, fd, u, 24)).toBe(24);
      expect(sys(k, t, NR.write, fd, u, 65)).toBe(-EINVAL);
      // No proc_read: read is -EINVAL (the file is write-only here anyway: -EBADF first).
      expect(sys(k, t, NR.read, fd, u, 10)).toBe(-9);
      sys(k, t, NR.close, fd);
    });
    expect(got).toEqual(['findpage 0x7f0bb470a000']);
    expect(dmesg(k)).toContain('[mtest] Got command: findpage 0x7f0bb470a000');
    expect(ld.rmmod('mtest')).toBe(0);
    expect(k.vfs.lookup('/proc/mtest')).toBe(-ENOENT);
  });

  it('proc_create_single and single_open + seq_printf: a snapshot per read from 0; default_llseek without proc_lseek', () => {
    const { k } = boot();
    let n = 0;
    let dir: proc_dir_entry | null = null;
    const ld = loader(k, {
      seqs: {
        init: (L) => {
          dir = L.proc_mkdir('seqdemo', null);
          L.proc_create_single('count', 0, dir, (m) => {
            L.seq_printf(m, 'count %d 0x%lx\n', ++n, 0xffff888000001000n);
            L.seq_puts(m, 'end');
            L.seq_putc(m, 10);
            return 0;
          });
          L.proc_create_data('data', 0o400, dir, {
            proc_open: (inode, file) => L.single_open(file, (m) => (L.seq_printf(m, '%s\n', m.private), 0), L.pde_data(inode)),
            proc_read: L.seq_read,
            proc_release: L.single_release,
          }, 'payload');
          return dir === null ? -12 : 0;
        },
      },
    });
    expect(ld.insmod('seqs')).toBe(0);
    expect(mode(k, '/proc/seqdemo')).toBe(S_IFDIR | 0o555);
    expect(mode(k, '/proc/seqdemo/count')).toBe(S_IFREG | 0o444);
    expect(catFile(k, '/proc/seqdemo/count')).toBe('count 1 0xffff888000001000\nend\n');
    expect(catFile(k, '/proc/seqdemo/data')).toBe('payload\n');
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/proc/seqdemo/count'), O_RDONLY);
      expect(sys(k, t, NR.read, fd, u, 6)).toBe(6);
      expect(sys(k, t, NR.read, fd, u + 6, 100)).toBe(25);
      expect(getString(k, t, u, 31)).toBe('count 2 0xffff888000001000\nend\n');
      expect(sys(k, t, NR.read, fd, u, 100)).toBe(0);
      expect(sys(k, t, NR.lseek, fd, 0, 0)).toBe(0);
      expect(sys(k, t, NR.read, fd, u, 7)).toBe(7);
      expect(getString(k, t, u, 7)).toBe('count 3');
      const d = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/proc/seqdemo/data'), O_RDONLY);
      expect(sys(k, t, NR.lseek, d, 3, 0)).toBe(3); // seq_lseek is not set: default_llseek
    });
    expect(ld.rmmod('seqs')).toBe(0);
    expect(k.vfs.lookup('/proc/seqdemo')).toBe(-ENOENT);
  });

  it('proc_remove of a directory takes its entries; a name that exists is NULL; remove_proc_entry of an unknown name WARNs', () => {
    const { k } = boot();
    const r: unknown[] = [];
    const ld = loader(k, {
      pr: {
        init: (L) => {
          const d = L.proc_mkdir('prdir', null);
          r.push(L.proc_create('a', 0o444, d, {}) !== null, L.proc_create('a', 0o444, d, {}));
          L.proc_remove(d);
          r.push(k.vfs.lookup('/proc/prdir'));
          L.remove_proc_entry('nothere', null);
          return 0;
        },
      },
    });
    expect(ld.insmod('pr')).toBe(0);
    expect(r).toEqual([true, null, -ENOENT]);
    const log = dmesg(k);
    const cut = log.lastIndexOf('------------[ cut here ]------------');
    expect(log.slice(cut, cut + 4)).toEqual([
      '------------[ cut here ]------------',
      "name 'nothere'",
      'WARNING: CPU: 0 PID: 1 at fs/proc/generic.c remove_proc_entry [pr]',
      'Modules linked in:', // (the test's loader is not k.modules)
    ]);
    expect(log.at(-1)).toBe('---[ end trace 0000000000000000 ]---');
    expect(ld.rmmod('pr')).toBe(0);
  });
});
