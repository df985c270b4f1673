// insmod's type check of a module file (kernel-ts/module/typecheck.ts):
// errors as a compiler prints them, then -ENOEXEC; a file edited between two
// insmods is checked again; a .js file is not checked.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENOEXEC } from '../../../kernel-ts/errno';
import { ModuleLoader } from '../../../kernel-ts/module/loader';
import { ModuleTypeChecker } from '../../../kernel-ts/module/typecheck';
import { bootKernel } from '../proc/helpers';
import { insmod, moduleFile } from './helpers';

const WRONG = `import { module_init, module_param } from 'vmlab/linux';
const va = module_param('va', 'ulong', 0n, 0o444);
module_init(() => {
\tconst pa: number = va;
  return pa;
});
`;

describe('insmod type-checks a module file against vmlab/linux', () => {
  it('reports FILE:LINE:COL: error TSnnnn, the line and a caret, then fails with -ENOEXEC', () => {
    const { k } = bootKernel();
    const p = moduleFile(WRONG, 'part2_a.ts');
    expect(insmod(k, p)).toEqual({
      r: -ENOEXEC,
      err: [
        `${p}:4:8: error TS2322: Type 'bigint' is not assignable to type 'number'.`,
        '\tconst pa: number = va;',
        '\t      ^~',
        `insmod: ERROR: could not insert module ${p}: Invalid module format`,
      ],
    });
    expect(k.modules.names()).toEqual([]);
  });

  it('checks the file as it is at each insmod (an edit is seen), with one compiler for both', () => {
    const { k } = bootKernel();
    const p = moduleFile(WRONG, 'edited.ts');
    expect(insmod(k, p).r).toBe(-ENOEXEC);
    writeFileSync(p, WRONG.replace('const pa: number = va;', 'const pa = Number(va);'));
    expect(insmod(k, p)).toEqual({ r: 0, err: [] });
  });

  it('an unknown name of vmlab/linux is an error of the import line', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init, kmalloc_nope } from 'vmlab/linux';\nmodule_init(() => kmalloc_nope());\n`, 'nope.ts');
    expect(insmod(k, p).err.slice(0, 3)).toEqual([
      `${p}:1:23: error TS2305: Module '"vmlab/linux"' has no exported member 'kmalloc_nope'.`,
      "import { module_init, kmalloc_nope } from 'vmlab/linux';",
      '                      ^~~~~~~~~~~~',
    ]);
  });

  it('a .js module file is not type-checked', () => {
    const { k } = bootKernel();
    const p = moduleFile(`import { module_init } from 'vmlab/linux';\nmodule_init(() => { const pa = 'x' * 2; return pa === pa ? 0 : 0; });\n`, 'plain.js');
    expect(insmod(k, p)).toEqual({ r: 0, err: [] });
  });

  it('-ENOEXEC with one line when TypeScript cannot be loaded', () => {
    const { k } = bootKernel();
    const checker = new ModuleTypeChecker(() => {
      throw new Error("Cannot find module 'typescript/unstable/sync'\nRequire stack:\n- /somewhere");
    });
    const loader = new ModuleLoader(k, new Map(), undefined, (path) => checker.check(path));
    const p = moduleFile(WRONG, 'nots.ts');
    const err: string[] = [];
    expect(loader.insmod(p, [], (l) => err.push(l))).toBe(-ENOEXEC);
    expect(err).toEqual([
      `${p}: cannot type-check module files: TypeScript, the module type checker, cannot be loaded (Cannot find module 'typescript/unstable/sync'); run npm install in vmlab's folder`,
      `insmod: ERROR: could not insert module ${p}: Invalid module format`,
    ]);
  });
});
