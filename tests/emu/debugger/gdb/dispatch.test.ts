// The stub's commands against the real session (in-process, no TCP): the
// dispatcher over target.ts on the debugger of gdbdemo.c (built with -g).
import { beforeEach, describe, expect, it } from 'vitest';
import { bootDebugger, fingerprint } from '../../../support/debugger';
import { RspDispatcher } from '../../../../emu/debugger/gdb/dispatch';
import type { Reply } from '../../../../emu/debugger/gdb/dispatch';
import { SessionTarget } from '../../../../emu/debugger/gdb/target';
import { targetXml } from '../../../../emu/debugger/gdb/target-xml';
import { hexToReg, hexToText, regToHex, textToHex } from '../../../../emu/debugger/gdb/packet';
import type { Debugger } from '../../../../emu/debugger/commands';

let d: Debugger;
let rsp: RspDispatcher;

/** The reply's last packet (the answer) and its console output (O packets before it). */
async function ask(p: string): Promise<{ answer: string; console: string; reply: Reply }> {
  const reply = await rsp.handle(p);
  const out = reply.packets.slice(0, -1).map((o) => hexToText(o.slice(1))).join('');
  return { answer: reply.packets[reply.packets.length - 1] ?? '', console: out, reply };
}
const answer = async (p: string): Promise<string> => (await ask(p)).answer;
const hex = (n: number): string => n.toString(16);
const sym = (name: string): number => d.s.syms.lookup(name)!;

beforeEach(async () => {
  d = bootDebugger('bin/gdbdemo').d;
  rsp = new RspDispatcher(await SessionTarget.attach(d));
});

describe('gdb stub: queries', () => {
  it('announces its features and gives the riscv target description in chunks', async () => {
    expect(await answer('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386')).toBe(
      'PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;QStartNoAckMode+;vContSupported+',
    );
    expect((await rsp.handle('QStartNoAckMode')).after).toBe('no-ack');
    let xml = '';
    for (;;) {
      const r = await answer(`qXfer:features:read:target.xml:${hex(xml.length)},80`);
      xml += r.slice(1);
      if (r[0] === 'l') break;
      expect(r[0]).toBe('m');
    }
    expect(xml).toBe(targetXml());
    expect(xml).toContain('<feature name="org.gnu.gdb.riscv.cpu">');
    expect(xml).toContain('<reg name="zero" bitsize="64" type="int" regnum="0"/>');
    expect(xml).toContain('<reg name="fp" bitsize="64" type="data_ptr"/>');
    expect(xml).toContain('<reg name="pc" bitsize="64" type="code_ptr"/>');
    expect(await answer('qXfer:features:read:other.xml:0,80')).toBe('E00');
    expect(await answer(`qXfer:features:read:target.xml:${hex(xml.length + 1)},80`)).toBe('E16');
  });

  it('answers the thread and attach queries for the one process (pid 1)', async () => {
    expect(await answer('qAttached')).toBe('1');
    expect(await answer('qC')).toBe('QC1');
    expect(await answer('qfThreadInfo')).toBe('m1');
    expect(await answer('qsThreadInfo')).toBe('l');
    expect(await answer('Hg0')).toBe('OK');
    expect(await answer('Hc-1')).toBe('OK');
    expect(await answer('T1')).toBe('OK');
    expect(await answer('T2')).toBe('E16');
    expect(await answer('?')).toBe('T05thread:1;');
    expect(await answer('vCont?')).toBe('vCont;c;C;s;S');
    expect(await answer('vMustReplyEmpty')).toBe('');
    expect(await answer('qTStatus')).toBe('');
  });
});

describe('gdb stub: registers and memory', () => {
  it('g gives x0..x31 and pc, p one of them; G and P write them', async () => {
    const g = await answer('g');
    expect(g.length).toBe(33 * 16);
    expect(hexToReg(g.slice(32 * 16))).toBe(BigInt(d.s.pc));
    expect(hexToReg(g.slice(2 * 16, 3 * 16))).toBe(d.s.reg(2));
    expect(await answer('p20')).toBe(regToHex(BigInt(d.s.pc)));
    expect(await answer('Pa=2a00000000000000')).toBe('OK');
    expect(d.s.reg(10)).toBe(42n);
    expect(await answer('P0=2a00000000000000')).toBe('OK');
    expect(d.s.reg(0)).toBe(0n);
    const g2 = `${g.slice(0, 11 * 16)}0700000000000000${g.slice(12 * 16)}`;
    expect(await answer(`G${g2}`)).toBe('OK');
    expect(d.s.reg(11)).toBe(7n);
    expect(await answer('p21')).toBe('E16');
  });

  it('m reads through the MMU without side effects; unmapped memory is E14', async () => {
    const pc = d.s.pc;
    const before = fingerprint(d.s.k);
    // The entry's page has not been touched yet: it reads as the file's bytes (as ptrace would), not faulted in.
    expect(typeof d.s.readVirt(pc, 4)).toBe('string');
    const word = await answer(`m${hex(pc)},4`);
    expect(word).toMatch(/^[0-9a-f]{8}$/);
    // Across a page boundary: the two halves; past the end of the stack: nothing.
    expect(await answer('m10ffc,8')).toBe(`${await answer('m10ffc,4')}${await answer('m11000,4')}`);
    expect(await answer('m7fffffffeffc,8')).toBe('E14');
    expect(await answer('m7fffffffeffc,4')).toMatch(/^[0-9a-f]{8}$/);
    expect(await answer('m0,4')).toBe('E14');
    expect(await answer('m7fff00000000,8')).toBe('E14');
    expect(await answer('mffffffffffffff00,8')).toBe('E14');
    expect(fingerprint(d.s.k)).toBe(before);
    await answer('s');
    expect(regToHex(d.s.readVirt(pc, 4) as bigint).slice(0, 8)).toBe(word);
  });

  it('M and X write memory (X with escaped binary); a write to unmapped memory is E14', async () => {
    const sp = Number(d.s.reg(2));
    expect(await answer(`M${hex(sp - 8)},4:01020304`)).toBe('OK');
    expect(d.s.readVirt(sp - 8, 4)).toBe(0x04030201n);
    expect(await answer(`X${hex(sp - 8)},4:}\x03}\x04}]}\x0a`)).toBe('OK');
    expect(d.s.readVirt(sp - 8, 4)).toBe(0x2a7d2423n);
    expect(await answer(`X${hex(sp - 8)},0:`)).toBe('OK');
    expect(await answer('M0,1:00')).toBe('E14');
  });
});

describe('gdb stub: run control', () => {
  it('Z0 and c stop at the breakpoint (swbreak); s and vCont;s step one instruction; bs steps back', async () => {
    expect(await answer(`Z0,${hex(sym('main'))},4`)).toBe('OK');
    expect(await answer('vCont;c')).toBe('T05thread:1;swbreak:;');
    expect(d.s.pc).toBe(sym('main'));
    expect(await answer(`z0,${hex(sym('main'))},4`)).toBe('OK');
    expect(await answer('s')).toBe('T05thread:1;');
    expect(d.s.pc).toBe(sym('main') + 4);
    expect(await answer('vCont;s:1;c')).toBe('T05thread:1;');
    expect(d.s.pc).toBe(sym('main') + 8);
    expect(await answer('bs')).toBe('T05thread:1;');
    expect(d.s.pc).toBe(sym('main') + 4);
    expect(await answer(`Z1,${hex(sym('scale'))},4`)).toBe('OK');
    expect(await answer('c')).toBe('T05thread:1;hwbreak:;');
    expect(d.s.pc).toBe(sym('scale'));
    // Back to the start of the history: the breakpoint at scale is behind us, main's is gone.
    expect(await answer('bc')).toBe('T05thread:1;replaylog:begin;');
  });

  it('a write watchpoint stops before the store that changes the value (gdb steps over it)', async () => {
    const total = sym('total');
    expect(await answer(`Z2,${hex(total)},8`)).toBe('OK');
    expect(await answer('c')).toBe(`T05thread:1;watch:${hex(total)};`);
    expect(d.s.readVirt(total, 8)).toBe(0n);
    expect(await answer(`z2,${hex(total)},8`)).toBe('OK');
    expect(await answer('s')).toBe('T05thread:1;');
    expect(d.s.readVirt(total, 8)).toBe(7n); // 3*1 + 4
    expect(await answer(`Z4,${hex(total)},8`)).toBe('OK');
    expect(await answer('c')).toMatch(new RegExp(`^T05thread:1;awatch:${hex(total)};$`));
  });

  it('a read watchpoint (Z3) is an rwatch stop; reverse-continue finds the last breakpoint stop (swbreak)', async () => {
    const total = sym('total');
    expect(await answer(`Z3,${hex(total)},8`)).toBe('OK');
    // `total += r` loads total first: the stop is before that load.
    expect(await answer('c')).toBe(`T05thread:1;rwatch:${hex(total)};`);
    expect(await answer(`z3,${hex(total)},8`)).toBe('OK');
    expect(await answer(`Z0,${hex(sym('scale'))},4`)).toBe('OK');
    expect(await answer('c')).toBe('T05thread:1;swbreak:;');
    expect(d.s.reg(11)).toBe(2n); // scale(&pt, 2): the first call was before the watchpoint stop
    expect(await answer('c')).toBe('T05thread:1;swbreak:;');
    expect(d.s.reg(11)).toBe(3n);
    expect(await answer('bc')).toBe('T05thread:1;swbreak:;');
    expect(d.s.pc).toBe(sym('scale'));
    expect(d.s.reg(11)).toBe(2n);
  });

  it('reverse execution without a recording is refused with an error and a reason on the console', async () => {
    expect(await d.execute('record stop')).toBe('Process record is stopped and all execution logs are deleted.');
    const r = await ask('bs');
    expect(r.answer).toBe('E16');
    expect(r.console).toBe('vmlab: no reverse execution: The program is not being recorded (monitor record starts it).\n');
  });

  it('monitor runs the REPL command and prints what the REPL prints; run control stays gdb\'s', async () => {
    const r = await ask(`qRcmd,${textToHex('info maps')}`);
    expect(r.answer).toBe('OK');
    expect(r.console).toBe(`${await d.execute('info maps')}\n`);
    const pt = await ask(`qRcmd,${textToHex(`pt 0x${hex(d.s.pc)}`)}`);
    expect(pt.console).toBe(`${await d.execute(`pt 0x${hex(d.s.pc)}`)}\n`);
    expect((await ask(`qRcmd,${textToHex('continue')}`)).console).toBe("monitor continue: run control is gdb's (use its own command: continue, stepi, reverse-stepi...)\n");
    expect((await ask(`qRcmd,${textToHex('quit')}`)).console).toContain('monitor quit');
    expect(d.s.exited).toBeNull();
    expect(await answer('qRcmd,zz')).toBe('E01');
  });

  it('a caught page fault stops with SIGSEGV and the REPL\'s explanation on the console', async () => {
    expect((await ask(`qRcmd,${textToHex('catch pagefault w,!p')}`)).console).toBe('Catchpoint 1 (pagefault w,!p)\n');
    const r = await ask('c');
    expect(r.answer).toBe('T0bthread:1;');
    expect(r.console).toMatch(/^kernel: #PF at VA 0x[0-9a-f]+ \(error 0x14 not-present fetch user\) handled: file-read/);
    expect(r.console).toContain('Catchpoint 1 (pagefault w,!p), page fault at VA ');
    expect(r.console).toContain('error = 0x6 (not-present write user)');
    expect(r.console.endsWith('(continue or stepi: the kernel handles the fault, then the instruction runs again)\n')).toBe(true);
    // C with the signal: the kernel handles the fault (the signal is not passed); the program runs to its end.
    expect(await answer(`qRcmd,${textToHex('delete')}`)).toBe('OK');
    expect(await answer('C0b')).toBe('W00');
    expect(await answer('?')).toBe('W00');
    expect(await answer('g')).toBe('E16');
    expect(await answer('c')).toBe('W00');
    expect(await answer('qfThreadInfo')).toBe('l');
  });
});

describe('gdb stub: the end of the program', () => {
  it('a program killed by a signal is an X packet with gdb\'s signal number', async () => {
    const segv = bootDebugger('segv.s').d;
    const r = new RspDispatcher(await SessionTarget.attach(segv));
    expect((await r.handle('c')).packets).toEqual(['X0b']);
    expect((await r.handle('?')).packets).toEqual(['X0b']);
    expect((await r.handle('s')).packets).toEqual(['X0b']);
  });
});

describe('gdb stub: bad packets', () => {
  it('answers malformed packets with E01 and unknown ones with an empty reply', async () => {
    const cases: [string, string][] = [
      ['', ''], ['m', 'E01'], ['mzz,4', 'E01'], ['m10000', 'E01'], ['M10000,2:0', 'E01'], ['M10000,2', 'E01'],
      ['X10000,2:a', 'E01'], ['p', 'E01'], ['pzz', 'E01'], ['P1', 'E01'], ['P1=12', 'E01'], ['G00', 'E01'],
      ['Z9,0,0', ''], ['Z0,zz,4', 'E01'], ['Z0', 'E01'], ['z2,1000,0', 'OK'], ['Z2,1000,0', 'E16'], ['cxyz', 'E01'], ['C', 'E01'],
      ['vCont;q', 'E01'], ['vCont;', 'E01'], ['vCont;c:2', 'E01'], ['Hq', 'E01'], ['b', ''], ['bx', ''], ['J', ''], ['qXfer:features:read:target.xml', 'E01'],
      ['QNonStop:1', ''], ['\x00\xff', ''],
    ];
    for (const [p, want] of cases) expect([p, await answer(p)]).toEqual([p, want]);
    expect(d.s.exited).toBeNull();
    expect(await answer('?')).toBe('T05thread:1;');
  });
});
