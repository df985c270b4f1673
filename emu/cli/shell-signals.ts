// Signal names and descriptions as the shell shows them (bash's strsignal
// texts in job notices, `kill -l`'s names).
const NAMES = [
  '', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM',
  'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS',
];

const DESCRIPTIONS: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 16: 'Stack fault',
  24: 'CPU time limit exceeded', 25: 'File size limit exceeded', 26: 'Virtual timer expired', 27: 'Profiling timer expired',
  29: 'I/O possible', 30: 'Power failure', 31: 'Bad system call',
};

/** bash's text for a process killed by signal `sig`. */
export function signalDescription(sig: number): string {
  return DESCRIPTIONS[sig] ?? `Unknown signal ${sig}`;
}

/** A signal given as a number, NAME or SIGNAME (case-insensitive); null if none. */
export function parseSignal(spec: string): number | null {
  if (/^\d+$/.test(spec)) {
    const n = Number(spec);
    return n >= 0 && n < NAMES.length ? n : null;
  }
  const name = spec.toUpperCase().replace(/^SIG/, '');
  const i = NAMES.indexOf(name);
  return i > 0 ? i : null;
}

/** gdb's name of signal `sig`: SIGSEGV, SIG34 for a real-time one; `signal N` when out of range. */
export function signalName(sig: number): string {
  if (sig > 0 && sig < NAMES.length) return `SIG${NAMES[sig]}`;
  return sig >= NAMES.length && sig <= 64 ? `SIG${sig}` : `signal ${sig}`;
}

/** `kill -l`: the names, numbered. */
export function signalList(): string {
  return NAMES.slice(1).map((n, i) => `${String(i + 1).padStart(2)}) SIG${n}`).join('\n') + '\n';
}
