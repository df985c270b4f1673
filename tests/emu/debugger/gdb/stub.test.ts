// `vmlab debug --gdb 0` end to end: a scripted RSP client over TCP (the
// handshake with acks, no-ack mode, Ctrl-C, monitor, detach, kill, a lost
// connection), and the exit status vmlab leaves.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RspClient, hexText } from './rsp-client';
import { startStub } from './stub-process';
import { vmlab } from '../../../support/cli';
import { FIXTURES } from '../run-debug';
import { SLICE_INSNS } from '../../../../emu/debugger/engine';

describe('vmlab debug --gdb (scripted client over TCP)', () => {
  it('acks until QStartNoAckMode; Ctrl-C stops a running continue with SIGINT; k kills the program (status 137)', async () => {
    const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', 'spin.s']);
    const c = await RspClient.connect(stub.port);
    expect(await c.request('qSupported:swbreak+;hwbreak+')).toContain('QStartNoAckMode+');
    expect(c.acks).toBe(1);
    expect(await c.request('QStartNoAckMode')).toBe('OK');
    expect(c.acks).toBe(2);
    c.ack = false;
    expect(await c.request('?')).toBe('T05thread:1;');
    expect(c.acks).toBe(2);
    // spin.s counts in a0 forever: only Ctrl-C ends the continue.
    c.send('vCont;c');
    c.raw('\x03');
    expect(await c.reply()).toEqual({ payload: 'T02thread:1;', console: '' });
    const a0 = await c.request('pa');
    expect(a0).not.toBe('0000000000000000');
    // Stopped, the program stays where it is: a second look gives the same a0.
    expect(await c.request('pa')).toBe(a0);
    c.send('k');
    await c.waitClosed();
    const r = await stub.done;
    expect(r.status).toBe(137);
    expect(r.stderr).toContain('vmlab: gdb killed the program\n');
  });

  it('a bad checksum is nacked and the stub resends its last packet on a nack', async () => {
    const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', 'spin.s']);
    const c = await RspClient.connect(stub.port);
    c.raw('$?#00');
    c.raw('$qC#b4');
    expect(await c.next()).toBe('QC1');
    expect(c.nacks).toBe(1);
    c.raw('-');
    expect(await c.next()).toBe('QC1');
    c.send('k');
    expect((await stub.done).status).toBe(137);
  });

  it('monitor prints what the REPL prints; after detach the program runs to its end (its status)', async () => {
    const repl = vmlab(['debug', '--no-aslr', '--batch', '--ex', 'pt 0x10000', '--ex', 'info maps', 'bin/gdbdemo'], { cwd: FIXTURES });
    const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', 'bin/gdbdemo']);
    const c = await RspClient.connect(stub.port);
    const pt = await c.requestFull(`qRcmd,${hexText('pt 0x10000')}`);
    const maps = await c.requestFull(`qRcmd,${hexText('info maps')}`);
    expect([pt.payload, maps.payload]).toEqual(['OK', 'OK']);
    expect(pt.console + maps.console).toBe(repl.stdout);
    // A second gdb is turned away while the first is connected.
    const other = await RspClient.connect(stub.port).catch(() => null);
    if (other !== null) await other.waitClosed();
    expect(await c.request('D')).toBe('OK');
    await c.waitClosed();
    const r = await stub.done;
    expect(r.stdout).toBe('sum=38 total=38\n');
    expect(r.status).toBe(0);
  });

  it('a connection lost while the program runs: the program is stopped and killed, vmlab exits', async () => {
    const stub = await startStub(['debug', '--no-aslr', '--gdb', '0', 'spin.s']);
    const c = await RspClient.connect(stub.port);
    expect(await c.request('QStartNoAckMode')).toBe('OK');
    c.ack = false;
    c.send('c');
    c.close();
    const r = await stub.done;
    expect(r.status).toBe(137);
    expect(r.stderr).toContain('vmlab: gdb connection closed: the program is killed\n');
  });

  it('vmlab run --gdb: the program runs under gdb; its exit is a W packet and vmlab\'s status', async () => {
    const stub = await startStub(['run', '--no-aslr', '--gdb', '0', 'bin/gdbdemo']);
    const c = await RspClient.connect(stub.port);
    expect(await c.request('c')).toBe('W00');
    expect(await c.request('?')).toBe('W00');
    c.close(); // as gdb does after the W packet
    const r = await stub.done;
    expect(r.stdout).toBe('sum=38 total=38\n');
    expect(r.status).toBe(0);
  });

  it('vmlab run --gdb, recording, fast loop, tier 1: Ctrl-C stops a guest spinning in an endless loop at a look at the event loop (every 2^20 instructions), pc in the loop', async () => {
    // Recording (the stub's default) runs the stepping path; without it the fast loop runs, compiled by tier 1 with --jit on.
    for (const [jit, record] of [['off', true], ['off', false], ['on', false]] as const) {
      const stub = await startStub(['run', '--no-aslr', '--jit', jit, '--gdb', '0', 'spin.s']);
      const c = await RspClient.connect(stub.port);
      expect(await c.request('?')).toBe('T05thread:1;');
      if (!record) expect(await c.request(`qRcmd,${hexText('record stop')}`)).toBe('OK');
      c.send('c');
      c.raw('\x03');
      expect(await c.reply()).toEqual({ payload: 'T02thread:1;', console: '' });
      // Counted in instructions, never in time: the run stopped exactly where it looked at the event loop, however fast it ran.
      const proc = (await c.requestFull(`qRcmd,${hexText('info proc')}`)).console;
      const insns = Number(/instructions retired: \d+ by this process, (\d+) by the machine/.exec(proc)![1]);
      expect(insns, `jit ${jit}, record ${record}: ${proc}`).toBeGreaterThan(0);
      expect(insns % SLICE_INSNS, `jit ${jit}, record ${record}: ${insns} instructions`).toBe(0);
      expect((await c.requestFull(`qRcmd,${hexText('x/i $pc')}`)).console).toMatch(/^=> VA 0x1000([48]) <main\+0x\1>:\t/);
      c.send('k');
      expect((await stub.done).status).toBe(137);
    }
  });

  it('a port already in use is a one-line error', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    const r = vmlab(['debug', '--gdb', String(port), 'spin.s'], { cwd: FIXTURES });
    busy.close();
    expect(r.stderr).toBe(`vmlab: --gdb: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
    expect(r.status).toBe(1);
  });

  it('a bad --gdb value is a usage error', () => {
    const r = vmlab(['debug', '--gdb', '70000', 'spin.s'], { cwd: FIXTURES });
    expect(r.stderr).toBe("vmlab: --gdb: '70000' is not a TCP port from 0 to 65535 (0: any free one)\n");
    expect(r.status).toBe(2);
    const r2 = vmlab(['run', '--gdb', '1234', '--stats', 'spin.s'], { cwd: FIXTURES });
    expect(r2.stderr).toBe('vmlab: run: --stats does not go with --gdb\n');
    expect(r2.status).toBe(2);
  });
});
