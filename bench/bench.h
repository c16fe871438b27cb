/* SPDX-License-Identifier: BSD-3-Clause */
/* What the benchmarks share. */
#ifndef TCPW_BENCH_H
#define TCPW_BENCH_H

#include <time.h>

/* Monotonic wall-clock seconds. */
static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
