// Traps leave the run loop by throwing one preallocated, non-Error sentinel
// (STYLE convention 4). Whoever raises a trap first records its cause in the
// CPU's TrapRecord (one per CPU, shared with its MMU: Cpu.trap, Mmu.trap);
// the run loop catches the sentinel once per batch and reports it. The
// sentinel carries nothing, so one object serves every machine in the
// process. Nothing here allocates.

/** Exception vectors (Intel SDM vol. 3, table 6-1), plus vmlab's system-call stop. */
export const Vector = {
  BP: 3, // ebreak
  UD: 6, // illegal instruction
  GP: 13, // non-canonical address
  /**
   * Alignment check: a jump or taken branch to a target that is not 4-byte
   * aligned. It stands for RISC-V's instruction-address-misaligned exception
   * (cause 0), which an RV64IM hart without the C extension raises there and
   * x86 has no vector for; #AC is x86's alignment fault.
   */
  AC: 17,
  PF: 14, // page fault
} as const;
export type Vector = (typeof Vector)[keyof typeof Vector];

/** Page-fault error-code bits (SDM vol. 3, 4.7). */
export const PF_P = 1 << 0;
export const PF_W = 1 << 1;
export const PF_U = 1 << 2;
export const PF_RSVD = 1 << 3;
export const PF_I = 1 << 4;
export const PF_PK = 1 << 5;

/** The #PF error code in words, e.g. "not-present write user" (SDM vol. 3, 4.7): the debugger's and vmlab run's. */
export function pfWords(code: number): string {
  const w = [code & PF_P ? 'protection' : 'not-present', code & PF_W ? 'write' : code & PF_I ? 'fetch' : 'read', code & PF_U ? 'user' : 'kernel'];
  if (code & PF_RSVD) w.push('reserved-bit');
  if (code & PF_PK) w.push('pkey');
  return w.join(' ');
}

/** The kind of a memory access, as the MMU checks it. */
export const Access = { Read: 0, Write: 1, Fetch: 2 } as const;
export type Access = (typeof Access)[keyof typeof Access];

/** The one object ever thrown for a guest trap. Not an Error: no stack capture. */
export const TRAP_SENTINEL: { readonly trap: true } = Object.freeze({ trap: true });

/** What tryTranslate returns instead of a physical address when it recorded a trap. */
export const TRAP_PENDING = -1;

/**
 * The cause of a CPU's trap in flight (one per CPU, shared with its MMU).
 * Fields are overwritten by each record.
 */
export class TrapRecord {
  vector = 0;
  /** #PF and #GP error code. */
  error = 0;
  /** Faulting linear address (#PF), as two 32-bit halves; mirrors CR2. */
  addrLo = 0;
  addrHi = 0;

  /**
   * Records a trap without unwinding; returns TRAP_PENDING. For paths that
   * report a fault by value (Mmu.tryTranslate, which the run loop checks
   * inline: a throw costs ~0.25 us in V8, and page faults are hot in real programs).
   */
  record(vector: number, error: number, addrLo: number, addrHi: number): typeof TRAP_PENDING {
    this.vector = vector;
    this.error = error;
    this.addrLo = addrLo;
    this.addrHi = addrHi;
    return TRAP_PENDING;
  }

  /** Records a trap and unwinds to the run loop. */
  raise(vector: number, error: number, addrLo: number, addrHi: number): never {
    this.record(vector, error, addrLo, addrHi);
    throw TRAP_SENTINEL;
  }
}

export function isTrap(e: unknown): boolean {
  return e === TRAP_SENTINEL;
}
