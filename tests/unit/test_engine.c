/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/engine: packets built byte by byte go in, ended flow pairs come out.
 * The tutorial's two stories (ports 49330 and 1379, T2-SEMANTICS §7.2) are rebuilt packet by
 * packet and must give exactly the tutorial's records and packet lines; the §8 exercises,
 * the float timeout boundaries (§0, §2.4), pair survival, the reverse abort (§1.4.7),
 * packet accounting, emit refusal, the autopilot, determinism and time going backwards
 * are checked against what Tranalyzer2 0.9.3 does. Tests whose comment starts "LIB BUG"
 * assert Tranalyzer's behaviour where lib/engine currently differs from it.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine.h"
#include "tcpw_common.h"

/* ---- addresses, flags, constants ----------------------------------------------------- */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define H104 IP4(192, 168, 1, 104)   /* port 1379 story client */
#define H105 IP4(192, 168, 1, 105)   /* port 49330 story client */
#define DELL IP4(143, 166, 11, 10)   /* port 49330 story server, "Dell" */
#define MOZ IP4(63, 245, 221, 11)    /* port 1379 story server, "Mozilla Corporation" */
#define HA IP4(10, 3, 0, 1)          /* synthetic flows: HA:4000 <-> HB:5000 */
#define HB IP4(10, 3, 0, 2)

#define FIN TCPW_TH_FIN
#define SYN TCPW_TH_SYN
#define RST TCPW_TH_RST
#define PSH TCPW_TH_PSH
#define ACK TCPW_TH_ACK

#define PROTO_TCP 6
#define PROTO_UDP 17

/* Capture seconds of the two stories: the tutorial's times are these plus 100..600 s. */
#define T44 1258594000u
#define T10 1258562000u

/* flowStat of an IPv4 direction (L2_IPV4 | FS_IPV4_PKT), and with the B bit (§2.2). */
#define FS_A UINT64_C(0x0400000000004000)
#define FS_B (FS_A | TCPW_FS_INVERT)

#define NO_TWIN 0xff /* want_dir.stat: not a TCP flow, tcpWinTMT fields must be zero */

/* ---- packets and frames ---------------------------------------------------------------- */

/** One packet to build: addresses and ports in host order. */
struct tpkt {
	uint32_t sec, usec;
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t flags;    /* TCP header byte 13 */
	uint16_t win;     /* raw TCP window */
	uint16_t len;     /* transport payload bytes (fragment payload for later fragments) */
	uint16_t ipid;    /* IPv4 identification */
	uint16_t frag;    /* IPv4 flags + fragment offset field: 0x2000 = MF, low 13 bits offset */
};

#define TCP(s, us, sa, sp, da, dp, fl, w, n) ((struct tpkt){ \
	.sec = (s), .usec = (us), .sip = (sa), .dip = (da), .sport = (sp), .dport = (dp), \
	.proto = PROTO_TCP, .flags = (fl), .win = (w), .len = (n) })
#define UDP(s, us, sa, sp, da, dp, n) ((struct tpkt){ \
	.sec = (s), .usec = (us), .sip = (sa), .dip = (da), .sport = (sp), .dport = (dp), \
	.proto = PROTO_UDP, .len = (n) })

/* 14 (Ethernet) + 20 (IPv4) + 20 (TCP) + 1460 (largest payload used) = 1514 */
#define FRAME_MAX 1600

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Locally administered MAC derived from an IPv4 address: 02:00:a:b:c:d. */
static void
mac_of(uint32_t ip, uint8_t *m)
{
	m[0] = 0x02;
	m[1] = 0x00;
	put32(m + 2, ip);
}

/* Ethernet II header: destination MAC, source MAC, EtherType. Returns 14. */
static uint32_t
build_eth(uint8_t *f, uint32_t sip, uint32_t dip, uint16_t ethertype)
{
	mac_of(dip, f);                /* 0: destination MAC */
	mac_of(sip, f + 6);            /* 6: source MAC */
	put16(f + 12, ethertype);      /* 12: EtherType */
	return 14;
}

/* Eth + IPv4 (no options) + TCP (no options) or UDP + payload; a later fragment (offset
 * != 0) carries payload only. Returns the frame length. */
static uint32_t
build_frame(const struct tpkt *t, uint8_t *f)
{
	bool later_frag = (t->frag & 0x1fff) != 0;
	uint32_t l4hdr = later_frag ? 0 : t->proto == PROTO_TCP ? 20 : 8;
	uint8_t *ip = f + 14, *l4 = f + 34;

	build_eth(f, t->sip, t->dip, 0x0800);     /* IPv4 */
	ip[0] = 0x45;                             /* version 4, IHL 5 words */
	ip[1] = 0x00;                             /* DSCP/ECN */
	put16(ip + 2, 20 + l4hdr + t->len);       /* total length */
	put16(ip + 4, t->ipid);                   /* identification */
	put16(ip + 6, t->frag);                   /* flags (MF 0x2000), fragment offset */
	ip[8] = 64;                               /* TTL */
	ip[9] = t->proto;                         /* protocol */
	put16(ip + 10, 0);                        /* header checksum: not verified */
	put32(ip + 12, t->sip);                   /* source address */
	put32(ip + 16, t->dip);                   /* destination address */
	if (!later_frag) {
		put16(l4, t->sport);              /* source port */
		put16(l4 + 2, t->dport);          /* destination port */
	}
	if (!later_frag && t->proto == PROTO_TCP) {
		put32(l4 + 4, 0x1000);            /* sequence number */
		put32(l4 + 8, 0x2000);            /* acknowledgment number */
		l4[12] = 0x50;                    /* data offset 5 words, reserved 0 */
		l4[13] = t->flags;                /* CWR ECE URG ACK PSH RST SYN FIN */
		put16(l4 + 14, t->win);           /* window, unscaled */
		put16(l4 + 16, 0);                /* checksum: not verified */
		put16(l4 + 18, 0);                /* urgent pointer */
	} else if (!later_frag) {
		put16(l4 + 4, 8 + t->len);        /* UDP length */
		put16(l4 + 6, 0);                 /* checksum: none */
	}
	memset(l4 + l4hdr, 'x', t->len);
	return 34 + l4hdr + t->len;
}

/* Eth + ARP request (28 bytes): well formed, not IP. */
static uint32_t
build_arp(uint8_t *f)
{
	uint8_t *a = f + build_eth(f, HA, IP4(255, 255, 255, 255), 0x0806);

	put16(a, 1);                   /* hardware type: Ethernet */
	put16(a + 2, 0x0800);          /* protocol type: IPv4 */
	a[4] = 6;                      /* hardware address length */
	a[5] = 4;                      /* protocol address length */
	put16(a + 6, 1);               /* operation: request */
	mac_of(HA, a + 8);             /* sender MAC */
	put32(a + 14, HA);             /* sender IP */
	memset(a + 18, 0, 6);          /* target MAC: unknown */
	put32(a + 24, HB);             /* target IP */
	return 14 + 28;
}

/* ---- packet lists ------------------------------------------------------------------- */

#define PLIST_MAX 192

struct plist {
	struct tpkt p[PLIST_MAX];
	unsigned int n;
};

static unsigned int
add(struct plist *l, struct tpkt p)
{
	assert_true(l->n < PLIST_MAX);
	l->p[l->n] = p;
	return l->n++;
}

/* Flow @i of "other traffic": a lone UDP flow 10.0.x.y:5000+i -> 10.255.255.1:53 (182 s
 * timeout), used to move the flow index counter to the tutorial's values. */
static struct tpkt
filler(uint32_t sec, uint32_t usec, unsigned int i)
{
	return UDP(sec, usec, IP4(10, 0, i >> 8, i & 0xff), (uint16_t)(5000 + i),
		   IP4(10, 255, 255, 1), 53, 20);
}

/*
 * Port 49330 (§7.2, §2.5), tutorial packets 1418-1426 at *at1418 .. *at1418 + 8, the rest
 * rebuilt from the per-direction stats: 43 other flows first so the story starts at index 44,
 * one more (46) while flow 45 runs.
 *  44: A .105 SYN; B Dell SYN-ACK, data (PSH); A's windows go 2760, 0 (1420), 0 (1422): the
 *      2nd zero window aborts both directions with 1 ms.
 *  45: 1423 (Dell ACK, 0.67 s later) opens a new index; .105 answers with window 0 (1424,
 *      count 1); Dell sends data every 0.8 s, .105 ACKs it; Dell FINs at 185.427506.
 *  47: .105 RST/ACK with window 0, 5.59 s later.
 */
static void
story_49330(struct plist *l, unsigned int *at1418)
{
	unsigned int i;

	for (i = 0; i < 43; i++)
		add(l, filler(T44 + 100, i * 10000, i));
	add(l, TCP(T44 + 163, 408285, H105, 49330, DELL, 64334, SYN, 8192, 0));
	add(l, TCP(T44 + 163, 487027, DELL, 64334, H105, 49330, SYN | ACK, 64860, 0));
	add(l, TCP(T44 + 163, 487400, H105, 49330, DELL, 64334, ACK, 8192, 0));
	add(l, TCP(T44 + 164, 273745, H105, 49330, DELL, 64334, ACK, 5840, 0));
	add(l, TCP(T44 + 164, 283560, DELL, 64334, H105, 49330, ACK | PSH, 64860, 1460));
	*at1418 = add(l, TCP(T44 + 164, 283567, DELL, 64334, H105, 49330, ACK | PSH, 64860, 1460));
	add(l, TCP(T44 + 164, 283986, H105, 49330, DELL, 64334, ACK, 2760, 0));        /* 1419 */
	add(l, TCP(T44 + 164, 283988, H105, 49330, DELL, 64334, ACK, 0, 0));           /* 1420 */
	add(l, TCP(T44 + 164, 647545, DELL, 64334, H105, 49330, ACK | PSH, 64860, 1)); /* 1421 */
	add(l, TCP(T44 + 164, 647755, H105, 49330, DELL, 64334, ACK, 0, 0));           /* 1422 */
	add(l, TCP(T44 + 165, 318635, DELL, 64334, H105, 49330, ACK, 64860, 1));       /* 1423 */
	add(l, TCP(T44 + 165, 319087, H105, 49330, DELL, 64334, ACK, 0, 0));           /* 1424 */
	add(l, TCP(T44 + 165, 848253, H105, 49330, DELL, 64334, ACK, 22080, 0));       /* 1425 */
	add(l, TCP(T44 + 165, 848753, H105, 49330, DELL, 64334, ACK, 64860, 0));       /* 1426 */
	for (i = 0; i < 24; i++) {
		uint32_t us = 200000 + 800000 * i; /* 166.2 s, then every 0.8 s up to 184.6 s */

		if (i == 5)
			add(l, filler(T44 + 170, 0, 43)); /* flow 46 */
		add(l, TCP(T44 + 166 + us / 1000000, us % 1000000, DELL, 64334, H105, 49330,
			   ACK | PSH, 64860, 100));
		add(l, TCP(T44 + 166 + us / 1000000, us % 1000000 + 400, H105, 49330, DELL, 64334,
			   ACK, 64860, 0));
	}
	add(l, TCP(T44 + 185, 427506, DELL, 64334, H105, 49330, FIN | ACK, 64860, 0));
	add(l, TCP(T44 + 185, 427968, H105, 49330, DELL, 64334, ACK, 64860, 0));
	add(l, TCP(T44 + 191, 15208, H105, 49330, DELL, 64334, RST | ACK, 0, 0));
}

/*
 * Port 1379 (§7.2): 192.168.1.104:1379 <-> 63.245.221.11:80 in four pieces 10, 11, 13, 16,
 * with other flows taking 1-9, 12, 14 and 15. 10: handshake + request/response; 11 (9.8 s
 * later): data without SYN; 13: the server's FIN/ACK comes first (port rule makes it B),
 * the client's ACK 209 us later is A; 16: client FIN/ACK, server ACK.
 */
static void
story_1379(struct plist *l)
{
	unsigned int i;

	for (i = 0; i < 9; i++)
		add(l, filler(T10 + 460, i * 100000, 100 + i));
	add(l, TCP(T10 + 467, 749142, H104, 1379, MOZ, 80, SYN, 65535, 0));
	add(l, TCP(T10 + 467, 754689, MOZ, 80, H104, 1379, SYN | ACK, 5840, 0));
	add(l, TCP(T10 + 467, 754900, H104, 1379, MOZ, 80, ACK, 65535, 0));
	add(l, TCP(T10 + 467, 755100, H104, 1379, MOZ, 80, ACK | PSH, 65535, 400));
	add(l, TCP(T10 + 467, 761692, MOZ, 80, H104, 1379, ACK | PSH, 6432, 1000));
	add(l, TCP(T10 + 467, 900050, H104, 1379, MOZ, 80, ACK, 65535, 0));
	add(l, TCP(T10 + 477, 713894, H104, 1379, MOZ, 80, ACK | PSH, 65535, 300));
	add(l, TCP(T10 + 477, 772691, MOZ, 80, H104, 1379, ACK, 6432, 0));
	add(l, TCP(T10 + 477, 900000, MOZ, 80, H104, 1379, ACK | PSH, 6432, 1000));
	add(l, TCP(T10 + 477, 950000, H104, 1379, MOZ, 80, ACK, 65535, 0));
	add(l, TCP(T10 + 478, 300000, H104, 1379, MOZ, 80, ACK | PSH, 65535, 300));
	add(l, TCP(T10 + 478, 454017, MOZ, 80, H104, 1379, ACK | PSH, 6432, 500));
	add(l, TCP(T10 + 478, 454425, H104, 1379, MOZ, 80, ACK, 65535, 0));
	add(l, filler(T10 + 490, 0, 109));                                     /* flow 12 */
	add(l, TCP(T10 + 501, 432305, MOZ, 80, H104, 1379, FIN | ACK, 6432, 0));
	add(l, TCP(T10 + 501, 432514, H104, 1379, MOZ, 80, ACK, 65535, 0));
	add(l, filler(T10 + 505, 0, 110));                                     /* flow 14 */
	add(l, filler(T10 + 505, 100000, 111));                                /* flow 15 */
	add(l, TCP(T10 + 509, 633370, H104, 1379, MOZ, 80, FIN | ACK, 65535, 0));
	add(l, TCP(T10 + 509, 653962, MOZ, 80, H104, 1379, ACK, 6432, 0));
}

/* ---- engine harness ---------------------------------------------------------------- */

#define REC_MAX 128
#define LINE_MAX_ 192

/** A packet line as packet mode reported it (copied: the engine's pointers are transient). */
struct line {
	uint64_t pkt_no;
	uint64_t flow_ind;
	uint64_t flow_stat;
	struct tcpw_ts ts;
	double iat_s;
	double duration_s;
	bool examined;
	struct tcpw_twin twin;
	uint16_t win;
	float timeout_s;
};

struct ctx {
	struct tcpw_engine *e;
	struct tcpw_record rec[REC_MAX];  /* records taken, in emit order */
	unsigned int nrec;
	struct line line[LINE_MAX_];      /* packet lines, in packet order */
	unsigned int nline;
	unsigned int calls;               /* emit calls, refused ones included */
	unsigned int refuse_first;        /* refuse calls 0 .. refuse_first - 1 */
	uint64_t refuse_mask;             /* and every call whose bit is set */
	bool overflow;
};

static int
emit_cb(void *arg, const struct tcpw_record *r)
{
	struct ctx *c = arg;
	unsigned int call = c->calls++;

	if (call < c->refuse_first || (call < 64 && (c->refuse_mask >> call) & 1))
		return -ENOBUFS;
	if (c->nrec == REC_MAX) {
		c->overflow = true;
		return -ENOBUFS;
	}
	memcpy(&c->rec[c->nrec++], r, sizeof(*r)); /* padding included, for memcmp */
	return 0;
}

static void
pkt_cb(void *arg, const struct tcpw_pkt_line *l)
{
	struct ctx *c = arg;
	struct line *o;

	if (c->nline == LINE_MAX_) {
		c->overflow = true;
		return;
	}
	o = &c->line[c->nline++];
	memset(o, 0, sizeof(*o));
	o->pkt_no = l->pkt_no;
	o->flow_ind = l->flow_ind;
	o->flow_stat = l->flow_stat;
	o->ts = l->ts;
	o->iat_s = l->iat_s;
	o->duration_s = l->duration_s;
	o->examined = l->twin != NULL;
	if (l->twin != NULL)
		o->twin = *l->twin;
	o->win = l->pkt->tcp_win;
	o->timeout_s = l->timeout_s;
}

/* The tutorial's constants (§1.2, TMT_BGN 1.2 s as configured for the reference runs). */
static const struct tcpw_tmt tmt_tutorial = {
	.thres = 1,
	.flwprg = 2,
	.bgn_s = 1.2f,
	.est_s = 1.0f,
	.abrt_s = 0.001f,
};

/* Memory a test holds: freed by teardown() when an assertion ends the test early. */
#define OWNED_MAX 8
static void *owned[OWNED_MAX];
static struct ctx *owned_ctx[OWNED_MAX];

static void *
scratch(size_t size)
{
	for (unsigned int i = 0; i < OWNED_MAX; i++) {
		if (owned[i] == NULL) {
			owned[i] = calloc(1, size);
			assert_non_null(owned[i]);
			return owned[i];
		}
	}
	fail_msg("more than %d blocks held", OWNED_MAX);
	return NULL;
}

static void
release(void *p)
{
	for (unsigned int i = 0; i < OWNED_MAX; i++)
		if (owned[i] == p)
			owned[i] = NULL;
	free(p);
}

static void
ctx_release(struct ctx *c)
{
	for (unsigned int i = 0; i < OWNED_MAX; i++)
		if (owned_ctx[i] == c)
			owned_ctx[i] = NULL;
	tcpw_engine_free(c->e);
	release(c);
}

static int
teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < OWNED_MAX; i++)
		if (owned_ctx[i] != NULL)
			ctx_release(owned_ctx[i]);
	for (unsigned int i = 0; i < OWNED_MAX; i++)
		if (owned[i] != NULL)
			release(owned[i]);
	return 0;
}

static struct ctx *
ctx_new_seeded(uint32_t pairs, const struct tcpw_tmt *tmt, uint64_t hash_seed)
{
	struct ctx *c = scratch(sizeof(*c));
	struct tcpw_engine_params p = {
		.pairs = pairs,
		.linktype = TCPW_DLT_EN10MB,
		.tmt = *tmt,
		.flow_timeout_s = 182.0f,
		.emit = emit_cb,
		.pkt_cb = pkt_cb,
		.hash_seed = hash_seed,
	};

	p.emit_ctx = c;
	p.pkt_ctx = c;
	c->e = tcpw_engine_create(&p);
	assert_non_null(c->e);
	for (unsigned int i = 0; i < OWNED_MAX; i++) {
		if (owned_ctx[i] == NULL) {
			owned_ctx[i] = c;
			break;
		}
	}
	return c;
}

static struct ctx *
ctx_new_tmt(uint32_t pairs, const struct tcpw_tmt *tmt)
{
	return ctx_new_seeded(pairs, tmt, 0);
}

static struct ctx *
ctx_new(uint32_t pairs)
{
	return ctx_new_tmt(pairs, &tmt_tutorial);
}

static void
ctx_free(struct ctx *c)
{
	assert_false(c->overflow);
	ctx_release(c);
}

static void
drain_all(struct ctx *c)
{
	while (tcpw_engine_drain(c->e, 16) > 0)
		;
}

static struct tcpw_ts
ts_of(const struct tpkt *t)
{
	return (struct tcpw_ts){ .sec = t->sec, .usec = t->usec };
}

/* Hand one packet to the engine (must be accepted), then take every retired record. */
static void
feed(struct ctx *c, struct tpkt t)
{
	uint8_t f[FRAME_MAX];
	uint32_t len = build_frame(&t, f);

	assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), 0);
	drain_all(c);
}

/* As app/main.c does: on -ENOSPC hand records over and offer the packet again. */
static void
feed_retry(struct ctx *c, struct tpkt t)
{
	uint8_t f[FRAME_MAX];
	uint32_t len = build_frame(&t, f);
	int rc;

	for (unsigned int i = 0; i < 3; i++) {
		rc = tcpw_engine_packet(c->e, f, len, ts_of(&t));
		drain_all(c);
		if (rc != -ENOSPC)
			break;
	}
	assert_int_equal(rc, 0);
}

static void
feed_list(struct ctx *c, const struct plist *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		feed(c, l->p[i]);
}

/* End of input: flush and drain; nothing may stay behind. */
static void
finish(struct ctx *c)
{
	tcpw_engine_flush(c->e);
	drain_all(c);
	assert_int_equal(tcpw_engine_pending(c->e), 0);
	assert_int_equal(tcpw_engine_pairs(c->e), 0);
}

/* Position in c->rec of the record with flow index @ind; fails if absent or duplicated. */
static unsigned int
rec_pos(const struct ctx *c, uint64_t ind)
{
	unsigned int pos = REC_MAX, n = 0;

	for (unsigned int i = 0; i < c->nrec; i++) {
		if (c->rec[i].flow_ind == ind) {
			pos = i;
			n++;
		}
	}
	if (n != 1)
		fail_msg("flow index %llu emitted %u times", (unsigned long long)ind, n);
	return pos;
}

static const struct tcpw_record *
rec_of(const struct ctx *c, uint64_t ind)
{
	return &c->rec[rec_pos(c, ind)];
}

/* ---- record checks -------------------------------------------------------------------- */

/** What one direction of a record must hold. */
struct want_dir {
	uint32_t sip;
	uint16_t sport;
	uint32_t dip;
	uint16_t dport;
	uint64_t flow_stat;
	uint32_t first_sec, first_usec;
	uint32_t last_sec, last_usec;
	uint64_t pkts;
	uint8_t stat;       /* tcpWinStat (NO_TWIN: not TCP, all three zero) */
	uint8_t state;      /* tcpWinState */
	uint32_t cnt;       /* tcpWinThCnt */
};

static void
assert_ip4(const uint8_t *ip16, uint32_t ip)
{
	uint8_t want[16] = { 0 };

	put32(want, ip);
	assert_memory_equal(ip16, want, 16);
}

static void
check_dir(const struct tcpw_record_dir *d, const struct want_dir *w)
{
	assert_ip4(d->src_ip, w->sip);
	assert_int_equal(d->src_port, w->sport);
	assert_ip4(d->dst_ip, w->dip);
	assert_int_equal(d->dst_port, w->dport);
	assert_int_equal(d->flow_stat, w->flow_stat);
	assert_int_equal(d->first.sec, w->first_sec);
	assert_int_equal(d->first.usec, w->first_usec);
	assert_int_equal(d->last.sec, w->last_sec);
	assert_int_equal(d->last.usec, w->last_usec);
	assert_int_equal(d->pkts, w->pkts);
	if (w->stat == NO_TWIN) {
		assert_int_equal(d->twin.stat, 0);
		assert_int_equal(d->twin.state, 0);
		assert_int_equal(d->twin.win_cnt, 0);
		return;
	}
	assert_int_equal(d->twin.stat, w->stat);
	assert_int_equal(d->twin.state, w->state);
	assert_int_equal(d->twin.win_cnt, w->cnt);
}

/** A whole record: index, end reason, one or two directions ("A" first). */
struct want_rec {
	uint64_t ind;
	uint8_t reason;
	uint8_t ndir;
	struct want_dir d[2];
};

static void
check_rec(const struct ctx *c, const struct want_rec *w)
{
	const struct tcpw_record *r = rec_of(c, w->ind);

	assert_int_equal(r->ip_ver, 4);
	assert_int_equal(r->ndir, w->ndir);
	assert_int_equal(r->reason, w->reason);
	for (unsigned int i = 0; i < w->ndir; i++)
		check_dir(&r->dir[i], &w->d[i]);
}

/* The tutorial's flow lines start with these columns (dir .. duration), end with the
 * tcpWinTMT ones (l4Proto, stat, state, count): check the text form of the record. */
static void
check_text(const struct tcpw_record *r, const char *line_a, const char *tail_a,
	   const char *line_b, const char *tail_b)
{
	char buf[2048], *nl;
	int n = tcpw_record_format(r, buf, sizeof(buf));

	assert_true(n > 0);
	if (strncmp(buf, line_a, strlen(line_a)) != 0)
		fail_msg("A line \"%s\" does not start with \"%s\"", buf, line_a);
	nl = strchr(buf, '\n');
	assert_non_null(nl);
	*nl = '\0';
	if (strstr(buf, tail_a) == NULL)
		fail_msg("A line \"%s\" lacks \"%s\"", buf, tail_a);
	if (line_b == NULL) {
		assert_string_equal(nl + 1, "");
		return;
	}
	if (strncmp(nl + 1, line_b, strlen(line_b)) != 0)
		fail_msg("B line \"%s\" does not start with \"%s\"", nl + 1, line_b);
	if (strstr(nl + 1, tail_b) == NULL)
		fail_msg("B line \"%s\" lacks \"%s\"", nl + 1, tail_b);
}

/* ---- 1. story "port 49330" ----------------------------------------------------------- */

/* 44A, 44B, 45A, 45B, 47A of §7.2 (pkts counted from the rebuilt packet list). */
static const struct want_rec want_44 = {
	.ind = 44, .reason = TCPW_END_TIMEOUT, .ndir = 2, .d = {
		{ H105, 49330, DELL, 64334, FS_A, T44 + 163, 408285, T44 + 164, 647755, 6,
		  0xd2, 0x04, 2 },
		{ DELL, 64334, H105, 49330, FS_B, T44 + 163, 487027, T44 + 164, 647545, 4,
		  0x1a, 0x04, 0 },
	},
};

static const struct want_rec want_45 = {
	.ind = 45, .reason = TCPW_END_TIMEOUT, .ndir = 2, .d = {
		{ DELL, 64334, H105, 49330, FS_A, T44 + 165, 318635, T44 + 185, 427506, 26,
		  0x19, 0x04, 0 },
		{ H105, 49330, DELL, 64334, FS_B, T44 + 165, 319087, T44 + 185, 427968, 28,
		  0x90, 0x02, 1 },
	},
};

static const struct want_rec want_47 = {
	.ind = 47, .reason = TCPW_END_FLUSH, .ndir = 1, .d = {
		{ H105, 49330, DELL, 64334, FS_A, T44 + 191, 15208, T44 + 191, 15208, 1,
		  0x94, 0x04, 1 },
	},
};

/* Records of the 49330 story as the tutorial lists them, with the emit order. */
static void
check_49330_records(const struct ctx *c)
{
	check_rec(c, &want_44);
	check_rec(c, &want_45);
	check_rec(c, &want_47);
	/* 44 ends when 1423 arrives, 45 when the RST arrives, 47 at the end of input */
	assert_int_equal(rec_pos(c, 44), 0);
	assert_int_equal(rec_pos(c, 45), 1);
	assert_int_equal(rec_pos(c, 47), c->nrec - 1);
	assert_int_equal(c->nrec, 47);
	for (uint64_t i = 1; i <= 47; i++)
		(void)rec_pos(c, i); /* every index used exactly once */
}

/** Packets 1418-1426 as the tutorial's packet file lists them (§7.2). */
struct listing_row {
	uint64_t ind;
	bool b;
	uint32_t sec, usec;
	int64_t iat_us, dur_us;
	uint8_t stat, state;
	uint16_t win;
	uint32_t cnt;
	float tmout;
};

static const struct listing_row listing_1418[] = {
	{ 44, true, T44 + 164, 283567, 7, 796540, 0x1a, 0x01, 64860, 0, 1.0f },
	{ 44, false, T44 + 164, 283986, 10241, 875701, 0x12, 0x01, 2760, 0, 1.0f },
	{ 44, false, T44 + 164, 283988, 2, 875703, 0x92, 0x01, 0, 1, 1.0f },
	{ 44, true, T44 + 164, 647545, 363978, 1160518, 0x1a, 0x01, 64860, 0, 1.0f },
	{ 44, false, T44 + 164, 647755, 363767, 1239470, 0xd2, 0x04, 0, 2, 0.001f },
	{ 45, false, T44 + 165, 318635, 0, 0, 0x10, 0x02, 64860, 0, 1.0f },
	{ 45, true, T44 + 165, 319087, 0, 0, 0x90, 0x02, 0, 1, 1.0f },
	{ 45, true, T44 + 165, 848253, 529166, 529166, 0x90, 0x02, 22080, 1, 1.0f },
	{ 45, true, T44 + 165, 848753, 500, 529666, 0x90, 0x02, 64860, 1, 1.0f },
};

static void
check_listing(const struct ctx *c, unsigned int at)
{
	for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(listing_1418); i++) {
		const struct listing_row *w = &listing_1418[i];
		const struct line *l = &c->line[at + i];

		assert_int_equal(l->pkt_no, at + i + 1);
		assert_int_equal(l->flow_ind, w->ind);
		assert_int_equal(l->flow_stat, w->b ? FS_B : FS_A);
		assert_int_equal(l->ts.sec, w->sec);
		assert_int_equal(l->ts.usec, w->usec);
		assert_int_equal(llround(l->iat_s * 1e6), w->iat_us);
		assert_int_equal(llround(l->duration_s * 1e6), w->dur_us);
		assert_true(l->examined);
		assert_int_equal(l->twin.stat, w->stat);
		assert_int_equal(l->twin.state, w->state);
		assert_int_equal(l->win, w->win);
		assert_int_equal(l->twin.win_cnt, w->cnt);
		assert_true(l->timeout_s == w->tmout);
	}
}

static void
test_story_49330(void **state)
{
	struct plist *l = scratch(sizeof(*l));
	struct ctx *c = ctx_new(128);
	struct tcpw_engine_stats st;
	unsigned int at;

	(void)state;
	story_49330(l, &at);
	feed_list(c, l);
	/* before the end of input only 44 and 45 have ended (the other flows have 182 s) */
	assert_int_equal(c->nrec, 2);
	finish(c);
	check_49330_records(c);
	assert_int_equal(c->nline, l->n);
	check_listing(c, at);
	check_text(rec_of(c, 44),
		   "A\t44\t0x0400000000004000\t1258594163.408285\t1258594164.647755\t1.239470\t",
		   "\t6\t0xd2\t0x04\t2\t",
		   "B\t44\t0x0400000000004001\t1258594163.487027\t1258594164.647545\t1.160518\t",
		   "\t6\t0x1a\t0x04\t0\t");
	check_text(rec_of(c, 45),
		   "A\t45\t0x0400000000004000\t1258594165.318635\t1258594185.427506\t20.108871\t",
		   "\t6\t0x19\t0x04\t0\t",
		   "B\t45\t0x0400000000004001\t1258594165.319087\t1258594185.427968\t20.108881\t",
		   "\t6\t0x90\t0x02\t1\t");
	check_text(rec_of(c, 47),
		   "A\t47\t0x0400000000004000\t1258594191.015208\t1258594191.015208\t0.000000\t",
		   "\t6\t0x94\t0x04\t1\t", NULL, NULL);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.a_created, 47);
	assert_int_equal(st.b_created, 2);
	assert_int_equal(st.rec_dirs, 49);
	assert_int_equal(st.rec_lone_inverted, 0);
	assert_int_equal(st.win_below, 4);       /* 1420, 1422, 1424 and the RST */
	assert_int_equal(st.agg_twin_stat, 0xdf);
	assert_int_equal(st.agg_twin_state, 0x06); /* no piece ends in BGN here (0x07 in §7.2) */
	ctx_free(c);
	release(l);
}

/* ---- 2. story "port 1379" ------------------------------------------------------------ */

#define A1379(fs, fu, ls, lu, n, st, sa) \
	{ H104, 1379, MOZ, 80, FS_A, T10 + (fs), (fu), T10 + (ls), (lu), (n), (st), (sa), 0 }
#define B1379(fs, fu, ls, lu, n, st, sa) \
	{ MOZ, 80, H104, 1379, FS_B, T10 + (fs), (fu), T10 + (ls), (lu), (n), (st), (sa), 0 }

static const struct want_rec want_1379[] = {
	{ 10, TCPW_END_TIMEOUT, 2, {
		A1379(467, 749142, 467, 900050, 4, 0x1a, 0x01),
		B1379(467, 754689, 467, 761692, 2, 0x1a, 0x01) } },
	{ 11, TCPW_END_TIMEOUT, 2, {
		A1379(477, 713894, 478, 454425, 4, 0x18, 0x02),
		B1379(477, 772691, 478, 454017, 3, 0x18, 0x02) } },
	{ 13, TCPW_END_TIMEOUT, 2, {
		A1379(501, 432514, 501, 432514, 1, 0x10, 0x02),
		B1379(501, 432305, 501, 432305, 1, 0x11, 0x04) } },
	{ 16, TCPW_END_FLUSH, 2, {
		A1379(509, 633370, 509, 633370, 1, 0x11, 0x04),
		B1379(509, 653962, 509, 653962, 1, 0x10, 0x02) } },
};

static void
test_story_1379(void **state)
{
	struct plist *l = scratch(sizeof(*l));
	struct ctx *c = ctx_new(64);
	const struct tcpw_record *r13;

	(void)state;
	story_1379(l);
	feed_list(c, l);
	assert_int_equal(c->nrec, 3); /* 10, 11 and 13 ended by the next piece's first packet */
	finish(c);
	for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(want_1379); i++)
		check_rec(c, &want_1379[i]);
	assert_int_equal(rec_pos(c, 10), 0);
	assert_int_equal(rec_pos(c, 11), 1);
	assert_int_equal(rec_pos(c, 13), 2);
	assert_int_equal(rec_pos(c, 16), c->nrec - 1);
	assert_int_equal(c->nrec, 16);
	/* 13: the B line's first packet precedes the A line's (port rule on the FIN/ACK) */
	r13 = rec_of(c, 13);
	assert_true(r13->dir[1].first.usec < r13->dir[0].first.usec);
	check_text(r13,
		   "A\t13\t0x0400000000004000\t1258562501.432514\t1258562501.432514\t0.000000\t",
		   "\t6\t0x10\t0x02\t0\t",
		   "B\t13\t0x0400000000004001\t1258562501.432305\t1258562501.432305\t0.000000\t",
		   "\t6\t0x11\t0x04\t0\t");
	check_text(rec_of(c, 10),
		   "A\t10\t0x0400000000004000\t1258562467.749142\t1258562467.900050\t0.150908\t",
		   "\t6\t0x1a\t0x01\t0\t",
		   "B\t10\t0x0400000000004001\t1258562467.754689\t1258562467.761692\t0.007003\t",
		   "\t6\t0x1a\t0x01\t0\t");
	check_text(rec_of(c, 11),
		   "A\t11\t0x0400000000004000\t1258562477.713894\t1258562478.454425\t0.740531\t",
		   "\t6\t0x18\t0x02\t0\t",
		   "B\t11\t0x0400000000004001\t1258562477.772691\t1258562478.454017\t0.681326\t",
		   "\t6\t0x18\t0x02\t0\t");
	ctx_free(c);
	release(l);
}

/* ---- 3. §8.1 TMT_EST = 4.0 ------------------------------------------------------------- */

static void
test_exercise_tmt_est_4(void **state)
{
	struct tcpw_tmt tmt = tmt_tutorial;
	struct plist *l = scratch(sizeof(*l));
	struct ctx *c;
	unsigned int at;

	(void)state;
	tmt.est_s = 4.0f;
	c = ctx_new_tmt(128, &tmt);
	story_49330(l, &at);
	feed_list(c, l);
	finish(c);
	/* the 1 ms abort still splits at 1422/1423, the 5.59 s gap before the RST is > 4 s */
	check_49330_records(c);
	assert_int_equal(c->nline, l->n);
	for (unsigned int i = 0; i < l->n; i++) {
		const struct tpkt *p = &l->p[i];
		const struct line *ln = &c->line[i];
		float want = 4.0f; /* BGN after its SYN packet, EST, and the FIN/RST packets */

		if (p->proto != PROTO_TCP) {
			assert_false(ln->examined);
			assert_true(ln->timeout_s == 182.0f);
			continue;
		}
		if (p->flags & SYN)
			want = 1.2f;          /* TMT_BGN right after the SYN packet */
		else if (i == at + 4)
			want = 0.001f;        /* 1422: the window abort */
		assert_true(ln->examined);
		if (ln->timeout_s != want)
			fail_msg("packet %u: timeout %.6f, want %.6f", i, (double)ln->timeout_s,
				 (double)want);
		if (ln->twin.state == TCPW_TCP_BGN || ln->twin.state == TCPW_TCP_EST)
			assert_true(ln->timeout_s == 4.0f || (p->flags & SYN));
	}
	ctx_free(c);
	release(l);
}

/* ---- 4. §8.2 TCPWIN_FLWPRG = 3 -------------------------------------------------------- */

static const struct want_rec want_flwprg3[] = {
	{ 44, TCPW_END_TIMEOUT, 2, {
		{ H105, 49330, DELL, 64334, FS_A, T44 + 163, 408285, T44 + 165, 319087, 7,
		  0xd2, 0x04, 3 },
		{ DELL, 64334, H105, 49330, FS_B, T44 + 163, 487027, T44 + 165, 318635, 5,
		  0x1a, 0x04, 0 } } },
	{ 45, TCPW_END_TIMEOUT, 2, { /* orientation flipped: .105 -> Dell is A now */
		{ H105, 49330, DELL, 64334, FS_A, T44 + 165, 848253, T44 + 185, 427968, 27,
		  0x10, 0x02, 0 },
		{ DELL, 64334, H105, 49330, FS_B, T44 + 166, 200000, T44 + 185, 427506, 25,
		  0x19, 0x04, 0 } } },
};

static void
test_exercise_flwprg_3(void **state)
{
	static const float est[] = { 1.0f, 4.0f }; /* alone, and on top of §8.1 */

	(void)state;
	for (unsigned int k = 0; k < TCPW_ARRAY_SIZE(est); k++) {
		struct tcpw_tmt tmt = tmt_tutorial;
		struct plist *l = scratch(sizeof(*l));
		struct ctx *c;
		unsigned int at;

		tmt.flwprg = 3;
		tmt.est_s = est[k];
		c = ctx_new_tmt(128, &tmt);
		story_49330(l, &at);
		feed_list(c, l);
		/* 1422 no longer aborts: 44A stays BGN with TMT_EST, 1423 joins 44 */
		assert_int_equal(c->line[at + 4].flow_ind, 44);
		assert_int_equal(c->line[at + 4].twin.state, TCPW_TCP_BGN);
		assert_true(c->line[at + 4].timeout_s == est[k]);
		assert_int_equal(c->line[at + 5].flow_ind, 44);
		/* 1424 (count 3) aborts both directions; 1425 opens 45 */
		assert_int_equal(c->line[at + 6].flow_ind, 44);
		assert_true(c->line[at + 6].timeout_s == 0.001f);
		assert_int_equal(c->line[at + 7].flow_ind, 45);
		finish(c);
		for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(want_flwprg3); i++)
			check_rec(c, &want_flwprg3[i]);
		check_rec(c, &want_47);  /* the lone RST flow is unchanged */
		assert_int_equal(rec_pos(c, 44), 0);
		assert_int_equal(rec_pos(c, 45), 1);
		assert_int_equal(c->nrec, 47); /* same number of flows */
		ctx_free(c);
		release(l);
	}
}

/* ---- 5. float boundaries -------------------------------------------------------------- */

/** One packet of the synthetic flow HA:4000 -> HB:5000. */
struct step {
	uint32_t sec, usec;
	uint8_t flags;
	uint16_t win;
};

/* Feed @n packets of one direction to a fresh engine; all but the last must share index 1;
 * return the index of the last one. */
static uint64_t
last_index(const struct step *s, unsigned int n)
{
	struct ctx *c = ctx_new(8);
	uint64_t ind;

	for (unsigned int i = 0; i < n; i++)
		feed(c, TCP(s[i].sec, s[i].usec, HA, 4000, HB, 5000, s[i].flags, s[i].win, 0));
	assert_int_equal(c->nline, n);
	for (unsigned int i = 0; i + 1 < n; i++)
		assert_int_equal(c->line[i].flow_ind, 1);
	ind = c->line[n - 1].flow_ind;
	/* a new index means the old flow was emitted before the packet was counted */
	assert_int_equal(c->nrec, ind == 1 ? 0 : 1);
	finish(c);
	ctx_free(c);
	return ind;
}

static void
test_boundaries(void **state)
{
	/* EST (1.0 s): a gap of exactly 1.000000 s expires, 0.999999 s does not */
	const struct step est_eq[] = { { 1000, 500000, ACK, 100 }, { 1001, 500000, ACK, 100 } };
	const struct step est_lt[] = { { 1000, 500000, ACK, 100 }, { 1001, 499999, ACK, 100 } };
	/* ABRT (1 ms float 0.0010000000475): exactly 1000 us expires, 999 us does not */
	const struct step ab_eq[] = { { 1000, 100000, ACK, 0 }, { 1000, 100500, ACK, 0 },
				      { 1000, 101500, ACK, 100 } };
	const struct step ab_lt[] = { { 1000, 100000, ACK, 0 }, { 1000, 100500, ACK, 0 },
				      { 1000, 101499, ACK, 100 } };
	/* BGN (1.2 s) right after a SYN: exactly 1.2 s expires, 1.199999 s does not */
	const struct step bgn_eq[] = { { 1000, 100000, SYN, 100 }, { 1001, 300000, ACK, 100 } };
	const struct step bgn_lt[] = { { 1000, 100000, SYN, 100 }, { 1001, 299999, ACK, 100 } };
	/* the 2nd packet of a SYN direction uses TMT_EST (1.0 s) though its state stays BGN */
	const struct step bgn2[] = { { 1000, 100000, SYN, 100 }, { 1000, 200000, ACK, 100 },
				     { 1001, 200000, ACK, 100 } };

	(void)state;
	assert_int_equal(last_index(est_eq, 2), 2);
	assert_int_equal(last_index(est_lt, 2), 1);
	assert_int_equal(last_index(ab_eq, 3), 2);
	assert_int_equal(last_index(ab_lt, 3), 1);
	assert_int_equal(last_index(bgn_eq, 2), 2);
	assert_int_equal(last_index(bgn_lt, 2), 1);
	assert_int_equal(last_index(bgn2, 3), 2);
}

/*
 * LIB BUG (engine.c age_s()): exactly 1000 us across a second boundary must expire the 1 ms
 * timeout. Tranalyzer 0.9.3 (main.c cycleLRUList) computes the age as
 *	float timeDiff = now.tv_sec - last.tv_sec;
 *	timeDiff += (now.tv_usec - last.tv_usec) / TSTAMPFAC;   (TSTAMPFAC = 1000000.0, double)
 * i.e. float(1.0 + (-999000 / 1e6)) = float(0.001) = 0.001f >= 0.001f: expired. The engine
 * does the division and the sum in float: 1.0f + (-0.999f) = 0.00099998713 < 0.001f, so the
 * pair survives and the packet joins the aborted flow.
 */
static void
test_boundary_abrt_across_second(void **state)
{
	const struct step s[] = { { 1000, 999000, ACK, 0 }, { 1000, 999500, ACK, 0 },
				  { 1001, 500, ACK, 100 } };

	(void)state;
	assert_int_equal(last_index(s, 3), 2);
}

/* ---- 6. pair survival ----------------------------------------------------------------- */

static void
test_pair_needs_both_expired(void **state)
{
	struct ctx *c = ctx_new(8);
	const struct tcpw_record *r;

	(void)state;
	/* A: ACK -> EST 1.0 s; B: bare FIN without ACK -> stays NEW with 182 s (§1.4.3) */
	feed(c, TCP(2000, 0, HA, 4000, HB, 5000, ACK, 100, 0));
	feed(c, TCP(2000, 100000, HB, 5000, HA, 4000, FIN, 100, 0));
	assert_true(c->line[1].timeout_s == 182.0f);
	assert_int_equal(c->line[1].twin.state, TCPW_TCP_NEW);
	/* 5 s later A has long expired, B has not: the pair lives, the packet joins it */
	feed(c, TCP(2005, 0, HA, 4000, HB, 5000, ACK, 100, 0));
	assert_int_equal(c->line[2].flow_ind, 1);
	/* B idle 181.999 s: still alive; 182.000 s: the pair ends (age >= timeout) */
	feed(c, UDP(2182, 99000, HA, 6000, HB, 7000, 10));
	assert_int_equal(c->nrec, 0);
	feed(c, UDP(2182, 100000, HA, 6000, HB, 7000, 10));
	assert_int_equal(c->nrec, 1);
	r = &c->rec[0];
	assert_int_equal(r->flow_ind, 1);
	assert_int_equal(r->reason, TCPW_END_TIMEOUT);
	assert_int_equal(r->ndir, 2);
	check_dir(&r->dir[0], &(struct want_dir){ HA, 4000, HB, 5000, FS_A, 2000, 0, 2005, 0, 2,
						   0x10, 0x02, 0 });
	check_dir(&r->dir[1], &(struct want_dir){ HB, 5000, HA, 4000, FS_B, 2000, 100000, 2000,
						   100000, 1, 0x01, 0x00, 0 });
	finish(c);
	ctx_free(c);
}

static void
test_lone_and_udp_timeouts(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	/* lone bare FIN: NEW, 182 s */
	feed(c, TCP(3000, 0, HA, 4000, HB, 5000, FIN, 100, 0));
	/* UDP pair: 182 s per direction */
	feed(c, UDP(3000, 0, HA, 40000, HB, 53, 30));
	feed(c, UDP(3000, 200000, HB, 53, HA, 40000, 60));
	feed(c, UDP(3181, 900000, HA, 40000, HB, 53, 30)); /* A 181.9 s idle: joins */
	assert_int_equal(c->line[3].flow_ind, 2);
	assert_false(c->line[3].examined);
	assert_true(c->line[3].timeout_s == 182.0f);
	assert_int_equal(c->nrec, 0);
	feed(c, UDP(3181, 950000, HB, 7, HA, 7, 1));       /* flow 3; lone FIN 181.95 s: alive */
	assert_int_equal(c->nrec, 0);
	feed(c, UDP(3182, 0, HB, 7, HA, 7, 1));            /* lone FIN 182 s: ends */
	assert_int_equal(c->nrec, 1);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_TIMEOUT, 1, {
		{ HA, 4000, HB, 5000, FS_A, 3000, 0, 3000, 0, 1, 0x01, 0x00, 0 } } });
	/* UDP pair: A last 3181.9, B last 3000.2; A idle 181.99 s: alive */
	feed(c, UDP(3363, 890000, HB, 8, HA, 8, 1));       /* flow 4 */
	assert_int_equal(c->nrec, 1);
	/* A idle 181.999999 s: as a 32-bit float that is 182.0f (the float spacing at 182 is
	 * 1.5e-5), so the pair ends; Tranalyzer computes the same float (§0) */
	feed(c, UDP(3363, 899999, HA, 40000, HB, 53, 30));
	assert_int_equal(c->nrec, 2);
	check_rec(c, &(struct want_rec){ 2, TCPW_END_TIMEOUT, 2, {
		{ HA, 40000, HB, 53, FS_A, 3000, 0, 3181, 900000, 2, NO_TWIN, 0, 0 },
		{ HB, 53, HA, 40000, FS_B, 3000, 200000, 3000, 200000, 1, NO_TWIN, 0, 0 } } });
	assert_int_equal(c->line[c->nline - 1].flow_ind, 5); /* the packet got a new index */
	finish(c);
	ctx_free(c);
}

/* A timeout no gap can reach (the API takes any positive float, +inf too) never ends a
 * flow, and the walk's due time built on it stays representable (the UBSan build checks the
 * arithmetic). */
static void
test_unreachable_timeout(void **state)
{
	struct ctx *c = ctx_new(8);
	struct tcpw_tmt tmt = tmt_tutorial;

	(void)state;
	tmt.bgn_s = tmt.est_s = tmt.abrt_s = INFINITY;
	assert_int_equal(tcpw_engine_set_timeouts(c->e, &tmt, 1e13f), 0);
	feed(c, UDP(3000, 0, HA, 40000, HB, 53, 30));
	feed(c, UDP(3000, 200000, HB, 53, HA, 40000, 60));
	feed(c, UDP(2000000000, 0, HA, 7, HB, 7, 1));       /* 63 years later */
	feed(c, UDP(4000000000u, 0, HA, 8, HB, 8, 1));
	/* 63 and 127 years idle: no walk ends a flow whose timeout is 1e13 s */
	assert_int_equal(c->nrec, 0);
	finish(c);
	ctx_free(c);
}

/* Reloads that each bring a new TMT_EST fill the 8 timeout values; the next is refused
 * with -ENOSPC, but its zero-window threshold applies all the same (a review found the
 * whole tcpWinTMT change dropped), and values already known are still taken. */
static void
test_timeouts_exhausted(void **state)
{
	struct ctx *c = ctx_new(8);
	struct tcpw_tmt tmt = tmt_tutorial;

	(void)state;
	for (unsigned int k = 2; k <= 5; k++) {
		tmt.est_s = (float)k;
		assert_int_equal(tcpw_engine_set_timeouts(c->e, &tmt, 182.0f), 0);
	}
	tmt.est_s = 6.0f;
	tmt.thres = 100;
	assert_int_equal(tcpw_engine_set_timeouts(c->e, &tmt, 182.0f), -ENOSPC);
	tmt.bgn_s = -1.0f;
	tmt.thres = 200;
	assert_int_equal(tcpw_engine_set_timeouts(c->e, &tmt, 182.0f), -EINVAL);
	feed(c, TCP(3000, 0, HA, 40000, HB, 80, ACK, 150, 0)); /* below 200, not below 100 */
	feed(c, TCP(3000, 1000, HA, 40000, HB, 80, ACK, 50, 0));
	tmt = tmt_tutorial; /* all known: taken */
	assert_int_equal(tcpw_engine_set_timeouts(c->e, &tmt, 182.0f), 0);
	feed(c, TCP(3000, 2000, HA, 40000, HB, 80, ACK, 50, 0));
	finish(c);
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->rec[0].dir[0].twin.win_cnt, 1);
	ctx_free(c);
}

/* ---- 7. reverse abort ---------------------------------------------------------------- */

static void
test_reverse_abort(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, TCP(4000, 0, HA, 4000, HB, 5000, ACK, 100, 0));
	feed(c, TCP(4000, 10000, HB, 5000, HA, 4000, ACK, 100, 0));
	feed(c, TCP(4000, 20000, HA, 4000, HB, 5000, ACK, 0, 0));
	feed(c, TCP(4000, 30000, HA, 4000, HB, 5000, ACK, 0, 0)); /* 2nd zero window: abort */
	assert_true(c->line[3].timeout_s == 0.001f);
	/* B was last seen 20 ms ago: with its own 1.0 s it would keep the pair; with the 1 ms
	 * the abort gave it, a B packet 2 ms after the abort starts a new index */
	feed(c, TCP(4000, 32000, HB, 5000, HA, 4000, ACK, 100, 0));
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->line[4].flow_ind, 2);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_TIMEOUT, 2, {
		{ HA, 4000, HB, 5000, FS_A, 4000, 0, 4000, 30000, 3, 0xd0, 0x04, 2 },
		{ HB, 5000, HA, 4000, FS_B, 4000, 10000, 4000, 10000, 1, 0x10, 0x04, 0 } } });
	finish(c);
	/* the new piece's first packet is HB:5000 -> HA:4000: its A */
	check_rec(c, &(struct want_rec){ 2, TCPW_END_FLUSH, 1, {
		{ HB, 5000, HA, 4000, FS_A, 4000, 32000, 4000, 32000, 1, 0x10, 0x02, 0 } } });
	ctx_free(c);
}

static void
test_abort_without_reverse(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, TCP(4100, 0, HA, 4000, HB, 5000, ACK, 0, 0));
	feed(c, TCP(4100, 100, HA, 4000, HB, 5000, ACK, 0, 0));   /* abort: only A exists */
	assert_true(c->line[1].timeout_s == 0.001f);
	feed(c, TCP(4100, 500, HB, 5000, HA, 4000, ACK, 100, 0)); /* 0.4 ms later: joins */
	assert_int_equal(c->line[2].flow_ind, 1);
	assert_int_equal(c->line[2].twin.state, TCPW_TCP_EST);    /* not aborted */
	assert_true(c->line[2].timeout_s == 1.0f);
	feed(c, TCP(4100, 2600, HA, 4000, HB, 5000, ACK, 100, 0)); /* A expired, B alive */
	assert_int_equal(c->line[3].flow_ind, 1);
	assert_true(c->line[3].timeout_s == 0.001f);              /* case ABRT */
	assert_int_equal(c->nrec, 0);
	finish(c);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_FLUSH, 2, {
		{ HA, 4000, HB, 5000, FS_A, 4100, 0, 4100, 2600, 3, 0xd0, 0x04, 2 },
		{ HB, 5000, HA, 4000, FS_B, 4100, 500, 4100, 500, 1, 0x10, 0x02, 0 } } });
	ctx_free(c);
}

/* ---- 8. accounting ------------------------------------------------------------------- */

static void
feed_raw(struct ctx *c, const uint8_t *f, uint32_t len, uint32_t sec, uint32_t usec)
{
	assert_int_equal(tcpw_engine_packet(c->e, f, len, (struct tcpw_ts){ sec, usec }), 0);
	drain_all(c);
}

/* Eth + IPv6 (2001:db8::1 -> 2001:db8::2) + Fragment header (id 0x4242, @offset8 in 8-byte
 * units, MF) + @rest; the Fragment header's next header is @frag_nh. */
static uint32_t
build_ipv6_frag(uint8_t *f, uint8_t frag_nh, uint16_t offset8, bool more, const uint8_t *rest,
		uint32_t rest_len)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd };
	uint8_t *ip = f + 14, *fh = ip + 40;

	memcpy(f, eth, 14);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, 8 + rest_len);
	ip[6] = 44;                               /* next header: Fragment */
	ip[7] = 64;
	ip[8] = ip[24] = 0x20;                    /* 2001:db8::1, 2001:db8::2 */
	ip[9] = ip[25] = 0x01;
	ip[10] = ip[26] = 0x0d;
	ip[11] = ip[27] = 0xb8;
	ip[23] = 1;
	ip[39] = 2;
	fh[0] = frag_nh;
	fh[1] = 0;
	put16(fh + 2, (uint32_t)offset8 << 3 | (more ? 1 : 0));
	put32(fh + 4, 0x4242);
	memcpy(fh + 8, rest, rest_len);
	return 14 + 40 + 8 + rest_len;
}

/* IPv6 fragments are one packet by addresses and identification alone (RFC 8200), as the
 * contract keys the fragment table by the identification: with an Authentication Header
 * after the Fragment header, the first fragment's protocol is TCP (AH skipped) and a later
 * one's is AH (51), the Fragment header's next header, and the later one must still join
 * the first's flow (a review found it a port-0 orphan). */
static void
test_ipv6_frag_after_ah(void **state)
{
	struct ctx *c = ctx_new(16);
	struct tcpw_engine_stats st;
	uint8_t f[FRAME_MAX], first[12 + 20] = { 0 }, later[24] = { 0 };

	(void)state;
	first[0] = 6;                             /* AH: next header TCP, 12 bytes */
	first[1] = 1;
	put16(first + 12, 40000);                 /* TCP 40000 -> 80, ACK, window 1000 */
	put16(first + 14, 80);
	first[12 + 12] = 0x50;
	first[12 + 13] = 0x10;
	put16(first + 12 + 14, 1000);
	feed_raw(c, f, build_ipv6_frag(f, 51, 0, true, first, sizeof(first)), 6000, 0);
	feed_raw(c, f, build_ipv6_frag(f, 51, 4, false, later, sizeof(later)), 6000, 1);
	finish(c);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.verdict[TCPW_PKT_FLOW], 1);
	assert_int_equal(st.verdict[TCPW_PKT_FRAG], 1);
	assert_int_equal(st.frag_orphan, 0);
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->rec[0].l4_proto, 6);
	assert_int_equal(c->rec[0].dir[0].src_port, 40000);
	assert_int_equal(c->rec[0].dir[0].pkts, 2);
	ctx_free(c);
}

static void
test_accounting(void **state)
{
	struct ctx *c = ctx_new(16);
	struct tcpw_engine_stats st;
	uint8_t f[FRAME_MAX];
	struct tpkt t;
	uint64_t recpkts = 0;
	uint32_t b5, b6;

	(void)state;
	feed(c, TCP(5000, 0, HA, 4000, HB, 80, SYN, 100, 0));
	/* truncated: Ethernet + 10 of the 20 IPv4 header bytes */
	build_frame(&TCP(5000, 1, HA, 4000, HB, 80, ACK, 100, 0), f);
	feed_raw(c, f, 24, 5000, 1);
	feed_raw(c, f, build_arp(f), 5000, 2);
	/* non-first fragment whose first fragment was never seen (id 0x7777, offset 800) */
	t = UDP(5000, 3, HA, 0, HB, 0, 16);
	t.ipid = 0x7777;
	t.frag = 100;
	feed(c, t);
	/* UDP first fragment (MF, id 0x1234) and its last fragment at offset 32 */
	t = UDP(5000, 4, IP4(10, 3, 0, 3), 6000, IP4(10, 3, 0, 4), 7000, 24);
	t.ipid = 0x1234;
	t.frag = 0x2000;
	b5 = build_frame(&t, f);
	feed(c, t);
	t = UDP(5000, 5, IP4(10, 3, 0, 3), 0, IP4(10, 3, 0, 4), 0, 20);
	t.ipid = 0x1234;
	t.frag = 4;
	b6 = build_frame(&t, f);
	feed(c, t);
	/* TCP first fragment with window 0, then its later fragment: only the first is seen
	 * by the state machine (§1.4.9) */
	t = TCP(5000, 6, IP4(10, 3, 0, 5), 4001, IP4(10, 3, 0, 6), 4002, ACK, 0, 8);
	t.ipid = 0x2222;
	t.frag = 0x2000;
	feed(c, t);
	t = TCP(5000, 7, IP4(10, 3, 0, 5), 0, IP4(10, 3, 0, 6), 0, 0, 0, 16);
	t.ipid = 0x2222;
	t.frag = 3;
	feed(c, t);
	finish(c);

	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.pkts, 8);
	assert_int_equal(st.verdict[TCPW_PKT_TRUNCATED], 1);
	assert_int_equal(st.verdict[TCPW_PKT_NON_IP], 1);
	assert_int_equal(st.verdict[TCPW_PKT_FRAG], 3);
	assert_int_equal(st.verdict[TCPW_PKT_FLOW], 3);
	assert_int_equal(st.frag_orphan, 1);
	assert_int_equal(st.no_room, 0);
	assert_int_equal(st.tcp_pkts, 2); /* SYN and the first fragment */
	for (unsigned int i = 0; i < c->nrec; i++)
		for (unsigned int d = 0; d < c->rec[i].ndir; d++)
			recpkts += c->rec[i].dir[d].pkts;
	assert_int_equal(recpkts, st.rec_pkts);
	/* every packet is in exactly one record, or counted by a non-flow verdict */
	assert_int_equal(st.pkts, st.rec_pkts + st.verdict[TCPW_PKT_NON_IP] +
			 st.verdict[TCPW_PKT_TRUNCATED] + st.verdict[TCPW_PKT_MALFORMED] +
			 st.verdict[TCPW_PKT_LINKTYPE]);
	assert_int_equal(st.rec_pkts, 6);
	/* the orphan is reported in a port-0 flow of its own (§0), lone */
	check_rec(c, &(struct want_rec){ 2, TCPW_END_FLUSH, 1, {
		{ HA, 0, HB, 0, FS_A, 5000, 3, 5000, 3, 1, NO_TWIN, 0, 0 } } });
	/* the later UDP fragment joined its first fragment's direction */
	check_rec(c, &(struct want_rec){ 3, TCPW_END_FLUSH, 1, {
		{ IP4(10, 3, 0, 3), 6000, IP4(10, 3, 0, 4), 7000, FS_A, 5000, 4, 5000, 5, 2,
		  NO_TWIN, 0, 0 } } });
	assert_int_equal(rec_of(c, 3)->dir[0].bytes, b5 + b6);
	check_rec(c, &(struct want_rec){ 4, TCPW_END_FLUSH, 1, {
		{ IP4(10, 3, 0, 5), 4001, IP4(10, 3, 0, 6), 4002, FS_A, 5000, 6, 5000, 7, 2,
		  0x90, 0x02, 1 } } });
	assert_int_equal(c->nrec, 4);
	ctx_free(c);
}

/* ---- 9. emit refusal ----------------------------------------------------------------- */

static void
feed_lone_udp(struct ctx *c, unsigned int n, uint32_t sec)
{
	for (unsigned int i = 0; i < n; i++)
		feed(c, UDP(sec, i * 1000, IP4(10, 4, 0, 1 + i), 40000, HB, 53, 20));
}

/* @f (@len bytes) with @n bytes @b inserted at @at; returns the new length. */
static uint32_t
insert(uint8_t *f, uint32_t len, uint32_t at, const uint8_t *b, uint32_t n)
{
	memmove(f + at + n, f + at, len - at);
	memcpy(f + at, b, n);
	return len + n;
}

/* @t's frame with an MPLS label (16, bottom of stack; the key does not change, the header
 * stack does), or with 4 bytes of IPv4 options (which the parser's shortcut leaves to the
 * layered parser: the stack stays eth:ipv4:tcp). */
static uint32_t
frame_mpls(const struct tpkt *t, uint8_t *f)
{
	static const uint8_t label[] = { 0x00, 0x01, 0x01, 0x40 };
	uint32_t len = insert(f, build_frame(t, f), 14, label, sizeof(label));

	put16(f + 12, 0x8847);
	return len;
}

static uint32_t
frame_ip_options(const struct tpkt *t, uint8_t *f)
{
	static const uint8_t nops[] = { 1, 1, 1, 1 };
	uint32_t len = insert(f, build_frame(t, f), 34, nops, sizeof(nops));

	f[14] = 0x46;
	put16(f + 16, len - 14);
	return len;
}

static void
assert_hdrs(const struct tcpw_hdrs *h, unsigned int depth, const char *desc)
{
	char s[64];

	assert_int_equal(h->depth, depth);
	assert_true(tcpw_hdrs_format(h, s, sizeof(s)) > 0);
	assert_string_equal(s, desc);
}

/* The record's lists (header stacks, MACs) and the report's header depths, with a
 * direction's packets taking the compact form's shortcut (shape_hint, one byte for the
 * common stacks) or not: another source MAC (same stack), an MPLS label, IP options (the
 * layered parser, same stack), a labelled first packet. */
/* A direction keeps the low 16 bits of its byte count in its hot line and spills them into
 * the record data when they would wrap: the record still counts every byte, across many
 * spills, a frame over 64 KiB at once, and both directions of a pair apart. */
static void
test_record_bytes_spill(void **state)
{
	static uint8_t big[70000];
	struct tpkt a = TCP(7000, 0, HA, 4000, HB, 80, ACK, 100, 1460);
	struct tpkt b = TCP(7000, 0, HB, 80, HA, 4000, ACK, 100, 7);
	struct ctx *c = ctx_new(16);
	uint64_t want_a = 0, want_b = 0;

	(void)state;
	for (unsigned int i = 0; i < 90; i++) { /* A spills twice, B never */
		a.usec = b.usec = i * 10;
		a.len = (uint16_t)(1460 - i % 97); /* spills at varying points */
		want_a += build_frame(&a, big);
		feed(c, a);
		want_b += build_frame(&b, big);
		feed(c, b);
	}
	build_frame(&a, big); /* its headers, then padding up to 70,000 bytes */
	feed_raw(c, big, sizeof(big), 7000, 5000);
	want_a += sizeof(big);
	a.usec = 6000;
	feed(c, a);
	want_a += build_frame(&a, big);
	tcpw_engine_flush(c->e);
	drain_all(c);
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->rec[0].dir[0].pkts, 92);
	assert_int_equal(c->rec[0].dir[0].bytes, want_a);
	assert_int_equal(c->rec[0].dir[1].pkts, 90);
	assert_int_equal(c->rec[0].dir[1].bytes, want_b);
	assert_int_equal(c->rec[0].dir[0].eth_type, 0x0800);
	ctx_free(c);
}

static void
test_record_lists(void **state)
{
	struct tpkt a = TCP(7000, 0, HA, 4000, HB, 80, ACK, 100, 0);
	struct tpkt b = TCP(7000, 10, HB, 80, HA, 4000, ACK, 100, 0);
	struct tpkt c2 = TCP(7000, 20, HA, 4001, HB, 81, ACK, 100, 0);
	struct ctx *c = ctx_new(16);
	struct tcpw_engine_stats st;
	const struct tcpw_record_dir *d;
	uint8_t f[FRAME_MAX], mac[6];
	uint32_t len;

	(void)state;
	feed(c, a);
	feed(c, a);
	len = build_frame(&a, f);
	f[11] ^= 0x40; /* another source MAC, while the direction is compact */
	feed_raw(c, f, len, 7000, 1);
	feed_raw(c, f, frame_mpls(&a, f), 7000, 2);
	feed_raw(c, f, frame_ip_options(&a, f), 7000, 3);
	feed(c, b);
	feed_raw(c, f, frame_ip_options(&b, f), 7000, 11);
	feed(c, b);
	feed_raw(c, f, frame_mpls(&c2, f), 7000, 20);
	feed(c, c2);
	tcpw_engine_flush(c->e);
	drain_all(c);
	assert_int_equal(c->nrec, 2);

	assert_int_equal(c->rec[0].ndir, 2);
	d = &c->rec[0].dir[0]; /* HA:4000 -> HB:80 */
	assert_int_equal(d->pkts, 5);
	assert_int_equal(d->nhdrs, 2);
	assert_hdrs(&d->hdrs[0], 3, "eth:ipv4:tcp");
	assert_hdrs(&d->hdrs[1], 4, "eth:mpls:ipv4:tcp");
	assert_int_equal(d->nvlan, 0);
	assert_int_equal(d->nsrc_mac, 2);
	mac_of(HA, mac);
	assert_memory_equal(d->src_mac[0], mac, 6);
	mac[5] ^= 0x40;
	assert_memory_equal(d->src_mac[1], mac, 6);
	assert_int_equal(d->ndst_mac, 1);
	d = &c->rec[0].dir[1]; /* HB:80 -> HA:4000: the same stack and MACs throughout */
	assert_int_equal(d->pkts, 3);
	assert_int_equal(d->nhdrs, 1);
	assert_hdrs(&d->hdrs[0], 3, "eth:ipv4:tcp");
	assert_int_equal(d->nvlan, 0);
	assert_int_equal(d->nsrc_mac, 1);
	assert_int_equal(d->ndst_mac, 1);

	assert_int_equal(c->rec[1].ndir, 1);
	d = &c->rec[1].dir[0]; /* labelled first, then not */
	assert_int_equal(d->pkts, 2);
	assert_int_equal(d->nhdrs, 2);
	assert_hdrs(&d->hdrs[0], 4, "eth:mpls:ipv4:tcp");
	assert_hdrs(&d->hdrs[1], 3, "eth:ipv4:tcp");

	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.min_hdrs, 3);
	assert_int_equal(st.max_hdrs, 4);
	assert_int_equal(st.sum_hdrs, 3 * 8 + 4 * 2);
	ctx_free(c);
}

/* Eth + IPv6 + UDP (8 bytes of payload) from @src:@sport to @dst:@dport. */
static uint32_t
build_udp6(uint8_t *f, const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	uint8_t *ip = f + 14, *udp = f + 54;

	build_eth(f, HA, HB, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;                  /* version 6 */
	put16(ip + 4, 16);             /* payload length: UDP header + 8 */
	ip[6] = 17;                    /* next header: UDP */
	ip[7] = 64;                    /* hop limit */
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, 16);
	memset(udp + 6, 0, 10);
	return 14 + 40 + 16;
}

/*
 * The flow index spreads structured traffic whatever the hash seed: a /24 with a block of
 * source ports each to one server, one host's source ports in steps of 4, and a port scan,
 * each 8192 IPv4 pairs in 16384 buckets (load 1/2, about 0.5 buckets of displacement with a
 * hash that spreads well). A hash without a final mix (one keyed product of the two
 * endpoints) passed a quick look and failed here: for some seeds the /24 piled up in probe
 * runs hundreds of buckets long.
 */
static void
test_index_spread(void **state)
{
	enum { SEEDS = 100, FLOWS = 8192 };
	double worst = 0;

	(void)state;
	for (unsigned int seed = 1; seed <= SEEDS; seed++) {
		for (unsigned int pattern = 0; pattern < 3; pattern++) {
			struct ctx *c = ctx_new_seeded(FLOWS, &tmt_tutorial, seed);
			double d;

			for (uint32_t i = 0; i < FLOWS; i++) {
				struct tpkt t =
					pattern == 0 ? UDP(8000, i, 0x0a000000 | (i & 0xff),
							   (uint16_t)(1024 + (i >> 8)), HB, 80, 8) :
					pattern == 1 ? UDP(8000, i, HA, (uint16_t)(1024 + 4 * i), HB,
							   443, 8) :
						       UDP(8000, i, HA, 40000, HB, (uint16_t)(1 + i), 8);

				feed(c, t);
			}
			assert_int_equal(tcpw_engine_pairs(c->e), FLOWS);
			d = tcpw_engine_index_displacement(c->e);
			if (d > worst)
				worst = d;
			if (d > 1.5)
				fail_msg("seed %u, pattern %u: mean displacement %.2f buckets", seed,
					 pattern, d);
			ctx_release(c);
		}
	}
	print_message("worst mean displacement over %d seeds x 3 patterns: %.2f\n", SEEDS,
		      worst);
}

/* Both directions of a pair meet whichever endpoint sorts first; a pair is not the one with
 * its ports exchanged; a flow from an endpoint to itself is one direction. For IPv4 and for
 * IPv6 addresses that differ in their first or only in their last 8 bytes; one packet at a
 * time (tcpw_engine_packet()) and in one burst (tcpw_engine_packets(), whose staging finds
 * the pair and the direction ahead), which must give the same records. */
static void
test_pair_keys(void **state)
{
	static const uint8_t v6[3][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },           /* differs in the last 8 bytes */
		{ 0x20, 0x01, 0x0d, 0xb9, [15] = 1 },           /* in the first 8 */
	};
	static const struct tpkt v4[] = {
		/* pair 1 both ways (its first packet from the endpoint that sorts higher),
		 * pair 2 with the ports exchanged, pair 3 to itself */
		UDP(8000, 0, HB, 2000, HA, 1000, 8), UDP(8000, 1, HA, 1000, HB, 2000, 8),
		UDP(8000, 2, HB, 1000, HA, 2000, 8), UDP(8000, 3, HA, 1000, HB, 2000, 8),
		UDP(8000, 4, HA, 2000, HB, 1000, 8), UDP(8000, 5, HA, 7, HA, 7, 8),
		UDP(8000, 6, HA, 7, HA, 7, 8),
	};
	static uint8_t f[16][FRAME_MAX];
	const uint8_t *fp[16];
	uint32_t lens[16], n = 0;
	uint64_t times[16];
	struct ctx *one = ctx_new(64), *burst = ctx_new(64);

	(void)state;
	for (n = 0; n < TCPW_ARRAY_SIZE(v4); n++)
		lens[n] = build_frame(&v4[n], f[n]);
	/* IPv6: pairs 4 and 5 as 1 and 2 for two addresses of one /64; across /64s, pair 6
	 * both ways and 7, its ports exchanged, one way */
	for (unsigned int i = 0; i < 2; i++) {
		const uint8_t *a = v6[0], *b = v6[1 + i];

		lens[n] = build_udp6(f[n], b, 2000, a, 1000);
		lens[n + 1] = build_udp6(f[n + 1], a, 1000, b, 2000);
		lens[n + 2] = build_udp6(f[n + 2], b, 1000, a, 2000);
		n += 3;
		if (i == 0) {
			lens[n] = build_udp6(f[n], a, 2000, b, 1000);
			n++;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		fp[i] = f[i];
		times[i] = UINT64_C(8000000000) + i;
		feed_raw(one, f[i], lens[i], 8000, i);
	}
	assert_int_equal(tcpw_engine_packets(burst->e, fp, lens, times, n), n);
	for (struct ctx *c = one; c != NULL; c = c == one ? burst : NULL) {
		tcpw_engine_flush(c->e);
		drain_all(c);
	}
	assert_int_equal(one->nrec, 7);
	assert_int_equal(burst->nrec, 7);
	/* records in flush order: by each pair's least recently seen direction */
	{
		static const struct {
			unsigned int ndir, pkts;
		} want[] = { { 2, 3 }, { 2, 2 }, { 1, 2 }, { 2, 2 }, { 2, 2 }, { 2, 2 }, { 1, 1 } };

		for (unsigned int i = 0; i < one->nrec; i++) {
			const struct tcpw_record *r = &one->rec[i];

			assert_memory_equal(r, &burst->rec[i], sizeof(*r));
			assert_int_equal(r->ndir, want[i].ndir);
			assert_int_equal(r->dir[0].pkts + (r->ndir > 1 ? r->dir[1].pkts : 0),
					 want[i].pkts);
			if (r->ndir > 1) {
				/* each direction's endpoints are the other's, exchanged */
				assert_memory_equal(r->dir[0].src_ip, r->dir[1].dst_ip, 16);
				assert_memory_equal(r->dir[0].dst_ip, r->dir[1].src_ip, 16);
				assert_int_equal(r->dir[0].src_port, r->dir[1].dst_port);
				assert_int_equal(r->dir[0].dst_port, r->dir[1].src_port);
			}
		}
	}
	/* A is the direction of a pair's first packet, unless Tranalyzer's heuristic (§2.1)
	 * makes it B: pair 2's first packet is from port 1000, below 1024 and the other */
	assert_ip4(one->rec[0].dir[0].src_ip, HB);
	assert_int_equal(one->rec[0].dir[0].src_port, 2000);
	assert_int_equal(one->rec[0].dir[0].pkts, 1);
	assert_ip4(one->rec[1].dir[0].src_ip, HA);
	assert_int_equal(one->rec[1].dir[0].src_port, 2000);
	assert_true(one->rec[1].dir[1].flow_stat & TCPW_FS_INVERT);
	assert_memory_equal(one->rec[3].dir[0].src_ip, v6[1], 16);
	assert_int_equal(one->rec[3].dir[0].dst_port, 1000);
	assert_memory_equal(one->rec[6].dir[0].src_ip, v6[2], 16);
	assert_int_equal(one->rec[6].dir[0].src_port, 1000);
	ctx_free(burst);
	ctx_free(one);
}

static void
test_emit_refusal(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	c->refuse_first = 3;
	feed_lone_udp(c, 5, 7000);
	tcpw_engine_flush(c->e);
	assert_int_equal(tcpw_engine_pending(c->e), 5);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(tcpw_engine_drain(c->e, 64), 0);
		assert_int_equal(tcpw_engine_pending(c->e), 5);
	}
	assert_int_equal(tcpw_engine_drain(c->e, 64), 5);
	assert_int_equal(tcpw_engine_pending(c->e), 0);
	assert_int_equal(c->nrec, 5);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(c->rec[i].flow_ind, i + 1); /* oldest first, each once */
	ctx_free(c);

	/* a refusal in the middle of a drain: the rest waits, in order */
	c = ctx_new(8);
	c->refuse_mask = 1u << 1;
	feed_lone_udp(c, 4, 7100);
	tcpw_engine_flush(c->e);
	assert_int_equal(tcpw_engine_drain(c->e, 64), 1);
	assert_int_equal(tcpw_engine_pending(c->e), 3);
	assert_int_equal(tcpw_engine_drain(c->e, 64), 3);
	assert_int_equal(tcpw_engine_pending(c->e), 0);
	assert_int_equal(c->nrec, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(c->rec[i].flow_ind, i + 1);
	ctx_free(c);
}

/* Every slot retired and not yet drained: the packet is refused, not lost; after a drain
 * the same packet is accepted. */
static void
test_no_room_until_drained(void **state)
{
	struct ctx *c = ctx_new(8);
	struct tcpw_engine_stats st;
	uint8_t f[FRAME_MAX];
	struct tpkt t = UDP(7300, 0, HA, 1111, HB, 2222, 20);
	uint32_t len = build_frame(&t, f);

	(void)state;
	feed_lone_udp(c, 8, 7200);
	c->refuse_first = UINT32_MAX;
	tcpw_engine_flush(c->e);
	drain_all(c);
	assert_int_equal(tcpw_engine_pending(c->e), 8);
	assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), -ENOSPC);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.no_room, 1);
	assert_int_equal(st.pkts, 8);
	c->refuse_first = 0;
	c->calls = 0;
	drain_all(c);
	assert_int_equal(c->nrec, 8);
	assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), 0);
	finish(c);
	assert_int_equal(c->nrec, 9);
	assert_int_equal(c->rec[8].flow_ind, 9);
	ctx_free(c);
}

/* ---- 10. table full ------------------------------------------------------------------ */

/* pairs = 8: eight UDP pairs, then pair 1's A direction is touched again, then a ninth pair
 * needs room. The least recently active *direction* is pair 1's B (6000.011): Tranalyzer's
 * LRU list holds directions, and the autopilot ends the pair of its tail (§2.4). */
static struct ctx *
fill_table(void)
{
	struct ctx *c = ctx_new(8);

	for (unsigned int k = 1; k <= 8; k++) {
		feed(c, UDP(6000, k * 10000, IP4(10, 2, 0, k), 40000, IP4(10, 2, 255, 1), 53, 20));
		feed(c, UDP(6000, k * 10000 + 1000, IP4(10, 2, 255, 1), 53, IP4(10, 2, 0, k), 40000,
			    40));
	}
	feed(c, UDP(6000, 500000, IP4(10, 2, 0, 1), 40000, IP4(10, 2, 255, 1), 53, 20));
	assert_int_equal(c->nrec, 0);
	assert_int_equal(tcpw_engine_pairs(c->e), 8);
	feed_retry(c, UDP(6001, 0, IP4(10, 2, 0, 9), 40000, IP4(10, 2, 255, 1), 53, 20));
	return c;
}

static void
test_table_full_autopilot(void **state)
{
	struct ctx *c = fill_table();
	struct tcpw_engine_stats st;
	const struct tcpw_record *r;

	(void)state;
	assert_int_equal(c->nrec, 1);
	r = &c->rec[0];
	assert_int_equal(r->flow_ind, 1);
	assert_int_equal(r->reason, TCPW_END_TABLE_FULL);
	assert_int_equal(r->ndir, 2);
	assert_ip4(r->dir[0].src_ip, IP4(10, 2, 0, 1));
	assert_int_equal(r->dir[0].pkts, 2);
	/* the LRU-oldest direction (1's B) carries RMFLOW_HFULL */
	assert_int_equal(r->dir[1].flow_stat, FS_B | TCPW_FS_HFULL);
	assert_int_equal(c->line[c->nline - 1].flow_ind, 9);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.autopilot, 1);
	finish(c);
	assert_int_equal(c->nrec, 9);
	for (unsigned int i = 1; i < c->nrec; i++) {
		assert_int_equal(c->rec[i].reason, TCPW_END_FLUSH);
		for (unsigned int d = 0; d < c->rec[i].ndir; d++)
			assert_int_equal(c->rec[i].dir[d].flow_stat & TCPW_FS_HFULL, 0);
	}
	for (unsigned int i = 1; i < c->nrec; i++)
		assert_int_equal(c->rec[i].flow_ind, i + 1); /* flush: LRU order 2..9 */
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.autopilot, 1);
	ctx_free(c);
}

/*
 * LIB BUG (engine.c autopilot()): Tranalyzer 0.9.3 (main.c lruRmLstFlow) sets RMFLOW_HFULL
 * on the LRU-tail flow only (T2_SET_STATUS(lruFlowP, RMFLOW_HFULL)), then prints it and its
 * opposite: the opposite direction's flowStat has no HFULL bit. The engine ORs the bit into
 * both directions of the evicted pair. Here the tail is pair 1's B direction.
 */
static void
test_table_full_hfull_oldest_direction_only(void **state)
{
	struct ctx *c = fill_table();
	const struct tcpw_record *r = &c->rec[0];

	(void)state;
	assert_int_equal(r->flow_ind, 1);
	assert_int_equal(r->dir[1].flow_stat, FS_B | TCPW_FS_HFULL);
	assert_int_equal(r->dir[0].flow_stat, FS_A);
	finish(c);
	ctx_free(c);
}

/*
 * LIB BUG (engine.c pair_create()/autopilot()): a new flow must end at most one pair
 * (Tranalyzer: NUMFLWRM = 1 flow per insert). The engine retires the oldest pair but its slot
 * is only freed by a drain, so the packet gets -ENOSPC; while the writer refuses records
 * (ring full), every retry the caller makes (app/main.c loops on -ENOSPC) evicts one more
 * live pair: the whole table can be emptied for one new flow.
 */
static void
test_table_full_evicts_one_pair(void **state)
{
	struct ctx *c = ctx_new(8);
	struct tpkt t = UDP(6001, 0, IP4(10, 2, 0, 9), 40000, IP4(10, 2, 255, 1), 53, 20);
	struct tcpw_engine_stats st;
	uint8_t f[FRAME_MAX];
	uint32_t len = build_frame(&t, f);

	(void)state;
	for (unsigned int k = 1; k <= 8; k++)
		feed(c, UDP(6000, k * 10000, IP4(10, 2, 0, k), 40000, IP4(10, 2, 255, 1), 53, 20));
	c->refuse_first = UINT32_MAX; /* the writer's ring is full */
	for (unsigned int i = 0; i < 3; i++) {
		(void)tcpw_engine_packet(c->e, f, len, ts_of(&t));
		drain_all(c);
	}
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.autopilot, 1);
	assert_int_equal(tcpw_engine_pending(c->e), 1);
	c->refuse_first = 0;
	c->calls = 0;
	drain_all(c);
	assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), 0);
	finish(c);
	assert_int_equal(c->nrec, 9);
	assert_int_equal(c->rec[0].reason, TCPW_END_TABLE_FULL);
	for (unsigned int i = 1; i < c->nrec; i++)
		assert_int_equal(c->rec[i].reason, TCPW_END_FLUSH);
	ctx_free(c);
}

/* ---- 10b. overload: emergency timeouts above the high-water mark ------------------------ */

/* Lone UDP pair @k (10.6.0.k:40000 -> 10.6.255.1:53) at @sec.@usec: 182 s timeout. */
static void
feed_pair(struct ctx *c, unsigned int k, uint32_t sec, uint32_t usec)
{
	feed_retry(c, UDP(sec, usec, IP4(10, 6, 0, k), 40000, IP4(10, 6, 255, 1), 53, 20));
}

static unsigned int
count_reason(const struct ctx *c, enum tcpw_end_reason why)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nrec; i++)
		n += c->rec[i].reason == why;
	return n;
}

/* 16 pairs, high water 12, emergency timeout 5 s: low water is 12 - 16/10 = 11. */
static void
test_overload_emergency_timeouts(void **state)
{
	struct ctx *c = ctx_new(16);
	struct tcpw_engine_stats st;
	uint64_t pkts = 0;

	(void)state;
	assert_int_equal(tcpw_engine_set_overload(c->e, 12, 5.0f), 0);
	for (unsigned int k = 1; k <= 12; k++, pkts++)
		feed_pair(c, k, 1000, k * 1000);
	/* 12 in memory: the mark is passed, but nothing is 5 s idle yet */
	feed_pair(c, 13, 1003, 0);
	pkts++;
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.emergency_on, 1);
	assert_int_equal(st.in_emergency, 1);
	assert_int_equal(st.emergency_ended, 0);
	assert_int_equal(tcpw_engine_pairs(c->e), 13);
	/* 6 s later each new pair ends the two least recently active ones (182 s UDP timeout
	 * notwithstanding) until the table is below low water */
	feed_pair(c, 14, 1006, 0);
	feed_pair(c, 15, 1006, 1000);
	feed_pair(c, 16, 1006, 2000);
	pkts += 3;
	assert_int_equal(c->nrec, 6);
	for (unsigned int i = 0; i < 6; i++) {
		assert_int_equal(c->rec[i].flow_ind, i + 1); /* oldest first */
		assert_int_equal(c->rec[i].reason, TCPW_END_EMERGENCY);
		assert_int_equal(c->rec[i].dir[0].flow_stat & TCPW_FS_HFULL, 0);
	}
	assert_int_equal(tcpw_engine_pairs(c->e), 10);
	/* 10 < 11: back to normal, the next pair ends nothing */
	feed_pair(c, 17, 1006, 3000);
	pkts++;
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.in_emergency, 0);
	assert_int_equal(st.emergency_ended, 6);
	assert_int_equal(st.autopilot, 0);
	assert_int_equal(c->nrec, 6);
	finish(c);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(c->nrec, 17);
	assert_int_equal(count_reason(c, TCPW_END_EMERGENCY), 6);
	assert_int_equal(st.rec_pkts, pkts);
	assert_int_equal(st.pkts, pkts);
	ctx_free(c);
}

/* A new pair ends at most two pairs through the emergency timeout, however often its
 * packet is offered again while the writer refuses records: the pairs it ended keep their
 * slots until drained, so every try found the table full (a review found each retry ending
 * two more, here 1-6 for pair 17 instead of 1-2). */
static void
test_overload_retry_ends_two(void **state)
{
	struct ctx *c = ctx_new(16);
	struct tpkt t = UDP(1006, 0, IP4(10, 6, 0, 17), 40000, IP4(10, 6, 255, 1), 53, 20);
	struct tcpw_engine_stats st;
	uint8_t f[FRAME_MAX];
	uint32_t len = build_frame(&t, f);

	(void)state;
	assert_int_equal(tcpw_engine_set_overload(c->e, 12, 5.0f), 0);
	for (unsigned int k = 1; k <= 16; k++)
		feed_pair(c, k, 1000, k * 1000);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.in_emergency, 1);
	assert_int_equal(st.emergency_ended, 0);
	c->refuse_first = UINT32_MAX; /* the writer's ring is full */
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), -ENOSPC);
		drain_all(c);
	}
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.emergency_ended, 2);
	assert_int_equal(st.autopilot, 0);
	assert_int_equal(tcpw_engine_pending(c->e), 2);
	c->refuse_first = 0;
	c->calls = 0;
	drain_all(c);
	assert_int_equal(tcpw_engine_packet(c->e, f, len, ts_of(&t)), 0);
	/* and the next new pair is a new one: it may end two more */
	feed_pair(c, 18, 1006, 1000);
	finish(c);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(c->nrec, 18);
	assert_int_equal(count_reason(c, TCPW_END_EMERGENCY), 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(c->rec[i].flow_ind, i + 1);
	assert_int_equal(st.rec_pkts, 18);
	ctx_free(c);
}

/* A mark of a tenth of the table or less: emergency ends once the table empties (low water
 * was 0 there, which no count is below: emergency stayed on for good, and pairs idle 5 s
 * went on ending in a near-empty table). 64 pairs, mark 6: low water 6 - 3. */
static void
test_overload_low_mark_switches_off(void **state)
{
	struct ctx *c = ctx_new(64);
	struct tcpw_engine_stats st;

	(void)state;
	assert_int_equal(tcpw_engine_set_overload(c->e, 6, 5.0f), 0);
	for (unsigned int k = 1; k <= 7; k++)
		feed_pair(c, k, 1000, k * 1000);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.in_emergency, 1);
	/* all seven end by their own 182 s timeout; then a pair, and one 6 s later */
	feed_pair(c, 8, 1200, 0);
	assert_int_equal(count_reason(c, TCPW_END_TIMEOUT), 7);
	feed_pair(c, 9, 1206, 0);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.in_emergency, 0);
	assert_int_equal(st.emergency_ended, 0);
	assert_int_equal(tcpw_engine_pairs(c->e), 2);
	finish(c);
	assert_int_equal(count_reason(c, TCPW_END_EMERGENCY), 0);
	ctx_free(c);
}

/* Above the mark with nothing old enough, a full table still falls back on the autopilot. */
static void
test_overload_then_autopilot(void **state)
{
	struct ctx *c = ctx_new(8);
	struct tcpw_engine_stats st;

	(void)state;
	assert_int_equal(tcpw_engine_set_overload(c->e, 6, 5.0f), 0);
	for (unsigned int k = 1; k <= 9; k++)
		feed_pair(c, k, 2000, k * 1000);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.emergency_on, 1);
	assert_int_equal(st.emergency_ended, 0);
	assert_int_equal(st.autopilot, 1);
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->rec[0].flow_ind, 1);
	assert_int_equal(c->rec[0].reason, TCPW_END_TABLE_FULL);
	assert_int_equal(c->rec[0].dir[0].flow_stat & TCPW_FS_HFULL, TCPW_FS_HFULL);
	finish(c);
	tcpw_engine_stats(c->e, &st);
	assert_int_equal(st.rec_pkts, 9);
	ctx_free(c);
}

static void
test_overload_bad_values(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	assert_int_equal(tcpw_engine_set_overload(c->e, 6, 0.0f), -EINVAL);
	assert_int_equal(tcpw_engine_set_overload(c->e, 6, -1.0f), -EINVAL);
	/* a mark above the table is no mark: a full table goes straight to the autopilot */
	assert_int_equal(tcpw_engine_set_overload(c->e, 9, 0.001f), 0);
	for (unsigned int k = 1; k <= 9; k++)
		feed_pair(c, k, 3000, k * 1000);
	{
		struct tcpw_engine_stats st;

		tcpw_engine_stats(c->e, &st);
		assert_int_equal(st.emergency_on, 0);
		assert_int_equal(st.autopilot, 1);
	}
	finish(c);
	ctx_free(c);
}

/* ---- 11. determinism ------------------------------------------------------------------ */

static void
test_determinism(void **state)
{
	struct plist *l = scratch(sizeof(*l));
	struct plist *l2 = scratch(sizeof(*l2));
	struct tcpw_engine_stats st[2];
	struct ctx *c[2];
	unsigned int at;

	(void)state;
	story_1379(l);
	story_49330(l2, &at);
	for (unsigned int i = 0; i < l2->n; i++)
		add(l, l2->p[i]);
	for (unsigned int k = 0; k < 2; k++) {
		/* the index's hash seed moves pairs between buckets, never a record */
		c[k] = ctx_new_seeded(128, &tmt_tutorial, k == 0 ? 0 : UINT64_C(0x243f6a8885a308d3));
		feed_list(c[k], l);
		finish(c[k]);
		tcpw_engine_stats(c[k]->e, &st[k]);
	}
	assert_int_equal(c[0]->nrec, 63); /* 16 + 47 */
	assert_int_equal(c[0]->nrec, c[1]->nrec);
	assert_memory_equal(c[0]->rec, c[1]->rec, c[0]->nrec * sizeof(c[0]->rec[0]));
	assert_memory_equal(&st[0], &st[1], sizeof(st[0]));
	for (unsigned int k = 0; k < 2; k++)
		ctx_free(c[k]);
	release(l2);
	release(l);
}

/* ---- 11b. the shortest timeout's walk: touch ring against list -------------------------- */

/* Records and packet lines of a run, folded into one FNV-1a digest in order. */
struct digest {
	uint64_t h;
	uint64_t nrec, nline;
};

static void
fold(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		d->h = (d->h ^ b[i]) * UINT64_C(0x100000001b3);
}

static int
digest_emit(void *arg, const struct tcpw_record *r)
{
	struct digest *d = arg;

	fold(d, r, sizeof(*r)); /* padding included: records are built zeroed */
	d->nrec++;
	return 0;
}

static void
digest_line(void *arg, const struct tcpw_pkt_line *l)
{
	struct digest *d = arg;

	fold(d, &l->flow_ind, sizeof(l->flow_ind));
	fold(d, &l->flow_stat, sizeof(l->flow_stat));
	fold(d, &l->timeout_s, sizeof(l->timeout_s));
	d->nline++;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
eng_packet(struct tcpw_engine *e, struct tpkt t)
{
	uint8_t f[FRAME_MAX];

	assert_int_equal(tcpw_engine_packet(e, f, build_frame(&t, f), ts_of(&t)), 0);
	while (tcpw_engine_drain(e, 16) > 0)
		;
}

static void
eng_tick(struct tcpw_engine *e, uint32_t sec, uint32_t usec)
{
	tcpw_engine_advance(e, (struct tcpw_ts){ .sec = sec, .usec = usec });
	while (tcpw_engine_drain(e, 16) > 0)
		;
}

static struct tcpw_engine *
eng_new(uint32_t pairs, struct digest *d, bool list_only)
{
	struct tcpw_engine_params p = { .pairs = pairs, .linktype = TCPW_DLT_EN10MB,
		.tmt = tmt_tutorial, .flow_timeout_s = 182.0f, .emit = digest_emit,
		.emit_ctx = d, .pkt_cb = digest_line, .pkt_ctx = d, .walk_list_only = list_only };
	struct tcpw_engine *e;

	memset(d, 0, sizeof(*d));
	e = tcpw_engine_create(&p);
	assert_non_null(e);
	return e;
}

#define RW_PKTS 40000

/* Random traffic (seeded): TCP with RSTs, FINs and zero windows that abort both directions,
 * IPv4 fragments (a later one joins its first fragment's direction without a state step),
 * UDP, steps of about the 1 ms ABRT timeout, floods at one timestamp longer than the touch
 * ring, long gaps, idle clock steps between bursts and, for some seeds, steps back in time;
 * in bursts of up to 32 into a table of @pairs (64 makes the autopilot evict). */
static void
ring_walk_run(uint64_t seed, uint32_t pairs, bool list_only, uint32_t touch_first,
	      struct digest *d, struct tcpw_engine_stats *st)
{
	static uint8_t frames[TCPW_ENGINE_BURST][FRAME_MAX];
	const uint8_t *fp[TCPW_ENGINE_BURST];
	uint32_t lens[TCPW_ENGINE_BURST];
	uint64_t times[TCPW_ENGINE_BURST], rng = seed * 2 + 1, t_us = UINT64_C(1700000000000000);
	const struct tcpw_tmt tmt = { .thres = 1 + (uint32_t)(seed % 3), .flwprg = 2,
		.bgn_s = seed % 2 ? 1.2f : 0.3f, .est_s = seed % 4 < 2 ? 1.0f : 0.01f,
		.abrt_s = seed % 5 == 0 ? 0.0005f : 0.001f };
	unsigned int nflows = 4 + (unsigned int)(seed * 37 % 300), mode = (unsigned int)(seed % 4);
	struct tcpw_engine_params p = { .pairs = pairs, .linktype = TCPW_DLT_EN10MB, .tmt = tmt,
		.flow_timeout_s = seed % 3 == 0 ? 0.05f : 182.0f, .emit = digest_emit,
		.emit_ctx = d, .pkt_cb = digest_line, .pkt_ctx = d, .walk_list_only = list_only,
		.touch_first = touch_first };
	static const uint8_t flags[] = { SYN, SYN | ACK, ACK, ACK, ACK, ACK, PSH | ACK, PSH | ACK,
					 FIN | ACK, RST, RST | ACK };
	struct tcpw_engine *e;

	for (unsigned int i = 0; i < TCPW_ENGINE_BURST; i++)
		fp[i] = frames[i];
	memset(d, 0, sizeof(*d));
	d->h = UINT64_C(0xcbf29ce484222325);
	e = tcpw_engine_create(&p);
	assert_non_null(e);
	for (unsigned int sent = 0; sent < RW_PKTS;) {
		unsigned int n = 1 + (unsigned int)(xorshift(&rng) % TCPW_ENGINE_BURST), done = 0;

		for (unsigned int i = 0; i < n; i++) {
			uint64_t r = xorshift(&rng);
			uint32_t k = (uint32_t)(r % nflows), a = IP4(10, 6, k >> 8, k & 255);
			/* floods: mostly lone directions */
			bool rev = mode == 1 ? (r >> 20) % 16 == 0 : (r >> 20) & 1;
			uint16_t win = (r >> 32) % 4 == 0 ? 0 : (uint16_t)(1 + (r >> 40) % 65000);
			struct tpkt t = TCP(0, 0, rev ? HB : a, rev ? 80 : 1024 + k, rev ? a : HB,
					    rev ? 1024 + k : 80, flags[(r >> 24) % sizeof(flags)],
					    win, 0);
			unsigned int step = (unsigned int)((r >> 48) % 1000), kind = (r >> 16) % 16;

			if (kind == 0) {        /* a first fragment */
				t.ipid = (uint16_t)k;
				t.frag = 0x2000;
				t.len = 8;
			} else if (kind == 1) { /* a later one */
				t.ipid = (uint16_t)k;
				t.frag = 3;
				t.len = 8;
			} else if (kind == 2) {
				t.proto = PROTO_UDP;
			}
			if (mode == 1 && (r >> 44) % 8000 != 0)
				step = 0;   /* floods at one timestamp, past the 4096-entry ring */
			else if (step < 300)
				step = 900 + step;                /* about the ABRT timeout */
			else if (step < 310)
				step = 2000000;                   /* a long gap */
			else if (mode == 3 && step < 312)
				t_us -= 1500000;                  /* a step back */
			else
				step %= 60;
			t_us += step;
			times[i] = t_us;
			lens[i] = build_frame(&t, frames[i]);
		}
		while (done < n) {
			done += tcpw_engine_packets(e, fp + done, lens + done, times + done,
						    n - done);
			while (tcpw_engine_drain(e, 16) > 0)
				;
		}
		sent += n;
		if (xorshift(&rng) % 4 == 0) { /* an idle clock step, as a live RX lcore makes */
			t_us += 900 + xorshift(&rng) % 300;
			eng_tick(e, (uint32_t)(t_us / 1000000), (uint32_t)(t_us % 1000000));
		}
	}
	tcpw_engine_flush(e);
	while (tcpw_engine_drain(e, 16) > 0)
		;
	tcpw_engine_stats(e, st);
	tcpw_engine_free(e);
}

/* A direction of the shortest timeout waits in the touch ring for its walk while as many
 * moves to the head as the ring holds, or more, come at the same time, then time moves on
 * by a packet or an idle step: the direction still ends a timeout after its packet. */
static void
test_ring_walk_overrun(void **state)
{
	static const unsigned int moves[] = { 4000, 4062, 4063, 4064, 4094, 4095, 4096, 5000 };
	struct digest d;

	(void)state;
	for (unsigned int m = 0; m < TCPW_ARRAY_SIZE(moves) * 2; m++) {
		struct tcpw_engine *e = eng_new(1024, &d, false); /* a 4096-entry ring */

		/* a lone direction: RST (ABRT), then a packet in ABRT: the ABRT timeout, 1 ms */
		eng_packet(e, TCP(T44, 0, HA, 4000, HB, 5000, RST | ACK, 100, 0));
		eng_packet(e, TCP(T44, 0, HA, 4000, HB, 5000, ACK, 100, 0));
		for (unsigned int i = 0; i < moves[m / 2]; i++) /* two UDP pairs in turn */
			eng_packet(e, UDP(T44, 0, IP4(10, 5, 0, i & 1), 4000, IP4(10, 5, 1, 1),
					  5000, 10));
		if (m & 1)
			eng_tick(e, T44, 2000);
		else
			eng_packet(e, UDP(T44, 2000, IP4(10, 5, 0, 0), 4000, IP4(10, 5, 1, 1),
					  5000, 10));
		if (d.nrec != 1)
			fail_msg("%u moves, then a%s: %u records, not the RST direction's",
				 moves[m / 2], m & 1 ? "n idle step" : " packet",
				 (unsigned int)d.nrec);
		tcpw_engine_flush(e);
		while (tcpw_engine_drain(e, 16) > 0)
			;
		assert_int_equal(d.nrec, 3);
		tcpw_engine_free(e);
	}
}

/* A direction of the shortest timeout that the ring walk passed (its reverse was not
 * expired) and that is then touched without a state step while it is the newest (a later
 * fragment): the list walk looks at it again a timeout later, and so must the ring walk. */
static void
test_ring_walk_touch_in_place(void **state)
{
	struct tpkt first = TCP(T44 + 1, 700000, HA, 4000, HB, 5000, ACK, 100, 8);
	struct tpkt later = TCP(T44 + 2, 599500, HA, 4000, HB, 5000, ACK, 100, 8);
	struct digest d[2];

	(void)state;
	first.ipid = later.ipid = 0x55;
	first.frag = 0x2000; /* MF */
	later.frag = 3;
	for (unsigned int k = 0; k < 2; k++) {
		struct tcpw_engine *e = eng_new(1024, &d[k], k == 1);

		eng_packet(e, TCP(T44 + 1, 0, HA, 4000, HB, 5000, ACK, 100, 0));
		eng_packet(e, TCP(T44 + 1, 0, HB, 5000, HA, 4000, ACK, 100, 0));
		eng_packet(e, TCP(T44 + 1, 500000, HA, 4000, HB, 5000, RST | ACK, 100, 0));
		eng_packet(e, TCP(T44 + 1, 500010, HA, 4000, HB, 5000, ACK, 100, 0)); /* 1 ms */
		eng_packet(e, TCP(T44 + 1, 600000, HB, 5000, HA, 4000, ACK, 100, 0)); /* 1 s */
		eng_packet(e, first);
		eng_tick(e, T44 + 1, 702000); /* the 1 ms walk passes A: B is not expired */
		eng_packet(e, later);         /* A again, without a state step */
		eng_tick(e, T44 + 2, 600000);
		eng_tick(e, T44 + 2, 601000); /* A 1.5 ms idle, B 1.001 s: the pair ends */
		assert_int_equal(d[k].nrec, 1);
		eng_packet(e, TCP(T44 + 2, 700000, HA, 4000, HB, 5000, ACK, 100, 0)); /* new */
		tcpw_engine_flush(e);
		while (tcpw_engine_drain(e, 16) > 0)
			;
		assert_int_equal(d[k].nrec, 2);
		tcpw_engine_free(e);
	}
	assert_true(d[0].h == d[1].h);
}

/* The shortest timeout's walk reads the touch ring instead of the list while time moves
 * forward (engine.c, min_walk()): it must end the same pairs in the same order as the
 * list walk, through the ways back to the list it meets here (a step back in time, a
 * direction that takes the shortest timeout without a move, a ring about to be
 * overwritten; reloads are the fuzzer's), with touch numbers from 0 and, for a third of
 * the seeds, from just before they wrap (the signed way, and the unsigned way). */
static void
test_ring_walk_equals_list_walk(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 24; seed++) {
		uint32_t pairs = seed % 3 == 0 ? 64 : seed % 3 == 1 ? 1024 : 65536;
		uint32_t first = seed % 3 != 2 ? 0 : seed % 2 ? 0x80000000u - 64 : 0u - 4096;
		struct tcpw_engine_stats st[2];
		struct digest d[2];

		for (unsigned int k = 0; k < 2; k++)
			ring_walk_run(seed, pairs, k == 1, first, &d[k], &st[k]);
		if (d[0].h != d[1].h || d[0].nrec != d[1].nrec)
			fail_msg("seed %u (touches from %#x): %u records against %u with the list "
				 "walk, digests differ", (unsigned int)seed, (unsigned int)first,
				 (unsigned int)d[0].nrec, (unsigned int)d[1].nrec);
		assert_true(d[0].nline >= RW_PKTS && d[0].nline == d[1].nline);
		assert_true(d[0].nrec > 0);
		assert_memory_equal(&st[0], &st[1], sizeof(st[0]));
	}
}

/* ---- 12. time going backwards --------------------------------------------------------- */

#define F1(s, us) TCP((s), (us), HA, 4000, HB, 5000, ACK, 100, 0)
#define F2(s, us) TCP((s), (us), IP4(10, 3, 0, 3), 4000, IP4(10, 3, 0, 4), 5000, ACK, 100, 0)

static void
test_time_backwards(void **state)
{
	struct ctx *c = ctx_new(8);
	const struct tcpw_record *r;

	(void)state;
	feed(c, F1(1100, 0));
	feed(c, F2(1100, 200000));
	/* 1.2 s back in time: every flow in memory is in this packet's future (negative age):
	 * none may end */
	feed(c, UDP(1099, 0, IP4(10, 3, 0, 5), 4000, IP4(10, 3, 0, 6), 5000, 10));
	assert_int_equal(c->nrec, 0);
	assert_int_equal(tcpw_engine_pending(c->e), 0);
	/* and the flows keep working when time comes back */
	feed(c, F1(1100, 900000));
	feed(c, F2(1101, 0));
	assert_int_equal(c->line[3].flow_ind, 1);
	assert_int_equal(c->line[4].flow_ind, 2);
	/* a flow's own packet from the past, and a replay far back (ftp-crack holds its capture
	 * twice, time jumping back): both join, lastSeen takes the packet's time */
	feed(c, F1(1100, 500000));
	feed(c, F1(1050, 0));
	assert_int_equal(c->line[5].flow_ind, 1);
	assert_int_equal(c->line[6].flow_ind, 1);
	assert_int_equal(c->nrec, 0);
	/* time moves on: F2 (1.5 s idle) and F1 (last seen at 1050) end in LRU order */
	feed(c, F2(1102, 500000));
	assert_int_equal(c->nrec, 2);
	assert_int_equal(c->rec[0].flow_ind, 2);
	assert_int_equal(c->rec[1].flow_ind, 1);
	assert_int_equal(c->line[7].flow_ind, 4);
	/* F1 stepped back within a second (1100.9 -> 1100.5): TIMEJUMP; its 50 s step back
	 * across seconds alone would not set it (test_time_timejump_t2_rule) */
	check_rec(c, &(struct want_rec){ 1, TCPW_END_TIMEOUT, 1, {
		{ HA, 4000, HB, 5000, FS_A | TCPW_FS_TIMEJUMP, 1100, 0, 1050, 0, 4, 0x10, 0x02,
		  0 } } });
	check_rec(c, &(struct want_rec){ 2, TCPW_END_TIMEOUT, 1, {
		{ IP4(10, 3, 0, 3), 4000, IP4(10, 3, 0, 4), 5000, FS_A, 1100, 200000, 1101, 0, 2,
		  0x10, 0x02, 0 } } });
	finish(c);
	r = rec_of(c, 3); /* G: whether its flowStat shows the jump is left open */
	assert_int_equal(r->ndir, 1);
	assert_int_equal(r->dir[0].flow_stat & ~TCPW_FS_TIMEJUMP, FS_A);
	assert_int_equal(r->dir[0].first.sec, 1099);
	assert_int_equal(r->dir[0].pkts, 1);
	ctx_free(c);
}

/* ---- 13. time jumps (issue 7): future, identical, back and forth ---------------------- */

/* UDP pairs (default timeout 182 s, no tcpWinTMT state): N, P, Q, each A -> B on :4000 ->
 * :5000 from its own host pair. */
#define HN1 IP4(10, 7, 0, 1)
#define HN2 IP4(10, 7, 0, 2)
#define HP1 IP4(10, 7, 1, 1)
#define HP2 IP4(10, 7, 1, 2)
#define HQ1 IP4(10, 7, 2, 1)
#define HQ2 IP4(10, 7, 2, 2)
#define T2100 4102444800u /* 2100-01-01T00:00:00Z, fits the 32-bit seconds of pcap */

static void
advance(struct ctx *c, uint32_t sec, uint32_t usec)
{
	tcpw_engine_advance(c->e, (struct tcpw_ts){ .sec = sec, .usec = usec });
	drain_all(c);
}

/* Packets up to a pair stamped in 2100, then time back to normal: the future packet ends
 * every pair in memory (all idle for ~77 years at its time); the pair it opens has a
 * negative age at every later, earlier-stamped packet, so it cannot end until time reaches
 * its last packet plus its timeout. The sentinel walks (§2.4) stop at it, so a pair opened
 * after it cannot end either, however long it idles in normal time, until time passes the
 * future pair's last packet by the smallest timeout (1 ms): from then on the 1 ms walk
 * steps over the future pair (idle past 1 ms, not past its own 182 s) and reaches it. */
static struct ctx *
future_pair(void)
{
	struct ctx *c = ctx_new(8);

	feed(c, UDP(1000, 0, HN1, 4000, HN2, 5000, 10));       /* N: ind 1 */
	feed(c, UDP(T2100, 0, HP1, 4000, HP2, 5000, 10));      /* P: ind 2 */
	assert_int_equal(c->nrec, 1);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_TIMEOUT, 1, {
		{ HN1, 4000, HN2, 5000, FS_A, 1000, 0, 1000, 0, 1, NO_TWIN, 0, 0 } } });
	feed(c, UDP(T2100, 100, HP2, 5000, HP1, 4000, 10));    /* P's B direction */
	feed(c, UDP(1001, 0, HQ1, 4000, HQ2, 5000, 10));       /* Q: ind 3, back in 2023 */
	assert_int_equal(c->line[3].flow_ind, 3);
	advance(c, 1001 + 100000, 0);                          /* Q idle 100000 s */
	assert_int_equal(c->nrec, 1);
	assert_int_equal(tcpw_engine_pairs(c->e), 2);
	return c;
}

#define UA(s) UDP((s), 0, IP4(10, 4, 0, 1), 4000, IP4(10, 4, 0, 2), 5000, 10)
#define UB(s) UDP((s), 0, IP4(10, 4, 0, 3), 4000, IP4(10, 4, 0, 4), 5000, 10)
#define UC(s) UDP((s), 0, IP4(10, 4, 0, 5), 4000, IP4(10, 4, 0, 6), 5000, 10)
#define UX(s) UDP((s), 0, IP4(10, 4, 0, 7), 4000, IP4(10, 4, 0, 8), 5000, 10)

/* A flow created while time runs backwards sits at the newest end of the LRU list, last
 * seen earlier than flows before it. Once time runs forward again and it is past its
 * timeout, Tranalyzer's walk (from the sentinel) ends it: the engine's due-time shortcut,
 * which assumes the list is ordered by lastSeen, must not skip that walk. */
static void
test_time_out_of_order_expires(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, UA(1000));
	feed(c, UB(900));  /* back in time */
	feed(c, UC(1000));
	/* A moves on: B, last seen at 900, now leads the list; the shorter timeouts' walks have
	 * passed it (not expired for 182 s), so only the 182 s walk can end it */
	feed(c, UA(1002));
	feed(c, UX(1090)); /* B is 190 s idle, past the 182 s timeout */
	assert_int_equal(c->nrec, 1);
	assert_int_equal(c->rec[0].flow_ind, 2);
	feed(c, UB(1100)); /* so B's next packet starts a new flow */
	assert_int_equal(c->line[5].flow_ind, 5);
	finish(c);
	ctx_free(c);
}

static void
test_time_future_pair_waits_for_time(void **state)
{
	struct ctx *c = future_pair();

	(void)state;
	/* at P's last packet, and 999 us after it: nothing ends */
	advance(c, T2100, 100);
	advance(c, T2100, 1099);
	assert_int_equal(c->nrec, 1);
	/* 1 ms after it: the 1 ms walk passes P and ends Q, idle since 1001 */
	advance(c, T2100, 1100);
	assert_int_equal(c->nrec, 2);
	assert_int_equal(c->rec[1].flow_ind, 3);
	/* P's A direction is 182 s idle, its B direction 181.9999 s: the pair stays */
	advance(c, T2100 + 182, 0);
	assert_int_equal(c->nrec, 2);
	/* both 182 s idle: P ends */
	advance(c, T2100 + 182, 100);
	assert_int_equal(c->nrec, 3);
	assert_int_equal(c->rec[2].flow_ind, 2);
	check_rec(c, &(struct want_rec){ 2, TCPW_END_TIMEOUT, 2, {
		{ HP1, 4000, HP2, 5000, FS_A, T2100, 0, T2100, 0, 1, NO_TWIN, 0, 0 },
		{ HP2, 5000, HP1, 4000, FS_B, T2100, 100, T2100, 100, 1, NO_TWIN, 0, 0 } } });
	check_rec(c, &(struct want_rec){ 3, TCPW_END_TIMEOUT, 1, {
		{ HQ1, 4000, HQ2, 5000, FS_A, 1001, 0, 1001, 0, 1, NO_TWIN, 0, 0 } } });
	finish(c);
	ctx_free(c);
}

static void
test_time_future_pair_flushed(void **state)
{
	struct ctx *c = future_pair();

	(void)state;
	/* end of input before time catches up: the flush writes both, oldest first */
	finish(c);
	assert_int_equal(c->nrec, 3);
	assert_int_equal(c->rec[1].flow_ind, 2);
	assert_int_equal(c->rec[2].flow_ind, 3);
	assert_int_equal(c->rec[1].reason, TCPW_END_FLUSH);
	assert_int_equal(c->rec[2].reason, TCPW_END_FLUSH);
	assert_int_equal(c->rec[1].dir[0].last.sec, T2100);
	assert_int_equal(c->rec[1].dir[1].last.usec, 100);
	ctx_free(c);
}

/* The largest time classic pcap can hold (2106-02-07T06:28:15.999999Z) and the epoch go
 * through the age arithmetic (64-bit differences) like any other time: the first ends the
 * pair before it, the epoch packet after it ends nothing (negative ages) and is held back
 * behind it, and the flush writes both. */
static void
test_time_pcap_limit(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, UDP(1000, 0, HN1, 4000, HN2, 5000, 10));
	feed(c, UDP(UINT32_MAX, 999999, HP1, 4000, HP2, 5000, 10));
	assert_int_equal(c->nrec, 1);                          /* N ended by the jump */
	feed(c, UDP(0, 0, HQ1, 4000, HQ2, 5000, 10));          /* the epoch */
	advance(c, UINT32_MAX, 999999);
	assert_int_equal(c->nrec, 1);                          /* P 0 s idle blocks Q */
	finish(c);
	assert_int_equal(c->nrec, 3);
	check_rec(c, &(struct want_rec){ 2, TCPW_END_FLUSH, 1, {
		{ HP1, 4000, HP2, 5000, FS_A, UINT32_MAX, 999999, UINT32_MAX, 999999, 1, NO_TWIN,
		  0, 0 } } });
	check_rec(c, &(struct want_rec){ 3, TCPW_END_FLUSH, 1, {
		{ HQ1, 4000, HQ2, 5000, FS_A, 0, 0, 0, 0, 1, NO_TWIN, 0, 0 } } });
	ctx_free(c);
}

/* Many packets with one timestamp: every age is 0, below every timeout, 1 ms included, so
 * nothing ends between them, even after a FIN (ABRT, 1 ms); no IAT is negative, so no
 * TIMEJUMP; durations are 0. */
static void
test_time_identical_timestamps(void **state)
{
	struct ctx *c = ctx_new(8);
	const struct tcpw_record *r;

	(void)state;
	for (unsigned int i = 0; i < 120; i++)
		feed(c, i % 3 == 2 ? UDP(1000, 500000, HN2, 5000, HN1, 4000, 10)
				   : UDP(1000, 500000, HN1, 4000, HN2, 5000, 10));
	feed(c, TCP(1000, 500000, HA, 4000, HB, 5000, SYN, 1000, 0));
	feed(c, TCP(1000, 500000, HB, 5000, HA, 4000, SYN | ACK, 1000, 0));
	feed(c, TCP(1000, 500000, HA, 4000, HB, 5000, ACK, 1000, 0));
	feed(c, TCP(1000, 500000, HA, 4000, HB, 5000, FIN | ACK, 1000, 0));
	feed(c, TCP(1000, 500000, HB, 5000, HA, 4000, FIN | ACK, 1000, 0));
	feed(c, TCP(1000, 500000, HA, 4000, HB, 5000, ACK, 1000, 0));
	feed(c, TCP(1000, 500000, HB, 5000, HA, 4000, ACK, 1000, 0));
	assert_int_equal(c->nrec, 0);
	for (unsigned int i = 0; i < c->nline; i++) {
		assert_int_equal(c->line[i].flow_ind, i < 120 ? 1 : 2);
		assert_true(c->line[i].iat_s == 0);
		assert_int_equal(c->line[i].flow_stat & TCPW_FS_TIMEJUMP, 0);
	}
	/* 1 ms later the aborted TCP pair ends; the UDP pair (182 s) stays */
	advance(c, 1000, 501000);
	assert_int_equal(c->nrec, 1);
	check_rec(c, &(struct want_rec){ 2, TCPW_END_TIMEOUT, 2, {
		{ HA, 4000, HB, 5000, FS_A, 1000, 500000, 1000, 500000, 4, 0x13, 0x04, 0 },
		{ HB, 5000, HA, 4000, FS_B, 1000, 500000, 1000, 500000, 3, 0x13, 0x04, 0 } } });
	finish(c);
	r = rec_of(c, 1);
	assert_int_equal(r->dir[0].pkts, 80);
	assert_int_equal(r->dir[1].pkts, 40);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_FLUSH, 2, {
		{ HN1, 4000, HN2, 5000, FS_A, 1000, 500000, 1000, 500000, 80, NO_TWIN, 0, 0 },
		{ HN2, 5000, HN1, 4000, FS_B, 1000, 500000, 1000, 500000, 40, NO_TWIN, 0, 0 } } });
	ctx_free(c);
}

/* Duration column of the first (A) line, or of the second line when @second. */
static double
text_duration(const struct tcpw_record *r, bool second)
{
	char buf[2048], *p = buf;

	assert_true(tcpw_record_format(r, buf, sizeof(buf)) > 0);
	if (second) {
		p = strchr(buf, '\n');
		assert_non_null(p);
		p++;
	}
	for (unsigned int col = 0; col < 5; col++) { /* dir flowInd flowStat first last */
		p = strchr(p, '\t');
		assert_non_null(p);
		p++;
	}
	return strtod(p, NULL);
}

/* A pair's packets 30 s back in time, then forward again. The jump back can end nothing
 * (every age is negative), so the old packets join the pair, lastSeen takes their time and
 * the IAT is negative: TIMEJUMP. Forward again, 31 s after those, is still below 182 s:
 * the same pair. The B direction ends on its packet from the past: timeLast before
 * timeFirst, and duration = timeLast - timeFirst is negative (T2-SEMANTICS §3.3; issue 7
 * asks for no negative durations: the conflict is reported, not settled here). */
static void
test_time_back_then_forward(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, UDP(1000, 0, HN1, 4000, HN2, 5000, 10));
	feed(c, UDP(1000, 200000, HN2, 5000, HN1, 4000, 10));
	feed(c, UDP(1001, 0, HN1, 4000, HN2, 5000, 10));
	feed(c, UDP(971, 0, HN1, 4000, HN2, 5000, 10));        /* 30 s back */
	feed(c, UDP(971, 500000, HN2, 5000, HN1, 4000, 10));
	feed(c, UDP(1002, 0, HN1, 4000, HN2, 5000, 10));       /* forward: 31 s after 971 */
	assert_int_equal(c->nrec, 0);
	for (unsigned int i = 0; i < c->nline; i++)
		assert_int_equal(c->line[i].flow_ind, 1);
	assert_int_equal(llround(c->line[3].iat_s * 1e6), -30000000);
	assert_int_equal(llround(c->line[5].iat_s * 1e6), 31000000);
	/* 30 s back, across seconds: no TIMEJUMP (Tranalyzer's rule) */
	assert_int_equal(c->line[3].flow_stat & TCPW_FS_TIMEJUMP, 0);
	/* 182 s after the A direction's 1002 and the B direction's 971.5: the pair ends
	 * (181.999 s is below 182 even as a float; 181.999999 would round up to 182.0f) */
	advance(c, 1002 + 181, 999000);
	assert_int_equal(c->nrec, 0);
	advance(c, 1002 + 182, 0);
	assert_int_equal(c->nrec, 1);
	check_rec(c, &(struct want_rec){ 1, TCPW_END_TIMEOUT, 2, {
		{ HN1, 4000, HN2, 5000, FS_A, 1000, 0, 1002, 0, 4, NO_TWIN, 0,
		  0 },
		{ HN2, 5000, HN1, 4000, FS_B, 1000, 200000, 971, 500000, 2,
		  NO_TWIN, 0, 0 } } });
	assert_true(text_duration(&c->rec[0], false) == 2.0);
	assert_true(text_duration(&c->rec[0], true) == 0.0); /* ends before it starts */
	finish(c);
	ctx_free(c);
}

/*
 * Real Tranalyzer 0.9.3 sets TIMEJUMP when a packet's IAT in its direction
 * is negative as computed by basicFlow: (uint32_t)sec - (uint32_t)last_sec (unsigned, so a
 * step back across a second boundary wraps to ~4.29e9) + (usec - last_usec) / 1e6. Only a
 * step back within the same second shows. The golden ftp-crack output agrees with this rule
 * on all 2804 records (33 with TIMEJUMP; the engine's "any step back" rule gives 54), as do
 * transform-base64-7296 (0 with TIMEJUMP; the engine gives 5) and timestamp_invalid_micro.
 */
static void
test_time_timejump_t2_rule(void **state)
{
	struct ctx *c = ctx_new(8);

	(void)state;
	feed(c, UDP(1000, 500000, HN1, 4000, HN2, 5000, 10));
	feed(c, UDP(999, 900000, HN1, 4000, HN2, 5000, 10));  /* 0.6 s back, other second */
	feed(c, UDP(1000, 500000, HP1, 4000, HP2, 5000, 10));
	feed(c, UDP(1000, 200000, HP1, 4000, HP2, 5000, 10));  /* 0.3 s back, same second */
	finish(c);
	assert_int_equal(rec_of(c, 2)->dir[0].flow_stat, FS_A | TCPW_FS_TIMEJUMP);
	assert_int_equal(rec_of(c, 1)->dir[0].flow_stat, FS_A);
	ctx_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_story_49330, teardown),
		cmocka_unit_test_teardown(test_story_1379, teardown),
		cmocka_unit_test_teardown(test_exercise_tmt_est_4, teardown),
		cmocka_unit_test_teardown(test_exercise_flwprg_3, teardown),
		cmocka_unit_test_teardown(test_boundaries, teardown),
		cmocka_unit_test_teardown(test_boundary_abrt_across_second, teardown),
		cmocka_unit_test_teardown(test_pair_needs_both_expired, teardown),
		cmocka_unit_test_teardown(test_lone_and_udp_timeouts, teardown),
		cmocka_unit_test_teardown(test_unreachable_timeout, teardown),
		cmocka_unit_test_teardown(test_timeouts_exhausted, teardown),
		cmocka_unit_test_teardown(test_reverse_abort, teardown),
		cmocka_unit_test_teardown(test_abort_without_reverse, teardown),
		cmocka_unit_test_teardown(test_accounting, teardown),
		cmocka_unit_test_teardown(test_ipv6_frag_after_ah, teardown),
		cmocka_unit_test_teardown(test_record_lists, teardown),
		cmocka_unit_test_teardown(test_record_bytes_spill, teardown),
		cmocka_unit_test_teardown(test_pair_keys, teardown),
		cmocka_unit_test_teardown(test_index_spread, teardown),
		cmocka_unit_test_teardown(test_emit_refusal, teardown),
		cmocka_unit_test_teardown(test_no_room_until_drained, teardown),
		cmocka_unit_test_teardown(test_table_full_autopilot, teardown),
		cmocka_unit_test_teardown(test_table_full_hfull_oldest_direction_only, teardown),
		cmocka_unit_test_teardown(test_table_full_evicts_one_pair, teardown),
		cmocka_unit_test_teardown(test_overload_emergency_timeouts, teardown),
		cmocka_unit_test_teardown(test_overload_retry_ends_two, teardown),
		cmocka_unit_test_teardown(test_overload_low_mark_switches_off, teardown),
		cmocka_unit_test_teardown(test_overload_then_autopilot, teardown),
		cmocka_unit_test_teardown(test_overload_bad_values, teardown),
		cmocka_unit_test_teardown(test_determinism, teardown),
		cmocka_unit_test_teardown(test_ring_walk_overrun, teardown),
		cmocka_unit_test_teardown(test_ring_walk_touch_in_place, teardown),
		cmocka_unit_test_teardown(test_ring_walk_equals_list_walk, teardown),
		cmocka_unit_test_teardown(test_time_backwards, teardown),
		cmocka_unit_test_teardown(test_time_out_of_order_expires, teardown),
		cmocka_unit_test_teardown(test_time_future_pair_waits_for_time, teardown),
		cmocka_unit_test_teardown(test_time_future_pair_flushed, teardown),
		cmocka_unit_test_teardown(test_time_pcap_limit, teardown),
		cmocka_unit_test_teardown(test_time_identical_timestamps, teardown),
		cmocka_unit_test_teardown(test_time_back_then_forward, teardown),
		cmocka_unit_test_teardown(test_time_timejump_t2_rule, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
