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
#include "conf.h"
#include "tcpw_build_config.h"

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options --] (-r FILE | -R FILE | -i DEVICE) -w DIR [-s] [-c CONF]\n"
		"  -r FILE         read a capture (pcap or pcapng) through DPDK's net_pcap device\n"
		"  -R FILE         read a classic pcap file in place (mapped, no DPDK port): the\n"
		"                  same records as -r, at about half the CPU\n"
		"  -i DEVICE       capture live from a DPDK device: \"net_af_packet0,iface=eth1\",\n"
		"                  \"net_pcap0,iface=eth1\" or a PCI address (default: capture.device)\n"
		"  -w DIR          write DIR/<FILE name without extension>_flows.txt\n"
		"                  (live: DIR/tcpwintmt_flows.txt; default: output.dir)\n"
		"  -s              packet mode: also write ..._packets.txt, one line per packet\n"
		"  -c CONF         libconfig file (default: built-in defaults)\n"
		"  --check-config  load and validate CONF (default " TCPW_SYSCONFDIR
		"/tcpwintmt.conf),\n"
		"                  then exit 0 (valid) or 1\n"
		"  -h, --help      this text;  -V, --version  the version\n"
		"Without EAL options the daemon runs with --no-huge and -m sized to its mbuf pool\n"
		"on 2 + rx.cores lcores (main, timer, RX); with them, every worker lcore but the\n"
		"first is an RX lcore.\n"
		"SIGTERM/SIGINT: stop capturing, write every flow in memory, exit 0.\n"
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

static bool
is_pci_address(const char *dev)
{
	unsigned int dom, bus, slot, fn;
	char end;

	return sscanf(dev, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &end) == 4 ||
	       sscanf(dev, "%x:%x.%x%c", &bus, &slot, &fn, &end) == 3;
}

int
args_lcore_map(const int *cpu, unsigned int n, unsigned int rx_cores, char *out, size_t len)
{
	bool pin = n >= rx_cores, spare = n > rx_cores; /* spare: cpu[0] and cpu[rx_cores + 1] */
	size_t used;

	used = (size_t)snprintf(out, len, "(0-%u)@(", pin ? 1 : rx_cores + 1);
	for (unsigned int i = 0; i < n && used < len; i++)
		if (!spare || i == 0 || i > rx_cores)
			used += (size_t)snprintf(out + used, len - used, "%s%d",
						 out[used - 1] == '(' ? "" : ",", cpu[i]);
	if (used < len)
		used += (size_t)snprintf(out + used, len - used, ")");
	for (unsigned int k = 0; pin && k < rx_cores && used < len; k++)
		used += (size_t)snprintf(out + used, len - used, ",%u@%d", k + 2, cpu[(k + 1) % n]);
	return used < len ? 0 : -1;
}

int
args_default_lcores(unsigned int rx_cores, char *out, size_t len)
{
	int cpu[2 + TCPW_CONF_RX_MAX];
	unsigned int n = 0;
	cpu_set_t set;

	if (rx_cores > TCPW_CONF_RX_MAX)
		return -1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && n < rx_cores + 2; c++)
			if (CPU_ISSET(c, &set))
				cpu[n++] = c;
	if (n == 0)
		cpu[n++] = 0;
	return args_lcore_map(cpu, n, rx_cores, out, len);
}

/* The EAL arguments for the lcores and memory when none were given. */
static void
default_eal(struct app_args *a, const char *prog, unsigned int rx_cores, unsigned int mem_mb,
	    bool pci)
{
	char lcores[sizeof(a->eal_store[0]) - sizeof("--lcores=")];

	args_default_lcores(rx_cores, lcores, sizeof(lcores)); /* 66 CPUs fit */
	a->eal_argc = 0;
	eal_add(a, "%s", prog);
	eal_add(a, "--lcores=%s", lcores);
	eal_add(a, "--no-huge");
	if (!pci)
		eal_add(a, "--no-pci");
	eal_add(a, "-m%u", mem_mb);
	eal_add(a, "--file-prefix=" ARGS_FILE_PREFIX "%d", (int)getpid());
	eal_add(a, "--log-level=lib.*:error");
	eal_add(a, "--log-level=pmd.*:error");
}

/* eal.args: white-space separated, no quoting. */
static int
conf_eal(struct app_args *a, const char *prog, const char *args)
{
	char copy[PATH_MAX], *tok, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", args);
	a->eal_argc = 0;
	eal_add(a, "%s", prog);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save)) {
		if (a->eal_argc + 2 >= ARGS_EAL_MAX) {
			fprintf(stderr, "%s: eal.args has too many arguments\n", prog);
			return -1;
		}
		eal_add(a, "%s", tok);
	}
	return 0;
}

int
args_eal(struct app_args *a, const char *prog, unsigned int rx_cores, unsigned int mem_mb,
	 const char *device, const char *conf_eal_args)
{
	bool pci = device != NULL && is_pci_address(device);

	if (!a->user_eal && conf_eal_args[0] != '\0') {
		if (conf_eal(a, prog, conf_eal_args) != 0)
			return -1;
	} else if (!a->user_eal) {
		default_eal(a, prog, rx_cores, mem_mb, pci);
	}
	if (a->eal_argc + 2 > ARGS_EAL_MAX) {
		fprintf(stderr, "%s: too many EAL arguments\n", prog);
		return -1;
	}
	if (a->read_file != NULL && a->direct)
		return 0; /* no port: frames come from the mapped file */
	if (a->read_file != NULL)
		eal_add(a, "--vdev=net_pcap0,rx_pcap=%s", a->read_file);
	else if (pci)
		eal_add(a, "--allow=%s", device);
	else
		eal_add(a, "--vdev=%s", device);
	return 0;
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
			a->user_eal = i > 1; /* "--" alone (EAL_ARGS empty): the defaults */
			first = i + 1; /* "--" itself stands as argv[0] for getopt */
			break;
		}
	}
	/* getopt over the application part only (argv[first] acts as argv[0]) */
	optind = 1;
	while ((c = getopt_long(argc - first + 1, argv + first - 1, "r:R:i:w:c:shV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r': a->read_file = optarg; a->direct = false; break;
		case 'R': a->read_file = optarg; a->direct = true; break;
		case 'i': a->device = optarg; break;
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
		if (a->conf_file == NULL)
			a->conf_file = TCPW_SYSCONFDIR "/tcpwintmt.conf";
		return 0;
	}
	if (a->read_file != NULL && a->device != NULL) {
		fprintf(stderr, "%s: -r/-R FILE and -i DEVICE exclude each other\n", argv[0]);
		return -1;
	}
	return 0;
}
