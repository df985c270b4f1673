// The browser lab's page: the terminal (terminal.ts), the worker that runs
// the machine and kernel (web/worker/main.ts), the run controls and the
// views (render.ts), linked: a physical address clicked anywhere selects its
// frame in the frame map; the process chosen is shown by every view.
// Keyboard, as browsers' and editors' debuggers bind them (F8 pause/resume,
// F10 step over, F11 step into), Shift for the same move backwards: F8
// pauses or runs on, F10 is Next (the next source line, over calls), F11 is
// Step (one instruction, into calls), Shift+F10 / Shift+F11 go back a line /
// an instruction, Shift+F8 goes back to the last stop (reverse continue);
// the tabs take Left/Right/Home/End as ARIA tabs do.
import './page.css';
import type { PageMessage, ViewRequest, WorkerMessage } from '../protocol';
import type { Views } from '../views-data';
import { LineTerminal } from './terminal';
import { renderCpu, renderFaults, renderFrames, renderMaps, renderPageTables, renderTlb } from './render';
import type { Links } from './render';
import { LABS } from './labs';
import type { Lab } from './labs';

const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** The worker running the machine and kernel (a new one after a restart). */
let worker = new Worker('worker.js');
const send = (m: PageMessage): void => worker.postMessage(m);

const loadStart = performance.now();
let firstPrompt = true;
let views: Views | null = null;
let previous: Views | null = null;
const request: { pid: number | null; expand: Set<number>; frame: number | null } = { pid: null, expand: new Set(), frame: null };

const term = new LineTerminal($('terminal'), {
  line: (text) => {
    setRunState('running');
    send({ kind: 'line', text });
  },
  interrupt: () => send({ kind: 'interrupt' }),
});

function viewRequest(): ViewRequest {
  return { pid: request.pid, expand: [...request.expand], frame: request.frame };
}
function inspect(): void {
  send({ kind: 'inspect', request: viewRequest() });
}

// ---- run control ------------------------------------------------------------------

function setRunState(s: Views['run'] | 'booting'): void {
  const st = $('run-state');
  st.textContent = s === 'idle' ? 'at the prompt' : s;
  st.dataset.state = s;
  delete st.dataset.armed;
  // At the prompt, Pause arms a stop after the next command's first instruction.
  ($('btn-pause') as HTMLButtonElement).disabled = s !== 'running' && s !== 'idle';
  ($('btn-run') as HTMLButtonElement).disabled = s !== 'paused';
  for (const id of ['btn-next', 'btn-step', 'btn-rnext', 'btn-rstep']) ($(id) as HTMLButtonElement).disabled = s !== 'paused';
  ($('btn-rcont') as HTMLButtonElement).disabled = s !== 'paused';
}
setRunState('booting');
$('btn-pause').addEventListener('click', () => {
  if ($('run-state').dataset.state === 'idle') {
    $('run-state').textContent = 'will stop at the next command';
    $('run-state').dataset.armed = 'true';
  }
  send({ kind: 'control', action: 'pause' });
});
$('btn-run').addEventListener('click', () => {
  setRunState('running');
  send({ kind: 'control', action: 'run' });
});
/** A move of the held command: running until the worker's views say where it stopped (Pause can stop a Next that does not arrive). */
function move(action: 'next' | 'step' | 'reverse-next' | 'reverse-step' | 'reverse-continue'): void {
  setRunState('running');
  send({ kind: 'control', action });
}
$('btn-next').addEventListener('click', () => move('next'));
$('btn-step').addEventListener('click', () => move('step'));
$('btn-rnext').addEventListener('click', () => move('reverse-next'));
$('btn-rstep').addEventListener('click', () => move('reverse-step'));
$('btn-rcont').addEventListener('click', () => move('reverse-continue'));
/** The button each run-control key presses while a command is held: [key, with Shift]. */
const HELD_KEYS: Record<string, [string, string]> = { F10: ['btn-next', 'btn-rnext'], F11: ['btn-step', 'btn-rstep'] };
document.addEventListener('keydown', (e) => {
  const state = $('run-state').dataset.state;
  // Taken before the terminal sees them (capture phase): xterm.js would send them to the shell as escape sequences
  // (and F11 would make the browser full screen).
  if (e.key !== 'F8' && HELD_KEYS[e.key] === undefined) return;
  e.preventDefault();
  e.stopPropagation();
  if (e.key === 'F8') {
    if (e.shiftKey) {
      if (state === 'paused') $('btn-rcont').click();
    } else if (state === 'running' || state === 'idle') $('btn-pause').click();
    else if (state === 'paused') $('btn-run').click();
  } else if (state === 'paused') $(HELD_KEYS[e.key]![e.shiftKey ? 1 : 0]).click();
}, true);

// ---- stop conditions (web/worker/stops.ts) ---------------------------------------

const breakpoints: string[] = [];
function sendStops(): void {
  const pf = ($('catch-pf') as HTMLInputElement).checked ? ($('pf-filter') as HTMLInputElement).value : null;
  send({ kind: 'stops', settings: { breakpoints: [...breakpoints], catchFork: ($('catch-fork') as HTMLInputElement).checked, pagefault: pf } });
}
function drawBreakpoints(): void {
  $('bp-list').replaceChildren(...breakpoints.map((b, i) => {
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', `Delete breakpoint ${b}`);
    del.addEventListener('click', () => {
      breakpoints.splice(i, 1);
      drawBreakpoints();
      sendStops();
    });
    const li = document.createElement('li');
    li.append(`${b} `, del);
    return li;
  }));
}
$('bp-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('bp-input') as HTMLInputElement;
  const spec = input.value.trim();
  if (spec === '') return;
  breakpoints.push(spec);
  input.value = '';
  drawBreakpoints();
  sendStops();
});
$('catch-fork').addEventListener('change', sendStops);
$('catch-pf').addEventListener('change', sendStops);
$('pf-filter').addEventListener('change', sendStops);

const pidSelect = $('pid-select') as HTMLSelectElement;
pidSelect.addEventListener('change', () => {
  request.pid = pidSelect.value === '' ? null : Number(pidSelect.value);
  request.expand.clear();
  inspect();
});

// ---- tabs -------------------------------------------------------------------------

const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
function selectTab(tab: HTMLButtonElement, focus = false): void {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')!).hidden = !on;
  }
  if (focus) tab.focus();
}
for (const [i, t] of tabs.entries()) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const to = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
    if (to >= 0) {
      e.preventDefault();
      selectTab(tabs[to]!, true);
    }
  });
}

// ---- guided labs (labs.ts) ------------------------------------------------------------

/** Text with markdown code spans (`x`) as <code>. */
function withCode(text: string): Node[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? Object.assign(document.createElement('code'), { textContent: part }) : document.createTextNode(part)));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.append(...children);
  return e;
}

function drawLab(lab: Lab): void {
  const steps = el('ol', ...lab.steps.map((st, i) => {
    const li = el('li', ...withCode(st.say));
    li.dataset.step = String(i + 1);
    if (st.command !== undefined) {
      const run = el('button', 'Run ', el('code', st.command));
      run.type = 'button';
      run.className = 'lab-run';
      run.addEventListener('click', () => {
        if ($('run-state').dataset.state !== 'idle') return; // one command at a time, at the prompt
        term.submit(st.command!);
      });
      li.append(' ', run);
    }
    if (st.view !== undefined) {
      const tab = $(`tab-${st.view}`) as HTMLButtonElement;
      const show = el('button', `Show ${tab.textContent}`);
      show.type = 'button';
      show.addEventListener('click', () => selectTab(tab));
      li.append(' ', show);
    }
    return li;
  }));
  steps.setAttribute('aria-label', 'Walkthrough');
  const questions = el('ol', ...lab.questions.map((q) => el('li', ...withCode(q))));
  questions.setAttribute('aria-label', 'Questions');
  $('lab-guide').replaceChildren(
    el('h3', lab.title),
    el('p', ...withCode(lab.teaches)),
    el('h3', 'Walkthrough'),
    steps,
    el('h3', 'Questions'),
    questions,
    el('p', `The lab's full text, the exercises and the grading: docs/labs/${lab.id === 'memview2' ? 'physicalview' : lab.id}/README.md. Your own module is graded with vmlab lab check (no compiler in a page).`),
  );
}
const labSelect = $('lab-select') as HTMLSelectElement;
labSelect.replaceChildren(...LABS.map((l) => new Option(`${l.id}: ${l.title}`, l.id)));
labSelect.addEventListener('change', () => drawLab(LABS.find((l) => l.id === labSelect.value)!));
drawLab(LABS[0]!);

/** Opens or folds the guide pane (the terminal takes the room it leaves). */
function showGuide(open: boolean): void {
  $('guide-pane').dataset.open = String(open);
  $('guide-toggle').setAttribute('aria-expanded', String(open));
  $('guide-arrow').textContent = open ? '▾' : '▸';
  $('guide-body').hidden = !open;
}
$('guide-toggle').addEventListener('click', () => showGuide($('guide-pane').dataset.open !== 'true'));
document.addEventListener('keydown', (e) => {
  if (e.altKey && (e.key === 'g' || e.key === 'G')) {
    e.preventDefault();
    e.stopPropagation();
    showGuide($('guide-pane').dataset.open !== 'true');
  }
}, true);
// ?lab=ID opens that lab's guide (a teacher links it).
const wanted = new URLSearchParams(location.search).get('lab');
if (wanted !== null && LABS.some((l) => l.id === wanted)) {
  labSelect.value = wanted;
  drawLab(LABS.find((l) => l.id === wanted)!);
  showGuide(true);
}

// ---- views ------------------------------------------------------------------------

const links: Links = {
  frame: (pfn) => {
    request.frame = pfn;
    selectTab($('tab-frames') as HTMLButtonElement);
    inspect();
  },
  toggleTable: (pa) => {
    if (request.expand.has(pa)) request.expand.delete(pa);
    else request.expand.add(pa);
    inspect();
  },
  expandWalk: () => {
    for (const pa of views?.walkTables ?? []) request.expand.add(pa);
    inspect();
  },
  process: (pid) => {
    request.pid = pid;
    request.expand.clear();
    inspect();
  },
};

function draw(v: Views): void {
  previous = views;
  views = v;
  if (v.run !== 'idle' || $('run-state').dataset.state !== 'running') setRunState(v.run);
  $('stop-reason').textContent = v.stop;
  $('recording').textContent = v.recording === 'recording' ? '(recorded: reverse works)' : v.recording.startsWith('recording since') ? '(recorded since the last driver call)' : v.recording === '' ? '' : '(not recorded: no reverse)';
  $('recording').title = v.recording;
  const current = String(v.pid ?? '');
  pidSelect.replaceChildren(...v.processes.map((p) => {
    const o = document.createElement('option');
    o.value = String(p.pid);
    o.textContent = `${p.pid} ${p.comm} (${p.state})`;
    return o;
  }));
  if (v.processes.length === 0) pidSelect.append(new Option('(none alive)', ''));
  pidSelect.value = current;
  renderPageTables($('view-pt'), v, links);
  renderTlb($('view-tlb'), v, previous, links);
  renderMaps($('view-maps'), v);
  renderFrames($('view-frames'), v, request.frame, links);
  renderFaults($('view-faults'), v, links);
  renderCpu($('view-cpu'), v);
  document.body.dataset.views = String(Number(document.body.dataset.views ?? '0') + 1);
}

function onWorkerMessage(e: MessageEvent<WorkerMessage>): void {
  const m = e.data;
  switch (m.kind) {
    case 'pong':
      watchdog.answered(m.n);
      break;
    case 'ready':
      watchdog.start();
      $('stats').textContent = `Kernel booted in ${m.bootMs.toFixed(0)} ms; programs in /bin: ${m.programs.join(' ')}`;
      setRunState('idle');
      term.prompt();
      if (firstPrompt) {
        firstPrompt = false;
        document.body.dataset.firstPromptMs = (performance.now() - loadStart).toFixed(0);
      }
      break;
    case 'output':
      term.write(m.text);
      transcript.push(m.text);
      break;
    case 'prompt': {
      const mips = m.ms > 0 ? m.insns / m.ms / 1000 : 0;
      $('stats').textContent = `Last command: status ${m.status}, ${m.insns} guest instructions in ${m.ms.toFixed(0)} ms (${mips.toFixed(1)} MIPS, including the kernel's work)`;
      document.body.dataset.lastInsns = String(m.insns);
      document.body.dataset.lastMs = m.ms.toFixed(1);
      document.body.dataset.prompts = String(Number(document.body.dataset.prompts ?? '0') + 1);
      setRunState('idle');
      term.prompt();
      break;
    }
    case 'views':
      draw(m.views);
      break;
    case 'stops': {
      // The worker's list is what is in force: a breakpoint that could not be set is missing there, and its error says why.
      $('stops-errors').textContent = m.errors.join('\n');
      $('stops-list').replaceChildren(...m.list.map((x) => Object.assign(document.createElement('li'), { textContent: x })));
      document.body.dataset.stops = String(Number(document.body.dataset.stops ?? '0') + 1);
      break;
    }
  }
}
function onWorkerError(e: ErrorEvent): void {
  term.write(`\r\n[the lab's worker failed: ${e.message}]\r\n`);
  console.error('vmlab worker:', e.message);
}
worker.onmessage = onWorkerMessage;
worker.onerror = onWorkerError;

// ---- the worker's watchdog --------------------------------------------------------
// A page cannot interrupt synchronous code in a worker. A module's own loops
// are counted by the soft-lockup watchdog (kernel-ts/module/loops.ts), in the
// browser as in Node; code that count does not see (a loop a module makes
// with Function) would hang the worker, and has no wall-clock backstop here.
// The page pings the worker every PING_MS; the worker answers between two
// slices of a running guest and while a command is held. When a ping stays
// unanswered for `stuckMs`, the page says so and offers to restart the
// worker (a fresh kernel: the running command and the loaded drivers are lost).

const PING_MS = 1000;

class WorkerWatchdog {
  /** How long an unanswered ping means a stuck worker (window.vmlab.setWatchdogMs changes it, for tests). */
  stuckMs = 15_000;
  private sent = 0;
  private answeredN = 0;
  private since = 0;
  private timer: number | null = null;

  start(): void {
    if (this.timer !== null) return;
    this.sent = this.answeredN = 0;
    this.timer = window.setInterval(() => this.tick(), PING_MS);
    this.tick();
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  answered(n: number): void {
    this.answeredN = Math.max(this.answeredN, n);
    if (this.answeredN === this.sent) $('stuck').hidden = true;
  }

  private tick(): void {
    // The oldest unanswered ping is what counts: one more is sent only when the last was answered.
    if (this.answeredN === this.sent) {
      this.sent++;
      this.since = performance.now();
      send({ kind: 'ping', n: this.sent });
      return;
    }
    const waited = performance.now() - this.since;
    if (waited >= this.stuckMs && $('stuck').hidden) {
      $('stuck-text').textContent = `The lab's worker has not answered for ${Math.round(waited / 1000)} s: the machine or a driver is stuck in a loop that the page cannot interrupt (in the browser, code the watchdog does not count has no time limit). Restart it (a fresh kernel: the running command and the loaded drivers are lost), or keep waiting.`;
      $('stuck').hidden = false;
      document.body.dataset.stuck = 'true';
      $('stuck-restart').focus();
    }
  }
}
const watchdog = new WorkerWatchdog();

/** Ends the stuck worker and starts a new one: the kernel boots again, the stop conditions are sent again. */
function restartWorker(): void {
  watchdog.stop();
  worker.terminate();
  $('stuck').hidden = true;
  delete document.body.dataset.stuck;
  const note = '\r\n[the worker was restarted: a fresh kernel boots]\r\n';
  term.write(note);
  transcript.push(note);
  setRunState('booting');
  request.pid = null;
  request.expand.clear();
  request.frame = null;
  worker = new Worker('worker.js');
  worker.onmessage = onWorkerMessage;
  worker.onerror = onWorkerError;
  sendStops();
  document.body.dataset.restarts = String(Number(document.body.dataset.restarts ?? '0') + 1);
}
$('stuck-restart').addEventListener('click', restartWorker);
$('stuck-wait').addEventListener('click', () => {
  $('stuck').hidden = true;
});

/** Everything the terminal printed (the scrollback keeps only part of it). */
const transcript: string[] = [];
/** The page's scripting hook (docs/web.md): the terminal's whole transcript, and typing a command as the keyboard would. */
(window as unknown as { vmlab: unknown }).vmlab = {
  transcript: (): string => transcript.join(''),
  type: (line: string): void => term.submit(line),
  /** How long an unanswered ping means a stuck worker (ms). */
  setWatchdogMs: (ms: number): void => {
    watchdog.stuckMs = ms;
  },
  /** Makes the worker loop forever, as a stuck driver would (the watchdog's test). */
  hangWorker: (): void => send({ kind: 'debug-hang' }),
};

// The terminal has the focus first: type a command.
term.term.focus();
