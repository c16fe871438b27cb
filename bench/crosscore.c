/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-core benchmark: what a cache line costs to move between two CPUs. Two threads,
 * pinned to CPU A and CPU B, pass a counter back and forth in one line: each waits until
 * the other has written it, then writes it back, so every pass is one line moving between
 * the cores and back. Prints the mean round trip in ns once a second, then the median.
 *
 * With two RX lcores the poller writes every packet's mbuf and frame and the worker reads
 * them, so the daemon's rate follows this figure; a bare PMD loop (testpmd rxonly) moves no
 * line between cores and does not. In a VM it is the host's placement of the vCPUs (same
 * core complex and L3 or not) and can change while a benchmark runs: doc/performance.md.
 *
 *   bench_crosscore [SECONDS [CPU_A CPU_B]]     (default: 10 s, CPUs 0 and 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_SECONDS 3600

static _Alignas(64) _Atomic uint64_t ball;
static _Alignas(64) _Atomic bool stop;

/* The other side: answers each odd value with the next even one. */
static void *
answer(void *arg)
{
	uint64_t want = 1;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (atomic_load_explicit(&ball, memory_order_acquire) != want)
			continue;
		atomic_store_explicit(&ball, want + 1, memory_order_release);
		want += 2;
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	int cpu_a = argc > 3 ? atoi(argv[2]) : 0, cpu_b = argc > 3 ? atoi(argv[3]) : 1;
	double per_s[MAX_SECONDS], t0, last;
	uint64_t v = 0, last_v = 0;
	int nsec = 0, rc;
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;

	if (secs < 1 || secs > MAX_SECONDS || argc == 3 || cpu_a == cpu_b) {
		fprintf(stderr, "usage: bench_crosscore [SECONDS (1..%d) [CPU_A CPU_B]], two "
			"different CPUs\n", MAX_SECONDS);
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu_b, &set);
	if (cpu_b < 0 || cpu_b >= CPU_SETSIZE ||
	    pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
		fprintf(stderr, "bench_crosscore: cannot run on CPU %d\n", cpu_b);
		return 1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu_a, &set);
	pthread_attr_init(&attr);
	rc = cpu_a < 0 || cpu_a >= CPU_SETSIZE ? EINVAL :
	     pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (rc == 0)
		rc = pthread_create(&t, &attr, answer, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		fprintf(stderr, "bench_crosscore: cannot run a thread on CPU %d: %s\n", cpu_a,
			strerror(rc));
		return 1;
	}
	t0 = last = now_s();
	while (nsec < secs) {
		atomic_store_explicit(&ball, v + 1, memory_order_release);
		while (atomic_load_explicit(&ball, memory_order_acquire) != v + 2)
			;
		v += 2;
		if ((v & 0x3ffe) == 0) { /* the clock every 8192 round trips */
			double now = now_s();

			if (now - last >= 1.0) {
				per_s[nsec] = (now - last) * 1e9 / (double)((v - last_v) / 2);
				printf("second %d: %.0f ns a round trip\n", nsec + 1, per_s[nsec]);
				nsec++;
				fflush(stdout);
				last = now;
				last_v = v;
			}
		}
	}
	atomic_store_explicit(&stop, true, memory_order_relaxed);
	pthread_join(t, NULL);
	qsort(per_s, (size_t)nsec, sizeof(per_s[0]), cmp_double);
	printf("command: %s %d %d %d\n", argv[0], secs, cpu_a, cpu_b);
	printf("CPUs %d and %d: a cache line's round trip %.0f ns median of %d seconds "
	       "(%.0f-%.0f), %.1f s in all\n", cpu_a, cpu_b, per_s[nsec / 2], nsec, per_s[0],
	       per_s[nsec - 1], now_s() - t0);
	return 0;
}
