# crt0.s: the process entry point. Linux starts _start with
#   sp -> argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs..., AT_NULL
# (fs/binfmt_elf.c create_elf_tables). _start sets environ and __auxv, calls
# main(argc, argv, envp) and passes its return value to exit(). getauxval
# and getenv read what _start recorded.
        .include "linux.inc"

        .bss
        .p2align 3
        .globl  environ, __environ, __auxv
        .type   environ, @object
environ:
__environ:
        .zero   8                       # char **environ
        .size   environ, 8
        .type   __auxv, @object
__auxv: .zero   8                       # the first auxv pair (u64 type, u64 value)
        .size   __auxv, 8

        .text
        .globl  _start
        .type   _start, @function
_start:
        li      fp, 0                   # the outermost frame: fp = ra = 0 end the chain
        li      ra, 0
        ld      a0, 0(sp)               # argc
        addi    a1, sp, 8               # argv
        slli    t0, a0, 3
        add     a2, a1, t0
        addi    a2, a2, 8               # envp = &argv[argc + 1]
        la      t0, environ
        sd      a2, 0(t0)
        mv      t1, a2
1:      ld      t2, 0(t1)               # auxv follows envp's NULL
        addi    t1, t1, 8
        bnez    t2, 1b
        la      t0, __auxv
        sd      t1, 0(t0)
        andi    sp, sp, -16             # the psABI wants 16; Linux already gives it
        call    main
        call    exit
        .size   _start, .-_start

# unsigned long getauxval(unsigned long type): the auxv value, or 0 with
# errno = ENOENT when the kernel did not pass that type (glibc's contract).
        .globl  getauxval
        .type   getauxval, @function
getauxval:
        la      t0, __auxv
        ld      t0, 0(t0)
1:      ld      t1, 0(t0)
        beqz    t1, 2f                  # AT_NULL
        addi    t0, t0, 16
        bne     t1, a0, 1b
        ld      a0, -8(t0)
        ret
2:      la      t0, errno
        li      t1, ENOENT
        sw      t1, 0(t0)
        li      a0, 0
        ret
        .size   getauxval, .-getauxval

# char *getenv(const char *name): the value of name in environ, or NULL.
        .globl  getenv
        .type   getenv, @function
getenv:
        la      t0, environ
        ld      t0, 0(t0)
        beqz    t0, 4f
1:      ld      t1, 0(t0)               # t1 = "NAME=value"
        beqz    t1, 4f
        mv      t2, a0
2:      lbu     t3, 0(t2)
        lbu     t4, 0(t1)
        beqz    t3, 3f
        bne     t3, t4, 5f
        addi    t2, t2, 1
        addi    t1, t1, 1
        j       2b
3:      li      t3, '='                 # name ended: a match if the entry has '=' here
        bne     t4, t3, 5f
        addi    a0, t1, 1
        ret
5:      addi    t0, t0, 8
        j       1b
4:      li      a0, 0
        ret
        .size   getenv, .-getenv
