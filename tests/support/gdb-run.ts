// gdb-multiarch as the oracle for the REPL's C-level output: it runs a
// script in batch mode against `vmlab debug --gdb 0` on the same ELF
// (vmlab's gdb stub), so both read the same program in the same machine.
// The peer tier compares what it prints with the gdb golden files.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_TOOLS } from './peers';
import { startStub } from '../emu/debugger/gdb/stub-process';

/** gdb-multiarch's output (stdout and stderr, in order) for `script` on `elf` (both relative to cwd), through vmlab's stub. */
export async function gdbRun(elf: string, script: string, cwd = process.cwd()): Promise<string> {
  const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', elf], cwd);
  const file = join(mkdtempSync(join(tmpdir(), 'vmlab-gdb-')), 'out.txt');
  const fd = openSync(file, 'w');
  const args = ['-batch', '-nx', '-ex', 'set architecture riscv:rv64', '-ex', `target remote :${stub.port}`, '-x', script, elf];
  const child = spawn(PEER_TOOLS.gdb, args, { cwd, stdio: ['ignore', fd, fd], env: { ...process.env, DEBUGINFOD_URLS: '', LC_ALL: 'C' } });
  await new Promise((resolve) => child.on('close', resolve));
  closeSync(fd);
  await stub.done;
  return readFileSync(file, 'utf8');
}
