/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime topology shared by the lcores and the writer thread (doc/architecture.md):
 *
 *   port queues --> RX lcores (each owns one flow engine) --records ring--> writer thread
 *                   ^ timer lcore: the clock of idle RX lcores (live mode)
 *
 * Every field says who writes it. Anything another thread reads is an atomic; nothing
 * writable is shared between RX lcores except through SP/SC rings.
 */
#ifndef TCPW_APP_PIPELINE_H
#define TCPW_APP_PIPELINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "capture.h"
#include "conf.h"
#include "engine.h"
#include "writer.h"

#define BURST 32
#define HOLD_BURSTS 4          /* software distribution: bursts an item waits at most ... */
#define HAND_OVER (HOLD_BURSTS * BURST) /* ... and items an enqueue takes at most */
#define SCRATCH_BYTES (256 * 1024)  /* libpcap's largest record is 262144 bytes */
#define PKT_LINE_BYTES (4 * 65536 + 4096) /* packet-mode line: payload escaped at most x4 */

struct pipeline;

/* One RX lcore. Written by its lcore unless noted; one cache line per hot counter group. */
struct rx_core {
	struct pipeline *pl;
	unsigned int idx;              /* 0 .. nrx-1 */
	unsigned int lcore;
	struct tcpw_engine *engine;
	struct rte_ring *records;      /* ended pairs -> writer (SP: this lcore, SC: writer) */
	struct rte_ring *pkts;         /* software distribution: mbufs from the poller
					* (SP: RX lcore 0, SC: this lcore); NULL with RSS */
	uint16_t queue;                /* the port queue this lcore polls (RSS or lcore 0) */
	bool polls;                    /* polls a port queue */
	bool stopped;                  /* a poller that stopped polling */
	uint8_t *scratch;              /* linear copy of multi-segment frames */
	struct tcpw_writer *pkt_log;   /* packet mode (one RX lcore only): written here */
	char *pkt_line;
	uint64_t last_advance_us;      /* live: last clock step given to the engine */
	uint64_t time_max_us;          /* software distributor: latest packet time so far */
	uint64_t sent_max_us[TCPW_CONF_RX_MAX]; /* ... latest time each lcore has been at */
	void *out[TCPW_CONF_RX_MAX][HAND_OVER]; /* ... items for each lcore, enqueued together */
	unsigned int nout[TCPW_CONF_RX_MAX];
	unsigned int held;             /* ... bursts since everything went out */
	atomic_uint_fast64_t rx_pkts;  /* packets this lcore took from the port (read: main) */
	atomic_uint_fast64_t loops;    /* loop iterations and waits on a full ring ahead (read:
					* main, for the watchdog) */
	atomic_bool done;              /* flushed and drained (read: writer, main) */
	atomic_uint reload_seq;        /* last reload applied (read: main, telemetry) */
	atomic_bool reload_failed;     /* the engine could not take the last one (read: main) */
	/* Counters published for readers on other threads (telemetry, SIGUSR1): the RX lcore
	 * copies its engine's counters here now and then, bracketed by snap_seq (odd while
	 * copying); readers retry until they see the same even value before and after. */
	atomic_uint snap_seq __rte_cache_aligned;
	struct tcpw_engine_stats snap;
} __rte_cache_aligned;

/* TSC to capture-clock conversion, set once before the lcores start. */
struct clock {
	uint64_t base_tsc;
	uint64_t base_us;              /* wall clock at base_tsc, microseconds since the epoch */
	uint64_t hz;
};

/* What a reload changes on the running lcores and the writer. */
struct reload_conf {
	struct tcpw_tmt tmt;
	float flow_timeout_s;
	uint32_t high_water;              /* pairs per RX lcore */
	float emergency_timeout_s;
	struct tcpw_writer_params policy; /* rotation, retention, gzip */
	uint64_t flush_interval_ms;
};

/* A reloaded configuration on its way to the lcores and the writer: main writes it between
 * an odd and an even seq; each reader copies it whole when seq is even and new to it, and
 * rereads if seq moved meanwhile (no lock on the RX path). */
struct reload_box {
	atomic_uint seq;
	struct reload_conf c;
};

struct pipeline {
	struct rx_core rx[TCPW_CONF_RX_MAX];
	unsigned int nrx;
	uint16_t port;
	uint16_t nqueues;              /* RX queues configured on the port */
	bool sw_dist;                  /* RX lcore 0 polls the one queue (or reads the file)
					* and spreads the packets to the other RX lcores */
	bool live;                     /* packet time = receive time; else capture time */
	int linktype;                  /* TCPW_DLT_* of the input */
	int ts_offset;                 /* mbuf timestamp dynamic field (capture time, us) */
	uint64_t expected;             /* -r: packets the file holds (pre-scan) */
	struct capture_map file;       /* -R: the mapped file (base NULL otherwise) */
	uint64_t file_off;             /* -R: next record (RX lcore 0) */
	uint64_t file_pf;              /* -R: the file is prefetched up to here (RX lcore 0) */
	bool file_done;                /* -R: no record at file_off (RX lcore 0; main reads it
					* once the lcores are done) */
	uint64_t tick_us;              /* live: idle clock step */
	struct clock clock;
	atomic_uint_fast64_t now_us;   /* live clock, published by the timer lcore */
	atomic_bool input_done;        /* no more packets will be distributed */
	atomic_bool quit;              /* stop capturing (signal or end of input) */
	atomic_bool timer_quit;        /* stop the timer lcore (after the RX lcores) */
	struct tcpw_writer *writer;    /* writer thread only (after start-up) */
	bool json;                     /* output.format = "json" */
	bool packet_mode;              /* -s or packet_log.enable */
	uint64_t flush_interval_ms;
	atomic_uint_fast64_t written;  /* records handed to the file writer (writer) */
	atomic_bool write_blocked;     /* the disk refuses records right now (writer) */
	atomic_bool rotate_now;        /* rotate the flow file (main -> writer) */
	struct reload_box reload;      /* main -> RX lcores, writer */
	uint64_t test_stall_tsc;       /* test-only: RX lcore 0 stops looping after this TSC
					* (TCPWINTMTD_TEST_STALL_RX0_S); 0: never */
	atomic_uint writer_reload_seq; /* last reload the writer applied */
	atomic_bool give_up;           /* second SIGTERM: stop waiting for the disk (main) */
	atomic_bool writer_done;       /* the writer thread finished (writer) */
	atomic_uint_fast64_t records_lost; /* records dropped after giving up (writer) */
};

/* Add to a counter that only its own lcore writes: a plain load and store. A locked add
 * (atomic_fetch_add) waits for every store in flight to complete, and on the packet path
 * those include misses on lines the other core holds (mbufs, the rings' indices). */
static inline uint64_t
own_add(atomic_uint_fast64_t *counter, uint64_t n)
{
	uint64_t v = atomic_load_explicit(counter, memory_order_relaxed) + n;

	atomic_store_explicit(counter, v, memory_order_relaxed);
	return v;
}

static inline uint64_t
clock_us(const struct clock *c, uint64_t tsc)
{
	uint64_t d = tsc - c->base_tsc;

	return c->base_us + d / c->hz * 1000000 + d % c->hz * 1000000 / c->hz;
}

/* Copy the reload box if it holds a reload newer than @p seen; returns its seq, or 0. */
static inline unsigned int
reload_take(struct reload_box *box, unsigned int seen, struct reload_conf *out)
{
	unsigned int before, after;

	before = atomic_load_explicit(&box->seq, memory_order_acquire);
	if (before == seen || (before & 1) != 0)
		return 0;
	*out = box->c;
	atomic_thread_fence(memory_order_acquire);
	after = atomic_load_explicit(&box->seq, memory_order_relaxed);
	return before == after ? before : 0;
}

/* Read an RX lcore's published counters (any thread). */
void rx_snapshot_read(struct rx_core *rc, struct tcpw_engine_stats *out);

int lcore_rx_main(void *arg);
int lcore_timer_main(void *arg);
void *writer_main(void *arg);

#endif /* TCPW_APP_PIPELINE_H */
