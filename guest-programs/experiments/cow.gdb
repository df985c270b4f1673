# cow.gdb: copy-on-write, watched and then rewound (docs/experiments/cow.md).
# vmlab debug --no-aslr -x guest-programs/experiments/cow.gdb --batch guest-programs/experiments/cow.s
#
# After fork, parent and child share page's frame; the parent's write faults
# on it and the kernel gives the parent a copy.
break parent
run
echo --- after fork: one frame, two mappings, read-only in both\n
p2v $pa(page)
info frames $pa(page) >> 12
pt page w
echo --- the parent writes to it\n
record
catch pagefault p,w
continue
stepi
echo --- the parent has a copy of its own: a new frame, writable, mapped once\n
v2p page
p2v $pa(page)
diff pagetables
echo --- rewind to before the fault: the shared frame again\n
reverse-stepi 2
v2p page
info frames $pa(page) >> 12
delete
continue
