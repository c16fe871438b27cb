/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpwintmtd: process wiring. Start-up is a sequence of stages, each undone in reverse on
 * the way out; main() has one exit path so rte_eal_cleanup() always runs.
 *
 * Offline mode (-r FILE): the capture is replayed through DPDK's net_pcap device with its
 * capture timestamps. One RX lcore owns the flow engine; it hands ended flow pairs to the
 * main lcore through a single-producer/single-consumer ring, and the main lcore writes them.
 * The RX lcore stops after the number of packets the pre-scan counted (net_pcap has no
 * end-of-file signal), then flushes every flow.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "args.h"
#include "capture.h"
#include "conf.h"
#include "engine.h"
#include "record.h"
#include "report.h"

#define BURST 32
#define RING_RECORDS 1024        /* records in flight to the writer (~560 KiB) */
#define NB_MBUFS 8191            /* 2^13 - 1, the mempool's optimum */
#define MBUF_CACHE 256
#define RX_DESC 1024
#define DRAIN_PER_LOOP 256
#define STALL_SECONDS 10         /* offline: give up waiting for net_pcap after this */
#define EXIT_DAMAGED 3
#define SCRATCH_BYTES (256 * 1024) /* libpcap's largest record is 262144 bytes */

static atomic_bool quit;

struct rx_ctx {
	uint16_t port;
	struct tcpw_engine *engine;
	struct rte_ring *ring;
	FILE *pkt_file;              /* packet mode: written by the RX lcore itself */
	char *pkt_line;
	uint64_t expected;           /* packets the pre-scan counted */
	atomic_uint_fast64_t received;
	atomic_bool done;            /* RX flushed and drained everything */
	int ts_offset;
	uint8_t *scratch;            /* linear copy of multi-segment packets */
};

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&quit, true);
}

static int
emit_to_ring(void *ctx, const struct tcpw_record *rec)
{
	struct rx_ctx *rx = ctx;

	return rte_ring_sp_enqueue_elem(rx->ring, (void *)(uintptr_t)rec, sizeof(*rec)) == 0 ?
		0 : -ENOBUFS;
}

/* Packet mode is a diagnostic mode: lines are written synchronously, as Tranalyzer does. */
static void
write_packet_line(void *ctx, const struct tcpw_pkt_line *line)
{
	struct rx_ctx *rx = ctx;
	int n = tcpw_record_format_packet(line, rx->pkt_line, 4 * 65536 + 4096);

	if (n > 0)
		fwrite(rx->pkt_line, 1, (size_t)n, rx->pkt_file);
}

/* A frame as one buffer. net_pcap chains segments for frames above the mbuf size and keeps
 * only the low 16 bits of their length in pkt_len, so the segments are walked and summed. */
static const uint8_t *
frame_linear(struct rx_ctx *rx, const struct rte_mbuf *m, uint32_t *len)
{
	uint32_t n = 0;

	if (m->next == NULL) {
		*len = m->data_len;
		return rte_pktmbuf_mtod(m, const uint8_t *);
	}
	for (; m != NULL && n + m->data_len <= SCRATCH_BYTES; m = m->next) {
		memcpy(rx->scratch + n, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		n += m->data_len;
	}
	*len = n;
	return rx->scratch;
}

static void
rx_packet(struct rx_ctx *rx, struct rte_mbuf *m)
{
	uint64_t us = *RTE_MBUF_DYNFIELD(m, rx->ts_offset, rte_mbuf_timestamp_t *);
	struct tcpw_ts ts = { .sec = (uint32_t)(us / 1000000), .usec = (uint32_t)(us % 1000000) };
	uint32_t len;
	const uint8_t *data = frame_linear(rx, m, &len);

	/* -ENOSPC: every slot waits for the writer; hand records over until it fits */
	while (tcpw_engine_packet(rx->engine, data, len, ts) == -ENOSPC)
		tcpw_engine_drain(rx->engine, DRAIN_PER_LOOP);
}

static int
rx_main(void *arg)
{
	struct rx_ctx *rx = arg;
	struct rte_mbuf *pkts[BURST];

	while (!atomic_load_explicit(&quit, memory_order_relaxed) &&
	       atomic_load_explicit(&rx->received, memory_order_relaxed) < rx->expected) {
		uint16_t n = rte_eth_rx_burst(rx->port, 0, pkts, BURST);

		for (uint16_t i = 0; i < n; i++)
			rx_packet(rx, pkts[i]);
		rte_pktmbuf_free_bulk(pkts, n);
		atomic_fetch_add_explicit(&rx->received, n, memory_order_relaxed);
		tcpw_engine_drain(rx->engine, DRAIN_PER_LOOP);
	}
	tcpw_engine_flush(rx->engine);
	while (tcpw_engine_pending(rx->engine) > 0)
		if (tcpw_engine_drain(rx->engine, DRAIN_PER_LOOP) == 0)
			rte_pause();
	atomic_store(&rx->done, true);
	return 0;
}

/* Writer: format and write every record in the ring; returns records written. */
static unsigned int
write_records(struct rte_ring *ring, FILE *f)
{
	static struct tcpw_record recs[BURST];
	char line[4096];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(ring, recs, sizeof(recs[0]), BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		int len = tcpw_record_format(&recs[i], line, sizeof(line));

		if (len > 0)
			fwrite(line, 1, (size_t)len, f);
	}
	return n;
}

static int
port_setup(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, RX_DESC, rte_eth_dev_socket_id(port), NULL,
					    pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, RX_DESC, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

/* "DIR/<base name without extension><suffix>" */
static int
out_path(char *out, size_t len, const char *dir, const char *input, const char *suffix)
{
	char tmp[PATH_MAX];
	char *base, *dot;
	int n;

	snprintf(tmp, sizeof(tmp), "%s", input);
	base = basename(tmp);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	n = snprintf(out, len, "%s/%s%s", dir, base, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		fprintf(stderr, "tcpwintmtd: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static int
load_conf(const struct app_args *a, struct tcpw_conf *conf)
{
	char err[4096];

	tcpw_conf_defaults(conf);
	if (a->conf_file == NULL)
		return 0;
	if (tcpw_conf_load(a->conf_file, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: configuration not valid:\n%s\n", err);
		return -1;
	}
	return 0;
}

static int
ensure_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	return mkdir(dir, 0755) == 0 ? 0 : -errno;
}

int
main(int argc, char **argv)
{
	static struct app_args a;
	struct tcpw_conf conf;
	struct capture_info cap;
	struct rx_ctx rx = { 0 };
	struct tcpw_engine_params ep = { 0 };
	struct tcpw_engine_stats st;
	struct tcpw_report_info ri = { 0 };
	struct rte_eth_stats es = { 0 };
	struct rte_mempool *pool = NULL;
	char path[PATH_MAX], vdev[PATH_MAX + 64], err[512];
	FILE *flows = NULL;
	uint64_t ts_flag;
	unsigned int rx_lcore;
	int rc, ret = 1;

	rc = args_parse(argc, argv, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	if (load_conf(&a, &conf) != 0)
		return 1;
	if (a.check_config) {
		printf("%s: configuration is valid\n", a.conf_file);
		return 0;
	}
	if (capture_scan(a.read_file, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: %s\n", err);
		return 1;
	}
	if (!tcpw_parse_linktype_supported(cap.linktype))
		fprintf(stderr, "tcpwintmtd: warning: link type %d of %s is not supported: every "
			"packet will be counted as unsupported_linktype\n", cap.linktype,
			a.read_file);
	rc = ensure_dir(a.write_dir);
	if (rc != 0) {
		fprintf(stderr, "tcpwintmtd: output directory %s: %s\n", a.write_dir,
			strerror(-rc));
		return 1;
	}
	if (out_path(path, sizeof(path), a.write_dir, a.read_file, "_flows.txt") != 0) {
		fprintf(stderr, "tcpwintmtd: output path too long\n");
		return 1;
	}
	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,rx_pcap=%s", a.read_file);
	if (a.eal_argc < ARGS_EAL_MAX)
		a.eal_argv[a.eal_argc++] = vdev;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eal_init(a.eal_argc, a.eal_argv) < 0) {
		fprintf(stderr, "tcpwintmtd: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "tcpwintmtd: needs 2 lcores (main + RX); give EAL -l with two\n");
		goto out_eal;
	}
	if (rte_mbuf_dyn_rx_timestamp_register(&rx.ts_offset, &ts_flag) != 0) {
		fprintf(stderr, "tcpwintmtd: cannot register the mbuf timestamp field: %s\n",
			rte_strerror(rte_errno));
		goto out_eal;
	}
	pool = rte_pktmbuf_pool_create("rx_pool", NB_MBUFS, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "tcpwintmtd: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		goto out_eal;
	}
	if (rte_eth_dev_get_port_by_name("net_pcap0", &rx.port) != 0 ||
	    port_setup(rx.port, pool) != 0) {
		fprintf(stderr, "tcpwintmtd: cannot start the net_pcap port for %s\n", a.read_file);
		goto out_pool;
	}
	rx.ring = rte_ring_create_elem("records", sizeof(struct tcpw_record), RING_RECORDS,
				       (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	rx.scratch = malloc(SCRATCH_BYTES);
	if (rx.ring == NULL || rx.scratch == NULL) {
		fprintf(stderr, "tcpwintmtd: out of memory for the record ring\n");
		goto out_port;
	}
	ep.pairs = conf.flow_table_pairs;
	ep.linktype = cap.linktype;
	ep.tmt = (struct tcpw_tmt){ conf.tcpwin_thres, conf.tcpwin_flwprg, (float)conf.tmt_bgn_s,
				    (float)conf.tmt_est_s, (float)conf.tmt_abrt_s };
	ep.flow_timeout_s = (float)conf.flow_timeout_s;
	ep.emit = emit_to_ring;
	ep.emit_ctx = &rx;
	flows = open_out(path);
	if (flows == NULL)
		goto out_ring;
	fputs(tcpw_record_flow_header, flows);
	if (a.packet_mode) {
		char ppath[PATH_MAX];

		if (out_path(ppath, sizeof(ppath), a.write_dir, a.read_file, "_packets.txt") != 0 ||
		    (rx.pkt_file = open_out(ppath)) == NULL)
			goto out_files;
		rx.pkt_line = malloc(4 * 65536 + 4096);
		if (rx.pkt_line == NULL)
			goto out_files;
		fputs(tcpw_record_packet_header, rx.pkt_file);
		ep.pkt_cb = write_packet_line;
		ep.pkt_ctx = &rx;
	}
	rx.engine = tcpw_engine_create(&ep);
	if (rx.engine == NULL) {
		fprintf(stderr, "tcpwintmtd: cannot create a flow table of %u pairs: %s\n",
			ep.pairs, strerror(errno));
		goto out_files;
	}
	rx.expected = cap.packets;
	rx_lcore = rte_get_next_lcore(-1, 1, 0);
	rte_eal_remote_launch(rx_main, &rx, rx_lcore);

	{
		uint64_t last = 0, idle_since = rte_get_timer_cycles();

		while (!atomic_load(&rx.done)) {
			uint64_t now = rte_get_timer_cycles(), got = atomic_load(&rx.received);

			if (write_records(rx.ring, flows) > 0 || got != last) {
				last = got;
				idle_since = now;
			} else if (now - idle_since > STALL_SECONDS * rte_get_timer_hz()) {
				fprintf(stderr, "tcpwintmtd: net_pcap delivered %" PRIu64 " of %"
					PRIu64 " packets and then nothing for %d s; finishing\n",
					got, rx.expected, STALL_SECONDS);
				atomic_store(&quit, true);
				idle_since = now;
			} else {
				usleep(100);
			}
		}
		rte_eal_wait_lcore(rx_lcore);
		while (write_records(rx.ring, flows) > 0)
			;
	}

	tcpw_engine_stats(rx.engine, &st);
	rte_eth_stats_get(rx.port, &es);
	ri.input = a.read_file;
	ri.linktype = cap.linktype;
	ri.tcpwin_thres = conf.tcpwin_thres;
	ri.table_pairs = conf.flow_table_pairs;
	ri.nic_missed = es.imissed + es.rx_nombuf;
	ri.nic_errors = es.ierrors;
	ri.pid = (int)getpid();
	tcpw_report_write(stdout, &st, &ri);
	ret = 0;
	if (cap.damaged) {
		fprintf(stderr, "tcpwintmtd: %s is damaged or cut short after %" PRIu64
			" packets (%s); those packets were processed and written\n",
			a.read_file, cap.packets, cap.damage);
		ret = EXIT_DAMAGED;
	}
	if (st.pkts != cap.packets) {
		fprintf(stderr, "tcpwintmtd: processed %" PRIu64 " of %" PRIu64 " packets\n",
			st.pkts, cap.packets);
		ret = 1;
	}
	tcpw_engine_free(rx.engine);
out_files:
	if (rx.pkt_file != NULL && (ferror(rx.pkt_file) | fclose(rx.pkt_file)) != 0) {
		fprintf(stderr, "tcpwintmtd: writing the packet file failed\n");
		ret = 1;
	}
	free(rx.pkt_line);
	if (flows != NULL && (ferror(flows) | fclose(flows)) != 0) {
		fprintf(stderr, "tcpwintmtd: writing %s failed: %s\n", path, strerror(errno));
		ret = 1;
	}
out_ring:
	free(rx.scratch);
	rte_ring_free(rx.ring);
out_port:
	rte_eth_dev_stop(rx.port);
	rte_eth_dev_close(rx.port);
out_pool:
	rte_mempool_free(pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}
