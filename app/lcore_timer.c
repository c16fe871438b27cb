/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer lcore: publishes the live clock (TSC converted to microseconds since the epoch)
 * every quarter tick. An RX lcore that sees no packets steps its flow engine to this clock
 * at least every tick, and the step runs Tranalyzer's expiry sweep exactly as a packet
 * would: so a flow that expired is written within one tick, without any new packet.
 *
 * Expiry itself stays with each table's owner (doc/architecture.md: the sweep is
 * incremental, O(1) amortised per packet, and needs no cross-lcore access to the tables).
 * The timer lcore sleeps between ticks: it is not on the packet path.
 */
#include <rte_cycles.h>

#include "pipeline.h"

int
lcore_timer_main(void *arg)
{
	struct pipeline *pl = arg;
	unsigned int sleep_us = (unsigned int)(pl->tick_us / 4 ? pl->tick_us / 4 : 1);

	while (!atomic_load_explicit(&pl->timer_quit, memory_order_relaxed)) {
		atomic_store_explicit(&pl->now_us, clock_us(&pl->clock, rte_rdtsc()),
				      memory_order_relaxed);
		rte_delay_us_sleep(sleep_us);
	}
	return 0;
}
