# badptr.s: hands the kernel bad pointers and bad descriptors (xv6
# usertests style) and checks each answer: -EFAULT for NULL, kernel,
# unmapped and read-only destinations; -EBADF for closed descriptors. The
# kernel must survive every one; exit 0 when all checks pass.
        .include "sys.inc"
        .globl  _start
_start:
        li      s1, -1
        slli    s1, s1, 47              # 0xffff800000000000: a kernel address
        li      s2, 0x1000              # below mmap_min_addr: never mapped
        la      s3, _start              # read-only, executable text
        la      a1, p_zero
        li      a0, AT_FDCWD
        li      a2, O_RDONLY
        li      a3, 0
        li      a7, SYS_openat
        ecall
        mv      s0, a0                  # /dev/zero

        # read(2) into bad destinations
        mv      a0, s0
        li      a1, 0
        li      a2, 16
        li      a7, SYS_read
        ecall
        la      a2, l_r_null
        call    efault
        mv      a0, s0
        mv      a1, s1
        li      a2, 16
        li      a7, SYS_read
        ecall
        la      a2, l_r_kernel
        call    efault
        mv      a0, s0
        mv      a1, s2
        li      a2, 16
        li      a7, SYS_read
        ecall
        la      a2, l_r_unmapped
        call    efault
        mv      a0, s0
        mv      a1, s3
        li      a2, 16
        li      a7, SYS_read
        ecall
        la      a2, l_r_text
        call    efault

        # write(2) from bad sources
        li      a0, 1
        li      a1, 0
        li      a2, 16
        li      a7, SYS_write
        ecall
        la      a2, l_w_null
        call    efault
        li      a0, 1
        mv      a1, s1
        li      a2, 16
        li      a7, SYS_write
        ecall
        la      a2, l_w_kernel
        call    efault
        li      a0, 1
        mv      a1, s2
        li      a2, 5
        li      a7, SYS_write
        ecall
        la      a2, l_w_unmapped
        call    efault
        li      a0, 1
        la      a1, p_zero
        li      a2, -1
        srli    a2, a2, 17              # 2^47 - 1 bytes: past the end of user space
        li      a7, SYS_write
        ecall
        la      a2, l_w_huge
        call    efault

        # openat(2) with bad path pointers
        li      a0, AT_FDCWD
        li      a1, 0
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        la      a2, l_o_null
        call    efault
        li      a0, AT_FDCWD
        mv      a1, s1
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        la      a2, l_o_kernel
        call    efault
        li      a0, AT_FDCWD
        mv      a1, s2
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        la      a2, l_o_unmapped
        call    efault

        # fstat(2) and newfstatat(2)
        li      a0, 1
        li      a1, 0
        li      a7, SYS_fstat
        ecall
        la      a2, l_s_null
        call    efault
        li      a0, 1
        mv      a1, s1
        li      a7, SYS_fstat
        ecall
        la      a2, l_s_kernel
        call    efault
        li      a0, 1
        mv      a1, s3
        li      a7, SYS_fstat
        ecall
        la      a2, l_s_text
        call    efault
        li      a0, AT_FDCWD
        mv      a1, s2
        la      a2, iobuf
        li      a3, 0
        li      a7, SYS_newfstatat
        ecall
        la      a2, l_s_path
        call    efault

        # readv/writev: a bad iovec array, and a good array naming a bad buffer
        mv      a0, s0
        mv      a1, s2
        li      a2, 1
        li      a7, SYS_readv
        ecall
        la      a2, l_v_array
        call    efault
        la      t0, iov
        sd      s2, 0(t0)
        li      t1, 5
        sd      t1, 8(t0)
        li      a0, 1
        la      a1, iov
        li      a2, 1
        li      a7, SYS_writev
        ecall
        la      a2, l_v_buffer
        call    efault

        # bad descriptors and a missing file
        li      a0, -1
        la      a1, iobuf
        li      a2, 1
        li      a7, SYS_read
        ecall
        li      a1, -EBADF
        la      a2, l_b_read
        call    check
        li      a0, 1000
        la      a1, iobuf
        li      a2, 1
        li      a7, SYS_write
        ecall
        li      a1, -EBADF
        la      a2, l_b_write
        call    check
        li      a0, 1000
        li      a7, SYS_close
        ecall
        li      a1, -EBADF
        la      a2, l_b_close
        call    check
        li      a0, 555
        la      a1, iobuf
        li      a7, SYS_fstat
        ecall
        li      a1, -EBADF
        la      a2, l_b_fstat
        call    check
        li      a0, AT_FDCWD
        la      a1, p_missing
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        li      a1, -ENOENT
        la      a2, l_missing
        call    check
        call    finish

# efault(a0 = result, a2 = label): check(a0, -EFAULT, a2)
efault:
        li      a1, -EFAULT
        j       check

        .bss
        .align  3
iov:    .zero   16

        .section .rodata
p_zero:       .asciz "/dev/zero"
p_missing:    .asciz "/nonexistent/file"
l_r_null:     .asciz "read into NULL"
l_r_kernel:   .asciz "read into a kernel address"
l_r_unmapped: .asciz "read into an unmapped page"
l_r_text:     .asciz "read into read-only text"
l_w_null:     .asciz "write from NULL"
l_w_kernel:   .asciz "write from a kernel address"
l_w_unmapped: .asciz "write from an unmapped page"
l_w_huge:     .asciz "write with a length past user space"
l_o_null:     .asciz "openat with a NULL path"
l_o_kernel:   .asciz "openat with a kernel path pointer"
l_o_unmapped: .asciz "openat with an unmapped path"
l_s_null:     .asciz "fstat into NULL"
l_s_kernel:   .asciz "fstat into a kernel address"
l_s_text:     .asciz "fstat into read-only text"
l_s_path:     .asciz "newfstatat with an unmapped path"
l_v_array:    .asciz "readv with an unmapped iovec array"
l_v_buffer:   .asciz "writev of an unmapped buffer"
l_b_read:     .asciz "read from fd -1"
l_b_write:    .asciz "write to fd 1000"
l_b_close:    .asciz "close fd 1000"
l_b_fstat:    .asciz "fstat fd 555"
l_missing:    .asciz "openat of a missing file"
