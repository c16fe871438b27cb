/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz targets share: the libFuzzer entry point (one per target), a bounded reader
 * over the input bytes, exact-size heap copies of frames (so AddressSanitizer sees a read
 * one byte past a frame, which a read inside the larger input buffer would hide) and the
 * link types a target picks from. The input format of each target is described in
 * doc/fuzzing.md; scripts/fuzz-seeds.py writes it.
 */
#ifndef TCPW_FUZZ_H
#define TCPW_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/** libFuzzer calls this once per input; tests/fuzz/replay.c does the same without it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** An invariant of the library did not hold: say which, then abort() so the fuzzer stops. */
#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* Every link type tcpw_parse() supports, then one it does not (147, DLT_USER0): that one
 * must give TCPW_PKT_LINKTYPE for every frame. Index = first input byte mod the count. */
static const int fuzz_linktypes[] = {
	TCPW_DLT_EN10MB, TCPW_DLT_NULL, TCPW_DLT_LOOP, TCPW_DLT_RAW, TCPW_DLT_RAW_BSD,
	TCPW_DLT_LINKTYPE_RAW, TCPW_DLT_IPV4, TCPW_DLT_IPV6, TCPW_DLT_LINUX_SLL,
	TCPW_DLT_LINUX_SLL2, TCPW_DLT_PPP, TCPW_DLT_PPP_SERIAL, 147,
};
#define FUZZ_NLINKTYPES (sizeof(fuzz_linktypes) / sizeof(fuzz_linktypes[0]))

/** Bounded little-endian reader: reads past the end give zeros and set @c is_short. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
	int is_short;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	if (in->left == 0) {
		in->is_short = 1;
		return 0;
	}
	in->left--;
	return *in->p++;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

/** Copy up to @p want bytes into a heap block of exactly that many (at least 1) bytes. */
static inline uint8_t *
fuzz_take(struct fuzz_in *in, uint32_t want, uint32_t *got)
{
	uint32_t n = want <= in->left ? want : (uint32_t)in->left;
	uint8_t *b = malloc(n > 0 ? n : 1);

	FUZZ_CHECK(b != NULL);
	memcpy(b, in->p, n);
	in->p += n;
	in->left -= n;
	*got = n;
	return b;
}

#endif /* TCPW_FUZZ_H */
