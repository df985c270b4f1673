// Rebuilds the ELFs listed in guest-programs/prebuilt.json with `vmlab cc`
// (run from the vmlab tree, as the peer test does): node scripts/prebuilt.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { programs } = JSON.parse(readFileSync(join(root, 'guest-programs', 'prebuilt.json'), 'utf8'));
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
for (const p of programs) {
  execFileSync(process.execPath, [join(root, 'dist', 'vmlab.mjs'), 'cc', ...p.sources, ...p.flags, '-o', p.out], { cwd: root, stdio: 'inherit' });
  process.stdout.write(`${p.out}\n`);
}
