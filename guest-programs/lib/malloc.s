# malloc.s: malloc, free, calloc, realloc, malloc_usable_size.
#
# Every block starts with a 16-byte header and the caller gets header + 16,
# so results are 16-byte aligned:
#   +0  size   bytes of the whole block (header included), a multiple of 16;
#              bit 0 (CHUNK_MMAPPED) marks a block that has its own mapping
#   +8  next   the next free block (free brk blocks only; unused otherwise)
#
# Requests below MMAP_THRESHOLD (128 KiB, glibc's M_MMAP_THRESHOLD) come
# from the brk heap: a first-fit search of one free list kept in address
# order (so free() coalesces with both neighbours), else carved off the
# "top", the never-used space between heap_top and heap_end (the break as
# malloc left it); the break grows in 64 KiB steps. A block is round16(n +
# 16) bytes (at least 32), so equal requests carved in a row sit at a
# constant stride (4096-byte requests: 4112 bytes apart). A freed block that
# ends at heap_top goes back to the top instead of the list; the break is
# never lowered. Larger requests get their own anonymous mmap (rounded up to
# whole pages, the header at the start of the mapping), and free() munmaps it.
# If someone else moves the break (sbrk), malloc starts a new top at the new
# break and abandons the rest of the old one.
        .include "linux.inc"

        .equ    HDR, 16
        .equ    MIN_BLOCK, 32
        .equ    CHUNK_MMAPPED, 1
        .equ    MMAP_THRESHOLD, 128 * 1024
        .equ    HEAP_STEP, 64 * 1024
        .equ    PAGE_SIZE, 4096

        .bss
        .p2align 3
heap_top:  .zero 8                      # 0 until the first brk-heap request
heap_end:  .zero 8
free_head: .zero 8

        .text
# void *malloc(size_t n): a 16-aligned block of at least n bytes, or NULL
# with errno = ENOMEM. malloc(0) returns a unique minimum-size block.
        .globl  malloc
        .type   malloc, @function
malloc:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        sd      s2, 0(sp)
        addi    fp, sp, 32
        li      t0, MMAP_THRESHOLD
        bgeu    a0, t0, .Lbig
        addi    s1, a0, HDR + 15        # s1 = block size
        andi    s1, s1, -16
        li      t0, MIN_BLOCK
        bgeu    s1, t0, 1f
        mv      s1, t0
1:      la      t0, free_head           # first fit: t0 = the link to t1
        ld      t1, 0(t0)
2:      beqz    t1, .Ltop
        ld      t2, 0(t1)
        bgeu    t2, s1, 3f
        addi    t0, t1, 8
        ld      t1, 8(t1)
        j       2b
3:      sub     t3, t2, s1              # found: split when the rest can be a block
        li      t4, MIN_BLOCK
        bltu    t3, t4, 4f
        add     t4, t1, s1
        sd      t3, 0(t4)
        ld      t5, 8(t1)
        sd      t5, 8(t4)
        sd      t4, 0(t0)
        sd      s1, 0(t1)
        j       .Lreturn
4:      ld      t5, 8(t1)               # take it whole
        sd      t5, 0(t0)
        j       .Lreturn

.Ltop:
        la      t0, heap_top
        ld      t1, 0(t0)
        bnez    t1, 1f
        li      a0, 0                   # first use: the heap starts at the break
        call    sbrk
        li      t0, -1
        beq     a0, t0, .Lnomem
        la      t0, heap_end
        sd      a0, 0(t0)
        addi    a0, a0, 15
        andi    a0, a0, -16
        la      t0, heap_top
        sd      a0, 0(t0)
        mv      t1, a0
1:      la      t2, heap_end
        ld      t3, 0(t2)
        add     t4, t1, s1
        bgtu    t4, t3, 2f
        sd      s1, 0(t1)               # carve
        la      t0, heap_top
        sd      t4, 0(t0)
        j       .Lreturn
2:      sub     a0, t4, t3              # grow the break by the shortfall, in HEAP_STEP units
        li      t0, HEAP_STEP - 1
        add     a0, a0, t0
        not     t0, t0
        and     a0, a0, t0
        mv      s2, a0
        call    sbrk
        li      t0, -1
        beq     a0, t0, .Lnomem
        la      t2, heap_end
        ld      t3, 0(t2)
        add     t4, a0, s2
        sd      t4, 0(t2)
        beq     a0, t3, .Ltop           # contiguous: carve now
        addi    a0, a0, 15              # someone moved the break: a new top
        andi    a0, a0, -16
        la      t0, heap_top
        sd      a0, 0(t0)
        j       .Ltop

.Lbig:  # its own mapping: round_up(n + HDR, PAGE_SIZE), refusing wraparound
        li      t0, -PAGE_SIZE - HDR
        bgeu    a0, t0, .Lnomem
        li      t0, HDR + PAGE_SIZE - 1
        add     s1, a0, t0
        li      t0, -PAGE_SIZE
        and     s1, s1, t0
        li      a0, 0
        mv      a1, s1
        li      a2, PROT_READ | PROT_WRITE
        li      a3, MAP_PRIVATE | MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
        li      t0, -1
        beq     a0, t0, .Lfail          # mmap set errno
        ori     t0, s1, CHUNK_MMAPPED
        sd      t0, 0(a0)
        mv      t1, a0

.Lreturn:                               # t1 = the block
        addi    a0, t1, HDR
        j       .Lout
.Lnomem:
        la      t0, errno
        li      t1, ENOMEM
        sw      t1, 0(t0)
.Lfail:
        li      a0, 0
.Lout:
        ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        ld      s2, 0(sp)
        addi    sp, sp, 32
        ret
        .size   malloc, .-malloc

# void free(void *p): returns p's block (NULL: nothing). An mmapped block is
# unmapped; a brk block joins the address-ordered free list, merged with a
# free neighbour on either side, or returns to the top if it ends there.
        .globl  free
        .type   free, @function
free:
        beqz    a0, 9f
        addi    a0, a0, -HDR            # a0 = block
        ld      a1, 0(a0)               # a1 = size
        andi    t0, a1, CHUNK_MMAPPED
        beqz    t0, 1f
        andi    a1, a1, -16
        j       munmap                  # tail call: munmap(block, size)
1:      la      t2, free_head           # t2 = the link where a0 goes
        ld      t4, 0(t2)               # t4 = the first free block above a0
        li      t3, 0                   # t3 = the free block below a0, a2 = its link
        li      a2, 0
2:      beqz    t4, 3f
        bgeu    t4, a0, 3f
        mv      a2, t2
        mv      t3, t4
        addi    t2, t4, 8
        ld      t4, 8(t4)
        j       2b
3:      add     t5, a0, a1              # merge the block above
        bne     t5, t4, 4f
        ld      t6, 0(t4)
        add     a1, a1, t6
        ld      t4, 8(t4)
4:      sd      a1, 0(a0)
        sd      t4, 8(a0)
        sd      a0, 0(t2)
        beqz    t3, 5f                  # merge into the block below
        ld      t6, 0(t3)
        add     t5, t3, t6
        bne     t5, a0, 5f
        add     a1, a1, t6
        sd      a1, 0(t3)
        sd      t4, 8(t3)
        mv      a0, t3
        mv      t2, a2
5:      add     t5, a0, a1              # ends at the top: give it back
        la      t6, heap_top
        ld      t0, 0(t6)
        bne     t5, t0, 9f
        sd      zero, 0(t2)             # it is the last on the list
        sd      a0, 0(t6)
9:      ret
        .size   free, .-free

# size_t malloc_usable_size(void *p): bytes usable at p (0 for NULL).
        .globl  malloc_usable_size
        .type   malloc_usable_size, @function
malloc_usable_size:
        beqz    a0, 1f
        ld      a0, -HDR(a0)
        andi    a0, a0, -16
        addi    a0, a0, -HDR
1:      ret
        .size   malloc_usable_size, .-malloc_usable_size

# void *calloc(size_t n, size_t m): n*m zeroed bytes; NULL with errno =
# ENOMEM when n*m overflows or memory runs out.
        .globl  calloc
        .type   calloc, @function
calloc:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        addi    fp, sp, 32
        mulhu   t0, a0, a1
        mul     s1, a0, a1
        beqz    t0, 1f
        la      t0, errno
        li      t1, ENOMEM
        sw      t1, 0(t0)
        li      a0, 0
        j       2f
1:      mv      a0, s1
        call    malloc
        beqz    a0, 2f
        ld      t0, -HDR(a0)
        andi    t0, t0, CHUNK_MMAPPED
        bnez    t0, 2f                  # a fresh mapping is already zero
        li      a1, 0
        mv      a2, s1
        call    memset                  # returns its first argument
2:      ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        addi    sp, sp, 32
        ret
        .size   calloc, .-calloc

# void *realloc(void *p, size_t n): p's contents (up to n bytes) in a block
# of n bytes. realloc(NULL, n) = malloc(n); realloc(p, 0) frees p and
# returns NULL (glibc). A brk block shrinks in place (the tail is freed) and
# grows in place when it is the last block before the top (moving the break
# if needed); otherwise the data moves to a new block. On failure p is untouched
# and NULL is returned.
        .globl  realloc
        .type   realloc, @function
realloc:
        beqz    a0, .Lmalloc_tail
        addi    sp, sp, -64
        sd      ra, 56(sp)
        sd      fp, 48(sp)
        sd      s1, 40(sp)
        sd      s2, 32(sp)
        sd      s3, 24(sp)
        addi    fp, sp, 64
        bnez    a1, 1f
        call    free
        li      a0, 0
        j       .Lrealloc_out
1:
        mv      s1, a0                  # s1 = p
        mv      s2, a1                  # s2 = n
        addi    t0, a0, -HDR            # t0 = block
        ld      t1, 0(t0)               # t1 = size
        andi    t2, t1, CHUNK_MMAPPED
        andi    t1, t1, -16
        addi    s3, t1, -HDR            # s3 = usable now
        bnez    t2, 4f
        li      t2, MMAP_THRESHOLD
        bgeu    a1, t2, .Lmove
        addi    t2, a1, HDR + 15        # t2 = the block size n needs
        andi    t2, t2, -16
        li      t3, MIN_BLOCK
        bgeu    t2, t3, 2f
        mv      t2, t3
2:      bltu    t1, t2, 3f
        sub     t3, t1, t2              # shrink: free a tail worth a block
        li      t4, MIN_BLOCK
        bltu    t3, t4, .Lsame
        sd      t2, 0(t0)
        add     t4, t0, t2
        sd      t3, 0(t4)
        addi    a0, t4, HDR
        call    free
        j       .Lsame
3:      add     t3, t0, t1              # grow at the top?
        la      t4, heap_top
        ld      t5, 0(t4)
        bne     t3, t5, .Lmove
        add     t3, t0, t2              # t3 = the new end
        la      t5, heap_end
        ld      t6, 0(t5)
        bleu    t3, t6, 6f
        sd      t2, 0(sp)               # past the break: grow it (sbrk keeps s-registers only)
        sub     a0, t3, t6
        li      t0, HEAP_STEP - 1
        add     a0, a0, t0
        not     t0, t0
        and     a0, a0, t0
        sd      a0, 8(sp)
        call    sbrk
        la      t5, heap_end
        ld      t6, 0(t5)
        bne     a0, t6, .Lmove          # failed, or someone else moved the break
        ld      t0, 8(sp)
        add     t6, t6, t0
        sd      t6, 0(t5)
        ld      t2, 0(sp)
        addi    t0, s1, -HDR
        add     t3, t0, t2
        la      t4, heap_top
6:      sd      t2, 0(t0)
        sd      t3, 0(t4)
        j       .Lsame
4:      bleu    a1, s3, .Lsame          # an mmapped block keeps its mapping while n fits
.Lmove:
        mv      a0, s2
        call    malloc
        beqz    a0, .Lrealloc_out
        bleu    s2, s3, 5f              # copy min(n, usable)
        mv      s2, s3
5:      mv      a1, s1
        mv      a2, s2
        call    memcpy
        mv      s2, a0
        mv      a0, s1
        call    free
        mv      a0, s2
        j       .Lrealloc_out
.Lsame:
        mv      a0, s1
.Lrealloc_out:
        ld      ra, 56(sp)
        ld      fp, 48(sp)
        ld      s1, 40(sp)
        ld      s2, 32(sp)
        ld      s3, 24(sp)
        addi    sp, sp, 64
        ret
.Lmalloc_tail:
        mv      a0, a1
        j       malloc
        .size   realloc, .-realloc
