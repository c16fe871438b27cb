/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the flow engine: arbitrary bytes become a small engine (8..64 pairs, so the
 * autopilot and retirement run often) and a sequence of operations on it: packets with any
 * time (same, forward, backward, absolute), one at a time or in bursts, idle clock ticks,
 * timeout reloads and drains whose emit callback refuses at times. Every record is formatted
 * as text and JSON, also into buffers that are too small. At the end the engine is flushed
 * and drained, and the accounting must be exact: see check_end(). The input runs twice,
 * the second time with the shortest timeout's walk on the list only (walk_list_only): the
 * records must be the same, in the same order.
 *
 * Input (little-endian; doc/fuzzing.md has the same table):
 *   header  u8 linktype index, u8 table (pairs = 8 << (b & 3), 0x04 packet mode,
 *           0x38 timeout set), u8 emit refusal mask (call k refuses if bit k % 8 is set),
 *           u8 tcpWinTMT (thres index b & 7, flwprg 1 + (b >> 3 & 7))
 *   then ops until the input ends:
 *     u8 ctl  0x03 time: 0 same as before, 1 forward, 2 absolute, 3 backward
 *             0x0c delta unit: 1 us, 1 ms, 1 s, 64 s (time 1 and 3)
 *             0x10 queue the frame for tcpw_engine_packets() (a burst) instead of _packet()
 *             0x20 drain up to 4 records after the op
 *             0x40 no frame: tcpw_engine_advance() to the time (an idle tick)
 *             0x80 reload timeouts: u8 timeout set index follows the time
 *     time    u16 delta (time 1, 3), or u32 sec + u32 usec (time 2; usec taken mod 10^6)
 *     frame   u16 caplen, then caplen bytes (fewer if the input ends)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz.h"

#define US_PER_S 1000000
#define MAX_US ((int64_t)UINT32_MAX * US_PER_S + (US_PER_S - 1))

/* Timeout sets {flow, bgn, est, abrt} in seconds: the defaults, equal values, tiny ones
 * (below a microsecond of float precision), the config's maximum, and mixtures. */
static const float timeout_sets[8][4] = {
	{ 182.0f, 1.2f, 1.0f, 0.001f }, { 1.0f, 1.0f, 1.0f, 1.0f },
	{ 0.001f, 0.002f, 0.003f, 0.004f }, { 86400.0f, 86400.0f, 86400.0f, 86400.0f },
	{ 1e-6f, 2e-6f, 1e-7f, 5e-7f }, { 0.3f, 2.5f, 7.0f, 0.001f },
	{ 5.0f, 3.0f, 2.0f, 1.0f }, { 60.0f, 0.1f, 120.0f, 0.01f },
};
static const uint32_t thresholds[8] = { 0, 1, 2, 100, 1024, 65535, 65536, UINT32_MAX };

struct run {
	struct tcpw_engine *e;
	uint32_t pairs;
	uint8_t refuse_mask;
	bool force_accept;          /* the final drain: every record is taken */
	uint64_t emit_calls;
	/* what the input gave */
	uint64_t given;             /* packets the engine accepted */
	struct tcpw_ts ts;          /* time of the last op */
	struct tcpw_ts min_ts, max_ts;
	bool has_ts;
	bool went_back;             /* some op's time was before an earlier one */
	/* what came out */
	uint64_t records, rec_pkts, table_full;
	uint64_t digest;            /* FNV-1a of every record taken, in order */
	uint64_t *inds;             /* flowInd of every record, to check they are unique */
	size_t ninds, cap_inds;
	/* a burst being collected */
	const uint8_t *burst[TCPW_ENGINE_BURST];
	uint32_t burst_len[TCPW_ENGINE_BURST];
	uint64_t burst_ts[TCPW_ENGINE_BURST];    /* microseconds */
	unsigned int nburst;
};

static bool
ts_le(struct tcpw_ts a, struct tcpw_ts b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.usec <= b.usec);
}

/* A formatter given too little room says -ENOSPC and leaves an empty string. */
static void
check_short_format(const struct tcpw_record *r, int full, bool json)
{
	size_t len = (size_t)full / 2;
	char *b = malloc(len > 0 ? len : 1);
	int n;

	FUZZ_CHECK(b != NULL);
	n = json ? tcpw_record_format_json(r, b, len) : tcpw_record_format(r, b, len);
	FUZZ_CHECK(n == -ENOSPC);
	FUZZ_CHECK(len == 0 || b[0] == '\0');
	free(b);
}

static void
format_record(const struct tcpw_record *r)
{
	static char text[8192], json[16384];
	int nt = tcpw_record_format(r, text, sizeof(text));
	int nj = tcpw_record_format_json(r, json, sizeof(json));
	unsigned int lines = 0;

	FUZZ_CHECK(nt > 0 && (size_t)nt == strlen(text));
	FUZZ_CHECK(nj > 0 && (size_t)nj == strlen(json));
	for (int i = 0; i < nt; i++)
		lines += text[i] == '\n';
	FUZZ_CHECK(lines == r->ndir);
	if (r->flow_ind % 4 == 1) { /* a quarter of the records: formatting is most of the cost */
		check_short_format(r, nt, false);
		check_short_format(r, nj, true);
	}
}

static void
check_record(struct run *run, const struct tcpw_record *r)
{
	bool hfull = false;

	FUZZ_CHECK(r->ndir == 1 || r->ndir == 2);
	FUZZ_CHECK(r->reason <= TCPW_END_TABLE_FULL);
	FUZZ_CHECK(r->ip_ver == 4 || r->ip_ver == 6);
	FUZZ_CHECK(r->flow_ind > 0);
	for (unsigned int i = 0; i < r->ndir; i++) {
		const struct tcpw_record_dir *d = &r->dir[i];

		FUZZ_CHECK(d->pkts > 0);
		FUZZ_CHECK(ts_le(run->min_ts, d->first) && ts_le(d->first, run->max_ts));
		FUZZ_CHECK(ts_le(run->min_ts, d->last) && ts_le(d->last, run->max_ts));
		/* time never went back: no negative duration, no time-jump mark */
		if (!run->went_back) {
			FUZZ_CHECK(ts_le(d->first, d->last));
			FUZZ_CHECK(!(d->flow_stat & TCPW_FS_TIMEJUMP));
		}
		FUZZ_CHECK(d->nsrc_mac <= TCPW_REC_MACS && d->ndst_mac <= TCPW_REC_MACS);
		FUZZ_CHECK(d->nvlan <= TCPW_VLAN_MAX);
		FUZZ_CHECK(d->nhdrs >= 1);
		hfull |= (d->flow_stat & TCPW_FS_HFULL) != 0;
		run->rec_pkts += d->pkts;
	}
	/* the pair the autopilot ended, and only that one, carries the table-full bit */
	FUZZ_CHECK(hfull == (r->reason == TCPW_END_TABLE_FULL));
	run->table_full += r->reason == TCPW_END_TABLE_FULL;
}

static void
remember_ind(struct run *run, uint64_t ind)
{
	if (run->ninds == run->cap_inds) {
		run->cap_inds = run->cap_inds ? run->cap_inds * 2 : 64;
		run->inds = realloc(run->inds, run->cap_inds * sizeof(run->inds[0]));
		FUZZ_CHECK(run->inds != NULL);
	}
	run->inds[run->ninds++] = ind;
}

static int
emit(void *ctx, const struct tcpw_record *r)
{
	struct run *run = ctx;
	uint64_t k = run->emit_calls++;

	if (!run->force_accept && (run->refuse_mask >> (k & 7) & 1))
		return -ENOBUFS;
	check_record(run, r);
	for (size_t i = 0; i < sizeof(*r); i++) /* padding included: records are built zeroed */
		run->digest = (run->digest ^ ((const uint8_t *)r)[i]) * UINT64_C(0x100000001b3);
	format_record(r);
	remember_ind(run, r->flow_ind);
	run->records++;
	return 0;
}

static void
packet_line(void *ctx, const struct tcpw_pkt_line *l)
{
	static char buf[2 * 65536 + 4096]; /* payload escapes double at most */
	struct run *run = ctx;
	int n;

	FUZZ_CHECK(l->pkt->l7_len <= 65535);
	if (!run->went_back)
		FUZZ_CHECK(l->duration_s >= 0 && l->iat_s >= 0);
	n = tcpw_record_format_packet(l, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
}

/* Make room: take every retired record (the writer caught up). */
static void
drain_all(struct run *run)
{
	bool was = run->force_accept;

	run->force_accept = true;
	while (tcpw_engine_drain(run->e, 64) > 0)
		;
	run->force_accept = was;
	FUZZ_CHECK(tcpw_engine_pending(run->e) == 0);
}

/* A packet is refused only when no slot is free and a retired pair is on its way back (the
 * engine evicts only when none is: engine.c pair_create). engine.h says "every slot holds a
 * retired pair", which is stricter than what the engine does. */
static bool
is_refusal_due(const struct run *run)
{
	unsigned int pending = tcpw_engine_pending(run->e);

	return pending > 0 && tcpw_engine_pairs(run->e) + pending == run->pairs;
}

static void
submit_burst(struct run *run)
{
	unsigned int done = 0;

	while (done < run->nburst) {
		unsigned int n = tcpw_engine_packets(run->e, run->burst + done,
						     run->burst_len + done, run->burst_ts + done,
						     run->nburst - done);

		done += n;
		run->given += n;
		if (done < run->nburst) {
			FUZZ_CHECK(is_refusal_due(run));
			drain_all(run);
		}
	}
	for (unsigned int i = 0; i < run->nburst; i++)
		free((void *)run->burst[i]);
	run->nburst = 0;
}

static void
submit_one(struct run *run, const uint8_t *frame, uint32_t len)
{
	int rc = tcpw_engine_packet(run->e, frame, len, run->ts);

	if (rc == -ENOSPC) {
		FUZZ_CHECK(is_refusal_due(run));
		drain_all(run);
		rc = tcpw_engine_packet(run->e, frame, len, run->ts);
	}
	FUZZ_CHECK(rc == 0);
	run->given++;
}

/* The op's time, from the previous one and the ctl byte. */
static void
read_time(struct run *run, struct fuzz_in *in, uint8_t ctl)
{
	static const int64_t units_us[4] = { 1, 1000, US_PER_S, 64 * (int64_t)US_PER_S };
	int64_t us = (int64_t)run->ts.sec * US_PER_S + run->ts.usec;
	struct tcpw_ts t;

	switch (ctl & 3) {
	case 1:
		us += fuzz_u16(in) * units_us[ctl >> 2 & 3];
		break;
	case 2:
		t.sec = fuzz_u32(in);
		t.usec = fuzz_u32(in) % US_PER_S; /* the RX path always normalises usec */
		us = (int64_t)t.sec * US_PER_S + t.usec;
		break;
	case 3:
		us -= fuzz_u16(in) * units_us[ctl >> 2 & 3];
		break;
	}
	us = us < 0 ? 0 : us > MAX_US ? MAX_US : us;
	t = (struct tcpw_ts){ .sec = (uint32_t)(us / US_PER_S), .usec = (uint32_t)(us % US_PER_S) };
	if (run->has_ts) {
		if (!ts_le(run->max_ts, t))
			run->went_back = true;
		else
			run->max_ts = t;
		if (!ts_le(run->min_ts, t))
			run->min_ts = t;
	} else {
		run->min_ts = run->max_ts = t;
		run->has_ts = true;
	}
	run->ts = t;
}

static void
reload(struct run *run, uint8_t set, const struct tcpw_tmt *base)
{
	const float *t = timeout_sets[set & 7];
	struct tcpw_tmt tmt = *base;
	int rc;

	tmt.bgn_s = t[1];
	tmt.est_s = t[2];
	tmt.abrt_s = t[3];
	rc = tcpw_engine_set_timeouts(run->e, &tmt, t[0]);
	FUZZ_CHECK(rc == 0 || rc == -ENOSPC);
	/* a timeout that is not positive is refused, whatever else is asked */
	tmt.abrt_s = set & 8 ? 0.0f : -1.0f;
	FUZZ_CHECK(tcpw_engine_set_timeouts(run->e, &tmt, t[0]) == -EINVAL);
}

static void
do_op(struct run *run, struct fuzz_in *in, const struct tcpw_tmt *base)
{
	uint8_t ctl = fuzz_u8(in);
	uint8_t set;

	read_time(run, in, ctl);
	set = ctl & 0x80 ? fuzz_u8(in) : 0;
	if ((!(ctl & 0x10) || (ctl & 0x40)) && run->nburst > 0) /* keep input order */
		submit_burst(run);
	if (ctl & 0x40) {
		tcpw_engine_advance(run->e, run->ts);
	} else {
		uint32_t len;
		uint8_t *frame = fuzz_take(in, fuzz_u16(in), &len);

		if (ctl & 0x10) {
			run->burst[run->nburst] = frame;
			run->burst_len[run->nburst] = len;
			run->burst_ts[run->nburst] = tcpw_ts_us(run->ts);
			if (++run->nburst == TCPW_ENGINE_BURST)
				submit_burst(run);
			frame = NULL;
		} else {
			submit_one(run, frame, len);
		}
		free(frame);
	}
	if (ctl & 0x80) {
		if (run->nburst > 0)
			submit_burst(run);
		reload(run, set, base);
	}
	if (ctl & 0x20)
		tcpw_engine_drain(run->e, 4);
}

/* One engine's counters merged into a zeroed total are those counters; merged twice, the
 * sums double and the first and last times stay. */
static void
check_merge(const struct tcpw_engine_stats *st)
{
	struct tcpw_engine_stats one, two;

	memset(&one, 0, sizeof(one)); /* padding too: the structs are compared whole */
	memset(&two, 0, sizeof(two));
	tcpw_engine_stats_merge(&one, st);
	FUZZ_CHECK(memcmp(&one, st, sizeof(one)) == 0);
	tcpw_engine_stats_merge(&two, st);
	tcpw_engine_stats_merge(&two, st);
	FUZZ_CHECK(two.pkts == 2 * st->pkts && two.rec_pkts == 2 * st->rec_pkts);
	FUZZ_CHECK(two.agg_flow_stat == st->agg_flow_stat && two.max_hdrs == st->max_hdrs);
	FUZZ_CHECK(memcmp(&two.first_ts, &st->first_ts, sizeof(st->first_ts)) == 0);
	FUZZ_CHECK(memcmp(&two.last_ts, &st->last_ts, sizeof(st->last_ts)) == 0);
}

/* Flushed and drained: nothing left, every packet in exactly one place. */
static void
check_end(struct run *run)
{
	struct tcpw_engine_stats st;
	uint64_t nonflow;

	tcpw_engine_flush(run->e);
	drain_all(run);
	tcpw_engine_stats(run->e, &st);
	FUZZ_CHECK(tcpw_engine_pairs(run->e) == 0);
	FUZZ_CHECK(tcpw_engine_pending(run->e) == 0);
	FUZZ_CHECK(st.flows_in_mem == 0);
	FUZZ_CHECK(st.max_flows_in_mem <= 2 * (uint64_t)run->pairs);
	nonflow = st.verdict[TCPW_PKT_NON_IP] + st.verdict[TCPW_PKT_TRUNCATED] +
		  st.verdict[TCPW_PKT_MALFORMED] + st.verdict[TCPW_PKT_LINKTYPE];
	FUZZ_CHECK(st.pkts == run->given);
	FUZZ_CHECK(run->rec_pkts + nonflow == run->given);
	FUZZ_CHECK(st.verdict[TCPW_PKT_FLOW] + st.verdict[TCPW_PKT_FRAG] == run->rec_pkts);
	FUZZ_CHECK(st.rec_pkts == run->rec_pkts);
	FUZZ_CHECK(st.a_pkts + st.b_pkts == run->rec_pkts);
	FUZZ_CHECK(st.rec_pairs == run->records);
	FUZZ_CHECK(st.a_created == run->records);
	FUZZ_CHECK(st.rec_dirs == st.a_created + st.b_created);
	FUZZ_CHECK(st.autopilot == run->table_full);
	check_merge(&st);
	for (size_t i = 0; i < run->ninds; i++)
		for (size_t j = i + 1; j < run->ninds; j++)
			FUZZ_CHECK(run->inds[i] != run->inds[j]);
}

/* One run of the input on a new engine; its digest and record count out. */
static void
run_input(const uint8_t *data, size_t size, bool list_only, uint64_t *digest,
	  uint64_t *records)
{
	struct fuzz_in in = { .p = data, .left = size };
	uint8_t lt = fuzz_u8(&in), table = fuzz_u8(&in), refuse = fuzz_u8(&in), tw = fuzz_u8(&in);
	const float *t = timeout_sets[table >> 3 & 7];
	struct run run = { .pairs = 8u << (table & 3), .refuse_mask = refuse,
			   .digest = UINT64_C(0xcbf29ce484222325) };
	struct tcpw_engine_params p = {
		.pairs = run.pairs,
		.linktype = fuzz_linktypes[lt % FUZZ_NLINKTYPES],
		.tmt = { .thres = thresholds[tw & 7], .flwprg = 1 + (tw >> 3 & 7),
			 .bgn_s = t[1], .est_s = t[2], .abrt_s = t[3] },
		.flow_timeout_s = t[0],
		.flow_ind_first = tw >> 6,      /* 0 means 1 */
		.flow_ind_step = tw >> 6 & 1,   /* 0 means 1 */
		.emit = emit,
		.emit_ctx = &run,
		.pkt_cb = table & 0x04 ? packet_line : NULL,
		.pkt_ctx = &run,
		.walk_list_only = list_only,
		/* touch numbers from 0, or just before they wrap a signed or the unsigned way */
		.touch_first = (const uint32_t[]){ 0, 0x7fffff00, 0xffffff00, 0x80000000 }[table >> 6],
	};

	*digest = *records = 0;
	if (in.is_short)
		return;
	run.e = tcpw_engine_create(&p);
	FUZZ_CHECK(run.e != NULL);
	while (in.left > 0)
		do_op(&run, &in, &p.tmt);
	if (run.nburst > 0)
		submit_burst(&run);
	check_end(&run);
	tcpw_engine_free(run.e);
	free(run.inds);
	*digest = run.digest;
	*records = run.records;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t digest[2], records[2];

	for (unsigned int k = 0; k < 2; k++)
		run_input(data, size, k == 1, &digest[k], &records[k]);
	FUZZ_CHECK(records[0] == records[1] && digest[0] == digest[1]);
	return 0;
}
