// The guided pages of the five seed labs: a short walkthrough beside the
// live views, each step a command the student runs with one click (typed at
// the prompt as the keyboard would) and the view to look at, then the lab's
// own questions, from docs/labs/<lab>/README.md (bundled at build time). The
// page runs the built-in reference drivers (there is no compiler in a page:
// the students' own modules are graded with `vmlab lab check`).
/** docs/labs/<lab>/README.md by folder name (scripts/build-web.mjs defines it at build time). */
declare const __VMLAB_LAB_READMES__: Readonly<Record<string, string>>;
const readme = (lab: string): string => __VMLAB_LAB_READMES__[lab] ?? `# Lab: ${lab}`;

/** One step: what to do and see; the command the Run button types; the view to show after it. */
export interface LabStep {
  say: string;
  command?: string;
  view?: 'pt' | 'tlb' | 'maps' | 'frames' | 'faults' | 'cpu' | 'stops';
}

export interface Lab {
  id: string;
  title: string;
  /** The README's "What it teaches" paragraph. */
  teaches: string;
  steps: LabStep[];
  /** The README's questions, one string each (markdown code spans kept as `...`). */
  questions: string[];
}

/** The first line's title, the "What it teaches" paragraph and the numbered items of "## Questions". */
export function parseLabReadme(md: string): { title: string; teaches: string; questions: string[] } {
  const lines = md.split('\n');
  const title = (lines[0] ?? '').replace(/^#\s*(Lab:\s*)?/, '');
  const t = md.indexOf('**What it teaches:**');
  const teaches = t < 0 ? '' : md.slice(t + '**What it teaches:**'.length).split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  const questions: string[] = [];
  const q = lines.findIndex((l) => /^## Questions/.test(l));
  if (q >= 0) {
    for (const l of lines.slice(q + 1)) {
      if (/^## /.test(l)) break;
      const item = /^\d+\.\s+(.*)$/.exec(l);
      if (item) questions.push(item[1]!);
      else if (/^\s+\S/.test(l) && questions.length > 0) questions[questions.length - 1] += ` ${l.trim()}`;
    }
  }
  return { title, teaches, questions };
}

const STEPS: Record<string, { md: string; steps: LabStep[] }> = {
  memview2: {
    md: readme('physicalview'),
    steps: [
      { say: 'Load the reference driver: it registers /dev/physicalview and, through a class, /dev/3000physicalview.', command: 'insmod physicalview' },
      { say: 'memview2 asks the driver (an ioctl) for the physical address of argv, envp, a literal, a global, main and heap buffers. The Faults view shows the faults its first touches took.', command: 'memview2 3', view: 'faults' },
      { say: 'The tutorial\'s own C program, through /dev/3000physicalview. Its pages were faulted in anew: compare the frames.', command: '3000memview2', view: 'faults' },
      { say: 'Drop the page cache, run again: which physical addresses moved?', command: 'echo 3 > /proc/sys/vm/drop_caches' },
      { say: 'Run memview2 again and compare with the first run (question 4).', command: 'memview2 3' },
      { say: 'Hold a run to see the walk: set a breakpoint at memview2:report_memory in the Stops view, run memview2, then open Page tables and press "Expand the walk".', view: 'stops' },
    ],
  },
  mtest: {
    md: readme('mtest'),
    steps: [
      { say: 'Load the reference /proc/mtest driver.', command: 'insmod mtest' },
      { say: 'mtest-test drives /proc/mtest with its own pid: listvma, findpage (compared with /proc/self/pagemap), writeval, and a write after fork that must not reach the parent.', command: 'mtest-test' },
      { say: 'What the driver printed (listvma and findpage write to the kernel log).', command: 'dmesg' },
      { say: 'Run the report\'s program in the background; it waits while you look at it.', command: 'mtest-hold &' },
      { say: 'Let it allocate and print its buffer; then the VMAs view is its /proc/PID/maps, as listvma prints it.', command: 'sleep 1', view: 'maps' },
      { say: 'To see copy-on-write: tick "catch fork" in the Stops view and run mtest-test; the Frames view lists the frames parent and child share (mapcount 2).', view: 'stops' },
      { say: 'End the background job.', command: 'kill %1' },
    ],
  },
  'kmalloc-vmalloc': {
    md: readme('kmalloc-vmalloc'),
    steps: [
      { say: 'Load memalloc (part2_a) with choice=1: it allocates with vmalloc and publishes the address in sysfs.', command: 'insmod memalloc choice=1' },
      { say: 'The virtual address of the allocation.', command: 'cat /sys/kernel/memalloc/va' },
      { say: 'memaccess (part2_b) reads and writes the memory behind that address.', command: 'insmod memaccess' },
      { say: 'What both modules logged. The Frames view shows the vmalloc frames (V) apart from the slab (S): scattered pages, one virtual range.', command: 'dmesg', view: 'frames' },
      { say: 'Unload both, then try choice=0 (kmalloc): contiguous frames of the direct map.', command: 'rmmod memaccess' },
      { say: 'And memalloc.', command: 'rmmod memalloc' },
      { say: 'kmalloc this time.', command: 'insmod memalloc choice=0', view: 'frames' },
      { say: 'Unload it.', command: 'rmmod memalloc' },
    ],
  },
  mmapper: {
    md: readme('mmapper'),
    steps: [
      { say: 'Load the reference mmapper driver: its mmap maps kernel pages into the caller.', command: 'insmod mmapper' },
      { say: 'mmapper-test maps the device and reads and writes through the mapping. The Faults view shows how its pages came in.', command: 'mmapper-test', view: 'faults' },
      { say: 'What the driver logged.', command: 'dmesg' },
      { say: 'Unload it.', command: 'rmmod mmapper' },
    ],
  },
  btplus: {
    md: readme('btplus'),
    steps: [
      { say: 'Load the reference btplus driver.', command: 'insmod btplus' },
      { say: 'Its sysfs knob for huge-page promotion.', command: 'cat /sys/kernel/kobject_cs614/promote' },
      { say: 'Part 1.1: move a VMA to a free range (IOCTL_MVE_VMA_TO); the checks it prints.', command: 'btplus-part1_1' },
      { say: 'Part 1.2: move a VMA wherever it fits.', command: 'btplus-part1_2' },
      { say: 'Part 2: promote to 2 MiB pages. Page tables: a PMD entry marked PS and "2M page" is a huge page.', command: 'btplus-part2', view: 'pt' },
      { say: 'Part 3: compaction.', command: 'btplus-part3' },
      { say: 'Unload it.', command: 'rmmod btplus' },
    ],
  },
};

/** The five seed labs, in the order. */
export const LABS: Lab[] = Object.entries(STEPS).map(([id, { md, steps }]) => ({ id, ...parseLabReadme(md), steps }));
