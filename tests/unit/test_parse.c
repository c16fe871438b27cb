/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/parse: frames are built byte by byte with the helpers below (one comment
 * per field), then parsed. Covered: every link type, VLAN/QinQ/MPLS/PPPoE stacks, IPv4
 * options and fragments, IPv6 extension headers and fragments, TCP/UDP/ICMP, truncation at
 * every length (each prefix copied into an exactly-sized heap buffer so ASan sees any
 * over-read), malformed headers, the hdrDesc text and the verdict names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "parse.h"
#include "tcpw_common.h"

/* ---------------------------------------------------------------------------------------- */
/* Frame builder                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* 512 bytes hold the largest test frame (eth + 16 VLAN tags + IPv4 + TCP + 5 = 123 bytes). */
#define FRAME_MAX 512

struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
};

static void
put8(struct frame *f, uint8_t v)
{
	assert_true(f->len < FRAME_MAX);
	f->b[f->len++] = v;
}

/* Network byte order. */
static void
put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void
put_bytes(struct frame *f, const void *p, uint32_t n)
{
	assert_true(f->len + n <= FRAME_MAX);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

/* Host order, for the BSD loopback address family. */
static void
put32_le(struct frame *f, uint32_t v)
{
	put8(f, (uint8_t)v);
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)(v >> 16));
	put8(f, (uint8_t)(v >> 24));
}

static const uint8_t MAC_DST[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_SRC[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
static const uint8_t IP4_SRC[4] = { 192, 168, 1, 104 };
static const uint8_t IP4_DST[4] = { 93, 184, 216, 34 };
/* 2001:db8::1 and 2001:db8:0:1::2 */
static const uint8_t IP6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t IP6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, [15] = 0x02 };

#define ETH_IPV4 0x0800
#define ETH_ARP  0x0806
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_IPV6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_PPPOE 0x8864

#define PROTO_HOPOPTS 0
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_FRAG 44
#define PROTO_DSTOPTS 60

/* Ethernet II: 14 bytes. */
static void
eth_hdr(struct frame *f, uint16_t type)
{
	put_bytes(f, MAC_DST, 6); /* destination MAC */
	put_bytes(f, MAC_SRC, 6); /* source MAC */
	put16(f, type);           /* EtherType */
}

/* 802.1Q tag body after a 0x8100/0x88a8 TPID: 4 bytes. */
static void
vlan_tag(struct frame *f, uint8_t pcp, uint16_t vid, uint16_t next_type)
{
	put16(f, (uint16_t)(pcp << 13 | 1 << 12 | vid)); /* PCP(3) DEI(1, set) VID(12) */
	put16(f, next_type);                              /* EtherType of what follows */
}

/* MPLS label stack entry: 4 bytes. */
static void
mpls_label(struct frame *f, uint32_t label, uint8_t bos)
{
	put32(f, label << 12 | 0u << 9 | (uint32_t)bos << 8 | 64); /* label TC S TTL */
}

/* PPPoE session header + PPP protocol: 8 bytes. */
static void
pppoe_hdr(struct frame *f, uint16_t session, uint16_t len, uint16_t ppp_proto)
{
	put8(f, 0x11);        /* version 1, type 1 */
	put8(f, 0x00);        /* code: session data */
	put16(f, session);    /* session ID */
	put16(f, len);        /* payload length (PPP protocol included) */
	put16(f, ppp_proto);  /* PPP protocol: 0x0021 IPv4, 0x0057 IPv6 */
}

struct ip4_spec {
	uint8_t version;      /* 0 means 4 */
	uint8_t ihl;          /* 32-bit words; 0 means 5 + options */
	uint16_t payload_len; /* bytes after the header, for total length */
	uint16_t id;
	uint8_t df, mf;
	uint16_t frag_off;    /* in 8-byte units */
	uint8_t proto;
	const uint8_t *opts;  /* options, a multiple of 4 bytes */
	uint8_t opts_len;
};

/* IPv4 header: 20 bytes + options. The checksum is left 0: the parser does not check it. */
static void
ipv4_hdr(struct frame *f, const struct ip4_spec *s)
{
	uint8_t ihl = s->ihl ? s->ihl : (uint8_t)(5 + s->opts_len / 4);
	uint8_t ver = s->version ? s->version : 4;

	put8(f, (uint8_t)(ver << 4 | ihl));                       /* version, IHL */
	put8(f, 0x00);                                            /* DSCP, ECN */
	put16(f, (uint16_t)(20 + s->opts_len + s->payload_len)); /* total length */
	put16(f, s->id);                                          /* identification */
	put16(f, (uint16_t)(s->df << 14 | s->mf << 13 | s->frag_off)); /* flags, offset */
	put8(f, 64);                                              /* TTL */
	put8(f, s->proto);                                        /* protocol */
	put16(f, 0x0000);                                         /* header checksum */
	put_bytes(f, IP4_SRC, 4);                                 /* source address */
	put_bytes(f, IP4_DST, 4);                                 /* destination address */
	if (s->opts_len)
		put_bytes(f, s->opts, s->opts_len);               /* options */
}

/* IPv6 fixed header: 40 bytes. */
static void
ipv6_hdr(struct frame *f, uint8_t next, uint16_t payload_len)
{
	put32(f, 6u << 28 | 0u << 20 | 0x12345); /* version, traffic class, flow label */
	put16(f, payload_len);                   /* payload length */
	put8(f, next);                           /* next header */
	put8(f, 64);                             /* hop limit */
	put_bytes(f, IP6_SRC, 16);               /* source address */
	put_bytes(f, IP6_DST, 16);               /* destination address */
}

/* Hop-by-hop or destination options header of (len8 + 1) * 8 bytes, PadN filled. */
static void
ipv6_opts(struct frame *f, uint8_t next, uint8_t len8)
{
	uint32_t pad = (uint32_t)(len8 + 1) * 8 - 4;

	put8(f, next);                  /* next header */
	put8(f, len8);                  /* extension length: 8-byte units after the first 8 */
	put8(f, 0x01);                  /* option type PadN */
	put8(f, (uint8_t)pad);          /* option data length */
	for (uint32_t i = 0; i < pad; i++)
		put8(f, 0x00);          /* PadN data */
}

/* IPv6 fragment header: 8 bytes. */
static void
ipv6_frag(struct frame *f, uint8_t next, uint16_t off8, uint8_t m, uint32_t id)
{
	put8(f, next);                              /* next header */
	put8(f, 0x00);                              /* reserved */
	put16(f, (uint16_t)(off8 << 3 | (m & 1)));  /* fragment offset(13), res(2), M(1) */
	put32(f, id);                               /* identification */
}

/* TCP header without options: 20 bytes. */
static void
tcp_hdr(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint16_t win)
{
	put16(f, sport);       /* source port */
	put16(f, dport);       /* destination port */
	put32(f, 0x01020304);  /* sequence number */
	put32(f, 0x0a0b0c0d);  /* acknowledgement number */
	put8(f, 5 << 4);       /* data offset 5 words, reserved */
	put8(f, flags);        /* flags */
	put16(f, win);         /* window */
	put16(f, 0x0000);      /* checksum (not checked) */
	put16(f, 0x0000);      /* urgent pointer */
}

/* UDP header: 8 bytes. */
static void
udp_hdr(struct frame *f, uint16_t sport, uint16_t dport, uint16_t payload_len)
{
	put16(f, sport);                        /* source port */
	put16(f, dport);                        /* destination port */
	put16(f, (uint16_t)(8 + payload_len));  /* length */
	put16(f, 0x0000);                       /* checksum */
}

/* ICMP echo request: 8 bytes. */
static void
icmp_echo(struct frame *f, uint16_t id, uint16_t seq)
{
	put8(f, 8);       /* type: echo request */
	put8(f, 0);       /* code */
	put16(f, 0x0000); /* checksum */
	put16(f, id);     /* identifier */
	put16(f, seq);    /* sequence number */
}

/* Ports, flags and window of the standard test TCP segment. */
#define SPORT 49152
#define DPORT 80
#define TFLAGS 0x18 /* PSH|ACK */
#define TWIN 0x1234

static const char PAYLOAD[] = "hello";
#define PAYLOAD_LEN 5

/* IPv4 + TCP + "hello" after whatever link layer @p f already holds. */
static void
ipv4_tcp(struct frame *f)
{
	struct ip4_spec ip = { .proto = PROTO_TCP, .payload_len = 20 + PAYLOAD_LEN, .id = 1 };

	ipv4_hdr(f, &ip);
	tcp_hdr(f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(f, PAYLOAD, PAYLOAD_LEN);
}

/* IPv6 + TCP + "hello". */
static void
ipv6_tcp(struct frame *f)
{
	ipv6_hdr(f, PROTO_TCP, 20 + PAYLOAD_LEN);
	tcp_hdr(f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(f, PAYLOAD, PAYLOAD_LEN);
}

/* ---------------------------------------------------------------------------------------- */
/* Parse helpers                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Parse the first @p len bytes of @p f from an exactly-sized heap copy (ASan bounds). */
static enum tcpw_verdict
parse_exact(const struct frame *f, uint32_t len, int linktype, struct tcpw_pkt *pkt)
{
	uint8_t *buf = malloc(len);
	enum tcpw_verdict v;

	if (len > 0)
		assert_non_null(buf);
	if (len > 0)
		memcpy(buf, f->b, len);
	v = tcpw_parse(buf, len, linktype, pkt);
	free(buf);
	return v;
}

static enum tcpw_verdict
parse_frame(const struct frame *f, int linktype, struct tcpw_pkt *pkt)
{
	return parse_exact(f, f->len, linktype, pkt);
}

#define assert_hdrs(pkt, want) \
	do { \
		char hb_[128]; \
		assert_true(tcpw_hdrs_format(&(pkt)->hdrs, hb_, sizeof(hb_)) >= 0); \
		assert_string_equal(hb_, (want)); \
	} while (0)

#define assert_verdict(got, want) \
	do { \
		enum tcpw_verdict g_ = (got), w_ = (want); \
		if (g_ != w_) \
			fail_msg("verdict %s, want %s", tcpw_verdict_name(g_), \
				 tcpw_verdict_name(w_)); \
	} while (0)

/* The standard TCP segment's fields, its IPv4 addresses, and the payload at @p l7_off. */
static void
assert_tcp4(const struct tcpw_pkt *p, uint32_t l7_off)
{
	static const uint8_t zero[12];

	assert_int_equal(p->ip_ver, 4);
	assert_memory_equal(p->src_ip, IP4_SRC, 4);
	assert_memory_equal(p->dst_ip, IP4_DST, 4);
	assert_memory_equal(p->src_ip + 4, zero, 12);
	assert_memory_equal(p->dst_ip + 4, zero, 12);
	assert_int_equal(p->l4_proto, PROTO_TCP);
	assert_int_equal(p->has_l4, 1);
	assert_int_equal(p->src_port, SPORT);
	assert_int_equal(p->dst_port, DPORT);
	assert_int_equal(p->tcp_flags, TFLAGS);
	assert_int_equal(p->tcp_win, TWIN);
	assert_int_equal(p->is_frag, 0);
	assert_int_equal(p->l7_off, l7_off);
	assert_int_equal(p->l7_len, PAYLOAD_LEN);
}

static void
assert_tcp6(const struct tcpw_pkt *p, uint32_t l7_off)
{
	assert_int_equal(p->ip_ver, 6);
	assert_memory_equal(p->src_ip, IP6_SRC, 16);
	assert_memory_equal(p->dst_ip, IP6_DST, 16);
	assert_int_equal(p->l4_proto, PROTO_TCP);
	assert_int_equal(p->has_l4, 1);
	assert_int_equal(p->src_port, SPORT);
	assert_int_equal(p->dst_port, DPORT);
	assert_int_equal(p->tcp_flags, TFLAGS);
	assert_int_equal(p->tcp_win, TWIN);
	assert_int_equal(p->l7_off, l7_off);
	assert_int_equal(p->l7_len, PAYLOAD_LEN);
}

/*
 * Every strict prefix of @p f parses without reading past it (ASan) and gets either
 * TRUNCATED or the full frame's verdict (a cut inside the payload or the TCP options).
 */
static void
assert_prefixes_safe(const struct frame *f, int linktype)
{
	struct tcpw_pkt pkt;
	enum tcpw_verdict full = parse_frame(f, linktype, &pkt);

	for (uint32_t len = 0; len < f->len; len++) {
		enum tcpw_verdict v = parse_exact(f, len, linktype, &pkt);

		if (v != TCPW_PKT_TRUNCATED && v != full)
			fail_msg("prefix %u of %u: verdict %s", len, f->len, tcpw_verdict_name(v));
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Ethernet, tags, label stacks                                                               */
/* ---------------------------------------------------------------------------------------- */

static void
test_eth_ipv4_tcp(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_tcp(&f);
	assert_int_equal(f.len, 14 + 20 + 20 + PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 20 + 20);
	assert_memory_equal(f.b + p.l7_off, PAYLOAD, PAYLOAD_LEN);
	assert_int_equal(p.has_mac, 1);
	assert_memory_equal(p.src_mac, MAC_SRC, 6);
	assert_memory_equal(p.dst_mac, MAC_DST, 6);
	assert_int_equal(p.eth_type, ETH_IPV4);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.vlan_id, 0);
	assert_int_equal(p.hdrs.depth, 3);
	assert_int_equal(p.hdrs.n, 3);
	assert_hdrs(&p, "eth:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* TCP options: data offset 8 words, payload starts after them. */
static void
test_tcp_options(void **state)
{
	static const uint8_t opts[12] = {
		0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
		0x01, 0x03, 0x03, 0x07, /* NOP, window scale 7 */
		0x04, 0x02, 0x00, 0x00, /* SACK permitted, EOL, pad */
	};
	struct frame f = { .len = 0 };
	struct ip4_spec ip = { .proto = PROTO_TCP, .payload_len = 32 + PAYLOAD_LEN };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	f.b[14 + 20 + 12] = 8 << 4; /* data offset: 8 words */
	put_bytes(&f, opts, sizeof(opts));
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 20 + 32);
	/* Cut inside the options: the segment still makes a flow, with no payload. */
	assert_verdict(parse_exact(&f, 14 + 20 + 24, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_int_equal(p.tcp_win, TWIN);
	assert_int_equal(p.l7_len, 0);
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_vlan_8021q(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_VLAN);
	vlan_tag(&f, 5, 100, ETH_IPV4); /* PCP and DEI must not leak into the VID */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 4 + 20 + 20);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlans[0], 100);
	assert_int_equal(p.vlan_id, 100);
	assert_int_equal(p.eth_type, ETH_IPV4);
	assert_int_equal(p.hdrs.depth, 4);
	assert_hdrs(&p, "eth:vlan:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_vlan_qinq(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_QINQ);                /* 802.1ad service tag */
	vlan_tag(&f, 0, 10, ETH_VLAN);        /* outer VID 10 */
	vlan_tag(&f, 3, 4094, ETH_IPV4);      /* inner VID 4094 */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 8 + 20 + 20);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlans[0], 10);
	assert_int_equal(p.vlans[1], 4094);
	assert_int_equal(p.vlan_id, 4094); /* innermost is the key's VLAN */
	assert_int_equal(p.hdrs.depth, 5);
	assert_hdrs(&p, "eth:vlan{2}:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* More tags than kept: the first TCPW_VLAN_MAX are stored, the count and key go on. */
static void
test_vlan_deep_stack(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;
	char buf[64];

	(void)state;
	eth_hdr(&f, ETH_VLAN);
	for (uint16_t i = 1; i <= 16; i++)
		vlan_tag(&f, 0, i, i < 16 ? ETH_VLAN : ETH_IPV4);
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 16 * 4 + 20 + 20);
	assert_int_equal(p.nvlan, 16);
	assert_int_equal(p.vlans[0], 1);
	assert_int_equal(p.vlans[1], 2);
	assert_int_equal(p.vlans[2], 3);
	assert_int_equal(p.vlan_id, 16);
	assert_int_equal(p.hdrs.depth, 19);
	assert_int_equal(p.hdrs.n, TCPW_HDR_MAX);
	assert_int_equal(tcpw_hdrs_format(&p.hdrs, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "eth:vlan{14}");
	/* 12 characters and the '\0' fit in 13 bytes, not in 12 (nor in 5: no cut text) */
	assert_int_equal(tcpw_hdrs_format(&p.hdrs, buf, 13), 12);
	assert_string_equal(buf, "eth:vlan{14}");
	assert_int_equal(tcpw_hdrs_format(&p.hdrs, buf, 12), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(tcpw_hdrs_format(&p.hdrs, buf, 5), -ENOSPC);
	assert_string_equal(buf, "");
}

static void
test_mpls(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_MPLS);
	mpls_label(&f, 16001, 0); /* top label */
	mpls_label(&f, 24, 1);    /* bottom of stack */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 8 + 20 + 20);
	assert_int_equal(p.eth_type, ETH_IPV4);
	assert_int_equal(p.hdrs.depth, 5);
	assert_hdrs(&p, "eth:mpls{2}:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);

	/* IPv6 below a single label, found by the version nibble. */
	f.len = 0;
	eth_hdr(&f, ETH_MPLS);
	mpls_label(&f, 3, 1);
	ipv6_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 14 + 4 + 40 + 20);
	assert_hdrs(&p, "eth:mpls:ipv6:tcp");
}

static void
test_pppoe(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_PPPOE);
	pppoe_hdr(&f, 0x1234, 2 + 20 + 20 + PAYLOAD_LEN, 0x0021);
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 8 + 20 + 20);
	assert_int_equal(p.eth_type, ETH_IPV4);
	assert_int_equal(p.hdrs.depth, 5);
	assert_hdrs(&p, "eth:pppoes:ppp:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);

	/* PPP control traffic (LCP) in the session is not IP. */
	f.len = 0;
	eth_hdr(&f, ETH_PPPOE);
	pppoe_hdr(&f, 0x1234, 2 + 4, 0xc021);
	put32(&f, 0x09010004); /* LCP echo request, id 1, length 4 */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_NON_IP);
	assert_hdrs(&p, "eth:pppoes:ppp:unk");
}

static void
test_arp_non_ip(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_ARP);
	put16(&f, 1);               /* hardware type: Ethernet */
	put16(&f, ETH_IPV4);        /* protocol type */
	put8(&f, 6);                /* hardware address length */
	put8(&f, 4);                /* protocol address length */
	put16(&f, 1);               /* operation: request */
	put_bytes(&f, MAC_SRC, 6);  /* sender MAC */
	put_bytes(&f, IP4_SRC, 4);  /* sender IP */
	put_bytes(&f, MAC_DST, 6);  /* target MAC */
	put_bytes(&f, IP4_DST, 4);  /* target IP */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_NON_IP);
	assert_int_equal(p.ip_ver, 0);
	assert_int_equal(p.has_l4, 0);
	assert_int_equal(p.eth_type, ETH_ARP);
	assert_int_equal(p.has_mac, 1);
	assert_hdrs(&p, "eth:arp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);

	/* An 802.3 length field instead of an EtherType (LLC): not IP either. */
	f.len = 0;
	eth_hdr(&f, 0x0026);
	put_bytes(&f, "\x42\x42\x03", 3); /* LLC: STP SAPs, UI */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_NON_IP);
	assert_hdrs(&p, "eth:unk");
}

/* ---------------------------------------------------------------------------------------- */
/* IPv4                                                                                       */
/* ---------------------------------------------------------------------------------------- */

static void
test_ipv4_options(void **state)
{
	static const uint8_t ra[4] = { 0x94, 0x04, 0x00, 0x00 }; /* router alert */
	struct frame f = { .len = 0 };
	struct ip4_spec ip = {
		.proto = PROTO_TCP, .payload_len = 20 + PAYLOAD_LEN, .opts = ra, .opts_len = 4,
	};
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	assert_int_equal(f.b[14], 0x46); /* version 4, IHL 6 */
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 24 + 20);
	assert_hdrs(&p, "eth:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* DF alone is not a fragment. */
static void
test_ipv4_df_not_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = {
		.proto = PROTO_TCP, .payload_len = 20 + PAYLOAD_LEN, .id = 0x4242, .df = 1,
	};
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 20 + 20);
	assert_int_equal(p.more_frags, 0);
	assert_int_equal(p.frag_id, 0);
}

static void
test_ipv4_first_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = {
		.proto = PROTO_TCP, .payload_len = 1480, .id = 0xbeef, .mf = 1, .frag_off = 0,
	};
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN); /* captured part of the first fragment */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_int_equal(p.is_frag, 1);
	assert_int_equal(p.is_first_frag, 1);
	assert_int_equal(p.more_frags, 1);
	assert_int_equal(p.frag_id, 0xbeef);
	assert_int_equal(p.src_port, SPORT);
	assert_int_equal(p.dst_port, DPORT);
	assert_int_equal(p.tcp_flags, TFLAGS);
	assert_int_equal(p.tcp_win, TWIN);
	assert_int_equal(p.has_l4, 1);
	assert_hdrs(&p, "eth:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_ipv4_non_first_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = {
		.proto = PROTO_TCP, .payload_len = 100, .id = 0xbeef, .mf = 0, .frag_off = 185,
	};
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	for (int i = 0; i < 100; i++)
		put8(&f, 0x5a); /* middle of the TCP payload: must not be read as a header */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FRAG);
	assert_int_equal(p.is_frag, 1);
	assert_int_equal(p.is_first_frag, 0);
	assert_int_equal(p.more_frags, 0);
	assert_int_equal(p.frag_id, 0xbeef);
	assert_int_equal(p.ip_ver, 4);
	assert_memory_equal(p.src_ip, IP4_SRC, 4);
	assert_memory_equal(p.dst_ip, IP4_DST, 4);
	assert_int_equal(p.l4_proto, PROTO_TCP);
	assert_int_equal(p.has_l4, 0);
	assert_int_equal(p.src_port, 0);
	assert_int_equal(p.dst_port, 0);
	assert_int_equal(p.tcp_flags, 0);
	assert_hdrs(&p, "eth:ipv4");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);

	/* A middle fragment: offset and MF. */
	f.len = 0;
	ip.mf = 1;
	ip.frag_off = 1;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FRAG);
	assert_int_equal(p.is_first_frag, 0);
	assert_int_equal(p.more_frags, 1);
}

static void
test_ipv4_malformed(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = { .proto = PROTO_TCP, .payload_len = 20 };
	struct tcpw_pkt p;

	(void)state;
	/* EtherType IPv4, version nibble 6. */
	ip.version = 6;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_MALFORMED);
	assert_int_equal(p.ip_ver, 0);
	assert_int_equal(p.has_l4, 0);

	/* Version 4, IHL 4 (16 bytes, below the minimum) down to IHL 0. */
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		f.len = 0;
		ip.version = 4;
		eth_hdr(&f, ETH_IPV4);
		ipv4_hdr(&f, &ip);
		tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
		f.b[14] = (uint8_t)(4 << 4 | ihl); /* version 4, IHL below 5 */
		assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_MALFORMED);
		assert_int_equal(p.ip_ver, 0);
	}

	/* IHL 15 (60 bytes) with only 40 bytes captured after Ethernet: truncated. */
	f.len = 0;
	ip.ihl = 15;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_TRUNCATED);
}

/*
 * Every cut of eth(14)/ipv4(20)/tcp(20): short of 14 + 20 + 4 bytes (the ports) it is
 * TRUNCATED; from 38 on it is a FLOW; flags and window are read from 50 on (16 TCP bytes),
 * and there is a payload only once the whole 20-byte TCP header is in.
 */
static void
test_truncated_every_length(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_tcp(&f);
	f.len = 54; /* drop the payload: the frame is exactly the three headers */
	for (uint32_t len = 0; len <= 54; len++) {
		enum tcpw_verdict v = parse_exact(&f, len, TCPW_DLT_EN10MB, &p);
		enum tcpw_verdict want = len < 14 + 20 + 4 ? TCPW_PKT_TRUNCATED : TCPW_PKT_FLOW;
		uint8_t depth = len < 14 ? 1 : len < 34 ? 2 : 3;

		if (v != want)
			fail_msg("len %u: verdict %s, want %s", len, tcpw_verdict_name(v),
				 tcpw_verdict_name(want));
		assert_int_equal(p.hdrs.depth, depth);
		assert_int_equal(p.has_mac, len >= 14);
		assert_int_equal(p.has_l4, want == TCPW_PKT_FLOW);
		assert_int_equal(p.has_tcp_win, len >= 14 + 20 + 16);
		if (want == TCPW_PKT_FLOW)
			assert_int_equal(p.src_port, SPORT);
		if (p.has_tcp_win) {
			assert_int_equal(p.tcp_flags, TFLAGS);
			assert_int_equal(p.tcp_win, TWIN);
			assert_int_equal(p.l7_off, len == 54 ? 54 : 0);
			assert_int_equal(p.l7_len, 0);
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* IPv6                                                                                       */
/* ---------------------------------------------------------------------------------------- */

static void
test_ipv6_tcp(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV6);
	ipv6_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 14 + 40 + 20);
	assert_int_equal(p.eth_type, ETH_IPV6);
	assert_int_equal(p.is_frag, 0);
	assert_int_equal(p.hdrs.depth, 3);
	assert_hdrs(&p, "eth:ipv6:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);

	/* Version nibble 4 behind EtherType IPv6. */
	f.b[14] = 0x40;
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_MALFORMED);
}

static void
test_ipv6_ext_headers(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV6);
	ipv6_hdr(&f, PROTO_HOPOPTS, 8 + 16 + 20 + PAYLOAD_LEN);
	ipv6_opts(&f, PROTO_DSTOPTS, 0); /* hop-by-hop, 8 bytes */
	ipv6_opts(&f, PROTO_TCP, 1);     /* destination options, 16 bytes */
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 14 + 40 + 8 + 16 + 20);
	assert_int_equal(p.hdrs.depth, 5);
	assert_hdrs(&p, "eth:ipv6:ipv6.hopopts:ipv6.dstopts:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_ipv6_first_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV6);
	ipv6_hdr(&f, PROTO_FRAG, 8 + 20 + PAYLOAD_LEN);
	ipv6_frag(&f, PROTO_TCP, 0, 1, 0xdeadbeef);
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 14 + 40 + 8 + 20);
	assert_int_equal(p.is_frag, 1);
	assert_int_equal(p.is_first_frag, 1);
	assert_int_equal(p.more_frags, 1);
	assert_int_equal(p.frag_id, 0xdeadbeef);
	assert_hdrs(&p, "eth:ipv6:ipv6.fraghdr:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_ipv6_non_first_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV6);
	ipv6_hdr(&f, PROTO_HOPOPTS, 8 + 8 + 64);
	ipv6_opts(&f, PROTO_FRAG, 0);
	ipv6_frag(&f, PROTO_TCP, 181, 0, 0x01020304); /* offset 1448 bytes, last */
	for (int i = 0; i < 64; i++)
		put8(&f, 0xa5); /* payload continuation, not a header */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FRAG);
	assert_int_equal(p.ip_ver, 6);
	assert_memory_equal(p.src_ip, IP6_SRC, 16);
	assert_int_equal(p.is_frag, 1);
	assert_int_equal(p.is_first_frag, 0);
	assert_int_equal(p.more_frags, 0);
	assert_int_equal(p.frag_id, 0x01020304);
	assert_int_equal(p.l4_proto, PROTO_TCP);
	assert_int_equal(p.has_l4, 0);
	assert_int_equal(p.src_port, 0);
	assert_hdrs(&p, "eth:ipv6:ipv6.hopopts:ipv6.fraghdr");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* ---------------------------------------------------------------------------------------- */
/* UDP, ICMP                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void
test_udp(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = { .proto = PROTO_UDP, .payload_len = 8 + PAYLOAD_LEN };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	udp_hdr(&f, 5353, 53, PAYLOAD_LEN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_int_equal(p.l4_proto, PROTO_UDP);
	assert_int_equal(p.has_l4, 1);
	assert_int_equal(p.src_port, 5353);
	assert_int_equal(p.dst_port, 53);
	assert_int_equal(p.tcp_flags, 0);
	assert_int_equal(p.tcp_win, 0);
	assert_int_equal(p.l7_off, 14 + 20 + 8);
	assert_int_equal(p.l7_len, PAYLOAD_LEN);
	assert_hdrs(&p, "eth:ipv4:udp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

static void
test_icmp(void **state)
{
	struct frame f = { .len = 0 };
	struct ip4_spec ip = { .proto = PROTO_ICMP, .payload_len = 8 + PAYLOAD_LEN };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_hdr(&f, &ip);
	icmp_echo(&f, 0x0100, 7);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_int_equal(p.l4_proto, PROTO_ICMP);
	assert_int_equal(p.has_l4, 1);
	assert_int_equal(p.src_port, 0); /* no ports, whatever the id/seq say */
	assert_int_equal(p.dst_port, 0);
	/* Only type, code and checksum count as the ICMP header. */
	assert_int_equal(p.l7_off, 14 + 20 + 4);
	assert_int_equal(p.l7_len, 4 + PAYLOAD_LEN);
	assert_hdrs(&p, "eth:ipv4:icmp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* SCTP (ports, 12-byte common header), DCCP and UDP-Lite (ports), GRE (no ports). */
static void
test_other_l4(void **state)
{
	static const struct {
		uint8_t proto;
		const char *hdrs;
		uint16_t sport, dport;
		uint32_t l4_len;
	} cases[] = {
		{ 132, "eth:ipv4:sctp", 0x1111, 0x2222, 12 }, /* SCTP */
		{ 33, "eth:ipv4:unk", 0x1111, 0x2222, 4 },    /* DCCP: ports only */
		{ 136, "eth:ipv4:udp", 0x1111, 0x2222, 8 },   /* UDP-Lite */
		{ 47, "eth:ipv4:unk", 0, 0, 0 },              /* GRE: not decoded */
	};
	struct tcpw_pkt p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame f = { .len = 0 };
		struct ip4_spec ip = { .proto = cases[i].proto, .payload_len = 16 };

		eth_hdr(&f, ETH_IPV4);
		ipv4_hdr(&f, &ip);
		put16(&f, 0x1111); /* source port (or GRE flags) */
		put16(&f, 0x2222); /* destination port (or GRE protocol) */
		for (int j = 0; j < 12; j++)
			put8(&f, (uint8_t)j); /* rest of the header and payload */
		assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
		assert_int_equal(p.l4_proto, cases[i].proto);
		assert_int_equal(p.has_l4, 1);
		assert_int_equal(p.src_port, cases[i].sport);
		assert_int_equal(p.dst_port, cases[i].dport);
		assert_int_equal(p.l7_off, 14 + 20 + cases[i].l4_len);
		assert_int_equal(p.l7_len, 16 - cases[i].l4_len);
		assert_hdrs(&p, cases[i].hdrs);
		assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
	}
}

/* A TCP data offset below 5 words is read as 20 bytes. */
static void
test_tcp_short_data_offset(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_tcp(&f);
	f.b[14 + 20 + 12] = 2 << 4; /* data offset: 2 words */
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 14 + 20 + 20);
}

/* IPv6 routing header and AH before TCP. */
static void
test_ipv6_routing_ah(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV6);
	ipv6_hdr(&f, 43, 8 + 24 + 20 + PAYLOAD_LEN);
	put8(&f, 51);            /* routing: next header AH */
	put8(&f, 0);             /* header extension length: 8 bytes in all */
	put8(&f, 4);             /* routing type 4 (segment routing) */
	put8(&f, 0);             /* segments left */
	put32(&f, 0);            /* type-specific data */
	put8(&f, PROTO_TCP);     /* AH: next header */
	put8(&f, 4);             /* payload length: (4 + 2) * 4 = 24 bytes */
	put16(&f, 0);            /* reserved */
	put32(&f, 0x00001000);   /* SPI */
	put32(&f, 1);            /* sequence number */
	for (int i = 0; i < 12; i++)
		put8(&f, 0xcc);  /* ICV (96 bits) */
	tcp_hdr(&f, SPORT, DPORT, TFLAGS, TWIN);
	put_bytes(&f, PAYLOAD, PAYLOAD_LEN);
	assert_verdict(parse_frame(&f, TCPW_DLT_EN10MB, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 14 + 40 + 8 + 24 + 20);
	assert_hdrs(&p, "eth:ipv6:ipv6.routing:ah:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_EN10MB);
}

/* ---------------------------------------------------------------------------------------- */
/* Other link types                                                                           */
/* ---------------------------------------------------------------------------------------- */

static void
test_raw_ip(void **state)
{
	static const int raw[] = { TCPW_DLT_RAW, TCPW_DLT_RAW_BSD, TCPW_DLT_LINKTYPE_RAW };
	struct frame f4 = { .len = 0 }, f6 = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	ipv4_tcp(&f4);
	ipv6_tcp(&f6);
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		assert_verdict(parse_frame(&f4, raw[i], &p), TCPW_PKT_FLOW);
		assert_tcp4(&p, 20 + 20);
		assert_int_equal(p.has_mac, 0);
		assert_hdrs(&p, "raw:ipv4:tcp");
		assert_prefixes_safe(&f4, raw[i]);
		assert_verdict(parse_frame(&f6, raw[i], &p), TCPW_PKT_FLOW);
		assert_tcp6(&p, 40 + 20);
		assert_hdrs(&p, "raw:ipv6:tcp");
		assert_prefixes_safe(&f6, raw[i]);
	}

	/* 228 is IPv4 only, 229 IPv6 only: the other version is malformed there. */
	assert_verdict(parse_frame(&f4, TCPW_DLT_IPV4, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 20 + 20);
	assert_hdrs(&p, "raw:ipv4:tcp");
	assert_prefixes_safe(&f4, TCPW_DLT_IPV4);
	assert_verdict(parse_frame(&f6, TCPW_DLT_IPV6, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 40 + 20);
	assert_hdrs(&p, "raw:ipv6:tcp");
	assert_prefixes_safe(&f6, TCPW_DLT_IPV6);
	assert_verdict(parse_frame(&f6, TCPW_DLT_IPV4, &p), TCPW_PKT_MALFORMED);
	assert_verdict(parse_frame(&f4, TCPW_DLT_IPV6, &p), TCPW_PKT_MALFORMED);

	/* Version nibble 5 on a raw link: not IP. */
	f4.b[0] = 0x55;
	assert_verdict(parse_frame(&f4, TCPW_DLT_RAW, &p), TCPW_PKT_NON_IP);
	assert_hdrs(&p, "raw:unk");
}

static void
test_null_loopback(void **state)
{
	static const uint32_t af6[] = { 10, 28, 30 };
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	put32_le(&f, 2); /* AF_INET in the capturing host's (little-endian) order */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_NULL, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 4 + 20 + 20);
	assert_int_equal(p.has_mac, 0);
	assert_int_equal(p.hdrs.depth, 3);
	assert_hdrs(&p, "null:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_NULL);

	/* OpenBSD loopback (108): family in network order; IPv6 (AF_INET6 = 24 on BSD). */
	f.len = 0;
	put32(&f, 24);
	ipv6_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_LOOP, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 4 + 40 + 20);
	assert_hdrs(&p, "null:ipv6:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_LOOP);

	/* AF_INET6 of Linux (10), FreeBSD (28), macOS (30), host order. */
	for (size_t i = 0; i < sizeof(af6) / sizeof(af6[0]); i++) {
		f.len = 0;
		put32_le(&f, af6[i]);
		ipv6_tcp(&f);
		assert_verdict(parse_frame(&f, TCPW_DLT_NULL, &p), TCPW_PKT_FLOW);
		assert_tcp6(&p, 4 + 40 + 20);
	}

	/* An unknown family is not IP, even with an IPv4 header after it. */
	f.len = 0;
	put32_le(&f, 17);
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_NULL, &p), TCPW_PKT_NON_IP);
	assert_int_equal(p.ip_ver, 0);
	assert_hdrs(&p, "null:unk");
	assert_prefixes_safe(&f, TCPW_DLT_NULL);
}

static void
test_linux_sll(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	put16(&f, 0);              /* packet type: to us */
	put16(&f, 1);              /* ARPHRD_ETHER */
	put16(&f, 6);              /* link-layer address length */
	put_bytes(&f, MAC_SRC, 6); /* link-layer address */
	put16(&f, 0);              /* address padding to 8 bytes */
	put16(&f, ETH_IPV4);       /* protocol */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_LINUX_SLL, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 16 + 20 + 20);
	assert_int_equal(p.has_mac, 0);
	assert_int_equal(p.eth_type, ETH_IPV4);
	assert_hdrs(&p, "sll:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_LINUX_SLL);

	/* A tagged frame seen through SLL. */
	f.len = 0;
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	put_bytes(&f, MAC_SRC, 6);
	put16(&f, 0);
	put16(&f, ETH_VLAN);           /* protocol: 802.1Q */
	vlan_tag(&f, 0, 42, ETH_IPV6);
	ipv6_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_LINUX_SLL, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 16 + 4 + 40 + 20);
	assert_int_equal(p.vlan_id, 42);
	assert_hdrs(&p, "sll:vlan:ipv6:tcp");
}

static void
test_linux_sll2(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	put16(&f, ETH_IPV4);       /* protocol */
	put16(&f, 0);              /* reserved */
	put32(&f, 3);              /* interface index */
	put16(&f, 1);              /* ARPHRD_ETHER */
	put8(&f, 4);               /* packet type: outgoing */
	put8(&f, 6);               /* link-layer address length */
	put_bytes(&f, MAC_SRC, 6); /* link-layer address */
	put16(&f, 0);              /* address padding to 8 bytes */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_LINUX_SLL2, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 20 + 20 + 20);
	assert_int_equal(p.has_mac, 0);
	assert_hdrs(&p, "sll2:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_LINUX_SLL2);
}

static void
test_ppp(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	put8(&f, 0xff);     /* HDLC address: all stations */
	put8(&f, 0x03);     /* HDLC control: unnumbered information */
	put16(&f, 0x0021);  /* PPP protocol: IPv4 */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_PPP, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 4 + 20 + 20);
	assert_hdrs(&p, "ppp:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_PPP);
	assert_verdict(parse_frame(&f, TCPW_DLT_PPP_SERIAL, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 4 + 20 + 20);

	/* Without address/control bytes. */
	f.len = 0;
	put16(&f, 0x0021); /* PPP protocol: IPv4 */
	ipv4_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_PPP, &p), TCPW_PKT_FLOW);
	assert_tcp4(&p, 2 + 20 + 20);
	assert_hdrs(&p, "ppp:ipv4:tcp");
	assert_prefixes_safe(&f, TCPW_DLT_PPP);

	/* IPv6 without address/control. */
	f.len = 0;
	put16(&f, 0x0057); /* PPP protocol: IPv6 */
	ipv6_tcp(&f);
	assert_verdict(parse_frame(&f, TCPW_DLT_PPP, &p), TCPW_PKT_FLOW);
	assert_tcp6(&p, 2 + 40 + 20);
	assert_hdrs(&p, "ppp:ipv6:tcp");

	/* LCP: not IP. */
	f.len = 0;
	put8(&f, 0xff);
	put8(&f, 0x03);
	put16(&f, 0xc021); /* PPP protocol: LCP */
	put32(&f, 0x01010004);
	assert_verdict(parse_frame(&f, TCPW_DLT_PPP, &p), TCPW_PKT_NON_IP);
	assert_hdrs(&p, "ppp:unk");
}

static void
test_unsupported_linktype(void **state)
{
	static const int supported[] = {
		TCPW_DLT_NULL, TCPW_DLT_EN10MB, TCPW_DLT_PPP, TCPW_DLT_RAW, TCPW_DLT_RAW_BSD,
		TCPW_DLT_PPP_SERIAL, TCPW_DLT_LINKTYPE_RAW, TCPW_DLT_LOOP, TCPW_DLT_LINUX_SLL,
		TCPW_DLT_IPV4, TCPW_DLT_IPV6, TCPW_DLT_LINUX_SLL2,
	};
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	eth_hdr(&f, ETH_IPV4);
	ipv4_tcp(&f);
	/* 147: LINKTYPE_USER0; 105: 802.11; -1: nonsense. */
	assert_verdict(parse_frame(&f, 147, &p), TCPW_PKT_LINKTYPE);
	assert_int_equal(p.hdrs.depth, 0);
	assert_int_equal(p.ip_ver, 0);
	assert_verdict(parse_frame(&f, 105, &p), TCPW_PKT_LINKTYPE);
	assert_verdict(parse_frame(&f, -1, &p), TCPW_PKT_LINKTYPE);
	assert_verdict(parse_exact(&f, 0, 147, &p), TCPW_PKT_LINKTYPE);
	assert_false(tcpw_parse_linktype_supported(147));
	assert_false(tcpw_parse_linktype_supported(105));
	assert_false(tcpw_parse_linktype_supported(-1));
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		assert_true(tcpw_parse_linktype_supported(supported[i]));
}

/* The parser zeroes the whole result first: nothing of a previous packet survives. */
static void
test_pkt_zeroed(void **state)
{
	struct frame f = { .len = 0 };
	struct tcpw_pkt p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	eth_hdr(&f, ETH_ARP);
	assert_verdict(parse_exact(&f, 14, TCPW_DLT_EN10MB, &p), TCPW_PKT_NON_IP);
	assert_int_equal(p.src_port, 0);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.l7_len, 0);
	assert_int_equal(p.is_frag, 0);
	assert_int_equal(p.hdrs.n, 2);
}

/* ---------------------------------------------------------------------------------------- */
/* hdrDesc text and verdict names                                                             */
/* ---------------------------------------------------------------------------------------- */

static void
test_hdrs_format(void **state)
{
	struct tcpw_hdrs h = {
		.code = {
			TCPW_HDR_ETH, TCPW_HDR_VLAN, TCPW_HDR_VLAN, TCPW_HDR_VLAN, TCPW_HDR_MPLS,
			TCPW_HDR_IPV4, TCPW_HDR_TCP,
		},
		.n = 7,
		.depth = 7,
	};
	static const char want[] = "eth:vlan{3}:mpls:ipv4:tcp";
	char buf[128];
	int n;

	(void)state;
	n = tcpw_hdrs_format(&h, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);

	/* Exactly enough room (text + NUL), then one byte short. */
	assert_int_equal(tcpw_hdrs_format(&h, buf, sizeof(want)), (int)strlen(want));
	assert_string_equal(buf, want);
	for (unsigned int len = 0; len < sizeof(want); len++) {
		char *small = malloc(len ? len : 1);

		assert_non_null(small);
		assert_int_equal(tcpw_hdrs_format(&h, small, len), -ENOSPC);
		free(small);
	}

	/* A run at the end, a run of the whole stack. */
	h = (struct tcpw_hdrs){ .code = { TCPW_HDR_ETH, TCPW_HDR_MPLS, TCPW_HDR_MPLS }, .n = 3 };
	assert_int_equal(tcpw_hdrs_format(&h, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "eth:mpls{2}");
	h = (struct tcpw_hdrs){ .code = { TCPW_HDR_VLAN, TCPW_HDR_VLAN }, .n = 2 };
	tcpw_hdrs_format(&h, buf, sizeof(buf));
	assert_string_equal(buf, "vlan{2}");

	/* Runs are of equal neighbours only. */
	h = (struct tcpw_hdrs){
		.code = { TCPW_HDR_VLAN, TCPW_HDR_MPLS, TCPW_HDR_VLAN, TCPW_HDR_VLAN }, .n = 4,
	};
	tcpw_hdrs_format(&h, buf, sizeof(buf));
	assert_string_equal(buf, "vlan:mpls:vlan{2}");

	/* Only VLAN tags and MPLS labels are counted: any other header repeats, as in the
	 * golden record of frag-12 (eth:ipv6:ipv6.fraghdr:ipv6.fraghdr:...). */
	h = (struct tcpw_hdrs){
		.code = { TCPW_HDR_ETH, TCPW_HDR_IPV6, TCPW_HDR_IPV6_FRAG, TCPW_HDR_IPV6_FRAG,
			  TCPW_HDR_IPV6_DSTOPTS, TCPW_HDR_IPV6_DSTOPTS, TCPW_HDR_TCP }, .n = 7,
	};
	tcpw_hdrs_format(&h, buf, sizeof(buf));
	assert_string_equal(buf, "eth:ipv6:ipv6.fraghdr:ipv6.fraghdr:ipv6.dstopts:ipv6.dstopts:tcp");

	/* Empty stack; codes without a name. */
	h = (struct tcpw_hdrs){ .n = 0 };
	assert_int_equal(tcpw_hdrs_format(&h, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(tcpw_hdrs_format(&h, buf, 1), 0);
	h = (struct tcpw_hdrs){ .code = { 0, 200, TCPW_HDR_OTHER }, .n = 3 };
	tcpw_hdrs_format(&h, buf, sizeof(buf));
	assert_string_equal(buf, "unk:unk:unk");
}

static void
test_hdr_names(void **state)
{
	static const struct {
		enum tcpw_hdr code;
		const char *name;
	} names[] = {
		{ TCPW_HDR_ETH, "eth" }, { TCPW_HDR_VLAN, "vlan" }, { TCPW_HDR_MPLS, "mpls" },
		{ TCPW_HDR_PPPOE, "pppoes" }, { TCPW_HDR_PPP, "ppp" }, { TCPW_HDR_SLL, "sll" },
		{ TCPW_HDR_SLL2, "sll2" }, { TCPW_HDR_NULL, "null" }, { TCPW_HDR_RAW, "raw" },
		{ TCPW_HDR_IPV4, "ipv4" }, { TCPW_HDR_IPV6, "ipv6" },
		{ TCPW_HDR_IPV6_HOPOPTS, "ipv6.hopopts" },
		{ TCPW_HDR_IPV6_ROUTING, "ipv6.routing" },
		{ TCPW_HDR_IPV6_FRAG, "ipv6.fraghdr" },
		{ TCPW_HDR_IPV6_DSTOPTS, "ipv6.dstopts" }, { TCPW_HDR_AH, "ah" },
		{ TCPW_HDR_TCP, "tcp" }, { TCPW_HDR_UDP, "udp" }, { TCPW_HDR_ICMP, "icmp" },
		{ TCPW_HDR_ICMPV6, "icmpv6" }, { TCPW_HDR_SCTP, "sctp" }, { TCPW_HDR_ARP, "arp" },
		{ TCPW_HDR_OTHER, "unk" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tcpw_hdrs h = { .code = { (uint8_t)names[i].code }, .n = 1, .depth = 1 };

		tcpw_hdrs_format(&h, buf, sizeof(buf));
		assert_string_equal(buf, names[i].name);
	}
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_FLOW), "flow");
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_FRAG), "fragment");
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_NON_IP), "not_ip");
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_TRUNCATED), "truncated");
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_MALFORMED), "malformed");
	assert_string_equal(tcpw_verdict_name(TCPW_PKT_LINKTYPE), "unsupported_linktype");
	assert_string_equal(tcpw_verdict_name(TCPW_VERDICT_MAX), "?");
	assert_string_equal(tcpw_verdict_name((enum tcpw_verdict)-1), "?");
}

/* Both directions, and every fragment of a datagram (no ports), hash alike. */
static void
test_sym_hash(void **state)
{
	struct tcpw_pkt a = { .ip_ver = 4, .src_port = 49152, .dst_port = 80, .vlan_id = 7 };
	struct tcpw_pkt b = { .ip_ver = 4, .src_port = 80, .dst_port = 49152, .vlan_id = 7 };
	struct tcpw_pkt c, other_vlan, not_ip = { 0 };

	(void)state;
	memcpy(a.src_ip, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(a.dst_ip, (uint8_t[]){ 192, 168, 1, 2 }, 4);
	memcpy(b.src_ip, a.dst_ip, 4);
	memcpy(b.dst_ip, a.src_ip, 4);
	c = a;
	c.src_port = c.dst_port = 0; /* a non-first fragment */
	other_vlan = a;
	other_vlan.vlan_id = 8;
	assert_int_equal(tcpw_pkt_sym_hash(&a), tcpw_pkt_sym_hash(&b));
	assert_int_equal(tcpw_pkt_sym_hash(&a), tcpw_pkt_sym_hash(&c));
	assert_int_not_equal(tcpw_pkt_sym_hash(&a), tcpw_pkt_sym_hash(&other_vlan));
	b.dst_ip[3] = 3;
	assert_int_not_equal(tcpw_pkt_sym_hash(&a), tcpw_pkt_sym_hash(&b));
	assert_int_equal(tcpw_pkt_sym_hash(&not_ip), 0);
}

/* The frames tcpw_parse()'s shortcut is for, from their bytes: Ethernet, IPv4 without
 * options and not a fragment, TCP with 16 bytes or UDP with 8 inside the IP length. */
static bool
shortcut_case(const uint8_t *f, uint32_t caplen)
{
	uint32_t ip_len = (uint32_t)f[16] << 8 | f[17], len = caplen;

	if (caplen < 54 || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 ||
	    ((f[20] << 8 | f[21]) & 0x3fff) != 0 || (f[23] != 6 && f[23] != 17))
		return false;
	if (ip_len >= 20 && caplen - 14 > ip_len)
		len = 14 + ip_len;
	return len - 34 >= (f[23] == 6 ? 16u : 8u);
}

/* tcpw_parse()'s Ethernet/IPv4 shortcut gives what the layered parser gives (and
 * tcpw_frame_sym_hash() what tcpw_pkt_sym_hash() gives of it), on frames around its edges: every header field it reads set to values on both sides of its tests
 * (version/IHL, fragment bits, protocol, data offset, IP length against the captured
 * length), cut at every length from 40 to 80 bytes; and some take the shortcut. */
static void
test_fast_path_equals_layered(void **state)
{
	(void)state;
	static const uint8_t vihl[] = { 0x45, 0x46, 0x44, 0x55 };
	static const uint16_t frag[] = { 0, 0x4000, 0x8000, 0x2000, 0x0001, 0x6000 };
	static const uint8_t proto[] = { 6, 17, 1, 136, 132 };
	static const uint16_t ip_len[] = { 0, 19, 20, 25, 35, 36, 40, 41, 46, 60, 66, 1500 };
	uint64_t rng = 0x2545f4914f6cdd1dull;
	unsigned int n = 0, fast = 0;

	for (unsigned int i = 0; i < 200000; i++) {
		uint8_t f[80];
		struct tcpw_pkt a, b;
		enum tcpw_verdict va, vb;
		uint32_t caplen;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		for (unsigned int j = 0; j < sizeof(f); j++)
			f[j] = (uint8_t)(rng >> (j % 7 * 8)) ^ (uint8_t)j;
		f[12] = 0x08;
		f[13] = (rng >> 3) % 16 == 0 ? 0x06 : 0x00; /* sometimes ARP */
		f[14] = vihl[(rng >> 8) % sizeof(vihl)];
		f[16] = (uint8_t)(ip_len[(rng >> 12) % TCPW_ARRAY_SIZE(ip_len)] >> 8);
		f[17] = (uint8_t)ip_len[(rng >> 12) % TCPW_ARRAY_SIZE(ip_len)];
		f[20] = (uint8_t)(frag[(rng >> 16) % TCPW_ARRAY_SIZE(frag)] >> 8);
		f[21] = (uint8_t)frag[(rng >> 16) % TCPW_ARRAY_SIZE(frag)];
		f[23] = proto[(rng >> 20) % sizeof(proto)];
		f[46] = (uint8_t)(((rng >> 24) % 16) << 4);
		caplen = 40 + (uint32_t)((rng >> 32) % 41);
		va = tcpw_parse(f, caplen, TCPW_DLT_EN10MB, &a);
		vb = tcpw_parse_layered(f, caplen, TCPW_DLT_EN10MB, &b);
		assert_int_equal(va, vb);
		assert_memory_equal(&a, &b, sizeof(a));
		/* the distributor's hash puts every packet of a flow where its parse would */
		if (va == TCPW_PKT_FLOW || va == TCPW_PKT_FRAG)
			assert_int_equal(tcpw_frame_sym_hash(f, caplen, TCPW_DLT_EN10MB),
					 tcpw_pkt_sym_hash(&a));
		n++;
		fast += shortcut_case(f, caplen); /* from the bytes, not from either parser */
	}
	assert_int_equal(n, 200000);
	printf("shortcut case: %u of %u frames\n", fast, n);
	assert_true(fast > 2000); /* the shortcut's case is covered, not just its exits */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_tcp),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_vlan_8021q),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vlan_deep_stack),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_arp_non_ip),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_df_not_fragment),
		cmocka_unit_test(test_ipv4_first_fragment),
		cmocka_unit_test(test_ipv4_non_first_fragment),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_ipv6_tcp),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv6_first_fragment),
		cmocka_unit_test(test_ipv6_non_first_fragment),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_other_l4),
		cmocka_unit_test(test_tcp_short_data_offset),
		cmocka_unit_test(test_ipv6_routing_ah),
		cmocka_unit_test(test_raw_ip),
		cmocka_unit_test(test_null_loopback),
		cmocka_unit_test(test_linux_sll),
		cmocka_unit_test(test_linux_sll2),
		cmocka_unit_test(test_ppp),
		cmocka_unit_test(test_unsupported_linktype),
		cmocka_unit_test(test_pkt_zeroed),
		cmocka_unit_test(test_sym_hash),
		cmocka_unit_test(test_hdrs_format),
		cmocka_unit_test(test_hdr_names),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_fast_path_equals_layered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
