#!/usr/bin/env python3
"""durability_load: several SMTP clients sending messages to one daemon
until told to stop, through the daemon's deaths and restarts.

    durability_load.py PORT CLIENTS ACKED STOP

Each message carries a header "X-Durability-Id: <client>.<n>" (n unique in the run); the id is
appended to the file ACKED (one line, flushed at once) as soon as the reply
to the final dot is a 250, and only then.  A refused connection, a reset or a
reply that never comes makes the client start over with a new connection
(the message is sent again with a new id).  The clients stop when the file
STOP exists; the program prints "sent=N acked=N errors=N, the last: ...".
"""
import os
import socket
import sys
import threading
import time

port, clients, acked_path, stop_path = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                        sys.argv[4])
lock = threading.Lock()
counts = {"sent": 0, "acked": 0, "errors": 0}
last_error = [""]
last_reply = [""]
next_id = [0]


def new_id(cid):
    """A message id never used before in this run."""
    with lock:
        next_id[0] += 1
        return "%d.%d" % (cid, next_id[0])


def reply(f):
    """The code of one reply (its last line), or 0 at end of input."""
    while True:
        line = f.readline()
        if not line:
            return 0
        if len(line) < 4 or line[3:4] != b"-":
            if not line.startswith((b"2", b"3")):
                last_reply[0] = line.decode("latin-1").strip()
            return int(line[:3]) if line[:3].isdigit() else 0


def one_session(cid, n, acked):
    """Sends messages over one connection until an error; returns the next n."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")
        if reply(f) != 220:
            raise OSError("no greeting")
        s.sendall(b"EHLO load.example.test\r\n")
        if reply(f) != 250:
            raise OSError("EHLO refused")
        while not os.path.exists(stop_path):
            mid = new_id(cid)
            n += 1
            for cmd, want in ((b"MAIL FROM:<load@localhost>", 250),
                              (b"RCPT TO:<durable@localhost>", 250), (b"DATA", 354)):
                s.sendall(cmd + b"\r\n")
                if reply(f) != want:
                    raise OSError("%s refused" % cmd.decode())
            body = ("X-Durability-Id: %s\r\nSubject: durability %s\r\n\r\n" % (mid, mid) +
                    "line of the body\r\n" * (1 + n % 40) + ".\r\n")
            with lock:
                counts["sent"] += 1
            s.sendall(body.encode())
            if reply(f) != 250:
                raise OSError("message refused")
            with lock:
                acked.write(mid + "\n")
                acked.flush()
                os.fsync(acked.fileno())
                counts["acked"] += 1
            # a short pause: six clients still keep the daemon busy (most of
            # the time one of them is inside a transaction when the kill
            # comes), but the queue they leave stays a few thousand messages
            # long at most, which the queue run then delivers
            time.sleep(0.05)
            if n % 5 == 0:      # a new connection now and then
                s.sendall(b"QUIT\r\n")
                return n
    return n


def client(cid, acked):
    n = 0
    while not os.path.exists(stop_path):
        try:
            n = one_session(cid, n, acked)
        except (OSError, ValueError) as e:
            with lock:
                last_error[0] = str(e)
                counts["errors"] += 1
            n += 1
            time.sleep(0.05)


def main():
    with open(acked_path, "a") as acked:
        threads = [threading.Thread(target=client, args=(i, acked)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print("sent=%d acked=%d errors=%d, the last: %s, the last refusal: %s"
          % (counts["sent"], counts["acked"], counts["errors"], last_error[0], last_reply[0]))


if __name__ == "__main__":
    main()
