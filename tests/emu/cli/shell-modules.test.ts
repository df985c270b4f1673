// Hostile modules through the built CLI (issue 12, finding 9): whatever a
// module's init throws, returns or leaves behind, the shell goes on
// answering; each failure is one line of insmod's or vmlab's, no Node stack.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shell } from '../../support/shell';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-shell-mod-'));
const mod = (name: string, init: string, top = ''): string => {
  const p = join(dir, `${name}.ts`);
  writeFileSync(p, `${top}\nexport default { name: '${name}', init(m: any) { ${init} } };\n`);
  return p;
};

const TOSTR = mod('tostr', 'throw { toString() { throw new Error("no"); } };');
const ASYNC = join(dir, 'asyncinit.ts');
writeFileSync(ASYNC, "export default { name: 'asyncinit', async init() { throw new Error('later'); } };\n");
const STRAY = mod('stray', "Promise.reject(new Error('dropped')); return 0;");
const EMPTY = mod('empty', 'return 0;').replace(/empty\.ts$/, 'noname.ts');
writeFileSync(EMPTY, "export default { name: '', init() { return 0; } };\n");

describe('vmlab shell: hostile modules leave the shell running', () => {
  it('init throwing an unprintable object, an async init, a stray rejection, an empty name', () => {
    const r = shell(['--mem', '64M', '-q'], {
      input: [`insmod ${TOSTR}`, 'echo $?', `insmod ${ASYNC}`, 'echo $?', `insmod ${STRAY}`, 'echo $?', `insmod ${EMPTY}`, 'echo $?', 'lsmod', 'echo alive', ''].join('\n'),
    });
    // The stray rejection is said when Node next turns its event loop (when depends on how stdin arrived): once, in one line.
    const REJECTED = "vmlab: a promise rejected with no handler (a kernel module's async code?): Error: dropped";
    const lines = r.output.split('\n');
    expect(lines.filter((l) => l === REJECTED)).toHaveLength(1);
    expect(lines.filter((l) => l !== REJECTED)).toEqual([
      'Killed',
      '1',
      `insmod: ERROR: could not insert module ${ASYNC}: Invalid module format`,
      '1',
      '0',
      `${EMPTY}: module name "" is not valid: 1 to 55 characters of A-Z a-z 0-9 _ -`,
      `insmod: ERROR: could not insert module ${EMPTY}: Invalid module format`,
      '1',
      'Module                  Size  Used by',
      'stray                   4096  0',
      'alive',
      '',
    ]);
    expect(r.status).toBe(0);
  });
});
