// Peer tools (GNU binutils for riscv64, qemu-riscv64, the Debian cross
// compiler, gdb-multiarch) form their own test tier. Without them the tier is skipped and
// the run ends with a loud notice (see tests/support/peer-report.ts); with
// VMLAB_REQUIRE_PEERS=1 a missing tool fails the run instead.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export const PEER_TOOLS = {
  as: 'riscv64-linux-gnu-as',
  ld: 'riscv64-linux-gnu-ld',
  objdump: 'riscv64-linux-gnu-objdump',
  readelf: 'riscv64-linux-gnu-readelf',
  qemu: 'qemu-riscv64',
  gcc: 'riscv64-linux-gnu-gcc',
  /** gdb for any architecture: the real client of vmlab's gdb stub (emu/debugger/gdb). */
  gdb: 'gdb-multiarch',
  /** glibc for riscv64 (Debian's libc6-dev-riscv64-cross): the oracle for the guest libc. */
  glibc: 'riscv64-linux-gnu glibc headers',
} as const;
export type PeerTool = keyof typeof PEER_TOOLS;

export const PEER_APT_LINE =
  'sudo apt-get install -y binutils-riscv64-linux-gnu qemu-user gcc-riscv64-linux-gnu libc6-dev-riscv64-cross gdb-multiarch';

const SKIP_DIR = join(process.cwd(), 'node_modules', '.vmlab-peer-skips');

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Does the cross compiler find glibc's riscv64 headers (not the host's)? */
function hasCrossGlibc(): boolean {
  if (!which(PEER_TOOLS.gcc)) return false;
  try {
    execFileSync(PEER_TOOLS.gcc, ['-fsyntax-only', '-x', 'c', '-'], { input: '#include <stdio.h>\n', stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

export function peerAvailable(tool: PeerTool): boolean {
  return tool === 'glibc' ? hasCrossGlibc() : which(PEER_TOOLS[tool]);
}

export const peersRequired = (): boolean => process.env.VMLAB_REQUIRE_PEERS === '1';

/**
 * describe() for a peer tier: runs when every tool is installed; otherwise
 * fails (VMLAB_REQUIRE_PEERS=1) or is skipped and recorded for the final notice.
 */
export function describePeer(tier: string, tools: PeerTool[], fn: () => void): void {
  const missing = tools.filter((t) => !peerAvailable(t)).map((t) => PEER_TOOLS[t]);
  if (missing.length === 0) {
    describe(`peer: ${tier}`, fn);
    return;
  }
  if (peersRequired()) {
    describe(`peer: ${tier}`, () => {
      it('has its peer tools installed', () => {
        throw new Error(`VMLAB_REQUIRE_PEERS=1 but missing: ${missing.join(', ')}. Install: ${PEER_APT_LINE}`);
      });
    });
    return;
  }
  mkdirSync(SKIP_DIR, { recursive: true });
  writeFileSync(join(SKIP_DIR, tier.replace(/[^\w.-]+/g, '_')), `${tier}\t${missing.join(', ')}\n`);
  describe.skip(`peer: ${tier} (missing ${missing.join(', ')})`, fn);
}

