// Running the GNU peers on files in a scratch directory, for the ELF, DWARF
// and disassembler peer tiers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_TOOLS, type PeerTool } from '../support/peers';

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(tool: PeerTool, args: string[], cwd?: string): ToolResult {
  const r = spawnSync(PEER_TOOLS[tool], args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a tool that must succeed silently (no stderr) and returns its stdout. */
export function runClean(tool: PeerTool, args: string[], cwd?: string): string {
  const r = run(tool, args, cwd);
  if (r.status !== 0 || r.stderr !== '') throw new Error(`${PEER_TOOLS[tool]} ${args.join(' ')}: status ${r.status}\n${r.stderr}`);
  return r.stdout;
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'vmlab-peer-'));
}

export function put(dir: string, name: string, data: Uint8Array | string, mode?: number): string {
  const path = join(dir, name);
  writeFileSync(path, data, mode === undefined ? undefined : { mode });
  return path;
}

/** readelf --debug-dump=decodedline rows as [basename, line ('-' at a sequence end), address]. */
export function readelfDecodedLines(path: string): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const line of runClean('readelf', ['--debug-dump=decodedline', '-W', path]).split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(\s|$)/.exec(line);
    if (m) out.push([m[1]!, m[2]!, parseInt(m[3]!, 16)]);
  }
  return out;
}
