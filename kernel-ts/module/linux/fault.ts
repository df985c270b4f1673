// What a faulting kernel access throws (arch/x86/mm/fault.c): a #PF taken
// at CPL 0 on an address no exception-table entry covers ends in
// page_fault_oops(), and a non-canonical address in a #GP
// (die_addr("general protection fault")). The accessors of vmlab/linux
// (readb..writeq, memcpy_fromio, ptep_get, set_pte_at ...) go through the
// MMU as a kernel instruction would and throw one of these; the loader's
// guard turns it into an oops of the call (the i13-oops formatting reads
// the fields; lines() gives Linux's own first lines).
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from '../../../emu/machine/trap';

function hex16(v: bigint): string {
  return (v & 0xffffffffffffffffn).toString(16).padStart(16, '0');
}

/** A #PF of a kernel access (Linux page_fault_oops / show_fault_oops). */
export class KernelPageFault extends Error {
  constructor(
    /** The faulting linear address (CR2), 64-bit. */
    readonly address: bigint,
    /** The #PF error code the MMU pushed (PF_P, PF_W, PF_U, PF_RSVD, PF_I, PF_PK). */
    readonly errorCode: number,
    /** The vmlab/linux function that made the access (readq, ptep_get, memcpy_fromio ...). */
    readonly fn: string,
    /** The address is in the user half (below TASK_SIZE_MAX): with SMAP a kernel access to it is a protection fault. */
    readonly userAddress: boolean,
  ) {
    super(`${fn}: unable to handle page fault for address: ${hex16(address)}`);
    this.name = 'KernelPageFault';
  }

  /** `read access`, `write access` or `instruction fetch`, as show_fault_oops words it. */
  get accessWords(): string {
    return this.errorCode & PF_I ? 'instruction fetch' : this.errorCode & PF_W ? 'write access' : 'read access';
  }

  /**
   * Linux's first lines of the oops (show_fault_oops): the BUG line (a
   * NULL-pointer dereference below PAGE_SIZE), the access and the error code.
   */
  lines(): string[] {
    const e = this.errorCode;
    const bug =
      this.address < 4096n
        ? `BUG: kernel NULL pointer dereference, address: ${hex16(this.address)}`
        : `BUG: unable to handle page fault for address: ${hex16(this.address)}`;
    const why = !(e & PF_P) ? 'not-present page' : e & PF_RSVD ? 'reserved bit violation' : e & PF_PK ? 'protection keys violation' : 'permissions violation';
    return [
      bug,
      `#PF: ${e & PF_U ? 'user' : 'supervisor'} ${this.accessWords} in kernel mode`,
      `#PF: error_code(0x${e.toString(16).padStart(4, '0')}) - ${why}`,
    ];
  }
}

/** A #GP of a kernel access to a non-canonical address (Linux exc_general_protection -> die_addr). */
export class KernelGeneralProtection extends Error {
  constructor(
    readonly address: bigint,
    readonly fn: string,
  ) {
    super(`${fn}: general protection fault, probably for non-canonical address 0x${hex16(address)}`);
    this.name = 'KernelGeneralProtection';
  }

  /** Linux's line (the oops header `: 0000 [#1] ...` is the oops printer's). */
  lines(): string[] {
    return [`general protection fault, probably for non-canonical address 0x${hex16(this.address)}`];
  }
}
