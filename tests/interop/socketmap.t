#!/usr/bin/env bash
# The socket map class against a small socketmap server (python3) started
# here on loopback TCP and on a UNIX socket: found, not found, TEMP, TIMEOUT,
# PERM, %1 in answers, -T, the map name in requests, several lookups on one
# connection, a server that closes the connection or answers garbage or too
# slowly (-d), and no server at all (optional or not).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
Q=$PETREL_BUILDDIR/tests/helpers/map_query
t=$(mktemp -d)
chmod 755 "$t"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$t"' EXIT
command -v python3 >/dev/null || { skip "python3 is not installed"; done_testing; }

cat >"$t/server.py" <<'PY'
import os, socket, sys, threading, time

def netstring(b):
    return str(len(b)).encode() + b":" + b + b","

def read_netstring(f):
    n = b""
    while True:
        c = f.read(1)
        if not c:
            return None
        if c == b":":
            break
        n += c
    data = f.read(int(n))
    f.read(1)
    return data

def serve(conn):
    try:
        answer(conn)
    except OSError:
        pass

def answer(conn):
    f = conn.makefile("rb")
    while True:
        req = read_netstring(f)
        if req is None:
            break
        name, _, key = req.decode().partition(" ")
        with open(sys.argv[3], "a") as log:
            log.write("%s %s\n" % (name, key))
        if key == "notfound":
            conn.sendall(netstring(b"NOTFOUND "))
        elif key == "temp":
            conn.sendall(netstring(b"TEMP server busy"))
        elif key == "timeout":
            conn.sendall(netstring(b"TIMEOUT "))
        elif key == "perm":
            conn.sendall(netstring(b"PERM broken"))
        elif key == "garbage":
            conn.sendall(b"zz:nonsense")
        elif key == "close":
            break
        elif key == "slow":
            time.sleep(20)
            conn.sendall(netstring(b"OK late"))
        elif key == "pid":
            conn.sendall(netstring(("OK %d" % threading.get_ident()).encode()))
        else:
            conn.sendall(netstring(("OK %s:%s %%1" % (name, key)).encode()))
    conn.close()

kind, where = sys.argv[1], sys.argv[2]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(where)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    with open(where, "w") as p:
        p.write(str(s.getsockname()[1]))
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$t/server.py" tcp "$t/port" "$t/requests" & pids+=($!)
python3 "$t/server.py" unix "$t/sock" "$t/requests" & pids+=($!)
for i in $(seq 1 50); do [ -s "$t/port" ] && [ -S "$t/sock" ] && break; sleep 0.1; done
port=$(cat "$t/port")
tcp="sm socket -d2 inet:$port@127.0.0.1"

is "$("$Q" -K "$tcp" sm Alice arg1)" "FOUND sm:alice arg1" "OK answers (key folded, the map name sent, %1 replaced)"
is "$("$Q" -K "sm socket -f -d2 inet:$port@127.0.0.1" sm Alice)" "FOUND sm:Alice " "-f keeps the key's case"
is "$("$Q" -K "$tcp" sm notfound)" "NOTFOUND" "NOTFOUND is not found"
is "$("$Q" -K "$tcp" sm temp)" "TEMPFAIL" "TEMP is a temporary failure"
is "$("$Q" -K "sm socket -d2 -T<TMPF> inet:$port@127.0.0.1" sm timeout)" "TEMPFAIL timeout<TMPF>" "TIMEOUT too, with -T"
is "$("$Q" -K "$tcp" sm perm)" "NOTFOUND" "PERM is a permanent failure (not found)"
is "$("$Q" -K "$tcp" sm garbage 2>/dev/null)" "TEMPFAIL" "a malformed reply is a temporary failure"
is "$("$Q" -K "$tcp" sm close 2>/dev/null)" "TEMPFAIL" "a server that hangs up is a temporary failure"
s=$SECONDS
is "$("$Q" -K "$tcp" sm slow 2>/dev/null)" "TEMPFAIL" "a server slower than -d is a temporary failure"
ok "$([ $((SECONDS - s)) -le 12 ]; echo $?)" "and the lookup gives up after -d seconds, long before the server answers (20 s)"
is "$("$Q" -K "u socket -d2 unix:$t/sock" u key)" "FOUND u:key " "a UNIX socket works the same"
is "$("$Q" -K "u socket -d2 local:$t/sock" u key)" "FOUND u:key " "local: is unix:"
is "$("$Q" -K "n socket -d1 unix:$t/nosuch" n key 2>/dev/null)" "TEMPFAIL" "no server is a temporary failure"
is "$("$Q" -K "n socket -o -d1 unix:$t/nosuch" n key 2>/dev/null)" "NOTFOUND" "unless the map is optional"
out=$("$Q" -K "b socket nonsense" b key 2>&1); rc=$?
is "$rc" 2 "a bad socket specification is refused at declaration"
like "$out" "bad socket specification" "saying so"
is "$(grep -c '^sm alice$' "$t/requests")" 1 "requests carry the map name and the key"
done_testing
