// vitest globalSetup: clears the record of skipped peer tiers before the run
// and, after it, says loudly which tiers were skipped and how to install them.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const SKIP_DIR = join(process.cwd(), 'node_modules', '.vmlab-peer-skips');
const APT = 'sudo apt-get install -y binutils-riscv64-linux-gnu qemu-user gcc-riscv64-linux-gnu libc6-dev-riscv64-cross';

export function setup(): void {
  rmSync(SKIP_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  if (!existsSync(SKIP_DIR)) return;
  const rows = readdirSync(SKIP_DIR).map((f) => readFileSync(join(SKIP_DIR, f), 'utf8').trim());
  if (rows.length === 0) return;
  const bar = '!'.repeat(78);
  const lines = [
    '',
    bar,
    '!! PEER TESTS SKIPPED: these tiers did not run, their tools are not installed:',
    ...rows.map((r) => `!!   ${r.replace('\t', '  (missing: ')})`),
    `!! Install them with:  ${APT}`,
    '!! (set VMLAB_REQUIRE_PEERS=1 to make a missing peer a failure)',
    bar,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}
