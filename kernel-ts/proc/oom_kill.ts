// What the OOM killer writes to the kernel log (Linux mm/oom_kill.c):
// dump_header()'s first line, dump_oom_summary() and __oom_kill_process()'s
// "Killed process" line, in Linux's formats. vmlab's OOM kill takes the task
// whose page fault found no memory (traps.ts); Linux would pick
// the task with the highest oom_badness(), most often the same one.
import { KERN_ERR, KERN_INFO, KERN_WARNING } from '../printk';
import { USER_UID } from './creds';
import { PAGE_SIZE } from '../mm/page';
import type { MmStruct } from './deps';

/** The gfp mask of a user page fault's allocation (vma_alloc_zeroed_movable_folio), as %#x(%pGg) prints it. */
export const OOM_FAULT_GFP = '0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)';

export interface OomTask {
  readonly pid: number;
  readonly comm: string;
}

/** K(x): pages as kB. */
function kb(pages: number): number {
  return (pages * PAGE_SIZE) / 1024;
}

/**
 * The lines, with their log levels, of an OOM kill of `victim` (whose mm is
 * `mm`) after an allocation by `invoker` failed, e.g.
 * `Out of memory: Killed process 5 (hog) total-vm:65948kB, anon-rss:61440kB,
 * file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:160kB oom_score_adj:0`.
 * The summary line is that of a kernel with cpusets and memory cgroups, every
 * task in the root groups.
 */
export function oomKillLines(invoker: OomTask, victim: OomTask, mm: MmStruct): [string, number][] {
  return [
    [`${invoker.comm} invoked oom-killer: gfp_mask=${OOM_FAULT_GFP}, order=0, oom_score_adj=0`, KERN_WARNING],
    [
      `oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=${victim.comm},pid=${victim.pid},uid=${USER_UID}`,
      KERN_INFO,
    ],
    [
      `Out of memory: Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(mm.totalVm)}kB, anon-rss:${kb(mm.rssAnon)}kB, ` +
        `file-rss:${kb(mm.rssFile)}kB, shmem-rss:${kb(mm.rssShmem)}kB, UID:${USER_UID} pgtables:${mm.pgtablesBytes / 1024}kB oom_score_adj:0`,
      KERN_ERR,
    ],
  ];
}
