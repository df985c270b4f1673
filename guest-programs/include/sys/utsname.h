/* sys/utsname.h: uname(2) (linux/utsname.h's new_utsname, 65-byte fields). */
#ifndef _VMLAB_SYS_UTSNAME_H
#define _VMLAB_SYS_UTSNAME_H

struct utsname {
  char sysname[65];
  char nodename[65];
  char release[65];
  char version[65];
  char machine[65];
  char domainname[65];
};

int uname(struct utsname *u);

#endif /* _VMLAB_SYS_UTSNAME_H */
