// <linux/kobject.h> and <linux/sysfs.h>: kobjects as directories of /sys and
// kobj_attributes as its files, over LoadedModule.mkdir/sysfsCreate (rmmod
// removes what is left).
import type { LinuxEnv } from './env';
import type * as Kobject from './include/kobject';
import type * as Sysfs from './include/sysfs';
import type { kobject } from './include/kobject';
import type { attribute, attribute_group, kobj_attribute, sysfs_page } from './include/sysfs';
import { ssizeOf } from './fs';
import { vsprintf } from './printk';
import type { Inode } from '../../fs/inode';
import type { SysfsAttribute } from '../../fs/sysfs';
import { PAGE_SIZE } from '../../mm/page';
import { EEXIST, EINVAL, ENOENT } from '../../errno';
import { KERN_ERR } from '../../printk';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class KObject implements kobject {
  refs = 1;
  /** Attribute name -> its file. */
  readonly files = new Map<string, Inode>();
  constructor(
    readonly name: string,
    readonly parent: kobject | null,
    /** The path under /sys. */
    readonly path: string,
    readonly dir: Inode | null,
    /** Made by the kernel (kernel_kobj): never removed. */
    readonly permanent: boolean,
  ) {}
}

class Page implements sysfs_page {
  text = '';
}

/** The kobj_attribute each __ATTR* attribute belongs to (container_of). */
const owners = new WeakMap<attribute, kobj_attribute>();

function kattrOf(a: attribute | kobj_attribute): kobj_attribute {
  if ('attr' in a) return a;
  return owners.get(a) ?? { attr: a };
}

/** Byte length of a show page: at most PAGE_SIZE - 1 (fill_read_buffer's bound). */
function clip(text: string, n: number): string {
  const b = encoder.encode(text);
  return decoder.decode(b.subarray(0, Math.min(n, b.length, PAGE_SIZE - 1)));
}

export function sysfsApi(env: LinuxEnv): typeof Kobject & typeof Sysfs {
  const k = env.kernel;
  const kdir = (p: string): Inode | null => {
    const i = k.vfs.lookup(`/sys/${p}`);
    return typeof i === 'number' ? null : i;
  };
  const kernelKobj = new KObject('kernel', null, 'kernel', kdir('kernel'), true);
  const mmKobj = new KObject('mm', kernelKobj, 'kernel/mm', null, true);
  const alive = (ko: KObject): boolean => ko.permanent || (ko.dir !== null && ko.dir.parent.children?.get(ko.name) === ko.dir);

  const makeAttr = (name: string, mode: number, show: kobj_attribute['show'] | null, store: kobj_attribute['store'] | null): kobj_attribute => {
    const attr: attribute = { name, mode };
    const ka: kobj_attribute = { attr, ...(show && { show }), ...(store && { store }) };
    owners.set(attr, ka);
    return ka;
  };

  const createIn = (ko: KObject, dir: string, a: attribute | kobj_attribute): number => {
    if (!(ko instanceof KObject) || !alive(ko)) return -ENOENT;
    const ka = kattrOf(a);
    const kshow = ka.show;
    const kstore = ka.store;
    const attr: SysfsAttribute = {
      ...(kshow && {
        show: (): string | number => {
          const page = new Page();
          const r = kshow.call(ka, ko, ka, page);
          if (typeof r === 'string') return clip(r, PAGE_SIZE);
          const n = ssizeOf('show', r, env);
          if (n < 0) return n;
          if (n >= PAGE_SIZE) k.printk.log(`fill_read_buffer: ${ka.attr.name} show returned bad count`, KERN_ERR);
          return clip(page.text, n);
        },
      }),
      ...(kstore && { store: (text: string): number => ssizeOf('store', kstore.call(ka, ko, ka, text, BigInt(encoder.encode(text).length)), env) }),
    };
    const name = dir === '' ? ka.attr.name : `${dir}/${ka.attr.name}`;
    const r = env.module.sysfsCreate(`${ko.path}/${name}`, attr, ka.attr.mode & 0o7777);
    if (typeof r === 'number') {
      if (r === -EEXIST) k.printk.log(`sysfs: cannot create duplicate filename '/${ko.path}/${name}'`, KERN_ERR);
      return r;
    }
    ko.files.set(name, r);
    return 0;
  };
  const removeIn = (ko: KObject, dir: string, a: attribute | kobj_attribute): void => {
    if (!(ko instanceof KObject)) return;
    const name = dir === '' ? kattrOf(a).attr.name : `${dir}/${kattrOf(a).attr.name}`;
    const i = ko.files.get(name);
    if (i === undefined) return;
    ko.files.delete(name);
    env.module.sysfsRemove(i);
  };
  const emit = (buf: sysfs_page, at: number, fmt: string, args: unknown[]): number => {
    const page = buf as Page;
    const before = encoder.encode(page.text).subarray(0, at);
    const s = vsprintf(fmt, args);
    const room = PAGE_SIZE - 1 - before.length;
    const add = encoder.encode(s).subarray(0, Math.max(0, room));
    page.text = decoder.decode(before) + decoder.decode(add);
    return add.length;
  };

  return {
    kernel_kobj: kernelKobj,
    mm_kobj: mmKobj,
    kobject_create_and_add(name, parent) {
      const p = parent ?? null;
      if (p !== null && (!(p instanceof KObject) || !alive(p))) return null;
      if (typeof name !== 'string') return null;
      const path = p === null ? name : `${p.path}/${name}`;
      const r = env.module.mkdir('/sys', path, 0o755);
      if (typeof r === 'number') {
        if (r === -EEXIST) k.printk.log(`sysfs: cannot create duplicate filename '/${path}'`, KERN_ERR);
        return null;
      }
      return new KObject(name, p, path, r, false);
    },
    kobject_get(kobj) {
      if (kobj instanceof KObject) kobj.refs++;
      return kobj;
    },
    kobject_put(kobj) {
      if (!(kobj instanceof KObject) || kobj.permanent || kobj.refs <= 0) return;
      if (--kobj.refs > 0) return;
      kobj.files.clear();
      if (kobj.dir !== null) env.module.rmdir(kobj.dir);
    },
    kobject_name: (kobj) => kobj.name,

    __ATTR: makeAttr,
    __ATTR_RO: (name, show) => makeAttr(name, 0o444, show, null),
    __ATTR_WO: (name, store) => makeAttr(name, 0o200, null, store),
    __ATTR_RW: (name, show, store) => makeAttr(name, 0o644, show, store),
    sysfs_create_file: (kobj, attr) => createIn(kobj as KObject, '', attr),
    sysfs_remove_file: (kobj, attr) => removeIn(kobj as KObject, '', attr),
    sysfs_create_group(kobj, grp: attribute_group) {
      const ko = kobj as KObject;
      if (!(ko instanceof KObject) || !alive(ko)) return -ENOENT;
      const dir = grp.name ?? '';
      if (dir !== '' && env.module.mkdir('/sys', `${ko.path}/${dir}`, 0o755) === -EINVAL) return -EINVAL;
      for (const [i, a] of grp.attrs.entries()) {
        const r = createIn(ko, dir, a);
        if (r < 0) {
          for (const b of grp.attrs.slice(0, i)) removeIn(ko, dir, b);
          return r;
        }
      }
      return 0;
    },
    sysfs_remove_group(kobj, grp) {
      for (const a of grp.attrs) removeIn(kobj as KObject, grp.name ?? '', a);
      if (grp.name !== undefined && kobj instanceof KObject) {
        const d = k.vfs.lookup(`/sys/${kobj.path}/${grp.name}`);
        if (typeof d !== 'number') env.module.rmdir(d);
      }
    },
    sysfs_emit: (buf, fmt, ...args) => emit(buf, 0, fmt, args),
    sysfs_emit_at: (buf, at, fmt, ...args) => emit(buf, at, fmt, args),
  };
}
