# Drives a command on a real pseudo-terminal, for tests of interactive
# programs (line editing, history, Ctrl-C). Usage:
#   python3 pty-drive.py STEPS_JSON -- CMD ARGS...
# STEPS_JSON is a list of
#   ["wait", TEXT]   until TEXT appears in the output after what the previous
#                    waits matched (escape sequences and carriage returns are
#                    ignored when matching): each wait consumes its match, so
#                    waiting for the prompt twice waits for two prompts;
#   ["send", TEXT]   written as typed.
# After the last step the driver waits for the program to exit. Nothing is
# timed: every step waits for what the program prints. The one clock is a
# guard against a hang (GUARD_SECONDS for a wait, or for the exit), which
# fails the run (status 3, the reason on stderr) instead of blocking the tests.
# Everything the program printed is written to stdout at the end; the status
# is 0 when every wait was met and the program exited.
import json, os, pty, re, select, sys, time

GUARD_SECONDS = 120
ESCAPES = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r')

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b''
eof = False


def pump(timeout):
    """Reads what is there within `timeout` seconds; notes end of output."""
    global out, eof
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return
    try:
        data = os.read(fd, 65536)
    except OSError:
        data = b''
    if not data:
        eof = True
    out += data


def fail(why):
    sys.stdout.write(out.decode('utf8', 'replace'))
    sys.stderr.write(f'pty-drive: {why}\n')
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    sys.exit(3)


cursor = 0
for kind, arg in steps:
    if kind == 'wait':
        want = arg.encode()
        guard = time.monotonic() + GUARD_SECONDS
        while True:
            seen = ESCAPES.sub(b'', out)
            at = seen.find(want, cursor)
            if at >= 0:
                cursor = at + len(want)
                break
            if eof or time.monotonic() > guard:
                fail(f'never saw {arg!r} ({"the program ended" if eof else "hung"})')
            pump(0.2)
    elif kind == 'send':
        os.write(fd, arg.encode())
    else:
        fail(f'unknown step {kind!r}')

guard = time.monotonic() + GUARD_SECONDS
while not eof:
    if time.monotonic() > guard:
        fail('the program did not exit after the last step')
    pump(0.2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(0 if os.WIFEXITED(status) else 4)
