import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { taskView } from '../../../../kernel-ts/module/linux/views';
import { inProcess, linuxEnv } from './helpers';

describe('sched: current and finding tasks', () => {
  it('current reads the process of the call; find_task_by_vpid, find_get_pid/pid_task and for_each_process find it', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(
      k,
      (t) => {
        expect(L.get_current()).toBe(taskView(env, t));
        expect([L.current.pid, L.current.comm, L.current.mm === L.get_current().mm, L.task_pid_nr(L.current), L.task_tgid_nr(L.current)]).toEqual([
          t.pid,
          'seeker',
          true,
          t.pid,
          t.pid,
        ]);
        expect(L.get_task_comm(L.current)).toBe('seeker');
        expect(L.find_task_by_vpid(t.pid)).toBe(L.get_current());
        expect(L.find_task_by_vpid(99999)).toBe(null);
        const p = L.find_get_pid(t.pid);
        expect(L.pid_task(p, L.PIDTYPE_PID)).toBe(L.get_current());
        L.put_pid(p);
        expect(L.find_get_pid(99999)).toBe(null);
        const pids = [...L.for_each_process()].map((x) => x.pid);
        expect(pids).toEqual([...k.tasks.keys()].sort((a, b) => a - b));
        expect(pids).toContain(t.pid);
      },
      'seeker',
    );
    // The call is over: current is swapper/0 again.
    expect(L.current.pid).toBe(0);
  });

  it('current is read-only', () => {
    const L = makeLinux(linuxEnv().env);
    expect(() => {
      (L.current as { pid: number }).pid = 5;
    }).toThrow(TypeError);
  });
});
