import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';
import { EINVAL } from '../../../../kernel-ts/errno';
import { inProcess, linuxEnv } from './helpers';

describe('mmu_notifier over the core-mm hook points', () => {
  it('invalidate_range_start/end bracket munmap and mprotect of the subscribed mm only; unregister detaches', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const log: string[] = [];
    const sub = {
      ops: {
        invalidate_range_start: (_s: unknown, r: { start: bigint; end: bigint; event: number; mm: unknown }) => {
          log.push(`start ${r.event} ${r.start.toString(16)}-${r.end.toString(16)} ${r.mm === L.current.mm}`);
        },
        invalidate_range_end: (_s: unknown, r: { event: number }) => {
          log.push(`end ${r.event}`);
        },
      },
    };
    inProcess(k, (t) => {
      const a = k.mm.doMmap(t.mm!, 0x20000000, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x10);
      expect(L.mmu_notifier_register(sub, L.current.mm!)).toBe(0);
      expect(L.mmu_notifier_register(sub, L.current.mm!)).toBe(-EINVAL);
      expect(k.mm.doMprotect(t.mm!, a, 4096, PROT_READ)).toBe(0);
      expect(k.mm.doMunmap(t.mm!, a + 4096, 4096)).toBe(0);
      L.mmu_notifier_unregister(sub, L.current.mm!);
      expect(k.mm.doMunmap(t.mm!, a, 4096)).toBe(0);
    });
    expect(log).toEqual([
      `start ${L.MMU_NOTIFY_PROTECTION_VMA} 20000000-20001000 true`,
      `end ${L.MMU_NOTIFY_PROTECTION_VMA}`,
      `start ${L.MMU_NOTIFY_UNMAP} 20001000-20002000 true`,
      `end ${L.MMU_NOTIFY_UNMAP}`,
    ]);
    expect([L.MMU_NOTIFY_UNMAP, L.MMU_NOTIFY_CLEAR, L.MMU_NOTIFY_PROTECTION_VMA]).toEqual([0, 1, 2]);
  });
});
