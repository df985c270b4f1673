// The mm system calls (placeholder table until they land).
import type { SyscallTable } from './table';

export const mmSyscalls: SyscallTable = {};
