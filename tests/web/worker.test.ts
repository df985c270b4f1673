// The browser build's worker (web/dist/worker.js, built here by
// scripts/build-web.mjs) in a bare V8 context that has only what a Web
// Worker has: it boots the kernel, runs the shell's commands and the shipped
// lab programs with the built-in drivers, refuses module files, sends the
// views (page tables, TLB, VMAs, frames, faults, registers) and holds and
// steps a command one instruction at a time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkerHarness } from './worker-harness';
import type { Views } from '../../web/views-data';

const ROOT = join(import.meta.dirname, '..', '..');
let w: WorkerHarness;

beforeAll(() => {
  // A site of its own: the browser test builds and serves web/dist at the same time.
  const site = mkdtempSync(join(tmpdir(), 'vmlab-web-site-'));
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--out', site], { cwd: ROOT, stdio: 'pipe' });
  w = new WorkerHarness(join(site, 'worker.js'));
  rmSync(site, { recursive: true, force: true });
});

/** The views the worker sends next after message index `from`, asking for them with `request`. */
async function inspect(request: { pid?: number | null; expand?: number[]; frame?: number | null }): Promise<Views> {
  const from = w.messages.length;
  w.send({ kind: 'inspect', request: { pid: request.pid ?? null, expand: request.expand ?? [], frame: request.frame ?? null } });
  return (await w.next('views', from)).views;
}

/** Sets the stop conditions and waits for the worker's list. */
async function setStops(settings: { breakpoints?: string[]; catchFork?: boolean; pagefault?: string | null }) {
  const from = w.messages.length;
  w.send({ kind: 'stops', settings: { breakpoints: settings.breakpoints ?? [], catchFork: settings.catchFork ?? false, pagefault: settings.pagefault ?? null } });
  return w.next('stops', from);
}

/** A run-control move of the held command; the views after it. */
async function move(action: 'step' | 'next' | 'reverse-step' | 'reverse-next' | 'reverse-continue'): Promise<Views> {
  const at = w.messages.length;
  w.send({ kind: 'control', action });
  return (await w.next('views', at, (m) => m.views.run === 'paused')).views;
}

/** Sends a line and waits for the command to be held. */
async function held(line: string): Promise<Views> {
  const from = w.messages.length;
  w.send({ kind: 'line', text: line });
  return (await w.next('views', from, (m) => m.views.run === 'paused')).views;
}

/** Runs the held command on to its prompt. */
async function runOn(): Promise<number> {
  const from = w.messages.length;
  w.send({ kind: 'control', action: 'run' });
  return (await w.next('prompt', from)).status;
}

const currentLine = (v: Views): { n: number; text: string } => v.source!.lines.find((l) => l.current)!;

describe('the worker of the browser build', () => {
  it('boots and installs the programs `vmlab shell` installs', async () => {
    const ready = await w.next('ready');
    expect(ready.programs).toEqual(expect.arrayContaining(['memview2', '3000memview2', 'mtest-hold', 'part1_1', 'test']));
  });

  it('loads a built-in driver (precompiled) and runs memview2, which prints its report', async () => {
    expect((await w.run('insmod physicalview')).prompt.status).toBe(0);
    expect((await w.run('lsmod')).out).toMatch(/^physicalview\s/m);
    const r = await w.run('memview2');
    expect(r.prompt.status).toBe(0);
    expect(r.out).toMatch(/^Memory map report \(virtual -> physical\)\n/);
    expect(r.out).toMatch(/^main: +0x[0-9a-f]{16} -> 0x[0-9a-f]{16}$/m);
    expect(r.prompt.insns).toBeGreaterThan(10_000);
    const v = await inspect({});
    const memview = v.faults.filter((f) => f.comm === 'memview2');
    expect(memview.length).toBeGreaterThan(0);
    expect(memview[0]).toMatchObject({ error: expect.stringMatching(/^0x[0-9a-f]+$/), outcome: expect.any(String) });
    expect(memview.map((f) => f.words)).toContain('not-present write user');
  });

  it('answers a ping (the page\'s watchdog of a stuck worker)', async () => {
    const from = w.messages.length;
    w.send({ kind: 'ping', n: 7 });
    expect(await w.next('pong', from)).toEqual({ kind: 'pong', n: 7 });
  });

  it('refuses a module file with one line (no compiler in a page)', async () => {
    const r = await w.run('insmod /tmp/mine.ts');
    expect(r.prompt.status).not.toBe(0);
    expect(r.out).toContain('module files cannot be compiled in the browser');
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it('shows a live process: page tables from CR3, expanded on request, its VMAs, TLB and frames', async () => {
    const r = await w.run('mtest-hold &');
    const pid = Number(/^\[1\] (\d+)$/m.exec(r.out)![1]);
    // The job runs while the shell waits (sleep 1: guest time).
    await w.run('sleep 1');
    const v = await inspect({ pid });
    expect(v.pid).toBe(pid);
    expect(v.comm).toBe('mtest-hold');
    const root = v.tables[0]!;
    expect(root.name).toBe('PGD (PML4)');
    expect(root.pa).toBe(v.cr3);
    expect(v.tables).toHaveLength(1);
    const user = root.entries.find((e) => !e.shared)!;
    expect(user.flags).toEqual(expect.arrayContaining(['P', 'RW', 'US']));
    expect(root.entries.some((e) => e.shared)).toBe(true);
    const open = await inspect({ pid, expand: [user.target] });
    expect(open.tables.map((t) => t.name)).toEqual(['PGD (PML4)', 'PUD (PDPT)']);
    expect(open.tables[1]!.pa).toBe(user.target);
    // The walk of the last fault: one entry per table on the path, the tables listed top first.
    expect(open.walkTables[0]).toBe(v.cr3);
    expect(open.walkTables).toHaveLength(4);
    const walked = await inspect({ pid, expand: open.walkTables });
    expect(walked.tables.map((t) => t.entries.filter((e) => e.onPath).length)).toEqual([1, 1, 1, 1]);
    expect(walked.tables.at(-1)!.name).toBe('PTE (PT)');
    expect(walked.tables.at(-1)!.entries.find((e) => e.onPath)!.leaf).toBe('4K');
    expect(v.maps.some((l) => /\[stack\]$/.test(l))).toBe(true);
    expect(v.maps.some((l) => / r-xp .*mtest-hold$/.test(l))).toBe(true);
    expect(v.tlbStats.map((s) => s.name)).toEqual(['ITLB', 'DTLB']);
    // Every switch to another process wrote CR3.
    expect(v.tlbStats[1]!.flushes.cr3).toBeGreaterThan(0);
    expect(v.ownerNames).toContain('anon');
    expect(v.frameOwners.filter((o) => v.ownerNames[o] === 'pgtable').length).toBeGreaterThan(0);
    const pfn = user.target / 4096;
    // The PUD table's frame: one reference, mapped by no user page table.
    expect([v.frameOwners[pfn], v.frameRefcount[pfn], v.frameMapcount[pfn]]).toEqual([v.ownerNames.indexOf('pgtable'), 1, 0]);
    expect(v.frameRefcount).toHaveLength(v.frameOwners.length);
    const f = await inspect({ pid, frame: pfn });
    expect(f.frame!.text).toMatch(new RegExp(`^pfn:0x${pfn.toString(16)} refcount:\\d+ mapcount:-?\\d+ owner:pgtable`));
    expect(v.regs.map(([n]) => n).slice(-2)).toEqual(['t6', 'pc']);
    expect(v.disasm.filter((d) => d.current)).toHaveLength(1);
    await w.run(`kill ${pid}`);
  });

  it('Pause at the prompt holds the next command after one instruction; Step runs exactly one more', async () => {
    w.send({ kind: 'control', action: 'pause' });
    const from = w.messages.length;
    w.send({ kind: 'line', text: 'memview2' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.comm).toBe('memview2');
    const pc = held.regs.at(-1)![1];
    const from2 = w.messages.length;
    w.send({ kind: 'control', action: 'step' });
    const stepped = (await w.next('views', from2, (m) => m.views.run === 'paused')).views;
    expect(stepped.instret - held.instret).toBe(1);
    expect(stepped.regs.at(-1)![1]).not.toBe(pc);
    expect(stepped.disasm.find((d) => d.current)!.addr).toBe(stepped.regs.at(-1)![1]);
    const from3 = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    const prompt = await w.next('prompt', from3);
    expect(prompt.status).toBe(0);
  });

  it('catch pagefault with a filter holds the command before the kernel handles the fault; Step handles it and retires the instruction', async () => {
    let from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: 'write !present' } });
    expect((await w.next('stops', from)).list).toEqual(['catch pagefault write !present']);
    from = w.messages.length;
    w.send({ kind: 'line', text: 'memview2' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.stop).toMatch(/^catch pagefault: #PF at 0x[0-9a-f]+, error 0x6 \(not-present write user\), ip 0x[0-9a-f]+, pid \d+: not yet handled$/);
    const addr = /#PF at (0x[0-9a-f]+)/.exec(held.stop)![1]!;
    expect(held.faults.some((f) => f.addr === addr && f.comm === 'memview2')).toBe(false);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'step' });
    const stepped = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(stepped.instret - held.instret).toBe(1);
    expect(stepped.faults.at(-1)).toMatchObject({ addr, error: '0x6', words: 'not-present write user', outcome: expect.any(String) });
    const page = `0x${(BigInt(addr) & ~0xfffn).toString(16)}`;
    expect(stepped.tlb.some((e) => e.tlb === 'DTLB' && e.va === page)).toBe(true);
    from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: null } });
    expect((await w.next('stops', from)).list).toEqual([]);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    expect((await w.next('prompt', from)).status).toBe(0);
  });

  it('a breakpoint at PROG:SYMBOL holds the command there; a bad one is refused with one line', async () => {
    let from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: ['memview2:main', 'memview2:nosuch', 'bogus spec'], catchFork: false, pagefault: null } });
    const st = await w.next('stops', from);
    expect(st.list).toEqual([expect.stringMatching(/^break memview2:main \(0x[0-9a-f]+\)$/)]);
    expect(st.errors).toEqual(['break memview2:nosuch: no symbol "nosuch" in memview2', 'break bogus spec: give an address (0x...), a symbol, or PROG:SYMBOL']);
    const main = /\((0x[0-9a-f]+)\)/.exec(st.list[0]!)![1]!;
    from = w.messages.length;
    w.send({ kind: 'line', text: 'memview2' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.stop).toBe(`breakpoint memview2:main (${main}), pid ${held.pid}`);
    expect(held.regs.at(-1)).toEqual(['pc', main]);
    // The assembly source line of main, from the program's line table and the source bundled with the build.
    const cur = held.disasm.find((d) => d.current)!;
    expect(cur.symbol).toBe('main');
    expect(held.source).toMatchObject({ file: 'memview2.s', line: Number(cur.line.replace('memview2.s:', '')) });
    const srcLine = held.source!.lines.find((l) => l.current)!;
    expect(srcLine.n).toBe(held.source!.line);
    expect(srcLine.text.trim().length).toBeGreaterThan(0);
    from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: null } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    expect((await w.next('prompt', from)).status).toBe(0);
  });

  it('a C program built with -g: the source line next to the disassembly is its C', async () => {
    let from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: ['3000memview2:main'], catchFork: false, pagefault: null } });
    expect((await w.next('stops', from)).errors).toEqual([]);
    from = w.messages.length;
    w.send({ kind: 'line', text: '3000memview2' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.disasm.find((d) => d.current)!.line).toMatch(/^3000memview2\.c:\d+$/);
    expect(held.source!.file).toBe('3000memview2.c');
    expect(held.source!.lines.find((l) => l.current)!.text).toMatch(/main|\{/);
    from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: null } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    await w.next('prompt', from);
  });

  it('Next goes to the next source line, over a call (the page\'s breakpoints still apply); Step goes into it; with a driver loaded, reverse goes back to the last call into it and no further', async () => {
    const st = await setStops({ breakpoints: ['memview2:main'] });
    expect(st.errors).toEqual([]);
    let v = await held('memview2');
    expect(v.recording).toBe('recording since the last call into a driver (physicalview)');
    expect(currentLine(v).text.trim()).toBe('addi    sp, sp, -320');
    // main's first lines are one instruction each: Next moves one line and one instruction.
    const first = v;
    v = await move('next');
    expect(v.stop).toBe('next');
    expect([v.source!.line, v.instret - first.instret]).toEqual([first.source!.line + 1, 1]);
    // Reverse next: back to main's first line (no driver was called in between).
    v = await move('reverse-next');
    expect([v.stop, v.source!.line, v.instret]).toEqual(['reverse next', first.source!.line, first.instret]);
    // On to `call open`; Next runs open (its instructions and the system call) and stops on the line after, in main.
    for (let i = 0; i < 40 && !/^call\s+open$/.test(currentLine(v).text.trim()); i++) v = await move('next');
    expect(currentLine(v).text.trim()).toMatch(/^call\s+open$/);
    const call = v;
    v = await move('next');
    expect(v.source!.line).toBe(call.source!.line + 1);
    expect(v.disasm.find((d) => d.current)!.symbol).toMatch(/^main\+0x[0-9a-f]+$/);
    expect(v.instret - call.instret).toBeGreaterThan(10);
    expect(currentLine(v).text.trim()).toMatch(/^mv\s+s1, a0/);
    // open(/dev/physicalview) called the driver: the history begins after that call. Reverse step goes back into
    // open's code after the system call, then stops where the history begins; it never runs the driver again.
    const after = v;
    v = await move('reverse-next');
    expect(v.stop).toBe('reverse next: the history begins here, after the last call into a driver (a module keeps state the recorder cannot save: reverse execution does not go back across a call into one)');
    // It stopped in the C library after the system call (the driver ran inside it), between the call and the line after.
    expect(v.instret).toBeLessThan(after.instret);
    expect(v.instret).toBeGreaterThan(call.instret);
    expect(v.disasm.find((d) => d.current)!.symbol).toMatch(/^__syscall_ret\+0x[0-9a-f]+$/);
    // No further back: the same again; forward one instruction, then back to it.
    const cut = v;
    v = await move('reverse-step');
    expect([v.stop.startsWith('reverse step: the history begins here'), v.instret]).toEqual([true, cut.instret]);
    v = await move('step');
    expect(v.instret).toBe(cut.instret + 1);
    v = await move('reverse-step');
    expect([v.stop, v.instret]).toEqual(['reverse step: the history begins here, after the last call into a driver (a module keeps state the recorder cannot save: reverse execution does not go back across a call into one)', cut.instret]);
    await setStops({});
    expect(await runOn()).toBe(0);
    // Step from the same call goes into open: `call` is auipc + jalr, two instructions.
    const offset = Number(call.regs.at(-1)![1]) - Number(first.regs.at(-1)![1]);
    // (The second breakpoint, at open, only names open's address: the steps go there without it.)
    const at = await setStops({ breakpoints: [`memview2:main+0x${offset.toString(16)}`, 'memview2:open'] });
    const open = /\((0x[0-9a-f]+)\)$/.exec(at.list[1]!)![1];
    await setStops({ breakpoints: [`memview2:main+0x${offset.toString(16)}`] });
    const again = await held('memview2');
    expect(again.regs.at(-1)![1]).toBe(call.regs.at(-1)![1]);
    await move('step');
    v = await move('step');
    expect([v.stop, v.regs.at(-1)![1], v.instret - again.instret]).toEqual(['step', open, 2]);
    await setStops({});
    expect(await runOn()).toBe(0);
  });

  it('the TLB log lists what the command did to the TLB: CR3 writes switching PCID, page faults, the INVPCIDs of its exit, each with the entries it dropped and kept', async () => {
    await w.run('memview2');
    const log = (await inspect({})).tlbLog;
    expect(log.since).toBe('the command');
    expect(log.total).toBe(log.events.length);
    // Switching to a process that keeps its PCID: NOFLUSH, nothing dropped, every valid entry kept.
    const switches = log.events.filter((e) => /^CR3 write: 0x[0-9a-f]+, PCID \d+, NOFLUSH \(PCID switch \d+ -> \d+; was 0x[0-9a-f]+\)$/.test(e.what));
    expect(switches.length).toBeGreaterThan(0);
    for (const e of switches) expect(e.dropped).toEqual([]);
    // memview2's exit drops its entries while its mm is no longer on the CPU, by PCID: INVPCID type 0 per page
    // (each dropping exactly that page's entries) or type 1 for the whole PCID, whichever is cheaper, then type 1
    // when the PCID is released. Every entry dropped is of memview2's PCID, none global; none of its PCID is kept.
    const exit = log.events.filter((e) => e.by.endsWith('(memview2)') && e.what.startsWith('INVPCID'));
    const pcid = Number(/PCID (\d+)$/.exec(exit.at(-1)!.what)![1]);
    expect(exit.at(-1)!.what).toBe(`INVPCID type 1: all of PCID ${pcid}`);
    const dropped = exit.flatMap((e) => e.dropped);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.filter((d) => d.pcid !== pcid || d.global)).toEqual([]);
    expect(exit.at(-1)!.kept.filter((d) => d.pcid === pcid && !d.global)).toEqual([]);
    for (const e of exit.filter((x) => x.what.startsWith('INVPCID type 0:'))) {
      const va = /^INVPCID type 0: (0x[0-9a-f]+) in PCID \d+$/.exec(e.what)![1];
      expect(e.dropped.filter((d) => d.va !== va)).toEqual([]);
    }
    // Each page fault invalidates its page's entries of the PCID it faulted in and global ones (SDM 4.10.4.1), here
    // memview2's. All of them are not-present faults on pages never translated, so each has nothing to drop: first the
    // exec writing memview2's data page and its stack (for the kernel, in memview2's mm), then memview2 fetching from
    // its entry point, and so on (how many depends on the run: the pid, the PCID and the stack differ with what ran before).
    const nothing = `: the page's entries of PCID ${pcid} and global ones, nothing to drop`;
    const faults = log.events.filter((e) => e.what.startsWith('#PF'));
    const row = (e: (typeof faults)[number]): [string, string, unknown[], unknown[]] => [e.by.replace(/^pid \d+ /, 'pid N '), e.what.replace(/^#PF 0x7ff[0-9a-f]{9},/, '#PF <stack>,'), e.dropped, e.kept];
    expect(faults.slice(0, 3).map(row)).toEqual([
      ['kernel', `#PF 0x13008, error 0x2 (not-present write kernel)${nothing}`, [], []],
      ['kernel', `#PF <stack>, error 0x2 (not-present write kernel)${nothing}`, [], []],
      ['pid N (memview2)', `#PF 0x102d0, error 0x14 (not-present fetch user)${nothing}`, [], []],
    ]);
    expect(faults.filter((e) => !e.what.endsWith(nothing) || e.dropped.length > 0 || e.kept.length > 0)).toEqual([]);
  });

  it('catch fork holds mtest-test after its fork: its anonymous frames are shared copy-on-write (mapcount 2)', async () => {
    expect((await w.run('insmod mtest')).prompt.status).toBe(0);
    let from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: true, pagefault: null } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'line', text: 'mtest-test' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.stop).toMatch(/^catch fork: pid (\d+) \(mtest-test\) forked child (\d+)$/);
    const anon = held.ownerNames.indexOf('anon');
    const cow = [...held.frameMapcount.keys()].filter((pfn) => held.frameOwners[pfn] === anon && held.frameMapcount[pfn] === 2);
    expect(cow.length).toBeGreaterThan(0);
    const f = await inspect({ frame: cow[0]! });
    const [, parent, child] = /pid (\d+) \(mtest-test\) forked child (\d+)/.exec(held.stop)!;
    expect(f.frame!.mappings).toContain(`pid ${parent}`);
    expect(f.frame!.mappings).toContain(`pid ${child}`);
    from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: null } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    const done = await w.next('prompt', from);
    expect(done.status).toBe(0);
  });

  it('reverse execution while held: Reverse step brings a stepped-over fault back, Reverse continue returns to the caught fault, Run goes on without repeating output', async () => {
    // The recorder cannot save a module's state: the drivers the earlier tests loaded go first.
    await w.run('rmmod physicalview');
    await w.run('rmmod mtest');
    expect((await w.run('lsmod')).out).not.toMatch(/^(physicalview|mtest)\s/m);
    let from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: 'write !present' } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'line', text: 'test' });
    const held = (await w.next('views', from, (m) => m.views.run === 'paused')).views;
    expect(held.recording).toBe('recording');
    const addr = /#PF at (0x[0-9a-f]+)/.exec(held.stop)![1]!;
    const page = `0x${(BigInt(addr) & ~0xfffn).toString(16)}`;
    const control = async (action: 'step' | 'reverse-step' | 'reverse-continue'): Promise<Views> => {
      const at = w.messages.length;
      w.send({ kind: 'control', action });
      return (await w.next('views', at)).views;
    };
    const stepped = await control('step');
    expect(stepped.stop).toBe('step');
    expect(stepped.instret - held.instret).toBe(1);
    const logged = stepped.faults.at(-1)!;
    expect(logged).toMatchObject({ addr, words: 'not-present write user' });
    expect(stepped.tlb.some((e) => e.va === page)).toBe(true);
    const back = await control('reverse-step');
    expect(back.stop).toBe('reverse step');
    expect(back.regs.at(-1)).toEqual(held.regs.at(-1));
    expect(back.faults.some((f) => f.addr === addr)).toBe(false);
    expect(back.faults.at(-1)?.n).toBe(logged.n - 1);
    expect(back.tlb.some((e) => e.va === page)).toBe(false);
    const again = await control('step');
    expect(again.faults.filter((f) => f.addr === addr)).toEqual([logged]);
    const rc = await control('reverse-continue');
    expect(rc.stop).toMatch(new RegExp(`^reverse continue: catch pagefault: #PF at ${addr}, error 0x6 \\(not-present write user\\), ip ${held.regs.at(-1)![1]}: not yet handled$`));
    expect(rc.regs.at(-1)).toEqual(held.regs.at(-1));
    from = w.messages.length;
    w.send({ kind: 'stops', settings: { breakpoints: [], catchFork: false, pagefault: null } });
    await w.next('stops', from);
    from = w.messages.length;
    w.send({ kind: 'control', action: 'run' });
    // test prints Ready, then spins until killed: Ctrl-C.
    await w.next('output', from, (m) => m.text.includes('Ready'));
    w.send({ kind: 'interrupt' });
    await w.next('prompt', from);
    const out = w.messages.slice(from).filter((m) => m.kind === 'output').map((m) => (m as { text: string }).text).join('');
    expect(out.match(/Ready/g)).toHaveLength(1);
  });
});
