// The import graph of vmlab's sources, and the dependency rules checked
// over it (tests/architecture/dependencies.test.ts). The graph is read from
// the files: every `import`/`export ... from`, `import type` included (a
// type import ties two layers as much as a value import), `import('...')`
// and `require('...')`; relative specifiers resolved to files as the bundler
// resolves them (dependencies.test.ts checks the graph against esbuild's own
// for the value imports, so the reader misses nothing real).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

/** One import: `from` a file (repo-relative) to a file (repo-relative) or a package/builtin specifier. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** A rule: for each file matching `from`, every import must satisfy `allowed` (it sees the edge). */
export interface Rule {
  readonly name: string;
  readonly from: (file: string) => boolean;
  readonly allowed: (to: string, from: string) => boolean;
}

/** An allowed exception to a rule: this exact edge, with the reason it still exists. */
export interface Exception {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

/** What the checker found: edges that break a rule (with no exception), and exceptions no longer real. */
export interface Verdict {
  readonly violations: string[];
  readonly stale: string[];
}

/** Applies the rules to the edges: `FROM -> TO breaks RULE` lines, and exceptions that match no edge. */
export function checkRules(edges: readonly Edge[], rules: readonly Rule[], exceptions: readonly Exception[] = []): Verdict {
  const excused = new Set(exceptions.map((e) => `${e.rule}\0${e.from}\0${e.to}`));
  const used = new Set<string>();
  const violations: string[] = [];
  for (const rule of rules) {
    for (const e of edges) {
      if (!rule.from(e.from) || rule.allowed(e.to, e.from)) continue;
      const key = `${rule.name}\0${e.from}\0${e.to}`;
      if (excused.has(key)) used.add(key);
      else violations.push(`${e.from} -> ${e.to} breaks "${rule.name}"`);
    }
  }
  const stale = exceptions.filter((e) => !used.has(`${e.rule}\0${e.from}\0${e.to}`)).map((e) => `${e.from} -> ${e.to} ("${e.rule}") is no longer an import: delete the exception`);
  return { violations, stale };
}

/** Source files (.ts, not .d.ts; .mjs) under `dirs` of `root`, repo-relative with '/'. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (/\.(m?ts|mjs)$/.test(e.name) && !/\.d\.m?ts$/.test(e.name)) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** Specifiers a source imports: import/export-from (type ones too), side-effect imports, import(), require(). */
export function importSpecifiers(text: string): string[] {
  // Comments out (a commented-out import is no import); string contents stay, the patterns below need them.
  // One pass, left to right, so that a '/*' inside a // comment or a string ('*.s') starts nothing.
  const code = text.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? ' ');
  const out: string[] = [];
  const patterns = [
    /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]/g,
    /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

/** A relative specifier of `from` as a repo-relative file (as the bundler finds it), or the specifier itself. */
export function resolveSpecifier(root: string, from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const tries = [base, `${base}.ts`, `${base}.mts`, `${base}.d.ts`, `${base}/index.ts`, base.replace(/\.m?js$/, '.ts'), base.replace(/\.mjs$/, '.d.mts')];
  for (const t of tries) {
    const abs = join(root, t);
    if (existsSync(abs) && statSync(abs).isFile()) return t;
  }
  return base;
}

/** The import graph of the files under `dirs`. */
export function importGraph(root: string, dirs: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const from of sourceFiles(root, dirs)) {
    const seen = new Set<string>();
    for (const spec of importSpecifiers(readFileSync(join(root, from), 'utf8'))) {
      const to = resolveSpecifier(root, from, spec);
      if (seen.has(to)) continue;
      seen.add(to);
      edges.push({ from, to });
    }
  }
  return edges;
}

/** Whether `file` is `dir` or under it. */
export function under(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/** A Node builtin (node:fs), an npm package or vmlab's own specifier (vmlab/linux): not a file of the repository. */
export function isPackage(to: string): boolean {
  return !/^(emu|asm|kernel-ts|host|scripts|tests|guest-programs)\//.test(to);
}
