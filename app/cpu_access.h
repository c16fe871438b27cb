/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process's access() (cpu_access.c): answers EAL's questions about CPUs the kernel
 * cannot have without a path walk through sysfs. Exposed for unit.cpu_access.
 */
#ifndef TCPW_APP_CPU_ACCESS_H
#define TCPW_APP_CPU_ACCESS_H

#include <stdatomic.h>
#include <stdbool.h>

#define CPU_ACCESS_BITS 4096 /* CPUs above are always asked of the kernel */

/* The kernel's cpulist format ("0-1", "0,2-5,8"), one whole line ending in '\n', into
 * @bits (set bits are added); false unless it is that and names at least one CPU. */
bool cpu_access_parse(const char *s, unsigned char bits[CPU_ACCESS_BITS / 8]);

/* Calls answered without the kernel. */
extern atomic_ulong cpu_access_answered;

#endif
