// emu/cli/run.ts in the browser build (scripts/build-web.mjs substitutes this
// file for it): what the shell takes from it. The shipped programs are
// installed at boot (shell-programs.ts here); there are no host files to load.
import { UserError } from '../../emu/cli/errors';

/** Where the program came from and what the guest is given (emu/cli/run.ts). */
export interface LoadedProgram {
  name: string;
  elf: Uint8Array;
  args: string[];
}

/** No host programs in the browser: only /bin's (the shell checks hostFileExists first, so this is a guard). */
export function loadProgram(prog: string, _rest: string[], _stderr: (s: string) => void): LoadedProgram {
  throw new UserError(`${prog}: no such file (the browser build runs the programs in /bin)`);
}

/** The guest's environment (emu/cli/run.ts's, with the page's terminal). */
export function guestEnvironment(): string[] {
  return ['PATH=/bin', 'HOME=/', 'TERM=xterm-256color'];
}
