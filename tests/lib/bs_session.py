#!/usr/bin/env python3
"""bs_session.py: drives "sendmail -bs" (any command line) over pipes.

Usage: bs_session.py COMMAND [ARGS...] < script

The script holds SMTP commands, one a line; after a line "DATA" the lines up
to a line "." are the message (not sent when DATA is refused).  Each command is sent only after the reply to
the previous one has come (upstream rejects clients that talk too early).
Replies are printed to standard output, one line each.
"""
import subprocess
import sys


def reply(p):
    """Reads and prints one reply; returns its code ("" at end of file)."""
    lines = []
    while True:
        line = p.stdout.readline().decode("utf-8", "replace")
        if not line:
            break
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            break
    print("\n".join(lines))
    sys.stdout.flush()
    return lines[-1][:3] if lines else ""


def main():
    p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    reply(p)
    script = sys.stdin.read().split("\n")
    i = 0
    while i < len(script):
        cmd = script[i]
        i += 1
        if cmd == "":
            continue
        if cmd.upper() == "DATA":
            p.stdin.write(b"DATA\r\n")
            p.stdin.flush()
            code = reply(p)
            body = []
            while i < len(script) and script[i] != ".":
                body.append(script[i])
                i += 1
            i += 1
            if code != "354":
                continue
            p.stdin.write(("\r\n".join(body) + "\r\n.\r\n").encode())
            p.stdin.flush()
            reply(p)
            continue
        p.stdin.write((cmd + "\r\n").encode())
        p.stdin.flush()
        reply(p)
    p.stdin.close()
    return p.wait()


if __name__ == "__main__":
    sys.exit(main())
