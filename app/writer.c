/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writer thread (a plain pthread, not an lcore): drains every RX lcore's record ring in
 * turn, formats the records (Tranalyzer text or JSON lines) and hands them to the rotating
 * file writer (lib/writer.c), which owns all file I/O. Live, whenever the rings run dry,
 * and at least every output.flush_interval_ms, buffered records are written out so
 * `tail -F` sees them; reading a file, when the buffer fills, at the interval and at the
 * end. When the disk refuses them, the record in hand is kept and the rings are left to
 * fill: the RX lcores then keep ended flows in their tables (back-pressure), nothing is
 * dropped here. The thread ends once every RX lcore is done and its ring is empty.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>

#include "pipeline.h"
#include "record.h"
#include "writer.h"

#define RETRY_US 100000 /* while the disk refuses records */
/* Between looks at empty rings: from IDLE_MIN_US, doubled at each look that finds them
 * still empty, up to IDLE_MAX_US. Records that come meanwhile wait in an RX lcore's ring,
 * then as retired slots of its table, which an RX lcore only waits on when its table is
 * full: a look every 200 us woke an idle daemon's writer 3,500 times a second, 6.6% of a
 * CPU (doc/performance.md, thirteenth round). */
#define IDLE_MIN_US 200u
#define IDLE_MAX_US 5000u

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Format and hand over one record; on -EAGAIN retry until taken (or the run is lost). */
static void
write_one(struct pipeline *pl, const struct tcpw_record *rec, char *text, size_t len)
{
	int n = pl->json ? tcpw_record_format_json(rec, text, len) :
			   tcpw_record_format(rec, text, len);
	int rc;

	if (n <= 0) {
		atomic_fetch_add(&pl->records_lost, 1); /* cannot happen: 8 KiB > 2 lines */
		return;
	}
	while ((rc = tcpw_writer_write(pl->writer, text, (size_t)n, time(NULL))) != 0) {
		if (rc != -EAGAIN || atomic_load(&pl->give_up)) {
			atomic_fetch_add(&pl->records_lost, 1);
			break;
		}
		atomic_store(&pl->write_blocked, true);
		usleep(RETRY_US);
		tcpw_writer_tick(pl->writer, time(NULL));
	}
	atomic_store(&pl->write_blocked, false);
}

static unsigned int
write_ring(struct pipeline *pl, struct rte_ring *ring)
{
	static struct tcpw_record recs[BURST];
	static char text[8192];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(ring, recs, sizeof(recs[0]), BURST, NULL);

	for (unsigned int i = 0; i < n; i++)
		write_one(pl, &recs[i], text, sizeof(text));
	atomic_fetch_add_explicit(&pl->written, n, memory_order_relaxed);
	return n;
}

/* Every record is in hand: if the disk still refuses some, wait for space rather than lose
 * them, until the operator gives up (a second SIGTERM/SIGINT). */
static void
wait_for_disk(struct pipeline *pl)
{
	struct tcpw_writer_stats ws;
	bool told = false;

	for (;;) {
		tcpw_writer_tick(pl->writer, time(NULL));
		tcpw_writer_stats(pl->writer, &ws);
		if (ws.buffered == 0 || atomic_load(&pl->give_up))
			break;
		atomic_store(&pl->write_blocked, true);
		if (!told)
			fprintf(stderr, "tcpwintmtd: waiting for disk space to write the last %" PRIu64
				" bytes of records (SIGTERM again to give up and lose them)\n",
				ws.buffered);
		told = true;
		usleep(RETRY_US);
	}
	atomic_store(&pl->write_blocked, false);
}

static void
writer_reload(struct pipeline *pl)
{
	struct reload_conf r;
	unsigned int seq = reload_take(&pl->reload, atomic_load(&pl->writer_reload_seq), &r);

	if (seq == 0)
		return;
	tcpw_writer_set_policy(pl->writer, &r.policy);
	pl->flush_interval_ms = r.flush_interval_ms;
	atomic_store(&pl->writer_reload_seq, seq);
}

void *
writer_main(void *arg)
{
	struct pipeline *pl = arg;
	uint64_t last_tick = mono_ms();
	unsigned int idle_us = IDLE_MIN_US;

	prctl(PR_SET_NAME, "tcpw-writer"); /* its name in top -H, ps -L and /proc */

	for (;;) {
		unsigned int n = 0;
		bool all_done = true;

		for (unsigned int i = 0; i < pl->nrx; i++) {
			/* read done before draining: a record enqueued before done is seen */
			bool done = atomic_load_explicit(&pl->rx[i].done, memory_order_acquire);

			n += write_ring(pl, pl->rx[i].records);
			all_done &= done && rte_ring_empty(pl->rx[i].records);
		}
		writer_reload(pl);
		if (atomic_exchange(&pl->rotate_now, false))
			tcpw_writer_rotate(pl->writer, time(NULL));
		/* live, the rings running dry is the moment to write what they gave (tail -F
		 * sees records at once); reading a file they run dry every few hundred records,
		 * and each tick is a write() and an lstat(): the file is written when the
		 * buffer fills, at the flush interval and at the end. Idle, with nothing to
		 * write and no rotation due, only the flush interval ticks (checks the file
		 * is still there): a tick at every look cost an idle daemon's writer a third
		 * of its CPU, in lstat() calls */
		if ((n == 0 && pl->live && tcpw_writer_due(pl->writer, time(NULL))) ||
		    mono_ms() - last_tick >= pl->flush_interval_ms) {
			tcpw_writer_tick(pl->writer, time(NULL));
			last_tick = mono_ms();
		}
		if (n > 0) {
			idle_us = IDLE_MIN_US;
			continue;
		}
		if (all_done)
			break;
		usleep(idle_us);
		idle_us = idle_us * 2 < IDLE_MAX_US ? idle_us * 2 : IDLE_MAX_US;
	}
	wait_for_disk(pl);
	atomic_store(&pl->writer_done, true);
	return NULL;
}
