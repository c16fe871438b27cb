/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command line: "[EAL args --] (-r FILE | -i DEVICE) -w DIR [-s] [-c CONF]". Without "--",
 * the daemon picks EAL arguments that work on any machine (no hugepages, no PCI unless the
 * device is a PCI address, a private file prefix, main + timer + RX lcores).
 */
#ifndef TCPW_APP_ARGS_H
#define TCPW_APP_ARGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define ARGS_EAL_MAX 48

struct app_args {
	const char *read_file;   /* -r or -R */
	bool direct;             /* -R: the file is read in place, not through net_pcap */
	const char *device;      /* -i (live) */
	const char *write_dir;   /* -w */
	const char *conf_file;   /* -c */
	bool packet_mode;        /* -s */
	bool check_config;       /* --check-config */
	bool user_eal;           /* EAL arguments were given before "--" */
	int eal_argc;
	char *eal_argv[ARGS_EAL_MAX];
	char eal_store[ARGS_EAL_MAX][PATH_MAX + 64]; /* synthesised EAL arguments */
};

/* Returns 0, 1 if the program should exit 0 (help/version printed), -1 on a usage error
 * (message printed). */
int args_parse(int argc, char **argv, struct app_args *a);

#define ARGS_FILE_PREFIX "tcpwintmtd-" /* + PID: the default --file-prefix */

/*
 * Complete the EAL arguments: those of the command line, else eal.args (@p conf_eal_args,
 * split on white space), else the daemon's defaults for @p rx_cores RX lcores and @p mem_mb
 * MB of DPDK memory; then the input device (the capture file through net_pcap, or the live
 * device as a virtual device or a PCI address). Returns 0 or -1 (message printed).
 */
int args_eal(struct app_args *a, const char *prog, unsigned int rx_cores, unsigned int mem_mb,
	     const char *device, const char *conf_eal_args);

/*
 * EAL's --lcores map for the daemon's own EAL arguments: the main lcore, the timer lcore and
 * @p rx_cores RX lcores on the CPUs @p cpu[0 .. n - 1] (the first 2 + rx_cores the process
 * may use). With a CPU for each RX lcore, RX lcore k is pinned to cpu[(k + 1) % n] and the
 * main and timer lcores (and the writer thread, which inherits the main lcore's CPUs) share
 * the CPUs left, or all of them when none is: a floating RX lcore shares its CPU with
 * whatever the scheduler puts beside it (one RX lcore on 2 CPUs metered 41-50% of the bare
 * PMD's rate floating, 50-55% pinned: doc/performance.md, tenth round). With fewer CPUs than
 * RX lcores, every lcore floats over all of them. "(0-1)@(0),2@1" for one RX lcore on CPUs 0
 * and 1. Returns 0, or -1 if @p out (@p len bytes) is too short.
 */
int args_lcore_map(const int *cpu, unsigned int n, unsigned int rx_cores, char *out, size_t len);

/* args_lcore_map() on the first 2 + @p rx_cores CPUs this process may use (its affinity):
 * the map the daemon's own EAL arguments carry (bench/e2e.sh gives testpmd the same one,
 * through bench_lcores). Returns 0, or -1 if @p out is too short or @p rx_cores is above
 * TCPW_CONF_RX_MAX. */
int args_default_lcores(unsigned int rx_cores, char *out, size_t len);

#endif
