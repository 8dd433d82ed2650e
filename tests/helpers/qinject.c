/*
 * qinject: a test helper that queues messages through the queue library, so
 * that tests can put Petrel-written queue files in front of upstream's
 * sendmail and mailq.
 *
 *   qinject [-n COUNT] [-s none|files|group] [-t TIME] DIR ENVELOPE BODY
 *   qinject -c QF...
 *   qinject -r DIR < IDS
 *
 * ENVELOPE is a qf file (Petrel's or upstream's format): it is parsed, and
 * each of COUNT messages is committed with a new id, the creation time TIME
 * (default: now; one second later every 3000 messages, as one process can
 * make at most 3600 ids a second) and BODY as its df.  Prints each new id on
 * a line.  With -c, parses each QF with the strict parser and writes it back
 * to standard output (so a test can compare the bytes).  Exits 0, or 1 with
 * the reason on standard error.  With -r, removes the messages whose ids it
 * reads (as finished deliveries do, recycling their inodes).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pt_buf.h"
#include "pt_file.h"
#include "queue.h"

/* Queues one copy of e with body. */
static int
inject(struct queue_dir *qd, struct queue_idgen *g, struct queue_env *e, const struct pt_buf *body,
    time_t t, struct pt_buf *err)
{
	struct queue_msg *m;

	if (queue_msg_create(qd, g, t, &m, err) != QUEUE_OK)
		return -1;
	if (queue_msg_write(m, body->s ? body->s : "", body->len) != QUEUE_OK ||
	    queue_msg_commit(m, e, err) != QUEUE_OK) {
		queue_msg_abort(m);
		return -1;
	}
	printf("%s\n", queue_msg_id(m));
	queue_msg_close(m);
	return 0;
}

/* -c: parses each file and prints it as Petrel writes it. */
static int
check(int n, char **files)
{
	struct pt_buf err = PT_BUF_INIT, out = PT_BUF_INIT;
	struct queue_env *e;
	int i, rc = 0;

	for (i = 0; i < n; i++) {
		pt_buf_reset(&err);
		if (queue_qf_load(AT_FDCWD, files[i], &e, &err) != QUEUE_OK) {
			fprintf(stderr, "qinject: %s\n", pt_buf_str(&err));
			rc = 1;
			continue;
		}
		pt_buf_reset(&out);
		queue_qf_format(e, &out);
		fwrite(out.s, 1, out.len, stdout);
		queue_env_free(e);
	}
	pt_buf_free(&err);
	pt_buf_free(&out);
	return rc;
}

/* -r: removes each message listed on standard input. */
static int
remove_all(const char *dir)
{
	struct pt_buf err = PT_BUF_INIT, line = PT_BUF_INIT;
	struct queue_dir *qd;
	struct queue_msg *m;
	int rc = 0;

	if (queue_dir_open(dir, NULL, QUEUE_SYNC_GROUP, &qd, &err) != QUEUE_OK) {
		fprintf(stderr, "qinject: %s\n", pt_buf_str(&err));
		return 1;
	}
	while (pt_file_getline(stdin, &line)) {
		if (queue_msg_open(qd, pt_buf_str(&line), false, &m, &err) != QUEUE_OK ||
		    queue_msg_remove(m, &err) != QUEUE_OK)
			rc = 1;
		queue_msg_close(m);
	}
	queue_dir_close(qd);
	pt_buf_free(&err);
	pt_buf_free(&line);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pt_buf qf = PT_BUF_INIT, body = PT_BUF_INIT, err = PT_BUF_INIT;
	struct queue_env *e = NULL;
	struct queue_dir *qd = NULL;
	struct queue_idgen g;
	long count = 1, i;
	int mode = QUEUE_SYNC_GROUP, c;
	time_t t = 0;

	if (argc > 1 && strcmp(argv[1], "-c") == 0)
		return check(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "-r") == 0)
		return remove_all(argv[2]);
	while ((c = getopt(argc, argv, "n:s:t:")) != -1) {
		if (c == 'n')
			count = atol(optarg);
		else if (c == 's')
			mode = strcmp(optarg, "none") == 0 ? QUEUE_SYNC_NONE :
			    strcmp(optarg, "files") == 0 ? QUEUE_SYNC_FILES : QUEUE_SYNC_GROUP;
		else if (c == 't')
			t = (time_t)atoll(optarg);
		else
			return 2;
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: qinject [-n COUNT] [-s MODE] [-t TIME] DIR ENVELOPE BODY\n");
		return 2;
	}
	if (pt_file_read(argv[optind + 1], &qf) != 0 || pt_file_read(argv[optind + 2], &body) != 0) {
		perror("qinject");
		return 1;
	}
	if (queue_qf_parse(qf.s ? qf.s : "", qf.len, argv[optind + 1], &e, &err) != QUEUE_OK ||
	    queue_dir_open(argv[optind], NULL, mode, &qd, &err) != QUEUE_OK) {
		fprintf(stderr, "qinject: %s\n", pt_buf_str(&err));
		return 1;
	}
	queue_idgen_init(&g, getpid(), (unsigned)time(NULL));
	for (i = 0; i < count; i++) {
		e->ctime = (t != 0 ? t : time(NULL)) + i / 3000;
		if (inject(qd, &g, e, &body, e->ctime, &err) < 0) {
			fprintf(stderr, "qinject: %s\n", pt_buf_str(&err));
			return 1;
		}
	}
	queue_env_free(e);
	queue_dir_close(qd);
	pt_buf_free(&qf);
	pt_buf_free(&body);
	pt_buf_free(&err);
	return 0;
}
