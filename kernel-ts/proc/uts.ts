// uname(2)'s answers (Linux include/linux/utsname.h struct new_utsname: six
// 65-byte fields) and the boot banner.
export const UTS_SYSNAME = 'Linux';
export const UTS_NODENAME = 'vmlab';
export const UTS_RELEASE = '6.1.0-vmlab';
export const UTS_VERSION = '#1 SMP PREEMPT vmlab';
export const UTS_MACHINE = 'riscv64';
export const UTS_DOMAINNAME = '(none)';
/** __NEW_UTS_LEN + 1. */
export const UTS_FIELD = 65;

/** struct new_utsname as bytes: sysname, nodename, release, version, machine, domainname. */
export function encodeUtsname(): Uint8Array {
  const b = new Uint8Array(6 * UTS_FIELD);
  const enc = new TextEncoder();
  [UTS_SYSNAME, UTS_NODENAME, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, UTS_DOMAINNAME].forEach((s, i) =>
    b.set(enc.encode(s).subarray(0, UTS_FIELD - 1), i * UTS_FIELD),
  );
  return b;
}

/** The first log line, as Linux's linux_banner. */
export function bootBanner(paging: 4 | 5): string {
  return `Linux version ${UTS_RELEASE} (vmlab kernel 0.1, riscv64 guest, x86-64 paging, ${paging}-level) ${UTS_VERSION}`;
}
