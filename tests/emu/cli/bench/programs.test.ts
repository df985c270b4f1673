// The C benchmark programs (guest-programs/bench/bin, prebuilt) compute the
// right thing under vmlab: at tiny sizes each prints the checksum that
// qemu-riscv64 prints for the same ELF and arguments (recorded below, and
// recomputed in the peer tier), and reports the memory the guest touched.
import { describe, expect, it } from 'vitest';
import { C_PROGRAMS, cProgramPath, findCProgram, rssTarget, runCProgram } from '../../../../emu/cli/bench/programs';
import { runQemu } from '../../../../emu/cli/bench/qemu';
import { PEER_TOOLS, describePeer } from '../../../support/peers';

const MiB = 1024 * 1024;

/** Tiny arguments and what qemu-riscv64 prints for them (checked again in the peer tier below). */
const TINY: Record<string, { argv: string[]; output: string }> = {
  'c-alu': { argv: ['1000'], output: 'alu 1000 iterations: checksum 72f59d1a5f9c3fae\n' },
  'c-muldiv': { argv: ['1000'], output: 'muldiv 1000 iterations: checksum d45b5b19faad5c60\n' },
  'c-calls': { argv: ['1'], output: 'calls 1 rounds: checksum 695592a0f2747ccb\n' },
  'c-mix': { argv: ['3'], output: 'mix 3 iterations: crc 2f6b\n' },
  'c-stream': { argv: ['1', '3'], output: 'stream 1 MiB 3 passes: checksum 15b15a946f701be0\n' },
  'c-chase': { argv: ['1', '1000'], output: 'chase 1 MiB 1000 hops: checksum 0000000003e82100\n' },
};

describe('C benchmark programs under vmlab (tier 0, tiny sizes)', () => {
  it('are the six kinds issue 15 measures, each with a prebuilt ELF', () => {
    expect(C_PROGRAMS.map((p) => p.name)).toEqual(Object.keys(TINY));
  });

  for (const p of C_PROGRAMS) {
    it(`${p.name} ${TINY[p.name]!.argv.join(' ')} prints qemu-riscv64's checksum`, () => {
      const r = runCProgram(p, TINY[p.name]!.argv, 'off');
      expect(r.output).toBe(TINY[p.name]!.output);
      expect(r.tier).toBe('off');
      expect(r.instructions).toBeGreaterThan(1000);
      // Measured in its host process only (runIsolated): in-process there is no RSS of its own.
      expect(r.peakRssBytes).toBeNull();
    });
  }

  it('the same run retires the same instructions twice (no ASLR, nothing random)', () => {
    const p = findCProgram('c-calls');
    expect(runCProgram(p, ['1'], 'off').instructions).toBe(runCProgram(p, ['1'], 'off').instructions);
  });

  it('touched memory is the process\'s peak resident set: the 1 MiB of stream and chase are in it', () => {
    for (const name of ['c-stream', 'c-chase']) {
      const r = runCProgram(findCProgram(name), TINY[name]!.argv, 'off');
      expect(r.touchedBytes, name).toBeGreaterThanOrEqual(MiB);
      expect(r.touchedBytes, name).toBeLessThan(MiB + 64 * 4096);
    }
    expect(runCProgram(findCProgram('c-alu'), ['1000'], 'off').touchedBytes).toBeLessThan(64 * 4096);
  });

  it('argv at --scale 1 are the benchmark sizes; a small scale shrinks the memory programs too', () => {
    expect(C_PROGRAMS.map((p) => [p.name, p.argv(1).join(' ')])).toEqual([
      ['c-alu', '150000000'], ['c-muldiv', '45000000'], ['c-calls', '800'], ['c-mix', '60000'], ['c-stream', '64 36'], ['c-chase', '256 2000000'],
    ]);
    expect(findCProgram('c-stream').argv(2)).toEqual(['64', '72']);
    expect(findCProgram('c-chase').argv(0.001)).toEqual(['1', '2000']);
  });

  it('the RSS target is 1.2 x touched + 100 MiB', () => {
    expect(rssTarget(0)).toBe(100 * MiB);
    expect(rssTarget(100 * MiB)).toBe(220 * MiB);
  });

  it('a program that does not exit with 0 is an error naming it and its output', () => {
    expect(() => runCProgram(findCProgram('c-alu'), ['x'], 'off')).toThrow("bench c-alu: alu x ended with exited, exit code 2: bad argument 1: 'x' (a positive number)");
  });
});

describePeer('C benchmark programs vs qemu-riscv64', ['qemu'], () => {
  for (const p of C_PROGRAMS) {
    it(`${p.name}: qemu prints the recorded checksum, and the same as vmlab at --scale 0.001`, () => {
      const tiny = TINY[p.name]!;
      expect(runQemu(PEER_TOOLS.qemu, cProgramPath(p), p.bin, tiny.argv).output).toBe(tiny.output);
      const argv = p.argv(0.001);
      expect(runCProgram(p, argv, 'off').output).toBe(runQemu(PEER_TOOLS.qemu, cProgramPath(p), p.bin, argv).output);
    });
  }
});
