// The C programs' table of `vmlab bench`: one row per program, one column
// group per execution tier (wall and CPU seconds, MIPS, the host's peak RSS
// against the guest's touched memory), then qemu-riscv64's group when
// compared (its seconds and the ratio vmlab/qemu per tier), and the
// geometric means of those ratios. Pure formatting (and the ratios): the
// numbers come in a CBenchReport.
import { TIER_TITLES, rssTarget } from './programs';
import type { Tier, TierRun } from './programs';
import { QEMU, geometricMean } from './qemu';
import type { QemuRun } from './qemu';

const MiB = 1024 * 1024;

export interface CBenchResult {
  program: string;
  description: string;
  /** The guest's arguments (after argv[0]), the same for every tier and qemu. */
  argv: string[];
  /** What the program printed: the same under every tier (and qemu), checked. */
  output: string;
  /** Instructions retired: the same under every tier, checked. */
  instructions: number;
  tiers: TierRun[];
  qemu: QemuRun | null;
}

export interface CBenchReport {
  tiers: Tier[];
  /** 'compared': qemu ran every program; 'not installed': --compare qemu asked, no qemu-riscv64; 'off': not asked. */
  qemu: 'compared' | 'not installed' | 'off';
  results: CBenchResult[];
  /** Per tier, the geometric mean of the time ratios vmlab/qemu (timeRatio) over the programs (when compared). */
  geomean: Partial<Record<Tier, number>>;
}

/** The resolution of qemu's CPU time (one USER_HZ tick): a run too short to be seen counts as that long. */
const QEMU_CPU_RESOLUTION = 0.01;

/**
 * vmlab's time over qemu's for one program: of CPU time (what a machine
 * shared with other work inflates least), or of wall-clock time where
 * qemu's CPU time is not known.
 */
export function timeRatio(run: TierRun, q: QemuRun): number {
  return q.cpuSeconds === null ? run.seconds / q.seconds : run.cpuSeconds / Math.max(q.cpuSeconds, QEMU_CPU_RESOLUTION);
}

/** Per tier, the geometric mean of the time ratios vmlab/qemu over the results (those qemu ran). */
export function geomeans(tiers: readonly Tier[], results: readonly CBenchResult[]): Partial<Record<Tier, number>> {
  const out: Partial<Record<Tier, number>> = {};
  const compared = results.filter((r) => r.qemu !== null);
  if (compared.length === 0) return out;
  for (const t of tiers) out[t] = geometricMean(compared.map((r) => timeRatio(tierRun(r, t), r.qemu!)));
  return out;
}

function tierRun(r: CBenchResult, t: Tier): TierRun {
  const run = r.tiers.find((x) => x.tier === t);
  if (!run) throw new Error(`bench table: ${r.program} has no ${t} run`);
  return run;
}

/** A tier's title without its note: 'tier 0'. */
export const shortTier = (t: Tier): string => TIER_TITLES[t].replace(/ \(.*\)$/, '');
/** A size in MiB with one decimal, or in KiB below 1 MiB (a small program's touched memory). */
const size = (bytes: number): string => (bytes < MiB ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / MiB).toFixed(1)} MiB`);

export interface Column {
  head: string;
  /** Left-aligned (names) or right-aligned (numbers). */
  left?: boolean;
  cells: string[];
}
export interface Group {
  title: string;
  columns: Column[];
}

/** Groups side by side, ' | ' between them, a title line over each group's columns (the assembly programs' tables use it too, asm-table.ts). */
export function render(groups: Group[], rows: number): string[] {
  const widthOf = (c: Column): number => Math.max(c.head.length, ...c.cells.map((s) => s.length));
  const cell = (c: Column, s: string): string => (c.left ? s.padEnd(widthOf(c)) : s.padStart(widthOf(c)));
  const groupLine = (g: Group, pick: (c: Column) => string): string => g.columns.map((c) => cell(c, pick(c))).join('  ');
  const groupWidth = (g: Group): number => groupLine(g, (c) => c.head).length;
  const lines: string[] = [];
  const widths = groups.map((g) => Math.max(groupWidth(g), g.title.length));
  const join = (parts: string[]): string => parts.map((p, i) => p.padEnd(widths[i]!)).join(' | ').trimEnd();
  lines.push(join(groups.map((g) => g.title)));
  lines.push(join(groups.map((g) => groupLine(g, (c) => c.head))));
  for (let i = 0; i < rows; i++) lines.push(join(groups.map((g) => groupLine(g, (c) => c.cells[i]!))));
  return lines;
}

/**
 * Tier 1's compile cost and how its regions ran, per program (issue 15: "compile time reported:
 * ms per region, regions compiled, bytes of wasm"); none when no run has tier 1's counts.
 */
export function jitTable(rs: readonly CBenchResult[]): string[] {
  const runs = rs.flatMap((r) => r.tiers.filter((t) => t.jit !== undefined).map((t) => ({ program: r.program, j: t.jit! })));
  if (runs.length === 0) return [];
  const per = (a: number, b: number, digits: number): string => (b === 0 ? '-' : (a / b).toFixed(digits));
  const group: Group = {
    title: 'tier 1: compiled code of the timed run',
    columns: [
      { head: 'program', left: true, cells: runs.map((x) => x.program) },
      { head: 'regions', cells: runs.map((x) => String(x.j.regions)) },
      { head: 'compile ms', cells: runs.map((x) => x.j.compileMs.toFixed(1)) },
      { head: 'ms/region', cells: runs.map((x) => per(x.j.compileMs, x.j.regions, 2)) },
      { head: 'wasm KiB', cells: runs.map((x) => (x.j.wasmBytes / 1024).toFixed(1)) },
      { head: 'insns/region', cells: runs.map((x) => per(x.j.regionInsns, x.j.regions, 0)) },
      { head: 'dropped', cells: runs.map((x) => String(x.j.invalidated + x.j.freed)) },
      { head: 'calls', cells: runs.map((x) => String(x.j.regionRuns)) },
      { head: 'chained', cells: runs.map((x) => String(x.j.chains)) },
      { head: 'insns/call', cells: runs.map((x) => per(x.j.regionRetired, x.j.regionRuns, 0)) },
      { head: 'in regions', cells: rs.flatMap((r) => r.tiers.filter((t) => t.jit !== undefined).map((t) => `${((100 * t.jit!.regionRetired) / r.instructions).toFixed(1)}%`)) },
      { head: 'misses', cells: runs.map((x) => String(x.j.loadMisses + x.j.storeMisses)) },
    ],
  };
  return [
    ...render([group], runs.length),
    'calls: region calls from the run loop; chained: exits that entered the next page\'s region directly;',
    'misses: loads and stores left to the interpreter (micro-cache misses, faults, crossings); dropped: regions invalidated or freed',
  ];
}

/** The table, with its title line, notes and the geometric means under it. */
export function cTable(report: CBenchReport): string {
  const rs = report.results;
  const groups: Group[] = [
    {
      title: 'C programs, processes on the kernel',
      columns: [
        { head: 'program', left: true, cells: rs.map((r) => r.program) },
        { head: 'argv', left: true, cells: rs.map((r) => r.argv.join(' ')) },
        { head: 'instructions', cells: rs.map((r) => String(r.instructions)) },
      ],
    },
  ];
  for (const t of report.tiers) {
    const runs = rs.map((r) => tierRun(r, t));
    groups.push({
      title: TIER_TITLES[t],
      columns: [
        { head: 'seconds', cells: runs.map((x) => x.seconds.toFixed(3)) },
        { head: 'CPU s', cells: runs.map((x) => x.cpuSeconds.toFixed(3)) },
        { head: 'MIPS', cells: runs.map((x) => x.mips.toFixed(1)) },
        { head: 'peak RSS', cells: runs.map((x) => (x.peakRssBytes === null ? '-' : size(x.peakRssBytes))) },
        { head: 'touched', cells: runs.map((x) => size(x.touchedBytes)) },
        {
          head: 'RSS target',
          left: true,
          cells: runs.map((x) => (x.peakRssBytes === null ? '-' : x.peakRssBytes <= rssTarget(x.touchedBytes) ? 'met' : 'missed')),
        },
      ],
    });
  }
  if (report.qemu === 'compared') {
    groups.push({
      title: QEMU,
      columns: [
        { head: 'seconds', cells: rs.map((r) => r.qemu!.seconds.toFixed(3)) },
        { head: 'CPU s', cells: rs.map((r) => (r.qemu!.cpuSeconds === null ? '-' : r.qemu!.cpuSeconds.toFixed(2))) },
        ...report.tiers.map((t) => ({ head: `${shortTier(t)}/qemu`, cells: rs.map((r) => timeRatio(tierRun(r, t), r.qemu!).toFixed(2)) })),
      ],
    });
  }
  const lines = [
    'vmlab bench: C programs (guest-programs/bench/bin, vmlab cc -O2), each run in a host process of its own; no ASLR',
    ...render(groups, rs.length),
  ];
  if (report.qemu === 'compared') {
    const means = report.tiers.map((t) => `${shortTier(t)} ${report.geomean[t]!.toFixed(2)}`);
    const of = rs.every((r) => r.qemu!.cpuSeconds !== null) ? 'CPU time' : 'time';
    lines.push(`geometric mean of the ${of} ratio vmlab/qemu over the ${rs.length} programs: ${means.join(', ')}`);
  } else if (report.qemu === 'not installed') {
    lines.push(`--compare qemu: skipped, ${QEMU} is not installed (on Debian/Ubuntu: sudo apt-get install -y qemu-user)`);
  }
  const jit = jitTable(rs);
  if (jit.length > 0) lines.push('', ...jit);
  lines.push('MIPS: millions of instructions per CPU second; CPU s: user + system time of the run, every thread');
  lines.push('RSS target (issue 15): peak RSS <= 1.2 x touched + 100 MiB; touched is the guest process\'s peak resident set (VmHWM)');
  return lines.join('\n') + '\n';
}
