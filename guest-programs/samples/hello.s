# hello.s: vmlab's first guest program.
# Copies "hello, vmlab\n" from .rodata into .bss with a loop, prints it with
# write(2) from a called function, then exits via exit_group(2) with the
# status stored in .data (7). Shows la, li, a numeric local label and call.
#
#   vmlab asm guest-programs/samples/hello.s -o hello && qemu-riscv64 ./hello; echo $?

        .equ    SYS_write, 64           # Linux riscv64 syscall numbers
        .equ    SYS_exit_group, 94
        .equ    STDOUT, 1

        .section .rodata
msg:    .ascii  "hello, vmlab\n"
msg_end:
        .byte   0                       # a C string, though write(2) does not need the NUL
        .equ    MSG_LEN, msg_end - msg

        .data
        .align  3
status: .dword  7                       # the exit status, read back at the end

        .bss
        .align  3
copy:   .zero   32                      # the message is copied here first

        .text
        .globl  _start
        .type   _start, @function
_start:
        # Copy the message into .bss byte by byte (a loop).
        la      a0, msg
        la      a1, copy
        li      a2, MSG_LEN
1:      lbu     t0, 0(a0)
        sb      t0, 0(a1)
        addi    a0, a0, 1
        addi    a1, a1, 1
        addi    a2, a2, -1
        bnez    a2, 1b

        # Print the copy.
        la      a0, copy
        li      a1, MSG_LEN
        call    print

        # exit_group(status)
        la      t0, status
        ld      a0, 0(t0)
        li      a7, SYS_exit_group
        ecall
        .size   _start, . - _start

# print(a0 = buffer, a1 = length): write(STDOUT, buffer, length)
        .type   print, @function
print:
        mv      a2, a1
        mv      a1, a0
        li      a0, STDOUT
        li      a7, SYS_write
        ecall
        ret
        .size   print, . - print
