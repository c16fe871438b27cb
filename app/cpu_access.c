/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * access() for the whole process, to spare DPDK's start-up its sysfs storm. EAL 22.11
 * (rte_eal_cpu_init() and the --lcores checks) asks access() whether
 * /sys/devices/system/node/node<N>/cpu<C> exists for every N below RTE_MAX_NUMA_NODES (32)
 * and C below RTE_MAX_LCORE (128), detected CPU or not, and whether
 * /sys/devices/system/cpu/cpu<C>/topology/core_id exists, several times a CPU: on a 2-CPU
 * machine 5,000 path walks through sysfs, all but 25 failing, 14-26 ms of CPU at every start
 * (a third of a short -R run's CPU).
 *
 * A CPU the kernel cannot have (not in /sys/devices/system/cpu/possible, which covers every
 * CPU that is or may be hot-plugged present) has no such entry: those questions are
 * answered ENOENT here, exactly as the kernel would. Every other call goes to the kernel
 * unchanged, and so does everything if "possible" cannot be read. Calls made inside libc
 * do not come here; calls from DPDK and the other libraries do (the executable's access()
 * comes first in symbol lookup).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CPU_BITS 4096   /* CPUs above are always asked of the kernel */

static unsigned char possible[CPU_BITS / 8];
static bool possible_ok; /* read: else every question goes to the kernel */
static pthread_once_t possible_once = PTHREAD_ONCE_INIT;

/* "0-1", "0,2-5,8": the kernel's cpulist format. False if it is not that. */
static bool
parse_cpulist(const char *s)
{
	while (*s != '\0' && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return false;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return false;
		}
		for (unsigned long c = a; c <= b && c < CPU_BITS; c++)
			possible[c / 8] |= (unsigned char)(1u << (c % 8));
		s = *end == ',' ? end + 1 : end;
	}
	return true;
}

static void
possible_read(void)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	bool ok = f != NULL && fgets(buf, sizeof(buf), f) != NULL && parse_cpulist(buf);

	if (f != NULL)
		fclose(f);
	possible_ok = ok;
}

/* The CPU number C at @s, when "C" ends at @tail (the rest of the path after it). */
static bool
cpu_number(const char *s, const char *tail, unsigned long *c)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*c = strtoul(s, &end, 10);
	return strcmp(end, tail) == 0;
}

/* True if @path is one of EAL's questions about a CPU that cannot exist. */
static bool
impossible_cpu(const char *path)
{
	static const char node[] = "/sys/devices/system/node/node";
	static const char cpu[] = "/sys/devices/system/cpu/cpu";
	unsigned long c;

	if (strncmp(path, node, sizeof(node) - 1) == 0) {
		const char *p = path + sizeof(node) - 1;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p == path + sizeof(node) - 1 || strncmp(p, "/cpu", 4) != 0 ||
		    !cpu_number(p + 4, "", &c))
			return false;
	} else if (strncmp(path, cpu, sizeof(cpu) - 1) != 0 ||
		   !cpu_number(path + sizeof(cpu) - 1, "/topology/core_id", &c)) {
		return false;
	}
	if (c >= CPU_BITS)
		return false;
	pthread_once(&possible_once, possible_read);
	return possible_ok && (possible[c / 8] & (1u << (c % 8))) == 0;
}

int
access(const char *path, int mode)
{
	if (impossible_cpu(path)) {
		errno = ENOENT;
		return -1;
	}
	return faccessat(AT_FDCWD, path, mode, 0);
}
