// <linux/kobject.h>: kobjects, the directories of /sys (lib/kobject.c).
// btplus's /sys/kernel/kobject_cs614:
//
//   const kobj = kobject_create_and_add('kobject_cs614', kernel_kobj);
//   if (!kobj) return -ENOMEM;
//   if (sysfs_create_file(kobj, promote_attr.attr)) ...      // sysfs.d.ts
//   ...
//   kobject_put(kobj);     // removes the directory and its attributes

/** struct kobject: a directory in /sys. */
export interface kobject {
  readonly name: string;
  readonly parent: kobject | null;
}

/** kernel_kobj: /sys/kernel. */
export declare const kernel_kobj: kobject;
/** mm_kobj: /sys/kernel/mm. */
export declare const mm_kobj: kobject;

/**
 * kobject_create_and_add(name, parent): the directory /sys/<parent>/name
 * (parent null: /sys/name), holding one reference. The kobject, or null
 * (the name exists: Linux's "sysfs: cannot create duplicate filename" line;
 * or it is not a name). Removed by the last kobject_put or at rmmod.
 */
export declare function kobject_create_and_add(name: string, parent: kobject | null): kobject | null;
/** kobject_get(kobj): one more reference; kobj. */
export declare function kobject_get(kobj: kobject): kobject;
/** kobject_put(kobj): drops a reference; the last one removes the directory with its attributes. null is ignored. */
export declare function kobject_put(kobj: kobject | null): void;
/** kobject_name(kobj). */
export declare function kobject_name(kobj: kobject): string;
