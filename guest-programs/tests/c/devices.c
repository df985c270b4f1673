/* devices.c: file system calls whose answers are the same on any Linux:
 * /dev/null, /dev/zero (read, lseek, fstat, mmap private and shared across
 * fork), path errors, descriptor flags, and a piped stdout. */
#include "rt.h"

#define SYS_dup3 24
#define SYS_fcntl 25
#define SYS_ioctl 29
#define SYS_lseek 62
#define SYS_pread64 67
#define SYS_newfstatat 79
#define SYS_fstat 80
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define F_GETFD 1
#define F_GETFL 3
#define TCGETS 0x5401

struct stat {
  unsigned long dev, ino;
  unsigned int mode, nlink, uid, gid;
  unsigned long rdev, pad1;
  long size;
  int blksize, pad2;
  long blocks, atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
  unsigned int unused4, unused5;
};

static long sys_open(const char *path, int flags) { return syscall4(SYS_openat, AT_FDCWD, path, flags, 0); }

static unsigned char buf[8192];

int main(void) {
  check(sizeof(struct stat) == 128, "struct stat is 128 bytes", sizeof(struct stat), 128);
  long nul = sys_open("/dev/null", O_RDWR | O_CLOEXEC);
  check(nul >= 3, "open /dev/null", nul, 3);
  check(write((int)nul, buf, 100) == 100, "write to /dev/null", 0, 0);
  check(read((int)nul, buf, 100) == 0, "read from /dev/null is EOF", 0, 0);
  check(syscall3(SYS_lseek, nul, 100, 0) == 0, "lseek on /dev/null stays at 0", syscall3(SYS_lseek, nul, 100, 0), 0);
  check(syscall4(SYS_pread64, nul, buf, 10, 5) == 0, "pread of /dev/null", 0, 0);
  check(syscall3(SYS_fcntl, nul, F_GETFD, 0) == 1, "O_CLOEXEC shows as FD_CLOEXEC", syscall3(SYS_fcntl, nul, F_GETFD, 0), 1);
  check((syscall3(SYS_fcntl, nul, F_GETFL, 0) & 3) == O_RDWR, "F_GETFL gives O_RDWR", 0, 0);
  check(syscall3(SYS_dup3, nul, nul, 0) == -22, "dup3 onto itself is EINVAL", syscall3(SYS_dup3, nul, nul, 0), -22);

  struct stat st;
  check(syscall2(SYS_fstat, nul, &st) == 0, "fstat /dev/null", 0, 0);
  check((st.mode & 0170000) == 0020000, "it is a character device", st.mode & 0170000, 0020000);
  check((st.mode & 0777) == 0666, "mode 0666", st.mode & 0777, 0666);
  check(st.rdev == 0x103, "rdev 1:3", (long)st.rdev, 0x103);
  check(st.size == 0, "size 0", st.size, 0);
  check(syscall4(SYS_newfstatat, AT_FDCWD, "/dev/zero", &st, 0) == 0, "newfstatat /dev/zero", 0, 0);
  check(st.rdev == 0x105, "rdev 1:5", (long)st.rdev, 0x105);

  long zero = sys_open("/dev/zero", O_RDONLY);
  memset(buf, 0x55, sizeof buf);
  check(read((int)zero, buf, sizeof buf) == sizeof buf, "read 8 KiB of /dev/zero", 0, 0);
  long nonzero = 0;
  for (unsigned i = 0; i < sizeof buf; i++) nonzero += buf[i] != 0;
  check(nonzero == 0, "all zero", nonzero, 0);
  check(syscall3(SYS_lseek, zero, 4096, 0) == 0, "lseek on /dev/zero stays at 0", 0, 0);

  char *priv = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int)zero, 0);
  check((long)priv > 0, "mmap /dev/zero private", 0, 0);
  long sum = 0;
  for (long i = 0; i < (1 << 20); i += 4096) sum += priv[i];
  priv[5] = 9;
  check(sum == 0 && priv[5] == 9, "private /dev/zero is zeroed, writable memory", sum, 0);
  munmap(priv, 1 << 20);

  long zrw = sys_open("/dev/zero", O_RDWR);
  long *shared = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, (int)zrw, 0);
  check((long)shared > 0, "mmap /dev/zero shared", 0, 0);
  shared[0] = 1;
  int pid = fork();
  if (pid == 0) {
    shared[0] = 42;
    shared[1000] = 43;
    exit(0);
  }
  int status;
  waitpid(pid, &status);
  check(shared[0] == 42 && shared[1000] == 43, "shared /dev/zero memory is shared with the child", shared[0], 42);
  check((long)mmap(0, 4096, PROT_READ, MAP_PRIVATE, (int)nul, 0) == -19, "mmap of /dev/null is ENODEV", 0, 0);
  check((long)mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)zero, 0) == -13, "shared writable map of a read-only fd is EACCES", 0, 0);

  check(sys_open("/dev/null", O_WRONLY | O_DIRECTORY) == -20, "O_DIRECTORY on a device is ENOTDIR", 0, 0);
  check(sys_open("/", O_WRONLY) == -21, "opening / for writing is EISDIR", 0, 0);
  check(sys_open("/nonexistent", O_RDONLY) == -2, "a missing file is ENOENT", 0, 0);
  check(sys_open("/dev/null/x", O_RDONLY) == -20, "a path through a device is ENOTDIR", 0, 0);
  check(sys_open("", O_RDONLY) == -2, "an empty path is ENOENT", 0, 0);

  check(syscall4(SYS_pread64, 1, buf, 1, 0) == -29, "pread of a pipe or console is ESPIPE", syscall4(SYS_pread64, 1, buf, 1, 0), -29);
  check(syscall3(SYS_ioctl, 1, TCGETS, buf) == -25, "TCGETS on a pipe or console is ENOTTY", 0, 0);
  check(syscall2(SYS_fstat, 99, &st) == -9, "fstat of a closed fd is EBADF", 0, 0);
  return failures != 0;
}
