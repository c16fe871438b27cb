/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap hooks of lib/. tcpw_zalloc_huge() is for the flow tables (hundreds of MiB
 * touched at random): straight from mmap(), zeroed, 2 MiB aligned and marked for
 * transparent huge pages, which takes most page-table walks out of a random lookup, and
 * only the pages a table really uses become resident.
 *
 * Only a table's whole 2 MiB blocks are on huge pages, and a table used from its start
 * (@in_order: slots taken in order, as the pairs, their record data and the touch ring
 * are) keeps its first block on 4 KiB pages too. A huge page's first touch zeroes 2 MiB:
 * 0.2 ms, and up to 4 ms when the kernel has to compact memory for it or a VM's host backs
 * it afresh (about 18 ms of a 3.3M-packet offline run's 230, for 3 of them). A run with a
 * few thousand pairs, an index of 512 KiB, or the sentinel links after the last pair
 * would pay that for kilobytes; a table used that far is on huge pages all but its first
 * 2 MiB. The index, touched at random, is on huge pages from its start when it is 2 MiB
 * or more.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tcpw_common.h"

#define HUGE_BYTES ((size_t)2 << 20)

void *
tcpw_zalloc(size_t size)
{
	return calloc(1, size);
}

void
tcpw_free(void *p)
{
	free(p);
}

static size_t
huge_len(size_t size)
{
	return HUGE_BYTES + ((size + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1)); /* + align slack */
}

void *
tcpw_zalloc_huge(size_t size, bool in_order)
{
	size_t len = huge_len(size);
	uint8_t *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t start, end;
	uint8_t *p;

	if (map == MAP_FAILED)
		return NULL;
	/* give back the slack before and after the 2 MiB-aligned block */
	p = (uint8_t *)(((uintptr_t)map + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
	if (p > map)
		munmap(map, (size_t)(p - map));
	if (map + len > p + (len - HUGE_BYTES))
		munmap(p + (len - HUGE_BYTES), (size_t)(map + len - (p + (len - HUGE_BYTES))));
	start = in_order ? HUGE_BYTES : 0;
	end = size & ~(HUGE_BYTES - 1);
	if (end > start)
		madvise(p + start, end - start, MADV_HUGEPAGE);
	return p;
}

void
tcpw_free_huge(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, huge_len(size) - HUGE_BYTES);
}
