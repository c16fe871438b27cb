/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/record: the exact text of flow-file lines (a two-direction IPv4 pair, an
 * IPv6 pair, a lone flow carrying the B bit), the header rows, -ENOSPC with an emptied buffer
 * at every too-small length, and packet-file lines for a TCP packet with an escaped payload
 * and for a non-TCP packet with empty tcpWinTMT columns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "parse.h"
#include "record.h"
#include "tcp_state.h"

/* Columns of both files (T2-SEMANTICS §3.3 minus the 4 geo columns, plus 2 basicStats). */
#define FLOW_COLS 23
#define PKT_COLS 23

/* Room for any line the tests format. */
#define LINE_MAX_ 2048

static const uint8_t MAC_A[6] = { 0x00, 0x08, 0x74, 0x38, 0x01, 0xb4 };
static const uint8_t MAC_B[6] = { 0x00, 0x19, 0xe3, 0xe7, 0x5d, 0x23 };
static const uint8_t MAC_C[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t IP4_A[4] = { 192, 168, 1, 105 };
static const uint8_t IP4_B[4] = { 143, 166, 11, 10 };
/* 2001:db8::1 and fe80::21a:2bff:fe3c:4d5e */
static const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t IP6_B[16] = {
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1a, 0x2b, 0xff, 0xfe, 0x3c, 0x4d, 0x5e,
};

/* Header stacks used by the records. */
static const struct tcpw_hdrs HDRS_ETH_IPV4_TCP = {
	.code = { TCPW_HDR_ETH, TCPW_HDR_IPV4, TCPW_HDR_TCP }, .n = 3, .depth = 3,
};
static const struct tcpw_hdrs HDRS_QINQ = {
	.code = { TCPW_HDR_ETH, TCPW_HDR_VLAN, TCPW_HDR_VLAN, TCPW_HDR_IPV4, TCPW_HDR_TCP },
	.n = 5, .depth = 5,
};
static const struct tcpw_hdrs HDRS_ETH_IPV6_TCP = {
	.code = { TCPW_HDR_ETH, TCPW_HDR_IPV6, TCPW_HDR_TCP }, .n = 3, .depth = 3,
};
static const struct tcpw_hdrs HDRS_RAW_IPV4_ICMP = {
	.code = { TCPW_HDR_RAW, TCPW_HDR_IPV4, TCPW_HDR_ICMP }, .n = 3, .depth = 3,
};

/* Number of tab-separated columns of the first line of @p s. */
static unsigned int
count_cols(const char *s)
{
	unsigned int n = 1;

	for (; *s != '\0' && *s != '\n'; s++)
		n += *s == '\t';
	return n;
}

static unsigned int
count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * The tutorial's flow 44 (T2-SEMANTICS §7) with extras: A has two header stacks (QinQ and
 * plain), two VLANs and two destination MACs; B has one stack, no VLAN, the B bit.
 */
static void
make_ipv4_pair(struct tcpw_record *r)
{
	struct tcpw_record_dir *a = &r->dir[0], *b = &r->dir[1];

	memset(r, 0, sizeof(*r));
	r->flow_ind = 44;
	r->ip_ver = 4;
	r->l4_proto = 6;
	r->ndir = 2;
	r->reason = TCPW_END_TIMEOUT;

	a->flow_stat = TCPW_FS_IPV4_PKT | TCPW_FS_IPV4;
	a->first = (struct tcpw_ts){ 1258594163, 408285 };
	a->last = (struct tcpw_ts){ 1258594164, 647755 };
	a->pkts = 4;
	a->bytes = 216;
	memcpy(a->src_ip, IP4_A, 4);
	memcpy(a->dst_ip, IP4_B, 4);
	a->src_port = 49330;
	a->dst_port = 64334;
	a->twin = (struct tcpw_twin){ .stat = 0xd2, .state = TCPW_TCP_ABRT, .win_cnt = 2 };
	a->eth_type = 0x0800;
	a->nsrc_mac = 1;
	memcpy(a->src_mac[0], MAC_A, 6);
	a->ndst_mac = 2;
	memcpy(a->dst_mac[0], MAC_B, 6);
	memcpy(a->dst_mac[1], MAC_C, 6);
	a->nvlan = 2;
	a->vlans[0] = 10;
	a->vlans[1] = 4094;
	a->nhdrs = 2;
	a->hdrs[0] = HDRS_QINQ;
	a->hdrs[1] = HDRS_ETH_IPV4_TCP;

	b->flow_stat = TCPW_FS_IPV4_PKT | TCPW_FS_IPV4 | TCPW_FS_INVERT;
	b->first = (struct tcpw_ts){ 1258594163, 487027 };
	b->last = (struct tcpw_ts){ 1258594164, 5 }; /* usec needs zero padding */
	b->pkts = 3;
	b->bytes = 1514;
	memcpy(b->src_ip, IP4_B, 4);
	memcpy(b->dst_ip, IP4_A, 4);
	b->src_port = 64334;
	b->dst_port = 49330;
	b->twin = (struct tcpw_twin){ .stat = 0x1a, .state = TCPW_TCP_ABRT, .win_cnt = 0 };
	b->eth_type = 0x0800;
	b->nsrc_mac = 1;
	memcpy(b->src_mac[0], MAC_B, 6);
	b->ndst_mac = 1;
	memcpy(b->dst_mac[0], MAC_A, 6);
	b->nhdrs = 1;
	b->hdrs[0] = HDRS_ETH_IPV4_TCP;
}

static const char IPV4_PAIR_TEXT[] =
	"A\t44\t0x0400000000004000\t1258594163.408285\t1258594164.647755\t1.239470\t2\t5;3"
	"\teth:vlan{2}:ipv4:tcp;eth:ipv4:tcp\t00:08:74:38:01:b4"
	"\t00:19:e3:e7:5d:23;02:00:00:00:00:0c\t0x0800\t10;4094\t192.168.1.105\t49330"
	"\t143.166.11.10\t64334\t6\t0xd2\t0x04\t2\t4\t216\n"
	"B\t44\t0x0400000000004001\t1258594163.487027\t1258594164.000005\t0.512978\t1\t3"
	"\teth:ipv4:tcp\t00:19:e3:e7:5d:23\t00:08:74:38:01:b4\t0x0800\t\t143.166.11.10\t64334"
	"\t192.168.1.105\t49330\t6\t0x1a\t0x04\t0\t3\t1514\n";

static void
test_format_ipv4_pair(void **state)
{
	struct tcpw_record r;
	char buf[LINE_MAX_];
	const char *second;
	int n;

	(void)state;
	make_ipv4_pair(&r);
	n = tcpw_record_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, IPV4_PAIR_TEXT);
	assert_int_equal(n, (int)strlen(IPV4_PAIR_TEXT));
	assert_int_equal(count_lines(buf), 2);
	second = strchr(buf, '\n') + 1;
	assert_int_equal(count_cols(buf), FLOW_COLS);
	assert_int_equal(count_cols(second), FLOW_COLS);
	assert_int_equal(buf[0], 'A');
	assert_int_equal(second[0], 'B');
}

/* IPv6 pair: compressed addresses; a duration that borrows a second. */
static void
test_format_ipv6_pair(void **state)
{
	static const char want[] =
		"A\t7\t0x0800000000008000\t100.999999\t101.000001\t0.000002\t1\t3\teth:ipv6:tcp"
		"\t00:08:74:38:01:b4\t00:19:e3:e7:5d:23\t0x86dd\t\t2001:db8::1\t443"
		"\tfe80::21a:2bff:fe3c:4d5e\t50000\t6\t0x12\t0x01\t0\t1\t74\n"
		"B\t7\t0x0800000000008001\t101.000000\t101.000000\t0.000000\t1\t3\teth:ipv6:tcp"
		"\t00:19:e3:e7:5d:23\t00:08:74:38:01:b4\t0x86dd\t\tfe80::21a:2bff:fe3c:4d5e\t50000"
		"\t2001:db8::1\t443\t6\t0x00\t0x00\t0\t1\t74\n";
	struct tcpw_record r;
	char buf[LINE_MAX_];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.flow_ind = 7;
	r.ip_ver = 6;
	r.l4_proto = 6;
	r.ndir = 2;
	for (int i = 0; i < 2; i++) {
		struct tcpw_record_dir *d = &r.dir[i];

		d->flow_stat = TCPW_FS_IPV6_PKT | TCPW_FS_IPV6 | (i ? TCPW_FS_INVERT : 0);
		d->pkts = 1;
		d->bytes = 74;
		memcpy(d->src_ip, i ? IP6_B : IP6_A, 16);
		memcpy(d->dst_ip, i ? IP6_A : IP6_B, 16);
		d->src_port = i ? 50000 : 443;
		d->dst_port = i ? 443 : 50000;
		d->eth_type = 0x86dd;
		d->nsrc_mac = 1;
		memcpy(d->src_mac[0], i ? MAC_B : MAC_A, 6);
		d->ndst_mac = 1;
		memcpy(d->dst_mac[0], i ? MAC_A : MAC_B, 6);
		d->nhdrs = 1;
		d->hdrs[0] = HDRS_ETH_IPV6_TCP;
	}
	r.dir[0].first = (struct tcpw_ts){ 100, 999999 };
	r.dir[0].last = (struct tcpw_ts){ 101, 1 };
	r.dir[0].twin = (struct tcpw_twin){ .stat = 0x12, .state = TCPW_TCP_BGN };
	r.dir[1].first = (struct tcpw_ts){ 101, 0 };
	r.dir[1].last = (struct tcpw_ts){ 101, 0 };
	tcpw_record_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* A lone flow is printed as "A" even with the B bit (T2-SEMANTICS §2.7); no MAC, raw link. */
static void
test_format_lone_flow_is_a(void **state)
{
	static const char want[] =
		"A\t2\t0x0400000000004001\t1258594170.000100\t1258594170.000100\t0.000000\t1\t3"
		"\traw:ipv4:icmp\t\t\t0x0800\t\t143.166.11.10\t0\t192.168.1.105\t0\t1"
		"\t0x00\t0x00\t0\t1\t98\n";
	struct tcpw_record r;
	char buf[LINE_MAX_];
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.flow_ind = 2;
	r.ip_ver = 4;
	r.l4_proto = 1;
	r.ndir = 1;
	r.dir[0].flow_stat = TCPW_FS_IPV4_PKT | TCPW_FS_IPV4 | TCPW_FS_INVERT;
	r.dir[0].first = (struct tcpw_ts){ 1258594170, 100 };
	r.dir[0].last = r.dir[0].first;
	r.dir[0].pkts = 1;
	r.dir[0].bytes = 98;
	memcpy(r.dir[0].src_ip, IP4_B, 4);
	memcpy(r.dir[0].dst_ip, IP4_A, 4);
	r.dir[0].eth_type = 0x0800;
	r.dir[0].nhdrs = 1;
	r.dir[0].hdrs[0] = HDRS_RAW_IPV4_ICMP;
	/* Whatever dir[1] holds, ndir 1 prints one line. */
	r.dir[1].flow_stat = 0xffff;
	n = tcpw_record_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
	assert_int_equal(count_lines(buf), 1);
	assert_int_equal(count_cols(buf), FLOW_COLS);
}

/* A direction that ends before it starts (the clock went back) prints duration 0, never a
 * negative or wrapped value. */
static void
test_format_negative_duration(void **state)
{
	struct tcpw_record r;
	char buf[LINE_MAX_];
	char *dur;

	(void)state;
	make_ipv4_pair(&r);
	r.ndir = 1;
	r.dir[0].first = (struct tcpw_ts){ 10, 500000 };
	r.dir[0].last = (struct tcpw_ts){ 9, 250000 };
	assert_true(tcpw_record_format(&r, buf, sizeof(buf)) > 0);
	dur = strstr(buf, "\t10.500000\t9.250000\t");
	assert_non_null(dur);
	assert_memory_equal(dur + strlen("\t10.500000\t9.250000\t"), "0.000000\t", 9);
}

/* Every length short of text + NUL: -ENOSPC, empty string, nothing written past @p len. */
static void
test_format_enospc(void **state)
{
	size_t need = strlen(IPV4_PAIR_TEXT) + 1;
	struct tcpw_record r;
	char sentinel = 'X';

	(void)state;
	make_ipv4_pair(&r);
	for (size_t len = 1; len < need; len++) {
		char *buf = malloc(len); /* exactly sized: ASan catches any overflow */

		assert_non_null(buf);
		memset(buf, 'X', len);
		assert_int_equal(tcpw_record_format(&r, buf, len), -ENOSPC);
		assert_string_equal(buf, "");
		free(buf);
	}
	/* Length 0: nothing may be written at all. */
	assert_int_equal(tcpw_record_format(&r, &sentinel, 0), -ENOSPC);
	assert_int_equal(sentinel, 'X');
	/* Exactly enough. */
	{
		char *buf = malloc(need);

		assert_non_null(buf);
		assert_int_equal(tcpw_record_format(&r, buf, need), (int)need - 1);
		assert_string_equal(buf, IPV4_PAIR_TEXT);
		free(buf);
	}
}

static void
test_flow_header(void **state)
{
	size_t len = strlen(tcpw_record_flow_header);

	(void)state;
	assert_int_equal(strncmp(tcpw_record_flow_header, "%dir\t", 5), 0);
	assert_int_equal(count_cols(tcpw_record_flow_header), FLOW_COLS);
	assert_int_equal(count_lines(tcpw_record_flow_header), 1);
	assert_int_equal(tcpw_record_flow_header[len - 1], '\n');
	assert_non_null(strstr(tcpw_record_flow_header,
			       "\tl4Proto\ttcpWinStat\ttcpWinState\ttcpWinThCnt\t"));

	len = strlen(tcpw_record_packet_header);
	assert_int_equal(strncmp(tcpw_record_packet_header, "%pktNo\t", 7), 0);
	assert_int_equal(count_cols(tcpw_record_packet_header), PKT_COLS);
	assert_int_equal(tcpw_record_packet_header[len - 1], '\n');
	assert_non_null(strstr(tcpw_record_packet_header, "\ttcpWinStat\ttcpWinState\ttcpWin"
			       "\ttcpWinThCnt\tflowTmout\tl7Content\n"));
}

/* ---- packet file ---- */

/* Frame bytes: 54 bytes of headers (content irrelevant here), then the payload. */
#define L7_OFF 54

static const uint8_t PAYLOAD[] = {
	'G', 'E', 'T', ' ', '/', '\r', '\n', /* CR LF */
	'a', '\t', 'b',                      /* TAB */
	'c', '\\', 'd',                      /* backslash: as it is (the tutorial's 0.8) */
	0x01, 0x7f, 0xff, 0x00,              /* non-printable: '.' each */
	'~', ' ', '\n',                      /* last printable, space, LF */
};

static const char PAYLOAD_TEXT[] = "GET /\\r\\na\\tbc\\d....~ \\n";

static void
test_format_packet_tcp(void **state)
{
	static const char want_head[] =
		"1422\t44\t0x0400000000004000\t1258594164.647755\t0.363767\t1.239470\t3"
		"\teth:ipv4:tcp\t\t00:08:74:38:01:b4\t00:19:e3:e7:5d:23\t0x0800\t192.168.1.105"
		"\t49330\t143.166.11.10\t64334\t6\t0xd2\t0x04\t0\t2\t0.001000\t";
	uint8_t frame[L7_OFF + sizeof(PAYLOAD)] = { 0 };
	struct tcpw_twin twin = { .stat = 0xd2, .state = TCPW_TCP_ABRT, .win_cnt = 2 };
	struct tcpw_pkt pkt;
	struct tcpw_pkt_line l;
	char want[LINE_MAX_], buf[LINE_MAX_];
	int n;

	(void)state;
	memcpy(frame + L7_OFF, PAYLOAD, sizeof(PAYLOAD));
	memset(&pkt, 0, sizeof(pkt));
	memcpy(pkt.src_ip, IP4_A, 4);
	memcpy(pkt.dst_ip, IP4_B, 4);
	pkt.src_port = 49330;
	pkt.dst_port = 64334;
	pkt.l4_proto = 6;
	pkt.ip_ver = 4;
	pkt.has_l4 = 1;
	pkt.has_mac = 1;
	memcpy(pkt.src_mac, MAC_A, 6);
	memcpy(pkt.dst_mac, MAC_B, 6);
	pkt.tcp_flags = 0x10;
	pkt.tcp_win = 0;
	pkt.eth_type = 0x0800;
	pkt.l7_off = L7_OFF;
	pkt.l7_len = sizeof(PAYLOAD);
	pkt.hdrs = HDRS_ETH_IPV4_TCP;
	l = (struct tcpw_pkt_line){
		.pkt_no = 1422,
		.flow_ind = 44,
		.flow_stat = TCPW_FS_IPV4_PKT | TCPW_FS_IPV4,
		.ts = { 1258594164, 647755 },
		.iat_s = 0.363767,
		.duration_s = 1.23947,
		.pkt = &pkt,
		.frame = frame,
		.twin = &twin,
		.timeout_s = 0.001f,
	};
	snprintf(want, sizeof(want), "%s%s\n", want_head, PAYLOAD_TEXT);
	n = tcpw_record_format_packet(&l, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
	assert_int_equal(count_lines(buf), 1);
	assert_int_equal(count_cols(buf), PKT_COLS);

	/* No payload: the last column is empty. */
	pkt.l7_len = 0;
	n = tcpw_record_format_packet(&l, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", want_head);
	assert_string_equal(buf, want);
	assert_int_equal(count_cols(buf), PKT_COLS);

	/* Every too-small length, exactly-sized buffers. */
	pkt.l7_len = sizeof(PAYLOAD);
	for (size_t len = 1; len <= strlen(want_head) + strlen(PAYLOAD_TEXT) + 1; len++) {
		char *small = malloc(len);

		assert_non_null(small);
		assert_int_equal(tcpw_record_format_packet(&l, small, len), -ENOSPC);
		assert_string_equal(small, "");
		free(small);
	}
}

/* Non-TCP (UDP over a VLAN): the four tcpWinTMT value columns are empty, flowTmout is not. */
static void
test_format_packet_non_tcp(void **state)
{
	static const char want[] =
		"7\t3\t0x0400000000004000\t1258594170.000100\t0.000000\t0.000000\t4"
		"\teth:vlan:ipv4:udp\t42\t00:08:74:38:01:b4\t00:19:e3:e7:5d:23\t0x0800"
		"\t192.168.1.105\t5353\t143.166.11.10\t53\t17\t\t\t\t\t182.000000\tdns\n";
	static const uint8_t frame[] = {
		[46] = 'd', [47] = 'n', [48] = 's', /* payload after eth+vlan+ipv4+udp */
	};
	struct tcpw_pkt pkt;
	struct tcpw_pkt_line l;
	char buf[LINE_MAX_];

	(void)state;
	memset(&pkt, 0, sizeof(pkt));
	memcpy(pkt.src_ip, IP4_A, 4);
	memcpy(pkt.dst_ip, IP4_B, 4);
	pkt.src_port = 5353;
	pkt.dst_port = 53;
	pkt.l4_proto = 17;
	pkt.ip_ver = 4;
	pkt.has_l4 = 1;
	pkt.has_mac = 1;
	memcpy(pkt.src_mac, MAC_A, 6);
	memcpy(pkt.dst_mac, MAC_B, 6);
	pkt.eth_type = 0x0800;
	pkt.nvlan = 1;
	pkt.vlans[0] = 42;
	pkt.vlan_id = 42;
	pkt.l7_off = 46;
	pkt.l7_len = 3;
	pkt.hdrs = (struct tcpw_hdrs){
		.code = { TCPW_HDR_ETH, TCPW_HDR_VLAN, TCPW_HDR_IPV4, TCPW_HDR_UDP },
		.n = 4, .depth = 4,
	};
	l = (struct tcpw_pkt_line){
		.pkt_no = 7,
		.flow_ind = 3,
		.flow_stat = TCPW_FS_IPV4_PKT | TCPW_FS_IPV4,
		.ts = { 1258594170, 100 },
		.pkt = &pkt,
		.frame = frame,
		.twin = NULL,
		.timeout_s = 182.0f,
	};
	assert_int_equal(tcpw_record_format_packet(&l, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(count_cols(buf), PKT_COLS);
}

/* Raw-IP packet without MACs: both MAC columns empty; IPv6 addresses compressed. */
static void
test_format_packet_no_mac_ipv6(void **state)
{
	static const char want[] =
		"1\t1\t0x0800000000008000\t5.000001\t0.000000\t0.000000\t3\traw:ipv6:tcp\t\t\t"
		"\t0x86dd\t2001:db8::1\t443\tfe80::21a:2bff:fe3c:4d5e\t50000\t6\t0x02\t0x01\t65535"
		"\t0\t1.200000\t\n";
	static const uint8_t frame[60];
	struct tcpw_twin twin = { .stat = 0x02, .state = TCPW_TCP_BGN };
	struct tcpw_pkt pkt;
	struct tcpw_pkt_line l;
	char buf[LINE_MAX_];

	(void)state;
	memset(&pkt, 0, sizeof(pkt));
	memcpy(pkt.src_ip, IP6_A, 16);
	memcpy(pkt.dst_ip, IP6_B, 16);
	pkt.src_port = 443;
	pkt.dst_port = 50000;
	pkt.l4_proto = 6;
	pkt.ip_ver = 6;
	pkt.has_l4 = 1;
	pkt.tcp_flags = 0x02;
	pkt.tcp_win = 65535;
	pkt.eth_type = 0x86dd;
	pkt.l7_off = 60;
	pkt.hdrs = (struct tcpw_hdrs){
		.code = { TCPW_HDR_RAW, TCPW_HDR_IPV6, TCPW_HDR_TCP }, .n = 3, .depth = 3,
	};
	l = (struct tcpw_pkt_line){
		.pkt_no = 1,
		.flow_ind = 1,
		.flow_stat = TCPW_FS_IPV6_PKT | TCPW_FS_IPV6,
		.ts = { 5, 1 },
		.pkt = &pkt,
		.frame = frame,
		.twin = &twin,
		.timeout_s = 1.2f,
	};
	tcpw_record_format_packet(&l, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(count_cols(buf), PKT_COLS);
}

/* tcpw_record_fixed6() prints what printf("%f") prints: times as microsecond counts turned
 * into seconds, exact binary ties at the sixth decimal (odd multiples of 1/128), floats
 * widened, random bit patterns and magnitudes, signs, subnormals, and the values printf
 * keeps (infinities, NaNs, |x| >= 2^44). */
static void
check_fixed6(double x)
{
	char want[512], got[512];
	int n = tcpw_record_fixed6(x, got, sizeof(got));

	snprintf(want, sizeof(want), "%f", x);
	if (n != (int)strlen(want) || strcmp(got, want) != 0)
		fail_msg("%a: '%s', printf '%s'", x, got, want);
}

static uint64_t
rnd64(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

static void
test_fixed6(void **state)
{
	static const double fixed[] = {
		0.0, 1e-7, 4.9999999e-7, 5e-7, 5.0000001e-7, 1e-6, 0.9999994999, 0.9999995,
		0.9999995000001, 1.0, 0.363767, 1.23947, 182.0, 1258594164.647755,
		17592186044415.999, 17592186044416.0, 1e15, 1e300, DBL_MIN, DBL_MIN / 3,
		4.9406564584124654e-324, DBL_MAX, INFINITY, NAN,
	};
	uint64_t st = 0x9e3779b97f4a7c15u;
	char small[16];
	double x;

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		check_fixed6(fixed[i]);
		check_fixed6(-fixed[i]);
	}
	for (int j = -200000; j <= 200000; j++)
		check_fixed6(j / 128.0);             /* odd ones are ties at 6 decimals */
	for (int i = 0; i < 200000; i++) {
		int64_t us = (int64_t)(rnd64(&st) >> 20) - ((int64_t)1 << 43);
		uint64_t b = rnd64(&st);
		uint32_t fb = (uint32_t)rnd64(&st);
		float f;

		check_fixed6((double)us / 1e6);      /* diff_s(): a microsecond count */
		memcpy(&x, &b, sizeof(x));
		check_fixed6(x);                     /* any bit pattern */
		check_fixed6(ldexp((double)(rnd64(&st) >> 11), (int)(rnd64(&st) % 100) - 90));
		memcpy(&f, &fb, sizeof(f));
		check_fixed6((double)f);             /* a timeout */
	}
	assert_int_equal(tcpw_record_fixed6(-0.0, small, sizeof(small)), 9);
	assert_string_equal(small, "-0.000000");
	assert_int_equal(tcpw_record_fixed6(12.5, small, 9), -ENOSPC); /* "12.500000" + NUL */
	assert_string_equal(small, "");
	assert_int_equal(tcpw_record_fixed6(12.5, small, 10), 9);
}

/* The number columns at every digit count (0 to UINT64_MAX, each side of every power of
 * ten) and hex columns of every width, against printf. */
static void
test_format_packet_numbers(void **state)
{
	struct tcpw_pkt pkt;
	struct tcpw_pkt_line l;
	char buf[LINE_MAX_], want[128];
	uint64_t p10 = 1, st = 0x2545f4914f6cdd1du;

	(void)state;
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip_ver = 4;
	l = (struct tcpw_pkt_line){ .pkt = &pkt, .timeout_s = 1 };
	for (int k = 0; k <= 20; k++) {
		uint64_t vals[] = { p10 - 1, p10, p10 + 1, UINT64_MAX, 0 };

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			l.pkt_no = vals[i];
			l.flow_ind = st >> (k * 3);
			l.flow_stat = st >> (k * 3 + 1);
			snprintf(want, sizeof(want), "%" PRIu64 "\t%" PRIu64 "\t0x%016" PRIx64 "\t",
				 l.pkt_no, l.flow_ind, l.flow_stat);
			assert_true(tcpw_record_format_packet(&l, buf, sizeof(buf)) > 0);
			if (strncmp(buf, want, strlen(want)) != 0)
				fail_msg("'%s' against '%s'", buf, want);
		}
		if (k < 19)
			p10 *= 10;
		else
			p10 = UINT64_MAX; /* past 10^19 */
	}
}

/* The payload column of every byte value, in every position of a run, against a byte by
 * byte reference. */
static void
test_format_packet_payload_bytes(void **state)
{
	uint8_t frame[600];
	char buf[4096], want[2048], *w = want;
	struct tcpw_pkt pkt;
	struct tcpw_pkt_line l;
	char *col;

	(void)state;
	for (unsigned int i = 0; i < 512; i++)
		frame[i] = (uint8_t)(i < 256 ? i : i % 13 == 0 ? '\\' : 'a' + i % 26);
	for (unsigned int i = 0; i < 512; i++) {
		uint8_t c = frame[i];

		if (c == '\n' || c == '\r' || c == '\t') {
			*w++ = '\\';
			*w++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			*w++ = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
	}
	*w++ = '\n';
	*w = '\0';
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip_ver = 4;
	pkt.l7_off = 0;
	pkt.l7_len = 512;
	l = (struct tcpw_pkt_line){ .pkt_no = 1, .pkt = &pkt, .frame = frame, .timeout_s = 1 };
	assert_true(tcpw_record_format_packet(&l, buf, sizeof(buf)) > 0);
	col = strrchr(buf, '\t');
	assert_non_null(col);
	assert_string_equal(col + 1, want);
}

static void
test_ip_format(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(tcpw_ip_format(4, IP4_A, buf, sizeof(buf)), "192.168.1.105");
	assert_string_equal(tcpw_ip_format(6, IP6_B, buf, sizeof(buf)),
			    "fe80::21a:2bff:fe3c:4d5e");
	/* Too small for the address: "-" instead of a cut address. */
	assert_string_equal(tcpw_ip_format(4, IP4_A, buf, 8), "-");
	/* IPv4 is formatted without inet_ntop: the same text for every byte value, in every
	 * position */
	for (unsigned int v = 0; v < 256; v++) {
		const uint8_t ip[4] = { (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v * 7), (uint8_t)v };
		char want[INET_ADDRSTRLEN];

		assert_non_null(inet_ntop(AF_INET, ip, want, sizeof(want)));
		assert_string_equal(tcpw_ip_format(4, ip, buf, sizeof(buf)), want);
		assert_string_equal(tcpw_ip_format(4, ip, buf, INET_ADDRSTRLEN), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_ipv4_pair),
		cmocka_unit_test(test_format_ipv6_pair),
		cmocka_unit_test(test_format_lone_flow_is_a),
		cmocka_unit_test(test_format_negative_duration),
		cmocka_unit_test(test_format_enospc),
		cmocka_unit_test(test_flow_header),
		cmocka_unit_test(test_format_packet_tcp),
		cmocka_unit_test(test_format_packet_non_tcp),
		cmocka_unit_test(test_format_packet_no_mac_ipv6),
		cmocka_unit_test(test_ip_format),
		cmocka_unit_test(test_fixed6),
		cmocka_unit_test(test_format_packet_payload_bytes),
		cmocka_unit_test(test_format_packet_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
