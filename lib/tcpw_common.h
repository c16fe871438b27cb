/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Project-wide helpers shared by every lib/ module: branch hints, array size, and the one
 * allocation hook through which lib/ takes heap memory (so unit tests can track leaks).
 */
#ifndef TCPW_COMMON_H
#define TCPW_COMMON_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCPW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define TCPW_CACHE_LINE 64

/* Inlined whatever the compiler's size estimate: the packet path is one function per burst
 * (and GCC 12 drops a call to a function whose only effect is __builtin_prefetch as pure). */
#define TCPW_ALWAYS_INLINE inline __attribute__((always_inline))

/** Allocate zeroed memory; all lib/ allocations go through these two. */
void *tcpw_zalloc(size_t size);
/** Free memory from tcpw_zalloc(); NULL is accepted. */
void tcpw_free(void *p);
/** Zeroed memory for a large table: 2 MiB aligned, transparent huge pages, lazily resident;
 * @p in_order: the table is used from its start, its first 2 MiB stay on 4 KiB pages. */
void *tcpw_zalloc_huge(size_t size, bool in_order);
/** Free memory from tcpw_zalloc_huge() of @p size bytes; NULL is accepted. */
void tcpw_free_huge(void *p, size_t size);

#endif /* TCPW_COMMON_H */
