// The arrows of vmlab's layering (README "The house", /work/shared/STYLE.md,
// issue 13), as rules over the import graph (import-graph.ts):
//   emu/machine imports nothing outside itself;
//   asm reads emu/machine/isa (and host/ to read its source files);
//   kernel-ts stands on emu/machine (and host/ for host files);
//   the kernel core imports no driver; a driver imports only vmlab/linux and its own directory;
//   nothing imports a front end (emu/cli, emu/debugger) but a front end.
import { isPackage, under } from './import-graph';
import type { Rule } from './import-graph';

// web/ is the browser lab: its worker and page (and web/host/, the browser twins of the host seam, scripts/build-web.mjs).
const FRONT_ENDS = ['emu/cli', 'emu/debugger', 'web'];
const isFrontEnd = (f: string): boolean => FRONT_ENDS.some((d) => under(f, d));
const isNodeBuiltin = (to: string): boolean => to.startsWith('node:');

/** The compilers the module loader drives (module/compile.ts, module/typecheck.ts). */
const MODULE_COMPILERS = new Set(['esbuild', 'typescript/unstable/sync']);

export const RULES: readonly Rule[] = [
  {
    name: 'emu/machine imports nothing outside itself',
    from: (f) => under(f, 'emu/machine'),
    allowed: (to) => under(to, 'emu/machine'),
  },
  {
    name: 'asm imports only asm, emu/machine/isa and host',
    from: (f) => under(f, 'asm'),
    allowed: (to) => under(to, 'asm') || under(to, 'emu/machine/isa') || under(to, 'host') || isNodeBuiltin(to) || to === 'moo',
  },
  {
    name: 'kernel-ts imports only kernel-ts, emu/machine and host',
    from: (f) => under(f, 'kernel-ts'),
    allowed: (to, from) =>
      under(to, 'kernel-ts') || under(to, 'emu/machine') || under(to, 'host') || isNodeBuiltin(to) || to === 'vmlab/linux' ||
      (MODULE_COMPILERS.has(to) && (from === 'kernel-ts/module/compile.ts' || from === 'kernel-ts/module/typecheck.ts')),
  },
  {
    name: 'the kernel core imports no driver',
    from: (f) => under(f, 'kernel-ts') && !under(f, 'kernel-ts/drivers'),
    allowed: (to) => !under(to, 'kernel-ts/drivers'),
  },
  {
    name: "drivers import only 'vmlab/linux' and their own directory",
    from: (f) => under(f, 'kernel-ts/drivers'),
    allowed: (to) => to === 'vmlab/linux' || under(to, 'kernel-ts/drivers'),
  },
  {
    name: 'host imports only Node',
    from: (f) => under(f, 'host'),
    allowed: (to) => isNodeBuiltin(to),
  },
  {
    name: 'nothing imports a front end but a front end',
    from: (f) => !isFrontEnd(f),
    allowed: (to) => isPackage(to) || !isFrontEnd(to),
  },
];

/** The directories of the product whose imports are checked (tests may import anything). */
export const SOURCE_DIRS = ['emu', 'asm', 'kernel-ts', 'host', 'scripts', 'web'];
