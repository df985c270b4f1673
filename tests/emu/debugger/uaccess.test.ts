// info faults also logs the page faults the kernel takes on user memory
// (uaccess: copy_to_user, copy_from_user, ...), with the kernel-mode error
// code, the user pc of the system call and `(uaccess in NAME)`.
// Expectations generated, reviewed by hand.
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

describe('vmlab debug: uaccess faults in info faults', () => {
  it("faults the kernel takes in copy_to_user/copy_from_user: kernel-mode error codes, the ecall as ip, -EFAULT by the fixup", () => {
    const r = debugScript("uaccess.s", "break main\nrun\ninfo faults\ncontinue\ninfo faults\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("Breakpoint 1 at VA 0x10000 <main>: file uaccess.s, line 8.\nkernel: #PF at VA 0x10044 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10044 -> PA 0x109044\nkernel: #PF at VA 0x15000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x15000 -> PA 0x102000\n\nBreakpoint 1, VA 0x10000 <main>\nuaccess.s:8\t        li      a0, 1\n=> VA 0x10000 <main>:\tli\ta0,1\n#    pid   ip (VA)       address (VA)      error                            kernel\n1    1     0x10044       0x10044           0x14 not-present fetch user      file-read\n2    1     0x10068       0x15000           0x6 not-present write user       demand-zero\nok\nkernel: #PF at VA 0x12000 (error 0x0 not-present read kernel) handled: file-read (uaccess in write); now VA 0x12000 -> PA 0x104000\nkernel: #PF at VA 0x14000 (error 0x2 not-present write kernel) handled: demand-zero (uaccess in clock_gettime); now VA 0x14000 -> PA 0x11c000\nkernel: #PF at VA 0x1000 (error 0x0 not-present read kernel) handled: -EFAULT fixup (uaccess in write)\nkernel: #PF at VA 0x117a0 (error 0x14 not-present fetch user) handled: file-read; now VA 0x117a0 -> PA 0x10d7a0\n[Inferior 1 (process 1) exited with code 362]\n#    pid   ip (VA)       address (VA)      error                            kernel\n1    1     0x10044       0x10044           0x14 not-present fetch user      file-read\n2    1     0x10068       0x15000           0x6 not-present write user       demand-zero\n3    1     0x10014       0x12000           0x0 not-present read kernel      file-read (uaccess in write)\n4    1     0x10028       0x14000           0x2 not-present write kernel     demand-zero (uaccess in clock_gettime)\n5    1     0x1003c       0x1000            0x0 not-present read kernel      -EFAULT fixup (uaccess in write)\n6    1     0x117a0       0x117a0           0x14 not-present fetch user      file-read\n");
    expect(r.status).toBe(242);
  });
  it("a fault at a 14-digit ip keeps its columns apart", () => {
    const r = debugScript("sighandler.s", "run\ninfo faults\n");
    expect(r.stderr).toBe("");
    expect(r.stdout.split(process.cwd() + '/').join('<repo>/')).toBe("SIGUSR1 handled\nSIGSEGV handled\nkernel: #PF at VA 0x10090 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10090 -> PA 0x109090\nkernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x102000\nkernel: #PF at VA 0x116dc (error 0x14 not-present fetch user) handled: file-read; now VA 0x116dc -> PA 0x1046dc\nkernel: #PF at VA 0x7ffff7ffe000 (error 0x14 not-present fetch user) handled: file-read; now VA 0x7ffff7ffe000 -> PA 0x10d000\nkernel: #PF at VA 0x10000 (error 0x7 protection write user) handled: segv\n[Inferior 1 (process 1) exited with code 07]\n#    pid   ip (VA)       address (VA)      error                            kernel\n1    1     0x10090       0x10090           0x14 not-present fetch user      file-read\n2    1     0x100b4       0x12000           0x6 not-present write user       demand-zero\n3    1     0x116dc       0x116dc           0x14 not-present fetch user      file-read\n4    1     0x7ffff7ffe000 0x7ffff7ffe000    0x14 not-present fetch user      file-read\n5    1     0x1004c       0x10000           0x7 protection write user        segv\n");
    expect(r.status).toBe(7);
  });
});
