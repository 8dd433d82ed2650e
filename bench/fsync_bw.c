/*
 * fsync_bw: what the disk under a folder does for durable appends, the
 * floor under every MTA's numbers in bench/RESULTS.md.  Each of THREADS
 * threads appends SIZE bytes to a file of its own and calls fdatasync, in a
 * loop, for SECONDS; prints the appends per second and the megabytes per
 * second of them all.  SIZE 1 measures the cost of a device flush alone.
 *
 *   gcc -O2 -Wall -pthread -o fsync_bw bench/fsync_bw.c
 *   ./fsync_bw THREADS SECONDS SIZE DIR      (e.g. 10 8 102400 /var/tmp)
 *
 * The files (DIR/fsync_bw.N) wrap at 200 MB and are removed at the end.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define WRAP (200L << 20)

static double seconds;
static size_t size;
static const char *dir;
static long done[MAX_THREADS];

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
	long i = (long)arg, off = 0;
	char path[4096], *buf = malloc(size);
	double end = now() + seconds;
	int fd;

	memset(buf, 'x', size);
	snprintf(path, sizeof path, "%s/fsync_bw.%ld", dir, i);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	while (now() < end) {
		if (pwrite(fd, buf, size, off) != (ssize_t)size || fdatasync(fd) < 0) {
			perror(path);
			exit(1);
		}
		done[i]++;
		off += (long)size;
		if (off > WRAP)
			off = 0;
	}
	close(fd);
	unlink(path);
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n = 0, threads;

	if (argc != 5 || (threads = atol(argv[1])) < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: fsync_bw THREADS SECONDS SIZE DIR\n");
		return 2;
	}
	seconds = atof(argv[2]);
	size = (size_t)atol(argv[3]);
	dir = argv[4];
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, run, (void *)i);
	for (long i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		n += done[i];
	}
	printf("threads %ld, %zu bytes: %.0f appends+fdatasync/s, %.1f MB/s\n", threads, size,
	    (double)n / seconds, (double)n * (double)size / seconds / 1e6);
	return 0;
}
