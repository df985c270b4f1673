// The stub never crashes or wedges on bad input: thousands of random,
// malformed, truncated and corrupted RSP packets (seeded, so a failure can be
// replayed from its seed and packet number) over TCP to an in-process stub on
// gdbdemo; each real packet must be answered, and `?` still is at the end of
// every round. Resumes are followed by Ctrl-C, so a program that random
// register writes sent into a loop stops too.
import { describe, expect, it } from 'vitest';
import { bootDebugger } from '../../../support/debugger';
import { prngU32 } from '../../../support/prng';
import { SessionTarget } from '../../../../emu/debugger/gdb/target';
import { serve } from '../../../../emu/debugger/gdb/server';
import type { Outcome } from '../../../../emu/debugger/gdb/server';
import { checksum, frame } from '../../../../emu/debugger/gdb/packet';
import { RspClient, hexText } from './rsp-client';

const SEED = 0x5eed;
const ROUNDS = 12;
const PACKETS_PER_ROUND = 250;

const MONITOR = ['info tlb', 'info maps', 'pt 0x10000', 'pt 0', 'x/4x $sp', 'info registers', 'dmesg', 'info faults', 'catch pagefault', 'catch syscall write', 'delete', 'record stop', 'record', 'info record', 'print $pc', 'nonsense', '', 'break *0', 'watch *(long*)0x17a70', 'run', 'record goto 0'];
const HEADS = ['g', 'G', 'p', 'P', 'm', 'M', 'X', 'Z', 'z', 's', 'S', 'c', 'C', 'vCont', 'vCont?', 'bs', 'bc', '?', 'qSupported', 'qXfer:features:read:target.xml:', 'qRcmd,', 'qC', 'qfThreadInfo', 'qsThreadInfo', 'qAttached', 'H', 'T', 'Q', 'q', 'v', 'b', 'x', ''];

function generator(seed: number) {
  const next = prngU32(seed);
  const int = (n: number): number => next() % n;
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const hexDigits = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const addr = (): string => pick([hexDigits(1 + int(16)), '10000', '101ec', '17a70', '7fffffffee20', '0', 'ffffffffffffffff', hexDigits(1 + int(4)), 'zz', '']);
  const bytes = (n: number, noFrame: boolean): string =>
    Array.from({ length: n }, () => {
      const c = int(256);
      // Outside a packet, `-` asks for the last reply again: not noise, so left out with the framing bytes.
      return noFrame && (c === 0x24 || c === 0x23 || c === 0x03 || c === 0x2d) ? 'a' : String.fromCharCode(c);
    }).join('');
  /** A payload: mostly commands with random (often wrong) arguments, sometimes noise. */
  const payload = (): string => {
    const h = pick(HEADS);
    switch (h) {
      case 'G': return `G${hexDigits(pick([0, 16, 33 * 16, 33 * 16 - 1, 33 * 16 + 2, int(600)]))}`;
      case 'p': return `p${pick([hexDigits(1 + int(3)), '20', '21', 'a', ''])}`;
      case 'P': return `P${pick(['20', 'a', '2', hexDigits(2), ''])}=${hexDigits(pick([16, 8, 0, int(20)]))}`;
      case 'm': return `m${addr()},${pick([hexDigits(1 + int(4)), '4', '0', '10000', ''])}`;
      case 'M': { const n = int(9); return `M${addr()},${n.toString(16)}:${hexDigits(2 * pick([n, n + 1, int(9)]))}`; }
      case 'X': { const n = int(9); return `X${addr()},${n.toString(16)}:${bytes(pick([n, int(9)]), true)}`; }
      case 'Z': case 'z': return `${h}${int(10)},${addr()},${pick(['4', '8', '1', '0', hexDigits(1 + int(5))])}`;
      case 'S': case 'C': return `${h}${hexDigits(int(3))}${pick(['', `;${addr()}`])}`;
      case 'vCont': return `vCont${pick([';c', ';s', ';s:1;c', ';c:2', ';t', ';', '', `;${bytes(int(6), true)}`, ';S05', ';C0b:1'])}`;
      case 'qXfer:features:read:target.xml:': return `${h}${addr()},${hexDigits(1 + int(4))}`;
      case 'qRcmd,': return `qRcmd,${pick([hexText(pick(MONITOR)), hexDigits(int(12)), 'zz'])}`;
      case 'H': return `H${pick(['g', 'c', 'x', ''])}${pick(['0', '-1', '1', hexDigits(int(4))])}`;
      case 'T': return `T${hexDigits(int(3))}`;
      case 'Q': case 'q': case 'v': case 'b': case 'x': return `${h}${bytes(int(12), true)}`;
      case '': return bytes(int(24), true);
      default: return h;
    }
  };
  return { int, pick, payload, bytes };
}

/** The session ends by design on k, D and vKill: the fuzzer leaves those to the end of a round. */
const ends = (p: string): boolean => /^(k|D|vKill)/.test(p);
const resumes = (p: string): boolean => /^([cCsS]|vCont;|b[sc])/.test(p);

describe('gdb stub fuzz', () => {
  it(`${ROUNDS * PACKETS_PER_ROUND} random, truncated and corrupted packets: every real packet is answered, ? answers at the end`, async () => {
    const g = generator(SEED);
    let answered = 0, truncated = 0, corrupted = 0, interrupts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const d = bootDebugger('bin/gdbdemo').d;
      const target = await SessionTarget.attach(d);
      let port = 0;
      let outcome: Promise<Outcome> = Promise.resolve('disconnect');
      await new Promise<void>((r) => {
        outcome = serve(target, { port: 0, listening: (p) => { port = p; r(); } });
      });
      const c = await RspClient.connect(port);
      for (let i = 0; i < PACKETS_PER_ROUND; i++) {
        const where = `seed ${SEED} round ${round} packet ${i}`;
        const roll = g.int(10);
        if (roll === 0) c.raw(g.bytes(g.int(20), true)); // noise between packets
        if (roll === 1) {
          const f = frame(g.payload().replace(/[$#]/g, ''));
          c.raw(f.slice(0, 1 + g.int(f.length - 3))); // cut before the '#': dropped at the next '$'
          truncated++;
        }
        if (roll === 2) {
          const body = g.payload().replace(/[$#]/g, '');
          const wrong = ((checksum(body) + 1 + g.int(255)) & 0xff).toString(16).padStart(2, '0');
          c.raw(`$${body}#${g.pick([wrong, 'zz', 'g1'])}`);
          corrupted++;
        }
        let p = g.payload().replace(/[$#]/g, '');
        if (ends(p)) p = '?';
        c.send(p);
        if (resumes(p)) {
          c.raw('\x03');
          interrupts++;
        }
        const r = await c.reply();
        expect(r, `${where}: no reply to ${JSON.stringify(p)}`).not.toBeNull();
        answered++;
      }
      const last = await c.request('?');
      expect(last, `seed ${SEED} round ${round}: ? after the fuzz`).toMatch(/^(T[0-9a-f]{2}thread:1;|W[0-9a-f]{2}|X[0-9a-f]{2})/);
      c.send('k');
      await c.waitClosed();
      expect(await outcome).toBe('kill');
    }
    expect(answered).toBe(ROUNDS * PACKETS_PER_ROUND);
    expect(truncated + corrupted + interrupts).toBeGreaterThan(ROUNDS * PACKETS_PER_ROUND / 10);
  }, 600_000);
});
