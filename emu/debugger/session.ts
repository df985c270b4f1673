// The REPL's session: the run-control engine (engine.ts) with the few
// things only the prompt and its commands use. Every run-control decision
// is the engine's; this file keeps the REPL's names for them.
import { syscallName } from '../../kernel-ts/syscalls/numbers';
import { Engine } from './engine';
import { isCallAt } from './engine-goals';

export type { FaultRecord, Pause, SessionMark, StopEvent, Visits } from './engine-types';
export { FLOW_CALL, FLOW_RET } from './engine-types';

/** Instructions the engine runs per millisecond of `yieldMs` (a rough rate of the stepping path). */
const INSNS_PER_MS = 20_000;

export class Session extends Engine {
  /** The syscall name for a number (`write`), or its number. */
  static syscallName(nr: number): string {
    return syscallName(nr);
  }

  /**
   * The prompt's spelling of the slice length: milliseconds of guest time
   * between two looks at the event loop, as instructions (the engine slices
   * by instruction count, never by time); 0 looks at every chance.
   */
  get yieldMs(): number {
    return this.sliceInsns <= 1 ? 0 : Math.round(this.sliceInsns / INSNS_PER_MS);
  }

  set yieldMs(ms: number) {
    this.sliceInsns = ms <= 0 ? 1 : Math.round(ms * INSNS_PER_MS);
  }

  /** The instruction at pc calls (jal/jalr writing ra): next and finish step over it. */
  isCallAt(pc: number): boolean {
    return isCallAt(this, pc);
  }
}
