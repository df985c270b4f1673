// vmlab/linux export.h (kernel-ts/module/linux/export.ts): EXPORT_SYMBOL in
// one module file, symbol_get/symbol_put in another, loaded separately. The
// symbol lives while its module does; a symbol_get holds a reference on it
// (lsmod's Used by, rmmod -EBUSY) until symbol_put.
import { describe, expect, it } from 'vitest';
import { EBUSY, EINVAL, ENOEXEC } from '../../../../kernel-ts/errno';
import { bootKernel, logLines } from '../../proc/helpers';
import { insmod, moduleFile } from '../helpers';

const EXPORTER = `import { module_init, EXPORT_SYMBOL } from 'vmlab/linux';
let answer = 0;
function the_answer(): number { return answer; }
EXPORT_SYMBOL('the_answer', the_answer);
module_init(() => { answer = 42; return 0; });
`;

/** init returns -the answer, or -EINVAL (22) when nobody exports it; keep=1 holds the reference. */
const USER = `import { module_init, module_param, symbol_get, symbol_put } from 'vmlab/linux';
const keep = module_param('keep', 'int', 0, 0o444);
module_init(() => {
  const f = symbol_get<() => number>('the_answer');
  if (f === null) return -22;
  const v = f();
  if (!keep) symbol_put('the_answer');
  return v === 42 ? 0 : -1;
});
`;

describe('vmlab/linux export.h: EXPORT_SYMBOL / symbol_get / symbol_put', () => {
  it('another module gets the value by name while the exporter is loaded, and not before or after', () => {
    const { k } = bootKernel();
    const exp = moduleFile(EXPORTER, 'exporter.ts');
    const user = moduleFile(USER, 'user.ts');
    expect(insmod(k, user).r).toBe(-EINVAL);
    expect(insmod(k, exp).r).toBe(0);
    expect(insmod(k, user).r).toBe(0);
    expect(k.modules.find('exporter')!.refcount).toBe(0);
    expect(k.modules.rmmod('user')).toBe(0);
    expect(k.modules.rmmod('exporter')).toBe(0);
    expect(insmod(k, user).r).toBe(-EINVAL);
  });

  it('symbol_get holds a reference on the exporter until symbol_put: Used by 1, rmmod -EBUSY', () => {
    const { k } = bootKernel();
    const exp = moduleFile(EXPORTER, 'exporter.ts');
    const user = moduleFile(USER, 'user.ts');
    expect(insmod(k, exp).r).toBe(0);
    expect(insmod(k, user, ['keep=1']).r).toBe(0);
    expect(k.modules.lsmod()).toMatch(/^exporter\s+\d+\s+1$/m);
    expect(k.modules.rmmod('exporter')).toBe(-EBUSY);
  });

  it('a second exporter of a live symbol fails its insmod with Linux\'s line; once the first is gone it may', () => {
    const { k } = bootKernel();
    const exp = moduleFile(EXPORTER, 'exporter.ts');
    const other = moduleFile(EXPORTER, 'other.ts');
    expect(insmod(k, exp).r).toBe(0);
    expect(insmod(k, other).r).toBe(-ENOEXEC);
    expect(logLines(k)).toContain('other: exports duplicate symbol the_answer (owned by exporter)');
    expect(k.modules.rmmod('exporter')).toBe(0);
    expect(insmod(k, other).r).toBe(0);
  });

  it('EXPORT_SYMBOL is a top-level statement: from init it is a bug of the module', () => {
    const { k } = bootKernel();
    const late = moduleFile(`import { module_init, EXPORT_SYMBOL } from 'vmlab/linux';
module_init(() => { EXPORT_SYMBOL('late', 1); return 0; });
`, 'late.ts');
    expect(insmod(k, late).r).not.toBe(0);
    expect(logLines(k).some((l) => l.includes('EXPORT_SYMBOL: only at the top level'))).toBe(true);
  });

  it('symbol_put without a reference is a bug of the module', () => {
    const { k } = bootKernel();
    expect(insmod(k, moduleFile(EXPORTER, 'exporter.ts')).r).toBe(0);
    const bad = moduleFile(`import { module_init, symbol_put } from 'vmlab/linux';
module_init(() => { symbol_put('the_answer'); return 0; });
`, 'bad.ts');
    expect(insmod(k, bad).r).not.toBe(0);
    expect(logLines(k).some((l) => l.includes('symbol_put: no reference on the_answer to drop'))).toBe(true);
  });
});
