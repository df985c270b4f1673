import { describe, expect, it } from 'vitest';
import type { KernelModule } from '../../../kernel-ts/module/api';
import { ModuleLoader } from '../../../kernel-ts/module/loader';
import { compileModuleFile } from '../../../kernel-ts/module/compile';
import { pgdOffset, pudOffset } from '../../../kernel-ts/mm/pgtable';
import { bootKernel, elfOf, logLines, prog } from '../proc/helpers';
import { O_WRONLY, catFile, fput, insmod, moduleFile, openFile } from './helpers';

/** A module file exposing /dev/NAME whose reads give `text` (and whose writes of "boom" throw). */
function deviceModule(name: string, text: string, extra = ''): string {
  return `import type { KernelModule } from 'vmlab/module';
const enc = new TextEncoder();
const mod: KernelModule = {
  name: '${name}',
  init(m) {
    const r = m.registerChrdev('${name}', {
      read: (_f, buf, ppos) => {
        const b = enc.encode('${text}\\n');
        if (ppos.pos >= b.length) return 0;
        const n = Math.min(buf.length, b.length - ppos.pos);
        buf.set(b.subarray(ppos.pos, ppos.pos + n));
        ppos.pos += n;
        return n;
      },
      write: (_f, data) => {
        if (new TextDecoder().decode(data).startsWith('boom')) throw new Error('boom requested');
        return data.length;
      },
      mmap: (_f, vma) => {
        vma.vmOps = { name: '${name}', fault: () => 0x100 };
        return 0;
      },
    });
    ${extra}
    return r < 0 ? r : 0;
  },
  exit(m) { m.printk('${name}: exit'); },
};
export default mod;
`;
}

const logSince = (k: ReturnType<typeof bootKernel>['k'], n: number): string[] => logLines(k).slice(n);

describe('module loader: file modules', () => {
  it('compiles a .ts module, runs init in an insmod process, and its device reads through the VFS', () => {
    const { k } = bootKernel();
    const n = logLines(k).length;
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: 'hello',
  params: { who: { type: 'charp', default: 'world' } },
  init(m) { m.printk(\`hello, \${m.param('who')} from \${m.current().comm} \${m.current().pid}\`); return 0; },
  exit(m) { m.printk('goodbye'); },
};
export default mod;
`);
    expect(insmod(k, p, ['who=vmlab'])).toEqual({ r: 0, err: [] });
    expect(logSince(k, n)).toEqual(['hello: loading out-of-tree module taints kernel.', 'hello, vmlab from insmod 1']);
    // insmod's process is gone: exited and reaped.
    expect([...k.tasks.keys()]).toEqual([]);
    expect(k.modules.lsmod()).toBe('Module                  Size  Used by\nhello                   4096  0\n');
    expect(catFile(k, '/proc/modules')).toBe('hello 4096 0 - Live 0xffffffffc0000000 (O)\n');
    expect(k.modules.rmmod('hello')).toBe(0);
    expect(logSince(k, n).at(-1)).toBe('goodbye');
    expect(k.modules.lsmod()).toBe('Module                  Size  Used by\n');
    expect(catFile(k, '/proc/modules')).toBe('');
  });

  it('creates /dev/NAME; cat reads it; rmmod removes it', () => {
    const { k } = bootKernel();
    expect(insmod(k, moduleFile(deviceModule('xdev', 'hi there'))).r).toBe(0);
    expect(catFile(k, '/dev/xdev')).toBe('hi there\n');
    expect(k.modules.rmmod('xdev')).toBe(0);
    expect(catFile(k, '/dev/xdev')).toBe(-2);
  });

  it('reports compile errors as FILE:LINE:COL and fails with -ENOEXEC', () => {
    const { k } = bootKernel();
    const p = moduleFile('const x: number = ;\nexport default {};\n', 'broken.ts');
    const r = insmod(k, p);
    expect(r.r).toBe(-8);
    expect(r.err).toEqual([`${p}:1:19: error: Unexpected ";"`, `insmod: ERROR: could not insert module ${p}: Invalid module format`]);
  });

  it('-ENOEXEC with one line when esbuild cannot be loaded (the compiler is the loader\'s seam; built-ins still load)', () => {
    const { k } = bootKernel();
    const missing = (): never => {
      throw new Error("Cannot find module 'esbuild'\nRequire stack:\n- /somewhere/dist/vmlab.mjs");
    };
    const loader = new ModuleLoader(k, new Map([['bi', { name: 'bi', init: () => 0 }]]), (path) => compileModuleFile(path, missing));
    const p = moduleFile(deviceModule('nocc', 'a'));
    const err: string[] = [];
    expect(loader.insmod(p, [], (l) => err.push(l))).toBe(-8);
    expect(err).toEqual([
      `${p}: cannot compile module files: esbuild, the module compiler, cannot be loaded (Cannot find module 'esbuild'); run npm install in vmlab's folder`,
      `insmod: ERROR: could not insert module ${p}: Invalid module format`,
    ]);
    expect(loader.insmod('bi')).toBe(0);
  });

  it('rejects a file that does not export a module', () => {
    const { k } = bootKernel();
    const p = moduleFile('export default { hello: 1 };\n', 'notmod.ts');
    expect(insmod(k, p)).toEqual({
      r: -8,
      err: [`${p}: neither calls module_init (from 'vmlab/linux') nor default-exports a KernelModule (an object with name and init)`, `insmod: ERROR: could not insert module ${p}: Invalid module format`],
    });
  });

  it('-ENOENT for an unknown built-in name or a missing file; -EEXIST when loaded twice', () => {
    const { k } = bootKernel();
    expect(insmod(k, 'nosuch')).toEqual({ r: -2, err: ['insmod: ERROR: could not load module nosuch: No such file or directory'] });
    expect(insmod(k, '/nonexistent/m.ts')).toEqual({ r: -2, err: ['insmod: ERROR: could not load module /nonexistent/m.ts: No such file or directory'] });
    const p = moduleFile(deviceModule('twice', 'a'));
    expect(insmod(k, p).r).toBe(0);
    expect(insmod(k, p)).toEqual({ r: -17, err: [`insmod: ERROR: could not insert module ${p}: File exists`] });
    expect(k.modules.rmmod('nosuch', () => {})).toBe(-2);
  });

  it('init returning -errno fails insmod and leaves nothing registered (devices, /proc, /sys and their directories)', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: 'failing',
  init(m) {
    m.registerChrdev('failing', {});
    m.procCreate('driver/failing', {});
    m.sysfsCreate('kernel/failing_kobj/knob', { show: () => '1\\n' });
    return -12;
  },
};
export default mod;
`);
    expect(insmod(k, p)).toEqual({ r: -12, err: [`insmod: ERROR: could not insert module ${p}: Cannot allocate memory`] });
    expect(k.vfs.lookup('/dev/failing')).toBe(-2);
    expect(k.vfs.lookup('/proc/driver')).toBe(-2);
    expect(k.vfs.lookup('/sys/kernel/failing_kobj')).toBe(-2);
    expect(typeof k.vfs.lookup('/sys/kernel')).toBe('object');
    expect(k.modules.names()).toEqual([]);
  });

  it('sysfs attributes show and store; rmmod removes them', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
let v = 0;
const mod: KernelModule = {
  name: 'kobj',
  init(m) {
    const r = m.sysfsCreate('kernel/kobject_cs614/promote', { show: () => \`\${v}\\n\`, store: (t) => { v = Number(t); return t.length; } });
    return typeof r === 'number' ? r : 0;
  },
};
export default mod;
`);
    expect(insmod(k, p).r).toBe(0);
    expect(catFile(k, '/sys/kernel/kobject_cs614/promote')).toBe('0\n');
    const f = openFile(k, '/sys/kernel/kobject_cs614/promote', O_WRONLY);
    expect(f.fop.write!(f, new TextEncoder().encode('7\n'), { pos: 0 })).toBe(2);
    fput(f);
    expect(catFile(k, '/sys/kernel/kobject_cs614/promote')).toBe('7\n');
    expect(k.modules.rmmod('kobj')).toBe(0);
    expect(k.vfs.lookup('/sys/kernel/kobject_cs614')).toBe(-2);
  });
});

describe('module loader: parameters', () => {
  const specs = `params: {
    i: { type: 'int', default: -1 }, u: { type: 'uint' }, l: { type: 'long' }, ul: { type: 'ulong', default: 5 },
    s: { type: 'charp', default: 'x' }, b: { type: 'bool' }, my_name: { type: 'charp' },
  },`;
  const paramModule = (name: string): string => `import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: '${name}',
  ${specs}
  init(m) {
    for (const p of ['i', 'u', 'l', 'ul', 's', 'b', 'my_name']) { const v = m.param(p); m.printk(\`\${p}=\${String(v)} \${typeof v}\`); }
    return 0;
  },
};
export default mod;
`;

  it('types the values: int/uint numbers (0x, 0 octal), long/ulong bigints, charp strings, bool words; defaults otherwise', () => {
    const { k } = bootKernel();
    const n = logLines(k).length;
    const r = insmod(k, moduleFile(paramModule('p1')), ['i=0x10', 'u=010', 'l=-5', 'ul=0xffff888000000000', 's=a b', 'b', 'my-name=dash', 'zz=1']);
    expect(r).toEqual({ r: 0, err: [] });
    expect(logSince(k, n)).toEqual([
      'p1: loading out-of-tree module taints kernel.',
      "p1: unknown parameter 'zz' ignored",
      'i=16 number', 'u=8 number', 'l=-5 bigint', 'ul=18446612682070032384 bigint', 's=a b string', 'b=true boolean', 'my_name=dash string',
    ]);
  });

  it('defaults, and bool false words', () => {
    const { k } = bootKernel();
    const n = logLines(k).length;
    expect(insmod(k, moduleFile(paramModule('p2')), ['b=n']).r).toBe(0);
    expect(logSince(k, n).slice(1)).toEqual(['i=-1 number', 'u=0 number', 'l=0 bigint', 'ul=5 bigint', 's=x string', 'b=false boolean', 'my_name= string']);
  });

  it.each([
    ['u=-1', "p3: '-1' invalid for parameter 'u'"],
    ['i=2147483648', "p3: '2147483648' invalid for parameter 'i'"],
    ['i=12abc', "p3: '12abc' invalid for parameter 'i'"],
    ['i', "p3: '' invalid for parameter 'i'"],
    ['b=maybe', "p3: 'maybe' invalid for parameter 'b'"],
    ['ul=0x10000000000000000', "p3: '0x10000000000000000' invalid for parameter 'ul'"],
  ])('%s: -EINVAL, logged as Linux does', (arg, line) => {
    const { k } = bootKernel();
    const p = moduleFile(paramModule('p3'));
    expect(insmod(k, p, [arg])).toEqual({ r: -22, err: [`insmod: ERROR: could not insert module ${p}: Invalid argument`] });
    expect(logLines(k).at(-1)).toBe(line);
    expect(k.modules.names()).toEqual([]);
  });
});

describe('module loader: built-in modules', () => {
  const builtin: KernelModule = {
    name: 'bi',
    params: { n: { type: 'int', default: 2 } },
    init: (m) => {
      m.printk(`bi n=${String(m.param('n'))}`);
      return 0;
    },
  };

  it('loads by name with no taint, size 16384', () => {
    const { k } = bootKernel();
    const loader = new ModuleLoader(k, new Map([['bi', builtin]]));
    const n = logLines(k).length;
    expect(loader.insmod('bi', ['n=3'])).toBe(0);
    expect(logSince(k, n)).toEqual(['bi n=3']);
    expect(loader.lsmod()).toBe('Module                  Size  Used by\nbi                     16384  0\n');
    expect(loader.procModules()).toBe('bi 16384 0 - Live 0xffffffffc0000000\n');
    expect(loader.rmmod('bi')).toBe(0);
  });

  it('every built-in driver the CLI hands over has a distinct name', () => {
    const { k } = bootKernel();
    expect(k.modules.builtinNames()).toEqual(['btplus', 'memaccess', 'memalloc', 'mmapper', 'mtest', 'physicalview']);
  });
});

describe('module loader: refcount and rmmod', () => {
  it('rmmod is -EBUSY while a device file is open, and succeeds after the close', () => {
    const { k } = bootKernel();
    expect(insmod(k, moduleFile(deviceModule('busy', 'b'))).r).toBe(0);
    const f = openFile(k, '/dev/busy');
    expect(k.modules.lsmod()).toBe('Module                  Size  Used by\nbusy                    4096  1\n');
    const err: string[] = [];
    expect(k.modules.rmmod('busy', (l) => err.push(l))).toBe(-16);
    expect(err).toEqual(['rmmod: ERROR: Module busy is in use']);
    fput(f);
    expect(k.modules.rmmod('busy')).toBe(0);
    expect(logLines(k).at(-1)).toBe('busy: exit');
  });

  it('rmmod is -EBUSY while a process maps the device (after closing it), until the process exits', () => {
    const b = bootKernel();
    const k = b.k;
    expect(insmod(k, moduleFile(deviceModule('mapped', 'm'))).r).toBe(0);
    k.vfs.addExecutable('/bin/mapper', elfOf(prog(`
        li a0, -100
        la a1, path
        li a2, 2
        li a3, 0
        li a7, 56               # openat
        ecall
        mv s0, a0
        li a0, 0
        li a1, 4096
        li a2, 1                # PROT_READ
        li a3, 1                # MAP_SHARED
        mv a4, s0
        li a5, 0
        li a7, 222              # mmap
        ecall
        mv a0, s0
        li a7, 57               # close
        ecall
        li a7, 124              # sched_yield: the host looks now
        ecall
        li a0, 0
        li a7, 93
        ecall`, `        .section .rodata\npath:   .asciz "/dev/mapped"`)));
    const t = k.spawn('/bin/mapper', ['mapper'], []);
    if (typeof t === 'number') throw new Error(String(t));
    let yielded = false;
    k.syscalls[124] = (): number => {
      yielded = true;
      k.needResched = true;
      return 0;
    };
    k.runUntil(() => yielded);
    expect(k.modules.find('mapped')!.opens).toBe(0);
    expect(k.modules.find('mapped')!.maps).toBe(1);
    expect(k.modules.rmmod('mapped')).toBe(-16);
    k.run();
    expect(t.exitCode).toBe(0);
    expect(k.modules.rmmod('mapped')).toBe(0);
  });
});

describe('module loader: oopses', () => {
  it('a throwing init is an oops of insmod: logged with the call trace, insmod killed, nothing registered, the kernel runs on', () => {
    const { k, out } = bootKernel();
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: 'crash',
  init(m) {
    m.registerChrdev('crash', {});
    throw new TypeError('bad init');
  },
};
export default mod;
`, 'crash.ts');
    expect(insmod(k, p)).toEqual({ r: -14, err: ['Killed'] });
    const lines = logLines(k);
    const i = lines.indexOf('BUG: kernel exception in init [crash]: TypeError: bad init');
    expect(i).toBeGreaterThan(0);
    expect(lines.slice(i + 1, i + 4)).toEqual([
      'Oops: 0000 [#1] PREEMPT SMP NOPTI',
      'CPU: 0 PID: 1 Comm: insmod Tainted: G           O       6.1.0-vmlab #1',
      'Hardware name: vmlab',
    ]);
    // RIP is the module's own frame, with its offset and size in the compiled module and the module's name; the
    // Call Trace goes on with the kernel's frames up to the entry (names only here: vitest runs the kernel from its
    // TypeScript, kallsyms.ts). The oops's full shape is tests/kernel-ts/proc/oops.test.ts's.
    expect(lines[i + 4]).toBe('RIP: 0010:init+0x37/0x55 [crash]');
    const c = lines.indexOf('Call Trace:', i);
    expect(lines.slice(c, c + 5)).toEqual(['Call Trace:', ' <TASK>', ' runInProcess', ' </TASK>', 'Modules linked in: crash(O+)']);
    expect(k.vfs.lookup('/dev/crash')).toBe(-2);
    expect(k.modules.names()).toEqual([]);
    expect(k.tasks.size).toBe(0);
    // Still alive: a program runs.
    k.vfs.addExecutable('/bin/hi', elfOf(prog(`
        li a0, 1
        la a1, msg
        li a2, 3
        li a7, SYS_write
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall`, `        .section .rodata\nmsg:    .ascii "ok\\n"`)));
    k.spawn('/bin/hi', ['hi'], []);
    expect(k.run().exitCode).toBe(0);
    expect(out()).toBe('ok\n');
  });

  it('a throwing fops kills the calling process (SIGKILL status) and lists the module in the oops', () => {
    const { k } = bootKernel();
    expect(insmod(k, moduleFile(deviceModule('wboom', 'w'))).r).toBe(0);
    k.vfs.addExecutable('/bin/writer', elfOf(prog(`
        li a0, -100
        la a1, path
        li a2, 1
        li a3, 0
        li a7, 56
        ecall
        la a1, msg
        li a2, 4
        li a7, SYS_write
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall`, `        .section .rodata\npath:   .asciz "/dev/wboom"\nmsg:    .ascii "boom"`)));
    const t = k.spawn('/bin/writer', ['writer'], []);
    if (typeof t === 'number') throw new Error(String(t));
    k.run();
    expect(t.exitCode).toBe(9);
    const lines = logLines(k);
    const i = lines.indexOf('BUG: kernel exception in write [wboom]: Error: boom requested');
    expect(lines.slice(i + 1, i + 3)).toEqual([
      'Oops: 0000 [#1] PREEMPT SMP NOPTI',
      `CPU: 0 PID: ${t.pid} Comm: writer Tainted: G           O       6.1.0-vmlab #1`,
    ]);
    expect(lines[lines.indexOf(' </TASK>', i) + 1]).toBe('Modules linked in: wboom(O)');
    // The file was closed by the exit: the module can go.
    expect(k.modules.rmmod('wboom')).toBe(0);
  });
});

describe('module loader: rmmod of a throwing exit', () => {
  it('logs the oops (module marked -), kills rmmod, and still removes the module and its device', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: 'badexit',
  init(m) { return m.registerChrdev('badexit', {}) < 0 ? -16 : 0; },
  exit() { throw new Error('bad exit'); },
};
export default mod;
`);
    expect(insmod(k, p).r).toBe(0);
    expect(insmod(k, moduleFile(deviceModule('other', 'o'))).r).toBe(0);
    expect(k.modules.lsmod()).toBe('Module                  Size  Used by\nother                   4096  0\nbadexit                 4096  0\n');
    const err: string[] = [];
    expect(k.modules.rmmod('badexit', (l) => err.push(l))).toBe(0);
    expect(err).toEqual(['Killed']);
    const lines = logLines(k);
    const i = lines.indexOf('BUG: kernel exception in exit [badexit]: Error: bad exit');
    expect(lines.slice(i + 1, i + 3)).toEqual([
      'Oops: 0000 [#1] PREEMPT SMP NOPTI',
      'CPU: 0 PID: 3 Comm: rmmod Tainted: G           O       6.1.0-vmlab #1',
    ]);
    expect(lines[lines.indexOf(' </TASK>', i) + 1]).toBe('Modules linked in: other(O) badexit(O-)');
    expect(k.modules.names()).toEqual(['other']);
    expect(k.vfs.lookup('/dev/badexit')).toBe(-2);
  });
});

describe('module loader: process context', () => {
  it('insmods run in different processes: different pgds over the same kernel tables below the top level', () => {
    const { k } = bootKernel();
    const seen: { pid: number; pgd: number }[] = [];
    const g = globalThis as unknown as { __seen: typeof seen };
    g.__seen = seen;
    const src = (name: string): string => `import type { KernelModule } from 'vmlab/module';
const mod: KernelModule = {
  name: '${name}',
  init(m) { (globalThis as any).__seen.push({ pid: m.current().pid, pgd: m.current().mm!.pgd }); return 0; },
};
export default mod;
`;
    expect(insmod(k, moduleFile(src('pa'))).r).toBe(0);
    expect(insmod(k, moduleFile(src('pb'))).r).toBe(0);
    expect(insmod(k, moduleFile(src('pc'))).r).toBe(0);
    expect(seen.map((s) => s.pid)).toEqual([1, 2, 3]);
    // Consecutive insmods never share a pgd (an exited process's tables are freed after a grace period) ...
    expect(new Set(seen.map((s) => s.pgd)).size).toBe(3);
    // ... and below the top level the kernel half is the same tables (the last two pgds are still intact).
    const kmm = k.mm;
    const po = kmm.kspace.pageOffset;
    const pudA = pudOffset(kmm, pgdOffset(kmm, seen[1]!.pgd, po.lo, po.hi), po.lo, po.hi);
    const pudB = pudOffset(kmm, pgdOffset(kmm, seen[2]!.pgd, po.lo, po.hi), po.lo, po.hi);
    expect(pudA).toBeGreaterThan(0);
    expect(pudA).toBe(pudB);
  });
});

describe('module loader: what init returns', () => {
  it("an init returning other than 0 or -errno gets do_init_module's warning and a stack dump, and the module loads anyway, as in Linux", () => {
    // module fuzzer, seed 1 case 57: init returned -4096, and insmod answered -4096, neither 0 nor -errno.
    for (const [ret, shown] of [['-4096', '-4096'], ['1', '1'], ['NaN', 'NaN'], ["'x' as any", '"x"'], ['5n as any', '5']]) {
      const { k } = bootKernel();
      const p = moduleFile(`import { module_init } from 'vmlab/linux';\nmodule_init(() => ${ret});\n`, `odd${shown.replace(/\W/g, '')}.ts`);
      const n = logLines(k).length;
      expect(insmod(k, p)).toEqual({ r: 0, err: [] });
      const name = k.modules.names()[0]!;
      const lines = logLines(k).slice(n);
      expect(lines.slice(1, 5)).toEqual([
        `do_init_module: '${name}'->init suspiciously returned ${shown}, it should follow 0/-E convention`,
        'do_init_module: loading module anyway...',
        expect.stringMatching(/^CPU: 0 PID: \d+ Comm: insmod /),
        'Hardware name: vmlab',
      ]);
      expect(k.modules.rmmod(name)).toBe(0);
    }
  });
});

describe("module loader: a module file's top level", () => {
  it('BUG() at the top level: insmod -ENOEXEC, and the log has the whole oops after kernel BUG at, not a dangling cut here', () => {
    // module fuzzer, seed 5 case 113: BUG_ON(1) at the top level logged `cut here` and `kernel BUG at` and nothing after.
    const { k } = bootKernel();
    const p = moduleFile("import { module_init, BUG_ON } from 'vmlab/linux';\nBUG_ON(1);\nmodule_init(() => 0);\n", 'topbug.ts');
    const n = logLines(k).length;
    const r = insmod(k, p);
    expect(r.r).toBe(-8);
    const lines = logLines(k).slice(n);
    expect(lines.slice(0, 3)).toEqual(['------------[ cut here ]------------', expect.stringMatching(/^kernel BUG at topbug:\d+!$/), 'invalid opcode: 0000 [#1] PREEMPT SMP NOPTI']);
    expect(lines).toContain('---[ end trace 0000000000000000 ]---');
  });
});
