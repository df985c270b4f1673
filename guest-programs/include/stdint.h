/* stdint.h: the compiler's (stdint-gcc.h); its own stdint.h would look for a libc one in a hosted build. */
#include "stdint-gcc.h"
