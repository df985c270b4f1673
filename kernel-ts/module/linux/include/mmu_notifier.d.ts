// <linux/mmu_notifier.h>: being told before and after the kernel changes
// the mappings of a range of an address space — how a Linux driver that
// keeps its own view of a process's pages (btplus's huge pages, a device's
// page tables) stays correct. vmlab calls a subscription's
// invalidate_range_start before munmap, mprotect, mremap or a VMA move
// changes [start, end) (the VMAs and page tables are still as they were:
// the place to split a huge page the range cuts) and invalidate_range_end
// after it. rmmod unregisters what the module left registered.
import type { mm_struct } from './mm_types';
import type { ulong } from './types';

/** enum mmu_notifier_event (include/linux/mmu_notifier.h): why the range changes. */
export declare const MMU_NOTIFY_UNMAP: number;
export declare const MMU_NOTIFY_CLEAR: number;
export declare const MMU_NOTIFY_PROTECTION_VMA: number;

/**
 * struct mmu_notifier_range: the range changing. event is MMU_NOTIFY_UNMAP
 * for munmap, mremap and a VMA move (their old range), MMU_NOTIFY_PROTECTION_VMA
 * for mprotect. `to` (vmlab's addition) is the new start of a moved range.
 */
export interface mmu_notifier_range {
  readonly mm: mm_struct;
  readonly start: ulong;
  readonly end: ulong;
  readonly event: number;
  readonly to: ulong | null;
}

/** struct mmu_notifier_ops: the callbacks (both optional; return 0: vmlab never asks a non-blocking call). */
export interface mmu_notifier_ops {
  invalidate_range_start?(subscription: mmu_notifier, range: mmu_notifier_range): number | void;
  invalidate_range_end?(subscription: mmu_notifier, range: mmu_notifier_range): void;
}

/** struct mmu_notifier: a subscription; the module's object, with its ops. */
export interface mmu_notifier {
  readonly ops: mmu_notifier_ops;
}

/**
 * mmu_notifier_register(subscription, mm) (mm/mmu_notifier.c): subscribes to
 * mm's range changes. 0, or -EINVAL if it is already registered for mm
 * (or is not a subscription). After rmmod's exit it attaches nothing.
 */
export declare function mmu_notifier_register(subscription: mmu_notifier, mm: mm_struct): number;
/** mmu_notifier_unregister(subscription, mm): ends the subscription (nothing if it is not registered). */
export declare function mmu_notifier_unregister(subscription: mmu_notifier, mm: mm_struct): void;
