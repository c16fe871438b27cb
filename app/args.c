/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line parsing and the default EAL arguments. Only wiring: no DPDK calls here.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "tcpw_build_config.h"

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options --] -r FILE -w DIR [-s] [-c CONF]\n"
		"  -r FILE         read a capture (pcap or pcapng) through DPDK's net_pcap device\n"
		"  -w DIR          write DIR/<FILE name without extension>_flows.txt\n"
		"  -s              packet mode: also write ..._packets.txt, one line per packet\n"
		"  -c CONF         libconfig file (default: built-in defaults)\n"
		"  --check-config  load and validate CONF, then exit 0 (valid) or 1\n"
		"  -h, --help      this text;  -V, --version  the version\n"
		"Without EAL options the daemon runs with --no-huge --no-pci -m 512 on two lcores.\n"
		"Exit status: 0 done; 1 usage or start-up error; 3 capture damaged or cut short\n"
		"(every packet before the damage is processed and written).\n", prog);
}

__attribute__((format(printf, 2, 3))) static void
eal_add(struct app_args *a, const char *fmt, ...)
{
	char *slot = a->eal_store[a->eal_argc];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot, sizeof(a->eal_store[0]), fmt, ap);
	va_end(ap);
	a->eal_argv[a->eal_argc++] = slot;
}

/* Two lcores (main = writer/control, one RX), on up to two of the CPUs we may use. */
static void
default_eal(struct app_args *a, const char *prog)
{
	char cpus[32] = "0", pid[32];
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE && n < 2; c++) {
			if (!CPU_ISSET(c, &set))
				continue;
			snprintf(cpus + (n ? strlen(cpus) : 0), sizeof(cpus) - (n ? strlen(cpus) : 0),
				 n ? ",%d" : "%d", c);
			n++;
		}
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	a->eal_argc = 0;
	eal_add(a, "%s", prog);
	eal_add(a, "--lcores=(0,1)@(%s)", cpus);
	eal_add(a, "--no-huge");
	eal_add(a, "--no-pci");
	eal_add(a, "-m512");
	eal_add(a, "--file-prefix=tcpwintmtd-%s", pid);
	eal_add(a, "--log-level=lib.*:error");
	eal_add(a, "--log-level=pmd.*:error");
}

int
args_parse(int argc, char **argv, struct app_args *a)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int first = 1, c;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (i >= ARGS_EAL_MAX) {
				fprintf(stderr, "%s: too many EAL arguments\n", argv[0]);
				return -1;
			}
			for (int j = 0; j < i; j++)
				a->eal_argv[j] = argv[j];
			a->eal_argc = i;
			first = i;
			break;
		}
	}
	if (a->eal_argc == 0)
		default_eal(a, argv[0]);
	/* getopt over the application part only (argv[first] acts as argv[0]) */
	optind = 1;
	while ((c = getopt_long(argc - first + 1, argv + first - 1, "r:w:c:shV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r': a->read_file = optarg; break;
		case 'w': a->write_dir = optarg; break;
		case 'c': a->conf_file = optarg; break;
		case 's': a->packet_mode = true; break;
		case 'C': a->check_config = true; break;
		case 'h': usage(stdout, argv[0]); return 1;
		case 'V': printf("tcpwintmtd %s\n", TCPW_VERSION); return 1;
		default: usage(stderr, argv[0]); return -1;
		}
	}
	if (optind < argc - first + 1) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[first - 1 + optind]);
		return -1;
	}
	if (a->check_config) {
		if (a->conf_file == NULL) {
			fprintf(stderr, "%s: --check-config needs -c CONF\n", argv[0]);
			return -1;
		}
		return 0;
	}
	if (a->read_file == NULL || a->write_dir == NULL) {
		fprintf(stderr, "%s: -r FILE and -w DIR are required (live capture is not "
			"available yet)\n", argv[0]);
		usage(stderr, argv[0]);
		return -1;
	}
	return 0;
}
