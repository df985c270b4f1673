// <linux/kobject.h> and <linux/sysfs.h> in vmlab/linux: btplus's
// /sys/kernel/kobject_cs614/promote (show with sysfs_emit, store parsing the
// text), groups, kobject_put, and rmmod undoing what is left.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../../../kernel-ts/kernel';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDONLY, O_WRONLY } from '../../../../kernel-ts/fs/file';
import { S_IFDIR, S_IFREG } from '../../../../kernel-ts/fs/stat';
import { EINVAL, EIO, ENOENT } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { boot, dmesg, getString, loader, putString, sys, userBuf } from './support';
import { catFile } from '../helpers';

function mode(k: Kernel, path: string): number {
  const i = k.vfs.lookup(path);
  return typeof i === 'number' ? i : i.mode;
}

/** echo TEXT > PATH from a process, through write(2): write's result. */
function echo(k: Kernel, path: string, text: string): number {
  return inProcess(k, (t) => {
    const u = userBuf(k, t);
    const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, path), O_WRONLY);
    if (fd < 0) return fd;
    putString(k, t, u, text);
    const r = sys(k, t, NR.write, fd, u, new TextEncoder().encode(text).length);
    sys(k, t, NR.close, fd);
    return r;
  });
}

describe('kobject_create_and_add and sysfs_create_file', () => {
  it("btplus's promote: reads give show's sysfs_emit text, writes reach store with the text and its count", () => {
    const { k } = boot();
    let promote = 0;
    const counts: bigint[] = [];
    const ld = loader(k, {
      btplus: {
        init: (L) => {
          const kobj = L.kobject_create_and_add('kobject_cs614', L.kernel_kobj);
          if (kobj === null) return -12;
          const attr = L.__ATTR('promote', 0o664, (_k, _a, buf) => L.sysfs_emit(buf, '%d\n', promote), (_k, _a, buf, count) => {
            counts.push(count);
            const v = Number.parseInt(buf, 10);
            if (Number.isNaN(v)) return -EINVAL;
            promote = v;
            return count;
          });
          return L.sysfs_create_file(kobj, attr.attr);
        },
      },
    });
    expect(ld.insmod('btplus')).toBe(0);
    expect(mode(k, '/sys/kernel/kobject_cs614')).toBe(S_IFDIR | 0o755);
    expect(mode(k, '/sys/kernel/kobject_cs614/promote')).toBe(S_IFREG | 0o664);
    expect(catFile(k, '/sys/kernel/kobject_cs614/promote')).toBe('0\n');
    expect(echo(k, '/sys/kernel/kobject_cs614/promote', '1\n')).toBe(2);
    expect(promote).toBe(1);
    expect(echo(k, '/sys/kernel/kobject_cs614/promote', 'x')).toBe(-EINVAL);
    expect(counts).toEqual([2n, 1n]);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/sys/kernel/kobject_cs614/promote'), O_RDONLY);
      expect(sys(k, t, NR.read, fd, u, 100)).toBe(2);
      expect(getString(k, t, u, 2)).toBe('1\n');
    });
    expect(ld.rmmod('btplus')).toBe(0);
    expect(k.vfs.lookup('/sys/kernel/kobject_cs614')).toBe(-ENOENT);
    expect(mode(k, '/sys/kernel')).toBe(S_IFDIR | 0o755);
  });

  it('groups, show returning text or -errno, a missing store, kobject_put removing the directory; a duplicate is NULL with Linux’s line', () => {
    const { k } = boot();
    const r: unknown[] = [];
    const ld = loader(k, {
      grp: {
        init: (L) => {
          const kobj = L.kobject_create_and_add('grpdemo', L.kernel_kobj)!;
          r.push(L.kobject_create_and_add('grpdemo', L.kernel_kobj));
          const a = L.__ATTR_RO('text', () => 'plain text\n');
          const b = L.__ATTR_RO('fails', () => -EIO);
          const c = L.__ATTR('long', 0o444, (_k, _a, buf) => {
            const n = L.sysfs_emit(buf, '%s', 'x'.repeat(5000));
            return n + L.sysfs_emit_at(buf, n, 'more');
          }, null);
          r.push(L.sysfs_create_group(kobj, { name: 'g', attrs: [a.attr, b, c.attr] }));
          r.push(L.sysfs_create_file(kobj, a.attr));
          r.push(L.sysfs_create_file(kobj, a.attr));
          return 0;
        },
      },
    });
    expect(ld.insmod('grp')).toBe(0);
    expect(r).toEqual([null, 0, 0, -17]);
    expect(dmesg(k)).toContain("sysfs: cannot create duplicate filename '/kernel/grpdemo'");
    expect(dmesg(k)).toContain("sysfs: cannot create duplicate filename '/kernel/grpdemo/text'");
    expect(catFile(k, '/sys/kernel/grpdemo/g/text')).toBe('plain text\n');
    expect(catFile(k, '/sys/kernel/grpdemo/g/fails')).toBe(-EIO);
    expect(catFile(k, '/sys/kernel/grpdemo/g/long')).toBe('x'.repeat(4095));
    // No store: the write is -EIO (Linux refuses the open for writing with -EACCES; vmlab's sysfs opens it).
    expect(echo(k, '/sys/kernel/grpdemo/text', '1')).toBe(-EIO);
    expect(ld.rmmod('grp')).toBe(0);
    expect(k.vfs.lookup('/sys/kernel/grpdemo')).toBe(-ENOENT);
  });

  it('kobject_put drops the directory and its files before rmmod', () => {
    const { k } = boot();
    const ld = loader(k, {
      put: {
        init: (L) => {
          const kobj = L.kobject_create_and_add('putdemo', L.kernel_kobj)!;
          L.sysfs_create_file(kobj, L.__ATTR_RO('v', () => '1\n'));
          L.kobject_get(kobj);
          L.kobject_put(kobj);
          expect(catFile(k, '/sys/kernel/putdemo/v')).toBe('1\n');
          L.kobject_put(kobj);
          expect(k.vfs.lookup('/sys/kernel/putdemo')).toBe(-ENOENT);
          L.kobject_put(L.kernel_kobj);
          expect(mode(k, '/sys/kernel')).toBe(S_IFDIR | 0o755);
          return 0;
        },
      },
    });
    expect(ld.insmod('put')).toBe(0);
    expect(ld.rmmod('put')).toBe(0);
  });
});
