// <linux/proc_fs.h>: proc_create with proc_ops, proc_mkdir, proc_remove, over
// LoadedModule.procCreate/mkdir (rmmod removes what is left).
import type { LinuxEnv } from './env';
import type * as ProcFs from './include/proc_fs';
import type { proc_dir_entry, proc_ops } from './include/proc_fs';
import type { file_operations } from './include/fs';
import { fsApi, kernelFops, warn } from './fs';
import { seqFileApi } from './seq_file';
import { inodeOf } from './views';
import type { Inode } from '../../fs/inode';

class Pde implements proc_dir_entry {
  constructor(
    readonly name: string,
    readonly path: string,
    readonly parent: proc_dir_entry | null,
    readonly inode: Inode,
  ) {}
}

/** S_IRUGO: proc_create's mode when none is given. */
const S_IRUGO = 0o444;

export function procFsApi(env: LinuxEnv): typeof ProcFs {
  const fs = fsApi(env);
  const seq = seqFileApi(env);
  const pathOf = (name: string, parent: proc_dir_entry | null): string => (parent ? `${parent.path}/${name}` : name);
  const create = (name: string, mode: number, parent: proc_dir_entry | null, ops: proc_ops, data: unknown): proc_dir_entry | null => {
    const fops: file_operations = {
      ...(ops.proc_open && { open: ops.proc_open }),
      ...(ops.proc_read && { read: ops.proc_read }),
      ...(ops.proc_write && { write: ops.proc_write }),
      llseek: ops.proc_lseek ?? fs.default_llseek, // pde_lseek
      ...(ops.proc_release && { release: ops.proc_release }),
      ...(ops.proc_ioctl && { unlocked_ioctl: ops.proc_ioctl }),
      ...(ops.proc_mmap && { mmap: ops.proc_mmap }),
    };
    const path = pathOf(name, parent);
    const perm = mode & 0o7777;
    const r = env.module.procCreate(path, kernelFops(env, fops), perm === 0 ? S_IRUGO : perm);
    if (typeof r === 'number') return null;
    r.private = data;
    return new Pde(name, path, parent, r);
  };
  const remove = (e: proc_dir_entry | null): void => {
    if (!(e instanceof Pde)) return;
    if (e.inode.isDir) env.module.rmdir(e.inode);
    else env.module.procRemove(e.path);
  };
  return {
    proc_create: (name, mode, parent, ops) => create(name, mode, parent, ops, null),
    proc_create_data: create,
    proc_create_single: (name, mode, parent, show) =>
      create(name, mode, parent, {
        proc_open: (_i, f) => seq.single_open(f, show, null),
        proc_read: seq.seq_read,
        proc_lseek: seq.seq_lseek,
        proc_release: seq.single_release,
      }, null),
    proc_mkdir(name, parent) {
      const path = pathOf(name, parent);
      const r = env.module.mkdir('/proc', path, 0o555);
      return typeof r === 'number' ? null : new Pde(name, path, parent, r);
    },
    proc_remove: remove,
    remove_proc_entry(name, parent) {
      const path = pathOf(name, parent);
      const i = env.kernel.vfs.lookup(`/proc/${path}`);
      if (typeof i === 'number') {
        warn(env, 'fs/proc/generic.c', 'remove_proc_entry', `name '${name}'`);
        return;
      }
      remove(new Pde(name, path, parent, i));
    },
    pde_data: (inode) => inodeOf(inode)?.private ?? null,
    PDE_DATA: (inode) => inodeOf(inode)?.private ?? null,
  };
}
