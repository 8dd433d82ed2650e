#!/usr/bin/env python3
"""ptree.py: process-tree measurements for the benchmarks (bench/mta.sh).

  ptree.py reaper PIDFILE CMD...   runs CMD as a child subreaper: every process
                                   CMD leaves behind (daemons that fork away,
                                   delivery processes whose parent left) is
                                   re-parented to this process and reaped by
                                   it, so that its CPU time is counted in this
                                   process's cutime/cstime; lives until SIGTERM
  ptree.py cpu PID                 CPU seconds (user + system) used by PID's
                                   tree: every live descendant's own and
                                   reaped children's time, plus PID's reaped
                                   children (not PID's own: the reaper idles)
  ptree.py pss PID                 proportional set size of PID's descendants
                                   in KB, from /proc/*/smaps_rollup
  ptree.py count PID               the number of PID's descendants
  ptree.py mbox FILE N TIMEOUT     waits until mbox FILE holds N messages
                                   ("From " lines), reading only what was
                                   appended; prints the count reached
  ptree.py sink FILE N TIMEOUT     waits until smtp-sink's -c output in FILE
                                   counts N messages; prints the count
  ptree.py sessions PORT N HOLD    opens N SMTP sessions to 127.0.0.1:PORT,
                                   each greeted and EHLO'd, prints "ready",
                                   keeps them HOLD seconds (or until
                                   SIGTERM), then QUITs them
"""
import os
import signal
import socket
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat_of(pid):
    """Fields of /proc/PID/stat after the command name, or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("latin-1")
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def children_map():
    """ppid -> [pid] over every process."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = stat_of(int(name))
        if st is not None:
            kids.setdefault(int(st[1]), []).append(int(name))
    return kids


def descendants(root):
    """Every live descendant of root (not root itself)."""
    kids = children_map()
    out, todo = [], list(kids.get(root, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu(root):
    """CPU seconds of root's tree (root's own time left out)."""
    ticks = 0
    st = stat_of(root)
    if st is not None:
        ticks += int(st[13]) + int(st[14])   # cutime, cstime: reaped orphans
    for p in descendants(root):
        st = stat_of(p)
        if st is not None:   # utime stime cutime cstime
            ticks += int(st[11]) + int(st[12]) + int(st[13]) + int(st[14])
    return ticks / TICK


def pss(root):
    """Proportional set size of root's descendants, KB."""
    total = 0
    for p in descendants(root):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def reaper(pidfile, argv):
    """Runs argv as a subreaper until SIGTERM; reaps everything."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("ptree: prctl(PR_SET_CHILD_SUBREAPER) failed")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    os.spawnvp(os.P_NOWAIT, argv[0], argv)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            if stop:
                return
            time.sleep(0.2)
        except InterruptedError:
            pass
        if stop and not descendants(os.getpid()):
            return


def mbox(path, want, timeout):
    """Waits for want messages in an mbox; prints the count reached."""
    deadline = time.monotonic() + timeout
    count, off, tail = 0, 0, b"\n"
    while True:
        try:
            with open(path, "rb") as f:
                f.seek(off)
                data = f.read()
        except FileNotFoundError:
            data = b""
        if data:
            off += len(data)
            # the new bytes, and a "\nFrom " split across two reads
            count += data.count(b"\nFrom ") + (tail + data[:5]).count(b"\nFrom ")
            tail = (tail + data)[-5:] if len(data) < 5 else data[-5:]
        if count >= want or time.monotonic() > deadline:
            print(count)
            return
        time.sleep(0.02)


def sink_count(path):
    """The last "mesg=N" of smtp-sink -c output, 0 if none."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 200))
            data = f.read()
    except FileNotFoundError:
        return 0
    i = data.rfind(b"mesg=")
    if i < 0:
        return 0
    j = i + 5
    while j < len(data) and data[j:j + 1].isdigit():
        j += 1
    return int(data[i + 5:j] or 0)


def sink(path, want, timeout):
    """Waits for smtp-sink to count want messages; prints the count."""
    deadline = time.monotonic() + timeout
    while True:
        n = sink_count(path)
        if n >= want or time.monotonic() > deadline:
            print(n)
            return
        time.sleep(0.02)


def sessions(port, n, hold):
    """Holds n greeted and EHLO'd SMTP sessions open."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), 30)
        socks.append(s)
    files = []
    for s in socks:
        f = s.makefile("rb")
        files.append(f)
        while True:   # the greeting
            line = f.readline()
            if not line or line[3:4] != b"-":
                break
        s.sendall(b"EHLO client.example.test\r\n")
        while True:
            line = f.readline()
            if not line or line[3:4] != b"-":
                break
    print("ready", flush=True)
    end = [time.monotonic() + hold]
    signal.signal(signal.SIGTERM, lambda *_: end.__setitem__(0, 0))
    while time.monotonic() < end[0]:
        time.sleep(0.1)
    for s, f in zip(socks, files):
        try:
            s.sendall(b"QUIT\r\n")
            f.readline()
        except OSError:
            pass
        s.close()


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "reaper":
        reaper(a[1], a[2:])
    elif a[0] == "cpu":
        print("%.2f" % cpu(int(a[1])))
    elif a[0] == "pss":
        print(pss(int(a[1])))
    elif a[0] == "count":
        print(len(descendants(int(a[1]))))
    elif a[0] == "mbox":
        mbox(a[1], int(a[2]), float(a[3]))
    elif a[0] == "sink":
        sink(a[1], int(a[2]), float(a[3]))
    elif a[0] == "sessions":
        sessions(int(a[1]), int(a[2]), float(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
