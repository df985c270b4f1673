// The ELFs the repository carries (guest-programs/prebuilt.json: the lab
// programs and the C library's test programs) are what `vmlab cc` makes of
// their sources today, byte for byte: each is rebuilt as the manifest says,
// in the vmlab tree, and compared. A failure means a source, a header, the
// runtime library or vmlab cc's flags changed without `node
// scripts/prebuilt.mjs` (or that the cross compiler is not the version the
// manifest names).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { describePeer } from '../support/peers';

interface Prebuilt {
  out: string;
  sources: string[];
  flags: string[];
}
const ROOT = process.cwd();
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'guest-programs', 'prebuilt.json'), 'utf8')) as { programs: Prebuilt[] };

describePeer('prebuilt ELFs rebuild byte for byte', ['gcc', 'as'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-prebuilt-'));
  for (const [i, p] of MANIFEST.programs.entries()) {
    it(`${p.out} = vmlab cc ${[...p.sources, ...p.flags].join(' ')}`, () => {
      const out = join(dir, `${i}`);
      const r = vmlab(['cc', ...p.sources, ...p.flags, '-o', out], { cwd: ROOT });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rebuilt = readFileSync(out);
      const committed = readFileSync(join(ROOT, p.out));
      expect(rebuilt.length).toBe(committed.length);
      expect(Buffer.compare(rebuilt, committed)).toBe(0);
    });
  }
});
