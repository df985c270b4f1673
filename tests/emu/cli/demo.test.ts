// `vmlab demo` (npm start) is deterministic: its whole transcript is golden.
// Regenerate with: npm run build && node dist/vmlab.mjs demo > tests/emu/cli/golden/demo.txt
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';

describe('vmlab demo', () => {
  it('prints the golden transcript and exits 0', () => {
    const r = vmlab(['demo']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(__dirname, 'golden', 'demo.txt'), 'utf8'));
  });

  it('shows the program output, the exit status and the protection fault a write to .rodata raises', () => {
    const out = vmlab(['demo']).stdout;
    expect(out).toContain('  | hello, vmlab\n  exit status 7 after 97 instructions\n');
    expect(out).toContain('PTE at 0x103080: present, RW=0, write by CPL3 -> protection fault, error 0x7 (P|W|U)');
  });
});
