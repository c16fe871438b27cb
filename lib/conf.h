/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Configuration: a libconfig file turned into a plain struct tcpw_conf.
 *
 * This module is the only one that sees libconfig. Every key has one row in the key table in
 * conf.c (path, type, default, range, unit, reloadable); defaults live there and nowhere else.
 * Loading collects every error before failing, each message naming file:line and the key.
 */
#ifndef TCPW_CONF_H
#define TCPW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most RX lcores the daemon drives. */
#define TCPW_CONF_RX_MAX 64
/** Maximum length of a path kept in the config. */
#define TCPW_CONF_PATH_MAX 256

struct tcpw_conf {
	/* tcpWinTMT (T2-SEMANTICS §1.2); all reloadable */
	uint32_t tcpwin_thres;     /**< window < this counts as "below threshold" (raw field) */
	uint32_t tcpwin_flwprg;    /**< below-threshold packets per direction before abort */
	double tmt_bgn_s;          /**< timeout after a SYN, seconds */
	double tmt_est_s;          /**< timeout in BGN/EST, seconds */
	double tmt_abrt_s;         /**< timeout after an abort, seconds */
	double flow_timeout_s;     /**< core default timeout (NEW state, non-TCP), seconds */
	/* flow table */
	uint32_t flow_table_pairs; /**< flow pairs per RX core (power of two, >= 8); restart */
	uint32_t flow_table_high_water_pct; /**< % of the table in use that switches on the
					     *   emergency timeout (0: never); reloadable */
	double flow_table_emergency_timeout_s; /**< pairs idle this long end first while above
						*   the mark; reloadable */
	/* RX and capture; not reloadable */
	uint32_t rx_cores;         /**< RX lcores when the daemon picks the EAL arguments */
	char capture_device[TCPW_CONF_PATH_MAX]; /**< live: DPDK device ("net_af_packet0,iface=eth1",
						  *   "0000:01:00.0"); empty: offline only */
	bool capture_promiscuous;  /**< put the port in promiscuous mode */
	uint32_t capture_mtu;      /**< MTU to set (0: leave it) */
	uint32_t capture_mbufs;    /**< mbufs in the receive pool */
	uint32_t timer_tick_ms;    /**< live: idle RX clocks advance at least this often, so a
				    *   flow is written at most this long after it expired */
	/* output */
	char output_dir[TCPW_CONF_PATH_MAX]; /**< where flow files go (empty: the -w option) */
	char output_prefix[65];    /**< live: files are DIR/PREFIX_flows.txt */
	char output_format[16];    /**< "text" (Tranalyzer) or "json" (one object per line) */
	uint32_t output_rotate_bytes;      /**< rotate the flow file at this size; 0: off */
	uint32_t output_rotate_interval_s; /**< rotate after this long; 0: off */
	uint32_t output_keep_files;        /**< closed files kept; 0: all */
	uint32_t output_keep_mbytes;       /**< MiB of closed files kept; 0: all */
	bool output_gzip;                  /**< gzip closed files */
	uint32_t output_flush_interval_ms; /**< records reach the file at least this often */
	uint32_t output_file_mode;         /**< permission bits of every file created (flow files,
					    *   packet logs, rotated and gzipped ones): <= 0666, no
					    *   execute or world-write bit; from an octal string */
	/* packet log (Tranalyzer's -s): one line per packet, one RX lcore only */
	bool packet_log_enable;            /**< write DIR/<name>_packets.txt (as -s) */
	uint32_t packet_log_rotate_bytes;  /**< rotate it at this size; 0: off */
	uint32_t packet_log_keep_files;    /**< closed packet logs kept; 0: all */
	bool packet_log_gzip;              /**< gzip closed packet logs */
	/* process */
	char eal_args[TCPW_CONF_PATH_MAX]; /**< EAL arguments when none are on the command line */
	uint32_t stats_interval_s;         /**< status report to the log this often; 0: off */
	char log_level[16];                /**< DPDK log level: error ... debug */
};

/** Fill @p conf with every default. */
void tcpw_conf_defaults(struct tcpw_conf *conf);

/**
 * Load and validate a config file. Keys that are absent keep their defaults.
 *
 * @param path  libconfig file
 * @param conf  filled on success; untouched on failure
 * @param err   receives every error found, one per line ("file:line: key: what to do")
 * @param errlen size of @p err
 * @return 0, -ENOENT (file cannot be opened), -EINVAL (syntax or semantic errors, see @p err)
 */
int tcpw_conf_load(const char *path, struct tcpw_conf *conf, char *err, size_t errlen);

/** As tcpw_conf_load(), from a string (for tests and embedded defaults). */
int tcpw_conf_load_string(const char *text, struct tcpw_conf *conf, char *err, size_t errlen);

/**
 * Check that @p next differs from @p cur only in keys that can be reloaded.
 *
 * @param err receives one line per key that needs a restart ("flow_table.pairs: changed
 *            from 65536 to 1024; it takes effect only after a restart"), NUL-terminated
 * @return 0 (reloadable; possibly no change), -EPERM (a key that needs a restart changed)
 */
int tcpw_conf_diff(const struct tcpw_conf *cur, const struct tcpw_conf *next, char *err,
		   size_t errlen);

#endif /* TCPW_CONF_H */
