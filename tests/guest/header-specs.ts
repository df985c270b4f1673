// What tests/guest/headers-peer.test.ts compares for each of vmlab's standard
// headers (guest-programs/include): every object-like macro the header
// defines is found by the test itself (gcc -dM); listed here are the
// structs to lay out (sizeof, and offsetof and sizeof of each member), the
// function-like macros to evaluate on sample arguments, and the macros that
// are not constants (with the reason), which are left out.

export interface HeaderSpec {
  header: string;
  structs?: { type: string; members: string[] }[];
  /** Expressions using the header's function-like macros. */
  exprs?: string[];
  /** Object-like macros that are no constant: name -> why. */
  notConstant?: Record<string, string>;
}

const STDIO_STREAMS = {
  stdin: 'a variable (the address of a FILE)',
  stdout: 'a variable (the address of a FILE)',
  stderr: 'a variable (the address of a FILE)',
};

export const HEADERS: HeaderSpec[] = [
  {
    header: 'stdio.h',
    // FILE is opaque: glibc's 216-byte struct _IO_FILE is libio's own; programs only hold pointers to it.
    structs: [],
    notConstant: STDIO_STREAMS,
  },
  {
    header: 'stdlib.h',
    structs: [
      { type: 'div_t', members: ['quot', 'rem'] },
      { type: 'ldiv_t', members: ['quot', 'rem'] },
      { type: 'lldiv_t', members: ['quot', 'rem'] },
    ],
    notConstant: { MB_CUR_MAX: "glibc's is a call (__ctype_get_mb_cur_max()); the C locale's value 1 is vmlab's" },
  },
  { header: 'string.h' },
  { header: 'strings.h' },
  { header: 'ctype.h' },
  {
    header: 'unistd.h',
  },
  {
    header: 'fcntl.h',
    notConstant: { st_atime: 'a member alias', st_mtime: 'a member alias', st_ctime: 'a member alias' },
  },
  {
    header: 'sys/types.h',
    structs: [{ type: 'struct timespec', members: ['tv_sec', 'tv_nsec'] }],
    exprs: ['sizeof(ssize_t)', 'sizeof(off_t)', 'sizeof(pid_t)', 'sizeof(mode_t)', 'sizeof(uid_t)', 'sizeof(gid_t)', 'sizeof(dev_t)', 'sizeof(ino_t)', 'sizeof(nlink_t)', 'sizeof(blksize_t)', 'sizeof(blkcnt_t)', 'sizeof(time_t)', 'sizeof(clock_t)', 'sizeof(clockid_t)', 'sizeof(useconds_t)', 'sizeof(suseconds_t)', '(ssize_t)-1 < 0', '(off_t)-1 < 0', '(mode_t)-1 < 0', '(dev_t)-1 < 0', '(time_t)-1 < 0'],
  },
  {
    header: 'sys/stat.h',
    structs: [
      {
        type: 'struct stat',
        members: ['st_dev', 'st_ino', 'st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_rdev', 'st_size', 'st_blksize', 'st_blocks', 'st_atim', 'st_mtim', 'st_ctim', 'st_atim.tv_nsec', 'st_mtime', 'st_ctime'],
      },
    ],
    exprs: ['S_ISDIR(040755)', 'S_ISREG(0100644)', 'S_ISCHR(020620)', 'S_ISBLK(060660)', 'S_ISFIFO(010644)', 'S_ISLNK(0120777)', 'S_ISSOCK(0140755)', 'S_ISREG(040755)'],
    notConstant: { st_atime: 'a member alias (laid out above)', st_mtime: 'a member alias (laid out above)', st_ctime: 'a member alias (laid out above)' },
  },
  {
    header: 'sys/ioctl.h',
    structs: [{ type: 'struct winsize', members: ['ws_row', 'ws_col', 'ws_xpixel', 'ws_ypixel'] }],
    exprs: ["_IO('p', 1)", "_IOR('p', 2, long)", "_IOW('p', 3, int)", "_IOWR(0x70, 4, struct winsize)", "_IOC_DIR(_IOWR('p', 4, int))", "_IOC_TYPE(_IOW('q', 5, int))", "_IOC_NR(_IOW('q', 5, int))", "_IOC_SIZE(_IOR('q', 5, struct winsize))"],
  },
  { header: 'sys/mman.h' },
  {
    header: 'sys/wait.h',
    exprs: ['WEXITSTATUS(0x2a00)', 'WTERMSIG(0x8b)', 'WIFEXITED(0x2a00)', 'WIFEXITED(0x8b)', 'WIFSIGNALED(0x8b)', 'WIFSIGNALED(0x2a00)', 'WIFSIGNALED(0x137f)', 'WIFSTOPPED(0x137f)', 'WSTOPSIG(0x137f)', 'WIFCONTINUED(0xffff)', 'WCOREDUMP(0x8b)'],
  },
  {
    header: 'signal.h',
    structs: [
      { type: 'struct sigaction', members: ['sa_handler', 'sa_sigaction', 'sa_mask', 'sa_flags', 'sa_restorer'] },
      { type: 'siginfo_t', members: ['si_signo', 'si_errno', 'si_code', 'si_addr', 'si_pid', 'si_uid', 'si_status', 'si_value'] },
      { type: 'sigset_t', members: [] },
      { type: 'stack_t', members: ['ss_sp', 'ss_flags', 'ss_size'] },
      { type: 'union sigval', members: ['sival_int', 'sival_ptr'] },
    ],
    exprs: ['sigmask(SIGUSR1)', 'sigmask(SIGTERM)'],
    notConstant: {
      SIGRTMIN: "glibc's is a call (__libc_current_sigrtmin())",
      SIGRTMAX: "glibc's is a call (__libc_current_sigrtmax())",
      MINSIGSTKSZ: "glibc's is sysconf(_SC_MINSIGSTKSZ) under _GNU_SOURCE (2048, Linux's riscv64 value, without it)",
      SIGSTKSZ: "glibc's is sysconf(_SC_SIGSTKSZ) under _GNU_SOURCE (8192 without it)",
    },
  },
  {
    header: 'setjmp.h',
    structs: [
      { type: 'jmp_buf', members: [] },
      { type: 'sigjmp_buf', members: [] },
      { type: 'struct __jmp_buf_tag', members: ['__mask_was_saved', '__saved_mask'] },
    ],
  },
  { header: 'errno.h' },
  {
    header: 'time.h',
    structs: [
      { type: 'struct timespec', members: ['tv_sec', 'tv_nsec'] },
      { type: 'struct tm', members: ['tm_sec', 'tm_min', 'tm_hour', 'tm_mday', 'tm_mon', 'tm_year', 'tm_wday', 'tm_yday', 'tm_isdst', 'tm_gmtoff', 'tm_zone'] },
    ],
  },
  { header: 'sched.h', structs: [{ type: 'struct sched_param', members: ['sched_priority'] }] },
  { header: 'assert.h' },
  { header: 'limits.h' },
  {
    header: 'inttypes.h',
    structs: [{ type: 'imaxdiv_t', members: ['quot', 'rem'] }],
  },
  { header: 'sys/uio.h', structs: [{ type: 'struct iovec', members: ['iov_base', 'iov_len'] }] },
  {
    header: 'sys/utsname.h',
    structs: [{ type: 'struct utsname', members: ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'] }],
  },
  { header: 'sys/random.h' },
  { header: 'sys/auxv.h' },
  { header: 'malloc.h' },
];
