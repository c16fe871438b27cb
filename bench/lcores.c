/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --lcores map the daemon's own EAL arguments would carry for RX_CORES RX lcores on
 * this process's CPUs (app/args.c, args_default_lcores()), for bench/e2e.sh to give the
 * daemon and testpmd the same one.
 *
 *   bench_lcores RX_CORES
 */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"

int
main(int argc, char **argv)
{
	char map[1024];
	int rx = argc == 2 ? atoi(argv[1]) : 0;

	if (rx < 1 || args_default_lcores((unsigned int)rx, map, sizeof(map)) != 0) {
		fprintf(stderr, "usage: bench_lcores RX_CORES (1 and more)\n");
		return 2;
	}
	printf("%s\n", map);
	return 0;
}
