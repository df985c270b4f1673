// <linux/mmu_notifier.h> over the core mm's hook points (kernel-ts/hooks.ts,
// docs/hooks.md): invalidate_range_start is a pre handler, invalidate_range_end
// a post handler, filtered to the subscribed mm. Registered through the
// LoadedModule, so a throwing callback is an oops of the calling process and
// rmmod detaches what is left.
import type { HookArgs, HookPoint } from '../../hooks';
import { EINVAL } from '../../errno';
import type { MmStruct } from '../../mm/mm-struct';
import type { LinuxEnv } from './env';
import type { mmu_notifier, mmu_notifier_range } from './include/mmu_notifier';
import { mmOf, mmView } from './views';

const MMU_NOTIFY_UNMAP = 0;
const MMU_NOTIFY_CLEAR = 1;
const MMU_NOTIFY_PROTECTION_VMA = 2;

const EVENT: Record<HookPoint, number> = {
  munmap: MMU_NOTIFY_UNMAP,
  mprotect: MMU_NOTIFY_PROTECTION_VMA,
  mremap: MMU_NOTIFY_UNMAP,
  vma_move: MMU_NOTIFY_UNMAP,
};
const POINTS = Object.keys(EVENT) as HookPoint[];

export function mmuNotifierApi(env: LinuxEnv): typeof import('./include/mmu_notifier') {
  /** Each subscription's detach functions, by mm. */
  const subs = new Map<mmu_notifier, Map<MmStruct, (() => void)[]>>();
  const range = (a: HookArgs): mmu_notifier_range => ({
    mm: mmView(env, a.mm),
    start: BigInt(a.start),
    end: BigInt(a.end),
    event: EVENT[a.point],
    to: a.to === undefined ? null : BigInt(a.to),
  });
  return {
    MMU_NOTIFY_UNMAP,
    MMU_NOTIFY_CLEAR,
    MMU_NOTIFY_PROTECTION_VMA,
    mmu_notifier_register: (sub, mmv) => {
      const mm = mmOf(mmv);
      if (mm === undefined || typeof sub?.ops !== 'object' || sub.ops === null) return -EINVAL;
      const byMm = subs.get(sub) ?? new Map<MmStruct, (() => void)[]>();
      if (byMm.has(mm)) return -EINVAL;
      const offs = POINTS.map((point) =>
        env.module.registerHook(point, {
          pre: (a) => {
            if (a.mm === mm) sub.ops.invalidate_range_start?.(sub, range(a));
          },
          post: (a) => {
            if (a.mm === mm) sub.ops.invalidate_range_end?.(sub, range(a));
          },
        }),
      );
      byMm.set(mm, offs);
      subs.set(sub, byMm);
      return 0;
    },
    mmu_notifier_unregister: (sub, mmv) => {
      const mm = mmOf(mmv);
      const byMm = subs.get(sub);
      const offs = mm === undefined ? undefined : byMm?.get(mm);
      if (offs === undefined) return;
      for (const off of offs) off();
      byMm!.delete(mm!);
    },
  };
}
