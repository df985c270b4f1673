// The guest runtime library's self-checking programs (guest-programs/lib-tests)
// and what each must print: built once by vmlab's assembler together with
// guest-programs/lib/*.s, then run by the qemu and vmlab tiers alike.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmlab } from '../support/cli';

export const LIB_DIR = join(process.cwd(), 'guest-programs', 'lib');
export const LIB_TESTS = join(process.cwd(), 'guest-programs', 'lib-tests');
export const INCLUDE_DIR = join(process.cwd(), 'guest-programs', 'include');
export const LIB_SOURCES = readdirSync(LIB_DIR)
  .filter((f) => f.endsWith('.s'))
  .sort()
  .map((f) => join(LIB_DIR, f));

/** The environment both runners give the guest (vmlab run's own, with TERM=dumb). */
export const GUEST_ENV = { PATH: '/bin', HOME: '/', TERM: 'dumb' };

export interface LibProgram {
  name: string;
  args: string[];
  stdout: string;
}

/** "ok N - what" lines numbered from `first`. */
const okFrom = (first: number, ...lines: string[]): string => lines.map((l, i) => `ok ${first + i} - ${l}\n`).join('');
const tap = (...lines: string[]): string => okFrom(1, ...lines);

export const PROGRAMS: LibProgram[] = [
  {
    name: 'printf',
    args: [],
    stdout:
      '[   42|42   |00042|ff|deadbeefcafe|0x1000|str|A|%]\n' +
      '[(nil)|(null)|     (nil)|(null)  |]\n' +
      '[-1|-2147483648|4294967295|ffffffff|ABCDEF]\n' +
      '[-9223372036854775808|ffffffffffffffff|123|1234567890123]\n' +
      '[     7|7     |00005|+5| 255|0xff]\n' +
      '[     str|str     |st|  z]\n' +
      'ABC\n' +
      'puts adds a newline\n' +
      'x\n' +
      'dprintf str 2\n' +
      `${' '.repeat(599)}x|\n` +
      tap(
        'printf returns 602 for a 602-byte line',
        'snprintf returns the untruncated length',
        'snprintf keeps size-1 bytes and a NUL',
        'snprintf(size 0) counts',
        'snprintf(size 0) writes nothing',
        'sprintf returns the length',
        'sprintf %s %c %x %d',
        'snprintf %hhd %hd %hhu',
      ),
  },
  {
    name: 'strings',
    args: [],
    stdout: tap(
      'strlen("") = 0',
      'strlen("hello") = 5',
      'strcmp equal strings = 0',
      'strcmp abc < abd',
      'strcmp ab < abc',
      'strcmp compares unsigned chars',
      'strncmp stops after n',
      'strncmp abd > abc',
      'strncmp n = 0 is equal',
      'memcmp compares unsigned bytes',
      'memset at an odd address, low byte of c',
      'memcpy with equal misalignment',
      'memcpy with different alignment',
      'memmove to a higher overlapping address',
      'memmove to a lower overlapping address',
      'strncpy pads with NULs up to n',
      'strcpy + strcat',
      'strchr finds the first l',
      'strchr(s, 0) finds the terminator',
      'strchr of a missing char is NULL',
      'strrchr finds the last l',
      ...[
        'strtoul("42", 10)',
        'strtoul("0x1F", 0)',
        'strtoul("0x1f", 16)',
        'strtoul("1fg", 16)',
        'strtoul("017", 0) is octal',
        'strtoul("0", 0)',
        'strtoul("  -1", 10) negates',
        'strtoul("zz", 36)',
        'strtoul("0x", 0) parses just the 0',
        'strtoul("123abc", 10)',
        'strtoul("abc", 10) parses nothing',
        'strtoul("7778", 8)',
        'strtoul("1010", 2)',
        'strtoul("0xffffffffffffffff", 0)',
      ].flatMap((what) => [what, '  ... and *end']),
      'strtoul overflow gives ULONG_MAX',
      '  ... and errno = ERANGE',
      'atoi("  -123xyz")',
      'atoi wraps to int',
    ),
  },
  {
    name: 'heap',
    args: [],
    stdout: tap(
      '30 x malloc(4096) are 16-byte aligned',
      '  ... at a constant stride of 4112',
      'malloc_usable_size(malloc(4096)) = 4096',
      'a freed block is reused',
      'two freed neighbours coalesce',
      'malloc(200000) is mmapped: address = page + 16',
      '  ... whole pages usable',
      'calloc reuses the freed block',
      '  ... and zeroes it',
      'calloc(2^33, 2^33) overflows to NULL',
      '  ... errno = ENOMEM',
      'realloc 100 -> 50000 keeps contents',
      'realloc -> 300000 moves to a mapping',
      '  ... keeping contents',
      'realloc of a mapped block to 10 stays',
      'realloc 4096 -> 100 stays in place',
      'realloc of the top block grows in place',
      'malloc(0) returns distinct non-NULL blocks',
      'realloc(NULL, 24) allocates',
      'realloc(p, 0) frees and returns NULL',
      'odd sizes 1..197 are 16-byte aligned',
    ),
  },
  {
    name: 'process',
    args: ['one', 'two words'],
    stdout:
      'argc = 3\nargv[1] = one\nargv[2] = two words\n' +
      'ok 1 - argv[argc] is NULL\n' +
      '3 environment strings\ngetenv(PATH) = /bin\ngetenv(HOME) = /\ngetenv(TERM) = dumb\n' +
      okFrom(
        2,
        "environ is main's envp",
        'getenv("HOME")',
        'getenv("HOM") is NULL',
        'getauxval(AT_PAGESZ) = 4096',
        'getauxval(999) = 0, errno = ENOENT',
        'open of a missing file = -1',
        '  ... errno = ENOENT',
        'close(1000) = -1, errno = EBADF',
        'execve of a missing file = -1, errno = ENOENT',
      ) +
      'child: running\n' +
      okFrom(
        11,
        'waitpid returns the child',
        '  ... which exited 42',
        'a child killed by SIGKILL: status 9',
        'wait with no children = -1, errno = ECHILD',
        'sleep(0) = 0',
        'nanosleep(1 ms) = 0',
        'usleep(1000) = 0',
        'clock_gettime(CLOCK_MONOTONIC) twice, not backwards',
        'getrandom(16) = 16',
        'uname machine = riscv64',
        'sbrk(4096) returns the old break and moves it',
      ),
  },
  {
    name: 'signals',
    args: [],
    stdout:
      'ok 1 - sigaction(SIGSEGV, SA_SIGINFO | SA_NODEFER) = 0\n' +
      'recovered from SIGSEGV at 0x10\n' +
      okFrom(
        2,
        'si_signo = SIGSEGV',
        'si_code = SEGV_MAPERR',
        'si_addr of a store to an unmapped page',
        'a store to a read-only page: SEGV_ACCERR at its address',
        'SA_NODEFER: SIGSEGV not blocked after longjmp',
        'no SA_NODEFER: SIGSEGV still blocked after longjmp',
        'sigsetjmp(env, 1) + siglongjmp restore the mask',
        '  ... and sigsetjmp returns 1',
        'signal(SIGUSR1) returns the old SIG_DFL',
        'raise(SIGUSR1) ran the handler, which returned',
        'sigaddset sets bit sig - 1',
        'sigaddset(0) = -1, errno = EINVAL',
        'longjmp(env, 0) makes setjmp return 1',
      ),
  },
  {
    name: 'frames',
    args: [],
    stdout: tap(
      "4 frames from vformat up to _start's fp = 0",
      'vformat returns into vdprintf',
      'vdprintf returns into printf',
      'printf returns into main',
      'main returns into _start',
    ),
  },
];

const BUILD_DIR = mkdtempSync(join(tmpdir(), 'vmlab-libc-'));
const built = new Map<string, string>();

/** The program's ELF, assembled by `vmlab asm NAME.s guest-programs/lib/*.s` (once). */
export function buildLibProgram(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const out = join(BUILD_DIR, name);
  const r = vmlab(['asm', join(LIB_TESTS, `${name}.s`), ...LIB_SOURCES, '-o', out]);
  if (r.status !== 0) throw new Error(`vmlab asm ${name}.s failed:\n${r.stderr}`);
  built.set(name, out);
  return out;
}
