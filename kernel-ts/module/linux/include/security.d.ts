// <linux/security.h>: the checks the security layer makes on a mapping's
// address — vm.mmap_min_addr (/proc/sys/vm/mmap_min_addr), the lowest
// address a user mapping may have, so a NULL-pointer dereference in the
// kernel cannot hit user data. A driver that places a mapping itself (btplus
// moving a VMA) checks the address as get_unmapped_area would.

/**
 * security_mmap_addr(addr) (security/security.c, cap_mmap_addr in
 * security/commoncap.c): 0 when a mapping may start at user address addr,
 * -EPERM when addr is below mmap_min_addr (vmlab's processes never have
 * CAP_SYS_RAWIO). Reads the live sysctl value.
 */
export declare function security_mmap_addr(addr: bigint): number;
