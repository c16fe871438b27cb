/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser (see parse.h). Each layer is a small function taking the cursor (offset into
 * the frame) and returning the next layer to look at or a verdict; bounds are checked before
 * every read against the captured length.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "tcpw_common.h"

/* An Ethernet header's two addresses go to the packet in one copy (into the struct's
 * bytes, not through the one array dst_mac is). */
#define MACS_OFF offsetof(struct tcpw_pkt, dst_mac)
static_assert(offsetof(struct tcpw_pkt, src_mac) == MACS_OFF + 6,
	      "src_mac follows dst_mac, as in the frame");

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_ARP   0x0806
#define ETHERTYPE_VLAN  0x8100
#define ETHERTYPE_QINQ  0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_MPLS  0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_   1
#define IPPROTO_TCP_    6
#define IPPROTO_UDP_    17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_     51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_   132
#define IPPROTO_UDPLITE_ 136
#define IPPROTO_DCCP_   33

/* Parser cursor: the frame, its captured length, and where we are. */
struct cursor {
	const uint8_t *buf;
	uint32_t len;
	uint32_t off;
};

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool
has(const struct cursor *c, uint32_t n)
{
	return c->off <= c->len && c->len - c->off >= n;
}

static void
push_hdr(struct tcpw_pkt *pkt, enum tcpw_hdr code)
{
	struct tcpw_hdrs *h = &pkt->hdrs;

	if (h->depth < UINT8_MAX)
		h->depth++;
	if (h->n < TCPW_HDR_MAX)
		h->code[h->n++] = (uint8_t)code;
}

/* Ethernet pads short frames to 60 bytes: the IP length, when it is plausible, ends the
 * packet so padding is not taken for payload. */
static void
clamp_to_ip_length(struct cursor *c, uint32_t ip_len, uint32_t hdr_len)
{
	if (ip_len >= hdr_len && c->len - c->off > ip_len)
		c->len = c->off + ip_len;
}

static enum tcpw_verdict
parse_l4(struct cursor *c, struct tcpw_pkt *pkt)
{
	const uint8_t *p = c->buf + c->off;
	uint32_t hlen;

	switch (pkt->l4_proto) {
	case IPPROTO_TCP_:
		push_hdr(pkt, TCPW_HDR_TCP);
		/* ports (4) make the flow; seq/ack (8), offset, flags and window (4) feed
		 * tcpWinTMT and are often cut by a short snap length: the packet still counts */
		if (!has(c, 4))
			return TCPW_PKT_TRUNCATED;
		if (has(c, 16)) {
			pkt->has_tcp_win = 1;
			pkt->tcp_flags = p[13];
			pkt->tcp_win = rd16(p + 14);
		}
		hlen = pkt->has_tcp_win ? (uint32_t)(p[12] >> 4) * 4 : 20;
		if (hlen < 20)
			hlen = 20;
		break;
	case IPPROTO_UDP_:
	case IPPROTO_UDPLITE_:
		push_hdr(pkt, TCPW_HDR_UDP);
		if (!has(c, 8))
			return TCPW_PKT_TRUNCATED;
		hlen = 8;
		break;
	case IPPROTO_SCTP_:
	case IPPROTO_DCCP_:
		push_hdr(pkt, pkt->l4_proto == IPPROTO_SCTP_ ? TCPW_HDR_SCTP : TCPW_HDR_OTHER);
		if (!has(c, 4))
			return TCPW_PKT_TRUNCATED;
		hlen = pkt->l4_proto == IPPROTO_SCTP_ ? 12 : 4;
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		push_hdr(pkt, pkt->l4_proto == IPPROTO_ICMP_ ? TCPW_HDR_ICMP : TCPW_HDR_ICMPV6);
		pkt->has_l4 = 1;
		hlen = 4;
		goto payload;
	default:
		push_hdr(pkt, TCPW_HDR_OTHER);
		pkt->has_l4 = 1;
		hlen = 0;
		goto payload;
	}
	pkt->src_port = rd16(p);
	pkt->dst_port = rd16(p + 2);
	pkt->has_l4 = 1;
payload:
	if (has(c, hlen)) {
		pkt->l7_off = c->off + hlen;
		pkt->l7_len = c->len - pkt->l7_off;
	}
	return TCPW_PKT_FLOW;
}

static enum tcpw_verdict
parse_ipv4(struct cursor *c, struct tcpw_pkt *pkt)
{
	const uint8_t *p = c->buf + c->off;
	uint32_t ihl;
	uint16_t frag;

	push_hdr(pkt, TCPW_HDR_IPV4);
	pkt->eth_type = ETHERTYPE_IPV4;
	if (!has(c, 20))
		return TCPW_PKT_TRUNCATED;
	if (p[0] >> 4 != 4)
		return TCPW_PKT_MALFORMED;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < 20)
		return TCPW_PKT_MALFORMED;
	if (!has(c, ihl))
		return TCPW_PKT_TRUNCATED;
	pkt->ip_ver = 4;
	clamp_to_ip_length(c, rd16(p + 2), ihl);
	memcpy(pkt->src_ip, p + 12, 4);
	memcpy(pkt->dst_ip, p + 16, 4);
	pkt->l4_proto = p[9];
	frag = rd16(p + 6);
	pkt->more_frags = (frag & 0x2000) != 0;
	if (pkt->more_frags || (frag & 0x1fff) != 0) {
		pkt->is_frag = 1;
		pkt->is_first_frag = (frag & 0x1fff) == 0;
		pkt->frag_id = rd16(p + 4);
	}
	c->off += ihl;
	if (pkt->is_frag && !pkt->is_first_frag)
		return TCPW_PKT_FRAG;
	return parse_l4(c, pkt);
}

static enum tcpw_verdict
parse_ipv6(struct cursor *c, struct tcpw_pkt *pkt)
{
	const uint8_t *p = c->buf + c->off;
	uint8_t nh;

	push_hdr(pkt, TCPW_HDR_IPV6);
	pkt->eth_type = ETHERTYPE_IPV6;
	if (!has(c, 40))
		return TCPW_PKT_TRUNCATED;
	if (p[0] >> 4 != 6)
		return TCPW_PKT_MALFORMED;
	pkt->ip_ver = 6;
	if (rd16(p + 4) != 0) /* 0: jumbogram, the length is in a hop-by-hop option */
		clamp_to_ip_length(c, (uint32_t)rd16(p + 4) + 40, 40);
	memcpy(pkt->src_ip, p + 8, 16);
	memcpy(pkt->dst_ip, p + 24, 16);
	nh = p[6];
	c->off += 40;
	/* Extension headers; bounded because every one advances the cursor by >= 8 bytes. */
	for (;;) {
		uint32_t elen;

		p = c->buf + c->off;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			push_hdr(pkt, nh == IPPROTO_HOPOPTS_ ? TCPW_HDR_IPV6_HOPOPTS :
				 nh == IPPROTO_ROUTING_ ? TCPW_HDR_IPV6_ROUTING :
				 TCPW_HDR_IPV6_DSTOPTS);
			if (!has(c, 8))
				return TCPW_PKT_TRUNCATED;
			elen = ((uint32_t)p[1] + 1) * 8;
			break;
		case IPPROTO_AH_:
			push_hdr(pkt, TCPW_HDR_AH);
			if (!has(c, 8))
				return TCPW_PKT_TRUNCATED;
			elen = ((uint32_t)p[1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			push_hdr(pkt, TCPW_HDR_IPV6_FRAG);
			if (!has(c, 8))
				return TCPW_PKT_TRUNCATED;
			pkt->is_frag = 1;
			pkt->is_first_frag = (rd16(p + 2) & 0xfff8) == 0;
			pkt->more_frags = p[3] & 1;
			pkt->frag_id = rd32(p + 4);
			elen = 8;
			break;
		default:
			pkt->l4_proto = nh;
			if (pkt->is_frag && !pkt->is_first_frag)
				return TCPW_PKT_FRAG;
			return parse_l4(c, pkt);
		}
		if (!has(c, elen))
			return TCPW_PKT_TRUNCATED;
		nh = p[0];
		c->off += elen;
		if (pkt->is_frag && !pkt->is_first_frag) {
			pkt->l4_proto = nh;
			return TCPW_PKT_FRAG;
		}
	}
}

/* IP by version nibble, for MPLS payloads, raw IP and BSD loopback. */
static enum tcpw_verdict
parse_ip_any(struct cursor *c, struct tcpw_pkt *pkt)
{
	if (!has(c, 1))
		return TCPW_PKT_TRUNCATED;
	switch (c->buf[c->off] >> 4) {
	case 4:
		return parse_ipv4(c, pkt);
	case 6:
		return parse_ipv6(c, pkt);
	default:
		push_hdr(pkt, TCPW_HDR_OTHER);
		return TCPW_PKT_NON_IP;
	}
}

static enum tcpw_verdict
parse_ppp_proto(struct cursor *c, struct tcpw_pkt *pkt, uint16_t proto)
{
	switch (proto) {
	case 0x0021:
		return parse_ipv4(c, pkt);
	case 0x0057:
		return parse_ipv6(c, pkt);
	default:
		push_hdr(pkt, TCPW_HDR_OTHER);
		return TCPW_PKT_NON_IP;
	}
}

static enum tcpw_verdict
parse_mpls(struct cursor *c, struct tcpw_pkt *pkt)
{
	for (;;) {
		push_hdr(pkt, TCPW_HDR_MPLS);
		if (!has(c, 4))
			return TCPW_PKT_TRUNCATED;
		c->off += 4;
		if (c->buf[c->off - 2] & 1) /* bottom of stack */
			return parse_ip_any(c, pkt);
	}
}

/* Everything after an EtherType: tags, MPLS, PPPoE, IP. */
static enum tcpw_verdict
parse_ethertype(struct cursor *c, struct tcpw_pkt *pkt, uint16_t type)
{
	for (;;) {
		pkt->eth_type = type;
		switch (type) {
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			push_hdr(pkt, TCPW_HDR_VLAN);
			if (!has(c, 4))
				return TCPW_PKT_TRUNCATED;
			pkt->vlan_id = rd16(c->buf + c->off) & 0x0fff;
			if (pkt->nvlan < TCPW_VLAN_MAX)
				pkt->vlans[pkt->nvlan] = pkt->vlan_id;
			if (pkt->nvlan < UINT8_MAX)
				pkt->nvlan++;
			type = rd16(c->buf + c->off + 2);
			c->off += 4;
			continue;
		case ETHERTYPE_IPV4:
			return parse_ipv4(c, pkt);
		case ETHERTYPE_IPV6:
			return parse_ipv6(c, pkt);
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			return parse_mpls(c, pkt);
		case ETHERTYPE_PPPOE:
			push_hdr(pkt, TCPW_HDR_PPPOE);
			/* ver/type, code, session (2), length (2), PPP protocol (2) */
			if (!has(c, 8))
				return TCPW_PKT_TRUNCATED;
			type = rd16(c->buf + c->off + 6);
			c->off += 8;
			push_hdr(pkt, TCPW_HDR_PPP);
			return parse_ppp_proto(c, pkt, type);
		case ETHERTYPE_ARP:
			push_hdr(pkt, TCPW_HDR_ARP);
			return TCPW_PKT_NON_IP;
		default:
			push_hdr(pkt, TCPW_HDR_OTHER);
			return TCPW_PKT_NON_IP;
		}
	}
}

static enum tcpw_verdict
parse_eth(struct cursor *c, struct tcpw_pkt *pkt)
{
	push_hdr(pkt, TCPW_HDR_ETH);
	if (!has(c, 14))
		return TCPW_PKT_TRUNCATED;
	memcpy((uint8_t *)pkt + MACS_OFF, c->buf, 12);
	pkt->has_mac = 1;
	c->off = 14;
	return parse_ethertype(c, pkt, rd16(c->buf + 12));
}

/* BSD loopback: a 4-byte address family in the capturing host's byte order (network order
 * for DLT_LOOP). IPv6's value differs between systems: 10 Linux, 24 Net/OpenBSD, 28 FreeBSD,
 * 30 macOS. Any other family is not IP, whatever the bytes after it look like. */
static bool
is_af(uint32_t le, uint32_t be, uint32_t af)
{
	return le == af || be == af;
}

static enum tcpw_verdict
parse_null(struct cursor *c, struct tcpw_pkt *pkt)
{
	uint32_t le, be;

	push_hdr(pkt, TCPW_HDR_NULL);
	if (!has(c, 4))
		return TCPW_PKT_TRUNCATED;
	be = rd32(c->buf);
	le = (uint32_t)c->buf[3] << 24 | (uint32_t)c->buf[2] << 16 | (uint32_t)c->buf[1] << 8 |
	     c->buf[0];
	c->off = 4;
	if (is_af(le, be, 2))
		return parse_ipv4(c, pkt);
	if (is_af(le, be, 10) || is_af(le, be, 24) || is_af(le, be, 28) || is_af(le, be, 30))
		return parse_ipv6(c, pkt);
	push_hdr(pkt, TCPW_HDR_OTHER);
	return TCPW_PKT_NON_IP;
}

static enum tcpw_verdict
parse_sll(struct cursor *c, struct tcpw_pkt *pkt, bool v2)
{
	push_hdr(pkt, v2 ? TCPW_HDR_SLL2 : TCPW_HDR_SLL);
	/* SLL: protocol at 14, header 16 bytes; SLL2: protocol at 0, header 20 bytes. */
	if (!has(c, v2 ? 20 : 16))
		return TCPW_PKT_TRUNCATED;
	c->off = v2 ? 20 : 16;
	return parse_ethertype(c, pkt, rd16(c->buf + (v2 ? 0 : 14)));
}

static enum tcpw_verdict
parse_ppp(struct cursor *c, struct tcpw_pkt *pkt)
{
	push_hdr(pkt, TCPW_HDR_PPP);
	if (!has(c, 2))
		return TCPW_PKT_TRUNCATED;
	/* Optional HDLC address/control bytes 0xff 0x03. */
	if (c->buf[0] == 0xff && c->buf[1] == 0x03) {
		c->off = 2;
		if (!has(c, 2))
			return TCPW_PKT_TRUNCATED;
	}
	c->off += 2;
	return parse_ppp_proto(c, pkt, rd16(c->buf + c->off - 2));
}

/* One 8-byte word of each address into the hash: XOR and sum do not depend on which one
 * is the source. */
static inline uint64_t
sym_mix(uint64_t h, uint64_t a, uint64_t b)
{
	h = (h ^ (a ^ b) ^ ((a + b) << 1)) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}

uint32_t
tcpw_pkt_sym_hash(const struct tcpw_pkt *pkt)
{
	uint64_t h = pkt->vlan_id;

	if (pkt->ip_ver == 0)
		return 0;
	for (unsigned int i = 0; i < 16; i += 8) {
		uint64_t a, b;

		memcpy(&a, pkt->src_ip + i, 8);
		memcpy(&b, pkt->dst_ip + i, 8);
		h = sym_mix(h, a, b);
	}
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t
tcpw_frame_sym_hash(const uint8_t *buf, uint32_t caplen, int linktype)
{
	struct tcpw_pkt pkt;

	/* untagged Ethernet, IPv4 with its header captured: parse_ipv4() takes the addresses
	 * from it, whatever follows (anything short of that is parsed in full) */
	if (linktype == TCPW_DLT_EN10MB && caplen >= 14 + 20 &&
	    rd16(buf + 12) == ETHERTYPE_IPV4 && buf[14] >> 4 == 4 && (buf[14] & 0x0f) >= 5 &&
	    caplen - 14 >= (uint32_t)(buf[14] & 0x0f) * 4) {
		uint32_t a, b;

		memcpy(&a, buf + 14 + 12, 4); /* as the low bytes of src_ip's first word */
		memcpy(&b, buf + 14 + 16, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		uint64_t h = sym_mix(sym_mix(0, a, b), 0, 0);
#else
		uint64_t h = sym_mix(sym_mix(0, (uint64_t)a << 32, (uint64_t)b << 32), 0, 0);
#endif

		return (uint32_t)(h ^ (h >> 32));
	}
	tcpw_parse(buf, caplen, linktype, &pkt);
	return tcpw_pkt_sym_hash(&pkt);
}

bool
tcpw_parse_linktype_supported(int linktype)
{
	switch (linktype) {
	case TCPW_DLT_NULL:
	case TCPW_DLT_LOOP:
	case TCPW_DLT_EN10MB:
	case TCPW_DLT_PPP:
	case TCPW_DLT_PPP_SERIAL:
	case TCPW_DLT_RAW:
	case TCPW_DLT_RAW_BSD:
	case TCPW_DLT_LINKTYPE_RAW:
	case TCPW_DLT_IPV4:
	case TCPW_DLT_IPV6:
	case TCPW_DLT_LINUX_SLL:
	case TCPW_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/* The common case in one pass: Ethernet, no tag, IPv4 without options and not a fragment,
 * TCP with its window or UDP, all captured. Sets what the layered parser sets for such a
 * frame (unit.parse and the parse fuzzer check that both agree); false: not this case,
 * nothing written. */
static inline bool
parse_eth_ipv4_fast(const uint8_t *buf, uint32_t caplen, struct tcpw_pkt *pkt)
{
	const uint8_t *ip = buf + 14, *l4 = buf + 34;
	uint32_t len = caplen, ip_len, hlen;
	uint8_t proto;

	if (caplen < 14 + 20 + 20 || rd16(buf + 12) != ETHERTYPE_IPV4 || ip[0] != 0x45 ||
	    (rd16(ip + 6) & 0x3fff) != 0)
		return false;
	proto = ip[9];
	if (proto == IPPROTO_TCP_)
		hlen = l4[12] >> 4 < 5 ? 20 : (uint32_t)(l4[12] >> 4) * 4;
	else if (proto == IPPROTO_UDP_)
		hlen = 8;
	else
		return false;
	ip_len = rd16(ip + 2);
	if (ip_len >= 20 && caplen - 14 > ip_len) /* clamp_to_ip_length() */
		len = 14 + ip_len;
	if (len - 34 < (proto == IPPROTO_TCP_ ? 16 : 8))
		return false; /* the TCP window or UDP header cut by the IP length */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* the key fields (the first 40 bytes) as the five 8-byte words the engine's
		 * hash loads next: a load spanning a 4-byte store and a memset store cannot be
		 * forwarded from them and waits until both reach the cache (the engine's
		 * 16-byte compares come a burst later, when the stores are long in the cache) */
		uint64_t w[5] = {
			0, 0, 0, 0,
			rd16(l4) | (uint64_t)rd16(l4 + 2) << 16 | (uint64_t)proto << 32 |
				(uint64_t)4 << 40,
		};
		uint32_t a;

		static_assert(offsetof(struct tcpw_pkt, dst_ip) == 16 &&
			      offsetof(struct tcpw_pkt, src_port) == 32 &&
			      offsetof(struct tcpw_pkt, l4_proto) == 36 &&
			      offsetof(struct tcpw_pkt, ip_ver) == 37 &&
			      offsetof(struct tcpw_pkt, vlan_id) == 38, "key words of a packet");
		memcpy(&a, ip + 12, 4);
		w[0] = a;
		memcpy(&a, ip + 16, 4);
		w[2] = a;
#pragma GCC unroll 5
		for (unsigned int i = 0; i < 5; i++)
			memcpy((uint8_t *)pkt + 8 * i, &w[i], 8);
		memset((uint8_t *)pkt + 40, 0, sizeof(*pkt) - 40);
	}
#else
	memset(pkt, 0, sizeof(*pkt));
	pkt->ip_ver = 4;
	memcpy(pkt->src_ip, ip + 12, 4);
	memcpy(pkt->dst_ip, ip + 16, 4);
	pkt->l4_proto = proto;
	pkt->src_port = rd16(l4);
	pkt->dst_port = rd16(l4 + 2);
#endif
	memcpy((uint8_t *)pkt + MACS_OFF, buf, 12);
	pkt->has_mac = 1;
	pkt->eth_type = ETHERTYPE_IPV4;
	pkt->has_l4 = 1;
	if (proto == IPPROTO_TCP_) {
		pkt->has_tcp_win = 1;
		pkt->tcp_flags = l4[13];
		pkt->tcp_win = rd16(l4 + 14);
	}
	if (len - 34 >= hlen) {
		pkt->l7_off = 34 + hlen;
		pkt->l7_len = len - pkt->l7_off;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* codes 0-7 and 8-14 + n as the two words the engine's shape compare loads */
		uint64_t w[2] = {
			TCPW_HDR_ETH | TCPW_HDR_IPV4 << 8 |
				(proto == IPPROTO_TCP_ ? TCPW_HDR_TCP : TCPW_HDR_UDP) << 16,
			(uint64_t)3 << 56,
		};

		static_assert(offsetof(struct tcpw_hdrs, n) == 15, "hdrs words");
		memcpy(pkt->hdrs.code, w, 16);
		pkt->hdrs.depth = 3;
	}
#else
	pkt->hdrs.code[0] = TCPW_HDR_ETH;
	pkt->hdrs.code[1] = TCPW_HDR_IPV4;
	pkt->hdrs.code[2] = proto == IPPROTO_TCP_ ? TCPW_HDR_TCP : TCPW_HDR_UDP;
	pkt->hdrs.n = pkt->hdrs.depth = 3;
#endif
	pkt->shape_hint = proto == IPPROTO_TCP_ ? TCPW_SHAPE_ETH_IPV4_TCP : TCPW_SHAPE_ETH_IPV4_UDP;
	return true;
}

enum tcpw_verdict
tcpw_parse(const uint8_t *buf, uint32_t caplen, int linktype, struct tcpw_pkt *pkt)
{
	if (linktype == TCPW_DLT_EN10MB && parse_eth_ipv4_fast(buf, caplen, pkt))
		return TCPW_PKT_FLOW;
	return tcpw_parse_layered(buf, caplen, linktype, pkt);
}

static uint8_t
shape_hint(const struct tcpw_pkt *pkt)
{
	const struct tcpw_hdrs *h = &pkt->hdrs;

	if (pkt->nvlan != 0 || h->n != 3 || h->depth != 3 || h->code[0] != TCPW_HDR_ETH ||
	    h->code[1] != TCPW_HDR_IPV4)
		return TCPW_SHAPE_OTHER;
	return h->code[2] == TCPW_HDR_TCP ? TCPW_SHAPE_ETH_IPV4_TCP :
	       h->code[2] == TCPW_HDR_UDP ? TCPW_SHAPE_ETH_IPV4_UDP : TCPW_SHAPE_OTHER;
}

static enum tcpw_verdict
parse_link(struct cursor *c, int linktype, struct tcpw_pkt *pkt)
{
	switch (linktype) {
	case TCPW_DLT_EN10MB:
		return parse_eth(c, pkt);
	case TCPW_DLT_NULL:
	case TCPW_DLT_LOOP:
		return parse_null(c, pkt);
	case TCPW_DLT_RAW:
	case TCPW_DLT_RAW_BSD:
	case TCPW_DLT_LINKTYPE_RAW:
		push_hdr(pkt, TCPW_HDR_RAW);
		return parse_ip_any(c, pkt);
	case TCPW_DLT_IPV4:
		push_hdr(pkt, TCPW_HDR_RAW);
		return parse_ipv4(c, pkt);
	case TCPW_DLT_IPV6:
		push_hdr(pkt, TCPW_HDR_RAW);
		return parse_ipv6(c, pkt);
	case TCPW_DLT_LINUX_SLL:
		return parse_sll(c, pkt, false);
	case TCPW_DLT_LINUX_SLL2:
		return parse_sll(c, pkt, true);
	case TCPW_DLT_PPP:
	case TCPW_DLT_PPP_SERIAL:
		return parse_ppp(c, pkt);
	default:
		return TCPW_PKT_LINKTYPE;
	}
}

enum tcpw_verdict
tcpw_parse_layered(const uint8_t *buf, uint32_t caplen, int linktype, struct tcpw_pkt *pkt)
{
	struct cursor c = { .buf = buf, .len = caplen, .off = 0 };
	enum tcpw_verdict v;

	memset(pkt, 0, sizeof(*pkt));
	v = parse_link(&c, linktype, pkt);
	pkt->shape_hint = shape_hint(pkt);
	return v;
}

const char *
tcpw_verdict_name(enum tcpw_verdict v)
{
	static const char *const names[TCPW_VERDICT_MAX] = {
		[TCPW_PKT_FLOW] = "flow",
		[TCPW_PKT_FRAG] = "fragment",
		[TCPW_PKT_NON_IP] = "not_ip",
		[TCPW_PKT_TRUNCATED] = "truncated",
		[TCPW_PKT_MALFORMED] = "malformed",
		[TCPW_PKT_LINKTYPE] = "unsupported_linktype",
	};

	return (unsigned int)v < TCPW_VERDICT_MAX ? names[v] : "?";
}

static const char *const hdr_names[TCPW_HDR_CODE_MAX] = {
	[TCPW_HDR_ETH] = "eth", [TCPW_HDR_VLAN] = "vlan", [TCPW_HDR_MPLS] = "mpls",
	[TCPW_HDR_PPPOE] = "pppoes", [TCPW_HDR_PPP] = "ppp", [TCPW_HDR_SLL] = "sll",
	[TCPW_HDR_SLL2] = "sll2", [TCPW_HDR_NULL] = "null", [TCPW_HDR_RAW] = "raw",
	[TCPW_HDR_IPV4] = "ipv4", [TCPW_HDR_IPV6] = "ipv6",
	[TCPW_HDR_IPV6_HOPOPTS] = "ipv6.hopopts", [TCPW_HDR_IPV6_ROUTING] = "ipv6.routing",
	[TCPW_HDR_IPV6_FRAG] = "ipv6.fraghdr", [TCPW_HDR_IPV6_DSTOPTS] = "ipv6.dstopts",
	[TCPW_HDR_AH] = "ah", [TCPW_HDR_TCP] = "tcp", [TCPW_HDR_UDP] = "udp",
	[TCPW_HDR_ICMP] = "icmp", [TCPW_HDR_ICMPV6] = "icmpv6", [TCPW_HDR_SCTP] = "sctp",
	[TCPW_HDR_ARP] = "arp", [TCPW_HDR_OTHER] = "unk",
};

int
tcpw_hdrs_format(const struct tcpw_hdrs *h, char *out, unsigned int len)
{
	unsigned int pos = 0;

	/* without snprintf: each flow line has a stack or two */
	if (len == 0)
		return -ENOSPC;
	for (unsigned int i = 0; i < h->n; ) {
		unsigned int run = 1;
		uint8_t code = h->code[i];
		const char *name = code < TCPW_HDR_CODE_MAX && hdr_names[code] != NULL ?
			hdr_names[code] : "unk";
		size_t n = strlen(name);
		char num[8];
		unsigned int nd = 0;

		/* Tranalyzer counts a run of VLAN tags or MPLS labels ("vlan{2}") and lists any
		 * other header as often as it comes ("ipv6.fraghdr:ipv6.fraghdr") */
		while ((code == TCPW_HDR_VLAN || code == TCPW_HDR_MPLS) && i + run < h->n &&
		       h->code[i + run] == code)
			run++;
		for (unsigned int v = run; run > 1 && v > 0; v /= 10) /* "{run}" reversed */
			num[nd++] = (char)('0' + v % 10);
		/* ":" + name + "{" + digits + "}" + the final '\0' must fit */
		if ((i ? 1 : 0) + n + (nd ? nd + 2 : 0) + 1 > len - pos) {
			out[0] = '\0'; /* nothing cut: an empty string */
			return -ENOSPC;
		}
		if (i)
			out[pos++] = ':';
		memcpy(out + pos, name, n);
		pos += (unsigned int)n;
		if (nd) {
			out[pos++] = '{';
			while (nd > 0)
				out[pos++] = num[--nd];
			out[pos++] = '}';
		}
		i += run;
	}
	out[pos] = '\0';
	return (int)pos;
}
