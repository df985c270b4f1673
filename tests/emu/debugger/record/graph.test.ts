// Object-graph snapshots restore in place: same objects, old contents.
import { describe, expect, it } from 'vitest';
import { captureGraph, restoreGraph } from '../../../../emu/debugger/record/graph';
import { Recorder } from '../../../../emu/debugger/record/recorder';
import { Kernel } from '../../../../kernel-ts/kernel';

const NONE = { exclude: () => false, excludeBuffers: new Set<ArrayBufferLike>() };

describe('graph snapshots', () => {
  it('restores objects, arrays, maps, sets and typed arrays in place, through cycles', () => {
    class Node {
      next: Node | null = null;
      constructor(public v: number) {}
    }
    const a = new Node(1), b = new Node(2);
    a.next = b;
    b.next = a; // a cycle
    const arr = [a, 5, 'x'];
    const map = new Map<string, Node>([['a', a]]);
    const set = new Set([b]);
    const ta = new Int32Array([1, 2, 3]);
    const root = { arr, map, set, ta, extra: 1 as number | undefined };
    const snap = captureGraph([root], NONE);

    a.v = 10;
    b.next = null;
    arr.push(7);
    arr[1] = 6;
    map.set('b', b);
    map.delete('a');
    set.clear();
    ta[2] = 99;
    delete root.extra;
    (root as Record<string, unknown>).added = true;
    const newNode = new Node(3);
    a.next = newNode;

    restoreGraph(snap);
    expect(a.v).toBe(1);
    expect(a.next).toBe(b);
    expect(b.next).toBe(a);
    expect(arr).toEqual([a, 5, 'x']);
    expect(root.arr).toBe(arr); // the same objects, not copies
    expect([...map.entries()]).toEqual([['a', a]]);
    expect([...set]).toEqual([b]);
    expect([...ta]).toEqual([1, 2, 3]);
    expect(root.extra).toBe(1);
    expect('added' in root).toBe(false);
  });

  it('leaves excluded objects and frozen objects alone, and reads accessors back', () => {
    const big = { v: 1 };
    const frozen = Object.freeze({ inner: { v: 1 } });
    let backing = 5;
    const withGetter = {
      get derived() {
        return backing;
      },
    };
    const root = { big, frozen, withGetter };
    const snap = captureGraph([root], { exclude: (o) => o === big, excludeBuffers: new Set() });
    big.v = 2;
    frozen.inner.v = 2; // a frozen object's children are still saved
    backing = 6;
    restoreGraph(snap);
    expect(big.v).toBe(2);
    expect(frozen.inner.v).toBe(1);
    expect(withGetter.derived).toBe(6); // state behind a getter is not the snapshot's to restore
  });

  it('shares unchanged blocks of a large typed array with the previous snapshot', () => {
    const ta = new Uint8Array(100_000);
    const root = { ta };
    const s1 = captureGraph([root], NONE);
    const s2 = captureGraph([root], NONE, s1);
    const b1 = new Set<Uint8Array>(), b2 = new Set<Uint8Array>();
    s1.blocks(b1);
    s2.blocks(b2);
    expect([...b2].every((b) => b1.has(b))).toBe(true);
    ta[50_000] = 7;
    const s3 = captureGraph([root], NONE, s2);
    const b3 = new Set<Uint8Array>();
    s3.blocks(b3);
    expect([...b3].filter((b) => !b2.has(b)).length).toBe(1); // only the changed block is new
    ta.fill(9);
    restoreGraph(s3);
    expect(ta[50_000]).toBe(7);
    expect(ta[0]).toBe(0);
    restoreGraph(s1);
    expect(ta[50_000]).toBe(0);
  });
});

describe('the recorder', () => {
  it('saves a frame once per snapshot, restores RAM, and keeps the write log under its memory bound', () => {
    const k = Kernel.boot({ memSize: 64 << 20, aslr: false });
    const r = new Recorder(k);
    const mem = k.machine.mem;
    mem.write32(0x200000, 0x11111111);
    r.take(1, 0, null);
    mem.write32(0x200000, 0x22222222);
    mem.write32(0x200004, 0x33333333); // the same frame: saved once
    expect(r.snapshots[0]!.undo.size).toBe(1);
    r.take(2, 0, null);
    mem.write32(0x200000, 0x44444444);
    r.restore(0);
    expect(mem.read32(0x200000)).toBe(0x11111111);
    expect(mem.read32(0x200004)).toBe(0);
    expect(r.snapshots.length).toBe(1);

    r.maxBytes = 2 * 4096;
    r.take(3, 0, null);
    mem.write32(0x300000, 1);
    r.take(4, 0, null);
    mem.write32(0x301000, 1);
    mem.write32(0x302000, 1); // three frames saved: over the bound, the oldest snapshots go
    expect(r.snapshots.map((s) => s.pos)).toEqual([4]);
    expect(r.dropped).toBeGreaterThan(0);
    r.stop();
    expect(mem.writeObserver).toBeNull();
  });
});
