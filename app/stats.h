/* SPDX-License-Identifier: BSD-3-Clause */
/* Live statistics: the DPDK telemetry command /tcpwintmt/stats and the SIGUSR1 report. */
#ifndef TCPW_APP_STATS_H
#define TCPW_APP_STATS_H

#include <stdio.h>

#include "pipeline.h"
#include "report.h"

/* Register /tcpwintmt/stats; returns 0 or a negative errno. */
int stats_register(struct pipeline *pl, const struct tcpw_report_info *info);

/* Sum of the RX lcores' published counters. */
void stats_collect(struct pipeline *pl, struct tcpw_engine_stats *total);

/* A Tranalyzer-style status report of the counters so far (SIGUSR1). */
void stats_report(struct pipeline *pl, FILE *f);

/* The end report, once every RX lcore has stopped. */
void stats_report_end(struct pipeline *pl, FILE *f);

#endif
