# memview2.s: COMP3000's 3000memview2 (Tutorial 8) for vmlab: prints where
# some of its own addresses live in physical memory, asking the physicalview
# driver (insmod physicalview) through ioctl(PHYSICALVIEW_WALK).
# Assembled with the guest libc: `vmlab run memview2.s`, or `memview2` in
# `vmlab shell`. The C it is written from (3000memview2.c, same output):
#
#   struct physicalview_memory { unsigned long virt, phys; };
#   #define PHYSICALVIEW_WALK _IOWR('k', 1, struct physicalview_memory)
#   char *gmsg = "Global Message";
#   const int buffer_size = 30;
#
#   void report_memory(char *prefix, int fd, unsigned long virt) {
#     struct physicalview_memory mem = {};
#     mem.virt = virt;
#     if (ioctl(fd, PHYSICALVIEW_WALK, (unsigned long)&mem)) {
#       fprintf(stderr, "Error making ioctl call\n");
#       return;
#     }
#     if (!mem.phys) { printf("%s 0x%016lx -> UNKNOWN\n", prefix, mem.virt); return; }
#     printf("%s 0x%016lx -> 0x%016lx\n", prefix, mem.virt, mem.phys);
#   }
#
#   int main(int argc, char *argv[], char *envp[]) {
#     int n = buffer_size;                       /* vmlab: `memview2 N` reports N (<= 30) buffers, for short traces */
#     if (argc > 1 && atoi(argv[1]) >= 0 && atoi(argv[1]) < buffer_size) n = atoi(argv[1]);
#     char format[16];
#     char *lmsg = "Local Message";
#     char *buf[buffer_size];
#     int fd = open("/dev/physicalview", O_RDONLY);
#     if (fd < 0) { perror("open /dev/physicalview"); return 1; }   /* vmlab: the original does not check */
#     printf("Memory map report (virtual -> physical)\n");
#     report_memory("argv:    ", fd, (unsigned long)argv);
#     report_memory("argv[0]: ", fd, (unsigned long)argv[0]);
#     report_memory("envp:    ", fd, (unsigned long)envp);
#     report_memory("envp[0]: ", fd, (unsigned long)envp[0]);
#     report_memory("lmsg:    ", fd, (unsigned long)lmsg);
#     report_memory("&lmsg:   ", fd, (unsigned long)&lmsg);
#     report_memory("gmsg:    ", fd, (unsigned long)gmsg);
#     report_memory("&gmsg:   ", fd, (unsigned long)&gmsg);
#     report_memory("main:    ", fd, (unsigned long)&main);
#     report_memory("&buf:    ", fd, (unsigned long)&buf);
#     for (int i = 0; i < n; i++) {
#       buf[i] = (char *)malloc(4096);
#       snprintf(format, 16, "buf[%02d]: ", i);
#       report_memory(format, fd, (unsigned long)buf[i]);
#     }
#     return 0;
#   }

        .equ    O_RDONLY, 0
        .equ    STDERR, 2
        # _IOWR('k', 1, 16): dir 3 << 30 | size 16 << 16 | 'k' << 8 | nr 1
        .equ    PHYSICALVIEW_WALK, 0xc0106b01
        .equ    BUFFER_SIZE, 30
        .equ    BUF_BYTES, 4096

        .section .rodata
s_dev:          .asciz  "/dev/physicalview"
s_open:         .asciz  "open /dev/physicalview"
s_title:        .asciz  "Memory map report (virtual -> physical)\n"
s_ioctl_err:    .asciz  "Error making ioctl call\n"
f_unknown:      .asciz  "%s 0x%016lx -> UNKNOWN\n"
f_mapped:       .asciz  "%s 0x%016lx -> 0x%016lx\n"
f_buf:          .asciz  "buf[%02d]: "
s_lmsg:         .asciz  "Local Message"
s_gmsg:         .asciz  "Global Message"
p_argv:         .asciz  "argv:    "
p_argv0:        .asciz  "argv[0]: "
p_envp:         .asciz  "envp:    "
p_envp0:        .asciz  "envp[0]: "
p_lmsg:         .asciz  "lmsg:    "
p_lmsgp:        .asciz  "&lmsg:   "
p_gmsg:         .asciz  "gmsg:    "
p_gmsgp:        .asciz  "&gmsg:   "
p_main:         .asciz  "main:    "
p_buf:          .asciz  "&buf:    "

        .data
        .p2align 3
        .globl  gmsg
gmsg:   .dword  s_gmsg                  # char *gmsg = "Global Message";

        .text
# report_memory(a0 = prefix, a1 = fd, a2 = virt)
        .type   report_memory, @function
report_memory:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        sd      s1, 24(sp)
        addi    fp, sp, 48
        mv      s1, a0
        sd      a2, 0(sp)               # mem.virt = virt
        sd      zero, 8(sp)             # mem.phys = 0
        mv      a0, a1
        li      a1, PHYSICALVIEW_WALK
        mv      a2, sp
        call    ioctl
        beqz    a0, 1f
        li      a0, STDERR
        la      a1, s_ioctl_err
        call    dprintf
        j       3f
1:      ld      a3, 8(sp)
        mv      a1, s1
        ld      a2, 0(sp)
        bnez    a3, 2f
        la      a0, f_unknown
        call    printf
        j       3f
2:      la      a0, f_mapped
        call    printf
3:      ld      s1, 24(sp)
        ld      fp, 32(sp)
        ld      ra, 40(sp)
        addi    sp, sp, 48
        ret
        .size   report_memory, . - report_memory

# Frame of main: buf[30] at 0(sp), format[16] at 240(sp), lmsg at 256(sp), saved s5..s1, fp, ra above.
        .equ    M_BUF, 0
        .equ    M_FORMAT, 240
        .equ    M_LMSG, 256

        .globl  main
        .type   main, @function
main:
        addi    sp, sp, -320
        sd      ra, 312(sp)
        sd      fp, 304(sp)
        sd      s1, 296(sp)
        sd      s2, 288(sp)
        sd      s3, 280(sp)
        sd      s4, 272(sp)
        sd      s5, 264(sp)
        addi    fp, sp, 320
        mv      s2, a1                  # argv
        mv      s3, a2                  # envp
        li      s5, BUFFER_SIZE         # n: buffers to report
        li      t0, 2
        blt     a0, t0, 1f
        ld      a0, 8(a1)
        call    atoi
        bltz    a0, 1f
        li      t0, BUFFER_SIZE
        bge     a0, t0, 1f
        mv      s5, a0
1:
        la      t0, s_lmsg
        sd      t0, M_LMSG(sp)          # char *lmsg = "Local Message";

        la      a0, s_dev
        li      a1, O_RDONLY
        call    open
        mv      s1, a0                  # fd
        bgez    s1, 1f
        la      a0, s_open
        call    perror
        li      a0, 1
        j       9f

1:      la      a0, s_title
        call    printf

        la      a0, p_argv
        mv      a1, s1
        mv      a2, s2
        call    report_memory
        la      a0, p_argv0
        mv      a1, s1
        ld      a2, 0(s2)
        call    report_memory
        la      a0, p_envp
        mv      a1, s1
        mv      a2, s3
        call    report_memory
        la      a0, p_envp0
        mv      a1, s1
        ld      a2, 0(s3)
        call    report_memory
        la      a0, p_lmsg
        mv      a1, s1
        ld      a2, M_LMSG(sp)
        call    report_memory
        la      a0, p_lmsgp
        mv      a1, s1
        addi    a2, sp, M_LMSG
        call    report_memory
        la      a0, p_gmsg
        mv      a1, s1
        la      t0, gmsg
        ld      a2, 0(t0)
        call    report_memory
        la      a0, p_gmsgp
        mv      a1, s1
        la      a2, gmsg
        call    report_memory
        la      a0, p_main
        mv      a1, s1
        la      a2, main
        call    report_memory
        la      a0, p_buf
        mv      a1, s1
        addi    a2, sp, M_BUF
        call    report_memory

        li      s4, 0                   # i
2:      bge     s4, s5, 3f
        li      a0, BUF_BYTES
        call    malloc
        slli    t0, s4, 3
        add     t0, sp, t0
        sd      a0, M_BUF(t0)           # buf[i] = malloc(4096)
        addi    a0, sp, M_FORMAT
        li      a1, 16
        la      a2, f_buf
        mv      a3, s4
        call    snprintf
        addi    a0, sp, M_FORMAT
        mv      a1, s1
        slli    t0, s4, 3
        add     t0, sp, t0
        ld      a2, M_BUF(t0)
        call    report_memory
        addi    s4, s4, 1
        j       2b
3:      li      a0, 0

9:      ld      s5, 264(sp)
        ld      s4, 272(sp)
        ld      s3, 280(sp)
        ld      s2, 288(sp)
        ld      s1, 296(sp)
        ld      fp, 304(sp)
        ld      ra, 312(sp)
        addi    sp, sp, 320
        ret
        .size   main, . - main
