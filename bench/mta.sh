# bench/mta.sh: the three MTAs of the mail-path benchmarks, side by side.
#
# Sourced by bench/mailpath.sh and bench/relay.sh (after setting `top`,
# `build` and `bench_name`).  It runs the benchmark inside private
# namespaces (mount, UTS, network, PID): the host name is mx.example.test,
# loopback is private (fixed ports, no other engineer's traffic), the users
# are in a private /etc/passwd, /var/mail is a private folder on the disk,
# and every process is killed when the benchmark ends.  Nothing is
# installed on the machine: upstream sendmail comes from tests/lib/oracle.sh,
# Postfix 3.7 is unpacked with apt-get download + dpkg -x into the build tree.
#
#   bench_enter "$@"       re-runs the calling script inside the namespaces
#                          (returns only inside them); the work folder is $BOX
#   mta_setup NAME [MC...] prepares petrel, upstream or postfix in $BOX/NAME
#                          (extra .mc lines, or main.cf lines for postfix)
#                          NAME-TAG (petrel-f): the same MTA again in
#                          $BOX/NAME-TAG on its port + 10, same user;
#                          petrel-one is Petrel with MaxConnectionsPerProcess=1
#                          (a process per connection, as before it was 100)
#   mta_start NAME         starts it under a subreaper (bench/ptree.py) so
#                          that its whole tree can be measured
#   mta_stop NAME
#   mta_port NAME          its SMTP port on 127.0.0.1
#   mta_user NAME          its local user (mailbox /var/mail/USER)
#   mta_cpu NAME           CPU seconds its tree used so far
#   mta_pss NAME           proportional set size of its tree, KB
#   mta_quiet NAME [SECS]  waits until its queue is empty
#   mta_queued NAME        messages in its queue
#   throughput_cells       runs every (size, concurrency, repetition, MTA)
#                          through run_cell into $BOX/cells.txt
#   throughput_table       prints their medians and ratios
#                          (the caller defines arrivals_reset MTA,
#                          arrivals_wait MTA N SECS, arrivals_count MTA,
#                          rcpt_of MTA and messages SIZE CONC)
#   SMTP_SOURCE, SMTP_SINK, PTREE: the load tools
#   median V...            the median of numbers
#   loadavg                the 1-minute load average
#   others_busy T0 C0 T1 C1  the share of the machine (in cores) that other
#                          processes used between two (wall ns, CPU s) marks
set -eu
# The interpreter itself, not a wrapper: a version manager's shim (pyenv's is a
# shell script) costs about 0.35 s of CPU per start, and the arrivals poller
# starts inside each timed cell, where it would slow the faster MTA's shorter
# window the most.
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || command -v python3)
PTREE="$PY $top/bench/ptree.py"
PF_ROOT=$build/bench/postfix/root
SMTP_SOURCE=$PF_ROOT/usr/sbin/smtp-source
SMTP_SINK=$PF_ROOT/usr/sbin/smtp-sink
SENDMAIL=$build/sendmail/sendmail
MAIL_LOCAL=$build/local/mail.local
export PETREL_SRCDIR=$top PETREL_BUILDDIR=$build LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix
. "$top/tests/lib/oracle.sh"
UP_MAIL_LOCAL=$ORACLE_ROOT/usr/libexec/sendmail/mail.local

# Fetches Postfix's Debian package into the build tree once.
postfix_fetch() {
	[ -x "$PF_ROOT/usr/lib/postfix/sbin/master" ] && return 0
	mkdir -p "$build/bench/postfix"
	(
		cd "$build/bench/postfix" || exit 1
		apt-get download postfix >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download postfix >/dev/null 2>&1; } || exit 1
		dpkg -x postfix_*.deb root && rm -f postfix_*.deb
	)
}

# Re-runs the calling script inside fresh namespaces; cleans up after it.
bench_enter() {
	if [ -n "${BENCH_IN_NS:-}" ]; then
		ns_setup
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || { echo "$bench_name: run as root (namespaces, private users)" >&2; exit 1; }
	[ -x "$SENDMAIL" ] && [ -x "$MAIL_LOCAL" ] || { echo "$bench_name: build Petrel first (./check.sh)" >&2; exit 1; }
	oracle_fetch || { echo "$bench_name: cannot fetch upstream sendmail" >&2; exit 1; }
	postfix_fetch || { echo "$bench_name: cannot fetch postfix" >&2; exit 1; }
	BOX=$(mktemp -d "$build/bench-$bench_name.XXXXXX")
	chmod 755 "$BOX"
	local rc=0
	BENCH_IN_NS=1 BOX=$BOX unshare -m -u -n -p --fork --mount-proc bash "$0" "$@" || rc=$?
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$BOX"
	exit "$rc"
}

# Inside the namespaces: host name, loopback, users, /var/mail.
ns_setup() {
	hostname mx.example.test
	ip link set lo up
	mkdir -p "$BOX/etc" "$BOX/spool"
	chmod 1777 "$BOX/spool"
	cp /etc/passwd "$BOX/etc/passwd"
	cp /etc/group "$BOX/etc/group"
	local uid=42101 u
	for u in bpetrel bupstream bpostfix bsink; do
		echo "$u:x:$uid:$uid:bench user:/nonexistent:/usr/sbin/nologin" >>"$BOX/etc/passwd"
		echo "$u:x:$uid:" >>"$BOX/etc/group"
		uid=$((uid + 1))
	done
	echo "pfbench:x:42110:42110:postfix mail_owner:/nonexistent:/usr/sbin/nologin" >>"$BOX/etc/passwd"
	echo "pfbench:x:42110:" >>"$BOX/etc/group"
	echo "pfbdrop:x:42111:" >>"$BOX/etc/group"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tmx.example.test mx\n127.0.0.2\tclient.example.test\n127.0.0.3\tremote.example.test\n' >"$BOX/etc/hosts"
	echo "nameserver 127.0.0.1" >"$BOX/etc/resolv.conf"
	for f in passwd group hosts resolv.conf; do mount --bind "$BOX/etc/$f" "/etc/$f"; done
	mount --bind "$BOX/spool" /var/mail
	trap 'for n in petrel upstream postfix; do mta_stop $n 2>/dev/null || true; done' EXIT
}

# A variant NAME-TAG (for example petrel-f) is MTA NAME again, in its own
# folder on its own port (10 above NAME's), delivering to NAME's user.
mta_kind() { echo "${1%%-*}"; }
mta_port() {
	local p
	case $(mta_kind "$1") in petrel) p=2525 ;; upstream) p=2526 ;; postfix) p=2527 ;; esac
	[ "$1" = "$(mta_kind "$1")" ] || p=$((p + 10))
	echo "$p"
}
mta_user() { echo "b$(mta_kind "$1")"; }

# Writes the .mc shared by Petrel and upstream (mail.local over LMTP).
write_mc() {
	local name=$1 ml=$2 dir=$BOX/$1
	shift 2
	{
		echo "divert(0)dnl"
		echo "OSTYPE(\`linux')dnl"
		echo "define(\`QUEUE_DIR', \`$dir/mqueue')dnl"
		echo "define(\`ALIAS_FILE', \`$dir/aliases')dnl"
		echo "define(\`confPID_FILE', \`$dir/sendmail.pid')dnl"
		echo "define(\`STATUS_FILE', \`$dir/statistics')dnl"
		echo "define(\`HELP_FILE', \`$dir/helpfile')dnl"
		echo "define(\`confDONT_PROBE_INTERFACES', \`True')dnl"
		# the load average brakes off for both sendmails: their defaults (8 and
		# 12 times the processors) queue or refuse mail on a busy machine
		echo "define(\`confQUEUE_LA', \`1000')dnl"
		echo "define(\`confREFUSE_LA', \`1000')dnl"
		echo "FEATURE(\`no_default_msa')dnl"
		echo "FEATURE(\`accept_unresolvable_domains')dnl"
		echo "FEATURE(\`local_lmtp', \`$ml')dnl"
		echo "DAEMON_OPTIONS(\`Port=$(mta_port "$name"), Addr=127.0.0.1, Name=MTA')dnl"
		printf '%s\n' "$@"
		echo "MAILER(\`local')dnl"
		echo "MAILER(\`smtp')dnl"
	} >"$dir/sendmail.mc"
}

# Writes Postfix's main.cf and master.cf (no chroot; everything private).
write_postfix_conf() {
	local dir=$BOX/postfix
	mkdir -p "$dir/conf" "$dir/queue" "$dir/data" "$dir/meta"
	chown 42110:42110 "$dir/data"
	cp "$PF_ROOT/etc/postfix/postfix-files" "$PF_ROOT/usr/share/postfix/dynamicmaps.cf" "$dir/meta/"
	cat >"$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
daemon_directory = $PF_ROOT/usr/lib/postfix/sbin
command_directory = $PF_ROOT/usr/sbin
shlib_directory = $PF_ROOT/usr/lib/postfix
meta_directory = $dir/meta
mail_owner = pfbench
setgid_group = pfbdrop
myhostname = mx.example.test
mydomain = example.test
mydestination = mx.example.test, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
mail_spool_directory = /var/mail
biff = no
smtpd_banner = \$myhostname ESMTP
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix
EOF
	printf '%s\n' "$@" >>"$dir/conf/main.cf"
	cat >"$dir/conf/master.cf" <<EOF
127.0.0.1:$(mta_port postfix) inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# Prepares one MTA in $BOX/NAME; extra arguments are .mc (or main.cf) lines.
mta_setup() {
	local name=$1 dir=$BOX/$1 user
	user=$(mta_user "$name")
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"/var/mail/$user"
	chown "$user:$user" "/var/mail/$user"
	chmod 600 "/var/mail/$user"
	case $(mta_kind "$name") in
	petrel | upstream)
		mkdir -m 700 "$dir/mqueue"
		printf 'postmaster: root\n' >"$dir/aliases"
		if [ "$(mta_kind "$name")" = petrel ]; then
			local one=()
			[ "$name" != petrel-one ] || one=("define(\`confMAX_CONNECTIONS_PER_PROCESS', \`1')dnl")
			write_mc "$name" "$MAIL_LOCAL" "${@:2}" "${one[@]}"
			m4 "$top/cf/m4/cf.m4" "$dir/sendmail.mc" >"$dir/sendmail.cf"
			"$SENDMAIL" -C "$dir/sendmail.cf" -bi >/dev/null 2>&1
		else
			write_mc "$name" "$UP_MAIL_LOCAL" "${@:2}"
			oracle_m4 "$dir/sendmail.mc" >"$dir/sendmail.cf"
			"$ORACLE_SENDMAIL" -C "$dir/sendmail.cf" -bi >/dev/null 2>&1
		fi
		;;
	postfix)
		write_postfix_conf "${@:2}"
		"$PF_ROOT/usr/sbin/postfix" -c "$dir/conf" set-permissions >/dev/null 2>&1 || true
		;;
	esac
}

# The reaper's pid of a started MTA.
mta_root() { cat "$BOX/$1/reaper.pid"; }

mta_start() {
	local name=$1 dir=$BOX/$1 port
	port=$(mta_port "$name")
	rm -f "$dir/reaper.pid"
	case $(mta_kind "$name") in
	petrel) $PTREE reaper "$dir/reaper.pid" "$SENDMAIL" -C "$dir/sendmail.cf" -bD -L petrel-bench ${MTA_ARGS:-} >"$dir/daemon.log" 2>&1 & ;;
	upstream) $PTREE reaper "$dir/reaper.pid" "$ORACLE_SENDMAIL" -C "$dir/sendmail.cf" -bD ${MTA_ARGS:-} >"$dir/daemon.log" 2>&1 & ;;
	postfix) $PTREE reaper "$dir/reaper.pid" "$PF_ROOT/usr/sbin/postfix" -c "$dir/conf" start >"$dir/daemon.log" 2>&1 & ;;
	esac
	for _ in $(seq 100); do
		if [ -s "$dir/reaper.pid" ] &&
			"$PY" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).recv(100)" 2>/dev/null; then
			sleep 0.5
			return 0
		fi
		sleep 0.1
	done
	echo "$bench_name: $name did not start:" >&2
	cat "$dir/daemon.log" >&2
	return 1
}

mta_stop() {
	local name=$1 dir=$BOX/$1 root
	[ -s "$dir/reaper.pid" ] || return 0
	root=$(mta_root "$name")
	if [ "$(mta_kind "$name")" = postfix ]; then
		"$PF_ROOT/usr/sbin/postfix" -c "$dir/conf" stop >/dev/null 2>&1 || true
	else
		pkill -TERM -P "$root" 2>/dev/null || true
	fi
	kill -TERM "$root" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$root" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$root" 2>/dev/null || true
	rm -f "$dir/reaper.pid"
}

mta_cpu() { $PTREE cpu "$(mta_root "$1")"; }
mta_pss() { $PTREE pss "$(mta_root "$1")"; }

mta_queued() {
	local dir=$BOX/$1
	case $(mta_kind "$1") in
	postfix) find "$dir/queue/incoming" "$dir/queue/active" "$dir/queue/deferred" \
		"$dir/queue/maildrop" -type f 2>/dev/null | wc -l ;;
	*) find "$dir/mqueue" -maxdepth 2 -name 'qf*' 2>/dev/null | wc -l ;;
	esac
}

mta_quiet() {
	local end=$((SECONDS + ${2:-60}))
	while [ "$(mta_queued "$1")" -gt 0 ] && [ $SECONDS -lt $end ]; do sleep 0.2; done
	sleep 0.3
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# Busy CPU seconds of the whole machine so far (all cores).
machine_cpu() { awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8) / 100 }' /proc/stat; }
# CPU seconds used by everything in this benchmark's PID namespace.
ns_cpu() { $PTREE cpu 1 | awk -v own="$(awk '{ print ($14 + $15) / 100 }' /proc/1/stat)" '{ print $1 + own }'; }
# A mark for others_busy: "wall-ns machine-cpu namespace-cpu".
busy_mark() { echo "$(date +%s%N) $(machine_cpu) $(ns_cpu)"; }
# Cores used by processes outside the benchmark between two marks.
others_busy() {
	echo "$1 $2" | awk '{ w = ($4 - $1) / 1e9; o = ($5 - $2) - ($6 - $3); if (o < 0) o = 0; printf "%.2f", (w > 0 ? o / w : 0) }'
}

label() {
	local tag=
	[ "$1" = "$(mta_kind "$1")" ] || tag=" (${1#*-})"
	case $(mta_kind "$1") in petrel) echo "Petrel$tag" ;; upstream) echo "upstream 8.17$tag" ;; postfix) echo "Postfix 3.7$tag" ;; esac
}
size_label() { [ "$1" -ge 1024 ] && echo "$(($1 / 1024)) KB" || echo "$1 B"; }

# What a benchmark adds to each run's line (relay.sh: sink sessions).
cell_extra() { echo -; }

# One throughput run: N messages of SIZE bytes from CONC parallel sessions,
# a new connection per message; prints "rate cpu-ms-per-message capped others".
run_cell() {
	local mta=$1 size=$2 conc=$3 n=$4 c0 c1 m0 m1 t0 t1 got final capped="" src
	arrivals_reset "$mta"
	c0=$(mta_cpu "$mta")
	m0=$(busy_mark)
	t0=$(date +%s%N)
	timeout "$CAP" "$SMTP_SOURCE" -s "$conc" -m "$n" -l "$size" -f bench@client.example.test \
		-t "$(rcpt_of "$mta")" -M client.example.test "127.0.0.1:$(mta_port "$mta")" >"$BOX/source.log" 2>&1 &
	src=$!
	got=$(arrivals_wait "$mta" "$n" "$CAP")
	t1=$(date +%s%N)
	m1=$(busy_mark)
	[ "$got" -ge "$n" ] || capped="*"
	wait "$src" 2>/dev/null || true
	mta_quiet "$mta" 120
	c1=$(mta_cpu "$mta")
	final=$(arrivals_count "$mta")
	awk -v n="$got" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v f="$final" -v cap="$capped" \
		-v o="$(others_busy "$m0" "$m1")" -v x="$(cell_extra "$mta")" \
		'BEGIN { printf "%.1f %.2f %s %s %s\n", n / ((t1 - t0) / 1e9), (f ? (c1 - c0) * 1000 / f : 0), (cap == "" ? "-" : cap), o, x }'
	arrivals_reset "$mta"
}

throughput_cells() {
	local size conc rep mta n r
	: >"$BOX/cells.txt"
	for size in $SIZES; do
		for conc in $CONCS; do
			n=$(messages "$size" "$conc")
			for rep in $(seq "$RUNS"); do
				for mta in $MTAS; do
					r=$(run_cell "$mta" "$size" "$conc" "$n")
					echo "$size $conc $mta $r" >>"$BOX/cells.txt"
					[ -z "${VERBOSE:-}" ] || echo "# $size $conc $mta run $rep: $r" >&2
				done
			done
		done
	done
}

# The median of column COL of a cell's runs.
cell_stat() { median $(awk -v s="$1" -v c="$2" -v m="$3" -v k="$4" '$1 == s && $2 == c && $3 == m { print $k }' "$BOX/cells.txt"); }
# "*" if a run of the cell hit the cap.
capped() { awk -v s="$1" -v c="$2" -v m="$3" '$1 == s && $2 == c && $3 == m && $6 == "*" { x = "*" } END { print x }' "$BOX/cells.txt"; }

throughput_table() {
	local size conc p u x cp cu cx o
	printf '| %-6s | %4s | %9s | %9s | %9s | %9s | %9s | %-17s | %6s |\n' size conc Petrel upstream Postfix \
		"P/Postfix" "P/upstr." "CPU ms/msg P U X" others
	printf '| %-6s | %4s | %9s | %9s | %9s | %9s | %9s | %-17s | %6s |\n' ------ ---- --------- --------- --------- \
		--------- --------- ----------------- ------
	for size in $SIZES; do
		for conc in $CONCS; do
			p=$(cell_stat "$size" "$conc" petrel 4)
			u=$(cell_stat "$size" "$conc" upstream 4)
			x=$(cell_stat "$size" "$conc" postfix 4)
			cp=$(cell_stat "$size" "$conc" petrel 5)
			cu=$(cell_stat "$size" "$conc" upstream 5)
			cx=$(cell_stat "$size" "$conc" postfix 5)
			o=$(median $(awk -v s="$size" -v c="$conc" '$1 == s && $2 == c { print $7 }' "$BOX/cells.txt"))
			awk -v s="$(size_label "$size")" -v c="$conc" -v p="${p:-0}" -v u="${u:-0}" -v x="${x:-0}" \
				-v cp="${cp:-0}" -v cu="${cu:-0}" -v cx="${cx:-0}" -v o="${o:-0}" \
				-v pc="$(capped "$size" "$conc" petrel)" -v uc="$(capped "$size" "$conc" upstream)" \
				-v xc="$(capped "$size" "$conc" postfix)" \
				'BEGIN { printf "| %-6s | %4d | %8.0f%1s | %8.0f%1s | %8.0f%1s | %8.2fx | %8.2fx | %5.1f %5.1f %5.1f | %6.2f |\n",
					s, c, p, pc, u, uc, x, xc, (x ? p / x : 0), (u ? p / u : 0), cp, cu, cx, o }'
		done
	done
	echo "* = at least one run stopped at the ${CAP} s cap (rate = what arrived by then)"
	echo "CPU ms/msg: CPU time of the MTA's whole process tree per message; others: cores kept busy by processes outside the benchmark (of $(nproc)), median"
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
}
