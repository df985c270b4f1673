// The module fuzzer's guest programs (tests/fuzz/targets/module.ts): a
// RISC-V program that opens the module's device or /proc file and reads,
// writes, ioctls, seeks, maps and touches it, closes and opens it again,
// with edge arguments (kernel and unmapped buffers, huge lengths, odd
// offsets). Every operation is one part of the case.
import type { Rng } from '../harness/rng';

export type GuestOp =
  | { readonly k: 'read' | 'write'; readonly buf: string; readonly len: string }
  | { readonly k: 'ioctl'; readonly cmd: string; readonly arg: string }
  | { readonly k: 'lseek'; readonly off: string; readonly whence: number }
  | { readonly k: 'mmap'; readonly len: number; readonly prot: number; readonly flags: number; readonly off: string }
  /** A load (or a store) at an offset into the last mapping, if there is one. */
  | { readonly k: 'touch'; readonly off: number; readonly store: boolean }
  | { readonly k: 'munmap' }
  | { readonly k: 'reopen' }
  /** sched_yield: the slice ends with the file open (the harness tries rmmod then). */
  | { readonly k: 'yield' };

export interface GuestProgram {
  /** The file it opens. */
  readonly path: string;
  readonly flags: number;
  readonly ops: readonly GuestOp[];
}

const BUFS = ['buf', 'buf', 'buf', '0', '0x1000', '0xffff888000000000', '0x7ffffffff000', '0x8000000000000000', 'buf+4090'];
const LENS = ['0', '1', '64', '4096', '8192', '0x7fffffff', '0xffffffffffffffff', '0x10000000000'];

/**
 * A program for the file at `path`; `ownMap`: the module maps its own page
 * (a store into the mapping is harmless); else only loads touch it.
 */
export function genGuest(r: Rng, path: string, ownMap: boolean): GuestProgram {
  const ops: GuestOp[] = [];
  const n = r.range(1, 10);
  for (let i = 0; i < n; i++) {
    const k = r.weighted({ read: 5, write: 4, ioctl: 3, lseek: 2, mmap: 3, touch: 3, munmap: 1, reopen: 1, yield: 1 } as const);
    switch (k) {
      case 'read':
      case 'write':
        ops.push({ k, buf: r.pick(BUFS), len: r.pick(LENS) });
        break;
      case 'ioctl':
        ops.push({ k, cmd: r.pick(['0', '1', '0x80086b01', '0xc0106b02', '0xffffffff', '0x5401']), arg: r.pick(BUFS) });
        break;
      case 'lseek':
        ops.push({ k, off: r.pick(['0', '1', '-1', '0x7fffffffffffffff', '4096']), whence: r.pick([0, 1, 2, 3, 4, -1]) });
        break;
      case 'mmap':
        ops.push({ k, len: r.pick([4096, 8192, 1]), prot: r.pick([1, 3, 3, 0, 7]), flags: r.pick([1, 1, 2]), off: r.pick(['0', '0', '4096', '0x7ffffffff000']) });
        break;
      case 'touch':
        ops.push({ k, off: r.pick([0, 8, 4088, 4096, 8184]), store: ownMap && r.chance(0.5) });
        break;
      case 'munmap':
      case 'reopen':
      case 'yield':
        ops.push({ k });
        break;
    }
  }
  return { path, flags: r.pick([2, 2, 0, 1, 0o4002]), ops };
}

const SYS = { sched_yield: 124, openat: 56, close: 57, lseek: 62, read: 63, write: 64, ioctl: 29, mmap: 222, munmap: 215, exit: 93 };

/** The program as assembly: s0 the fd, s1 the last mapping's address (or -errno), s2 its length. */
export function guestSource(g: GuestProgram): string {
  const L: string[] = ['.globl _start', '_start:', '  li s1, -1', '  li s2, 0'];
  const open = (): void => {
    L.push('  li a0, -100', '  la a1, path', `  li a2, ${g.flags}`, '  li a3, 0', `  li a7, ${SYS.openat}`, '  ecall', '  mv s0, a0');
  };
  const arg = (reg: string, v: string): void => {
    if (v === 'buf') L.push(`  la ${reg}, buf`);
    else if (v === 'buf+4090') L.push(`  la ${reg}, buf`, `  addi ${reg}, ${reg}, 2047`, `  addi ${reg}, ${reg}, 2043`);
    else L.push(`  li ${reg}, ${v}`);
  };
  open();
  g.ops.forEach((o, i) => {
    switch (o.k) {
      case 'read':
      case 'write':
        L.push('  mv a0, s0');
        arg('a1', o.buf);
        arg('a2', o.len);
        L.push(`  li a7, ${SYS[o.k]}`, '  ecall');
        break;
      case 'ioctl':
        L.push('  mv a0, s0', `  li a1, ${o.cmd}`);
        arg('a2', o.arg);
        L.push(`  li a7, ${SYS.ioctl}`, '  ecall');
        break;
      case 'lseek':
        L.push('  mv a0, s0', `  li a1, ${o.off}`, `  li a2, ${o.whence}`, `  li a7, ${SYS.lseek}`, '  ecall');
        break;
      case 'mmap':
        L.push('  li a0, 0', `  li a1, ${o.len}`, `  li a2, ${o.prot}`, `  li a3, ${o.flags}`, '  mv a4, s0', `  li a5, ${o.off}`, `  li a7, ${SYS.mmap}`, '  ecall', '  mv s1, a0', `  li s2, ${o.len}`);
        break;
      case 'touch':
        // Only into a mapping that was made (s1 is not -errno).
        L.push('  li t1, -4096', `  bgeu s1, t1, skip${i}`, `  li t0, ${o.off}`, '  add t0, s1, t0', o.store ? '  sd t1, 0(t0)' : '  ld t1, 0(t0)', `skip${i}:`);
        break;
      case 'munmap':
        L.push('  li t1, -4096', `  bgeu s1, t1, skip${i}`, '  mv a0, s1', '  mv a1, s2', `  li a7, ${SYS.munmap}`, '  ecall', '  li s1, -1', `skip${i}:`);
        break;
      case 'reopen':
        L.push('  mv a0, s0', `  li a7, ${SYS.close}`, '  ecall');
        open();
        break;
      case 'yield':
        L.push(`  li a7, ${SYS.sched_yield}`, '  ecall');
        break;
    }
  });
  L.push('  li a0, 0', `  li a7, ${SYS.exit}`, '  ecall', '  .data', `path: .asciz ${JSON.stringify(g.path)}`, '  .align 12', 'buf: .space 8192');
  return `${L.join('\n')}\n`;
}

export function showGuestOp(o: GuestOp): string {
  switch (o.k) {
    case 'read':
    case 'write':
      return `${o.k}(fd, ${o.buf}, ${o.len})`;
    case 'ioctl':
      return `ioctl(fd, ${o.cmd}, ${o.arg})`;
    case 'lseek':
      return `lseek(fd, ${o.off}, ${o.whence})`;
    case 'mmap':
      return `mmap(0, ${o.len}, ${o.prot}, ${o.flags}, fd, ${o.off})`;
    case 'touch':
      return `${o.store ? 'store to' : 'load from'} map + ${o.off}`;
    case 'munmap':
      return 'munmap(map)';
    case 'reopen':
      return 'close(fd); open again';
    case 'yield':
      return 'sched_yield()';
  }
}
