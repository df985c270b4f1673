// docs/debugger.md "From VS Code": the DAP session the document shows is
// replayed against `vmlab dap` and must be what the adapter answers. Each
// request is a `->` line, each response and event a `<-` line, in the order
// they arrive; absolute paths are written relative to the fixtures folder,
// and the output events (the debug console's text) are left out.
import { describe, expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import type { DapMessage } from '../../support/dap-client';
import { docBlock } from '../../support/doc-blocks';
import { FIXTURES } from '../debugger/run-debug';

const STEPS: [string, unknown, string[]][] = [
  ['initialize', { adapterID: 'vmlab', pathFormat: 'path' }, []],
  ['launch', { program: 'bin/locals', aslr: false }, ['initialized']],
  ['setBreakpoints', { source: { path: 'locals.c' }, breakpoints: [{ line: 33 }] }, []],
  ['configurationDone', {}, ['stopped']],
  ['stackTrace', { threadId: 1 }, []],
  ['scopes', { frameId: 0 }, []],
  ['variables', { variablesReference: 101 }, []],
  ['evaluate', { expression: 'head->at', context: 'watch', frameId: 0 }, []],
  ['scopes', { frameId: 1 }, []],
  ['variables', { variablesReference: 104 }, []],
  ['readMemory', { memoryReference: '0x17b88', count: 8 }, []],
  ['disassemble', { memoryReference: '0x10244', instructionCount: 2 }, []],
  ['next', { threadId: 1 }, ['stopped']],
  ['stepBack', { threadId: 1 }, ['stopped']],
  ['evaluate', { expression: 'info locals', context: 'repl' }, []],
  ['continue', { threadId: 1 }, ['exited', 'terminated']],
  ['disconnect', {}, []],
];

async function transcript(): Promise<string> {
  const c = new DapClient(FIXTURES);
  const out: string[] = [];
  const show = (m: DapMessage): string => {
    const text = m.type === 'event' ? `<- event ${m.event} ${JSON.stringify(m.body ?? {})}`
      : `<- ${m.command} ${m.success ? JSON.stringify(m.body ?? {}) : `error: ${m.message}`}`;
    return text.split(`${FIXTURES}/`).join('');
  };
  for (const [command, args, events] of STEPS) {
    out.push(`-> ${command} ${JSON.stringify(args)}`);
    out.push(show(await c.request(command, args)));
    for (const e of events) out.push(show((await c.nextEvent(e)).event));
  }
  expect(await c.exited).toBe(0);
  return `${out.join('\n')}\n`;
}

describe('docs/debugger.md: From VS Code', () => {
  it('the DAP transcript is what vmlab dap answers', async () => {
    const t = await transcript();
    expect(t).toBe(docBlock('docs/debugger.md', 'dap-transcript'));
  });
});
