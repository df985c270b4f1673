// catch signal: stops before the kernel delivers a signal (before the handler
// frame is built or the default action kills), and continue delivers it.
// Expectations generated, reviewed by hand.
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

describe('vmlab debug: catch signal', () => {
  it("catch signal stops before SIGSEGV is delivered; continue delivers it and the program dies", () => {
    const r = debugScript("segv.s", "catch signal\ninfo breakpoints\nrun\ninfo breakpoints\ncontinue\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Catchpoint 1 (any signal)\nNum     Type            Disp Enb Address            What\n1       catchpoint      keep y                      signal <any signal>\nkernel: #PF at VA 0x10014 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10014 -> PA 0x109014\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\nkernel: #PF at VA 0x10000 (error 0x7 protection write user) handled: segv\n\nCatchpoint 1 (signal SIGSEGV), VA 0x10008 <main+0x8>\nsegv.s:6\t        sw      zero, 0(a0)\n=> VA 0x10008 <main+0x8>:\tsw\tzero,0(a0)\nNum     Type            Disp Enb Address            What\n1       catchpoint      keep y                      signal <any signal>\n\tbreakpoint already hit 1 time\n\nProgram terminated with signal SIGSEGV.\n[Inferior 1 (process 1) killed]\n");
    expect(r.status).toBe(139);
  });
  it("catch signal SIGUSR1 lets SIGSEGV through", () => {
    const r = debugScript("segv.s", "catch signal SIGUSR1\nrun\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Catchpoint 1 (signal SIGUSR1)\nkernel: #PF at VA 0x10014 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10014 -> PA 0x109014\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\nkernel: #PF at VA 0x10000 (error 0x7 protection write user) handled: segv\n\nProgram terminated with signal SIGSEGV.\n[Inferior 1 (process 1) killed]\n");
    expect(r.status).toBe(139);
  });
  it("kill() to itself and a fault, both caught before their handlers run; a breakpoint in the handler", () => {
    const r = debugScript("sighandler.s", "catch signal SEGV 10\nbreak on_usr1\ninfo breakpoints\nrun\nbt\ncontinue\ncontinue\ncontinue\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Catchpoint 1 (signals SIGSEGV SIGUSR1)\nBreakpoint 2 at VA 0x10064 <on_usr1>: file sighandler.s, line 27.\nNum     Type            Disp Enb Address            What\n1       catchpoint      keep y                      signal SIGSEGV SIGUSR1\n2       breakpoint      keep y   VA 0x10064         <on_usr1> on_usr1\nkernel: #PF at VA 0x10090 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10090 -> PA 0x109090\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\nkernel: #PF at VA 0x116dc (error 0x14 not-present fetch user) handled: file-read; now VA 0x116dc -> PA 0x1046dc\n\nCatchpoint 1 (signal SIGUSR1), VA 0x116e0 <__syscall_ret+0x4>\n<repo>/guest-programs/lib/syscall.s:23\t        li      t0, -MAX_ERRNO - 1\n=> VA 0x116e0 <__syscall_ret+0x4>:\tlui\tt0,0xfffff\n#0  VA 0x116e0 in __syscall_ret () at <repo>/guest-programs/lib/syscall.s:23\n#1  VA 0x10044 in main () at sighandler.s:17\n#2  VA 0x100e0 in _start () at <repo>/guest-programs/lib/crt0.s:40\n\nBreakpoint 2, VA 0x10064 <on_usr1>\nsighandler.s:27\t        la      a0, usr1_msg\n=> VA 0x10064 <on_usr1>:\tauipc\ta0,0x2\nSIGUSR1 handled\nkernel: #PF at VA 0x7ffff7ffe000 (error 0x14 not-present fetch user) handled: file-read; now VA 0x7ffff7ffe000 -> PA 0x10d000\nkernel: #PF at VA 0x10000 (error 0x7 protection write user) handled: segv\n\nCatchpoint 1 (signal SIGSEGV), VA 0x1004c <main+0x4c>\nsighandler.s:19\t        sw      zero, 0(a0)\n=> VA 0x1004c <main+0x4c>:\tsw\tzero,0(a0)\nSIGSEGV handled\n[Inferior 1 (process 1) exited with code 07]\n");
    expect(r.status).toBe(7);
  });
  it("stepi after a signal stop enters the handler; delete, disable, bad names", () => {
    const r = debugScript("sighandler.s", "catch signal SIGUSR1\ncatch signal SIGSEGV\ndisable 2\nrun\nstepi\ndelete 1\ncatch signal 99\ncatch signal FOO\ninfo breakpoints\ncontinue\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Catchpoint 1 (signal SIGUSR1)\nCatchpoint 2 (signal SIGSEGV)\nkernel: #PF at VA 0x10090 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10090 -> PA 0x109090\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\nkernel: #PF at VA 0x116dc (error 0x14 not-present fetch user) handled: file-read; now VA 0x116dc -> PA 0x1046dc\n\nCatchpoint 1 (signal SIGUSR1), VA 0x116e0 <__syscall_ret+0x4>\n<repo>/guest-programs/lib/syscall.s:23\t        li      t0, -MAX_ERRNO - 1\n=> VA 0x116e0 <__syscall_ret+0x4>:\tlui\tt0,0xfffff\nsighandler.s:27\t        la      a0, usr1_msg\n=> VA 0x10064 <on_usr1>:\tauipc\ta0,0x2\nOnly signals 1-64 are valid as numeric signals.\nUnknown signal name 'FOO'.\nNum     Type            Disp Enb Address            What\n2       catchpoint      keep n                      signal SIGSEGV\nSIGUSR1 handled\nSIGSEGV handled\nkernel: #PF at VA 0x7ffff7ffe000 (error 0x14 not-present fetch user) handled: file-read; now VA 0x7ffff7ffe000 -> PA 0x10d000\nkernel: #PF at VA 0x10000 (error 0x7 protection write user) handled: segv\n[Inferior 1 (process 1) exited with code 07]\n");
    expect(r.status).toBe(7);
  });
});
