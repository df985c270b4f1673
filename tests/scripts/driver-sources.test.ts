// The built-in drivers as dist carries them (scripts/driver-sources.mjs,
// embedded by scripts/build.mjs) and as a source run compiles them
// (kernel-ts/module/builtin.ts): the same text, loaded the same way; a
// driver's source is compiled once per process whatever the number of kernels.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { compileDrivers, portedDrivers } from '../../scripts/driver-sources.mjs';
import { BuiltinSource } from '../../kernel-ts/module/builtin';
import { PORTED_DRIVERS, driverSource } from '../../emu/cli/builtins';
import { ModuleLoader } from '../../kernel-ts/module/loader';
import { bootKernel } from '../kernel-ts/proc/helpers';

/** A driver written as the ported ones are: vmlab/linux and a helper of its own directory. */
function driverDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-drivers-'));
  writeFileSync(join(dir, 'demo-helper.ts'), 'export function answer(n: number): number {\n  return -n;\n}\n');
  writeFileSync(join(dir, 'demo.ts'), `import { module_init, module_param, MODULE_LICENSE } from 'vmlab/linux';
import { answer } from './demo-helper';
const n = module_param('n', 'int', 0, 0o444);
module_init(() => answer(n));
MODULE_LICENSE('GPL');
`);
  return dir;
}

describe('built-in drivers from source', () => {
  it("build.mjs reads PORTED_DRIVERS from emu/cli/builtins.ts", () => {
    expect(portedDrivers('emu/cli/builtins.ts')).toEqual([...PORTED_DRIVERS]);
  });

  it('the precompiled text is the text a source run compiles, and both load as `insmod NAME`', () => {
    const dir = driverDir();
    const pre = compileDrivers(esbuild, dir, ['demo']);
    const file = BuiltinSource.file(join(dir, 'demo.ts'));
    const c = file.code();
    expect(c).toEqual({ ok: true, code: pre['demo'] });
    for (const src of [file, BuiltinSource.precompiled(pre['demo']!), driverSource('demo', pre)]) {
      const { k } = bootKernel();
      const loader = new ModuleLoader(k, new Map([['demo', src]]));
      expect(loader.insmod('demo', ['n=5'])).toBe(-5);
      expect(loader.insmod('demo')).toBe(0);
      // A built-in: no taint, lsmod's built-in size.
      expect(loader.lsmod()).toBe('Module                  Size  Used by\ndemo                   16384  0\n');
      expect(k.modules.tainted || loader.tainted).toBe(false);
    }
  });

  it('a source is compiled at its first load only, whatever the number of kernels and loads', () => {
    const src = BuiltinSource.file(join(driverDir(), 'demo.ts'));
    for (let i = 0; i < 3; i++) {
      const { k } = bootKernel();
      const loader = new ModuleLoader(k, new Map([['demo', src]]));
      expect(loader.insmod('demo')).toBe(0);
      expect(loader.rmmod('demo')).toBe(0);
      expect(loader.insmod('demo')).toBe(0);
    }
    expect(src.compiles).toBe(1);
  });

  it("a driver that does not compile is -ENOEXEC with esbuild's message (and is tried again next time)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-drivers-'));
    writeFileSync(join(dir, 'bad.ts'), 'const x = ;\n');
    const src = BuiltinSource.file(join(dir, 'bad.ts'));
    const { k } = bootKernel();
    const loader = new ModuleLoader(k, new Map([['bad', src]]));
    const err: string[] = [];
    expect(loader.insmod('bad', [], (l) => err.push(l))).toBe(-8);
    expect(err).toEqual([`${join(dir, 'bad.ts')}:1:11: error: Unexpected ";"`, 'insmod: ERROR: could not insert module bad: Invalid module format']);
    loader.insmod('bad');
    expect(src.compiles).toBe(2);
  });
});
