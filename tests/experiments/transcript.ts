// Reading a `vmlab shell SCRIPT` transcript in the experiment tests.

/** The transcript cut at each echoed command: the command and what it printed. */
export function commands(stdout: string): { cmd: string; out: string }[] {
  const out: { cmd: string; out: string }[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('vmlab# ')) out.push({ cmd: line.slice(7), out: '' });
    else if (out.length > 0 && !line.startsWith('# ')) out.at(-1)!.out += `${line}\n`;
  }
  return out;
}
