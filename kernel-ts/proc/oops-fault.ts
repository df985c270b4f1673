// What module code (through vmlab/linux) throws to stop the kernel in a way
// Linux would, as oops.ts reads it: a page fault of a kernel access at CPL0
// and a #GP on a non-canonical address (KernelPageFault and
// KernelGeneralProtection of kernel-ts/module/linux/fault.ts, thrown by the
// accessors, e.g. readq on a bad pointer), and BUG()/BUG_ON() (KernelBug of
// kernel-ts/module/linux/bug.ts, thrown after it logged report_bug's
// `cut here` and `kernel BUG at FILE:LINE!` lines). oops.ts formats them as Linux's x86-64 oops (arch/x86/mm/fault.c
// page_fault_oops, arch/x86/kernel/traps.c exc_general_protection, lib/bug.c
// report_bug).
//
// They are recognised by shape, not by class: an error made in another realm
// (a vm context) is not an `instanceof`, and the kernel core does not import
// the module API.

/** The fields oops.ts reads of a page fault (KernelPageFault's, or any error of that name and shape). */
export interface PageFaultShape {
  readonly name: string;
  readonly address: bigint;
  readonly errorCode: number;
  readonly fn: string;
  /** The physical address of the PGD the access walked, when not the current CR3. */
  readonly cr3?: number;
}

/** The fields oops.ts reads of a #GP (KernelGeneralProtection's). */
export interface GeneralProtectionShape {
  readonly name: string;
  readonly address: bigint;
  readonly fn: string;
}

/** The fields oops.ts reads of a BUG (KernelBug's). */
export interface BugShape {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/** Reads a property of a thrown value without letting a getter or Proxy trap throw. */
function prop(e: unknown, key: string): unknown {
  try {
    return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

/** True for a KernelPageFault, by name and field types; never throws. */
export function isKernelPageFault(e: unknown): e is PageFaultShape {
  return prop(e, 'name') === 'KernelPageFault' && typeof prop(e, 'address') === 'bigint' && typeof prop(e, 'errorCode') === 'number' && typeof prop(e, 'fn') === 'string';
}

/** True for a KernelGeneralProtection, by name and field types; never throws. */
export function isKernelGeneralProtection(e: unknown): e is GeneralProtectionShape {
  return prop(e, 'name') === 'KernelGeneralProtection' && typeof prop(e, 'address') === 'bigint' && typeof prop(e, 'fn') === 'string';
}

/** True for a KernelBug, by name and field types; never throws. */
export function isKernelBug(e: unknown): e is BugShape {
  return prop(e, 'name') === 'KernelBug' && typeof prop(e, 'file') === 'string' && typeof prop(e, 'line') === 'number';
}
