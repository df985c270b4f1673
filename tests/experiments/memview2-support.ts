// Reading a `vmlab shell` transcript: the commands and their output, a
// memview2 report, and the masking of what legitimately varies (addresses,
// times, host paths) for golden copies.

/** The transcript cut at the prompts: each command line and what it printed. */
export function commands(transcript: string): { cmd: string; out: string }[] {
  const parts = transcript.split(/^vmlab# (.*)\n/m);
  const out: { cmd: string; out: string }[] = [];
  for (let i = 1; i < parts.length; i += 2) out.push({ cmd: parts[i]!, out: parts[i + 1] ?? '' });
  return out;
}

/** One memview2 report: label -> [virt, phys] (phys 0 for UNKNOWN). */
export function report(out: string): Map<string, [bigint, bigint]> {
  const m = new Map<string, [bigint, bigint]>();
  for (const l of out.split('\n')) {
    const r = /^(\S+):\s+(0x[0-9a-f]{16}) -> (0x[0-9a-f]{16}|UNKNOWN)$/.exec(l);
    if (r) m.set(r[1]!, [BigInt(r[2]!), r[3] === 'UNKNOWN' ? 0n : BigInt(r[3]!)]);
  }
  return m;
}

/** Addresses, times and host file names masked; the rest verbatim. */
export function mask(transcript: string): string {
  return transcript
    .replace(/file:\/\/\S+/g, '<anonymous>')
    .replace(/\[\s*\d+\.\d{6}\]/g, '[    T]')
    .replace(/\d+\.\d{6}: /g, 'T: ')
    .replace(/0x[0-9a-f]+/g, (h) => (h.length >= 6 ? `0x${'X'.repeat(Math.max(0, h.length - 2))}` : h));
}
