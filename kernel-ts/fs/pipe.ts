// Pipes (Linux fs/pipe.c): a bounded byte queue with a read end and a write
// end, each an open File on an inode of the internal pipefs (S_IFIFO, shown
// by fstat and /proc as "pipe:[ino]").
//
// Blocking follows vmlab's sleep protocol: a read of an empty pipe whose
// write end is open, or a write that finds no room, puts the calling task on
// the pipe's wait queue and answers SYSCALL_RESTART's value (-512): the task
// sleeps and makes the same call again when the other end wakes it. With
// O_NONBLOCK the answer is -EAGAIN instead. A write with no reader left is
// -EPIPE and SIGPIPE to the writer (pipe_write's send_sig).
//
// Writes of at most PIPE_BUF bytes are atomic: they wait until all of them
// fit. A larger blocking write takes what fits and sleeps until there is
// room for more, as many times as it takes: the restart protocol re-issues
// the call whole, so the count written so far is kept in the task
// (Task.partialWrite) and the re-issued call goes on from there. It
// returns the whole count, or what it had written when a signal came or
// the last reader went (SIGPIPE still sent), as pipe_write's `ret`.
import type { Task } from '../proc/task';
import type { File, FileOperations, Loff } from './file';
import { File as OpenFile, O_NONBLOCK, O_RDONLY, O_WRONLY } from './file';
import { Inode, SuperBlock, ownByUser } from './inode';
import { S_IFIFO, mkdev } from './stat';
import { EAGAIN, EPIPE } from '../errno';

/** PIPE_BUF (include/uapi/linux/limits.h): writes up to this size are atomic. */
export const PIPE_BUF = 4096;
/** The default pipe capacity: 16 pages (PIPE_DEF_BUFFERS * PAGE_SIZE). */
export const PIPE_DEF_SIZE = 16 * 4096;
/** The value of SYSCALL_RESTART (syscalls/table.ts): the caller sleeps and re-issues the call. */
const RESTART = -512;

/** What a pipe needs from the kernel: the calling task, sleeping and waking it, SIGPIPE. */
export interface PipeKernel {
  readonly current: Task | null;
  /** Puts t to sleep on a wait queue (sched.ts sleepOn with kind 'queue'). */
  sleep(t: Task, queue: string): void;
  wakeUp(t: Task): void;
  /** send_sig(SIGPIPE, current, 0). */
  sigpipe(t: Task): void;
  /** signal_pending(t): a signal t does not block is pending. */
  signalPending(t: Task): boolean;
}

/** Linux struct pipe_inode_info. */
class PipeInfo {
  /** The queued bytes: data[head, head + len) modulo capacity. */
  readonly data = new Uint8Array(PIPE_DEF_SIZE);
  head = 0;
  len = 0;
  readers = 1;
  writers = 1;
  /** Tasks asleep waiting for data (rd_wait) or for room (wr_wait). */
  readonly rdWait = new Set<Task>();
  readonly wrWait = new Set<Task>();
  constructor(private readonly k: PipeKernel) {}

  wake(queue: Set<Task>): void {
    for (const t of queue) this.k.wakeUp(t);
    queue.clear();
  }

  /** Waits on queue unless the file is non-blocking: the answer the call gives now. */
  block(file: File, queue: Set<Task>, name: string): number {
    if (file.flags & O_NONBLOCK) return -EAGAIN;
    const t = this.k.current;
    if (t === null) return -EAGAIN;
    queue.add(t);
    this.k.sleep(t, name);
    return RESTART;
  }
}

function pipeOps(info: PipeInfo, k: PipeKernel): { read: FileOperations; write: FileOperations } {
  const read: FileOperations = {
    // pipe_read(): what is queued, up to the buffer; EOF once every writer is gone.
    read: (file: File, buf: Uint8Array, _ppos: Loff): number => {
      if (buf.length === 0) return 0;
      if (info.len === 0) return info.writers === 0 ? 0 : info.block(file, info.rdWait, 'pipe_read');
      const n = Math.min(buf.length, info.len);
      const cap = info.data.length;
      const first = Math.min(n, cap - info.head);
      buf.set(info.data.subarray(info.head, info.head + first));
      if (n > first) buf.set(info.data.subarray(0, n - first), first);
      info.head = (info.head + n) % cap;
      info.len -= n;
      if (info.len === 0) info.head = 0;
      info.wake(info.wrWait);
      return n;
    },
    release: (): void => {
      info.readers--;
      info.wake(info.wrWait);
    },
  };
  const write: FileOperations = {
    // pipe_write(): -EPIPE with SIGPIPE when no reader is left; atomic up to PIPE_BUF.
    write: (file: File, data: Uint8Array, _ppos: Loff): number => {
      const t = k.current;
      const partial = t?.partialWrite;
      let done = partial !== null && partial !== undefined && partial.inode === file.inode ? partial.done : 0;
      if (info.readers === 0) {
        if (t !== null) k.sigpipe(t);
        return done > 0 ? done : -EPIPE;
      }
      if (data.length === 0) return 0;
      const cap = info.data.length;
      const room = cap - info.len;
      const atomic = data.length <= PIPE_BUF;
      if (room === 0 || (atomic && room < data.length)) {
        if (done > 0 && t !== null && k.signalPending(t)) return done;
        return info.block(file, info.wrWait, 'pipe_write');
      }
      const n = Math.min(room, data.length - done);
      for (let i = 0; i < n; i++) info.data[(info.head + info.len + i) % cap] = data[done + i]!;
      info.len += n;
      done += n;
      info.wake(info.rdWait);
      if (done === data.length || file.flags & O_NONBLOCK || t === null || k.signalPending(t)) return done;
      // More to write and the pipe is full: sleep for room, keeping the count.
      t.partialWrite = { inode: file.inode, done };
      return info.block(file, info.wrWait, 'pipe_write');
    },
    release: (): void => {
      info.writers--;
      info.wake(info.rdWait);
    },
  };
  return { read, write };
}

/** The internal pipefs every pipe's inode lives on (never mounted: st_dev 0:12, as Linux's pipefs). */
export class PipeFs {
  readonly sb = new SuperBlock('pipefs', mkdev(0, 12), false);
  constructor(private readonly k: PipeKernel) {}

  /**
   * create_pipe_files(): a new pipe's read and write ends, each one File
   * reference for the caller to install; `flags` may carry O_NONBLOCK.
   */
  createPipeFiles(flags: number): { read: File; write: File } {
    const info = new PipeInfo(this.k);
    const ops = pipeOps(info, this.k);
    const inode = ownByUser(new Inode(this.sb, S_IFIFO | 0o600, ops.read, 'pipe:', null));
    // Reachable from the inode, not only from the closures, so the debugger's recorder snapshots the pipe's state.
    inode.private = info;
    const nb = flags & O_NONBLOCK;
    return { read: new OpenFile(inode, O_RDONLY | nb, ops.read), write: new OpenFile(inode, O_WRONLY | nb, ops.write) };
  }
}
