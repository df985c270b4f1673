// Names of the entries drivers publish in /proc and /sys (Linux
// fs/proc/generic.c __proc_create and xlate_proc_name; sysfs's kobject and
// attribute names): a path relative to the root ('mtest', 'driver/x'; or
// with the root's own prefix, '/proc/mtest'), whose every component is a
// name: not empty, not '.' or '..', under 256 bytes. Anything else would
// leave the file system (`../../tmp/evil`) or make a name no lookup finds.
import { NAME_MAX } from './namei';

/** The components of `path` under `root` ('/proc' or '/sys'), or why it is not an entry's name (for the WARN line). */
export function entryPathParts(root: string, path: string): { parts: string[] } | { why: string } {
  const rel = path === root ? '' : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
  if (rel === '') return { why: 'empty name' };
  if (rel.startsWith('/')) return { why: `name '${rel}' is an absolute path outside ${root}` };
  const parts = rel.split('/');
  for (const p of parts) {
    if (p === '') return { why: `name '${rel}' has an empty component` };
    if (p === '.' || p === '..') return { why: `name '${p}'` };
    if (p.length > NAME_MAX) return { why: `name len ${p.length}` };
  }
  // __proc_create: a pid's name at the top of /proc would hide (or be hidden by) that process's directory.
  if (root === '/proc' && parts.length === 1 && /^[1-9][0-9]*$/.test(parts[0]!)) return { why: `create '/proc/${parts[0]}' by hand` };
  return { parts };
}
