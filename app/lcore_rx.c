/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX lcore: burst -> (distribute) -> engine -> drain records. Nothing here locks, allocates,
 * logs or makes a system call (scripts/check-rx-path.py checks this file); the only waits
 * are for a full ring, which is back-pressure, never loss.
 *
 * Two shapes:
 *  - RSS: every RX lcore polls its own queue; the port hashes symmetrically on the IP
 *    addresses, so both directions and every fragment of a connection reach one lcore.
 *  - software distribution (ports without symmetric RSS, net_pcap): RX lcore 0 polls
 *    the port, hashes each packet with tcpw_frame_sym_hash() (unless there is only one
 *    owner) and hands it to its owner, one of the other RX lcores, through that owner's
 *    SP/SC ring, up to 4 bursts' worth at a time; live, it also steps the owners' clocks
 *    (live_ticks()).
 * With -R there is no port: RX lcore 0 reads the records of the mapped file in place
 * (no mbuf, no copy) and distributes them the same way, as file offsets.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "parse.h"
#include "pipeline.h"

#define DRAIN_PER_LOOP 256
#define SNAPSHOT_LOOPS 1024 /* publish counters every this many loops (and at the end) */

static inline uint64_t *
mbuf_ts(const struct pipeline *pl, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, pl->ts_offset, uint64_t *);
}

/* Capture time in microseconds as the file holds it. net_pcap stores tv_sec * 1000000 +
 * tv_usec in 64 bits, but libpcap reads the record's 32-bit seconds field as signed, so from
 * 2038-01-19T03:14:08Z on the value is negative (as int64_t) and every later conversion was
 * garbage (2100-01-01 came out as 2095-07-20). The field is unsigned (pcap goes to
 * 2106-02-07): take the seconds back modulo 2^32, the microseconds as they were. */
static inline uint64_t
pcap_us(uint64_t raw)
{
	int64_t s = (int64_t)raw, sec, usec;

	if (likely(raw < (uint64_t)UINT32_MAX * 1000000)) /* 1970 to 2106: as it is */
		return raw;
	sec = s / 1000000;
	usec = s % 1000000;

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	return (uint64_t)(uint32_t)sec * 1000000 + (uint64_t)usec;
}

/* A frame as one buffer. net_pcap chains segments for frames above the mbuf size and keeps
 * only the low 16 bits of their length in pkt_len, so the segments are walked and summed. */
static const uint8_t *
frame_linear(struct rx_core *rc, const struct rte_mbuf *m, uint32_t *len)
{
	uint32_t n = 0;

	if (m->next == NULL) {
		*len = m->data_len;
		return rte_pktmbuf_mtod(m, const uint8_t *);
	}
	for (; m != NULL && n + m->data_len <= SCRATCH_BYTES; m = m->next) {
		rte_memcpy(rc->scratch + n, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		n += m->data_len;
	}
	*len = n;
	return rc->scratch;
}

/* Packets of this lcore waiting to go through the engine as one burst, so that it can
 * prefetch each packet's flow ahead (tcpw_engine_packets); their mbufs are freed after
 * (frames read in place from a file have none). */
struct batch {
	const uint8_t *frames[BURST];
	uint32_t lens[BURST];
	uint64_t ts_us[BURST];
	struct rte_mbuf *mbufs[BURST];
	unsigned int n, nmbufs;
	bool scratch_used;             /* one multi-segment frame at a time in the scratch */
};

/* Hand ended pairs to the writer, as many as its ring has room for: a record the ring
 * refuses would be built again at the next try (the writer falls behind at times on -R). */
static unsigned int
drain(struct rx_core *rc)
{
	unsigned int room = rte_ring_free_count(rc->records);

	return tcpw_engine_drain(rc->engine, room < DRAIN_PER_LOOP ? room : DRAIN_PER_LOOP);
}

/* A ring ahead is full (the writer's, through the table's retired slots, or an owner's):
 * wait. The lcore is alive meanwhile, which is all the watchdog asks (notify.c): counted
 * as a loop, or systemd would kill a daemon waiting on a full disk, and every flow in
 * memory would be lost. */
static inline void
rx_wait(struct rx_core *rc)
{
	own_add(&rc->loops, 1);
	rte_pause();
}

/* Not an initialiser: "= { 0 }" would clear the whole ~900-byte batch at every burst. */
static inline void
batch_init(struct batch *b)
{
	b->n = b->nmbufs = 0;
	b->scratch_used = false;
}

static void
batch_run(struct rx_core *rc, struct batch *b)
{
	unsigned int done = 0;

	while (done < b->n) {
		done += tcpw_engine_packets(rc->engine, b->frames + done, b->lens + done,
					    b->ts_us + done, b->n - done);
		/* short: every slot waits for the writer; hand records over until it fits */
		if (done < b->n && drain(rc) == 0)
			rx_wait(rc);
	}
	rte_pktmbuf_free_bulk(b->mbufs, b->nmbufs);
	b->n = b->nmbufs = 0;
	b->scratch_used = false;
}

static void
batch_add_frame(struct rx_core *rc, struct batch *b, const uint8_t *frame, uint32_t len,
		uint64_t t_us)
{
	b->frames[b->n] = frame;
	b->lens[b->n] = len;
	b->ts_us[b->n++] = t_us;
	if (b->n == BURST)
		batch_run(rc, b);
}

/* An mbuf's frame; the mbuf is freed once its burst has been through the engine. */
static void
batch_add(struct rx_core *rc, struct batch *b, struct rte_mbuf *m)
{
	const uint8_t *frame;
	uint32_t len;

	if (m->next != NULL && b->scratch_used)
		batch_run(rc, b);
	b->scratch_used |= m->next != NULL;
	frame = frame_linear(rc, m, &len);
	b->mbufs[b->nmbufs++] = m;
	batch_add_frame(rc, b, frame, len, *mbuf_ts(rc->pl, m));
}

/* The RX lcore that owns a packet's flows: never the distributor itself. A port's receive
 * costs about what the engine does, so a share of the flows on top made RX lcore 0 the
 * bottleneck: with 2 RX lcores, 47% of the bare PMD's rate against 56% for one lcore alone
 * (bench/e2e.sh, a capture of 500 host pairs; now about the same as one lcore on 2 shared
 * CPUs, doc/performance.md); -R does the same, for the same records. */
static unsigned int
owner_of(const struct rx_core *rc, const uint8_t *frame, uint32_t len)
{
	uint64_t h;

	if (rc->pl->nrx == 2) /* one owner: no hash, and the packet's lines stay unread */
		return 1;
	h = tcpw_frame_sym_hash(frame, len, rc->pl->linktype);

	return 1 + (unsigned int)((h * (rc->pl->nrx - 1)) >> 32); /* not %: no division */
}

/* Ring items are mbuf pointers; file records (-R) tagged in bit 1: (offset << 2) | 2; or
 * clock steps tagged in bit 0: (time_us << 1) | 1. Mbufs are cache-line aligned, so a
 * real pointer has neither bit. */
#define TICK_TAG 1u
#define FILE_TAG 2u

/* A record of the mapped file: its frame, length and capture time in microseconds; the
 * next record's offset, or 0 at the end of the file or damage. */
static inline uint64_t
file_record(const struct pipeline *pl, uint64_t off, const uint8_t **frame, uint32_t *len,
	    uint64_t *t_us)
{
	uint64_t stamp, next = capture_map_record(&pl->file, off, frame, len, &stamp);

	*t_us = pcap_us(stamp);
	return next;
}

/* Enqueue what the distributor has for lcore @owner. One ring operation for up to HAND_OVER
 * items, not one a packet, nor one a burst: each moves the ring's indices, two cache lines
 * the owner reads (at one a burst, 7% of the poller's time with 2 RX lcores). */
static void
hand_over_flush(struct rx_core *rc, unsigned int owner)
{
	struct rte_ring *r = rc->pl->rx[owner].pkts;
	unsigned int done = 0, n = rc->nout[owner];

	while (done < n) {
		done += rte_ring_sp_enqueue_burst(r, rc->out[owner] + done, n - done, NULL);
		if (done < n)
			rx_wait(rc); /* the owner is behind: back-pressure to the port */
	}
	rc->nout[owner] = 0;
}

static inline void
hand_over(struct rx_core *rc, unsigned int owner, void *item)
{
	if (rc->nout[owner] == RTE_DIM(rc->out[owner]))
		hand_over_flush(rc, owner);
	rc->out[owner][rc->nout[owner]++] = item;
}

/* Every item out: at least every HOLD_BURSTS bursts, after a short burst (the port or the
 * file has no more for now), and before the distributor says its input is done. */
static void
hand_over_all(struct rx_core *rc)
{
	for (unsigned int i = 0; i < rc->pl->nrx; i++)
		if (rc->nout[i] > 0)
			hand_over_flush(rc, i);
	rc->held = 0;
}

static void
hand_over_end(struct rx_core *rc, unsigned int n)
{
	if (n < BURST || ++rc->held == HOLD_BURSTS)
		hand_over_all(rc);
}

/* Live, software distribution: the distributor is the owners' clock. An owner that got
 * nothing for a tick gets a clock step in its ring, after every packet stamped before it,
 * so its expiry runs as an idle lcore's would (rx_idle_clock()) and its time never goes
 * back, however long its packets wait to be handed over. */
static void
live_ticks(struct rx_core *rc, uint64_t now_us)
{
	if (!rc->pl->live || !rc->pl->sw_dist)
		return;
	for (unsigned int i = 1; i < rc->pl->nrx; i++) {
		if (now_us >= rc->sent_max_us[i] + rc->pl->tick_us) {
			hand_over(rc, i, (void *)(uintptr_t)(now_us << 1 | TICK_TAG));
			rc->sent_max_us[i] = now_us;
		}
	}
}

/*
 * Software distribution when capture time goes backwards. Tranalyzer sweeps at every
 * packet's time; an lcore that only sees its own packets would miss a sweep at a time
 * later than any of its own, and keep a pair that the global sweep ended (a flow idle
 * across a packet stamped in the future). So before a packet that steps back in time,
 * every lcore that has not yet been at the latest time so far is stepped there. While
 * time only moves forward nothing is sent: a sweep at an lcore's own next packet ends
 * everything a sweep at any earlier time would have.
 */
static void
spread_clock(struct rx_core *rc, uint64_t t_us)
{
	struct pipeline *pl = rc->pl;

	if (t_us < rc->time_max_us) {
		for (unsigned int i = 1; i < pl->nrx; i++) { /* the distributor holds no flows */
			if (rc->sent_max_us[i] >= rc->time_max_us)
				continue;
			hand_over(rc, i, (void *)(uintptr_t)(rc->time_max_us << 1 | TICK_TAG));
			rc->sent_max_us[i] = rc->time_max_us;
		}
	}
	if (t_us > rc->time_max_us)
		rc->time_max_us = t_us;
}

/* Software distribution: the lcore that owns a packet, with the clock steps it needs. */
static unsigned int
distribute(struct rx_core *rc, const uint8_t *frame, uint32_t len, uint64_t t_us)
{
	unsigned int owner = owner_of(rc, frame, len);

	spread_clock(rc, t_us);
	if (t_us > rc->sent_max_us[owner])
		rc->sent_max_us[owner] = t_us;
	return owner;
}

/* Poll the port queue: stamp live receive time, then keep or hand over each packet. */
static unsigned int
rx_poll(struct rx_core *rc)
{
	struct pipeline *pl = rc->pl;
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(pl->port, rc->queue, pkts, BURST);
	uint64_t now_us = 0;
	struct batch own;

	if (pl->live)
		now_us = clock_us(&pl->clock, rte_rdtsc());
	if (n == 0) {
		live_ticks(rc, now_us);
		hand_over_all(rc);
		return 0;
	}
	batch_init(&own);
	for (uint16_t i = 0; i < n; i++) {
		unsigned int owner = rc->idx;

		if (pl->live)
			*mbuf_ts(pl, pkts[i]) = now_us;
		else
			*mbuf_ts(pl, pkts[i]) = pcap_us(*mbuf_ts(pl, pkts[i]));
		if (pl->sw_dist)
			owner = distribute(rc, rte_pktmbuf_mtod(pkts[i], const uint8_t *),
					   rte_pktmbuf_data_len(pkts[i]), *mbuf_ts(pl, pkts[i]));
		if (owner == rc->idx)
			batch_add(rc, &own, pkts[i]);
		else
			hand_over(rc, owner, pkts[i]);
	}
	live_ticks(rc, now_us);
	hand_over_end(rc, n);
	batch_run(rc, &own);
	own_add(&rc->rx_pkts, n);
	return n;
}

/* -R: the next records of the mapped file, as rx_poll() takes a burst from the port. Each
 * record's lines are asked for FILE_AHEAD bytes before the reader gets there: the walk from
 * one record header to the next is a chain of loads, and the page cache's 4 KiB pages are
 * scattered, so the hardware's stream prefetch stops at every page. */
#define FILE_AHEAD 4096
static unsigned int
rx_read(struct rx_core *rc)
{
	struct pipeline *pl = rc->pl;
	struct batch own;
	unsigned int n;

	batch_init(&own);
	for (n = 0; n < BURST; n++) {
		uint64_t off = pl->file_off, next, t_us;
		const uint8_t *frame;
		unsigned int owner = rc->idx;
		uint32_t len;

		next = file_record(pl, off, &frame, &len, &t_us);
		if (next == 0) { /* the end, or damage: main words it (capture_map_damage()) */
			pl->file_done = true;
			break;
		}
		pl->file_off = next;
		while (pl->file_pf < next + FILE_AHEAD) {
			rte_prefetch0(pl->file.base + pl->file_pf);
			pl->file_pf += RTE_CACHE_LINE_SIZE;
		}
		if (pl->sw_dist)
			owner = distribute(rc, frame, len, t_us);
		if (owner == rc->idx)
			batch_add_frame(rc, &own, frame, len, t_us);
		else
			hand_over(rc, owner, (void *)(uintptr_t)(off << 2 | FILE_TAG));
	}
	hand_over_end(rc, n);
	batch_run(rc, &own);
	own_add(&rc->rx_pkts, n);
	return n;
}

/* Packets and clock steps handed over by the poller, in the poller's order. */
static unsigned int
rx_take(struct rx_core *rc)
{
	void *items[BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(rc->pkts, items, BURST, NULL);
	struct batch b;

	batch_init(&b);
	/* the poller's core wrote these mbufs: both header lines are misses here (the frame's
	 * own lines are the engine's to prefetch) */
	for (unsigned int i = 0; i < n; i++) {
		if (((uintptr_t)items[i] & (TICK_TAG | FILE_TAG)) == 0) {
			rte_prefetch0(items[i]);
			rte_prefetch0(RTE_PTR_ADD(items[i], RTE_CACHE_LINE_SIZE));
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		uintptr_t v = (uintptr_t)items[i];

		if (v & TICK_TAG) {
			batch_run(rc, &b); /* the packets before the step come first */
			tcpw_engine_advance(rc->engine, tcpw_us_ts(v >> 1));
		} else if (v & FILE_TAG) {
			const uint8_t *frame;
			uint64_t t_us;
			uint32_t len;

			file_record(rc->pl, v >> 2, &frame, &len, &t_us);
			batch_add_frame(rc, &b, frame, len, t_us);
		} else {
			batch_add(rc, &b, items[i]);
		}
	}
	batch_run(rc, &b);
	return n;
}

/* Live: an idle lcore that polls a port still moves its clock, so expired flows are written
 * (owners under software distribution get theirs from the distributor: live_ticks()). */
static void
rx_idle_clock(struct rx_core *rc)
{
	uint64_t now = atomic_load_explicit(&rc->pl->now_us, memory_order_relaxed);

	if (now >= rc->last_advance_us + rc->pl->tick_us) {
		tcpw_engine_advance(rc->engine, tcpw_us_ts(now));
		rc->last_advance_us = now;
	}
}

/* A poller stops on quit, or offline once the file's packets are in. The software
 * distributor says so only after its last hand-over, so an owner that sees input_done and
 * an empty ring has every packet it will get. */
static void
rx_maybe_stop(struct rx_core *rc)
{
	struct pipeline *pl = rc->pl;

	if (!atomic_load_explicit(&pl->quit, memory_order_relaxed) &&
	    (pl->live || (pl->file.base != NULL ? !pl->file_done :
			  atomic_load_explicit(&rc->rx_pkts, memory_order_relaxed) < pl->expected)))
		return;
	rc->stopped = true;
	if (pl->sw_dist) {
		hand_over_all(rc);
		atomic_store_explicit(&pl->input_done, true, memory_order_release);
	}
}

/* Publish the engine's counters (a ~300-byte copy; no lock, no system call). */
static void
rx_publish(struct rx_core *rc)
{
	unsigned int seq = atomic_load_explicit(&rc->snap_seq, memory_order_relaxed);

	atomic_store_explicit(&rc->snap_seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	tcpw_engine_stats(rc->engine, &rc->snap);
	atomic_store_explicit(&rc->snap_seq, seq + 2, memory_order_release);
}

void
rx_snapshot_read(struct rx_core *rc, struct tcpw_engine_stats *out)
{
	unsigned int before, after;

	do {
		before = atomic_load_explicit(&rc->snap_seq, memory_order_acquire);
		memcpy(out, &rc->snap, sizeof(*out));
		atomic_thread_fence(memory_order_acquire);
		after = atomic_load_explicit(&rc->snap_seq, memory_order_relaxed);
	} while ((before & 1) != 0 || before != after);
}

/* A reload reaches this lcore at a loop boundary: the engine takes the new constants. */
static void
rx_reload(struct rx_core *rc)
{
	struct reload_conf r;
	unsigned int seq = reload_take(&rc->pl->reload,
				       atomic_load_explicit(&rc->reload_seq, memory_order_relaxed),
				       &r);
	bool failed;

	if (seq == 0)
		return;
	/* both, whatever the first says: the timeouts can be refused (too many distinct
	 * values since start) and the overload settings still apply */
	failed = tcpw_engine_set_timeouts(rc->engine, &r.tmt, r.flow_timeout_s) != 0;
	failed |= tcpw_engine_set_overload(rc->engine, r.high_water, r.emergency_timeout_s) != 0;
	if (failed)
		atomic_store_explicit(&rc->reload_failed, true, memory_order_relaxed);
	atomic_store_explicit(&rc->reload_seq, seq, memory_order_release);
}

static bool
input_finished(const struct rx_core *rc)
{
	if (rc->polls)
		return rc->stopped;
	return atomic_load_explicit(&rc->pl->input_done, memory_order_acquire) &&
	       rte_ring_empty(rc->pkts);
}

/* Test-only hook (watchdog test): stop making progress until quit, as a stuck lcore would. */
static void __rte_cold
test_stall(struct rx_core *rc)
{
	while (!atomic_load_explicit(&rc->pl->quit, memory_order_relaxed))
		rte_pause();
	rc->pl->test_stall_tsc = 0;
}

int
lcore_rx_main(void *arg)
{
	struct rx_core *rc = arg;
	struct pipeline *pl = rc->pl;

	for (;;) {
		unsigned int n = 0;

		if (unlikely(pl->test_stall_tsc != 0) && rc->idx == 0 &&
		    rte_rdtsc() > pl->test_stall_tsc)
			test_stall(rc);

		if (rc->polls && !rc->stopped) {
			rx_maybe_stop(rc);
			if (!rc->stopped)
				n += pl->file.base != NULL ? rx_read(rc) : rx_poll(rc);
		}
		if (rc->pkts != NULL)
			n += rx_take(rc);
		if (n == 0) {
			if (input_finished(rc))
				break;
			if (pl->live && rc->polls)
				rx_idle_clock(rc);
		} else if (pl->live) {
			rc->last_advance_us = atomic_load_explicit(&pl->now_us,
								   memory_order_relaxed);
		}
		drain(rc);
		if (own_add(&rc->loops, 1) % SNAPSHOT_LOOPS == 0) {
			rx_publish(rc);
			rx_reload(rc);
		}
	}
	tcpw_engine_flush(rc->engine);
	while (tcpw_engine_pending(rc->engine) > 0)
		if (drain(rc) == 0)
			rx_wait(rc);
	rx_publish(rc);
	atomic_store_explicit(&rc->done, true, memory_order_release);
	return 0;
}
