// vmlab's standard headers (guest-programs/include) against glibc's for
// riscv64 lp64: for every header, every object-like macro vmlab's defines
// must exist in glibc's with the same value, size and signedness (strings:
// the same text); every struct in header-specs.ts must have glibc's size
// and each member glibc's offset and size; and the function-like macros
// give glibc's values on sample arguments. Nothing runs: each side is
// compiled to assembly (vmlab's as `vmlab cc` compiles, glibc's with
// -D_GNU_SOURCE for its widest set) and the values are read from the
// initialised data. Debian ships glibc's headers for lp64d only; its
// gnu/stubs.h wants a stubs-lp64.h, supplied empty, so the soft-float
// layouts (jmp_buf without the float registers) are glibc's lp64 ones.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findToolchain, TARGET_FLAGS } from '../../emu/cli/cc';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { HEADERS } from './header-specs';
import { INCLUDE_DIR } from './libc-programs';

const GCC = PEER_TOOLS.gcc;

/** name -> value as text ("123", "-1", "\"ld\"") for one compiled probe. */
type Values = Map<string, string>;

/** The labelled values of gcc's assembly: `.dword N`, `.word N`, `.byte N`, `.zero N` (0) or `.string "..."`. */
function readValues(asm: string): Values {
  const out: Values = new Map();
  const lines = asm.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const label = /^(v_\w+):$/.exec(lines[i]!.trim());
    if (label === null) continue;
    for (let j = i + 1; j < lines.length; j++) {
      const m = /^\s*\.(dword|word|half|byte|zero|string)\s+(.*)$/.exec(lines[j]!);
      if (m === null) continue;
      out.set(label[1]!.slice(2), m[1] === 'zero' ? '0' : m[2]!.trim());
      break;
    }
  }
  return out;
}

/** Object-like macros a compile defines: name -> its replacement text. */
function macros(flags: string[], source: string): Map<string, string> {
  const text = execFileSync(GCC, [...flags, '-dM', '-E', '-x', 'c', '-'], { input: source, encoding: 'utf8' });
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^#define (\w+)(?:\s+(.*))?$/.exec(line);
    if (m !== null) out.set(m[1]!, m[2] ?? '');
  }
  return out;
}

describePeer('standard headers against glibc (riscv64 lp64)', ['gcc', 'glibc'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-headers-'));
  let ours: string[] = [];
  let glibc: string[] = [];
  /** What the compiler itself defines, and its own headers (stddef.h, stdint.h, stdarg.h): not vmlab's to compare. */
  let compilerOwn = new Set<string>();

  beforeAll(() => {
    const tc = findToolchain();
    if (tc === null) throw new Error('no cross compiler');
    ours = [...TARGET_FLAGS, '-nostdinc', '-isystem', tc.includeDir, '-I', INCLUDE_DIR];
    mkdirSync(join(dir, 'gnu'), { recursive: true });
    writeFileSync(join(dir, 'gnu', 'stubs-lp64.h'), '');
    glibc = ['-march=rv64im', '-mabi=lp64', '-D_GNU_SOURCE', '-I', dir];
    compilerOwn = new Set(macros(ours, '#include <stddef.h>\n#include <stdint.h>\n#include <stdarg.h>\n').keys());
  });

  /** Compiles `body` after `#include <header>` on one side; the values of its v_ variables. */
  const probe = (flags: string[], header: string, body: string, tag: string): Values => {
    const src = join(dir, `${header.replace(/\W/g, '_')}-${tag}.c`);
    writeFileSync(src, `#include <${header}>\n#include <stddef.h>\n${body}`);
    const r = spawnSync(GCC, [...flags, '-w', '-S', '-o', '-', src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tag} <${header}> does not compile:\n${r.stderr}`);
    return readValues(r.stdout);
  };

  for (const spec of HEADERS) {
    describe(`<${spec.header}>`, () => {
      let names: string[] = [];
      let strings = new Set<string>();
      let lines: string[] = [];

      beforeAll(() => {
        const defs = macros(ours, `#include <${spec.header}>\n`);
        names = [...defs.keys()]
          .filter((n) => !compilerOwn.has(n) && !n.startsWith('__') && !n.startsWith('_VMLAB') && !(n in (spec.notConstant ?? {})))
          .filter((n) => !['assert', 'static_assert', 'VMLAB_H'].includes(n))
          .sort();
        strings = new Set(names.filter((n) => defs.get(n)!.startsWith('"')));
        lines = [];
        let k = 0;
        for (const n of names) {
          if (strings.has(n)) lines.push(`const char v_m_${n}[] = ${n};`);
          else {
            lines.push(`long long v_m_${n} = (long long)(${n});`);
            lines.push(`long long v_z_${n} = sizeof(${n});`);
            lines.push(`long long v_s_${n} = _Generic((${n}), int: 1, long: 1, long long: 1, unsigned: 0, unsigned long: 0, unsigned long long: 0, default: 2);`);
          }
        }
        for (const s of spec.structs ?? []) {
          const id = s.type.replace(/\W/g, '_');
          lines.push(`long long v_t_${id} = sizeof(${s.type});`);
          for (const m of s.members) {
            const mid = m.replace(/\W/g, '_');
            lines.push(`long long v_o_${id}_${mid} = offsetof(${s.type}, ${m});`);
            lines.push(`long long v_q_${id}_${mid} = sizeof(((${s.type} *)0)->${m});`);
          }
        }
        for (const e of spec.exprs ?? []) lines.push(`long long v_e_${k++} = (long long)(${e});`);
      });

      it('has every macro glibc has under the same name, with the same value, size and signedness', () => {
        const mine = probe(ours, spec.header, lines.join('\n') + '\n', 'vmlab');
        const theirs = probe(glibc, spec.header, lines.filter((l) => /^(const char|long long) v_[mzs]_/.test(l)).map((l) => `#ifdef ${/v_[mzs]_(\w+)/.exec(l)![1]}\n${l}\n#endif`).join('\n') + '\n', 'glibc');
        const diffs: string[] = [];
        for (const n of names) {
          for (const kind of strings.has(n) ? ['m'] : ['m', 'z', 's']) {
            const key = `${kind}_${n}`;
            const a = mine.get(key);
            const b = theirs.get(key);
            if (b === undefined) {
              diffs.push(`${n}: glibc's <${spec.header}> does not define it`);
              break;
            }
            if (a !== b) diffs.push(`${n}: ${{ m: 'value', z: 'size', s: 'signedness' }[kind as 'm' | 'z' | 's']} ${a} (glibc ${b})`);
          }
        }
        expect(diffs).toEqual([]);
      });

      if ((spec.structs ?? []).length > 0 || (spec.exprs ?? []).length > 0) {
        it('lays out its structs as glibc does and its function-like macros agree', () => {
          const body = lines.filter((l) => /^long long v_[toqe]_/.test(l)).join('\n') + '\n';
          const mine = probe(ours, spec.header, body, 'vmlab-layout');
          const theirs = probe(glibc, spec.header, body, 'glibc-layout');
          expect(mine.size).toBeGreaterThan(0);
          expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(theirs));
        });
      }
    });
  }
});
