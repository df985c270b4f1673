// The page's terminal: xterm.js with a line discipline in front of the shell
// (the worker takes whole command lines, as `vmlab shell` reads them):
// printable keys are echoed and edited here, Enter sends the line, Up/Down
// walk the history, Ctrl-C interrupts the running command (or drops the line).
import { Terminal } from '@xterm/xterm';

/** The prompt (emu/cli/shell-session.ts PROMPT). */
export const PROMPT = 'vmlab# ';

export interface LineTerminalEvents {
  line(text: string): void;
  interrupt(): void;
}

export class LineTerminal {
  readonly term: Terminal;
  private line = '';
  private cursor = 0;
  private readonly history: string[] = [];
  private historyAt = 0;
  /** Whether the prompt is up (no command runs). */
  private reading = false;

  constructor(el: HTMLElement, private readonly events: LineTerminalEvents) {
    this.term = new Terminal({
      convertEol: true,
      cursorBlink: true,
      fontSize: 13,
      scrollback: 5000,
      screenReaderMode: false,
      theme: { background: '#000000' },
    });
    this.term.open(el);
    this.fit(el);
    new ResizeObserver(() => this.fit(el)).observe(el);
    this.term.onData((d) => this.input(d));
  }

  /** Rows and columns that fill `el` (the fit addon's arithmetic, from the rendered cell size). */
  private fit(el: HTMLElement): void {
    const cell = el.querySelector('.xterm-rows > div') as HTMLElement | null;
    const h = cell?.getBoundingClientRect().height || 17;
    const probe = el.querySelector('.xterm-char-measure-element') as HTMLElement | null;
    const w = probe && probe.getBoundingClientRect().width > 0 ? probe.getBoundingClientRect().width / Math.max(1, probe.textContent?.length ?? 1) : 7.8;
    const cols = Math.max(40, Math.floor((el.clientWidth - 16) / w));
    const rows = Math.max(10, Math.floor((el.clientHeight - 8) / h));
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  write(text: string): void {
    this.term.write(text);
  }

  /** Shows the prompt and reads the next line. */
  prompt(): void {
    this.reading = true;
    this.line = '';
    this.cursor = 0;
    this.term.write(PROMPT);
  }

  /** Types `text` and Enter, as a user would (the guided buttons, the tests). */
  submit(text: string): void {
    if (!this.reading) return;
    this.replaceLine(text);
    this.input('\r');
  }

  private replaceLine(text: string): void {
    // Back to the start of the line, clear it, write the new one.
    this.term.write('\b'.repeat(this.cursor) + '\x1b[K' + text);
    this.line = text;
    this.cursor = text.length;
  }

  private input(d: string): void {
    if (d === '\x03') {
      if (this.reading) {
        this.term.write('^C\r\n');
        this.prompt();
      } else this.events.interrupt();
      return;
    }
    if (!this.reading) return;
    if (d === '\r') {
      const text = this.line;
      this.term.write('\r\n');
      this.reading = false;
      if (text.trim() !== '') this.history.push(text);
      this.historyAt = this.history.length;
      this.events.line(text);
      return;
    }
    if (d === '\x7f' || d === '\b') {
      if (this.cursor === 0) return;
      this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
      this.cursor--;
      this.term.write('\b' + this.line.slice(this.cursor) + ' ' + '\b'.repeat(this.line.length - this.cursor + 1));
      return;
    }
    if (d === '\x1b[A' || d === '\x1b[B') {
      if (this.history.length === 0) return;
      this.historyAt = Math.max(0, Math.min(this.history.length, this.historyAt + (d === '\x1b[A' ? -1 : 1)));
      this.replaceLine(this.history[this.historyAt] ?? '');
      return;
    }
    if (d === '\x1b[D') {
      if (this.cursor > 0) {
        this.cursor--;
        this.term.write(d);
      }
      return;
    }
    if (d === '\x1b[C') {
      if (this.cursor < this.line.length) {
        this.cursor++;
        this.term.write(d);
      }
      return;
    }
    // Printable text (typed or pasted): control characters are dropped.
    const text = d.replace(/\x1b(\[[0-9;]*[~A-Za-z]|O.)?|[\x00-\x1f\x7f]/g, '');
    if (text === '') return;
    const rest = this.line.slice(this.cursor);
    this.line = this.line.slice(0, this.cursor) + text + rest;
    this.cursor += text.length;
    this.term.write(text + rest + '\b'.repeat(rest.length));
  }
}
