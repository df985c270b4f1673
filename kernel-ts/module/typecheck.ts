// insmod's type check of a module file (issue 13): the file is checked
// against vmlab/linux's declarations (linux/linux.d.ts) with the TypeScript
// compiler, and its errors are reported as a compiler reports them:
//
//   part2_a.ts:7:9: error TS2322: Type 'bigint' is not assignable to type 'number'.
//     const pa: number = virt_to_phys(p);
//           ^~
//
// insmod then fails with -ENOEXEC ("Invalid module format"), as a .ko that
// does not build never loads. Built-in drivers are checked by `npm test`'s
// tsc instead, not at every insmod.
//
// The compiler is TypeScript 7's (tsgo, a native binary) through its
// synchronous API: one compiler process per vmlab process, started at the
// first check, kept for the next (a check after the first takes
// milliseconds), never keeping Node alive at exit. Each module file gets a
// virtual tsconfig.json (served through the API's file-system callbacks, so
// nothing is written on the host) naming that file alone and mapping
// 'vmlab/linux' (and the older 'vmlab/module', 'vmlab/errno') to vmlab's own
// declarations.
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { readHostText } from '../../host/files';
import { kernelTsDir } from './compile';

type TsApi = typeof import('typescript/unstable/sync');
type Api = InstanceType<TsApi['API']>;
type Diagnostic = import('typescript/unstable/sync').Diagnostic;

const nodeRequire = createRequire(import.meta.url);

/** TypeScript's synchronous API from this installation's node_modules; throws when it is not installed. */
export function requireTypeScript(): TsApi {
  return nodeRequire('typescript/unstable/sync') as TsApi;
}

/** Where the virtual tsconfig.json files live (no such directory exists on the host). */
const VIRTUAL_DIR = '/__vmlab_typecheck__';

/**
 * What module code sees besides ES2022 and vmlab/linux: the text codecs, to
 * turn a read's or write's bytes into strings (the host has them; lib
 * es2022 does not declare them).
 */
const GLOBALS_FILE = `${VIRTUAL_DIR}/globals.d.ts`;
const GLOBALS = `declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
`;

/** Whether a module file is type-checked: TypeScript sources (a .js file has no types to check). */
export function isTypeScriptFile(path: string): boolean {
  return /\.m?ts$/.test(path);
}

export class ModuleTypeChecker {
  private api: Api | null = null;
  /** The virtual tsconfig.json of each checked file (absolute path) and its text. */
  private readonly configs = new Map<string, string>();
  private readonly texts = new Map<string, string>([[GLOBALS_FILE, GLOBALS]]);

  constructor(private readonly loadTypeScript: () => TsApi = requireTypeScript) {}

  /**
   * The errors of module file `path` (as the user gave it), each as
   * `FILE:LINE:COL: error TSnnnn: message`, the source line and a caret
   * line; [] when it type-checks.
   */
  check(path: string): string[] {
    const file = resolve(path);
    const kdir = kernelTsDir();
    if (kdir === null) return [`${path}: cannot type-check module files: vmlab's kernel-ts/module/linux declarations are missing from this installation`];
    let api: Api;
    try {
      api = this.start();
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      return [`${path}: cannot type-check module files: TypeScript, the module type checker, cannot be loaded (${why}); run npm install in vmlab's folder`];
    }
    let config = this.configs.get(file);
    const known = config !== undefined;
    if (config === undefined) {
      config = `${VIRTUAL_DIR}/${this.configs.size}/tsconfig.json`;
      this.configs.set(file, config);
      this.texts.set(config, JSON.stringify({ compilerOptions: compilerOptions(kdir), files: [GLOBALS_FILE, file] }));
    }
    // The file may have changed since the last insmod: the snapshot rereads it.
    const snapshot = api.updateSnapshot({ openProjects: [config], ...(known ? { fileChanges: { changed: [file] } } : {}) });
    try {
      const program = snapshot.getProject(config)?.program;
      if (program === undefined) return [`${path}: cannot type-check: the compiler did not open the module's project`];
      const syntax = program.getSyntacticDiagnostics(file);
      const found = syntax.length > 0 ? syntax : program.getSemanticDiagnostics(file);
      return found.filter((d) => d.category === 1 /* Error */).flatMap((d) => formatDiagnostic(d, file, path));
    } finally {
      snapshot.dispose();
    }
  }

  /** The compiler process, started on first use. */
  private start(): Api {
    if (this.api !== null) return this.api;
    const { API } = this.loadTypeScript();
    const texts = this.texts;
    this.api = new API({
      fs: {
        readFile: (f) => texts.get(f),
        fileExists: (f) => (texts.has(f) ? true : f.startsWith(`${VIRTUAL_DIR}/`) ? false : undefined),
        directoryExists: (d) => (d === VIRTUAL_DIR || d.startsWith(`${VIRTUAL_DIR}/`) ? true : undefined),
      },
    });
    return this.api;
  }

  /** Stops the compiler process (a later check starts another). */
  close(): void {
    this.api?.close();
    this.api = null;
    this.configs.clear();
    for (const f of [...this.texts.keys()]) if (f !== GLOBALS_FILE) this.texts.delete(f);
  }
}

/** The options module files are checked with: strict, ES2022, the vmlab specifiers mapped to vmlab's sources. */
function compilerOptions(kdir: string): Record<string, unknown> {
  return {
    strict: true,
    target: 'es2022',
    module: 'preserve',
    moduleResolution: 'bundler',
    // Module code runs in the kernel: the language and vmlab/linux, no DOM and no Node.
    lib: ['es2022'],
    types: [],
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    allowImportingTsExtensions: true,
    paths: {
      'vmlab/linux': [join(kdir, 'module', 'linux', 'linux.d.ts')],
      'vmlab/module': [join(kdir, 'module', 'api.ts')],
      'vmlab/errno': [join(kdir, 'errno.ts')],
    },
  };
}

/** A diagnostic as a compiler prints it: location and message, the source line, a caret under the span. */
function formatDiagnostic(d: Diagnostic, file: string, given: string): string[] {
  const text = flatten(d);
  if (d.fileName === undefined) return [`${given}: error TS${d.code}: ${text}`];
  const shown = resolve(d.fileName) === file ? given : relative(process.cwd(), d.fileName);
  const src = readHostText(d.fileName, 'a module source');
  if (!src.ok) return [`${shown}: error TS${d.code}: ${text}`];
  const before = src.value.slice(0, d.pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  let lineEnd = src.value.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = src.value.length;
  const source = src.value.slice(lineStart, lineEnd).replace(/\r$/, '');
  const col = d.pos - lineStart;
  const span = Math.max(1, Math.min(d.end, lineStart + source.length) - d.pos);
  // Tabs stay tabs, so the caret lines up under the source as the terminal shows it.
  const pad = source.slice(0, col).replace(/[^\t]/g, ' ');
  return [`${shown}:${line}:${col + 1}: error TS${d.code}: ${text}`, source, `${pad}^${'~'.repeat(span - 1)}`];
}

/** The message and its chain (tsc's indented "Type X is not assignable..." lines) on one line each. */
function flatten(d: Diagnostic, depth = 0): string {
  let s = d.text;
  for (const c of d.messageChain ?? []) s += `\n${'  '.repeat(depth + 1)}${flatten(c, depth + 1)}`;
  return s;
}

let shared: ModuleTypeChecker | null = null;

/** The checker of this process (one compiler process serves every kernel in it). */
export function sharedTypeChecker(): ModuleTypeChecker {
  return (shared ??= new ModuleTypeChecker());
}
