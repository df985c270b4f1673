// Writes the lab kit's skeletons (docs/labs/LAB/*.ts) from the reference
// drivers (kernel-ts/drivers/*.ts) that `vmlab lab check` runs, so the parts
// a skeleton gives (the /proc file, the parsing, the ioctl plumbing) are
// written once. A driver marks where its skeleton differs:
//
//     // EXERCISE 1 begin          (or `// SKELETON begin`: a difference that
//     //| // EXERCISE 1: ...         is no exercise, e.g. the file's header)
//     //| return -ENOSYS;
//     ...the reference's code...
//     // EXERCISE 1 end
//
// The `//|` lines right after `begin` are the skeleton's text there (what
// follows `//| `, after the marker's own indentation), the other lines up to
// `end` are the reference's only. Outside the regions a skeleton is its
// driver, line for line.
//
//   node scripts/lab-skeletons.mjs          writes the skeletons
//   node scripts/lab-skeletons.mjs --check  exits 1, naming each skeleton that
//                                           differs from its driver's
//                                           (tests/labs/skeletons.test.ts)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each skeleton (under docs/labs/) and the driver (under kernel-ts/drivers/) it is written from. */
export const SKELETONS = [
  ['kmalloc-vmalloc/part2_a.ts', 'memalloc.ts'],
  ['kmalloc-vmalloc/part2_b.ts', 'memaccess.ts'],
  ['kmalloc-vmalloc/walk.ts', 'memalloc-walk.ts'],
  ['mtest/mtest.ts', 'mtest.ts'],
  ['btplus/btplus.ts', 'btplus.ts'],
  ['btplus/btplus-huge.ts', 'btplus-huge.ts'],
  ['btplus/btplus-compact.ts', 'btplus-compact.ts'],
  ['btplus/btplus-walk.ts', 'btplus-walk.ts'],
  ['mmapper/mmapper.ts', 'mmapper.ts'],
  ['physicalview/physicalview.ts', 'physicalview.ts'],
];

const BEGIN = /^\s*\/\/ (EXERCISE \d+|SKELETON) begin$/;
const END = /^\s*\/\/ (EXERCISE \d+|SKELETON) end$/;
const TEXT = /^(\s*)\/\/\|(?: (.*))?$/;

/** The skeleton's text written from a driver's (`name` for messages); throws on a malformed region. */
export function skeletonOf(driver, name) {
  const out = [];
  let region = null; // { label, line, text: boolean }
  driver.split('\n').forEach((line, i) => {
    const at = `${name}:${i + 1}`;
    const b = BEGIN.exec(line);
    const e = END.exec(line);
    if (region === null) {
      if (e) throw new Error(`${at}: '${e[1]} end' with no begin`);
      if (b) region = { label: b[1], line: i + 1, text: true };
      else out.push(line);
      return;
    }
    if (b) throw new Error(`${at}: '${b[1]} begin' inside ${region.label} (line ${region.line})`);
    if (e) {
      if (e[1] !== region.label) throw new Error(`${at}: '${e[1]} end' closes ${region.label} (line ${region.line})`);
      region = null;
      return;
    }
    const t = region.text ? TEXT.exec(line) : null;
    if (t) out.push(t[2] === undefined ? '' : `${t[1]}${t[2]}`);
    else region.text = false;
  });
  if (region !== null) throw new Error(`${name}:${region.line}: ${region.label} has no end`);
  return out.join('\n');
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [skeleton, driver] of SKELETONS) {
    const want = skeletonOf(readFileSync(join(root, 'kernel-ts', 'drivers', driver), 'utf8'), `kernel-ts/drivers/${driver}`);
    const path = join(root, 'docs', 'labs', skeleton);
    if (check) {
      if (readFileSync(path, 'utf8') !== want) stale.push(`docs/labs/${skeleton}`);
    } else {
      writeFileSync(path, want);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`lab-skeletons: not what the drivers give (run node scripts/lab-skeletons.mjs): ${stale.join(', ')}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`lab-skeletons: ${e.message}\n`);
    process.exit(1);
  }
}
