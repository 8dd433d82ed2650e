/*
 * test_queue_list: the gather phase, the listing (mailq's exact text), the
 * -bP counts, the sort orders and the -q selectors, over queue folders made
 * by hand.  The expected texts are upstream 8.17's output for the same files
 * (checked against its mailq when this test was written; tests/compat/mailq.t
 * compares with the oracle itself).
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pt_buf.h"
#include "pt_file.h"
#include "queue.h"
#include "tap.h"

static char top[] = "/tmp/petrel-qlist-XXXXXX";

/* Writes file name in folder dir with text. */
static void
put(const char *dir, const char *name, const char *text, size_t len)
{
	struct pt_buf p = PT_BUF_INIT;

	pt_buf_printf(&p, "%s/%s", dir, name);
	pt_file_write_atomic(p.s, text, len, 0600);
	pt_buf_free(&p);
}

/* Writes a qf (and a 5-byte df unless no_df) for id. */
static void
msg(const char *dir, const char *id, const char *qf, bool no_df)
{
	char name[64];

	snprintf(name, sizeof name, "qf%s", id);
	put(dir, name, qf, strlen(qf));
	if (!no_df) {
		snprintf(name, sizeof name, "df%s", id);
		put(dir, name, "body\n", 5);
	}
}

/* Makes an empty folder under top. */
static char *
folder(const char *name)
{
	struct pt_buf p = PT_BUF_INIT;

	pt_buf_printf(&p, "%s/%s", top, name);
	mkdir(p.s, 0700);
	return pt_buf_steal(&p);
}

/* The listing of one folder with the given options. */
static char *
listing(const char *dir, bool verbose, int sort, struct queue_select *sel, int kind, long max)
{
	struct queue_set s = { NULL, 0 };
	struct queue_list_opts o;
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;

	memset(&o, 0, sizeof o);
	o.verbose = verbose;
	o.gather.sort = sort;
	o.gather.select = sel;
	o.gather.kind = kind;
	o.gather.max_items = max;
	o.gather.now = time(NULL);
	if (queue_set_add(&s, "mqueue", dir, QUEUE_SYNC_NONE, &err) == QUEUE_OK)
		queue_list(&s, &o, &out, &err);
	queue_set_clear(&s);
	pt_buf_free(&err);
	return out.s ? pt_buf_steal(&out) : strdup("");
}

#define T "T1795861418\n"	/* Sat Nov 28 10:23:38 2026 UTC */
#define HEAD "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n"
#define HEADV "-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------\n"

/* The basic entry, its status line, and the -v form. */
static void
test_basic(void)
{
	char *d = folder("basic"), *got, want[2048];

	msg(d, "6ASAT0Wa025202",
	    "V8\n" T "K0\nN1\nP60111\nB8BITMIME\nMDeferred: Connection refused by [127.0.0.1]\nFbs\n"
	    "$_root@localhost\nS<alice@example.org>\nMalias database unavailable\n"
	    "rRFC822; root@mx.example.test\nRPFD:<root>\nCnobody:65534:0::include:/x\n"
	    "RFD:dave@[127.0.0.1]\nH??Subject: x\n.\n", false);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	snprintf(want, sizeof want,
	    "\t\t%s (1 request)\n" HEAD
	    "6ASAT0Wa025202        5 Sat Nov 28 10:23 <alice@example.org>\n"
	    "      8BITMIME   (Deferred: Connection refused by [127.0.0.1])\n"
	    "\t\t\t\t\t <root>\n\t\t\t\t\t dave@[127.0.0.1]\n\t\tTotal requests: 1\n", d);
	is_str(got, want, "one message lists as upstream lists it");
	free(got);
	got = listing(d, true, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	snprintf(want, sizeof want,
	    "\t\t%s (1 request)\n" HEADV
	    "6ASAT0Wa025202        5      60111 Nov 28 10:23 <alice@example.org>\n"
	    "      8BITMIME   (Deferred: Connection refused by [127.0.0.1])\n"
	    "\t\t\t\t\t\t<root>\n\t\t (alias database unavailable)\n"
	    "\t\t\t\t\t\t(---nobody:65534:0::include:/x---)\n"
	    "\t\t\t\t\t\tdave@[127.0.0.1]\n\t\tTotal requests: 1\n", d);
	is_str(got, want, "-v adds the priority, recipient status and controlling user");
	free(got);
	free(d);
}

/* Cutting and escaping of the columns. */
static void
test_columns(void)
{
	char *d = folder("cols"), *got, qf[512], want[2048];
	char ctl[64];

	memset(ctl, 1, 20);
	ctl[20] = '\0';
	snprintf(qf, sizeof qf, "V8\n" T "P1\nS<aa%s@x>\nRPF:<%s\\z>\nRPF:<%s>\n.\n", ctl, ctl,
	    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ");
	msg(d, "6ASAAAAA000001", qf, false);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	snprintf(want, sizeof want,
	    "\t\t%s (1 request)\n" HEAD
	    "6ASAAAAA000001        5 Sat Nov 28 10:23 <aa\\001\\001\\001\\001\\001\\001\\001\\001\n"
	    "\t\t\t\t\t <\\001\\001\\001\\001\\001\\001\\001\\001\\001\n"
	    "\t\t\t\t\t <abcdefghijklmnopqrstuvwxyz0123456789A\n\t\tTotal requests: 1\n", d);
	is_str(got, want, "senders stop at 39 columns and recipients at 38, escapes never cut");
	free(got);
	free(d);
}

/* The records replay in file order, as upstream's printer does. */
static void
test_replay(void)
{
	char *d = folder("replay"), *got, want[4096];

	msg(d, "6ASAAAAJ000001", "V8\n" T "P1\nMfirst\nS<a@b>\nRPF:<r1@x>\n.\n", false);
	msg(d, "6ASAAAAJ000002", "V8\n" T "P2\nqwhy\nMmsg\nB8BITMIME\nS<q@b>\nRPF:<r@x>\n.\n", false);
	msg(d, "6ASAAAAJ000003", "V8\n" T "P3\nFw\nMfirst\nRPF:<r0@x>\nS<a@b>\nRPF:<r1@x>\n.\n", false);
	msg(d, "6ASAAAAJ000004", "V8\n" T "P4\nS<>\nRplain@x\nRP:old@x\n.\n", true);
	msg(d, "6ASAAAAJ000005", "V8\nP5\nS<not@b>\nRPF:<r@x>\n.\n", false);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	snprintf(want, sizeof want,
	    "\t\t%s (5 requests)\n" HEAD
	    "6ASAAAAJ000001        5 Sat Nov 28 10:23 <a@b>\n"
	    "                 (first)\n"
	    "\t\t\t\t\t <r1@x>\n"
	    "6ASAAAAJ000002        5 Sat Nov 28 10:23 <q@b>\n"
	    "     QUARANTINE: why\n"
	    "      8BITMIME   (msg)\n"
	    "\t\t\t\t\t <r@x>\n"
	    "6ASAAAAJ000003 \n"
	    "\t\t\t\t\t <r0@x>       5 Sat Nov 28 10:23 <a@b>\n"
	    "                 (first)\n"
	    "\t\t\t\t\t <r1@x>\n"
	    "6ASAAAAJ000004readqf: cannot open ./df6ASAAAAJ000004: No such file or directory\n"
	    "       -1 Sat Nov 28 10:23 <>\n"
	    "\t\t\t\t\t old@x\n"
	    "6ASAAAAJ000005        5 Thu Jan  1 00:00 <not@b>\n"
	    "\t\t\t\t\t <r@x> (no control file)\n"
	    "\t\tTotal requests: 5\n", d);
	is_str(got, want, "status lines, a late sender, a missing df, no T record");
	free(got);
	free(d);
}

/* Locks show as *, with or without /proc/locks. */
static void
test_locked(void)
{
	char *d = folder("locked"), *got, path[256];
	int fd;

	msg(d, "6ASAAAAB000001", "V8\n" T "P1\nS<a@b>\nRPF:<r@x>\n.\n", false);
	msg(d, "6ASAAAAB000002", "V8\n" T "P2\nS<c@d>\nRPF:<r@x>\n.\n", false);
	snprintf(path, sizeof path, "%s/qf6ASAAAAB000002", d);
	fd = open(path, O_RDONLY);
	flock(fd, LOCK_EX);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "6ASAAAAB000002*       5") != NULL && strstr(got, "6ASAAAAB000001        5") != NULL,
	    "the locked job alone shows *");
	free(got);
	got = listing(d, false, QSORT_FILENAME, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "6ASAAAAB000002 ") != NULL, "filename order does not test locks, as upstream");
	free(got);
	close(fd);
	free(d);
}

/* Sort orders, MaxQueueRunSize, empty folders. */
static void
test_sorts(void)
{
	char *d = folder("sort"), *got, want[2048];

	msg(d, "6ASAAAAC000003", "V8\nT1795862000\nP300\nS<c@x>\nRPF:<r@zz.example>\n.\n", false);
	msg(d, "6ASAAAAC000001", "V8\nT1795863000\nP100\nS<a@x>\nRPF:<r@b.example>\n.\n", false);
	msg(d, "6ASAAAAC000002", "V8\nT1795861000\nP200\nS<b@x>\nRPF:<r@a.example>\n.\n", false);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "<a@x>") < strstr(got, "<b@x>") && strstr(got, "<b@x>") < strstr(got, "<c@x>"),
	    "priority order");
	free(got);
	got = listing(d, false, QSORT_TIME, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "<b@x>") < strstr(got, "<c@x>") && strstr(got, "<c@x>") < strstr(got, "<a@x>"),
	    "time order");
	free(got);
	got = listing(d, false, QSORT_FILENAME, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "<a@x>") < strstr(got, "<b@x>") && strstr(got, "<b@x>") < strstr(got, "<c@x>"),
	    "filename order");
	free(got);
	got = listing(d, false, QSORT_HOST, NULL, QKIND_NORMAL, 0);
	ok(strstr(got, "<b@x>") < strstr(got, "<a@x>") && strstr(got, "<a@x>") < strstr(got, "<c@x>"),
	    "host order (a.example, b.example, zz.example)");
	free(got);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 2);
	snprintf(want, sizeof want, "\t\t%s (3 requests, only 2 printed)\n", d);
	ok(strncmp(got, want, strlen(want)) == 0 && strstr(got, "<c@x>") == NULL &&
	    strstr(got, "Total requests: 3\n") != NULL, "MaxQueueRunSize cuts the listing");
	free(got);
	free(d);
	d = folder("empty");
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_NORMAL, 0);
	snprintf(want, sizeof want, "%s is empty\n\t\tTotal requests: 0\n", d);
	is_str(got, want, "an empty folder");
	free(got);
	free(d);
}

/* Adds selectors from a NULL-terminated list of -q arguments. */
static struct queue_select *
sels(int *kind, ...)
{
	struct queue_select *s = queue_select_new();
	struct pt_buf err = PT_BUF_INIT;
	va_list ap;
	const char *a;

	va_start(ap, kind);
	while ((a = va_arg(ap, const char *)) != NULL)
		queue_select_add(s, a, kind, &err);
	va_end(ap);
	pt_buf_free(&err);
	return s;
}

/* Which of the three senders a listing shows, as "a", "ac", ... */
static void
shown(const char *got, char out[8])
{
	int n = 0;

	if (strstr(got, "<Alice@Example.org>"))
		out[n++] = 'a';
	if (strstr(got, "<dave@example.org>"))
		out[n++] = 'd';
	if (strstr(got, "<frank@other.org>"))
		out[n++] = 'f';
	out[n] = '\0';
}

/* The -q selectors, as upstream combines them. */
static void
test_select(void)
{
	static const struct {
		const char *args[3], *want;
	} cases[] = {
		{ { "Rbob", NULL }, "af" },
		{ { "RBOB", NULL }, "af" },
		{ { "SALICE", NULL }, "a" },
		{ { "Iaaaf000001", NULL }, "" },
		{ { "I000001", NULL }, "a" },
		{ { "!Rbob", NULL }, "ad" },
		{ { "Rbob", "Rerin" }, "adf" },
		{ { "Rbob", "Sfrank" }, "f" },
		{ { "!Rbob", "!Rerin" }, "adf" },
		{ { "R", "Sdave" }, "d" },
		{ { "Rexample.net", NULL }, "ad" },
		{ { "!Sa", NULL }, "" },
	};
	char *d = folder("select"), *got, who[8];
	size_t i;

	msg(d, "6ASAAAAF000001", "V8\n" T "P1\nS<Alice@Example.org>\nRPF:<Bob@example.net>\nRPF:<carol@example.com>\n.\n", false);
	msg(d, "6ASAAAAF000002", "V8\n" T "P2\nS<dave@example.org>\nRPF:<erin@example.net>\n.\n", false);
	msg(d, "6ASAAAAF000003", "V8\n" T "P3\nS<frank@other.org>\nRPF:<bob@other.net>\n.\n", false);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int kind = QKIND_NORMAL;
		struct queue_select *s = sels(&kind, cases[i].args[0], cases[i].args[1], NULL);

		got = listing(d, false, QSORT_PRIORITY, s, kind, 0);
		shown(got, who);
		is_str(who, cases[i].want, "-q%s%s%s selects %s", cases[i].args[0],
		    cases[i].args[1] ? " -q" : "", cases[i].args[1] ? cases[i].args[1] : "", cases[i].want);
		free(got);
		queue_select_free(s);
	}
	{
		int kind = QKIND_NORMAL;
		struct queue_select *s = queue_select_new();
		struct pt_buf err = PT_BUF_INIT;

		ok(queue_select_add(s, "Xfoo", &kind, &err) < 0 && strstr(pt_buf_str(&err), "unknown selector"),
		    "an unknown selector letter is refused");
		ok(queue_select_add(s, "Q", &kind, &err) == 0 && kind == QKIND_QUARANTINE && queue_select_empty(s),
		    "-qQ alone asks for quarantined items");
		pt_buf_free(&err);
		queue_select_free(s);
	}
	free(d);
}

/* Quarantined (hf) and lost (Qf) items, and the -bP counts. */
static void
test_kinds(void)
{
	char *d = folder("kinds"), *got, want[1024];
	struct queue_set s = { NULL, 0 };
	struct pt_buf out = PT_BUF_INIT, err = PT_BUF_INIT;

	msg(d, "6ASAAAAG000001", "V8\n" T "P1\nS<n@b>\nRPF:<r@x>\n.\n", false);
	{
		static const char hf[] = "V8\n" T "P1\nqspam\nS<h@b>\nRPF:<r@x>\n.\n";

		put(d, "hf6ASAAAAG000002", hf, sizeof hf - 1);
	}
	put(d, "df6ASAAAAG000002", "x\n", 2);
	got = listing(d, false, QSORT_PRIORITY, NULL, QKIND_QUARANTINE, 0);
	snprintf(want, sizeof want,
	    "\t\t%s (1 request)\n" HEAD
	    "6ASAAAAG000002        2 Sat Nov 28 10:23 <h@b>\n"
	    "     QUARANTINE: spam\n\t\t\t\t\t <r@x>\n\t\tTotal requests: 1\n", d);
	is_str(got, want, "-qQ lists the hf files only");
	free(got);
	queue_set_add(&s, "mqueue", d, QUEUE_SYNC_NONE, &err);
	queue_count(&s, QKIND_NORMAL, &out, &err);
	snprintf(want, sizeof want, "%s: entries=1\n\t\tTotal requests: 1\n", d);
	is_str(out.s, want, "-bP counts the qf files");
	queue_set_clear(&s);
	pt_buf_free(&out);
	pt_buf_free(&err);
	free(d);
}

int
main(void)
{
	char cmd[64];

	setenv("TZ", "UTC", 1);
	tzset();
	if (mkdtemp(top) == NULL)
		return 1;
	test_basic();
	test_columns();
	test_replay();
	test_locked();
	test_sorts();
	test_select();
	test_kinds();
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
