/*
 * proc_cost: what a new process costs on this machine, the floor under any
 * MTA that forks a process per connection (sendmail's model, and Petrel's
 * as issue 5 asks).  A parent with SIZE MB of touched memory forks N
 * children; each child reads R of the parent's pages, writes W of them (a
 * copy on write each) and exits; the parent waits for it.  Prints the wall
 * time per child and the CPU time of the parent and of the children per
 * child.  On bare metal a child that reads 500 pages costs tens of
 * microseconds; on a virtual machine with shadow page tables every page a
 * new process touches is a trap to the hypervisor.
 *
 *   cc -O2 -o proc_cost bench/proc_cost.c
 *   ./proc_cost [N SIZE R W]     (defaults: 300 8 0 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double
ms(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	size_t size = (size_t)(argc > 2 ? atoi(argv[2]) : 8) << 20;
	long r = argc > 3 ? atol(argv[3]) : 0, w = argc > 4 ? atol(argv[4]) : 0;
	char *p = malloc(size);
	struct timespec a, b;
	struct rusage self, kids;
	volatile int sum = 0;

	if (p == NULL || (size_t)(r > w ? r : w) * PAGE > size) {
		fprintf(stderr, "proc_cost: SIZE too small for R and W\n");
		return 2;
	}
	for (size_t i = 0; i < size; i += PAGE)
		p[i] = 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			for (long k = 0; k < r; k++)
				sum += p[(size_t)k * PAGE];
			for (long k = 0; k < w; k++)
				p[(size_t)k * PAGE] = 2;
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) < 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("%d children of a %zu MB parent, each reading %ld pages and writing %ld: "
	    "%.3f ms wall, parent %.3f ms CPU, child %.3f ms CPU (%.3f user) per child\n",
	    n, size >> 20, r, w,
	    ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / n,
	    (ms(&self.ru_utime) + ms(&self.ru_stime)) / n,
	    (ms(&kids.ru_utime) + ms(&kids.ru_stime)) / n, ms(&kids.ru_utime) / n);
	return 0;
}
