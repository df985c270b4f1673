// The shape of what the kernel log says about a bug, checked line by line
// against Linux 6.1's x86-64 reports (docs/modules.md "Oops"; the printing is
// kernel-ts/proc/oops.ts): an oops (a BUG: line or the #GP or invalid-opcode
// header, `Oops: EEEE [#N] PREEMPT SMP NOPTI`, the task line, RIP, the
// registers, the Call Trace, Modules linked in, CR2 for a page fault, the end
// marker, the first oops's registers again), a WARN (cut here, the message,
// `WARNING: CPU: 0 PID: N at ...`, the same body, the end marker), a soft
// lockup (no header, no end marker), a dump_stack; and no JavaScript (a stack
// line, a host path) anywhere in the log. Returns what is wrong, [] when
// every report is in shape.

const HEX16 = '[0-9a-f]{16}';
const TASK = /^CPU: 0 PID: \d+ Comm: .{1,20} (Not tainted|Tainted: [A-Z ]{19}) 6\.1\.0-vmlab #1$/;
const REGS: readonly RegExp[] = [
  /^RIP: 0010:\S.*$/,
  new RegExp(`^RSP: 0018:${HEX16} EFLAGS: [0-9a-f]{8}$`),
  new RegExp(`^RAX: ${HEX16} RBX: ${HEX16} RCX: ${HEX16}$`),
  new RegExp(`^RDX: ${HEX16} RSI: ${HEX16} RDI: ${HEX16}$`),
  new RegExp(`^RBP: ${HEX16} R08: ${HEX16} R09: ${HEX16}$`),
  new RegExp(`^R10: ${HEX16} R11: ${HEX16} R12: ${HEX16}$`),
  new RegExp(`^R13: ${HEX16} R14: ${HEX16} R15: ${HEX16}$`),
  new RegExp(`^FS:  ${HEX16}\\(0000\\) GS:${HEX16}\\(0000\\) knlGS:${HEX16}$`),
  /^CS:  0010 DS: 0000 ES: 0000 CR0: [0-9a-f]{16}$/,
  new RegExp(`^CR2: ${HEX16} CR3: ${HEX16} CR4: ${HEX16}$`),
];
const FRAME = /^ [^\s]+( \[[A-Za-z0-9_]+\])?$/;
const MODULES = /^Modules linked in:( [A-Za-z0-9_]+(\([OE+-]+\))?)*$/;
const END = '---[ end trace 0000000000000000 ]---';
const CUT = '------------[ cut here ]------------';
const HEADER = /^(Oops|general protection fault, probably for non-canonical address 0x[0-9a-f]{16}|invalid opcode): [0-9a-f]{4} \[#\d+\] PREEMPT SMP NOPTI$/;
const PF_BUG = /^BUG: (unable to handle page fault for address|kernel NULL pointer dereference, address): [0-9a-f]{16}$/;
const PF_ACCESS = /^#PF: (supervisor|user) (read access|write access|instruction fetch) in kernel mode$/;
const PF_CODE = /^#PF: error_code\(0x[0-9a-f]{4}\) - (not-present page|permissions violation|reserved bit violation|protection keys violation)$/;
const PGTABLE = /^PGD [0-9a-f]+ ( ?P4D [0-9a-f]+ ?)?( ?PUD [0-9a-f]+ ?)?( ?PMD [0-9a-f]+ ?)?( ?PTE [0-9a-f]+ ?)?$/;
const EXCEPTION = /^BUG: kernel exception in \S.* \[[A-Za-z0-9_]+\]: .+$|^BUG: kernel exception in \S.*: .+$/;
const LOCKUP = /^watchdog: BUG: soft lockup - CPU#0 stuck for \d+s! \[.{1,20}:\d+\]$/;
const WARNING = /^WARNING: CPU: 0 PID: \d+ at \S+ \S.*$/;
const KBUG = /^kernel BUG at \S+!$/;
/** JavaScript that must never reach the log: a stack frame, a host path, Node's internals. */
const JS = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$|node:internal|\/node_modules\/|file:\/\//;

/** Checks the log's reports; each problem one line naming the log line. */
export function checkLogShapes(lines: readonly string[]): string[] {
  const bad: string[] = [];
  let i = 0;
  const at = (): string => lines[i] ?? '(end of log)';
  const expect = (what: string, ok: boolean): boolean => {
    if (!ok) bad.push(`log line ${i}: expected ${what}, got ${JSON.stringify(at().slice(0, 120))}`);
    return ok;
  };
  /** The task line, the machine, the registers, the Call Trace. */
  const body = (): boolean => {
    if (!expect('the task line (CPU: 0 PID: N Comm: ...)', TASK.test(at()))) return false;
    i++;
    if (!expect('Hardware name: vmlab', at() === 'Hardware name: vmlab')) return false;
    i++;
    return regs() && trace();
  };
  const regs = (): boolean => {
    for (const re of REGS) {
      if (!expect(`a register line ${re.source.slice(1, 5)}`, re.test(at()))) return false;
      i++;
    }
    return true;
  };
  const trace = (): boolean => {
    if (!expect('Call Trace:', at() === 'Call Trace:')) return false;
    i++;
    if (!expect(' <TASK>', at() === ' <TASK>')) return false;
    i++;
    while (i < lines.length && at() !== ' </TASK>') {
      if (!expect('a Call Trace frame ( fn+0xOFF/0xSIZE [mod])', FRAME.test(at()))) return false;
      i++;
    }
    if (!expect(' </TASK>', at() === ' </TASK>')) return false;
    i++;
    return true;
  };
  const modules = (): boolean => {
    if (!expect('Modules linked in:', MODULES.test(at()))) return false;
    i++;
    return true;
  };
  /** From the header line on: the oops's body, its end, the summary registers. */
  const oops = (pageFault: boolean): boolean => {
    if (!expect('the oops header (Oops: EEEE [#N] PREEMPT SMP NOPTI)', HEADER.test(at()))) return false;
    i++;
    if (!body() || !modules()) return false;
    if (pageFault) {
      if (!expect('CR2: ADDRESS', new RegExp(`^CR2: ${HEX16}$`).test(at()))) return false;
      i++;
    }
    if (!expect(END, at() === END)) return false;
    i++;
    return regs();
  };
  while (i < lines.length) {
    const l = at();
    if (JS.test(l)) {
      bad.push(`log line ${i}: JavaScript in the log: ${JSON.stringify(l.slice(0, 120))}`);
      i++;
    } else if (PF_BUG.test(l)) {
      i++;
      if (!expect('#PF: ... access in kernel mode', PF_ACCESS.test(at()))) continue;
      i++;
      if (!expect('#PF: error_code(0xNNNN) - ...', PF_CODE.test(at()))) continue;
      i++;
      if (!expect('the page-table line (PGD ...)', PGTABLE.test(at()))) continue;
      i++;
      oops(true);
    } else if (EXCEPTION.test(l)) {
      i++;
      oops(false);
    } else if (l.startsWith('BUG:') && !LOCKUP.test(l)) {
      bad.push(`log line ${i}: a BUG line of no known shape: ${JSON.stringify(l.slice(0, 120))}`);
      i++;
    } else if (HEADER.test(l)) {
      oops(false);
    } else if (l.startsWith('Oops') || l.startsWith('general protection') || l.startsWith('invalid opcode')) {
      bad.push(`log line ${i}: an oops header of no known shape: ${JSON.stringify(l.slice(0, 120))}`);
      i++;
    } else if (l.startsWith('watchdog:')) {
      if (!expect('watchdog: BUG: soft lockup - CPU#0 stuck for Ns! [comm:pid]', LOCKUP.test(l))) {
        i++;
        continue;
      }
      i++;
      if (modules()) body();
    } else if (l === CUT) {
      i++;
      if (KBUG.test(at())) {
        i++;
        oops(false);
        continue;
      }
      // WARN's message: any lines up to the WARNING line (bounded).
      const from = i;
      while (i < lines.length && i - from < 20 && !WARNING.test(at()) && at() !== CUT) i++;
      if (!expect('WARNING: CPU: 0 PID: N at FILE fn+0xOFF/0xSIZE', WARNING.test(at()))) continue;
      i++;
      if (!modules() || !body()) continue;
      if (!expect(END, at() === END)) continue;
      i++;
    } else if (TASK.test(l)) {
      // dump_stack(): the task line, the machine, the Call Trace.
      i++;
      if (!expect('Hardware name: vmlab', at() === 'Hardware name: vmlab')) continue;
      i++;
      trace();
    } else if (/^={20,}$/.test(l) && (lines[i + 1] ?? '').startsWith('WARNING: ')) {
      // lockdep's report (kernel/locking/lockdep.c): the rule, the warning, the kernel's version and taint.
      i += 2;
      expect('the kernel version line of a lockdep report', /^6\.1\.0-vmlab #1 (Not tainted|Tainted: [A-Z ]+)$/.test(at()));
      i++;
    } else if (l.startsWith('WARNING:') || l.startsWith('RIP:') || l === 'Call Trace:' || l === END) {
      bad.push(`log line ${i}: part of a report outside one: ${JSON.stringify(l.slice(0, 120))}`);
      i++;
    } else {
      i++;
    }
  }
  return bad;
}
