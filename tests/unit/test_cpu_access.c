/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/cpu_access.c answers some of EAL's access() questions about CPUs without asking the
 * kernel. Every answer must be the kernel's: checked against faccessat() for every question
 * EAL asks (NUMA nodes 0-33, CPUs up to past the table's end), for near misses of its path
 * patterns, and for unrelated paths. The executable must export its access(), or the
 * libraries would still call libc's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define CPUS 4200   /* past cpu_access.c's CPU_BITS (4096) */

static void
same_answer(const char *path)
{
	int want, want_errno, got, got_errno;

	errno = 0;
	want = faccessat(AT_FDCWD, path, F_OK, 0);
	want_errno = want == 0 ? 0 : errno;
	errno = 0;
	got = access(path, F_OK);
	got_errno = got == 0 ? 0 : errno;
	if (got != want || got_errno != want_errno)
		fail_msg("%s: access() %d (errno %d), the kernel %d (errno %d)", path, got,
			 got_errno, want, want_errno);
}

static void
test_eal_questions(void **state)
{
	char path[128];
	int exist = 0;

	(void)state;
	for (unsigned int c = 0; c < CPUS; c++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/topology/core_id", c);
		same_answer(path);
		exist += access(path, F_OK) == 0;
		for (unsigned int n = 0; n < 34; n++) {
			snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpu%u", n, c);
			same_answer(path);
		}
	}
	/* where sysfs shows CPU topology, CPU 0 has it (else the loop checked only ENOENTs) */
	if (access("/sys/devices/system/cpu/cpu0/topology", F_OK) == 0)
		assert_true(exist >= 1);
}

static void
test_near_misses(void **state)
{
	static const char *const paths[] = {
		"/sys/devices/system/node/node0/cpu0",
		"/sys/devices/system/node/node0/cpu0/",
		"/sys/devices/system/node/node0/cpu9999/",
		"/sys/devices/system/node/node0/cpu9999x",
		"/sys/devices/system/node/node0/cpu",
		"/sys/devices/system/node/node/cpu9999",
		"/sys/devices/system/node/nodeX/cpu9999",
		"/sys/devices/system/node/node0/cpulist",
		"/sys/devices/system/node/node0",
		"/sys/devices/system/cpu/cpu0/topology/core_id",
		"/sys/devices/system/cpu/cpu9999/topology/core_idx",
		"/sys/devices/system/cpu/cpu9999/topology",
		"/sys/devices/system/cpu/cpux/topology/core_id",
		"/sys/devices/system/cpu/cpu/topology/core_id",
		"/sys/devices/system/cpu/cpu-1/topology/core_id",
		"/sys/devices/system/cpu/cpu+1/topology/core_id",
		"/sys/devices/system/cpu/cpu 1/topology/core_id",
		"/sys/devices/system/cpu/possible",
		"/", "/nonexistent", "", ".",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		same_answer(paths[i]);
	errno = 0;
	assert_int_equal(access("/sys/devices/system/node/node0/cpu99999", F_OK), -1);
	assert_int_equal(errno, ENOENT);
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
		cmocka_unit_test(test_exported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
