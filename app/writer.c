/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writer thread (a plain pthread, not an lcore): drains every RX lcore's record ring in
 * turn, formats the records and owns all file I/O. It flushes whenever the rings run dry,
 * so `tail -F` sees a record as soon as it is written, and it ends once every RX lcore is
 * done and its ring is empty.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_ring.h>

#include "pipeline.h"
#include "record.h"

static unsigned int
write_ring(struct pipeline *pl, struct rte_ring *ring)
{
	static struct tcpw_record recs[BURST];
	char line[4096];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(ring, recs, sizeof(recs[0]), BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		int len = tcpw_record_format(&recs[i], line, sizeof(line));

		if (len > 0 && fwrite(line, 1, (size_t)len, pl->flows) != (size_t)len)
			atomic_store(&pl->write_failed, true);
	}
	atomic_fetch_add_explicit(&pl->written, n, memory_order_relaxed);
	return n;
}

void *
writer_main(void *arg)
{
	struct pipeline *pl = arg;
	bool dirty = false;

	for (;;) {
		unsigned int n = 0;
		bool all_done = true;

		for (unsigned int i = 0; i < pl->nrx; i++) {
			/* read done before draining: a record enqueued before done is seen */
			bool done = atomic_load_explicit(&pl->rx[i].done, memory_order_acquire);

			n += write_ring(pl, pl->rx[i].records);
			all_done &= done && rte_ring_empty(pl->rx[i].records);
		}
		if (n > 0) {
			dirty = true;
			continue;
		}
		if (dirty && fflush(pl->flows) != 0)
			atomic_store(&pl->write_failed, true);
		dirty = false;
		if (all_done)
			break;
		usleep(200);
	}
	return NULL;
}
