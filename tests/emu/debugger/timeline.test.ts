// Reverse execution rewinds everything: the test takes a fingerprint of the
// whole machine and kernel (every reachable kernel object, every register,
// the TLB, and a hash of all guest RAM) at many stops while recording a run
// with faults, a fork, copy-on-write, munmap and output from two processes,
// then travels back to each stop in a random order and asserts the
// fingerprint is the same; going forward again gives the same output once.
import { describe, expect, it } from 'vitest';
import { prngUnit } from '../../support/prng';
import { bootDebugger as boot, fingerprint, firstDifference } from '../../support/debugger';

describe('reverse execution', () => {
  it('travelling back to any recorded stop restores the machine and the kernel exactly; forward again gives the same run', async () => {
    const { d, out } = boot('tt.s');
    const s = d.s;
    await d.execute('break main');
    await d.execute('run');
    await d.execute('set record snapshot-interval 150');
    await d.execute('record');
    await d.execute('delete');
    const rnd = prngUnit(7);
    const points: { insns: number; fp: string }[] = [{ insns: s.taskInsns(), fp: fingerprint(s.k) }];
    for (let i = 0; i < 40 && s.exited === null; i++) {
      await d.execute(`stepi ${1 + Math.floor(rnd() * 60)}`);
      if (s.exited === null) points.push({ insns: s.taskInsns(), fp: fingerprint(s.k) });
    }
    expect(s.exited).toBeNull(); // the program is longer than 40 * 60 instructions of main
    const outBefore = out.join('');
    expect(outBefore).toBe('child: wrote 50 pages\nparent: child exited with 13\n'); // the recorded stretch covers the fork, the child's whole life and the parent's printf
    const order = points.map((_, i) => i).sort(() => rnd() - 0.5);
    for (const i of order) {
      const p = points[i]!;
      const r = await d.execute(`record goto ${p.insns}`);
      expect(r).not.toContain('not found');
      expect(s.taskInsns()).toBe(p.insns);
      expect(firstDifference(fingerprint(s.k), p.fp), `state at instruction ${p.insns}`).toBe('');
    }
    // reverse-stepi then stepi comes back to the same state.
    const last = points[points.length - 1]!;
    await d.execute(`record goto ${last.insns}`);
    await d.execute('reverse-stepi');
    await d.execute('stepi');
    expect(firstDifference(fingerprint(s.k), last.fp)).toBe('');
    expect(out.join('')).toBe(outBefore); // replays print nothing
    expect(await d.execute('continue')).toContain('exited with code 05');
    expect(out.join('')).toBe('child: wrote 50 pages\nparent: child exited with 13\n');
  });

  it('after the end: reverse-continue finds the last breakpoint hit, output is not repeated, and the run ends the same way', async () => {
    const { d, out } = boot('tt.s');
    await d.execute('record');
    await d.execute('break free');
    expect(await d.execute('continue')).toContain('Breakpoint 1,');
    await d.execute('continue');
    expect(d.s.exited).not.toBeNull();
    const r = await d.execute('reverse-continue');
    expect(r).toContain('Breakpoint 1, VA');
    expect(r).toContain('<free>');
    expect(d.s.exited).toBeNull();
    expect(await d.execute('continue')).toContain('exited with code 05');
    expect(out.join('')).toBe('child: wrote 50 pages\nparent: child exited with 13\n');
  });

  it('any mix of forward and reverse commands: every arrival at a point of the run finds the same machine and kernel', async () => {
    const { d, out } = boot('tt.s');
    const s = d.s;
    await d.execute('set record snapshot-interval 200');
    await d.execute('break main');
    await d.execute('run');
    await d.execute('record');
    await d.execute('break tt.s:21'); // in the page loop
    await d.execute('break free');
    await d.execute('break tt.s:59'); // the child's printf (in the child: never hit, the parent is followed)
    const seen = new Map<number, string>();
    const rnd = prngUnit(11); // 15 other seeds also pass the state checks (their detours revisit fewer points)
    const commands = ['stepi 7', 'stepi 40', 'reverse-stepi', 'reverse-stepi 25', 'next', 'reverse-next', 'continue', 'reverse-continue', 'record goto 400', 'record goto begin'];
    const trail: string[] = [];
    let revisits = 0;
    for (let i = 0; i < 60; i++) {
      const cmd = commands[Math.floor(rnd() * commands.length)]!;
      trail.push(cmd);
      await d.execute(cmd);
      if (s.exited !== null) {
        await d.execute('reverse-stepi 3');
        trail.push('reverse-stepi 3');
      }
      const fp = fingerprint(s.k);
      const was = seen.get(s.pos());
      if (was !== undefined) {
        revisits++;
        expect(firstDifference(fp, was), `after ${trail.join(', ')}`).toBe('');
      } else seen.set(s.pos(), fp);
    }
    expect(seen.size).toBeGreaterThan(20);
    expect(revisits).toBeGreaterThan(10);
    await d.execute('delete');
    expect(await d.execute('continue')).toContain('exited with code 05');
    // Every byte the program wrote was shown once, whatever the detours.
    expect(out.join('')).toBe('child: wrote 50 pages\nparent: child exited with 13\n');
  });

  it('Ctrl-C during a reverse-continue stops the search where it is, a point of the history', async () => {
    const { d } = boot('spin.s');
    const s = d.s;
    await d.execute('break main');
    await d.execute('run');
    await d.execute('record');
    await d.execute('break never');
    await d.execute('stepi 100000');
    const top = s.taskInsns();
    s.yieldMs = 0; // look at the event loop at every chance
    s.interruptRequested = true;
    const r = await d.execute('reverse-continue');
    expect(r).toMatch(/^\nProgram received signal SIGINT, Interrupt\.\n.*spin\.s:[67]\t/);
    expect(s.taskInsns()).toBeLessThan(top);
    expect(await d.execute('info record')).toContain('Replay mode:');
    s.yieldMs = 50;
    expect(await d.execute('reverse-continue')).toContain('\nBreakpoint 1, VA 0x10000 <main>\n'); // where recording started
  });
});
