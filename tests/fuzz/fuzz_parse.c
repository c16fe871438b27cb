/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the packet parser alone. Input: u8 link type index (fuzz.h), then the
 * frame. The frame is parsed from an exact-size copy, so any read past caplen is an
 * AddressSanitizer report; the result must be deterministic, self-consistent and printable,
 * and the distribution hash must not depend on the direction.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"
#include "record.h"

static void
check_hash_symmetric(const struct tcpw_pkt *pkt)
{
	struct tcpw_pkt rev = *pkt;

	memcpy(rev.src_ip, pkt->dst_ip, 16);
	memcpy(rev.dst_ip, pkt->src_ip, 16);
	rev.src_port = pkt->dst_port;
	rev.dst_port = pkt->src_port;
	FUZZ_CHECK(tcpw_pkt_sym_hash(&rev) == tcpw_pkt_sym_hash(pkt));
	if (pkt->ip_ver == 0)
		FUZZ_CHECK(tcpw_pkt_sym_hash(pkt) == 0);
}

/* The header stack prints in 256 bytes (record.c's put_hdrs buffer), and a buffer too small
 * for it gives -ENOSPC without writing past its end. */
static void
check_hdrs(const struct tcpw_hdrs *h)
{
	char full[256];
	int n = tcpw_hdrs_format(h, full, sizeof(full));
	char *small;

	FUZZ_CHECK(h->n <= TCPW_HDR_MAX);
	FUZZ_CHECK(h->n == (h->depth < TCPW_HDR_MAX ? h->depth : TCPW_HDR_MAX));
	FUZZ_CHECK(n >= 0 && (size_t)n == strlen(full));
	FUZZ_CHECK((n > 0) == (h->n > 0));
	small = malloc((size_t)n);
	if (n > 0) {
		FUZZ_CHECK(small != NULL);
		FUZZ_CHECK(tcpw_hdrs_format(h, small, (unsigned int)n) == -ENOSPC);
	}
	free(small);
}

static void
check_pkt(enum tcpw_verdict v, const struct tcpw_pkt *pkt, uint32_t caplen, int linktype)
{
	static const uint8_t zero[12];
	char ip[64];

	FUZZ_CHECK(v < TCPW_VERDICT_MAX && tcpw_verdict_name(v) != NULL);
	FUZZ_CHECK((v == TCPW_PKT_LINKTYPE) == !tcpw_parse_linktype_supported(linktype));
	if (v == TCPW_PKT_FLOW || v == TCPW_PKT_FRAG) {
		FUZZ_CHECK(pkt->ip_ver == 4 || pkt->ip_ver == 6);
		/* the engine records no EtherType: it is the IP version's (ip_eth_type()) */
		FUZZ_CHECK(pkt->eth_type == (pkt->ip_ver == 4 ? 0x0800 : 0x86dd));
		if (pkt->ip_ver == 4)
			FUZZ_CHECK(memcmp(pkt->src_ip + 4, zero, 12) == 0 &&
				   memcmp(pkt->dst_ip + 4, zero, 12) == 0);
		FUZZ_CHECK((uint64_t)pkt->l7_off + pkt->l7_len <= caplen);
		FUZZ_CHECK(v == TCPW_PKT_FLOW || (pkt->is_frag && !pkt->is_first_frag));
		FUZZ_CHECK(!pkt->has_tcp_win || (pkt->l4_proto == 6 && pkt->has_l4));
		FUZZ_CHECK(pkt->has_l4 || (pkt->src_port == 0 && pkt->dst_port == 0));
		tcpw_ip_format(pkt->ip_ver, pkt->src_ip, ip, sizeof(ip));
		tcpw_ip_format(pkt->ip_ver, pkt->dst_ip, ip, sizeof(ip));
	}
	check_hash_symmetric(pkt);
	check_hdrs(&pkt->hdrs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { .p = data, .left = size };
	int linktype = fuzz_linktypes[fuzz_u8(&in) % FUZZ_NLINKTYPES];
	struct tcpw_pkt a, b;
	enum tcpw_verdict va, vb;
	uint32_t caplen;
	uint8_t *frame;

	if (in.is_short)
		return 0;
	frame = fuzz_take(&in, (uint32_t)(in.left < 65536 ? in.left : 65535), &caplen);
	va = tcpw_parse(frame, caplen, linktype, &a);
	vb = tcpw_parse_layered(frame, caplen, linktype, &b); /* the shortcut changes nothing */
	FUZZ_CHECK(va == vb && memcmp(&a, &b, sizeof(a)) == 0);
	/* the distributor's shortcut hash sends a flow's packets where their parse would */
	FUZZ_CHECK((va != TCPW_PKT_FLOW && va != TCPW_PKT_FRAG) ||
		   tcpw_frame_sym_hash(frame, caplen, linktype) == tcpw_pkt_sym_hash(&a));
	check_pkt(va, &a, caplen, linktype);
	free(frame);
	return 0;
}
