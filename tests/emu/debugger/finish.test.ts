// finish: gdb's "Run till exit from #0 ..." and, when the function returned
// (not when a breakpoint stopped it first), "Value returned is $N = a0".
// Expectations generated, reviewed by hand.
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

describe('vmlab debug: finish', () => {
  it("finish prints the value returned in a0, numbered; not when a breakpoint stops it first", () => {
    const r = debugScript("sighandler.s", "break signal\nbreak sigaction\nrun\nfinish\nfinish\nfinish\ninfo registers a0\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Breakpoint 1 at VA 0x10644 <signal>: file <repo>/guest-programs/lib/signal.s, line 49.\nBreakpoint 2 at VA 0x1062c <sigaction>: file <repo>/guest-programs/lib/signal.s, line 29.\nkernel: #PF at VA 0x10090 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10090 -> PA 0x109090\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\n\nBreakpoint 1, VA 0x10644 <signal>\n<repo>/guest-programs/lib/signal.s:49\t        addi    sp, sp, -64             # act at sp+0, old at sp+24\n=> VA 0x10644 <signal>:\tadd\tsp,sp,-64\nRun till exit from #0  VA 0x10644 in signal () at <repo>/guest-programs/lib/signal.s:49\n\nBreakpoint 2, VA 0x1062c <sigaction>\n<repo>/guest-programs/lib/signal.s:29\t        li      a3, SIGSET_SIZE\n=> VA 0x1062c <sigaction>:\tli\ta3,8\nRun till exit from #0  VA 0x1062c in sigaction () at <repo>/guest-programs/lib/signal.s:29\nkernel: #PF at VA 0x116dc (error 0x14 not-present fetch user) handled: file-read; now VA 0x116dc -> PA 0x1046dc\n<repo>/guest-programs/lib/signal.s:60\t        bltz    a0, 1f\n=> VA 0x10674 <signal+0x30>:\tbltz\ta0,1067c <signal+0x38>\nValue returned is $1 = 0\nRun till exit from #0  VA 0x10674 in signal () at <repo>/guest-programs/lib/signal.s:60\nsighandler.s:13\t        li      a0, 11\n=> VA 0x10024 <main+0x24>:\tli\ta0,11\nValue returned is $2 = 0\na0      0x0                 0\n");
    expect(r.status).toBe(0);
  });
});
