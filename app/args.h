/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command line: "[EAL args --] -r FILE -w DIR [-s] [-c CONF]". Without "--", the daemon picks
 * EAL arguments that work on any machine (no hugepages, no PCI, a private file prefix).
 */
#ifndef TCPW_APP_ARGS_H
#define TCPW_APP_ARGS_H

#include <limits.h>
#include <stdbool.h>

#define ARGS_EAL_MAX 32

struct app_args {
	const char *read_file;   /* -r */
	const char *write_dir;   /* -w */
	const char *conf_file;   /* -c */
	bool packet_mode;        /* -s */
	bool check_config;       /* --check-config */
	int eal_argc;
	char *eal_argv[ARGS_EAL_MAX];
	char eal_store[ARGS_EAL_MAX][PATH_MAX + 64]; /* synthesised EAL arguments */
};

/* Returns 0, 1 if the program should exit 0 (help/version printed), -1 on a usage error
 * (message printed). */
int args_parse(int argc, char **argv, struct app_args *a);

#endif
