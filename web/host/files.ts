// host/files.ts in the browser build (scripts/build-web.mjs substitutes this
// file for it): a page has no host files, so every path the user names is
// "no such file". The lab's programs and drivers are bundled instead
// (shell-programs.ts, builtins.ts here), and so are the source files the
// programs' line tables name (__VMLAB_WEB_SOURCES__, by the name the table
// gives): the debugger's source lines (emu/debugger/symbols.ts) read them here.

declare const __VMLAB_WEB_SOURCES__: Readonly<Record<string, string>> | undefined;

/** The most bytes vmlab reads from one host file (host/files.ts's bound; unused here). */
export const HOST_FILE_LIMIT = 64 * 1024 * 1024;

/** A host file's contents, or why it was not read: a reason to print after `PATH: `. */
export type HostFile<T> = { ok: true; value: T } | { ok: false; reason: string };

const NO_FILES = 'no such file (the browser build has no host files; the shipped programs are in /bin)';

/** Nothing is on the host. */
export function hostFileExists(_path: string): boolean {
  return false;
}

export function statHostFile(_path: string, _expected: string, _limit = HOST_FILE_LIMIT): HostFile<number> {
  return { ok: false, reason: NO_FILES };
}

export function readHostBytes(_path: string, _expected: string, _limit = HOST_FILE_LIMIT): HostFile<Uint8Array> {
  return { ok: false, reason: NO_FILES };
}

/** A bundled program source, else nothing. */
export function readHostText(path: string, _expected: string, _limit = HOST_FILE_LIMIT): HostFile<string> {
  const sources = typeof __VMLAB_WEB_SOURCES__ === 'undefined' ? {} : __VMLAB_WEB_SOURCES__;
  return Object.hasOwn(sources, path) ? { ok: true, value: sources[path]! } : { ok: false, reason: NO_FILES };
}

/** The longest line vmlab takes from a stream of commands (host/files.ts's bound). */
export const HOST_LINE_LIMIT = 1024 * 1024;

/** Streams of host input do not exist in the browser: the page's terminal sends whole lines. */
export function lineBounded(): never {
  throw new Error('lineBounded: no host streams in the browser build');
}
