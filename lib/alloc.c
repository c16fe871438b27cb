/* SPDX-License-Identifier: BSD-3-Clause */
/* The single heap hook of lib/: plain calloc/free, replaceable in tests. */
#include <stdlib.h>

#include "tcpw_common.h"

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
