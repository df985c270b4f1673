// vmlab debug --insmod: a program that needs a driver (memview2 and /dev/physicalview) can be debugged.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

const MEMVIEW2 = join(process.cwd(), 'guest-programs', 'programs', 'memview2.s');

describe('vmlab debug --insmod', () => {
  it('loads the module before the program; the program s ioctls reach it; recording is refused with modules loaded', () => {
    const r = debugScript(MEMVIEW2, 'break main\nrun\nrecord\ncatch syscall ioctl\ncontinue\nbt\ninfo inferiors\n', ['--insmod', 'physicalview']);
    expect(r.stderr).toBe('');
    const out = r.stdout.split(process.cwd() + '/').join('<repo>/');
    expect(out).toContain('record: not with kernel modules loaded (physicalview): a module keeps state the recorder cannot save.\n');
    expect(out).toContain('\nCatchpoint 2 (call to syscall ioctl), VA ');
    expect(out).toMatch(/#1  VA 0x[0-9a-f]+ in report_memory \(\) at <repo>\/guest-programs\/programs\/memview2\.s:\d+\n#2  VA 0x[0-9a-f]+ in main \(\)/);
    // The insmod process (pid 1) has exited; the program is pid 2.
    expect(out).toContain('  PID   PPID  State     Command\n* 2     0     running   memview2\n');
    expect(r.status).toBe(0);
  });

  it('a module that does not load is an error before anything runs', () => {
    const r = debugScript(MEMVIEW2, 'run\n', ['--insmod', 'nosuch']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('insmod: ERROR: could not load module nosuch: No such file or directory\nvmlab: --insmod nosuch: the module did not load\n');
    expect(r.status).toBe(1);
  });
});
