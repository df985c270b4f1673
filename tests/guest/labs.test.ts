// The labs' C programs (guest-programs/labs; prebuilt by `vmlab cc` into
// guest-programs/labs/bin and installed by `vmlab shell` as /bin/NAME) run in
// `vmlab shell` with their drivers and print what the labs' walkthroughs
// say. Golden transcripts in tests/guest/labs/*.golden.txt, with the
// addresses that differ between builds and runs masked (ADDR) and the
// relations between them asserted here. No cross compiler is needed: these
// are the committed ELFs (tests/guest/prebuilt-peer.test.ts keeps them equal
// to their sources). mmapper-test.c is /bin/mmapper-test, which
// tests/experiments/mmapper.test.ts runs against its golden transcript.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';

const GOLDEN = join(process.cwd(), 'tests', 'guest', 'labs');
const golden = (name: string): string => readFileSync(join(GOLDEN, `${name}.golden.txt`), 'utf8');
const mask = (s: string): string => s.replace(/0x[0-9a-f]{5,16}/g, 'ADDR');
const sh = (cmds: string): string => {
  const r = vmlab(['shell', '-c', cmds]);
  return r.stdout + r.stderr;
};

describe('CS614 assignment 2 (btplus): part1_1.c, part1_2.c, part2.c, part3.c', () => {
  it('every case of the assignment passes, with the driver loaded (golden transcript)', () => {
    const out = sh('insmod btplus; part1_1; echo status=$?; part1_2; echo status=$?; part2; echo status=$?; part3; echo status=$?');
    expect(mask(out)).toBe(golden('btplus'));
    // part 1.1 moved its VMA to the free range it chose, part 1.2 to a hole above the old range.
    const moves = [...out.matchAll(/moved \[0x([0-9a-f]+), \+16384\) to 0x([0-9a-f]+)/g)].map((m) => [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)]);
    expect(moves).toHaveLength(2);
    expect(moves[1]![1]).toBeGreaterThanOrEqual(moves[1]![0] + 16384n);
  });

  it('without the driver each says so and exits 2', () => {
    const r = vmlab(['shell', '-c', 'part1_1; echo status=$?']);
    expect([r.stdout, r.stderr]).toEqual(['vmlab# part1_1\nvmlab# echo status=$?\nstatus=2\n', '/dev/btplus: No such file or directory\n']);
  });
});

describe("mtest's test.c (the report's program)", () => {
  it('runs in the background while listvma and findpage name it (golden transcript)', () => {
    const out = sh('insmod mtest; test &; sleep 0.01; ps; echo listvma > /proc/mtest; dmesg -c; kill %1');
    expect(mask(out)).toBe(golden('mtest'));
    // Its stdout is a pipe here, so "Ready" is still in the stdio buffer when it is killed, as on Linux.
    expect(out).not.toContain('Ready');
  });
});

// The tutorial's 3000memview2.c opens /dev/3000physicalview; the device is
// renamed from /dev/physicalview by issue 13's port of the physicalview
// driver. Until that lands this test is skipped, and says so in its name.
const PHYSICALVIEW_DEVICE = /\b3000physicalview\b/.test(sh('insmod physicalview; ls /dev'));
const memview2Title = PHYSICALVIEW_DEVICE
  ? 'prints every address virtual -> physical, as the tutorial does'
  : 'prints every address virtual -> physical (SKIPPED: the physicalview driver does not create /dev/3000physicalview yet; issue 13 ports it)';

describe('COMP3000 tutorial 8: 3000memview2.c with insmod physicalview', () => {
  it.skipIf(!PHYSICALVIEW_DEVICE)(memview2Title, () => {
    const out = sh('insmod physicalview; 3000memview2; echo status=$?');
    const lines = out.split('\n');
    const report = lines.filter((l) => / 0x[0-9a-f]{16} -> /.test(l));
    expect(lines).toContain('Memory map report (virtual -> physical)');
    expect(report.map((l) => l.slice(0, 9))).toEqual([
      'argv:    ', 'argv[0]: ', 'envp:    ', 'envp[0]: ', 'lmsg:    ', '&lmsg:   ', 'gmsg:    ', '&gmsg:   ', 'main:    ', '&buf:    ',
      ...Array.from({ length: 30 }, (_, i) => `buf[${String(i).padStart(2, '0')}]: `),
    ]);
    // Every address is mapped, and each physical address keeps its virtual address's page offset.
    for (const l of report) {
      const m = / 0x([0-9a-f]{16}) -> 0x([0-9a-f]{16})$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(BigInt(`0x${m![1]}`) & 0xfffn).toBe(BigInt(`0x${m![2]}`) & 0xfffn);
    }
    // The 30 buffers are 4096 + 16 bytes apart (malloc's header), so consecutive ones sit on different pages.
    const bufs = report.slice(10).map((l) => BigInt(`0x${/ 0x([0-9a-f]{16}) ->/.exec(l)![1]}`));
    for (let i = 1; i < bufs.length; i++) expect(bufs[i]! - bufs[i - 1]!).toBe(4112n);
    expect(out).toContain('status=0');
  });
});
