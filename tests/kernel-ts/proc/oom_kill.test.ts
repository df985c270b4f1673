// The OOM kill's kernel log (kernel-ts/proc/oom_kill.ts, Linux
// mm/oom_kill.c): dump_header's first line, dump_oom_summary's one-line
// summary and __oom_kill_process's "Killed process" line with the victim's
// sizes in kB, as a Linux with cpusets and memory cgroups prints them.
import { describe, expect, it } from 'vitest';
import { KERN_ERR, KERN_INFO, KERN_WARNING } from '../../../kernel-ts/printk';
import { oomKillLines } from '../../../kernel-ts/proc/oom_kill';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { logLines, prog, runPrograms } from './helpers';

describe('the OOM killer in the log', () => {
  it('prints three lines in Linux formats, sizes in kB', () => {
    const mm = { totalVm: 16487, rssAnon: 15360, rssFile: 1, rssShmem: 2, pgtablesBytes: 40 * 4096 } as unknown as MmStruct;
    expect(oomKillLines({ comm: 'sh', pid: 2 }, { comm: 'hog', pid: 5 }, mm)).toEqual([
      ['sh invoked oom-killer: gfp_mask=0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=0', KERN_WARNING],
      ['oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=5,uid=1000', KERN_INFO],
      [
        'Out of memory: Killed process 5 (hog) total-vm:65948kB, anon-rss:61440kB, file-rss:4kB, shmem-rss:8kB, UID:1000 pgtables:160kB oom_score_adj:0',
        KERN_ERR,
      ],
    ]);
  });

  it('a process touching more memory than the machine has is killed with them (SIGKILL, status 9)', () => {
    // mmap 64 MiB of a 16 MiB machine (MAP_NORESERVE: past the overcommit check) and write one byte per page.
    const r = runPrograms(
      {
        '/bin/hog': prog(`
        li a0, 0
        li a1, 0x4000000
        li a2, 3
        li a3, 0x4022
        li a4, -1
        li a5, 0
        li a7, 222
        ecall
        li t1, 0x4000000
        add t1, t1, a0
        li t2, 4096
loop:   sb t2, 0(a0)
        add a0, a0, t2
        bltu a0, t1, loop
        li a0, 0
        li a7, SYS_exit
        ecall`),
      },
      { memSize: 16 << 20 },
    );
    expect(r.result.status).toBe(9);
    const log = logLines(r.k);
    const i = log.findIndex((l) => l.startsWith('hog invoked oom-killer'));
    expect(log.slice(i, i + 3).map((l) => l.replace(/\d+kB/g, 'NkB'))).toEqual([
      'hog invoked oom-killer: gfp_mask=0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=0',
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=1,uid=1000',
      'Out of memory: Killed process 1 (hog) total-vm:NkB, anon-rss:NkB, file-rss:NkB, shmem-rss:NkB, UID:1000 pgtables:NkB oom_score_adj:0',
    ]);
    // total-vm is the 64 MiB mapping plus the program's own; anon-rss what it touched before memory ran out.
    const killed = /total-vm:(\d+)kB, anon-rss:(\d+)kB/.exec(log[i + 2]!)!;
    expect(Number(killed[1])).toBeGreaterThan(65536);
    expect(Number(killed[2])).toBeGreaterThan(8192);
    expect(Number(killed[2])).toBeLessThan(16384);
  });
});
