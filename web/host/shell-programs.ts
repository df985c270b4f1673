// emu/cli/shell-programs.ts in the browser build (scripts/build-web.mjs
// substitutes this file for it): the programs a shell installs at boot, as
// the Node shell installs them (assembled guest-programs/programs/*.s and the
// prebuilt lab ELFs), made at build time and bundled (__VMLAB_WEB_PROGRAMS__:
// name -> base64 of the ELF).
import type { Kernel } from '../../kernel-ts/kernel';

declare const __VMLAB_WEB_PROGRAMS__: Readonly<Record<string, string>>;

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Installs every bundled program as /bin/<name>; the names installed, sorted. */
export function installPrograms(k: Kernel, _stderr: (s: string) => void): string[] {
  const names = Object.keys(__VMLAB_WEB_PROGRAMS__).sort();
  for (const name of names) k.vfs.addExecutable(`/bin/${name}`, fromBase64(__VMLAB_WEB_PROGRAMS__[name]!));
  return names;
}
