/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live statistics, read on the telemetry thread or the main lcore: only the counters the
 * RX lcores publish (rx_snapshot_read), the writer's atomics and the port's counters.
 * Nothing here touches a flow table.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "stats.h"

static struct pipeline *stats_pl;
static struct tcpw_report_info stats_info;

void
stats_collect(struct pipeline *pl, struct tcpw_engine_stats *total)
{
	struct tcpw_engine_stats st;

	memset(total, 0, sizeof(*total));
	for (unsigned int i = 0; i < pl->nrx; i++) {
		rx_snapshot_read(&pl->rx[i], &st);
		tcpw_engine_stats_merge(total, &st);
	}
}

static void
port_counters(struct pipeline *pl, struct tcpw_report_info *ri)
{
	struct rte_eth_stats es;

	if (pl->file.base != NULL) { /* -R: the mapped file stands for the port */
		ri->nic_ipackets = atomic_load_explicit(&pl->rx[0].rx_pkts, memory_order_relaxed);
		return;
	}
	if (rte_eth_stats_get(pl->port, &es) != 0)
		return;
	ri->nic_ipackets = es.ipackets;
	ri->nic_missed = es.imissed;
	ri->nic_nombuf = es.rx_nombuf;
	ri->nic_errors = es.ierrors;
}

/* The configuration in effect: what the last reload published, and whether every running
 * RX lcore has taken it. */
static void
telemetry_config(struct pipeline *pl, struct rte_tel_data *d)
{
	struct reload_conf r;
	unsigned int seq = reload_take(&pl->reload, ~0u, &r);
	bool applied = true;

	if (seq == 0)
		return;
	for (unsigned int i = 0; i < pl->nrx; i++)
		applied &= atomic_load(&pl->rx[i].reload_seq) == seq || atomic_load(&pl->rx[i].done);
	rte_tel_data_add_dict_u64(d, "config_generation", seq / 2);
	rte_tel_data_add_dict_u64(d, "config_applied", applied);
	rte_tel_data_add_dict_u64(d, "tcpwin_thres", r.tmt.thres);
	rte_tel_data_add_dict_u64(d, "tcpwin_flwprg", r.tmt.flwprg);
	rte_tel_data_add_dict_u64(d, "tmt_bgn_us", (uint64_t)((double)r.tmt.bgn_s * 1e6 + 0.5));
	rte_tel_data_add_dict_u64(d, "tmt_est_us", (uint64_t)((double)r.tmt.est_s * 1e6 + 0.5));
	rte_tel_data_add_dict_u64(d, "tmt_abrt_us", (uint64_t)((double)r.tmt.abrt_s * 1e6 + 0.5));
	rte_tel_data_add_dict_u64(d, "flow_timeout_us",
				  (uint64_t)((double)r.flow_timeout_s * 1e6 + 0.5));
	rte_tel_data_add_dict_u64(d, "high_water_pairs", r.high_water);
	rte_tel_data_add_dict_u64(d, "emergency_timeout_us",
				  (uint64_t)((double)r.emergency_timeout_s * 1e6 + 0.5));
	rte_tel_data_add_dict_u64(d, "rotate_bytes", r.policy.rotate_bytes);
	rte_tel_data_add_dict_u64(d, "rotate_interval_s", r.policy.rotate_interval_s);
}

static int
telemetry_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pipeline *pl = stats_pl;
	struct tcpw_report_info ri = stats_info;
	struct tcpw_engine_stats s;

	(void)cmd;
	(void)params;
	stats_collect(pl, &s);
	port_counters(pl, &ri);
	rte_tel_data_start_dict(d);
#define U64(name, v) rte_tel_data_add_dict_u64(d, name, v)
	U64("rx_lcores", pl->nrx);
	U64("packets", s.pkts);
	U64("bytes", s.bytes);
	U64("packets_in_flow_records", s.rec_pkts);
	U64("not_ip", s.verdict[TCPW_PKT_NON_IP]);
	U64("truncated", s.verdict[TCPW_PKT_TRUNCATED]);
	U64("malformed", s.verdict[TCPW_PKT_MALFORMED]);
	U64("unsupported_linktype", s.verdict[TCPW_PKT_LINKTYPE]);
	U64("orphan_fragments", s.frag_orphan);
	U64("tcp_packets", s.tcp_pkts);
	U64("tcpwin_below_threshold", s.win_below);
	U64("flows_in_memory", s.flows_in_mem);
	U64("a_flows", s.a_created);
	U64("b_flows", s.b_created);
	U64("flow_lines_written", s.rec_dirs);
	U64("ended_by_full_table", s.autopilot);
	U64("emergency_on", s.emergency_on);
	U64("ended_by_emergency_timeout", s.emergency_ended);
	U64("lcores_in_emergency", s.in_emergency);
	U64("records_to_file", atomic_load(&pl->written));
	U64("output_blocked", atomic_load(&pl->write_blocked));
	U64("nic_ipackets", ri.nic_ipackets);
	U64("nic_imissed", ri.nic_missed);
	U64("nic_rx_nombuf", ri.nic_nombuf);
	U64("nic_ierrors", ri.nic_errors);
	telemetry_config(pl, d);
#undef U64
	return 0;
}

int
stats_register(struct pipeline *pl, const struct tcpw_report_info *info)
{
	stats_pl = pl;
	stats_info = *info;
	return rte_telemetry_register_cmd("/tcpwintmt/stats", telemetry_stats,
					  "tcpwintmtd counters (packets, flows, records, NIC). "
					  "No parameters");
}

static void
write_report(struct pipeline *pl, FILE *f)
{
	struct tcpw_report_info ri = stats_info;
	struct tcpw_engine_stats s;
	struct reload_conf r;

	stats_collect(pl, &s);
	port_counters(pl, &ri);
	if (reload_take(&pl->reload, ~0u, &r) != 0) /* the threshold in effect, reloads too */
		ri.tcpwin_thres = r.tmt.thres;
	tcpw_report_write(f, &s, &ri);
	fflush(f);
}

void
stats_report(struct pipeline *pl, FILE *f)
{
	fprintf(f, "USR1 status report (counters so far):\n");
	write_report(pl, f);
}

void
stats_report_end(struct pipeline *pl, FILE *f)
{
	write_report(pl, f);
}
