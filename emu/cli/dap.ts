// `vmlab dap`: the Debug Adapter Protocol server on stdin/stdout, for VS Code
// and other DAP clients (dap-session.ts). The program and the kernel's
// options come with the client's launch request, not on the command line.
// stdin is read by dap-framing.ts (a bad message is one line on stderr and
// the next one is found), not by the SDK's reader, which ends the session
// at the first message it cannot parse.
import { PassThrough } from 'node:stream';
import type { CommandModule } from 'yargs';
import { VmlabDebugSession } from './dap-session';
import { DapFramer } from './dap-framing';

export const dapCommand: CommandModule = {
  command: 'dap',
  describe: 'Serve the Debug Adapter Protocol on stdin/stdout (VS Code): launch, breakpoints, stepping, stepBack, registers, C locals, memory, disassembly',
  handler: () => {
    // Guest output and messages travel as the protocol's output events: nothing else may write to stdout.
    const session = new VmlabDebugSession();
    const complain = (why: string): void => void process.stderr.write(`vmlab dap: ${why}\n`);
    // The SDK's 'error' events (an output stream's) end the session, as it would: said on stderr first.
    session.on('error', (e: { body?: unknown }) => complain(String(e.body ?? 'error')));
    // The SDK writes to stdout; it reads nothing (an input it is given and never sees a byte on).
    session.start(new PassThrough(), process.stdout);
    const framer = new DapFramer((m) => session.handleMessage(m), complain);
    process.stdin.on('data', (chunk: Buffer) => framer.feed(chunk));
    process.stdin.on('end', () => session.shutdown());
  },
};
