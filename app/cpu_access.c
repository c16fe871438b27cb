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
 * CPU that is or may be hot-plugged present) has no such entry: for a valid mode and a path
 * shorter than PATH_MAX, those questions are answered ENOENT here, exactly as the kernel
 * would. Every other call goes to the kernel through the system call glibc's access() makes,
 * and so does everything if "possible" cannot be read. Calls made inside libc do not come
 * here; calls from DPDK and the other libraries do (the executable's access() comes first
 * in symbol lookup).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu_access.h"

atomic_ulong cpu_access_answered;

static unsigned char possible[CPU_ACCESS_BITS / 8];
static bool possible_ok; /* read: else every question goes to the kernel */
static pthread_once_t possible_once = PTHREAD_ONCE_INIT;

bool
cpu_access_parse(const char *s, unsigned char bits[CPU_ACCESS_BITS / 8])
{
	bool any = false;

	while (*s != '\n') {
		char *end;
		unsigned long a, b;

		if (*s < '0' || *s > '9')
			return false;
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return false;
			b = strtoul(s, &end, 10);
			if (b < a)
				return false;
		}
		for (unsigned long c = a; c <= b && c < CPU_ACCESS_BITS; c++)
			bits[c / 8] |= (unsigned char)(1u << (c % 8));
		any = true;
		if (*end != ',' && *end != '\n')
			return false; /* another character, or the line cut short */
		s = end;
		if (*s == ',' && *++s == '\n')
			return false;
	}
	return any;
}

static void
possible_read(void)
{
	char buf[8192];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");

	possible_ok = f != NULL && fgets(buf, sizeof(buf), f) != NULL &&
		      cpu_access_parse(buf, possible);
	if (f != NULL)
		fclose(f);
}

/* The CPU number C at @s, when "C" (no leading zero) ends where @tail, the rest of the
 * path, begins. */
static bool
cpu_number(const char *s, const char *tail, unsigned long *c)
{
	char *end;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
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

	if (strnlen(path, PATH_MAX) == PATH_MAX)
		return false; /* the kernel says ENAMETOOLONG */
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
	if (c >= CPU_ACCESS_BITS)
		return false;
	pthread_once(&possible_once, possible_read);
	return possible_ok && (possible[c / 8] & (1u << (c % 8))) == 0;
}

int
access(const char *path, int mode)
{
	const char *p = path;

	/* <unistd.h> declares @path non-null, so GCC would drop a plain NULL test: hide the
	 * pointer's origin (a NULL path goes to the kernel, which says EFAULT) */
	__asm__("" : "+r"(p));
	if (p != NULL && (mode & ~(R_OK | W_OK | X_OK)) == 0 && impossible_cpu(p)) {
		atomic_fetch_add_explicit(&cpu_access_answered, 1, memory_order_relaxed);
		errno = ENOENT;
		return -1;
	}
#ifdef SYS_access
	return (int)syscall(SYS_access, p, mode);
#else
	return (int)syscall(SYS_faccessat, AT_FDCWD, p, mode);
#endif
}
