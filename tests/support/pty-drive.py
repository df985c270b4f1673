# Drives a command on a real pseudo-terminal, for tests of interactive
# programs (line editing, history, Ctrl-C). Usage:
#   python3 pty-drive.py STEPS_JSON -- CMD ARGS...
# STEPS_JSON is a list of ["wait", TEXT] (until TEXT has appeared in the
# output, at most 20 s), ["send", TEXT] (written as typed) and ["pause", SECONDS].
# Everything the program printed is written to stdout at the end.
import json, os, pty, select, sys, time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b''

def pump(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if not data:
                return
            out += data

for kind, arg in steps:
    if kind == 'wait':
        end = time.time() + 20
        while time.time() < end and arg.encode() not in out:
            pump(0.1)
    elif kind == 'send':
        os.write(fd, arg.encode())
    elif kind == 'pause':
        pump(float(arg))
pump(0.5)
sys.stdout.write(out.decode('utf8', 'replace'))
