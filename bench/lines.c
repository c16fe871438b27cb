/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory floor of this machine for a packet that needs LINES random cache lines of a
 * table of MIB MiB (on transparent huge pages, as the flow tables are): each "packet"
 * updates its lines, all prefetched AHEAD packets before, with no other work. No packet
 * can cost less than this with that many random lines, however its work overlaps them;
 * bench_pipeline's packet needs about five at 1M flows and more (index bucket, the
 * entry's two lines, two LRU neighbours). Run it at a few sizes to see where the TLB's
 * reach ends (doc/performance.md, thirteenth round).
 *
 *   bench_lines MIB LINES [AHEAD]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "tcpw_common.h"

#define PACKETS 20000000u

int
main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 0, lines, rng = 88172645463325252ull;
	unsigned int k = argc > 2 ? (unsigned int)atoi(argv[2]) : 0;
	unsigned int ahead = argc > 3 ? (unsigned int)atoi(argv[3]) : 16;
	uint64_t sum = 0, t0c;
	uint32_t *at;
	uint8_t *t;
	double t0;

	if (mib == 0 || k == 0 || k > 16 || ahead == 0) {
		fprintf(stderr, "usage: bench_lines MIB LINES(1..16) [AHEAD (16)]\n");
		return 2;
	}
	lines = (mib << 20) / 64;
	t = tcpw_zalloc_huge(mib << 20, false);
	at = malloc(sizeof(*at) * k * ((uint64_t)PACKETS + ahead));
	if (t == NULL || at == NULL) {
		fprintf(stderr, "out of memory for %" PRIu64 " MiB\n", mib);
		return 1;
	}
	for (uint64_t i = 0; i < lines; i++) /* every page resident before the clock starts */
		t[i * 64] = 1;
	for (uint64_t i = 0; i < (uint64_t)k * (PACKETS + ahead); i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		at[i] = (uint32_t)(((unsigned __int128)rng * lines) >> 64);
	}
	t0 = now_s();
	t0c = __builtin_ia32_rdtsc();
	for (uint64_t p = 0; p < PACKETS; p++) {
		for (unsigned int j = 0; j < k; j++)
			__builtin_prefetch(t + (uint64_t)at[(p + ahead) * k + j] * 64, 1);
		for (unsigned int j = 0; j < k; j++) {
			uint8_t *l = t + (uint64_t)at[p * k + j] * 64;

			sum += *l;
			*l += 1;
		}
	}
	{
		uint64_t cycles = __builtin_ia32_rdtsc() - t0c;
		double secs = now_s() - t0;

		printf("command: %s %" PRIu64 " %u %u\n", argv[0], mib, k, ahead);
		printf("%" PRIu64 " MiB, %u random lines a packet, prefetched %u packets ahead: "
		       "%.1f ns/packet, %.0f TSC cycles/packet (%.1f ns a line; checksum %" PRIu64
		       ")\n", mib, k, ahead, secs * 1e9 / PACKETS, (double)cycles / PACKETS,
		       secs * 1e9 / PACKETS / k, sum & 0xff);
	}
	tcpw_free_huge(t, mib << 20);
	free(at);
	return 0;
}
