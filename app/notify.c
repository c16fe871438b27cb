/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sd_notify wiring (see notify.h). The watchdog ping is a promise that the daemon works:
 * it is sent only if every RX lcore's loop counter moved since the previous ping, so a
 * stuck lcore makes systemd restart the service.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "notify.h"
#include "stats.h"
#include "tcpw_build_config.h"

#if TCPW_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
static int
sd_notify(int unset, const char *state)
{
	(void)unset;
	(void)state;
	return 0;
}

static int
sd_watchdog_enabled(int unset, uint64_t *usec)
{
	(void)unset;
	(void)usec;
	return 0;
}
#endif

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void
notify_reloading(void)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, mono_us());
	sd_notify(0, msg);
}

void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: writing every flow in memory");
}

static void
watchdog(struct pipeline *pl, uint64_t now)
{
	static uint64_t interval, last_ping, last_loops[TCPW_CONF_RX_MAX];
	static int enabled = -1;
	bool progress = true;

	if (enabled < 0)
		enabled = sd_watchdog_enabled(0, &interval) > 0;
	if (!enabled || now - last_ping < interval / 2)
		return;
	for (unsigned int i = 0; i < pl->nrx; i++) {
		uint64_t loops = atomic_load(&pl->rx[i].loops);

		progress &= loops != last_loops[i] || atomic_load(&pl->rx[i].done);
		last_loops[i] = loops;
	}
	last_ping = now;
	if (progress)
		sd_notify(0, "WATCHDOG=1");
}

void
notify_tick(struct pipeline *pl, const char *active_file)
{
	static uint64_t last_status, last_pkts;
	uint64_t now = mono_us();

	watchdog(pl, now);
	if (now - last_status >= 1000000) {
		struct tcpw_engine_stats s;
		char msg[512];

		stats_collect(pl, &s);
		snprintf(msg, sizeof(msg), "STATUS=%.0f packets/s, %" PRIu64 " flows in memory, "
			 "%" PRIu64 " flow lines written, writing %s%s",
			 last_status ? (double)(s.pkts - last_pkts) * 1e6 / (double)(now - last_status)
				     : 0.0,
			 s.flows_in_mem, s.rec_dirs, active_file,
			 atomic_load(&pl->write_blocked) ? " (BLOCKED: disk refuses records)" : "");
		sd_notify(0, msg);
		last_status = now;
		last_pkts = s.pkts;
	}
}
