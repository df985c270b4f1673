// `vmlab web`'s file lookup (emu/cli/web.ts siteFile): only regular files
// under the site, `/` is index.html, nothing above the site however spelled.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { siteFile } from '../../emu/cli/web';

describe('vmlab web: the files it serves', () => {
  const root = mkdtempSync(join(tmpdir(), 'vmlab-site-'));
  const site = join(root, 'dist');
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html>');
  writeFileSync(join(site, 'worker.js'), '');
  writeFileSync(join(root, 'secret.txt'), 'no');

  it('serves the site\'s files, / as index.html, with query strings ignored', () => {
    expect(siteFile(site, '/')).toBe(join(site, 'index.html'));
    expect(siteFile(site, '/worker.js?v=1')).toBe(join(site, 'worker.js'));
  });

  it('refuses paths above the site, directories and bad escapes', () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/../../secret.txt', '/sub', '/nothing.js', '/%E0%A4%A']) expect(siteFile(site, p), p).toBeNull();
  });
});
