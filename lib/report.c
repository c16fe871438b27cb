/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End report writer. Labels and number formats follow Tranalyzer 0.9.3's report so that
 * people and scripts used to it can read ours; zero-valued optional lines are left out as
 * Tranalyzer does.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "tcpw_build_config.h"

#define RULE_EQ "================================================================================"
#define RULE_DASH "--------------------------------------------------------------------------------"
#define RULE_TILDE "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"

const char *
tcpw_report_num(double v, bool integer, char *out, size_t len)
{
	static const char units[] = "KMGTPE";
	double scaled = v;
	int u = -1;
	int n;

	n = integer ? snprintf(out, len, "%.0f", v) : snprintf(out, len, "%.2f", v);
	while (scaled >= 1000 && u < 5) {
		scaled /= 1000;
		u++;
	}
	if (u >= 0 && n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " (%.2f %c)", scaled, units[u]);
	return out;
}

static double
pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void
num_line(FILE *f, const char *label, uint64_t v, bool skip_zero)
{
	char b[64];

	if (skip_zero && v == 0)
		return;
	fprintf(f, "%s: %s\n", label, tcpw_report_num((double)v, true, b, sizeof(b)));
}

static void
pct_line(FILE *f, const char *label, uint64_t v, uint64_t of)
{
	char b[64];

	if (v == 0)
		return;
	fprintf(f, "%s: %s [%.2f%%]\n", label, tcpw_report_num((double)v, true, b, sizeof(b)),
		pct(v, of));
}

static void
ts_line(FILE *f, const char *label, struct tcpw_ts t)
{
	char date[64];
	time_t sec = (time_t)t.sec;
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %d %b %Y %H:%M:%S GMT", &tm) == 0)
		date[0] = '\0';
	fprintf(f, "%s: %" PRIu32 ".%06" PRIu32 " sec (%s)\n", label, t.sec, t.usec, date);
}

static const char *
linktype_name(int lt)
{
	switch (lt) {
	case TCPW_DLT_EN10MB: return "Ethernet [EN10MB/1]";
	case TCPW_DLT_NULL: return "BSD loopback [NULL/0]";
	case TCPW_DLT_LOOP: return "OpenBSD loopback [LOOP/108]";
	case TCPW_DLT_RAW: case TCPW_DLT_RAW_BSD: case TCPW_DLT_LINKTYPE_RAW: return "Raw IP [RAW]";
	case TCPW_DLT_IPV4: return "Raw IPv4 [IPV4/228]";
	case TCPW_DLT_IPV6: return "Raw IPv6 [IPV6/229]";
	case TCPW_DLT_LINUX_SLL: return "Linux cooked v1 [LINUX_SLL/113]";
	case TCPW_DLT_LINUX_SLL2: return "Linux cooked v2 [LINUX_SLL2/276]";
	case TCPW_DLT_PPP: case TCPW_DLT_PPP_SERIAL: return "PPP [PPP]";
	default: return "unsupported";
	}
}

uint64_t
tcpw_report_nonflow(const struct tcpw_engine_stats *s)
{
	return s->verdict[TCPW_PKT_NON_IP] + s->verdict[TCPW_PKT_TRUNCATED] +
	       s->verdict[TCPW_PKT_MALFORMED] + s->verdict[TCPW_PKT_LINKTYPE];
}

static void
write_header(FILE *f, const struct tcpw_engine_stats *s, const struct tcpw_report_info *in,
	     double dur)
{
	fprintf(f, RULE_EQ "\ntcpwintmtd %s (Tranalyzer2 + tcpWinTMT semantics). PID: %d\n"
		RULE_EQ "\n", TCPW_VERSION, in->pid);
	fprintf(f, "Processing file: %s\n", in->input);
	if (tcpw_parse_linktype_supported(in->linktype))
		fprintf(f, "Link layer type: %s\n", linktype_name(in->linktype));
	else
		fprintf(f, "Link layer type: unsupported [DLT %d]: packets not decoded, counted "
			"under \"unsupported link type\"\n", in->linktype);
	if (s->pkts > 0) {
		ts_line(f, "Dump start", s->first_ts);
		ts_line(f, "Dump stop ", s->last_ts);
		fprintf(f, "Total dump duration: %.6f sec\n", dur);
	}
	num_line(f, "Number of processed packets", s->pkts, false);
	num_line(f, "Number of processed bytes", s->bytes, false);
	pct_line(f, "Number of IPv4 packets", s->ipv4_pkts, s->pkts);
	pct_line(f, "Number of IPv6 packets", s->ipv6_pkts, s->pkts);
	pct_line(f, "Number of A packets", s->a_pkts, s->a_pkts + s->b_pkts);
	pct_line(f, "Number of B packets", s->b_pkts, s->a_pkts + s->b_pkts);
	pct_line(f, "Number of A bytes", s->a_bytes, s->a_bytes + s->b_bytes);
	pct_line(f, "Number of B bytes", s->b_bytes, s->a_bytes + s->b_bytes);
}

static void
write_plugin(FILE *f, const struct tcpw_engine_stats *s, const struct tcpw_report_info *in)
{
	char b[64];

	fprintf(f, RULE_DASH "\n");
	if (s->agg_twin_stat)
		fprintf(f, "tcpWinTMT: Aggregated tcpWinStat=0x%02x\n", s->agg_twin_stat);
	if (s->agg_twin_state)
		fprintf(f, "tcpWinTMT: Aggregated tcpWinState=0x%02x\n", s->agg_twin_state);
	if (s->win_below)
		fprintf(f, "tcpWinTMT: Number of TCP winsize packets below threshold %" PRIu32
			": %s [%.2f%%]\n", in->tcpwin_thres,
			tcpw_report_num((double)s->win_below, true, b, sizeof(b)),
			pct(s->win_below, s->tcp_pkts));
	fprintf(f, RULE_DASH "\n");
}

static void
write_flows(FILE *f, const struct tcpw_engine_stats *s, const struct tcpw_report_info *in,
	    double dur)
{
	uint64_t flows = s->a_created + s->b_created;
	uint64_t req = s->a_created - s->rec_lone_inverted;
	uint64_t rep = s->b_created + s->rec_lone_inverted;

	if (s->sum_hdrs)
		fprintf(f, "Headers count: min: %" PRIu64 ", max: %" PRIu64 ", avg: %.2f\n",
			s->min_hdrs, s->max_hdrs,
			(double)s->sum_hdrs / (double)(s->pkts - tcpw_report_nonflow(s)));
	pct_line(f, "Number of TCP packets", s->tcp_pkts, s->pkts);
	pct_line(f, "Number of TCP bytes", s->tcp_bytes, s->bytes);
	fprintf(f, RULE_TILDE "\n");
	num_line(f, "Number of processed      flows", flows, false);
	pct_line(f, "Number of processed A    flows", s->a_created, flows);
	pct_line(f, "Number of processed B    flows", s->b_created, flows);
	pct_line(f, "Number of request        flows", req, flows);
	pct_line(f, "Number of reply          flows", rep, flows);
	if (flows) {
		fprintf(f, "Total   A/B    flow asymmetry: %.2f\n",
			((double)s->a_created - (double)s->b_created) / (double)flows);
		fprintf(f, "Total req/rply flow asymmetry: %.2f\n",
			((double)req - (double)rep) / (double)flows);
		fprintf(f, "Number of processed A+B packets/A+B flows: %.2f\n",
			(double)(s->a_pkts + s->b_pkts) / (double)flows);
	}
	if (dur > 0)
		fprintf(f, "Number of processed total packets/s: %.2f\n", (double)s->pkts / dur);
	fprintf(f, RULE_TILDE "\n");
	fprintf(f, "Max number of flows in memory: %" PRIu64 " [%.2f%%]\n", s->max_flows_in_mem,
		pct(s->max_flows_in_mem, 2 * in->table_pairs));
	num_line(f, "Number of flows terminated by autopilot", s->autopilot, true);
	num_line(f, "Number of times above the high-water mark", s->emergency_on, true);
	num_line(f, "Number of flows terminated by emergency timeout", s->emergency_ended, true);
	fprintf(f, "Aggregated flowStat=0x%016" PRIx64 "\n", s->agg_flow_stat);
}

/* Where every packet went; the two totals must agree. */
static void
write_accounting(FILE *f, const struct tcpw_engine_stats *s, const struct tcpw_report_info *in)
{
	fprintf(f, RULE_DASH "\nPacket accounting:\n");
	fprintf(f, "  packets received:                %" PRIu64 "\n", s->pkts);
	fprintf(f, "  in flow records:                 %" PRIu64 "\n", s->rec_pkts);
	fprintf(f, "  not IP:                          %" PRIu64 "\n", s->verdict[TCPW_PKT_NON_IP]);
	fprintf(f, "  truncated header:                %" PRIu64 "\n",
		s->verdict[TCPW_PKT_TRUNCATED]);
	fprintf(f, "  malformed header:                %" PRIu64 "\n",
		s->verdict[TCPW_PKT_MALFORMED]);
	fprintf(f, "  unsupported link type:           %" PRIu64 "\n",
		s->verdict[TCPW_PKT_LINKTYPE]);
	fprintf(f, "  still in memory:                 %" PRIu64 "\n",
		s->pkts - s->rec_pkts - tcpw_report_nonflow(s));
	fprintf(f, "  received by the port (ipackets): %" PRIu64 "\n", in->nic_ipackets);
	fprintf(f, "  dropped by the NIC (imissed):    %" PRIu64 "\n", in->nic_missed);
	fprintf(f, "  dropped, no mbuf (rx_nombuf):    %" PRIu64 "\n", in->nic_nombuf);
	fprintf(f, "  driver receive errors:           %" PRIu64 "\n", in->nic_errors);
	fprintf(f, "  (orphan fragments, in port-0 flows: %" PRIu64 ")\n", s->frag_orphan);
	fprintf(f, "  flow lines written:              %" PRIu64 "\n", s->rec_dirs);
}

void
tcpw_report_write(FILE *f, const struct tcpw_engine_stats *s, const struct tcpw_report_info *in)
{
	double dur = 0;

	if (s->pkts > 0)
		dur = (double)((int64_t)s->last_ts.sec - s->first_ts.sec) +
		      ((double)s->last_ts.usec - (double)s->first_ts.usec) / 1e6;
	write_header(f, s, in, dur);
	write_plugin(f, s, in);
	write_flows(f, s, in, dur);
	write_accounting(f, s, in);
}
