// Snapshots of a JavaScript object graph, restored in place.
//
// The kernel's state is an ordinary graph of objects (tasks, mm_structs,
// VMAs, the buddy allocator's arrays, the TLB's arrays, the VFS...). A
// snapshot records, for every object reachable from the roots, what it holds:
// an object's own enumerable properties, an array's elements, a Map's
// entries, a Set's members, a typed array's contents. Restoring writes those
// back INTO THE SAME OBJECTS, so every reference to them (closures the kernel
// handed out, the debugger's own Task reference) stays valid; objects made
// after the snapshot simply become unreachable.
//
// Accessor properties (getters over other state) are neither saved nor
// restored: the state they read is saved where it lives.
//
// What it cannot see, by construction: variables captured by closures
// (functions are kept by reference, not entered), WeakMaps, and module-level
// variables (the recorder adds those it needs as extra roots). Objects the
// caller excludes (guest RAM, the decode cache) are neither entered nor saved.
//
// Large typed arrays are saved in blocks; a block equal to the same block of
// the previous snapshot is shared with it, so a snapshot costs memory in
// proportion to what changed (the frame table changes a few entries at a time).
import { equalBytes } from '../../../host/bytes';

/** The saved value of an accessor property: not saved, not restored. */
const ACCESSOR = Symbol('accessor');

/** Bytes per saved block of a typed array. */
const BLOCK = 16384;

type Typed = Exclude<ArrayBufferView, DataView>;

interface SavedTyped {
  /** The bytes of the array, in BLOCK-sized pieces. */
  blocks: Uint8Array[];
}

type Saved =
  | { k: 0; keys: string[]; values: unknown[] } // object
  | { k: 1; values: unknown[] } // array
  | { k: 2; entries: unknown[] } // Map: key, value, key, value...
  | { k: 3; values: unknown[] } // Set
  | { k: 4; t: SavedTyped }; // typed array

export interface GraphOptions {
  /** Objects not entered nor saved (and typed arrays over excluded buffers). */
  exclude: (o: object) => boolean;
  excludeBuffers: ReadonlySet<ArrayBufferLike>;
}

export class GraphSnapshot {
  constructor(readonly saved: Map<object, Saved>) {}

  /** Adds this snapshot's typed-array blocks (its own and the shared ones) to `into`. */
  blocks(into: Set<Uint8Array>): void {
    for (const sv of this.saved.values()) if (sv.k === 4) for (const b of sv.t.blocks) into.add(b);
  }
}

function bytesOf(a: Typed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function saveTyped(a: Typed, prev: Saved | undefined): SavedTyped {
  const bytes = bytesOf(a);
  const old = prev !== undefined && prev.k === 4 ? prev.t.blocks : null;
  const blocks: Uint8Array[] = [];
  for (let off = 0, i = 0; off < bytes.length; off += BLOCK, i++) {
    const cur = bytes.subarray(off, Math.min(off + BLOCK, bytes.length));
    const was = old !== null ? old[i] : undefined;
    blocks.push(was !== undefined && equalBytes(was, cur) ? was : cur.slice());
  }
  return { blocks };
}

/** Records everything reachable from roots; `prev` (an earlier snapshot of the same graph) lets unchanged blocks be shared. */
export function captureGraph(roots: readonly object[], opts: GraphOptions, prev: GraphSnapshot | null = null): GraphSnapshot {
  const saved = new Map<object, Saved>();
  const stack: unknown[] = [...roots];
  const visit = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !saved.has(v)) stack.push(v);
  };
  while (stack.length > 0) {
    const o = stack.pop() as object;
    if (saved.has(o) || opts.exclude(o)) continue;
    if (ArrayBuffer.isView(o)) {
      if (o instanceof DataView || opts.excludeBuffers.has(o.buffer)) continue;
      saved.set(o, { k: 4, t: saveTyped(o as Typed, prev?.saved.get(o)) });
      continue;
    }
    if (Array.isArray(o)) {
      const values = o.slice();
      saved.set(o, { k: 1, values });
      for (const v of values) visit(v);
      continue;
    }
    if (o instanceof Map) {
      const entries: unknown[] = [];
      for (const [key, v] of o) {
        entries.push(key, v);
        visit(key);
        visit(v);
      }
      saved.set(o, { k: 2, entries });
      continue;
    }
    if (o instanceof Set) {
      const values = [...o];
      saved.set(o, { k: 3, values });
      for (const v of values) visit(v);
      continue;
    }
    if (o instanceof ArrayBuffer || o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise || o instanceof RegExp || o instanceof Date) continue;
    const keys = Object.keys(o);
    const values = new Array<unknown>(keys.length);
    const rec = o as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const d = Object.getOwnPropertyDescriptor(o, keys[i]!)!;
      if (d.get !== undefined || d.set !== undefined) {
        values[i] = ACCESSOR; // computed from other state, which is saved where it lives
        continue;
      }
      const v = rec[keys[i]!];
      values[i] = v;
      visit(v);
    }
    if (!Object.isFrozen(o)) saved.set(o, { k: 0, keys, values });
    else saved.set(o, { k: 0, keys: [], values: [] });
  }
  return new GraphSnapshot(saved);
}

/** Puts every saved object back as it was when `s` was captured. */
export function restoreGraph(s: GraphSnapshot): void {
  for (const [o, sv] of s.saved) {
    switch (sv.k) {
      case 0: {
        if (sv.keys.length === 0 && Object.isFrozen(o)) break;
        const rec = o as Record<string, unknown>;
        const now = Object.keys(o);
        if (now.length !== sv.keys.length || now.some((key, i) => key !== sv.keys[i])) {
          const keep = new Set(sv.keys);
          for (const key of now) if (!keep.has(key)) delete rec[key];
        }
        for (let i = 0; i < sv.keys.length; i++) {
          const v = sv.values[i];
          if (v !== ACCESSOR) rec[sv.keys[i]!] = v;
        }
        break;
      }
      case 1: {
        const a = o as unknown[];
        a.length = sv.values.length;
        for (let i = 0; i < sv.values.length; i++) a[i] = sv.values[i];
        break;
      }
      case 2: {
        const m = o as Map<unknown, unknown>;
        m.clear();
        for (let i = 0; i < sv.entries.length; i += 2) m.set(sv.entries[i], sv.entries[i + 1]);
        break;
      }
      case 3: {
        const set = o as Set<unknown>;
        set.clear();
        for (const v of sv.values) set.add(v);
        break;
      }
      case 4: {
        const bytes = bytesOf(o as Typed);
        let off = 0;
        for (const b of sv.t.blocks) {
          bytes.set(b, off);
          off += b.length;
        }
        break;
      }
    }
  }
}
