/* sys/uio.h: scatter/gather I/O. */
#ifndef _VMLAB_SYS_UIO_H
#define _VMLAB_SYS_UIO_H
#include "../vmlab/types.h"

struct iovec {
  void *iov_base;
  size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#endif /* _VMLAB_SYS_UIO_H */
