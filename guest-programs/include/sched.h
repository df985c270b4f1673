/* sched.h: sched_yield and the scheduling policies (linux/sched.h). */
#ifndef _VMLAB_SCHED_H
#define _VMLAB_SCHED_H
#include "vmlab/types.h"

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2

struct sched_param {
  int sched_priority;
};

int sched_yield(void);

#endif /* _VMLAB_SCHED_H */
