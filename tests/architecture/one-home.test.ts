// Each shared constant has one home (issue 11, section 6): a second
// definition of an errno, PAGE_SIZE/PAGE_SHIFT, VM_FAULT_*, 2^32, accessOk or
// the #PF error-code words anywhere in the sources or the tests fails here,
// listing file:line. Import from the home instead.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRS = ['emu', 'asm', 'kernel-ts', 'host', 'tests'];

const ERRNO_HOME = 'kernel-ts/errno.ts';
const ERRNOS = [...readFileSync(join(ROOT, ERRNO_HOME), 'utf8').matchAll(/^export const (E[A-Z0-9]+) = /gm)].map((m) => m[1]!);

/** Name -> the one file that may define it. */
const HOMES: [names: RegExp, home: string][] = [
  [new RegExp(`^(${ERRNOS.join('|')})$`), ERRNO_HOME],
  [/^PAGE_(SIZE|SHIFT)$/, 'emu/machine/mmu/paging.ts'],
  [/^VM_FAULT_[A-Z_]+$/, 'kernel-ts/mm/memory.ts'],
  [/^TWO32$/, 'emu/machine/cpu/int64.ts'],
  [/^accessOk$/, 'kernel-ts/mm/uaccess.ts'],
  [/^(pfWords|pfErrorText|pfErrorWords)$/, 'emu/machine/trap.ts'],
];
const TWO32_HOME = 'emu/machine/cpu/int64.ts';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') out.push(...sources(p));
    } else if (/\.(ts|mts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The line with string literals and a trailing // comment blanked, so quoted text never counts. */
function codeOf(line: string): string {
  return line
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\$]|\\.)*`/g, (s) => ' '.repeat(s.length))
    .replace(/\/\/.*$/, '');
}

const DEF = /\b(?:const|let|var|function)\s+([A-Za-z_$][\w$]*)/g;

/** Every definition of a shared name outside its home, and every 2^32 literal outside int64.ts, as file:line. */
function strayDefinitions(files: readonly string[], read: (f: string) => string): string[] {
  const found: string[] = [];
  for (const f of files) {
    const lines = read(f).split('\n');
    let inBlock = false;
    lines.forEach((raw, i) => {
      let line = raw;
      if (inBlock) {
        const end = line.indexOf('*/');
        if (end < 0) return;
        line = line.slice(end + 2);
        inBlock = false;
      }
      line = line.replace(/\/\*.*?\*\//g, '');
      const open = line.indexOf('/*');
      if (open >= 0) {
        line = line.slice(0, open);
        inBlock = true;
      }
      const code = codeOf(line);
      // A .d.ts declares a type and holds no value (vmlab/linux's bigint PAGE_SIZE): its implementation is checked instead.
      if (!f.endsWith('.d.ts'))
        for (const m of code.matchAll(DEF)) {
          const home = HOMES.find(([re]) => re.test(m[1]!))?.[1];
          if (home !== undefined && home !== f) found.push(`${f}:${i + 1}: ${m[1]} is defined in ${home}`);
        }
      if (f !== TWO32_HOME && /\b4294967296\b|\b2\s*\*\*\s*32\b/.test(code)) found.push(`${f}:${i + 1}: 2^32 is TWO32 in ${TWO32_HOME}`);
    });
  }
  return found;
}

describe('one home for each shared constant', () => {
  it('finds no second definition in emu/, asm/, kernel-ts/, host/ or tests/', () => {
    const files = DIRS.flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    expect(strayDefinitions(files, (f) => readFileSync(join(ROOT, f), 'utf8'))).toEqual([]);
  });

  it('reports a copy with its file and line, and leaves quoted text, comments and the homes alone', () => {
    const text: Record<string, string> = {
      'kernel-ts/fs/x.ts': "import { EFAULT } from '../errno';\n// const EINVAL = 22;\nconst EINVAL = 22;\nconst msg = 'const ENOENT = 2';\n",
      'tests/x.test.ts': 'const t = 1;\n  let PAGE_SIZE = 4096;\nconst hi = Math.floor(v / 2 ** 32);\nconst s = "4294967296";\n/* const TWO32 = 4294967296; */\n',
      'emu/cli/y.ts': 'export function pfErrorText(code: number): string {\nfunction accessOk() {}\nexport const VM_FAULT_OK = 0;\n',
      'emu/machine/cpu/int64.ts': 'export const TWO32 = 4294967296;\n',
      'kernel-ts/errno.ts': 'export const EFAULT = 14;\n',
    };
    expect(strayDefinitions(Object.keys(text), (f) => text[f]!)).toEqual([
      'kernel-ts/fs/x.ts:3: EINVAL is defined in kernel-ts/errno.ts',
      'tests/x.test.ts:2: PAGE_SIZE is defined in emu/machine/mmu/paging.ts',
      'tests/x.test.ts:3: 2^32 is TWO32 in emu/machine/cpu/int64.ts',
      'emu/cli/y.ts:1: pfErrorText is defined in emu/machine/trap.ts',
      'emu/cli/y.ts:2: accessOk is defined in kernel-ts/mm/uaccess.ts',
      'emu/cli/y.ts:3: VM_FAULT_OK is defined in kernel-ts/mm/memory.ts',
    ]);
  });
});
