// `vmlab dap`: the Debug Adapter Protocol server on stdin/stdout, for VS Code
// and other DAP clients (dap-session.ts). The program and the kernel's
// options come with the client's launch request, not on the command line.
import type { CommandModule } from 'yargs';
import { VmlabDebugSession } from './dap-session';

export const dapCommand: CommandModule = {
  command: 'dap',
  describe: 'Serve the Debug Adapter Protocol on stdin/stdout (VS Code): launch, breakpoints, stepping, stepBack, registers',
  handler: () => {
    // Guest output and messages travel as the protocol's output events: nothing else may write to stdout.
    const session = new VmlabDebugSession();
    // The SDK reports a message it cannot parse as an 'error' event (unheard, an EventEmitter throws): one line on stderr, then on.
    session.on('error', (e: { body?: unknown }) => process.stderr.write(`vmlab dap: ${String(e.body ?? 'bad message')}\n`));
    session.start(process.stdin, process.stdout);
  },
};
