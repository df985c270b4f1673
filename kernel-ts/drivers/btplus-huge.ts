// btplus part 2: promotion of fully populated 2 MiB ranges to huge pages.
import type { ModuleContext, Task } from '../module/api';
import { ENOSYS } from '../errno';
import type { MmStruct } from '../mm/mm-struct';

export class BtplusPromoter {
  constructor(
    readonly m: ModuleContext,
    readonly st: { promote: number },
  ) {}

  /** IOCTL_PROMOTE_VMA: starts the promotion thread for task's mm. */
  start(_task: Task): number {
    return -ENOSYS;
  }

  attachHooks(): number {
    return 0;
  }

  stop(): void {}
}

/** Promotes every 2 MiB-aligned fully present range inside [start, end) of mm; the count promoted. */
export function promoteRange(_m: ModuleContext, _mm: MmStruct, _start: number, _end: number): number {
  return 0;
}
