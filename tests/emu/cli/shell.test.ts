// `vmlab shell` end to end: the built CLI run with -c, a .vmsh script and
// commands on stdin; transcripts compared exactly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB, vmlab } from '../../support/cli';
import { shell } from '../../support/shell';
import { AVAILABLE_EVENTS } from '../../../kernel-ts/trace';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-shell-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const HELLO = join(process.cwd(), 'guest-programs', 'samples', 'hello.s');
const SPIN = file('spin.s', '        .globl main\nmain:\n1:      j 1b\n');
const NAPPER = file('napper.s', `        .globl main
main:
        addi sp, sp, -16
        sd ra, 8(sp)
        li a0, 2
        call sleep
        la a0, msg
        call puts
        li a0, 3
        ld ra, 8(sp)
        addi sp, sp, 16
        ret
        .section .rodata
msg:    .asciz "napper woke up"
`);
const SEGV = file('segv.s', '        .globl main\nmain:\n        sd zero, 0(zero)\n        ret\n');
const XDEV = file('xdev.ts', `import type { KernelModule } from 'vmlab/module';
const enc = new TextEncoder();
let text = '';
const mod: KernelModule = {
  name: 'xdev',
  description: 'a test device',
  license: 'GPL',
  params: { greeting: { type: 'charp', default: 'hi', description: 'what to say' }, n: { type: 'int' } },
  init(m) {
    text = \`\${m.param('greeting')} x\${m.param('n')}\\n\`;
    m.printk(\`xdev: loaded by \${m.current().comm} \${m.current().pid}\`);
    const r = m.registerChrdev('x', {
      read: (_f, buf, ppos) => {
        const b = enc.encode(text);
        if (ppos.pos >= b.length) return 0;
        const n = Math.min(buf.length, b.length - ppos.pos);
        buf.set(b.subarray(ppos.pos, ppos.pos + n));
        ppos.pos += n;
        return n;
      },
      write: (_f, data) => {
        if (new TextDecoder().decode(data).startsWith('boom')) throw new Error('boom requested');
        text = new TextDecoder().decode(data);
        return data.length;
      },
    });
    return r < 0 ? r : 0;
  },
  exit(m) { m.printk('xdev: unloaded'); },
};
export default mod;
`);

const BANNER = '[    0.000000] Linux version 6.1.0-vmlab (vmlab kernel 0.1, riscv64 guest, x86-64 paging, 4-level) #1 SMP PREEMPT vmlab\n'
  + '[    0.000000] Memory: 63M available (4-level paging, direct map at 0xffff888000000000)\n';

describe('vmlab shell -c', () => {
  it('runs a program and reports its status in $?', () => {
    const r = vmlab(['shell', '-c', `run ${HELLO}; echo $?; hello; echo "status $?"`]);
    expect(r.stdout).toBe(`vmlab# run ${HELLO}\nhello, vmlab\nvmlab# echo $?\n7\nvmlab# hello\nhello, vmlab\nvmlab# echo "status $?"\nstatus 7\n`);
    expect(r.status).toBe(0);
  });

  it('cats /proc/meminfo; echo to drop_caches shows in dmesg with the writer process', () => {
    const r = vmlab(['shell', '--mem', '64M', '-q', '-c', 'cat /proc/meminfo; echo 3 > /proc/sys/vm/drop_caches; dmesg; dmesg -c; dmesg']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['MemTotal:          64512 kB', 'MemFree:           64492 kB', 'MemAvailable:      64492 kB']);
    const dmesg = `${BANNER}[    0.000000] sh (2): drop_caches: 3\n`;
    expect(r.stdout.slice(r.stdout.indexOf('[    0.000000] Linux'))).toBe(dmesg + dmesg);
    expect(r.stderr).toBe('');
  });

  it('free in procps layout', () => {
    const r = vmlab(['shell', '--mem', '64M', '-q', '-c', 'free; free -m']);
    expect(r.stdout).toBe([
      '               total        used        free      shared  buff/cache   available',
      'Mem:           64512          16       64496           0           0       64496',
      'Swap:              0           0           0',
      '               total        used        free      shared  buff/cache   available',
      'Mem:              63           0          62           0           0          62',
      'Swap:              0           0           0',
      '',
    ].join('\n'));
  });

  it('insmod a module file: /dev/x, cat, write, lsmod, /proc/modules, rmmod', () => {
    const r = shell(['--mem', '64M', '-c', `insmod ${XDEV} greeting=yo n=0x10 bogus=1; lsmod; cat /proc/modules; cat /dev/x; echo new text > /dev/x; cat /dev/x; rmmod xdev; rmmod xdev; lsmod; cat /dev/x; dmesg`]);
    expect(r.output).toBe([
      `vmlab# insmod ${XDEV} greeting=yo n=0x10 bogus=1`,
      'vmlab# lsmod',
      'Module                  Size  Used by',
      'xdev                    4096  0',
      'vmlab# cat /proc/modules',
      'xdev 4096 0 - Live 0xffffffffc0000000 (O)',
      'vmlab# cat /dev/x',
      'yo x16',
      'vmlab# echo new text > /dev/x',
      'vmlab# cat /dev/x',
      'new text',
      'vmlab# rmmod xdev',
      'vmlab# rmmod xdev',
      'rmmod: ERROR: Module xdev is not currently loaded',
      'vmlab# lsmod',
      'Module                  Size  Used by',
      'vmlab# cat /dev/x',
      'cat: /dev/x: No such file or directory',
      'vmlab# dmesg',
      BANNER.trimEnd(),
      '[    0.000000] xdev: loading out-of-tree module taints kernel.',
      "[    0.000000] xdev: unknown parameter 'bogus' ignored",
      '[    0.000000] xdev: loaded by insmod 1',
      '[    0.000000] xdev: unloaded',
      '',
    ].join('\n'));
  });

  it('insmod errors: unknown module, bad parameter, compile error, twice', () => {
    const bad = file('bad.ts', 'export default {\n  name: 1 +,\n};\n');
    const r = shell(['--mem', '64M', '-c', `insmod nosuch; echo $?; insmod ${XDEV} n=zz; insmod ${bad}; insmod ${XDEV}; insmod ${XDEV}; dmesg`]);
    expect(r.output).toBe([
      'vmlab# insmod nosuch',
      'insmod: ERROR: could not load module nosuch: No such file or directory',
      'vmlab# echo $?',
      '1',
      `vmlab# insmod ${XDEV} n=zz`,
      `insmod: ERROR: could not insert module ${XDEV}: Invalid argument`,
      `vmlab# insmod ${bad}`,
      `${bad}:2:12: error: Unexpected ","`,
      `insmod: ERROR: could not insert module ${bad}: Invalid module format`,
      `vmlab# insmod ${XDEV}`,
      `vmlab# insmod ${XDEV}`,
      `insmod: ERROR: could not insert module ${XDEV}: File exists`,
      'vmlab# dmesg',
      BANNER.trimEnd(),
      "[    0.000000] xdev: 'zz' invalid for parameter 'n'",
      '[    0.000000] xdev: loading out-of-tree module taints kernel.',
      '[    0.000000] xdev: loaded by insmod 1',
      '',
    ].join('\n'));
  });

  it('insmod of a module file where esbuild is not installed: -ENOEXEC, one line; built-in modules still load', () => {
    // The CLI bundle alone, in a folder with no node_modules above it: require('esbuild') has nowhere to look.
    const bare = mkdtempSync(join(tmpdir(), 'vmlab-bare-'));
    copyFileSync(VMLAB, join(bare, 'vmlab.mjs'));
    expect(() => createRequire(join(bare, 'vmlab.mjs')).resolve('esbuild'), 'esbuild must not be reachable from the temp folder').toThrow();
    const r = spawnSync(process.execPath, [join(bare, 'vmlab.mjs'), 'shell', '-q', '-c', `insmod ${XDEV}; echo $?; insmod memalloc; echo $?`], {
      cwd: bare,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', HOME: bare, NODE_PATH: '' },
    });
    expect(r.stdout).toBe('1\n0\n');
    expect(r.stderr).toBe([
      `${XDEV}: cannot compile module files: esbuild, the module compiler, cannot be loaded (Cannot find module 'esbuild'); run npm install in vmlab's folder`,
      `insmod: ERROR: could not insert module ${XDEV}: Invalid module format`,
      '',
    ].join('\n'));
  });

  it('modinfo of a module file', () => {
    const r = vmlab(['shell', '-q', '-c', `modinfo ${XDEV}`]);
    expect(r.stdout).toBe([
      `filename:       ${XDEV}`,
      'name:           xdev',
      'description:    a test device',
      'license:        GPL',
      'parm:           greeting:what to say (charp)',
      'parm:           n:int',
      '',
    ].join('\n'));
  });

  it('a throwing write is an oops: the writer is killed, the trace names the module function (Linux style, no host paths), the kernel goes on', () => {
    const r = shell(['--mem', '64M', '-q', '-c', `insmod ${XDEV}; echo boom > /dev/x; echo $?; cat /dev/x; dmesg`]);
    const lines = r.output.split('\n');
    expect(lines.slice(0, 4)).toEqual(['Killed', '137', 'hi x0', BANNER.split('\n')[0]]);
    const i = lines.indexOf('[    0.000000] BUG: kernel exception in write [xdev]: Error: boom requested');
    expect(lines.slice(i + 1, i + 5)).toEqual([
      '[    0.000000] Oops: 0000 [#1] PREEMPT SMP NOPTI',
      '[    0.000000] CPU: 0 PID: 2 Comm: sh Tainted: G           O       6.1.0-vmlab #1',
      '[    0.000000] Hardware name: vmlab',
      // write's compiled text (esbuild's) is 0xc4 characters long; `new Error` is 0x55 into it.
      '[    0.000000] RIP: 0010:write+0x55/0xc4 [xdev]',
    ]);
    // Then the kernel's functions, offsets in dist/vmlab.mjs, up to the entry from the shell.
    const c = lines.indexOf('[    0.000000] Call Trace:', i);
    const end = lines.indexOf('[    0.000000]  </TASK>', i);
    expect(lines.slice(c + 2, end + 2).map((l) => l.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '+OFF/SIZE'))).toEqual([
      '[    0.000000]  LoadedModule.guard+OFF/SIZE',
      '[    0.000000]  runInProcess+OFF/SIZE',
      '[    0.000000]  </TASK>',
      '[    0.000000] Modules linked in: xdev(O)',
    ]);
    expect(r.output).not.toContain(dir);
  });

  it('background jobs: [N] PID, ps, jobs, kill, the Done/Terminated notices', () => {
    const r = shell(['--mem', '64M', '-c', `run ${SPIN} &; run ${NAPPER} &; ps; jobs; sleep 0.01; kill %1; ps; wait; ps; jobs`]);
    expect(r.output).toBe([
      `vmlab# run ${SPIN} &`,
      '[1] 1',
      `vmlab# run ${NAPPER} &`,
      '[2] 2',
      'vmlab# ps',
      '    PID TTY      STAT   TIME COMMAND',
      '      1 console  R      0:00 spin',
      '      2 console  R      0:00 napper',
      'vmlab# jobs',
      `[1]-  Running                 run ${SPIN} &`,
      `[2]+  Running                 run ${NAPPER} &`,
      'vmlab# sleep 0.01',
      `vmlab# kill %1`,
      `[1]-  Terminated              run ${SPIN}`,
      'vmlab# ps',
      '    PID TTY      STAT   TIME COMMAND',
      '      2 console  S      0:00 napper',
      'vmlab# wait',
      'napper woke up',
      `[2]+  Exit 3                  run ${NAPPER}`,
      'vmlab# ps',
      '    PID TTY      STAT   TIME COMMAND',
      'vmlab# jobs',
      '',
    ].join('\n'));
  });

  it('a program killed by a signal: bash\'s message and 128+N', () => {
    const r = shell(['-c', `run ${SEGV}; echo $?; kill 99\ncat /proc/meminfo | head`]);
    expect(r.output.split('\n').slice(0, 7)).toEqual([
      `vmlab# run ${SEGV}`,
      'Segmentation fault',
      'vmlab# echo $?',
      '139',
      'vmlab# kill 99',
      'kill: (99) - No such process',
      'vmlab: pipes are not supported (run one command at a time)',
    ]);
  });

  it('unknown commands and syntax errors', () => {
    // A syntax error rejects its whole line (nothing of it runs), as sh does.
    const r = shell(['-c', 'bogus; echo $?; ./nofile\necho one; echo \'unterminated']);
    expect(r.output).toBe([
      'vmlab# bogus',
      'bogus: command not found',
      'vmlab# echo $?',
      '127',
      'vmlab# ./nofile',
      './nofile: No such file or directory',
      "vmlab: unexpected end of line while looking for matching '",
      '',
    ].join('\n'));
  });

  it('trace on an unknown event fails naming the known ones, and enables nothing; available_events lists them all', () => {
    const r = shell(['-c', 'trace on kmem:kmalloc,bogus:event; echo $?; trace; trace off nosuch; trace on kmem:kmalloc; trace; cat /sys/kernel/tracing/available_events']);
    const lines = r.output.split('\n');
    const unknown = (what: string): unknown => expect.stringMatching(new RegExp(`^trace: unknown trace event '${what}'; the events are exceptions:page_fault_kernel .*kmem:kmalloc .*\\(all of them: cat /sys/kernel/tracing/available_events\\)$`));
    expect(lines.slice(0, 14)).toEqual([
      'vmlab# trace on kmem:kmalloc,bogus:event',
      unknown('bogus:event'),
      'vmlab# echo $?',
      '1',
      'vmlab# trace',
      'trace: off',
      'vmlab# trace off nosuch',
      unknown('nosuch'),
      'vmlab# trace on kmem:kmalloc',
      'vmlab# trace',
      'trace: kmem:kmalloc',
      'vmlab# cat /sys/kernel/tracing/available_events',
      'exceptions:page_fault_kernel',
      'exceptions:page_fault_user',
    ]);
    expect(r.output.slice(r.output.indexOf('exceptions:page_fault_kernel\n'))).toBe(AVAILABLE_EVENTS.map((e) => `${e}\n`).join(''));
    expect(AVAILABLE_EVENTS).toContain('syscalls:sys_enter_mmap');
  });

  it('help lists the commands; help CMD explains one', () => {
    const r = vmlab(['shell', '-q', '-c', 'help; help echo; help nope']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Commands (a PROG alone runs /bin/PROG or a host ELF/.s file; `&` at the end runs it in the background):');
    expect(lines).toContain('  insmod MODULE [key=value...]  load a built-in module or a .ts/.js file');
    expect(r.stdout.slice(r.stdout.lastIndexOf('echo [-n]'))).toBe([
      'echo [-n] TEXT [>|>> FILE]',
      '    print text, or write it to a guest file',
      '    e.g. echo 3 > /proc/sys/vm/drop_caches, echo listvma > /proc/mtest',
      '',
    ].join('\n'));
    expect(r.stderr).toBe("help: no help topics match 'nope'\n");
  });
});

describe('vmlab shell FILE.vmsh', () => {
  it('echoes commands with the prompt and comments as they are; exit N sets the status', () => {
    const script = file('t.vmsh', `# a transcript
echo one

echo two   # trailing comment
exit 5
echo never
`);
    const r = vmlab(['shell', script]);
    expect(r.stdout).toBe('# a transcript\nvmlab# echo one\none\nvmlab# echo two\ntwo\nvmlab# exit 5\n');
    expect(r.status).toBe(5);
  });

  it('-e stops at the first failing command with its status; --quiet does not echo', () => {
    const script = file('e.vmsh', 'echo a\ncat /nonexistent\necho b\n');
    expect(vmlab(['shell', script])).toMatchObject({ status: 0, stdout: 'vmlab# echo a\na\nvmlab# cat /nonexistent\nvmlab# echo b\nb\n' });
    expect(vmlab(['shell', '-e', '--quiet', script])).toEqual({ status: 1, stdout: 'a\n', stderr: 'cat: /nonexistent: No such file or directory\n' });
  });

  it('a missing script is a usage error', () => {
    expect(vmlab(['shell', join(dir, 'none.vmsh')])).toMatchObject({ status: 1, stderr: `vmlab: ${join(dir, 'none.vmsh')}: no such file\n` });
  });
});

describe('vmlab shell reading stdin (not a terminal)', () => {
  it('runs each line as it comes, echoing it', () => {
    const r = shell(['--mem', '64M'], { input: `insmod ${XDEV} n=3\ncat /dev/x\nrmmod xdev\nlsmod\nexit 3\necho never\n` });
    expect(r.output).toBe(`vmlab# insmod ${XDEV} n=3\nvmlab# cat /dev/x\nhi x3\nvmlab# rmmod xdev\nvmlab# lsmod\nModule                  Size  Used by\nvmlab# exit 3\n`);
    expect(r.status).toBe(3);
  });

  it('ends at end of input with status 0', () => {
    expect(shell([], { input: 'echo x' })).toEqual({ status: 0, output: 'vmlab# echo x\nx\n' });
  });
});
