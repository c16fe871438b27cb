/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * End report (T2-SEMANTICS §5, in Tranalyzer 0.9.3's wording) from the engine counters,
 * followed by tcpwintmtd's own accounting block: where every packet went.
 */
#ifndef TCPW_REPORT_H
#define TCPW_REPORT_H

#include <stdio.h>

#include "engine.h"

/** Facts about the run that the engine does not know. */
struct tcpw_report_info {
	const char *input;        /**< capture file or interface */
	int linktype;             /**< TCPW_DLT_* */
	uint32_t tcpwin_thres;    /**< for the tcpWinTMT line */
	uint64_t table_pairs;     /**< flow table capacity, for "flows in memory" */
	uint64_t nic_ipackets;    /**< packets the port counted (ipackets) */
	uint64_t nic_missed;      /**< packets the NIC dropped: no descriptor (imissed) */
	uint64_t nic_nombuf;      /**< packets dropped for want of an mbuf (rx_nombuf) */
	uint64_t nic_errors;      /**< packets the driver could not deliver (ierrors) */
	int pid;
};

/** Write the report to @p f. */
void tcpw_report_write(FILE *f, const struct tcpw_engine_stats *s,
		       const struct tcpw_report_info *info);

/** Format a count as Tranalyzer does: "5902 (5.90 K)"; returns @p out. */
const char *tcpw_report_num(double v, bool integer, char *out, size_t len);

/**
 * Packets accounted for outside flow records (sum of the named non-flow counters).
 * Invariant after a flush and drain: s->pkts == s->rec_pkts + tcpw_report_nonflow(s).
 */
uint64_t tcpw_report_nonflow(const struct tcpw_engine_stats *s);

#endif /* TCPW_REPORT_H */
