/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/alloc.c's tables: tcpw_zalloc_huge() gives zeroed memory, 2 MiB aligned, with exactly
 * its whole 2 MiB blocks marked for transparent huge pages (but the first one of a table
 * used in order), as the kernel's own account of the mapping says (/proc/self/smaps,
 * VmFlags "hg"); tcpw_free_huge() gives all of it back (/proc/self/maps).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcpw_common.h"

#define MIB ((size_t)1 << 20)

struct vma {
	uintptr_t lo, hi;
	bool huge;             /* VmFlags has "hg" (MADV_HUGEPAGE) */
};

/* The mapping that holds @addr, from /proc/self/smaps; false if none does. */
static bool
vma_of(uintptr_t addr, struct vma *out)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) { /* a mapping's first line */
			if (found)
				break;
			in = addr >= lo && addr < hi;
			if (in) {
				found = true;
				out->lo = lo;
				out->hi = hi;
				out->huge = false;
			}
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			out->huge = strstr(line, " hg") != NULL;
		}
	}
	fclose(f);
	return found;
}

static bool
thp_kernel(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

/* Each 4 KiB page around the block edges: on huge pages iff in [start, end). */
static void
check_table(size_t size, bool in_order)
{
	uint8_t *p = tcpw_zalloc_huge(size, in_order);
	size_t start = in_order ? 2 * MIB : 0, end = size & ~(2 * MIB - 1);
	size_t probes[] = { 0, 2 * MIB - 4096, 2 * MIB, 4 * MIB, end - 4096, end, size - 1 };
	struct vma v;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (2 * MIB), 0);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		size_t off = probes[i], j;

		for (j = 0; j < i && probes[j] != off; j++)
			;
		if (off >= size || j < i) /* past the end, or probed already */
			continue;
		assert_int_equal(p[off], 0);
		p[off] = 1;
		assert_true(vma_of((uintptr_t)p + off, &v));
		if (thp_kernel() && v.huge != (off >= start && off < end)) {
			print_error("size %zu MiB + %zu, in_order %d: offset %zu is%s on huge pages\n",
				    size / MIB, size % MIB, in_order, off, v.huge ? "" : " not");
			fail();
		}
	}
	tcpw_free_huge(p, size);
	/* every page given back: nothing maps the table's first or last byte */
	assert_false(vma_of((uintptr_t)p, &v));
	assert_false(vma_of((uintptr_t)p + size - 1, &v));
}

static void
random_tables(void **state)
{
	(void)state;
	check_table(512 * 1024, false);   /* under one block: no huge page at all */
	check_table(2 * MIB, false);
	check_table(8 * MIB, false);
	check_table(8 * MIB + 640, false); /* the tail past the last whole block: small pages */
}

static void
in_order_tables(void **state)
{
	(void)state;
	check_table(512 * 1024, true);
	check_table(2 * MIB, true);        /* one block, the first: no huge page */
	check_table(8 * MIB + 640, true);  /* the flow pairs of 65536 and their links */
	check_table(64 * MIB, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_tables),
		cmocka_unit_test(in_order_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
