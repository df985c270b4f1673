// Linux-style module files (kernel-ts/module/linux/module.ts): module_init,
// module_exit, MODULE_*, module_param and THIS_MODULE, evaluated once per
// insmod with vmlab/linux bound to that load. Only module.h is on the
// surface here, so the files report through init's return value (insmod's
// result) and through oopses.
import { describe, expect, it } from 'vitest';
import { EINVAL, ENOEXEC } from '../../../../kernel-ts/errno';
import { bootKernel, logLines } from '../../proc/helpers';
import { insmod, moduleFile } from '../helpers';

/** The log lines after line n. */
function since(k: Parameters<typeof logLines>[0], n: number): string[] {
  return logLines(k).slice(n);
}

describe('vmlab/linux module.h: a Linux-style module file', () => {
  it('is named after its file (KBUILD_MODNAME), runs init in insmod, exit in rmmod; module_param answers the insmod value', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init, module_exit, module_param, MODULE_LICENSE, THIS_MODULE } from 'vmlab/linux';
const n = module_param('n', 'int', 7, 0o444, 'what init returns, negated');
module_init(() => (THIS_MODULE.name === 'my_mod' ? -n : -1));
module_exit(() => {});
MODULE_LICENSE('GPL');
`, 'my-mod.ts');
    expect(insmod(k, p).r).toBe(-7);
    expect(insmod(k, p, ['n=0x0']).r).toBe(0);
    expect(k.modules.names()).toEqual(['my_mod']);
    expect(insmod(k, p).err).toEqual([`insmod: ERROR: could not insert module ${p}: File exists`]);
    expect(k.modules.rmmod('my_mod')).toBe(0);
    expect(k.modules.names()).toEqual([]);
  });

  it("each insmod evaluates the file anew: a top-level let is that load's state", () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init } from 'vmlab/linux';
let loads = 0;
loads++;
module_init(() => -loads);
`, 'fresh.ts');
    expect(insmod(k, p).r).toBe(-1);
    expect(insmod(k, p).r).toBe(-1);
  });

  it('types each parameter as Linux: int/uint number, long/ulong bigint, charp string, bool boolean; defaults otherwise', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init, module_param } from 'vmlab/linux';
const i = module_param('i', 'int', -1, 0o444);
const u = module_param('u', 'uint', 1, 0o444);
const l = module_param('l', 'long', 5, 0o444);
const ul = module_param('ul', 'ulong', 0n, 0o444);
const s = module_param('s', 'charp', 'def', 0o444);
const b = module_param('b', 'bool', false, 0o444);
const ok = typeof i === 'number' && typeof u === 'number' && typeof l === 'bigint' && typeof ul === 'bigint' && typeof s === 'string' && typeof b === 'boolean';
module_init(() => (ok && i === -5 && u === 0o17 && l === 5n && ul === 0xffffffffc0000000n && s === 'hi' && b ? 0 : -1));
`, 'typed.ts');
    expect(insmod(k, p, ['i=-5', 'u=017', 'ul=0xffffffffc0000000', 's=hi', 'b']).r).toBe(0);
  });

  it("a bad value is -EINVAL with Linux's log line; an unknown parameter is warned about and ignored", () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init, module_param } from 'vmlab/linux';
const n = module_param('n', 'uint', 0, 0o444);
module_init(() => -n);
`, 'strict.ts');
    let n = logLines(k).length;
    expect(insmod(k, p, ['n=-1'])).toEqual({ r: -EINVAL, err: [`insmod: ERROR: could not insert module ${p}: Invalid argument`] });
    expect(since(k, n)).toEqual(["strict: '-1' invalid for parameter 'n'"]);
    n = logLines(k).length;
    expect(insmod(k, p, ['nope=1', 'n=3']).r).toBe(-3);
    expect(since(k, n)).toEqual(['strict: loading out-of-tree module taints kernel.', "strict: unknown parameter 'nope' ignored"]);
  });

  it('modinfo reads the declarations (description, license, author, parameters with their text)', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init, module_param, MODULE_PARM_DESC, MODULE_LICENSE, MODULE_AUTHOR, MODULE_DESCRIPTION } from 'vmlab/linux';
const choice = module_param('choice', 'int', 0, 0o444, '0 = kmalloc, 1 = vmalloc');
const va = module_param('va', 'ulong', 0n, 0o444);
MODULE_PARM_DESC('va', 'a kernel address');
module_init(() => choice + Number(va));
MODULE_LICENSE('GPL');
MODULE_AUTHOR('A. Student');
MODULE_DESCRIPTION('part2_a');
`, 'info.ts');
    const r = k.modules.lookup(p);
    expect('module' in r && r.module).toEqual({
      name: 'info',
      init: expect.any(Function),
      description: 'part2_a',
      license: 'GPL',
      author: 'A. Student',
      params: {
        choice: { type: 'int', default: 0, description: '0 = kmalloc, 1 = vmalloc' },
        va: { type: 'ulong', default: 0n, description: 'a kernel address' },
      },
    });
    // modinfo loads nothing.
    expect(k.modules.names()).toEqual([]);
  });

  it('misuse of the declarations fails the insmod with -ENOEXEC and one line naming the macro', () => {
    const { k } = bootKernel();
    const cases: [string, string][] = [
      [`module_init(() => 0);\nmodule_init(() => 0);`, 'Error: module_init: given twice'],
      [`module_param('x', 'int', 0, 0o444);\nmodule_param('x', 'int', 0, 0o444);`, "Error: module_param: 'x' declared twice"],
      [`module_param('x', 'short' as 'int', 0, 0o444);`, 'Error: module_param x: unknown type "short" (one of int, uint, long, ulong, charp, bool)'],
      [`module_param('x', 'int', 1.5, 0o444);`, 'Error: module_param x: the default 1.5 is not a value of type int'],
      [`MODULE_PARM_DESC('y', 'text');`, "Error: MODULE_PARM_DESC: no parameter 'y' declared (module_param first)"],
    ];
    for (const [body, message] of cases) {
      const p = moduleFile(`import { module_init, module_param, MODULE_PARM_DESC } from 'vmlab/linux';\nvoid module_init; void module_param; void MODULE_PARM_DESC;\n${body}\n`, 'misuse.ts');
      expect(insmod(k, p)).toEqual({ r: -ENOEXEC, err: [`${p}: ${message}`, `insmod: ERROR: could not insert module ${p}: Invalid module format`] });
    }
  });

  it('module_init called from init (not the top level) is a bug of the module: an oops of insmod', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init } from 'vmlab/linux';
module_init(function late_init() {
  module_init(() => 0);
  return 0;
});
`, 'late.ts');
    expect(insmod(k, p)).toEqual({ r: -14, err: ['Killed'] });
    const lines = logLines(k);
    expect(lines).toContain('BUG: kernel exception in init [late]: Error: module_init: only at the top level of the module file (while insmod loads it)');
    // The module's function by name, its offset in the compiled module and the module's tag; no host path anywhere.
    const trace = lines.slice(lines.indexOf('Call Trace:'));
    expect(trace.some((l) => /^ late_init\+0x[0-9a-f]+\/0x[0-9a-f]+ \[late\]$/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/\/tmp\/|vmlab-mod-/);
  });

  it("a file whose name is not a module name is refused when it uses module.h", () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init } from 'vmlab/linux';\nmodule_init(() => 0);\n`, 'bad.name.ts');
    expect(insmod(k, p).err[0]).toBe(`${p}: the file name "bad.name" is not a module name: 1 to 55 characters of A-Z a-z 0-9 _ -`);
  });

  it('a module file may require nothing but vmlab/linux and its own files (a .js file is not type-checked: its load refuses)', () => {
    const { k } = bootKernel();
    const src = `import { readFileSync } from 'node:fs';\nimport { module_init } from 'vmlab/linux';\nmodule_init(() => readFileSync.length);\n`;
    const js = moduleFile(src, 'host.js');
    expect(insmod(k, js).err[0]).toBe(`${js}: Error: Cannot find module 'node:fs': a module imports only from 'vmlab/linux' and its own files`);
    const ts = moduleFile(src, 'host.ts');
    expect(insmod(k, ts).err[0]).toMatch(new RegExp(`^${ts}:1:30: error TS2591: Cannot find name 'node:fs'`));
  });
});
