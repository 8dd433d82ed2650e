#!/usr/bin/env python3
"""smtp_talk: plays an SMTP conversation the way a person at telnet would.

    smtp_talk.py HOST PORT [--bind ADDR] < script

Each script line is sent after the reply to the previous one has arrived;
the lines after a DATA command that got 354, up to ".", are sent at once.
Prints the transcript: "C: line" for what was sent, "S: line" for each
reply line, and "S: <closed>" when the server closed the connection.
"""
import socket
import sys


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            lines.append("<closed>")
            return lines
        line = line.rstrip(b"\r\n").decode("latin-1")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    bind = None
    if "--bind" in sys.argv:
        bind = (sys.argv[sys.argv.index("--bind") + 1], 0)
    s = socket.create_connection((host, port), timeout=30, source_address=bind)
    f = s.makefile("rb")
    for l in read_reply(f):
        print("S: " + l)
    script = sys.stdin.read().split("\n")
    if script and script[-1] == "":
        script.pop()
    i = 0
    while i < len(script):
        line = script[i]
        i += 1
        s.sendall(line.encode("latin-1") + b"\r\n")
        print("C: " + line)
        rep = read_reply(f)
        for l in rep:
            print("S: " + l)
        if rep[-1] == "<closed>":
            break
        if line.upper() == "DATA" and rep[0].startswith("354"):
            body = []
            while i < len(script):
                body.append(script[i])
                i += 1
                if body[-1] == ".":
                    break
            s.sendall(("\r\n".join(body) + "\r\n").encode("latin-1"))
            for b in body:
                print("C: " + b)
            for l in read_reply(f):
                print("S: " + l)
    s.close()


if __name__ == "__main__":
    main()
