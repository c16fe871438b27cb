/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow engine: one per RX core, one writer (its owner). Packets in, ended flow pairs out.
 *
 * The engine keeps a table of flow pairs (both directions of a connection in one entry) and
 * reproduces Tranalyzer2's flow life cycle exactly (T2-SEMANTICS §2): directions ordered in
 * an LRU list, one sentinel per distinct timeout value, and at every packet (before the
 * packet joins its flow) a sweep that ends each pair whose existing directions are all idle
 * past their timeouts. Time is the packet's capture time, passed in; the engine never reads
 * a clock, never logs, never allocates after creation.
 *
 * Ended pairs are retired, not written: tcpw_engine_drain() turns them into records and hands
 * them to the emit callback, which may refuse (ring full); refused records stay retired and
 * are offered again at the next drain, so no record is ever lost.
 *
 * @code
 *	struct tcpw_engine *e = tcpw_engine_create(&params);
 *	for each packet:
 *		tcpw_engine_packet(e, frame, caplen, ts);
 *		tcpw_engine_drain(e, 64);
 *	tcpw_engine_flush(e);                  // end of input: retire every pair
 *	while (tcpw_engine_drain(e, 64) > 0) ;
 *	tcpw_engine_free(e);
 * @endcode
 */
#ifndef TCPW_ENGINE_H
#define TCPW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "record.h"
#include "tcp_state.h"

struct tcpw_engine;

/** Returns 0 if the record was taken, -ENOBUFS to be called again later with it. */
typedef int (*tcpw_emit_fn)(void *ctx, const struct tcpw_record *rec);
/** Packet mode: called once per packet after the engine updated its flow. */
typedef void (*tcpw_pkt_fn)(void *ctx, const struct tcpw_pkt_line *line);

struct tcpw_engine_params {
	uint32_t pairs;         /**< flow pairs held (power of two, >= 8) */
	int linktype;           /**< TCPW_DLT_* of the input */
	struct tcpw_tmt tmt;    /**< tcpWinTMT constants */
	float flow_timeout_s;   /**< default timeout (NEW state, non-TCP) */
	uint64_t flow_ind_first; /**< first flow index (0 means 1) */
	uint64_t flow_ind_step;  /**< gap between indices (0 means 1): core i of n uses
				  *   first i + 1, step n, so indices are unique across cores */
	uint32_t high_water;    /**< pairs in memory that switch on emergency timeouts
				  *   (0: never); they stay on until the table is 1/10 emptier */
	float emergency_timeout_s; /**< while on, pairs idle this long end first */
	tcpw_emit_fn emit;
	void *emit_ctx;
	tcpw_pkt_fn pkt_cb;     /**< NULL: no packet mode */
	void *pkt_ctx;
	uint64_t hash_seed;     /**< keys the flow index's hash: a random value per run keeps
				  *   crafted 5-tuples from being aimed at one probe chain
				  *   (records do not depend on it) */
	bool walk_list_only;    /**< for tests: the shortest timeout's walk always walks the
				  *   list, never the touch ring (same records, more work) */
	uint32_t touch_first;   /**< for tests: the first touch number (0), to run the ring
				  *   walk across the 32-bit wrap of touch numbers */
};

/** Counters; written by the owner only, copied out by tcpw_engine_stats(). */
struct tcpw_engine_stats {
	uint64_t pkts;                     /**< every packet handed to the engine */
	uint64_t bytes;                    /**< their captured bytes */
	uint64_t verdict[TCPW_VERDICT_MAX]; /**< by parse verdict */
	uint64_t frag_orphan;              /**< non-first fragments without a first fragment: in
						 port-0 flows (informational) */
	uint64_t no_room;                  /**< packets refused: table full of retired pairs */
	uint64_t ipv4_pkts;
	uint64_t ipv6_pkts;
	uint64_t tcp_pkts;                 /**< examined TCP packets (pktTcpCnt) */
	uint64_t tcp_bytes;
	uint64_t min_hdrs, max_hdrs, sum_hdrs; /**< header stack depth of flow packets */
	uint64_t a_created;                /**< pairs created (T2 "A flows") */
	uint64_t b_created;                /**< second directions created (T2 "B flows") */
	uint64_t flows_in_mem;             /**< directions in memory now */
	uint64_t max_flows_in_mem;
	uint64_t autopilot;                /**< pairs ended because the table was full */
	uint64_t emergency_on;             /**< times the table passed its high-water mark */
	uint64_t emergency_ended;          /**< pairs ended by the emergency timeout */
	uint64_t in_emergency;             /**< emergency timeouts in force now (engines) */
	/* from emitted records */
	uint64_t rec_pairs;                /**< records emitted */
	uint64_t rec_dirs;                 /**< flow lines emitted */
	uint64_t rec_lone_inverted;        /**< lone flows carrying the B bit */
	uint64_t a_pkts, b_pkts, a_bytes, b_bytes; /**< by the B bit of their direction */
	uint64_t rec_pkts;                 /**< packets inside emitted records */
	uint64_t win_below;                /**< sum of tcpWinThCnt of emitted records */
	uint8_t agg_twin_stat;             /**< OR of tcpWinStat */
	uint8_t agg_twin_state;            /**< OR of tcpWinState */
	uint64_t agg_flow_stat;            /**< OR of flowStat, B bit excluded */
	struct tcpw_ts first_ts, last_ts;  /**< first and last packet time */
};

/**
 * Create an engine.
 * @return the engine, or NULL with errno EINVAL (bad parameters) or ENOMEM
 */
struct tcpw_engine *tcpw_engine_create(const struct tcpw_engine_params *p);

/** Free an engine (NULL accepted). Retired records not yet drained are lost: drain first. */
void tcpw_engine_free(struct tcpw_engine *e);

/**
 * Account one captured frame: sweep expired pairs at @p ts, parse, update the flow. The
 * engine counts time in microseconds (tcpw_ts_us()): @p ts.usec is below 10^6, as capture
 * times are (a larger one is carried into the seconds).
 * @return 0, or -ENOSPC if no slot is free while retired pairs wait for the writer (they free
 *         their slots once drained; the autopilot evicts only when none waits): the packet
 *         was not processed; drain and call again
 */
int tcpw_engine_packet(struct tcpw_engine *e, const uint8_t *frame, uint32_t caplen,
		       struct tcpw_ts ts);

/** Most packets tcpw_engine_packets() takes at once. */
#define TCPW_ENGINE_BURST 32

/**
 * Account a burst of frames, in order, exactly as that many tcpw_engine_packet() calls
 * would, but with the memory of each packet's flow prefetched ahead. Times @p times_us are
 * microseconds since the epoch (tcpw_ts_us() of a struct tcpw_ts: the engine counts time
 * in microseconds, to 2106-02-07 as the pcap format does).
 * @return packets accounted; fewer than @p n (at most TCPW_ENGINE_BURST) only when a
 *         packet found no free slot (as -ENOSPC above): drain and call again with the rest
 */
unsigned int tcpw_engine_packets(struct tcpw_engine *e, const uint8_t *const *frames,
				 const uint32_t *lens, const uint64_t *times_us, unsigned int n);

/** Advance the clock without a packet (idle link): retires pairs expired at @p ts. */
void tcpw_engine_advance(struct tcpw_engine *e, struct tcpw_ts ts);

/** Retire every pair in memory, least recently active first (end of input, shutdown). */
void tcpw_engine_flush(struct tcpw_engine *e);

/**
 * Offer up to @p max retired pairs to the emit callback, oldest first.
 * @return records taken by the callback
 */
unsigned int tcpw_engine_drain(struct tcpw_engine *e, unsigned int max);

/** Retired pairs waiting to be drained. */
unsigned int tcpw_engine_pending(const struct tcpw_engine *e);

/** Pairs in memory (not retired). */
unsigned int tcpw_engine_pairs(const struct tcpw_engine *e);

/**
 * Memory per flow pair, in bytes: the 128-byte hot entry, the record-only data of both
 * directions, two index buckets and a quarter of a touch ring entry (free slots are
 * listed through the entries).
 * Returned through the pointers when not NULL; the total is the return value.
 */
size_t tcpw_engine_pair_bytes(size_t *hot, size_t *cold);

/**
 * How well the flow index spreads the pairs in memory: their mean distance, in buckets,
 * from the bucket their hash points at (open addressing with linear probing, at most half
 * the buckets used: about 0.5 with a hash that spreads well). Reads the whole index: for
 * tests and benchmarks, from the owner's thread.
 */
double tcpw_engine_index_displacement(const struct tcpw_engine *e);

/** Copy the counters. */
void tcpw_engine_stats(const struct tcpw_engine *e, struct tcpw_engine_stats *out);

/**
 * Add the counters of one engine (@p src) to a total (@p dst, zeroed first): sums, ORs of
 * the aggregates, earliest first and latest last packet. max_flows_in_mem becomes the sum
 * of the engines' peaks, an upper bound of the peak in memory at once.
 */
void tcpw_engine_stats_merge(struct tcpw_engine_stats *dst, const struct tcpw_engine_stats *src);

/**
 * Change the overload policy (reload): the high-water mark in pairs (0: none; above the
 * table size: none) and the emergency timeout (> 0).
 * @return 0, or -EINVAL
 */
int tcpw_engine_set_overload(struct tcpw_engine *e, uint32_t high_water,
			     float emergency_timeout_s);

/**
 * Change the tcpWinTMT constants and default timeout (reload); applies to later packets.
 * @return 0; -EINVAL if a timeout is not above 0 (nothing changes); -ENOSPC if the timeouts
 *         would make more than 8 distinct values since creation (they stay as they were;
 *         the zero-window threshold and count change all the same)
 */
int tcpw_engine_set_timeouts(struct tcpw_engine *e, const struct tcpw_tmt *tmt,
			     float flow_timeout_s);

#endif /* TCPW_ENGINE_H */
