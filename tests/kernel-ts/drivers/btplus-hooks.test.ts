// The core-mm hook points (kernel-ts/hooks.ts, docs/hooks.md): munmap,
// mprotect, mremap and vma_move call pre handlers before anything changes
// and post handlers after, with the mm, the range and the VMAs; a module's
// hooks are detached at rmmod; a throwing handler is an oops, not a crash.
import { describe, expect, it } from 'vitest';
import { registerHook } from '../../../kernel-ts/hooks';
import type { HookArgs } from '../../../kernel-ts/hooks';
import { LoadedModule } from '../../../kernel-ts/module/context';
import { doMprotect, doMunmap, PROT_READ } from '../../../kernel-ts/mm/mmap';
import { doMremap, MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import { IOCTL_PROMOTE_VMA, setup } from './btplus-support';

const PAGE = 4096;

describe('hook points', () => {
  it('munmap: pre sees the VMAs before the range goes, post after', () => {
    const s = setup();
    const mm = s.t.mm!;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    const seen: string[] = [];
    const off = registerHook(s.b.k.mm, 'munmap', {
      pre: (a) => seen.push(`pre ${a.start.toString(16)}-${a.end.toString(16)} ${a.vmas.length} ${mm.vmas.vmaLookup(buf + PAGE) !== null}`),
      post: (a) => seen.push(`post ${a.vmas[0]!.vmStart.toString(16)} ${mm.vmas.vmaLookup(buf + PAGE) !== null}`),
    });
    expect(doMunmap(s.b.k.mm, mm, buf + PAGE, PAGE)).toBe(0);
    expect(seen).toEqual(['pre 400001000-400002000 1 true', 'post 400000000 false']);
    off();
    doMunmap(s.b.k.mm, mm, buf, PAGE);
    expect(seen).toHaveLength(2);
  });

  it('mprotect, mremap and vma_move are points too', () => {
    const s = setup();
    const mm = s.t.mm!;
    const kmm = s.b.k.mm;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    const seen: HookArgs[] = [];
    for (const p of ['mprotect', 'mremap', 'vma_move'] as const) registerHook(kmm, p, { pre: (a) => seen.push(a) });
    expect(doMprotect(kmm, mm, buf, PAGE, PROT_READ)).toBe(0);
    expect(doMremap(kmm, mm, buf + PAGE, 3 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, 0x500000000)).toBe(0x500000000);
    expect(seen.map((a) => [a.point, a.start, a.end, a.to])).toEqual([
      ['mprotect', buf, buf + PAGE, undefined],
      ['mremap', buf + PAGE, buf + 4 * PAGE, undefined],
      ['vma_move', buf + PAGE, buf + 4 * PAGE, 0x500000000],
    ]);
  });

  it('a module\'s hooks are detached by rmmod (unregisterAll); a throw is an oops of current', () => {
    const s = setup();
    const mm = s.t.mm!;
    const kmm = s.b.k.mm;
    const lm = new LoadedModule(s.b.k, { name: 'hooker', init: () => 0 }, new Map(), PAGE, false, 0n);
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    let calls = 0;
    lm.registerHook('munmap', { pre: () => calls++ });
    doMunmap(kmm, mm, buf, PAGE);
    expect(calls).toBe(1);
    lm.unregisterAll();
    doMunmap(kmm, mm, buf + 2 * PAGE, PAGE);
    expect(calls).toBe(1);
    lm.registerHook('mprotect', { pre: () => { throw new Error('bad hook'); } });
    doMprotect(kmm, mm, buf + PAGE, PAGE, PROT_READ); // the oops kills current (its mm is torn down); the kernel carries on
    expect(s.b.k.printk.all().some((r) => r.text.includes('hook mprotect [hooker]'))).toBe(true);
  });
});

describe('btplus at rmmod', () => {
  it('its demotion hooks and its promotion thread go with it', async () => {
    const { kthreads } = await import('../../../kernel-ts/kthread');
    const s = setup();
    const kmm = s.b.k.mm;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    let calls = 0;
    registerHook(kmm, 'munmap', { pre: () => calls++ });
    expect(s.ioctl(IOCTL_PROMOTE_VMA, 0)).toBe(0);
    expect(kthreads(s.b.k)).toHaveLength(1);
    s.b.k.current = null;
    expect(s.b.k.modules.rmmod('btplus')).toBe(0);
    expect(kthreads(s.b.k)).toHaveLength(0);
    expect(s.b.k.vfs.lookup('/sys/kernel/kobject_cs614/promote')).toBeLessThan(0);
    // Only the test's own handler is left on the point.
    doMunmap(kmm, s.t.mm!, buf, PAGE);
    expect(calls).toBe(1);
    // A munmap cutting a huge page: split by the walker, no longer by btplus's hook.
    const { collapseHugePmd } = await import('../../../kernel-ts/mm/huge_memory');
    const H = 0x40000000;
    s.mmapAnon(2 * 1024 * 1024, H);
    for (let i = 0; i < 512; i++) s.put64(H + i * PAGE, i);
    expect(collapseHugePmd(kmm, s.t.mm!, H)).toBe(true);
    doMunmap(kmm, s.t.mm!, H + 100 * PAGE, PAGE);
    expect(s.b.k.printk.all().some((r) => r.text.startsWith('btplus: demoted'))).toBe(false);
    expect(s.get64(H + 99 * PAGE)).toBe(99);
  });
});
