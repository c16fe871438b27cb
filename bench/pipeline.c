/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pipeline benchmark: the RX lcore's per-packet work (parse, hash, lookup/insert, tcpWinTMT
 * step, expiry sweep, record hand-off) on frames in memory, one core, no DPDK
 * port. Flows are picked at random (uniform) among FLOWS concurrent pairs. NEW_PERMILLE per
 * thousand packets replace a flow: the oldest flow sends a RST and goes quiet (it ends a
 * timeout later) and a flow never seen before takes its place. Packet time runs so that a
 * second holds 20 x FLOWS packets: a live pair hears from itself about 20 times within its
 * 1 s TMT_EST timeout (so none ends while in use), and about 0.2 x FLOWS ended pairs wait
 * for their timeout, so memory holds ~1.2 x FLOWS pairs however long the run. The flows
 * that end are those replaced a second of packet time before: the default run, 3 seconds
 * of packet time (60 x FLOWS packets, at least 20M), ends flows as fast as it starts them
 * for its last two thirds; a run of 20M packets at 1M flows and more (1 s or less) ends
 * none, so writes no records and holds more pairs at its end than at its start. Before the
 * clock starts, both directions of each pair have been seen, as in a table of FLOWS
 * concurrent pairs: a direction's first packet is then a new flow's. Prints Mpps,
 * ns/packet and TSC cycles/packet, the flow index's mean displacement at the end (about 0.5
 * buckets or less with a hash that spreads well; not timed), and the exact command.
 *
 * Packets go through tcpw_engine_packets() in bursts of 32, as the RX lcore does. Each
 * burst's frames are written while the burst before is accounted, into buffers of the
 * burst's own, from the identity of each packet's flow: what a NIC does, whose DMA writes a
 * frame into a recycled mbuf of a pool of a few MiB (in cache with DDIO, and in the TLB's
 * reach). "array" instead points each packet at its flow's frame in an array of 2 x FLOWS x
 * 64 bytes, prefetched one burst ahead (the twelfth round in doc/performance.md): at 10M
 * flows that array is 1.28 GiB more memory touched at random, with its own TLB misses, that
 * an RX lcore does not have; "cold" picks from that array when the burst starts (the first
 * eleven rounds), a miss a packet from 1M flows on. The traffic is the same in every mode.
 *
 *   bench_pipeline FLOWS [PACKETS (0: the default) [NEW_PERMILLE [array|cold]]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "bench.h"
#include "engine.h"
#include "tcpw_common.h"

#define FRAME_LEN 64

static uint64_t records;

static int
count_record(void *ctx, const struct tcpw_record *r)
{
	(void)ctx;
	(void)r;
	records++;
	return 0;
}

/* Ethernet + IPv4 + TCP ACK between 10.x.y.z:port and 192.168.0.1:80, unique per @id. */
static void
build_frame(uint8_t *f, uint64_t id, int reverse)
{
	static const uint8_t tmpl[FRAME_LEN] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,           /* eth */
		0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1, /* ipv4 */
		0, 0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0x10, 0x00, 0, 0, 0, 0, /* tcp */
	};
	uint8_t *src = f + 26, *dst = f + 30, *sport = f + 34, *dport = f + 36;

	memcpy(f, tmpl, FRAME_LEN);
	f[27] = (uint8_t)(id >> 16);
	f[28] = (uint8_t)(id >> 8);
	f[29] = (uint8_t)id;
	f[34] = (uint8_t)(1024 + (id >> 24));
	f[35] = (uint8_t)((1024 + (id >> 24)) >> 8);
	if (reverse) {
		uint8_t t[4];

		memcpy(t, src, 4);
		memcpy(src, dst, 4);
		memcpy(dst, t, 4);
		memcpy(t, sport, 2);
		memcpy(sport, dport, 2);
		memcpy(dport, t, 2);
	}
}

/* build_frame(@f, @id, @reverse) from that direction's frame of id 0 (@tmpl): the id's
 * bytes where build_frame() puts them. */
static inline void
write_frame(uint8_t *f, const uint8_t *tmpl, uint64_t id, int reverse)
{
	unsigned int ip = reverse ? 31 : 27, port = reverse ? 36 : 34;

	memcpy(f, tmpl, FRAME_LEN);
	f[ip] = (uint8_t)(id >> 16);
	f[ip + 1] = (uint8_t)(id >> 8);
	f[ip + 2] = (uint8_t)id;
	f[port] = (uint8_t)(1024 + (id >> 24));
	f[port + 1] = (uint8_t)((1024 + (id >> 24)) >> 8);
}

enum frames_mode { FRAMES_WRITTEN, FRAMES_ARRAY, FRAMES_COLD };

/* The traffic: which flow each packet is from. Flow k's frames are at 2k (its first
 * direction) and 2k + 1 in the array; the new flow n (n >= flows) takes place n % flows
 * once the burst it starts in is in. */
struct gen {
	uint64_t rng, flows, new_below, next_new;
	enum frames_mode mode;
	uint8_t tmpl[2][FRAME_LEN];
};

/* A burst's frames, and the flows that end in it (their frames are built anew after it). */
struct burst {
	_Alignas(64) uint8_t fresh[TCPW_ENGINE_BURST][FRAME_LEN];
	const uint8_t *frame[TCPW_ENGINE_BURST];
	uint32_t len[TCPW_ENGINE_BURST];
	uint64_t replaced[TCPW_ENGINE_BURST];
	unsigned int nrep;
};

/* Pick the flows of a burst's packets: write their frames into the burst's buffers, or
 * point at them in the array (and prefetch them: FRAMES_ARRAY). The bench's own work a
 * packet, kept small: no division or modulo (a 64-bit division costs tens of cycles, a
 * tenth of the engine's time at 1K flows), but one a burst. */
static void
pick_burst(struct gen *g, struct burst *b, const uint8_t *frames)
{
	/* the flow at place s once the bursts before are in: s + flows * (q, or q - 1 for
	 * the places not yet taken again in the current round of new flows) */
	uint64_t q = g->next_new / g->flows, r = g->next_new % g->flows;

	b->nrep = 0;
	for (unsigned int i = 0; i < TCPW_ENGINE_BURST; i++) {
		g->rng ^= g->rng << 13;
		g->rng ^= g->rng >> 7;
		g->rng ^= g->rng << 17;
		if ((uint32_t)g->rng < g->new_below) {
			/* the oldest flow ends with a RST; a new one takes its frames once this
			 * burst is in (frames in the burst stay as they are) */
			build_frame(b->fresh[i], g->next_new - g->flows, 0);
			b->fresh[i][47] = 0x14; /* RST ACK */
			b->frame[i] = b->fresh[i];
			b->replaced[b->nrep++] = g->next_new++;
		} else {
			/* rng * 2 flows / 2^64 */
			uint64_t f = (uint64_t)(((unsigned __int128)g->rng * (2 * g->flows)) >> 64);
			uint64_t s = f >> 1;

			if (g->mode == FRAMES_WRITTEN) {
				write_frame(b->fresh[i], g->tmpl[f & 1],
					    s + g->flows * (s < r ? q : q - 1), (int)(f & 1));
				b->frame[i] = b->fresh[i];
			} else {
				b->frame[i] = frames + f * FRAME_LEN;
				if (g->mode == FRAMES_ARRAY)
					__builtin_prefetch(b->frame[i]);
			}
		}
		b->len[i] = FRAME_LEN;
	}
}

int
main(int argc, char **argv)
{
	uint64_t flows = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	uint64_t pkts = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	unsigned int new_pm = argc > 3 ? (unsigned int)atoi(argv[3]) : 10;
	const char *mode = argc > 4 ? argv[4] : "written";
	/* a packet is a new flow's when the random number's low 32 bits are below this (the
	 * frame pick takes the high bits) */
	struct gen g = { .rng = 88172645463325252ull, .flows = flows,
			 .new_below = ((uint64_t)new_pm << 32) / 1000, .next_new = flows };
	static struct burst bs[2];
	uint64_t need = flows + flows / 2 + 2048, pairs = 8;
	double clock_us = 0, us_per_burst = TCPW_ENGINE_BURST * 1e6 / (20.0 * (double)flows);
	struct tcpw_engine_params p = {
		.linktype = 1,
		.tmt = { 1, 2, 1.2f, 1.0f, 0.001f },
		.flow_timeout_s = 182.0f,
		.emit = count_record,
	};
	struct tcpw_engine *e;
	struct tcpw_ts ts = { 1700000000, 0 };
	uint8_t *frames;
	uint64_t t0c, peak = 0;
	double t0;

	if (pkts == 0) /* three seconds of packet time */
		pkts = 60 * flows > 20000000 ? 60 * flows : 20000000;
	if (strcmp(mode, "written") == 0) {
		g.mode = FRAMES_WRITTEN;
	} else if (strcmp(mode, "array") == 0) {
		g.mode = FRAMES_ARRAY;
	} else if (strcmp(mode, "cold") == 0) {
		g.mode = FRAMES_COLD;
	} else {
		fprintf(stderr, "frames: written (the default), array or cold, not %s\n", mode);
		return 2;
	}
	build_frame(g.tmpl[0], 0, 0);
	build_frame(g.tmpl[1], 0, 1);
	while (pairs < need)
		pairs <<= 1;
	p.pairs = (uint32_t)pairs;
	/* the array (not for written frames): line-aligned like an mbuf's data
	 * (RTE_PKTMBUF_HEADROOM after a cache-aligned header), on huge pages like a mempool */
	frames = g.mode == FRAMES_WRITTEN ? NULL : tcpw_zalloc_huge(flows * 2 * FRAME_LEN, false);
	e = tcpw_engine_create(&p);
	if ((frames == NULL && g.mode != FRAMES_WRITTEN) || e == NULL) {
		fprintf(stderr, "out of memory for %" PRIu64 " flows\n", flows);
		return 1;
	}
	/* both directions of every pair, as a table of FLOWS concurrent pairs holds them: a
	 * direction's first packet is then a new flow's (NEW_PERMILLE), as in real traffic, not
	 * half of the timed packets at 10M flows (with 20M packets, about 2 a pair) */
	for (uint64_t i = 0; i < flows; i++) {
		uint8_t *f = frames != NULL ? frames + 2 * i * FRAME_LEN : bs[0].fresh[0];

		build_frame(f, i, 0);
		build_frame(f + FRAME_LEN, i, 1);
		tcpw_engine_packet(e, f, FRAME_LEN, ts);
		tcpw_engine_packet(e, f + FRAME_LEN, FRAME_LEN, ts);
	}
	tcpw_engine_drain(e, UINT32_MAX);
	t0 = now_s();
	t0c = __rdtsc();
	if (g.mode != FRAMES_COLD)
		pick_burst(&g, &bs[0], frames);
	for (uint64_t n = 0, k = 0; n < pkts; n += TCPW_ENGINE_BURST, k ^= 1) {
		struct burst *b = &bs[k];
		uint64_t tss[TCPW_ENGINE_BURST];
		unsigned int done = 0;
		uint64_t t_us = tcpw_ts_us(ts);

		/* the next burst's frames are written (or on their way) before this one is
		 * accounted, as a NIC's are in cache when the PMD hands them over (cold:
		 * picked now, as the first rounds measured) */
		if (g.mode == FRAMES_COLD)
			pick_burst(&g, b, frames);
		else if (n + TCPW_ENGINE_BURST < pkts)
			pick_burst(&g, &bs[k ^ 1], frames);
		for (unsigned int i = 0; i < TCPW_ENGINE_BURST; i++)
			tss[i] = t_us;
		clock_us += us_per_burst;
		ts.sec = 1700000000 + (uint32_t)(clock_us / 1e6);
		ts.usec = (uint32_t)((uint64_t)clock_us % 1000000);
		/* short: every free slot waits for its record to be taken, as in batch_run() */
		while ((done += tcpw_engine_packets(e, b->frame + done, b->len + done, tss + done,
						    TCPW_ENGINE_BURST - done)) < TCPW_ENGINE_BURST)
			tcpw_engine_drain(e, 64);
		for (unsigned int r = 0; g.mode != FRAMES_WRITTEN && r < b->nrep; r++) {
			uint64_t slot = b->replaced[r] % flows;

			build_frame(frames + 2 * slot * FRAME_LEN, b->replaced[r], 0);
			build_frame(frames + (2 * slot + 1) * FRAME_LEN, b->replaced[r], 1);
		}
		if (tcpw_engine_pairs(e) > peak)
			peak = tcpw_engine_pairs(e);
		tcpw_engine_drain(e, 64);
	}
	{
		uint64_t cycles = __rdtsc() - t0c;
		double secs = now_s() - t0;

		printf("command: %s %" PRIu64 " %" PRIu64 " %u %s\n", argv[0], flows, pkts, new_pm,
		       mode);
		printf("flows %" PRIu64 " (table %" PRIu64 " pairs), packets %" PRIu64 ", new flows "
		       "%.1f%%, frames %s: %.2f Mpps, %.1f ns/packet, %.0f TSC cycles/packet, %" PRIu64
		       " records, peak %" PRIu64 " pairs in memory, index displacement %.2f "
		       "buckets\n", flows, pairs, pkts, new_pm / 10.0,
		       mode, pkts / secs / 1e6,
		       secs * 1e9 / pkts, (double)cycles / pkts, records, peak,
		       tcpw_engine_index_displacement(e));
	}
	tcpw_engine_free(e);
	tcpw_free_huge(frames, flows * 2 * FRAME_LEN);
	return 0;
}
