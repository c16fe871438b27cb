/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap hooks of lib/ (tcpw_common.h) for the libFuzzer build, in place of lib/alloc.c.
 *
 * The flow tables come from the ASan heap too, not from 2 MiB-aligned huge-page mappings:
 * every table then has redzones, so an index one past its end is a report instead of a
 * silent read of the same mapping. Blocks of 1 KiB and more (the engine's tables; its
 * fragment table is 4096 x 64 bytes) are kept on free and handed out again, zeroed, for the
 * next block of the same size: ASan serves large blocks with mmap() and smaller ones from
 * fresh quarantined memory, and the page faults of a new engine per input held the engine
 * target to a few hundred exec/s. A recycled block keeps its redzones; only use-after-free
 * of a freed table goes unseen, which nothing but tcpw_engine_free() could do.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpw_common.h"

#define BIG_BYTES ((size_t)1 << 10)
#define SLOTS 16 /* big blocks one engine holds (at most 7) twice over, and to spare */

struct block {
	void *p;
	size_t size;
	int is_free;
};

static struct block blocks[SLOTS];

static void *
big_alloc(size_t size)
{
	struct block *spare = NULL;

	for (unsigned int i = 0; i < SLOTS; i++) {
		if (blocks[i].p != NULL && blocks[i].is_free && blocks[i].size == size) {
			blocks[i].is_free = 0;
			return memset(blocks[i].p, 0, size);
		}
		if (spare == NULL && (blocks[i].p == NULL || blocks[i].is_free))
			spare = &blocks[i];
	}
	if (spare == NULL)
		return calloc(1, size);
	free(spare->p);
	spare->p = calloc(1, size);
	spare->size = size;
	spare->is_free = spare->p == NULL;
	return spare->p;
}

void *
tcpw_zalloc(size_t size)
{
	return size >= BIG_BYTES ? big_alloc(size) : calloc(1, size);
}

void
tcpw_free(void *p)
{
	for (unsigned int i = 0; p != NULL && i < SLOTS; i++) {
		if (blocks[i].p == p) {
			blocks[i].is_free = 1;
			return;
		}
	}
	free(p);
}

void *
tcpw_zalloc_huge(size_t size, bool in_order)
{
	(void)in_order;
	return tcpw_zalloc(size);
}

void
tcpw_free_huge(void *p, size_t size)
{
	(void)size;
	tcpw_free(p);
}
