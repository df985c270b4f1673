// `vmlab dap`'s memory views: readMemory (VS Code's memory inspector) and
// disassemble (its disassembly view), on the debugged task's virtual
// addresses through the MMU's side-effect-free probe, as the REPL's x and
// disassemble read them: nothing is faulted in, no accessed or dirty bit
// changes, and what a user read could not reach is reported, not read.
import { resolve } from 'node:path';
import { Source } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { disassembleWord } from '../../asm/disasm';
import type { Session } from '../debugger/session';
import { hexn } from '../debugger/views';

/** The most bytes one readMemory answers (a client asks again from where the answer ends). */
export const READ_MEMORY_MAX = 1 << 16;
/** The most instructions one disassemble answers. */
export const DISASSEMBLE_MAX = 4096;
const PAGE = 4096;
const INSN = 4;

/** An address a client sends (memoryReference: `0x10020`, or decimal) plus an offset; a message when it is not one. */
export function addressOf(ref: unknown, offset: unknown): number | string {
  const base = typeof ref === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(ref.trim()) ? Number(ref.trim()) : NaN;
  const off = offset === undefined ? 0 : typeof offset === 'number' && Number.isSafeInteger(offset) ? offset : NaN;
  const a = base + off;
  if (!Number.isSafeInteger(a) || a < 0 || a >= 2 ** 64) return `not an address: ${String(ref)}${offset === undefined ? '' : ` + ${String(offset)}`}`;
  return a;
}

/**
 * readMemory: the readable bytes from the start (base64), then how many
 * bytes after them cannot be read (up to the next readable page, or to the
 * end of the request): DAP's unreadableBytes, so that a client skips them.
 */
export function readMemory(s: Session, args: DebugProtocol.ReadMemoryArguments): NonNullable<DebugProtocol.ReadMemoryResponse['body']> | string {
  const start = addressOf(args.memoryReference, args.offset);
  if (typeof start === 'string') return start;
  const count = args.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return `readMemory: count must be a whole number of bytes, not ${String(count)}`;
  const n = Math.min(count, READ_MEMORY_MAX);
  const bytes: number[] = [];
  while (bytes.length < n) {
    const pa = s.virtToPhys(start + bytes.length);
    if (typeof pa === 'string') break;
    bytes.push(s.k.machine.mem.read8(pa));
  }
  let unreadable = 0;
  if (bytes.length < n) {
    // Unreadable to the end of this page, then whole pages until one reads.
    let a = start + bytes.length;
    const end = start + n;
    a = Math.min(end, (Math.floor(a / PAGE) + 1) * PAGE);
    while (a < end && typeof s.virtToPhys(a) === 'string') a = Math.min(end, a + PAGE);
    unreadable = a - (start + bytes.length);
  }
  return {
    address: hexn(start),
    ...(unreadable > 0 ? { unreadableBytes: unreadable } : {}),
    data: Buffer.from(bytes).toString('base64'),
  };
}

/**
 * disassemble: instructionCount instructions from memoryReference + offset
 * + instructionOffset instructions (RV64IM's are 4 bytes), as the REPL's
 * disassemble prints them, each with its symbol and its source line where
 * the line table knows it; an address that cannot be read is an
 * instruction `<not mapped>` (DAP wants exactly the count asked for).
 */
export function disassemble(s: Session, args: DebugProtocol.DisassembleArguments): NonNullable<DebugProtocol.DisassembleResponse['body']> | string {
  const base = addressOf(args.memoryReference, args.offset);
  if (typeof base === 'string') return base;
  const count = args.instructionCount;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return `disassemble: instructionCount must be a whole number, not ${String(count)}`;
  const skip = args.instructionOffset ?? 0;
  if (typeof skip !== 'number' || !Number.isSafeInteger(skip)) return `disassemble: instructionOffset must be a whole number, not ${String(skip)}`;
  const instructions: DebugProtocol.DisassembledInstruction[] = [];
  for (let i = 0; i < Math.min(count, DISASSEMBLE_MAX); i++) {
    const a = base + (skip + i) * INSN;
    if (a < 0 || a >= 2 ** 64) {
      instructions.push({ address: a < 0 ? '-0x1' : hexn(2 ** 64), instruction: '<not mapped>', presentationHint: 'invalid' });
      continue;
    }
    const insn: DebugProtocol.DisassembledInstruction = { address: hexn(a), instruction: '<not mapped>' };
    const w = s.readVirt(a, INSN);
    if (typeof w === 'string') insn.presentationHint = 'invalid';
    else {
      insn.instructionBytes = Number(w).toString(16).padStart(8, '0');
      insn.instruction = disassembleWord(Number(w) | 0, a, (x) => s.syms.name(x)).text;
    }
    const sym = s.syms.name(a);
    if (sym !== undefined && args.resolveSymbols !== false) insn.symbol = sym;
    const l = s.syms.line(a);
    if (l !== undefined) {
      insn.location = new Source(l.file.split('/').pop()!, resolve(l.file));
      insn.line = l.line;
    }
    instructions.push(insn);
  }
  return { instructions };
}
