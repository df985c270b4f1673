// User-mode exceptions (Linux arch/x86/mm/fault.c do_user_addr_fault and
// arch/x86/kernel/traps.c): the kernel's half of xv6's usertrap(). A page
// fault goes to the memory manager; one it cannot fix, and #UD, #BP, #GP and
// the misaligned jump (Vector.AC), become signals forced on the task, with
// Linux's log lines when the task has no handler for them (show_signal_msg /
// show_signal; for the misaligned jump, riscv's do_trap).
import { Vector } from '../../emu/machine/trap';
import { hex64, hex64Padded, u64Big } from '../../emu/machine/cpu/int64';
import { KERN_EMERG, KERN_INFO } from '../printk';
import type { Kernel } from '../kernel';
import { doExit } from './exit';
import { oomKillLines } from './oom_kill';
import { forceSig } from './signal';
import {
  BUS_ADRALN, BUS_ADRERR, ILL_ILLOPC, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, SIG_DFL, SIG_IGN,
  SI_KERNEL, TRAP_BRKPT, siginfo,
} from './signal-defs';
import type { Task } from './task';
import { VM_FAULT_OK, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV_ACCERR } from '../mm/memory';

const REG_SP = 2;

/** %lx of register r, unsigned: the exact 64 bits, whatever their sign or size. */
function regHex(t: Task, r: number): string {
  return hex64(t.regs[2 * r]!, t.regs[2 * r + 1]!);
}

/**
 * Linux unhandled_signal(): the task's action is SIG_DFL or SIG_IGN. (Linux
 * also counts init; vmlab's pid 1 is just the first program, not an init with
 * SIGNAL_UNKILLABLE, so it is treated like any task.)
 */
export function unhandledSignal(t: Task, signo: number): boolean {
  const h = t.sighand.action[signo]!.handler;
  return h === SIG_DFL || h === SIG_IGN;
}

/** print_vma_addr(): ` in prog[10000+1000]` for a file-backed VMA holding ip, else ''. */
export function printVmaAddr(t: Task, ip: number): string {
  const vma = t.mm?.vmas.findVma(ip) ?? null;
  if (vma === null || vma.vmStart > ip || vma.vmFile === null) return '';
  const path = vma.vmFile.path;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return ` in ${base}[${vma.vmStart.toString(16)}+${(vma.vmEnd - vma.vmStart).toString(16)}]`;
}

/** The log level of a fault message: KERN_EMERG for init, as Linux's show_signal_msg. */
function faultLogLevel(t: Task): number {
  return t.pid > 1 ? KERN_INFO : KERN_EMERG;
}

/**
 * show_signal_msg() (arch/x86/mm/fault.c): the line a segfault leaves in the
 * log, `segfault at %lx ip %px sp %px error %lx`, e.g.
 * `prog[42]: segfault at 0 ip 0000000000010074 sp 00007ffffffde000 error 6 in prog[10000+1000]`.
 * Every value is printed from its exact 64 bits.
 */
export function segfaultMessage(t: Task, address: bigint, errorCode: number): string {
  return (
    `${t.comm}[${t.pid}]: segfault at ${address.toString(16)} ip ${hex64Padded(t.pcLo, t.pcHi)} ` +
    `sp ${hex64Padded(t.regs[2 * REG_SP]!, t.regs[2 * REG_SP + 1]!)} error ${errorCode.toString(16)}${printVmaAddr(t, t.pc)}`
  );
}

/** show_signal() (arch/x86/kernel/traps.c): `traps: prog[42] trap invalid opcode ip:10074 sp:... error:0 in ...` (%lx each). */
export function trapMessage(t: Task, desc: string, errorCode: number): string {
  return `traps: ${t.comm}[${t.pid}] ${desc} ip:${hex64(t.pcLo, t.pcHi)} sp:${regHex(t, REG_SP)} error:${errorCode.toString(16)}${printVmaAddr(t, t.pc)}`;
}

/**
 * riscv's do_trap() line (arch/riscv/kernel/traps.c), for the one trap that
 * has no x86 counterpart: `prog[42]: unhandled signal 7 code 0x1 at
 * 0x0000000000010008 in prog[10000+1000]` (REG_FMT is %016lx).
 */
export function riscvTrapMessage(t: Task, signo: number, code: number, addr: bigint): string {
  return `${t.comm}[${t.pid}]: unhandled signal ${signo} code 0x${code.toString(16)} at 0x${addr.toString(16).padStart(16, '0')}${printVmaAddr(t, t.pc)}`;
}

/**
 * The page-fault half of the trap (do_user_addr_fault), with the task's
 * registers still in the CPU: true when the fault was fixed and the
 * instruction can simply run again (the hot path: no register save, no
 * allocation). Otherwise the caller saves registers and calls userFault.
 */
export function fixUserFault(k: Kernel, t: Task): boolean {
  const trap = k.machine.cpu.trap;
  if (trap.vector !== Vector.PF || t.mm === null) return false;
  const lo = trap.addrLo, hi = trap.addrHi, err = trap.error;
  if (k.trace.enabled('exceptions:page_fault_user')) {
    const cpu = k.machine.cpu;
    k.trace.emit('exceptions:page_fault_user', `address=0x${hex64(lo, hi)} ip=0x${hex64(cpu.pcLo, cpu.pcHi)} error_code=0x${err.toString(16)}`);
  }
  const r = k.mm.handleMmFault(t.mm, lo, hi, err);
  if (k.onUserFault !== null) k.onUserFault(t, u64Big(lo, hi), err, t.mm.lastFault);
  if (r !== VM_FAULT_OK) {
    t.lastFaultOutcome = r;
    return false;
  }
  t.minFlt++;
  return true;
}

/**
 * Everything else a user trap can be, with the registers saved in t: an
 * unfixable page fault (SIGSEGV with SEGV_MAPERR/SEGV_ACCERR, SIGBUS, or the
 * OOM kill), #UD (SIGILL), #BP (SIGTRAP), #GP (SIGSEGV, SI_KERNEL) or a jump
 * to a target that is not 4-byte aligned (Vector.AC): riscv Linux's
 * do_trap_insn_misaligned, SIGBUS with BUS_ADRALN and si_addr = the pc of the
 * jump (regs->epc), as on an RV64IM hart without the C extension.
 */
export function userTrap(k: Kernel, t: Task): void {
  const trap = k.machine.cpu.trap;
  const vector = trap.vector;
  const err = trap.error;
  const addr = u64Big(trap.addrLo, trap.addrHi);
  const pc = u64Big(t.pcLo, t.pcHi);
  switch (vector) {
    case Vector.PF: {
      const r = t.lastFaultOutcome;
      if (r === VM_FAULT_OOM) {
        for (const [line, level] of oomKillLines(t, t, t.mm!)) k.printk.log(line, level);
        doExit(k, t, SIGKILL);
        return;
      }
      const fault = { trapno: Vector.PF, errorCode: err, cr2: addr, addr };
      if (r === VM_FAULT_SIGBUS) {
        forceSig(t, siginfo(SIGBUS, BUS_ADRERR, fault));
        return;
      }
      if (unhandledSignal(t, SIGSEGV)) k.printk.log(segfaultMessage(t, addr, err), faultLogLevel(t));
      forceSig(t, siginfo(SIGSEGV, r === VM_FAULT_SIGSEGV_ACCERR ? SEGV_ACCERR : SEGV_MAPERR, fault));
      return;
    }
    case Vector.UD:
      if (unhandledSignal(t, SIGILL)) k.printk.log(trapMessage(t, 'trap invalid opcode', 0), KERN_INFO);
      forceSig(t, siginfo(SIGILL, ILL_ILLOPC, { addr: pc, trapno: Vector.UD }));
      return;
    case Vector.BP:
      if (unhandledSignal(t, SIGTRAP)) k.printk.log(trapMessage(t, 'trap int3', 0), KERN_INFO);
      forceSig(t, siginfo(SIGTRAP, TRAP_BRKPT, { addr: pc, trapno: Vector.BP }));
      return;
    case Vector.GP:
      if (unhandledSignal(t, SIGSEGV)) k.printk.log(trapMessage(t, 'general protection fault', err), KERN_INFO);
      forceSig(t, siginfo(SIGSEGV, SI_KERNEL, { addr: 0n, trapno: Vector.GP, errorCode: err }));
      return;
    case Vector.AC:
      if (unhandledSignal(t, SIGBUS)) k.printk.log(riscvTrapMessage(t, SIGBUS, BUS_ADRALN, pc), KERN_INFO);
      forceSig(t, siginfo(SIGBUS, BUS_ADRALN, { addr: pc, trapno: Vector.AC }));
      return;
    default:
      throw new Error(`user trap with unknown vector ${vector}`);
  }
}
