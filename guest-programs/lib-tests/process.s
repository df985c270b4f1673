# process.s: what crt0 passes main (argv, envp = environ, auxv), errno from
# failing system calls, fork + waitpid exit statuses, sleeps and clocks,
# getrandom, uname, sbrk. Run it with arguments and a known environment.
        .include "tap.inc"

        .equ    AT_PAGESZ, 6
        .equ    CLOCK_MONOTONIC, 1
        .equ    SIGKILL, 9

        .bss
        .p2align 3
saved_argv: .zero 8
saved_envp: .zero 8
parent_pid: .zero 8
ts0:        .zero 16
ts1:        .zero 16
buf:        .zero 400

        .text
        .globl  main
main:
        addi    sp, sp, -64
        sd      ra, 56(sp)
        sd      fp, 48(sp)
        sd      s1, 40(sp)
        sd      s2, 32(sp)
        sd      s3, 24(sp)
        addi    fp, sp, 64
        mv      s1, a0                  # argc
        la      t0, saved_argv
        sd      a1, 0(t0)
        la      t0, saved_envp
        sd      a2, 0(t0)

        la      a0, f_argc              # argv[1..] (argv[0] is the runner's business)
        mv      a1, s1
        call    printf
        li      s2, 1
1:      bge     s2, s1, 2f
        la      t0, saved_argv
        ld      t0, 0(t0)
        slli    t1, s2, 3
        add     t0, t0, t1
        la      a0, f_argv
        mv      a1, s2
        ld      a2, 0(t0)
        call    printf
        addi    s2, s2, 1
        j       1b
2:      la      t0, saved_argv
        ld      t0, 0(t0)
        slli    t1, s1, 3
        add     t0, t0, t1
        ld      a0, 0(t0)
        li      a1, 0
        la      a2, d_argv_null
        call    tap_eq

        la      t0, saved_envp          # the environment (its order is the runner's business)
        ld      s2, 0(t0)
        li      a1, 0
3:      slli    t1, a1, 3
        add     t1, s2, t1
        ld      t1, 0(t1)
        beqz    t1, 4f
        addi    a1, a1, 1
        j       3b
4:      la      a0, f_envc
        call    printf
        la      s2, env_names
41:     ld      a0, 0(s2)
        beqz    a0, 42f
        call    getenv
        mv      a2, a0
        ld      a1, 0(s2)
        la      a0, f_env
        call    printf
        addi    s2, s2, 8
        j       41b
42:     la      t0, environ
        ld      a0, 0(t0)
        la      t0, saved_envp
        ld      a1, 0(t0)
        la      a2, d_environ
        call    tap_eq
        la      a0, s_HOME
        call    getenv
        la      a1, s_slash
        la      a2, d_getenv
        call    tap_streq
        la      a0, s_HOM
        call    getenv
        li      a1, 0
        la      a2, d_getenv_prefix
        call    tap_eq
        li      a0, AT_PAGESZ
        call    getauxval
        li      a1, 4096
        la      a2, d_pagesz
        call    tap_eq
        li      a0, 999
        call    getauxval
        la      t0, errno
        lw      a1, 0(t0)
        add     a0, a0, a1
        li      a1, 2
        la      a2, d_auxv_missing
        call    tap_eq

        la      a0, s_missing           # errno from failing calls
        li      a1, 0
        li      a2, 0
        call    open
        li      a1, -1
        la      a2, d_open
        call    tap_eq
        la      t0, errno
        lw      a0, 0(t0)
        li      a1, 2
        la      a2, d_enoent
        call    tap_eq
        li      a0, 1000
        call    close
        la      t0, errno
        lw      a1, 0(t0)
        slli    a0, a0, 8
        or      a0, a0, a1              # (-1 << 8) | EBADF
        li      a1, -256 | 9
        la      a2, d_close
        call    tap_eq
        la      a0, s_missing
        la      a1, saved_argv
        ld      a1, 0(a1)
        la      a2, environ
        ld      a2, 0(a2)
        call    execve
        la      t0, errno
        lw      a1, 0(t0)
        slli    a0, a0, 8
        or      a0, a0, a1
        li      a1, -256 | 2
        la      a2, d_execve
        call    tap_eq

        call    getpid                  # fork: the child exits 42 if getppid() is the parent
        la      t0, parent_pid
        sd      a0, 0(t0)
        call    fork
        bnez    a0, 5f
        la      a0, s_child
        call    puts
        call    getppid
        la      t0, parent_pid
        ld      t0, 0(t0)
        li      a1, 1
        bne     a0, t0, 41f
        li      a1, 42
41:     mv      a0, a1
        call    exit
5:      mv      s2, a0
        sw      zero, 0(sp)
        mv      a0, s2
        mv      a1, sp
        li      a2, 0
        call    waitpid
        sub     a0, a0, s2
        li      a1, 0
        la      a2, d_waitpid
        call    tap_eq
        lw      a0, 0(sp)
        li      a1, 42 << 8             # WIFEXITED, WEXITSTATUS 42
        la      a2, d_exit_status
        call    tap_eq
        call    fork                    # a child that kills itself
        bnez    a0, 6f
        call    getpid
        li      a1, SIGKILL
        call    kill
        li      a0, 3
        call    exit
6:      sw      zero, 0(sp)
        mv      a0, sp
        call    wait
        lw      a0, 0(sp)
        li      a1, SIGKILL             # WIFSIGNALED, WTERMSIG 9
        la      a2, d_kill_status
        call    tap_eq
        mv      a0, sp
        call    wait
        la      t0, errno
        lw      a1, 0(t0)
        slli    a0, a0, 8
        or      a0, a0, a1
        li      a1, -256 | 10
        la      a2, d_echild
        call    tap_eq

        li      a0, 0                   # sleeps and clocks
        call    sleep
        li      a1, 0
        la      a2, d_sleep0
        call    tap_eq
        la      a0, ts0
        li      t0, 1000000
        sd      t0, 8(a0)
        li      a1, 0
        call    nanosleep
        li      a1, 0
        la      a2, d_nanosleep
        call    tap_eq
        li      a0, 1000
        call    usleep
        li      a1, 0
        la      a2, d_usleep
        call    tap_eq
        li      a0, CLOCK_MONOTONIC
        la      a1, ts0
        call    clock_gettime
        mv      s3, a0
        li      a0, CLOCK_MONOTONIC
        la      a1, ts1
        call    clock_gettime
        or      s3, s3, a0
        la      t0, ts0                 # t1 = ts0 in ns, t2 = ts1 in ns
        li      t3, 1000000000
        ld      t1, 0(t0)
        mul     t1, t1, t3
        ld      t4, 8(t0)
        add     t1, t1, t4
        la      t0, ts1
        ld      t2, 0(t0)
        mul     t2, t2, t3
        ld      t4, 8(t0)
        add     t2, t2, t4
        slt     t1, t2, t1              # went backwards?
        or      a0, s3, t1
        li      a1, 0
        la      a2, d_clock
        call    tap_eq

        la      a0, buf
        li      a1, 16
        li      a2, 0
        call    getrandom
        li      a1, 16
        la      a2, d_getrandom
        call    tap_eq
        la      a0, buf
        call    uname
        la      a0, buf + 4 * 65        # utsname.machine
        la      a1, s_riscv64
        la      a2, d_uname
        call    tap_streq

        li      a0, 0                   # sbrk moves the break it reports
        call    sbrk
        mv      s2, a0
        li      a0, 4096
        call    sbrk
        sub     s3, a0, s2
        li      a0, 0
        call    sbrk
        sub     a0, a0, s2
        add     a0, a0, s3
        li      a1, 4096
        la      a2, d_sbrk
        call    tap_eq

        call    tap_done
        ld      ra, 56(sp)
        ld      fp, 48(sp)
        ld      s1, 40(sp)
        ld      s2, 32(sp)
        ld      s3, 24(sp)
        addi    sp, sp, 64
        ret

        .data
        .p2align 3
env_names:  .dword s_PATH, s_HOME, s_TERM, 0

        .section .rodata
f_argc:     .asciz "argc = %d\n"
f_argv:     .asciz "argv[%d] = %s\n"
f_envc:     .asciz "%d environment strings\n"
f_env:      .asciz "getenv(%s) = %s\n"
s_PATH:     .asciz "PATH"
s_TERM:     .asciz "TERM"
s_HOME:     .asciz "HOME"
s_HOM:      .asciz "HOM"
s_slash:    .asciz "/"
s_missing:  .asciz "/no/such/file"
s_child:    .asciz "child: running"
s_riscv64:  .asciz "riscv64"
d_argv_null: .asciz "argv[argc] is NULL"
d_environ:  .asciz "environ is main's envp"
d_getenv:   .asciz "getenv(\"HOME\")"
d_getenv_prefix: .asciz "getenv(\"HOM\") is NULL"
d_pagesz:   .asciz "getauxval(AT_PAGESZ) = 4096"
d_auxv_missing: .asciz "getauxval(999) = 0, errno = ENOENT"
d_open:     .asciz "open of a missing file = -1"
d_enoent:   .asciz "  ... errno = ENOENT"
d_close:    .asciz "close(1000) = -1, errno = EBADF"
d_execve:   .asciz "execve of a missing file = -1, errno = ENOENT"
d_waitpid:  .asciz "waitpid returns the child"
d_exit_status: .asciz "  ... which exited 42"
d_kill_status: .asciz "a child killed by SIGKILL: status 9"
d_echild:   .asciz "wait with no children = -1, errno = ECHILD"
d_sleep0:   .asciz "sleep(0) = 0"
d_nanosleep: .asciz "nanosleep(1 ms) = 0"
d_usleep:   .asciz "usleep(1000) = 0"
d_clock:    .asciz "clock_gettime(CLOCK_MONOTONIC) twice, not backwards"
d_getrandom: .asciz "getrandom(16) = 16"
d_uname:    .asciz "uname machine = riscv64"
d_sbrk:     .asciz "sbrk(4096) returns the old break and moves it"
