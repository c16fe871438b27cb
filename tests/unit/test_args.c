/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/args.c's lcore map for the daemon's own EAL arguments: each RX lcore on a CPU of its
 * own when there are enough, the main and timer lcores on the CPUs left (or on all when
 * none is), every lcore floating when there are fewer CPUs than RX lcores; CPU numbers as
 * the affinity mask gives them, not 0 .. n - 1; the largest map (64 RX lcores) fits the
 * daemon's buffer, and a short buffer is refused rather than cut; args_default_lcores()
 * takes the CPUs from the process's affinity.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "conf.h"

static void
check(const int *cpu, unsigned int n, unsigned int rx, const char *want)
{
	char out[512];

	assert_int_equal(args_lcore_map(cpu, n, rx, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_two_cpus(void **state)
{
	static const int cpu[] = { 0, 1 };

	(void)state;
	check(cpu, 2, 1, "(0-1)@(0),2@1");           /* main and timer beside the RX lcore */
	check(cpu, 2, 2, "(0-1)@(0,1),2@1,3@0");     /* no CPU left: main and timer on both */
	check(cpu, 2, 4, "(0-5)@(0,1)");             /* fewer CPUs than RX lcores: all float */
}

static void
test_one_cpu(void **state)
{
	static const int cpu[] = { 0 };

	(void)state;
	check(cpu, 1, 1, "(0-1)@(0),2@0");
	check(cpu, 1, 2, "(0-3)@(0)");
}

static void
test_spare_cpus(void **state)
{
	static const int cpu[] = { 0, 1, 2, 3 };

	(void)state;
	check(cpu, 3, 1, "(0-1)@(0,2),2@1");
	check(cpu, 4, 2, "(0-1)@(0,3),2@1,3@2");
}

/* CPUs as sched_getaffinity() gives them: a container or systemd's CPUAffinity= */
static void
test_affinity_numbers(void **state)
{
	static const int cpu[] = { 2, 5, 7 };

	(void)state;
	check(cpu, 3, 1, "(0-1)@(2,7),2@5");
	check(cpu, 2, 2, "(0-1)@(2,5),2@5,3@2");
}

static void
test_largest_and_short(void **state)
{
	int cpu[2 + TCPW_CONF_RX_MAX];
	char out[PATH_MAX + 64 - sizeof("--lcores=")], small[16];
	char tail[32];

	(void)state;
	for (unsigned int i = 0; i < 2 + TCPW_CONF_RX_MAX; i++)
		cpu[i] = (int)(1000 + i);
	assert_int_equal(args_lcore_map(cpu, 2 + TCPW_CONF_RX_MAX, TCPW_CONF_RX_MAX, out,
					sizeof(out)), 0);
	assert_true(strncmp(out, "(0-1)@(1000,1065),2@1001,", 25) == 0);
	snprintf(tail, sizeof(tail), ",%u@%d", TCPW_CONF_RX_MAX + 1, 1000 + TCPW_CONF_RX_MAX);
	assert_string_equal(out + strlen(out) - strlen(tail), tail);
	assert_int_equal(args_lcore_map(cpu, 2 + TCPW_CONF_RX_MAX, TCPW_CONF_RX_MAX, small,
					sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* Pinned to one CPU c (the first it may use), one RX lcore gets "(0-1)@(c),2@c". */
static void
test_default_from_affinity(void **state)
{
	cpu_set_t old, one;
	char want[64], out[64];
	int c = 0;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	while (!CPU_ISSET(c, &old))
		c++;
	CPU_ZERO(&one);
	CPU_SET(c, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(args_default_lcores(1, out, sizeof(out)), 0);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	snprintf(want, sizeof(want), "(0-1)@(%d),2@%d", c, c);
	assert_string_equal(out, want);
	assert_int_equal(args_default_lcores(TCPW_CONF_RX_MAX + 1, out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpus),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_spare_cpus),
		cmocka_unit_test(test_affinity_numbers),
		cmocka_unit_test(test_largest_and_short),
		cmocka_unit_test(test_default_from_affinity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
