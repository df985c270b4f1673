// A protocol fuzz of `vmlab dap` (issue 16): thousands of random, truncated
// and malformed messages from a seeded PRNG (bad and missing Content-Length,
// headers cut short, bodies that are not JSON or not requests, arguments of
// the wrong types, unknown commands, requests in any order), sent to
// adapters that launched a real program: runs, steps, reverse steps, pauses
// and REPL commands among them, on an assembly program that ends, one that
// never does, and a C program built with -g. The adapter must neither crash
// nor wedge: after every batch a well-formed request is answered; every
// request gets at most one response, and every well-framed one exactly one
// (requests that arrive while the program runs included); bad input is one
// `vmlab dap:` line on stderr or an error response without a stack; at the
// end disconnect ends it with 0.
//
// Launches of a real program used to wedge the adapter now and then: a
// configurationDone (or a REPL command) arriving during a run started a
// second run of the same engine, which a pause left running and a
// disconnect waited on for ever. Nothing here waits for time: the test waits
// for answers, so it passes however slowly the adapter runs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import type { DapMessage } from '../../support/dap-client';
import { prngU32 } from '../../support/prng';
import { FIXTURES } from '../debugger/run-debug';

const PF = join(FIXTURES, 'pf.s');
const COMMANDS = [
  'initialize', 'launch', 'setBreakpoints', 'setInstructionBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints',
  'configurationDone', 'threads', 'stackTrace', 'scopes', 'variables', 'evaluate', 'continue', 'next', 'stepIn', 'stepOut',
  'stepBack', 'reverseContinue', 'pause', 'readMemory', 'disassemble', 'source', 'restart', 'terminate', 'goto', 'frobnicate', '',
];
const EXPRESSIONS = ['p $a0', 'info registers', 'stepi', 'next', 'continue', 'reverse-stepi', 'bt', 'x/4gx $sp', 'info tlb', 'pt $pc', 'quit', '((', '$t0 + 1', 'buf', 'main',
  'p *(long *)0', 'head', 'head->next', 'table', 'ip', 'info locals'];
/** One adapter each: the program it launches (the fuzz's own launches name it too) and the PRNG's seed. */
const SESSIONS = [
  { program: 'pf.s', seed: 16 },
  { program: 'spin.s', seed: 17 },
  { program: 'bin/locals', seed: 18 },
  { program: 'pf.s', seed: 19 },
];
const BATCHES = 10;
const PER_BATCH = 60;

/** One message as the bytes sent, and its seq when it is a well-framed request (the adapter must answer it). */
interface Sent {
  text: string;
  framed: number | null;
}

function fuzzer(seed: number, program: string): () => Sent {
  const u = prngU32(seed);
  const below = (n: number): number => u() % n;
  const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
  const scalar = (): unknown => pick([0, 1, -1, 2, 3, 100, 2 ** 53, 1e300, 0.5, -7.25, '', 'x', '0x10020', '0x12000', 'main', PF, true, false, null, [], {}]);
  const value = (depth: number): unknown => {
    if (depth > 2 || below(3) > 0) return scalar();
    if (below(2) === 0) return Array.from({ length: below(4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: below(4) }, () => [pick(['line', 'path', 'name', 'x', 'offset']), value(depth + 1)]));
  };
  // Arguments of roughly the right shape, or of any shape.
  const args = (): unknown => {
    if (below(5) === 0) return value(0);
    const a: Record<string, unknown> = {};
    const keys: Record<string, () => unknown> = {
      program: () => pick([program, join(FIXTURES, 'no-such.s'), 5, '']),
      aslr: () => pick([false, true, 'no']),
      stopOnEntry: () => pick([true, false, 1]),
      paging: () => pick([4, 5, 6, '4']),
      memMiB: () => pick([64, 1, 1e9, -1, 'x']),
      record: () => pick([true, false]),
      args: () => pick([['a'], 'a', [1]]),
      insmod: () => pick([['nosuch'], 'x', []]),
      source: () => pick([{ path: PF }, { name: 'pf.s' }, { path: join(FIXTURES, 'locals.c') }, {}, 5, null]),
      breakpoints: () => pick([[{ line: 13 }], [{ line: 14 }, { line: 2 }], [{ line: 33 }], [{ line: 'x' }], 'all', [], [null], [{ line: 19, condition: '$a0 ==' }]]),
      instructionReference: () => pick(['0x10020', 'main', -1]),
      threadId: () => pick([1, 2, 'x']),
      frameId: () => pick([0, 1, 7, -1, 'x']),
      variablesReference: () => pick([1, 2, 3, 100, 101, 102, 0, -5, 'x']),
      expression: () => pick(EXPRESSIONS),
      context: () => pick(['repl', 'watch', 'hover', 5]),
      memoryReference: () => pick(['0x12000', '0x10020', '0x13000', '0x0', 'pc', 7, '0xffffffffffffffff']),
      count: () => pick([0, 8, 4096, 70000, -1, 'x', 1.5]),
      offset: () => pick([0, 4, -4, 1e20, 'x']),
      instructionOffset: () => pick([0, -2, 3, 1e9, 'x']),
      instructionCount: () => pick([1, 4, 0, 5000, -3, 'x']),
      granularity: () => pick(['instruction', 'line', 'statement', 3]),
      levels: () => pick([1, 20, -1]),
    };
    const names = Object.keys(keys);
    for (let i = below(6); i > 0; i--) {
      const k = pick(names);
      a[k] = keys[k]!();
    }
    return a;
  };
  let seq = 1_000_000;
  const request = (): Record<string, unknown> => ({ seq: seq++, type: 'request', command: pick(COMMANDS), ...(below(6) === 0 ? {} : { arguments: args() }) });
  const frame = (body: string, len = Buffer.byteLength(body)): string => `Content-Length: ${len}\r\n\r\n${body}`;
  const garbage = (): string => Array.from({ length: below(80) }, () => pick(['{', '}', '"', ':', ',', '\r', '\n', '\r\n\r\n', 'Content-Length: ', 'Content-Length', '9', 'x', ' ', '\u00e9', '\u0000'])).join('');
  /** One malformed or random message. */
  return (): Sent => {
    const req = request();
    const body = JSON.stringify(req);
    const text = (t: string): Sent => ({ text: t, framed: null });
    switch (below(12)) {
      case 0: case 1: case 2: case 3: return { text: frame(body), framed: req.seq as number }; // well-framed, random request
      case 4: return text(frame(body).slice(0, below(frame(body).length))); // truncated anywhere
      case 5: return text(frame(body, Buffer.byteLength(body) + 1 + below(40))); // Content-Length too large
      case 6: return text(frame(body, Math.max(0, Buffer.byteLength(body) - 1 - below(20)))); // too small
      case 7: return text(`Content-Length: ${pick(['-5', 'abc', '', '99999999999999999999', '1e3', String(2 ** 30)])}\r\n\r\n${body}`);
      case 8: return text(frame(garbage())); // not JSON
      case 9: return text(frame(JSON.stringify(pick([null, 5, 'request', [body], { type: 'event', seq: 1, event: 'x' }, { type: 'request', seq: 'a', command: 'threads' },
        { type: 'request', seq: 3.5, command: 'threads' }, { type: 'request', seq: 9, command: 7 },
        { type: 'response', seq: 4, request_seq: 1, command: 'runInTerminal', success: true }, { seq: 1 }]))));
      case 10: return text(garbage()); // no header at all
      default: return text(`${pick(['X-Other: 1\r\n', '', 'content-length: 3\r\n'])}${frame(body)}`);
    }
  };
}

describe('vmlab dap: protocol fuzz', () => {
  for (const { program, seed } of SESSIONS) {
    it(`${BATCHES * PER_BATCH} random and malformed messages to an adapter running ${program} (seed ${seed}): a well-formed request is answered after every batch, every request at most once, nothing crashes`, async () => {
      const next = fuzzer(seed, join(FIXTURES, program));
      const c = new DapClient(FIXTURES);
      expect((await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' })).success).toBe(true);
      expect((await c.request('launch', { program: join(FIXTURES, program), aslr: false, stopOnEntry: true })).success).toBe(true);
      expect((await c.request('configurationDone')).success).toBe(true);
      await c.nextEvent('stopped');
      const framed: number[] = [];
      for (let b = 0; b < BATCHES; b++) {
        for (let i = 0; i < PER_BATCH; i++) {
          const m = next();
          c.raw(m.text);
          if (m.framed !== null) framed.push(m.framed);
        }
        const r = await c.request('threads');
        expect(r.success, `the threads request after batch ${b}`).toBe(true);
        expect(r.body.threads.length, `the threads after batch ${b}`).toBeLessThanOrEqual(1);
      }
      // Whatever state the random requests left (the program running, stopped, or ended), the adapter answers and ends cleanly.
      expect((await c.request('evaluate', { expression: '$t0', context: 'watch' })).command).toBe('evaluate');
      expect((await c.request('disconnect')).success).toBe(true);
      expect(await c.exited).toBe(0);

      const lines = c.stderr.split('\n').filter((l) => l !== '');
      expect(lines.filter((l) => !l.startsWith('vmlab dap: ') || /internal error/.test(l))).toEqual([]);
      const failed = c.stray.filter((m: DapMessage) => m.success === false);
      expect(failed.filter((m) => /\n\s+at |internal error/.test(m.message ?? ''))).toEqual([]);
      // Exactly one response to each well-framed request (those a malformed message just before swallowed excepted: at most one).
      const answers = new Map<number, number>();
      for (const m of c.stray) answers.set(m.request_seq!, (answers.get(m.request_seq!) ?? 0) + 1);
      expect([...answers.values()].filter((n) => n !== 1)).toEqual([]);
      const unanswered = framed.filter((s) => !answers.has(s));
      expect(unanswered).toEqual([]);
      // The fuzz reached the adapter and the program: requests were answered and refused, the program ran.
      expect(lines.length).toBeGreaterThan(100);
      expect(failed.length).toBeGreaterThan(100);
      expect(c.stray.filter((m) => m.success).length).toBeGreaterThan(50);
      expect(c.stray.filter((m) => m.command === 'launch' && m.success === false).length).toBeGreaterThan(0);
      expect((c.eventCounts.get('stopped') ?? 0) + (c.eventCounts.get('exited') ?? 0)).toBeGreaterThan(1);
    }, 120_000);
  }
});
