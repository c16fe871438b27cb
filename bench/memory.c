/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory benchmark: bytes per flow pair, and the process's peak RSS holding PAIRS pairs
 * (each made by one packet: 1% TCP, whose 1 s TMT_EST timeout ends them in the test, 99%
 * UDP with the 182 s default), plus the sweep's cost per step with all of them in memory and
 * none expired, then when 1% expire.
 *
 *   bench_memory [PAIRS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "engine.h"

static int
drop(void *ctx, const struct tcpw_record *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000, pairs = 8;
	struct tcpw_engine_params p = {
		.linktype = 1, .tmt = { 1, 2, 1.2f, 1.0f, 0.001f }, .flow_timeout_s = 182.0f,
		.emit = drop,
	};
	uint8_t f[64] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1,
		0, 0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0x10, 0x00, 0, 0, 0, 0,
	};
	struct tcpw_engine *e;
	struct rusage ru;
	size_t hot, cold, total = tcpw_engine_pair_bytes(&hot, &cold);
	double t;

	while (pairs < n)
		pairs <<= 1;
	p.pairs = (uint32_t)pairs;
	e = tcpw_engine_create(&p);
	if (e == NULL)
		return 1;
	/* 1% TCP ACKs (EST, 1 s), 99% UDP (182 s) */
	for (uint64_t i = 0; i < n; i++) {
		struct tcpw_ts ts = { 1700000000, (uint32_t)(i % 1000) };

		f[27] = (uint8_t)(i >> 16);
		f[28] = (uint8_t)(i >> 8);
		f[29] = (uint8_t)i;
		f[34] = (uint8_t)((1024 + (i >> 24)) >> 8);
		f[35] = (uint8_t)(1024 + (i >> 24));
		f[23] = i % 100 == 0 ? 6 : 17;
		tcpw_engine_packet(e, f, sizeof(f), ts);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("command: %s %" PRIu64 "\n", argv[0], n);
	printf("bytes per pair: %zu (hot entry %zu, record data %zu, index and touch ring %zu); "
	       "table of %" PRIu64 " pairs for %" PRIu64 "\n", total, hot, cold,
	       total - hot - cold, pairs, n);
	printf("peak RSS holding %" PRIu64 " pairs: %.2f GiB\n", n,
	       (double)ru.ru_maxrss / (1024.0 * 1024.0));
	/* 0.5 s later nothing has expired; the 1 ms timeout's walk inspects every direction
	 * once (each one is past 1 ms idle for the first time), then never again */
	t = now_s();
	tcpw_engine_advance(e, (struct tcpw_ts){ 1700000000, 500000 });
	printf("sweep, first step after 0.5 s idle (every pair inspected once by the 1 ms "
	       "walk), none expired: %.1f ms, %.1f ns per pair\n", (now_s() - t) * 1e3,
	       (now_s() - t) * 1e9 / (double)n);
	t = now_s();
	for (int k = 0; k < 1000; k++)
		tcpw_engine_advance(e, (struct tcpw_ts){ 1700000000, 500001 + (uint32_t)k });
	printf("sweep, later steps with %" PRIu64 " pairs in memory, none expired: %.0f ns per "
	       "step\n", n, (now_s() - t) * 1e6);
	/* 1.25 s: the TCP pairs (1%) expire, and the 1 s and 1.2 s timeouts' walks pass every
	 * direction once (each just crossed those idle times); a live table spreads such
	 * crossings over time, at most one per timeout value per packet received */
	t = now_s();
	tcpw_engine_advance(e, (struct tcpw_ts){ 1700000001, 250000 });
	t = now_s() - t;
	printf("sweep, step at 1.25 s idle ending %u pairs (1%%), the 1 s and 1.2 s walks passing "
	       "each of %" PRIu64 " directions once: %.1f ms, %.1f ns per direction passed\n",
	       tcpw_engine_pending(e), n, t * 1e3, t * 1e9 / (2.0 * (double)n));
	t = now_s();
	for (int k = 0; k < 1000; k++)
		tcpw_engine_advance(e, (struct tcpw_ts){ 1700000001, 250001 + (uint32_t)k });
	printf("sweep, later steps with %u pairs in memory, none expired: %.0f ns per step\n",
	       tcpw_engine_pairs(e), (now_s() - t) * 1e6);
	tcpw_engine_free(e);
	return 0;
}
