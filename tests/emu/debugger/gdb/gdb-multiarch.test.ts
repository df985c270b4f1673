// The real client: gdb-multiarch in batch mode against `vmlab debug --gdb 0`
// on gdbdemo.c (built with vmlab cc -g; the ELF is committed), running
// fixtures/gdbdemo.gdb: break main, continue, info locals, print of a struct,
// x/4gx $sp, stepi, watch, reverse-stepi, monitor pt, monitor info maps,
// detach. gdb's own output (stdout and stderr, in order) is compared with a
// golden file; nothing needs normalising (gdb does not print the port in
// batch mode). docs/debugger.md's "From gdb" section shows the same script
// and output, checked here too.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PEER_TOOLS, describePeer } from '../../../support/peers';
import { docBlock } from '../../../support/doc-blocks';
import { FIXTURES } from '../run-debug';
import { startStub } from './stub-process';

const GOLDEN = join(process.cwd(), 'tests', 'emu', 'debugger', 'golden', 'gdbdemo.gdb.golden.txt');
const SCRIPT = join(FIXTURES, 'gdbdemo.gdb');

/** Runs gdb-multiarch in batch mode against the stub on `port`; its stdout and stderr interleaved as printed. */
function gdbBatch(port: number, script: string, prog: string): Promise<{ status: number; output: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'vmlab-gdb-')), 'out.txt');
  const fd = openSync(file, 'w');
  const args = ['-batch', '-nx', '-ex', 'set architecture riscv:rv64', '-ex', `target remote :${port}`, '-x', script, prog];
  const child = spawn(PEER_TOOLS.gdb, args, { cwd: FIXTURES, stdio: ['ignore', fd, fd], env: { ...process.env, DEBUGINFOD_URLS: '', LC_ALL: 'C' } });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      closeSync(fd);
      resolve({ status: code ?? -1, output: readFileSync(file, 'utf8') });
    });
  });
}

describePeer('gdb-multiarch', ['gdb'], () => {
  it('debugs gdbdemo.c through the stub: locals, a struct, memory, stepi, a watchpoint, reverse-stepi, monitor, detach (golden)', async () => {
    const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', 'bin/gdbdemo']);
    const gdb = await gdbBatch(stub.port, SCRIPT, 'bin/gdbdemo');
    const vm = await stub.done;
    expect(gdb.output).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(gdb.status).toBe(0);
    // After detach the program runs to its end on its own.
    expect(vm.stdout).toBe('sum=38 total=38\n');
    expect(vm.status).toBe(0);
  }, 120_000);

  it("docs/debugger.md's From gdb section shows this script and this output", () => {
    expect(docBlock('docs/debugger.md', 'gdb-script')).toBe(readFileSync(SCRIPT, 'utf8'));
    expect(docBlock('docs/debugger.md', 'gdb-output')).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
