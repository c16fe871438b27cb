/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/cpu_access.c answers some of EAL's access() questions about CPUs without asking the
 * kernel. Every answer must be the kernel's (the system call glibc's access() makes):
 * checked for every question EAL asks (NUMA nodes 0-33, CPUs up to past the table's end),
 * for near misses of its path patterns, invalid modes, over-long paths and NULL. The
 * shortcut must really answer the impossible CPUs (its counter), the cpulist parser must
 * take the kernel's formats and refuse anything cut or malformed, and the executable must
 * export its access(), or the libraries would still call libc's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cpu_access.h"

#define CPUS (CPU_ACCESS_BITS + 100)

static int
kernel_access(const char *path, int mode)
{
#ifdef SYS_access
	return (int)syscall(SYS_access, path, mode);
#else
	return (int)syscall(SYS_faccessat, AT_FDCWD, path, mode);
#endif
}

/* access() without <unistd.h>'s nonnull attribute: the NULL case is checked too (UBSan
 * would flag the call itself). */
static int (*const access_any)(const char *, int) = access;

/* The same result and errno as the kernel's; returns whether access() answered it alone. */
static bool
same_answer(const char *path, int mode)
{
	unsigned long before = atomic_load(&cpu_access_answered);
	int want, want_errno, got, got_errno;

	errno = 0;
	want = kernel_access(path, mode);
	want_errno = want == 0 ? 0 : errno;
	errno = 0;
	got = access_any(path, mode);
	got_errno = got == 0 ? 0 : errno;
	if (got != want || got_errno != want_errno)
		fail_msg("%.80s (mode %#x): access() %d (errno %d), the kernel %d (errno %d)",
			 path ? path : "(null)", (unsigned int)mode, got, got_errno, want,
			 want_errno);
	return atomic_load(&cpu_access_answered) != before;
}

/* CPUs below CPU_ACCESS_BITS in /sys/devices/system/cpu/possible. */
static unsigned int
possible_cpus(void)
{
	unsigned char bits[CPU_ACCESS_BITS / 8] = { 0 };
	char line[8192];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned int n = 0;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_true(cpu_access_parse(line, bits));
	for (unsigned int c = 0; c < CPU_ACCESS_BITS; c++)
		n += (bits[c / 8] >> (c % 8)) & 1;
	assert_true(n >= 1);
	return n;
}

static void
test_eal_questions(void **state)
{
	char path[128];
	unsigned int exist = 0, answered = 0, asked = 0;

	(void)state;
	for (unsigned int c = 0; c < CPUS; c++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/topology/core_id", c);
		answered += same_answer(path, F_OK);
		exist += access(path, F_OK) == 0;
		asked++;
		for (unsigned int n = 0; n < 34; n++) {
			snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpu%u", n, c);
			answered += same_answer(path, F_OK);
			asked++;
		}
	}
	/* the possible CPUs were asked of the kernel, the others below the table's end
	 * answered here, the ones past it asked of the kernel again */
	assert_true(exist >= 1 || access("/sys/devices/system/cpu/cpu0/topology", F_OK) != 0);
	assert_int_equal(answered, 35 * (CPU_ACCESS_BITS - possible_cpus()));
	assert_int_equal(asked, 35 * CPUS);
}

static void
test_near_misses(void **state)
{
	static const char *const paths[] = {
		"/sys/devices/system/node/node0/cpu0",
		"/sys/devices/system/node/node0/cpu0/",
		"/sys/devices/system/node/node0/cpu999/",
		"/sys/devices/system/node/node0/cpu999x",
		"/sys/devices/system/node/node0/cpu0999",
		"/sys/devices/system/node/node0/cpu",
		"/sys/devices/system/node/node/cpu999",
		"/sys/devices/system/node/nodeX/cpu999",
		"/sys/devices/system/node/node0/cpulist",
		"/sys/devices/system/node/node0",
		"/sys/devices/system/cpu/cpu0/topology/core_id",
		"/sys/devices/system/cpu/cpu999/topology/core_idx",
		"/sys/devices/system/cpu/cpu999/topology",
		"/sys/devices/system/cpu/cpu0999/topology/core_id",
		"/sys/devices/system/cpu/cpux/topology/core_id",
		"/sys/devices/system/cpu/cpu/topology/core_id",
		"/sys/devices/system/cpu/cpu-1/topology/core_id",
		"/sys/devices/system/cpu/cpu+1/topology/core_id",
		"/sys/devices/system/cpu/cpu 1/topology/core_id",
		"/sys/devices/system/cpu/cpu99999999999999999999999/topology/core_id",
		"/sys/devices/system/cpu/possible",
		"/", "/nonexistent", "", ".", NULL,
	};
	static char longer[PATH_MAX + 64];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_false(same_answer(paths[i], F_OK));
	/* an impossible CPU with an invalid mode: the kernel's EINVAL */
	assert_false(same_answer("/sys/devices/system/node/node0/cpu999", 0x40));
	assert_true(same_answer("/sys/devices/system/node/node0/cpu999", R_OK | X_OK));
	/* as long as PATH_MAX allows, and longer: the kernel's ENAMETOOLONG */
	n = (size_t)snprintf(longer, sizeof(longer), "/sys/devices/system/node/node0");
	memset(longer + n, '0', PATH_MAX - n - 20);
	snprintf(longer + PATH_MAX - 20, 20, "1/cpu999");
	assert_true(same_answer(longer, F_OK));
	memset(longer + n, '0', sizeof(longer) - n - 20);
	snprintf(longer + sizeof(longer) - 20, 20, "1/cpu999");
	assert_false(same_answer(longer, F_OK));
}

static void
test_parse(void **state)
{
	static const struct {
		const char *list;
		bool ok;
		const char *cpus; /* the CPUs below 16 it sets, as 0/1 characters */
	} cases[] = {
		{ "0-1\n", true, "1100000000000000" },
		{ "0\n", true, "1000000000000000" },
		{ "0,2-5,8\n", true, "1011110010000000" },
		{ "3,15\n", true, "0001000000000001" },
		{ "0-4095\n", true, "1111111111111111" },
		{ "14-9999\n", true, "0000000000000011" },
		{ "0-1", false, NULL },      /* cut before its newline */
		{ "0-", false, NULL },
		{ "0,2-5,8", false, NULL },
		{ "\n", false, NULL },       /* no CPU */
		{ "", false, NULL },
		{ "3-1\n", false, NULL },
		{ "0,\n", false, NULL },
		{ ",0\n", false, NULL },
		{ "0--1\n", false, NULL },
		{ "0 1\n", false, NULL },
		{ "-1\n", false, NULL },
		{ "0-+3\n", false, NULL },
		{ "x\n", false, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char bits[CPU_ACCESS_BITS / 8] = { 0 };
		bool ok = cpu_access_parse(cases[i].list, bits);

		if (ok != cases[i].ok)
			fail_msg("'%s': %s", cases[i].list, ok ? "taken" : "refused");
		for (unsigned int c = 0; ok && c < 16; c++)
			if (((bits[c / 8] >> (c % 8)) & 1) != (unsigned int)(cases[i].cpus[c] - '0'))
				fail_msg("'%s': CPU %u", cases[i].list, c);
	}
}

static void
test_exported(void **state)
{
	(void)state;
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "access"), (void *)access);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eal_questions),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_exported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
