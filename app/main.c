/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpwintmtd: process wiring. Start-up is a sequence of stages, each undone in reverse on
 * the way out; main() has one exit path so rte_eal_cleanup() always runs.
 *
 * Lcores: the main lcore is the control thread (signals, the offline stall watch, the end
 * report); the first worker lcore is the timer lcore; every other worker is an RX lcore
 * owning one flow engine. The writer is a plain pthread. See pipeline.h.
 *
 * Offline (-r FILE) the capture is replayed through net_pcap with its capture timestamps,
 * and input ends after the number of packets the pre-scan counted (net_pcap has no
 * end-of-file signal); with -R RX lcore 0 reads the mapped file itself, to its end. Live
 * (-i DEVICE) packet time is the receive time and input ends on SIGTERM/SIGINT. Either way
 * every flow in memory is written before exit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "args.h"
#include "capture.h"
#include "conf.h"
#include "pipeline.h"
#include "ports.h"
#include "record.h"
#include "report.h"
#include "notify.h"
#include "stats.h"
#include "writer.h"

#define RING_RECORDS 1024        /* records in flight per RX lcore (~560 KiB) */
#define RING_PKTS 2048           /* mbufs in flight to each RX lcore (software spread) */
#define MBUF_CACHE 256
#define MBUF_PAGE 4096           /* with --no-huge, each mbuf (2368 bytes) has a page of its own */
#define STALL_SECONDS 10         /* offline: give up waiting for net_pcap after this */
#define EXIT_DAMAGED 3
#define WRITER_BUFFER (4u << 20) /* records held while the disk refuses them */

static struct pipeline pl;
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_hup;
static bool net_pcap_stalled; /* -r: the stall watch ended the run short of the file */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_signal = sig;
}

/* Packet mode is a diagnostic mode: lines are written by the one RX lcore, as Tranalyzer
 * does, through a rotating writer of their own (so it waits if the disk is full). */
static void
write_packet_line(void *ctx, const struct tcpw_pkt_line *line)
{
	struct rx_core *rc = ctx;
	int n = tcpw_record_format_packet(line, rc->pkt_line, PKT_LINE_BYTES);

	if (n <= 0)
		return;
	while (tcpw_writer_write(rc->pkt_log, rc->pkt_line, (size_t)n, time(NULL)) == -EAGAIN &&
	       !atomic_load(&pl.give_up)) {
		usleep(100000);
		tcpw_writer_tick(rc->pkt_log, time(NULL));
	}
}

static int
emit_to_ring(void *ctx, const struct tcpw_record *rec)
{
	struct rx_core *rc = ctx;

	return rte_ring_sp_enqueue_elem(rc->records, (void *)(uintptr_t)rec, sizeof(*rec)) == 0 ?
		0 : -ENOBUFS;
}

/* The input file's name without directory and extension, as Tranalyzer names its output. */
static void
base_name(char *out, size_t len, const char *input)
{
	char tmp[PATH_MAX];
	char *base, *dot;

	snprintf(tmp, sizeof(tmp), "%s", input);
	base = basename(tmp);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	snprintf(out, len, "%s", base);
}

/* The output directory: created with output.file_mode plus search where read is (0750 for
 * 0640), and refused when world-writable without the sticky bit (see writer.h). */
static int
ensure_dir(const char *dir, uint32_t file_mode, char *why, size_t len)
{
	mode_t mode = (mode_t)(file_mode | ((file_mode & 0444) >> 2));
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (mkdir(dir, mode) != 0) {
			snprintf(why, len, "%s", strerror(errno));
			return -1;
		}
		chmod(dir, mode); /* the umask applied to mkdir */
	}
	if (tcpw_writer_dir_check(dir, why, len) != 0)
		return -1;
	return 0;
}

/* What to read and where to write, from the command line and the config. */
struct job {
	const char *input;        /* file (offline) or device (live) */
	const char *dir;
	char base[PATH_MAX];       /* file name stem: input name without extension, or prefix */
	char flows_prefix[PATH_MAX];
	char packets_prefix[PATH_MAX];
	struct capture_info cap;
};

static int
plan_job(const struct app_args *a, const struct tcpw_conf *conf, struct job *j)
{
	char err[1024];

	j->dir = a->write_dir != NULL ? a->write_dir : conf->output_dir;
	j->input = a->read_file != NULL ? a->read_file :
		   a->device != NULL ? a->device : conf->capture_device;
	if (j->input[0] == '\0' || j->dir[0] == '\0') {
		fprintf(stderr, "tcpwintmtd: give -r FILE or -i DEVICE (or capture.device), and "
			"-w DIR (or output.dir); see --help\n");
		return -1;
	}
	if (a->read_file != NULL) {
		if (capture_scan_map(a->read_file, &j->cap, a->direct ? &pl.file : NULL, err,
				     sizeof(err)) != 0) {
			fprintf(stderr, "tcpwintmtd: %s\n", err);
			return -1;
		}
		if (j->cap.over_64k > 0)
			fprintf(stderr, "tcpwintmtd: warning: %" PRIu64 " frame(s) of %s are longer "
				"than 65535 bytes; DPDK 22.11's net_pcap cuts each to its length "
				"modulo 65536, so their flows' byte counts will be short. -R reads "
				"classic pcap files whole\n", j->cap.over_64k, a->read_file);
		if (!tcpw_parse_linktype_supported(j->cap.linktype))
			fprintf(stderr, "tcpwintmtd: warning: link type %d of %s is not supported: "
				"every packet will be counted as unsupported_linktype\n",
				j->cap.linktype, a->read_file);
	} else {
		j->cap.linktype = TCPW_DLT_EN10MB;
	}
	if (ensure_dir(j->dir, conf->output_file_mode, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: output directory %s: %s\n", j->dir, err);
		return -1;
	}
	if (a->read_file != NULL)
		base_name(j->base, sizeof(j->base), a->read_file);
	else
		snprintf(j->base, sizeof(j->base), "%s", conf->output_prefix);
	if (snprintf(j->flows_prefix, sizeof(j->flows_prefix), "%s_flows", j->base) >=
		(int)sizeof(j->flows_prefix) ||
	    snprintf(j->packets_prefix, sizeof(j->packets_prefix), "%s_packets", j->base) >=
		(int)sizeof(j->packets_prefix)) {
		fprintf(stderr, "tcpwintmtd: output path too long\n");
		return -1;
	}
	return 0;
}

/*
 * DPDK 22.11 leaves its runtime directory (/var/run/dpdk/PREFIX: config, fbarray files of
 * ~6 MB with --no-huge, sockets) behind at rte_eal_cleanup(). With the default per-PID
 * --file-prefix every run would leave a new one: measured, 12,000 runs of the test suites
 * filled a 252 GB disk. The daemon is the primary process of its prefix (whoever chose it),
 * nothing can use the directory after it: remove it on the way out (and those of killed
 * daemons: remove_stale_runtime_dirs()).
 *
 * Empty and remove directory @name of @parent, through descriptors and without following a
 * symbolic link: entries only, as EAL's runtime directory is flat.
 */
static void
remove_dir_at(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

#define STALE_MIN_AGE_S 10 /* EAL creates config a moment before it locks it */

/*
 * A runtime directory of the default --file-prefix scheme (ARGS_FILE_PREFIX + PID) that a
 * killed daemon left: a directory of ours (not a link), named after a PID that is not
 * running, holding a config file that is at least STALE_MIN_AGE_S old and that no process
 * holds EAL's primary lock on (F_SETLK, released when the process dies). A daemon of
 * another PID namespace that shares the directory holds that lock; one that is just
 * starting has no config yet, or a fresh one.
 */
static bool
runtime_dir_stale(int parent, const char *name, const char *own)
{
	size_t plen = strlen(ARGS_FILE_PREFIX);
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[NAME_MAX + 16];
	struct stat st;
	char *end;
	long pid;
	int fd;
	bool held;

	if (strncmp(name, ARGS_FILE_PREFIX, plen) != 0 || name[plen] < '1' || name[plen] > '9' ||
	    strcmp(name, own) == 0)
		return false;
	errno = 0;
	pid = strtol(name + plen, &end, 10);
	if (*end != '\0' || errno != 0 || pid > INT_MAX || kill((pid_t)pid, 0) == 0 ||
	    errno != ESRCH)
		return false;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return false;
	snprintf(path, sizeof(path), "%s/config", name);
	fd = openat(parent, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	held = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	       st.st_mtime > time(NULL) - STALE_MIN_AGE_S || fcntl(fd, F_GETLK, &lk) != 0 ||
	       lk.l_type != F_UNLCK;
	close(fd);
	return !held;
}

/* A daemon killed by SIGKILL (or the OOM killer) leaves its runtime directory behind, ~6 MB
 * of /run (memory) each: a restart loop would fill it. With a directory of the default
 * scheme (@own), each start removes those that daemons which are gone left beside it. */
static void
remove_stale_runtime_dirs(const char *own)
{
	char parent[PATH_MAX];
	const char *base = strrchr(own, '/');
	struct dirent *de;
	DIR *d;

	if (base == NULL || strncmp(base + 1, ARGS_FILE_PREFIX, strlen(ARGS_FILE_PREFIX)) != 0)
		return; /* a prefix of the user's: not ours to judge */
	snprintf(parent, sizeof(parent), "%.*s", (int)(base - own), own);
	d = opendir(parent);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (runtime_dir_stale(dirfd(d), de->d_name, base + 1))
			remove_dir_at(dirfd(d), de->d_name);
	closedir(d);
}

static void
log_writer(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tcpwintmtd: %s\n", msg);
}

static int
open_writer(const struct tcpw_conf *conf, const struct job *j)
{
	struct tcpw_writer_params wp = {
		.dir = j->dir,
		.prefix = j->flows_prefix,
		.ext = pl.json ? ".json" : ".txt",
		.header = pl.json ? "" : tcpw_record_flow_header,
		.rotate_bytes = conf->output_rotate_bytes,
		.rotate_interval_s = conf->output_rotate_interval_s,
		.keep_files = conf->output_keep_files,
		.keep_bytes = (uint64_t)conf->output_keep_mbytes << 20,
		.gzip = conf->output_gzip,
		.buffer_bytes = WRITER_BUFFER,
		.file_mode = conf->output_file_mode,
		.log = log_writer,
	};

	pl.writer = tcpw_writer_open(&wp, time(NULL));
	if (pl.writer == NULL) {
		fprintf(stderr, "tcpwintmtd: cannot write %s/%s%s: %s\n", wp.dir, wp.prefix,
			wp.ext, strerror(errno));
		return -1;
	}
	return 0;
}

/* Close the flow file; report what the writer did when it had anything to say. */
static int
close_writer(void)
{
	struct tcpw_writer_stats ws;
	int rc;

	tcpw_writer_stats(pl.writer, &ws);
	rc = tcpw_writer_close(pl.writer);
	if (ws.files_closed || ws.write_errors)
		printf("Flow files: %" PRIu64 " closed, %" PRIu64 " deleted by retention, %"
		       PRIu64 " write errors\n", ws.files_closed, ws.files_deleted,
		       ws.write_errors);
	if (ws.names_refused || ws.files_set_aside)
		printf("Flow file names: %" PRIu64 " refused (a link or a file not ours stood "
		       "there), %" PRIu64 " earlier active files kept under a closed name\n",
		       ws.names_refused, ws.files_set_aside);
	if (rc != 0)
		fprintf(stderr, "tcpwintmtd: %" PRIu64 " bytes of records could not be written "
			"(lost)\n", ws.buffered);
	return rc;
}

static struct tcpw_writer *
open_packet_log(const struct tcpw_conf *conf, const struct job *j)
{
	struct tcpw_writer_params wp = {
		.dir = j->dir,
		.prefix = j->packets_prefix,
		.ext = ".txt",
		.header = tcpw_record_packet_header,
		.rotate_bytes = conf->packet_log_rotate_bytes,
		.keep_files = conf->packet_log_keep_files,
		.gzip = conf->packet_log_gzip,
		.buffer_bytes = WRITER_BUFFER,
		.file_mode = conf->output_file_mode,
		.log = log_writer,
	};
	struct tcpw_writer *w;

	w = tcpw_writer_open(&wp, time(NULL));
	if (w == NULL)
		fprintf(stderr, "tcpwintmtd: cannot write %s/%s.txt: %s\n", j->dir,
			j->packets_prefix, strerror(errno));
	return w;
}

/*
 * Mbufs in the receive pool. A live port needs capture.mbufs to ride out bursts; reading a
 * file, exactly what can be in flight at once (a spreading ring per RX lcore, the lcore
 * caches, bursts), whatever capture.mbufs says: a smaller pool is set up faster (every
 * mbuf is touched when the pool is made, which was a third of a short offline run), and a
 * pool short of it loses packets: net_pcap reads a packet from the file before it finds
 * no mbuf for it (8 RX lcores with capture.mbufs = 1023: 18,977 of 20,000 packets lost,
 * parked in the owners' caches and rings).
 */
static uint32_t
pool_size(const struct tcpw_conf *c, bool offline, unsigned int nrx)
{
	uint32_t need = 2 * MBUF_CACHE * (nrx + 2) + 4 * BURST, n = 1;

	if (!offline)
		return c->capture_mbufs;
	if (nrx > 1) /* in the owners' rings, and waiting for the next enqueue */
		need += nrx * (RING_PKTS + HAND_OVER);
	while (n - 1 < need)
		n <<= 1;
	return n - 1;
}

/*
 * DPDK memory (MB) in the default EAL arguments. With --no-huge all of it is resident from
 * start-up, and EAL clears a map of all its 4 KiB pages: 512 cost 20 ms more CPU than 64,
 * a third of a short offline run's. So it is sized to the job: 64 for EAL, one an RX lcore
 * for the rings, and the mbuf pool (-R has none) plus a quarter. Live takes at least 512,
 * for what the device allocates.
 */
static unsigned int
eal_mem_mb(const struct app_args *a, const struct tcpw_conf *c)
{
	bool offline = a->read_file != NULL;
	uint64_t pool = offline && a->direct ? 0 :
			(uint64_t)pool_size(c, offline, c->rx_cores) * MBUF_PAGE;
	unsigned int mb = 64 + c->rx_cores + (unsigned int)((pool + pool / 4) >> 20);

	return offline ? mb : RTE_MAX(mb, 512u);
}

/* The first RX lcore that holds flows: with software distribution RX lcore 0 only reads
 * and spreads (owner_of() in lcore_rx.c). */
static unsigned int
flow_lcore0(void)
{
	return pl.sw_dist ? 1 : 0;
}

static uint32_t
high_water_pairs(const struct tcpw_conf *c)
{
	return (uint32_t)((uint64_t)c->flow_table_pairs * c->flow_table_high_water_pct / 100);
}

static int
setup_cores(const struct tcpw_conf *conf, const struct job *j)
{
	struct tcpw_engine_params ep = {
		.pairs = conf->flow_table_pairs,
		.linktype = j->cap.linktype,
		.tmt = { conf->tcpwin_thres, conf->tcpwin_flwprg, (float)conf->tmt_bgn_s,
			 (float)conf->tmt_est_s, (float)conf->tmt_abrt_s },
		.flow_timeout_s = (float)conf->flow_timeout_s,
		.high_water = high_water_pairs(conf),
		.emergency_timeout_s = (float)conf->flow_table_emergency_timeout_s,
		.emit = emit_to_ring,
		.hash_seed = rte_rand(), /* records do not depend on it; probe chains do */
	};
	unsigned int first = flow_lcore0();
	char name[RTE_RING_NAMESIZE];

	/* flows are numbered 1, 2, 3... across the lcores that hold them, in turn */
	ep.flow_ind_step = pl.nrx - first;

	for (unsigned int i = 0; i < pl.nrx; i++) {
		struct rx_core *rc = &pl.rx[i];

		rc->pl = &pl;
		rc->idx = i;
		rc->polls = pl.sw_dist ? i == 0 : true;
		rc->queue = pl.sw_dist ? 0 : (uint16_t)i;
		snprintf(name, sizeof(name), "records%u", i);
		rc->records = rte_ring_create_elem(name, sizeof(struct tcpw_record), RING_RECORDS,
						   (int)rte_socket_id(),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (pl.sw_dist && i > 0) {
			snprintf(name, sizeof(name), "pkts%u", i);
			rc->pkts = rte_ring_create(name, RING_PKTS, (int)rte_socket_id(),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		}
		rc->scratch = malloc(SCRATCH_BYTES);
		ep.emit_ctx = rc;
		ep.flow_ind_first = i < first ? 1 : i - first + 1;
		/* the distributor holds no flows: the smallest table (its engine still runs
		 * the clock steps, the flush and the counters like the others) */
		ep.pairs = i < first ? 8 : conf->flow_table_pairs;
		if (pl.packet_mode) {
			rc->pkt_log = open_packet_log(conf, j);
			rc->pkt_line = malloc(PKT_LINE_BYTES);
			if (rc->pkt_log == NULL || rc->pkt_line == NULL)
				return -1;
			ep.pkt_cb = write_packet_line;
			ep.pkt_ctx = rc;
		}
		rc->engine = tcpw_engine_create(&ep);
		if (rc->records == NULL || (pl.sw_dist && i > 0 && rc->pkts == NULL) ||
		    rc->scratch == NULL || rc->engine == NULL) {
			fprintf(stderr, "tcpwintmtd: out of memory for RX lcore %u (flow table of "
				"%u pairs, rings)\n", i, ep.pairs);
			return -1;
		}
	}
	return 0;
}

static int
close_cores(void)
{
	int ret = 0;

	for (unsigned int i = 0; i < pl.nrx; i++) {
		struct rx_core *rc = &pl.rx[i];

		if (tcpw_writer_close(rc->pkt_log) != 0) {
			fprintf(stderr, "tcpwintmtd: the end of the packet log could not be written\n");
			ret = -1;
		}
		free(rc->pkt_line);
		free(rc->scratch);
		tcpw_engine_free(rc->engine);
		rte_ring_free(rc->pkts);
		rte_ring_free(rc->records);
	}
	return ret;
}

static void
start_clock(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	pl.clock.base_tsc = rte_rdtsc();
	pl.clock.base_us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	pl.clock.hz = rte_get_tsc_hz();
	atomic_store(&pl.now_us, pl.clock.base_us);
}

static bool
all_rx_done(void)
{
	for (unsigned int i = 0; i < pl.nrx; i++)
		if (!atomic_load(&pl.rx[i].done))
			return false;
	return true;
}

/* One signal: stop capturing and write everything. Another: stop waiting for the disk.
 * Counted, not read from quit: the run may be stopping already (-r's stall watch, a
 * failed launch), and the operator's first signal must not drop what waits for the disk. */
static void
handle_signals(void)
{
	static unsigned int taken;

	if (got_signal == 0)
		return;
	got_signal = 0;
	if (taken++ > 0) {
		atomic_store(&pl.give_up, true);
		return;
	}
	if (!atomic_load(&pl.quit))
		notify_stopping();
	atomic_store(&pl.quit, true);
}

static void
set_log_level(const struct tcpw_conf *c)
{
	static const struct {
		const char *name;
		uint32_t level;
	} levels[] = {
		{ "error", RTE_LOG_ERR }, { "warning", RTE_LOG_WARNING },
		{ "notice", RTE_LOG_NOTICE }, { "info", RTE_LOG_INFO }, { "debug", RTE_LOG_DEBUG },
	};

	for (size_t i = 0; i < RTE_DIM(levels); i++)
		if (strcmp(levels[i].name, c->log_level) == 0)
			rte_log_set_global_level(levels[i].level);
}

static void
publish_reload(const struct tcpw_conf *c)
{
	struct reload_box *box = &pl.reload;
	unsigned int seq = atomic_load(&box->seq);

	atomic_store(&box->seq, seq + 1);
	atomic_thread_fence(memory_order_release);
	box->c.tmt = (struct tcpw_tmt){ c->tcpwin_thres, c->tcpwin_flwprg, (float)c->tmt_bgn_s,
					(float)c->tmt_est_s, (float)c->tmt_abrt_s };
	box->c.flow_timeout_s = (float)c->flow_timeout_s;
	box->c.high_water = high_water_pairs(c);
	box->c.emergency_timeout_s = (float)c->flow_table_emergency_timeout_s;
	box->c.policy.rotate_bytes = c->output_rotate_bytes;
	box->c.policy.rotate_interval_s = c->output_rotate_interval_s;
	box->c.policy.keep_files = c->output_keep_files;
	box->c.policy.keep_bytes = (uint64_t)c->output_keep_mbytes << 20;
	box->c.policy.gzip = c->output_gzip;
	box->c.flush_interval_ms = c->output_flush_interval_ms;
	atomic_store_explicit(&box->seq, seq + 2, memory_order_release);
}

/* Wait (bounded) until every running RX lcore and the writer took reload @p seq. */
static bool
reload_applied(unsigned int seq)
{
	for (int tries = 0; tries < 500; tries++) {
		bool all = atomic_load(&pl.writer_reload_seq) == seq || atomic_load(&pl.writer_done);

		for (unsigned int i = 0; i < pl.nrx; i++)
			all &= atomic_load(&pl.rx[i].reload_seq) == seq ||
			       atomic_load(&pl.rx[i].done);
		if (all)
			return true;
		usleep(10000);
	}
	return false;
}

/* SIGHUP: load the file again; take it only if it is valid and changes nothing that needs
 * a restart; otherwise say why and keep running on the current configuration. */
static void
reload(struct tcpw_conf *cur, const char *path)
{
	struct tcpw_conf next;
	char err[4096];

	if (path == NULL) {
		fprintf(stderr, "tcpwintmtd: SIGHUP: started without -c, nothing to reload\n");
		return;
	}
	notify_reloading();
	tcpw_conf_defaults(&next);
	if (tcpw_conf_load(path, &next, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: reload refused, keeping the running configuration; "
			"%s has errors:\n%s\n", path, err);
	} else if (tcpw_conf_diff(cur, &next, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: reload refused, keeping the running configuration:"
			"\n%s\n", err);
	} else {
		publish_reload(&next);
		if (!reload_applied(atomic_load(&pl.reload.seq)))
			fprintf(stderr, "tcpwintmtd: reload: not every lcore took it within 5 s\n");
		for (unsigned int i = 0; i < pl.nrx; i++)
			if (atomic_exchange(&pl.rx[i].reload_failed, false))
				fprintf(stderr, "tcpwintmtd: RX lcore %u keeps its timeouts: too many "
					"distinct timeout values since start (restart to use more)\n",
					i);
		*cur = next;
		set_log_level(cur);
		fprintf(stderr, "tcpwintmtd: configuration reloaded from %s\n", path);
	}
	notify_ready();
}

/* Control loop: turn signals into quit, and offline, notice net_pcap stalling. */
static void
control_loop(struct tcpw_conf *conf, const char *conf_file)
{
	uint64_t last = 0, idle_since = rte_get_timer_cycles(), last_stats = idle_since;

	while (!all_rx_done() || !atomic_load(&pl.writer_done)) {
		uint64_t now = rte_get_timer_cycles();
		uint64_t got = atomic_load(&pl.rx[0].rx_pkts);

		handle_signals();
		notify_tick(&pl, tcpw_writer_path(pl.writer));
		if (got_hup) {
			got_hup = 0;
			reload(conf, conf_file);
		}
		if (got_usr1 || (conf->stats_interval_s != 0 &&
				 now - last_stats >= conf->stats_interval_s * rte_get_timer_hz())) {
			got_usr1 = 0;
			last_stats = now;
			stats_report(&pl, stderr);
		}
		/* net_pcap stalling short of the counted packets (-r only: -R reads the file
		 * itself; once every packet is in, the flush at the end may take its time) */
		if (got != last || pl.live || pl.file.base != NULL || got >= pl.expected ||
		    atomic_load(&pl.quit) || atomic_load(&pl.write_blocked)) {
			last = got;
			idle_since = now;
		} else if (now - idle_since > STALL_SECONDS * rte_get_timer_hz()) {
			fprintf(stderr, "tcpwintmtd: net_pcap delivered %" PRIu64 " of %" PRIu64
				" packets and then nothing for %d s; finishing\n", got,
				pl.expected, STALL_SECONDS);
			net_pcap_stalled = true;
			atomic_store(&pl.quit, true);
		}
		usleep(10000);
	}
}

static void
report_info(const struct tcpw_conf *conf, const struct job *j, struct tcpw_report_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->input = j->input;
	ri->linktype = j->cap.linktype;
	ri->tcpwin_thres = conf->tcpwin_thres;
	ri->table_pairs = (uint64_t)conf->flow_table_pairs * (pl.nrx - flow_lcore0());
	ri->pid = (int)getpid();
}

/* The end report: the same as SIGUSR1's, once every lcore has stopped, plus the lcores. */
static void
report(void)
{
	struct tcpw_engine_stats st;

	stats_report_end(&pl, stdout);
	printf("RX lcores: %u (%s)\n", pl.nrx, pl.nrx == 1 ? "one queue" :
	       pl.sw_dist ? "one queue, read by RX lcore 0 and spread in software to the "
			    "others by a symmetric IP hash" :
	       "symmetric RSS, one queue each");
	for (unsigned int i = 0; i < pl.nrx; i++) {
		if (i < flow_lcore0()) { /* reads and spreads only: it holds no flows */
			printf("  RX lcore %u (lcore %u): read %" PRIu64 " packets and handed them "
			       "over\n", i, pl.rx[i].lcore, (uint64_t)atomic_load(&pl.rx[i].rx_pkts));
			continue;
		}
		rx_snapshot_read(&pl.rx[i], &st);
		printf("  RX lcore %u (lcore %u): %" PRIu64 " packets (%" PRIu64 " not in flows), "
		       "%" PRIu64 " flow lines, max %" PRIu64 " flows in memory, %" PRIu64
		       " ended by a full table\n", i, pl.rx[i].lcore, st.pkts,
		       tcpw_report_nonflow(&st), st.rec_dirs, st.max_flows_in_mem, st.autopilot);
	}
}

static int
launch(void)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	if (rte_eal_remote_launch(lcore_timer_main, &pl, lcore) != 0)
		return -1;
	for (unsigned int i = 0; i < pl.nrx; i++) {
		lcore = rte_get_next_lcore(lcore, 1, 0);
		pl.rx[i].lcore = lcore;
		if (rte_eal_remote_launch(lcore_rx_main, &pl.rx[i], lcore) != 0)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct app_args a;
	static struct job j;
	struct tcpw_conf conf;
	struct port_plan plan = { 0 };
	struct rte_mempool *pool = NULL;
	pthread_t writer;
	unsigned int lcore;
	uint64_t ts_flag;
	uint32_t nmbufs;
	char err[4096];
	int rc, ret = 1;

	rc = args_parse(argc, argv, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	tcpw_conf_defaults(&conf);
	if (a.conf_file != NULL && tcpw_conf_load(a.conf_file, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: configuration not valid:\n%s\n", err);
		return 1;
	}
	if (a.check_config) {
		printf("%s: configuration is valid\n", a.conf_file);
		return 0;
	}
	if (plan_job(&a, &conf, &j) != 0 ||
	    args_eal(&a, argv[0], conf.rx_cores, eal_mem_mb(&a, &conf),
		     a.read_file ? NULL : j.input, conf.eal_args) != 0)
		return 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGHUP, on_signal);
	if (rte_eal_init(a.eal_argc, a.eal_argv) < 0) {
		fprintf(stderr, "tcpwintmtd: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	set_log_level(&conf);
	remove_stale_runtime_dirs(rte_eal_get_runtime_dir());
	pl.nrx = rte_lcore_count() >= 3 ? rte_lcore_count() - 2 : 0;
	if (pl.nrx == 0 || pl.nrx > TCPW_CONF_RX_MAX) {
		fprintf(stderr, "tcpwintmtd: needs 3 to %d lcores (main, timer, RX...); EAL "
			"gave %u\n", TCPW_CONF_RX_MAX + 2, rte_lcore_count());
		goto out_eal;
	}
	pl.packet_mode = a.packet_mode || conf.packet_log_enable;
	if (pl.packet_mode && pl.nrx > 1) {
		fprintf(stderr, "tcpwintmtd: packet mode (-s, packet_log.enable) needs one RX lcore; %u "
			"were given\n",
			pl.nrx);
		goto out_eal;
	}
	if (rte_mbuf_dyn_rx_timestamp_register(&pl.ts_offset, &ts_flag) != 0) {
		fprintf(stderr, "tcpwintmtd: cannot register the mbuf timestamp field: %s\n",
			rte_strerror(rte_errno));
		goto out_eal;
	}
	plan.port = RTE_MAX_ETHPORTS; /* none yet: no port_stop() on the way out */
	if (a.direct) {
		/* -R: no port and no pool; RX lcore 0 reads the file plan_job() mapped */
		pl.file_off = CAPTURE_FILE_HEADER;
		pl.sw_dist = pl.nrx > 1;
		goto port_done;
	}
	nmbufs = pool_size(&conf, a.read_file != NULL, pl.nrx);
	pool = rte_pktmbuf_pool_create("rx_pool", nmbufs, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "tcpwintmtd: cannot create a pool of %u mbufs: %s (lower "
			"capture.mbufs or give EAL more memory with -m)\n", nmbufs,
			rte_strerror(rte_errno));
		goto out_eal;
	}
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "tcpwintmtd: no DPDK port for %s\n", j.input);
		goto out_pool;
	}
	plan.port = (uint16_t)rte_eth_find_next(0);
	plan.rx_cores = pl.nrx;
	plan.mtu = (uint16_t)conf.capture_mtu;
	plan.promiscuous = a.read_file == NULL && conf.capture_promiscuous;
	if (port_start(&plan, pool, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcpwintmtd: %s\n", err);
		goto out_port;
	}
	pl.port = plan.port;
	pl.nqueues = plan.nqueues;
	pl.sw_dist = pl.nrx > 1 && !plan.rss;
port_done:
	pl.live = a.read_file == NULL;
	pl.linktype = j.cap.linktype;
	pl.expected = j.cap.packets;
	pl.tick_us = (uint64_t)conf.timer_tick_ms * 1000;
	pl.json = strcmp(conf.output_format, "json") == 0;
	pl.flush_interval_ms = conf.output_flush_interval_ms;
	if (setup_cores(&conf, &j) != 0)
		goto out_cores;
	if (open_writer(&conf, &j) != 0)
		goto out_cores;
	{
		struct tcpw_report_info ri;

		report_info(&conf, &j, &ri);
		if (stats_register(&pl, &ri) != 0)
			fprintf(stderr, "tcpwintmtd: warning: telemetry command not registered\n");
	}
	publish_reload(&conf); /* the configuration in effect, for telemetry and reloads */
	start_clock();
	if (getenv("TCPWINTMTD_TEST_STALL_RX0_S") != NULL)
		pl.test_stall_tsc = pl.clock.base_tsc + (uint64_t)(atof(getenv(
			"TCPWINTMTD_TEST_STALL_RX0_S")) * (double)pl.clock.hz);
	if (pthread_create(&writer, NULL, writer_main, &pl) != 0) {
		fprintf(stderr, "tcpwintmtd: cannot start the writer thread\n");
		goto out_flows;
	}
	if (launch() != 0) {
		fprintf(stderr, "tcpwintmtd: cannot launch the lcores\n");
		atomic_store(&pl.quit, true);
	}
	notify_ready();
	if (pl.live)
		fprintf(stderr, "tcpwintmtd: capturing on %s (port %u, %s), %u RX lcore(s); "
			"writing %s\n", j.input, pl.port, plan.driver, pl.nrx,
			tcpw_writer_path(pl.writer));

	control_loop(&conf, a.conf_file);
	atomic_store(&pl.timer_quit, true);
	/* rte_eal_mp_wait_lcore() spins: up to a quarter tick (25 ms by default) of a CPU
	 * while the timer lcore finishes its sleep, 3% of a 3M-packet offline run */
	RTE_LCORE_FOREACH_WORKER(lcore)
		while (rte_eal_get_lcore_state(lcore) == RUNNING)
			usleep(1000);
	rte_eal_mp_wait_lcore();
	pthread_join(writer, NULL);
	report();

	ret = 0;
	if (pl.file.base != NULL) { /* -R counted the records as it read them */
		j.cap.packets = atomic_load(&pl.rx[0].rx_pkts);
		j.cap.damaged = pl.file_done && capture_map_damage(&pl.file, pl.file_off,
								  j.cap.damage,
								  sizeof(j.cap.damage));
	}
	if (atomic_load(&pl.records_lost) > 0) {
		fprintf(stderr, "tcpwintmtd: %" PRIu64 " records lost: the disk refused them and "
			"waiting was given up\n", (uint64_t)atomic_load(&pl.records_lost));
		ret = 1;
	}
	if (net_pcap_stalled) { /* the end report counts what was processed */
		fprintf(stderr, "tcpwintmtd: %s: %" PRIu64 " of its %" PRIu64 " packets were not "
			"processed (net_pcap stopped delivering them)\n", j.input,
			j.cap.packets - (uint64_t)atomic_load(&pl.rx[0].rx_pkts), j.cap.packets);
		ret = 1;
	}
	if (j.cap.damaged) {
		fprintf(stderr, "tcpwintmtd: %s is damaged or cut short after %" PRIu64
			" packets (%s); those packets were processed and written\n",
			j.input, j.cap.packets, j.cap.damage);
		ret = EXIT_DAMAGED;
	}
out_flows:
	if (close_writer() != 0)
		ret = 1;
out_cores:
	if (close_cores() != 0)
		ret = 1;
out_port:
	if (plan.port != RTE_MAX_ETHPORTS)
		port_stop(plan.port);
out_pool:
	rte_mempool_free(pool);
	capture_map_close(&pl.file);
out_eal:
	snprintf(err, sizeof(err), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_dir_at(AT_FDCWD, err);
	return ret;
}
