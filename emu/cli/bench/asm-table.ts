// The tables of the assembly benchmarks of `vmlab bench`: the machine
// programs (bare machine, CPL 3) and the kernel programs (processes). Under
// one tier, one row per program; under several (--jit both), one column
// group per tier side by side, as the C programs' table (c-table.ts) does,
// with what every tier shares (instructions, events, result) once.
import type { BenchResult, KernelBenchResult, TlbReport } from '../bench';
import { render, shortTier } from './c-table';
import type { Group } from './c-table';
import { TIER_TITLES } from './programs';
import type { Tier } from './programs';

const pct = (r: TlbReport): string => (r.lookups === 0 ? '-' : `${(100 * r.hitRate).toFixed(2)}%`);

/** Plain rows: the first and last columns left-aligned, the rest right-aligned. */
function plain(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The results of `tier`, in program order. */
function ofTier<R extends { tier: Tier }>(results: readonly R[], tier: Tier): R[] {
  return results.filter((r) => r.tier === tier);
}

/** The machine programs' table; `results` holds one run per program and tier, in program order. */
export function machineTable(results: readonly BenchResult[], tlb: string, tiers: readonly Tier[]): string {
  const title = `vmlab bench (TLB: ${tlb}; 4-level paging, 4K pages, CPL 3)`;
  if (tiers.length === 1) {
    const head = ['program', 'instructions', 'seconds', 'MIPS', 'ITLB hit', 'I walks', 'DTLB hit', 'D walks', 'result'];
    const rows = results.map((r) => [
      r.program, String(r.instructions), r.seconds.toFixed(3), r.mips.toFixed(1),
      pct(r.itlb), String(r.itlb.walks), pct(r.dtlb), String(r.dtlb.walks), r.result,
    ]);
    return [title, ...plain(head, rows)].join('\n') + '\n';
  }
  const first = ofTier(results, tiers[0]!);
  const groups: Group[] = [
    {
      title: 'machine programs',
      columns: [
        { head: 'program', left: true, cells: first.map((r) => r.program) },
        { head: 'instructions', cells: first.map((r) => String(r.instructions)) },
      ],
    },
    ...tiers.map((t): Group => {
      const runs = ofTier(results, t);
      return {
        title: TIER_TITLES[t],
        columns: [
          { head: 'seconds', cells: runs.map((r) => r.seconds.toFixed(3)) },
          { head: 'MIPS', cells: runs.map((r) => r.mips.toFixed(1)) },
        ],
      };
    }),
    {
      title: `TLB (${shortTier(tiers[0]!)})`,
      columns: [
        { head: 'ITLB hit', cells: first.map((r) => pct(r.itlb)) },
        { head: 'I walks', cells: first.map((r) => String(r.itlb.walks)) },
        { head: 'DTLB hit', cells: first.map((r) => pct(r.dtlb)) },
        { head: 'D walks', cells: first.map((r) => String(r.dtlb.walks)) },
        { head: 'result', left: true, cells: first.map((r) => r.result) },
      ],
    },
  ];
  return [title, ...render(groups, first.length)].join('\n') + '\n';
}

const apartCell = (r: KernelBenchResult): string =>
  r.apart === undefined ? '' : `${r.apart.seconds.toFixed(3)} s in ${r.apart.syscall}; ${Math.round(r.apart.eventsPerSecondWithout)} ${r.unit}/s without it`;

/** The kernel programs' table; `results` holds one run per program and tier, in program order. */
export function kernelTable(results: readonly KernelBenchResult[], tiers: readonly Tier[]): string {
  const title = 'vmlab kernel bench (processes on the kernel; no ASLR)';
  if (tiers.length === 1) {
    const head = ['program', 'events', 'seconds', 'per second', 'instructions', 'MIPS', 'leaked frames', 'apart'];
    const rows = results.map((r) => [
      r.program, `${r.events} ${r.unit}`, r.seconds.toFixed(3), `${Math.round(r.eventsPerSecond)} ${r.unit}/s`,
      String(r.instructions), r.mips.toFixed(1), String(r.leakedFrames), apartCell(r),
    ]);
    return [title, ...plain(head, rows)].join('\n') + '\n';
  }
  const first = ofTier(results, tiers[0]!);
  const groups: Group[] = [
    {
      title: 'kernel programs',
      columns: [
        { head: 'program', left: true, cells: first.map((r) => r.program) },
        { head: 'events', cells: first.map((r) => `${r.events} ${r.unit}`) },
        { head: 'instructions', cells: first.map((r) => String(r.instructions)) },
      ],
    },
    ...tiers.map((t): Group => {
      const runs = ofTier(results, t);
      return {
        title: TIER_TITLES[t],
        columns: [
          { head: 'seconds', cells: runs.map((r) => r.seconds.toFixed(3)) },
          { head: 'per second', cells: runs.map((r) => `${Math.round(r.eventsPerSecond)} ${r.unit}/s`) },
          { head: 'MIPS', cells: runs.map((r) => r.mips.toFixed(1)) },
          { head: 'leaked frames', cells: runs.map((r) => String(r.leakedFrames)) },
          { head: 'apart', left: true, cells: runs.map(apartCell) },
        ],
      };
    }),
  ];
  return [title, ...render(groups, first.length)].join('\n') + '\n';
}
