/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text form of flow records and packet lines, in Tranalyzer's txtSink format (T2-SEMANTICS
 * §3, §4): tab-separated, lower-case hex, microsecond timestamps, ';' between the values of
 * a repeated column. A small appender keeps every snprintf() checked for truncation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

const char tcpw_record_flow_header[] =
	"%dir\tflowInd\tflowStat\ttimeFirst\ttimeLast\tduration\tnumHdrDesc\tnumHdrs\thdrDesc"
	"\tsrcMac\tdstMac\tethType\tethVlanID\tsrcIP\tsrcPort\tdstIP\tdstPort\tl4Proto"
	"\ttcpWinStat\ttcpWinState\ttcpWinThCnt\tnumPktsSnt\tnumBytesSnt\n";

const char tcpw_record_packet_header[] =
	"%pktNo\tflowInd\tflowStat\ttime\tpktIAT\tflowDuration\tnumHdrs\thdrDesc\tethVlanID"
	"\tsrcMac\tdstMac\tethType\tsrcIP\tsrcPort\tdstIP\tdstPort\tl4Proto"
	"\ttcpWinStat\ttcpWinState\ttcpWin\ttcpWinThCnt\tflowTmout\tl7Content\n";

/* Bounded appender: once anything does not fit, every later call is a no-op. */
struct out {
	char *buf;
	size_t len;
	size_t pos;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos)
		o->full = true;
	else
		o->pos += (size_t)n;
}

/* The appenders below write what the lines need without printf (it was a tenth of an
 * offline run's CPU, and two thirds of packet mode's), straight into the line: take()
 * gives them the room, and finish() ends the line with its NUL. */

/* Room for @n more bytes (and the NUL that finish() writes after the line): where they go,
 * or NULL, and the line is full. */
static inline char *
take(struct out *o, size_t n)
{
	char *p;

	if (o->full || n >= o->len - o->pos) {
		o->full = true;
		return NULL;
	}
	p = o->buf + o->pos;
	o->pos += n;
	return p;
}

static inline void
put_mem(struct out *o, const char *s, size_t n)
{
	char *p = take(o, n);

	if (p != NULL)
		memcpy(p, s, n);
}

static inline void
put_ch(struct out *o, char c)
{
	char *p = take(o, 1);

	if (p != NULL)
		*p = c;
}

static void
put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* "00" to "99": two digits a division */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* @v's decimal digits, ending at @end (the caller made room for them). */
static inline void
digits_before(char *end, uint64_t v)
{
	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		end -= 2;
		memcpy(end, two_digits + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(end - 2, two_digits + 2 * v, 2);
	else
		end[-1] = (char)('0' + v);
}

static void
put_u(struct out *o, uint64_t v)
{
	static const uint64_t pow10[20] = { /* [0]: 0, so that 0 has a digit too */
		0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
		UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
		UINT64_C(10000000000000), UINT64_C(100000000000000),
		UINT64_C(1000000000000000), UINT64_C(10000000000000000),
		UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
		UINT64_C(10000000000000000000),
	};
	/* digits: log10 from the bit length (x 1233 / 4096 ~ log10(2)), one less below the
	 * power of ten it names */
	unsigned int t = (64 - (unsigned int)__builtin_clzll(v | 1)) * 1233 >> 12;
	unsigned int n = t + 1 - (v < pow10[t]);
	char *p;

	p = take(o, n);
	if (p != NULL)
		digits_before(p + n, v);
}

/* "0x" and @digits lower-case hex digits (more if @v needs them, as %0*x would) */
static void
put_hex(struct out *o, uint64_t v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int need = v == 0 ? 1 : (67 - (unsigned int)__builtin_clzll(v)) / 4;
	unsigned int n = need > digits ? need : digits;
	char *p = take(o, 2 + n);

	if (p == NULL)
		return;
	p[0] = '0';
	p[1] = 'x';
	for (char *e = p + 2 + n; e > p + 2; v >>= 4)
		*--e = hex[v & 15];
}

static int
finish(struct out *o)
{
	if (o->full) {
		if (o->len > 0)
			o->buf[0] = '\0';
		return -ENOSPC;
	}
	o->buf[o->pos] = '\0';
	return (int)o->pos;
}

/* The last 6 digits of @v, zero-padded ("%06u" of v % 1000000). */
static void
put_6digits(struct out *o, uint32_t v)
{
	char *p = take(o, 6);

	if (p == NULL)
		return;
	memset(p, '0', 6);
	digits_before(p + 6, v % 1000000);
}

/*
 * "%f" of @x, exactly: x is m * 2^e (m an integer, e < 0 below 2^44), so x * 10^6 is
 * m * 10^6 / 2^-e, an integer quotient and a remainder in 128 bits (m * 10^6 < 2^73),
 * rounded to the nearest integer k, ties to even; then k / 10^6, '.', k % 10^6. Infinities,
 * NaNs and |x| >= 2^44 (not a time here) go to printf.
 */
static void
put_f6(struct out *o, double x)
{
	uint64_t bits, m, k;
	unsigned int exp, s;
	unsigned __int128 n;

	memcpy(&bits, &x, sizeof(bits));
	exp = (unsigned int)(bits >> 52) & 0x7ff;
	if (exp >= 1023 + 44) {
		put(o, "%f", x);
		return;
	}
	m = bits & ((UINT64_C(1) << 52) - 1);
	if (exp != 0)
		m |= UINT64_C(1) << 52;
	s = exp != 0 ? 1075 - exp : 1074; /* x = m / 2^s, s >= 9 */
	n = (unsigned __int128)m * 1000000;
	if (s >= 128) {
		k = 0; /* n < 2^73 is below half of 2^s */
	} else {
		unsigned __int128 q = n >> s, r = n - (q << s), half = (unsigned __int128)1 << (s - 1);

		k = (uint64_t)q + (r > half || (r == half && (q & 1)));
	}
	if (bits >> 63)
		put_ch(o, '-');
	put_u(o, k / 1000000);
	put_ch(o, '.');
	put_6digits(o, (uint32_t)(k % 1000000));
}


int
tcpw_record_fixed6(double x, char *out, size_t len)
{
	struct out o = { .buf = out, .len = len };

	put_f6(&o, x);
	return finish(&o);
}

/* inet_ntop()'s "%u.%u.%u.%u" at @p, without printf; returns its end. */
static char *
ipv4_text(char *p, const uint8_t *ip)
{
	for (unsigned int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		if (ip[i] >= 100)
			*p++ = (char)('0' + ip[i] / 100);
		if (ip[i] >= 10)
			*p++ = (char)('0' + ip[i] / 10 % 10);
		*p++ = (char)('0' + ip[i] % 10);
	}
	return p;
}

const char *
tcpw_ip_format(uint8_t ip_ver, const uint8_t *ip, char *out, size_t len)
{
	if (ip_ver != 6 && len >= INET_ADDRSTRLEN) {
		*ipv4_text(out, ip) = '\0';
		return out;
	}
	if (inet_ntop(ip_ver == 6 ? AF_INET6 : AF_INET, ip, out, (socklen_t)len) == NULL)
		snprintf(out, len, "-");
	return out;
}

/* An address as tcpw_ip_format() writes it; IPv4 straight into the line. */
static void
put_ip(struct out *o, uint8_t ip_ver, const uint8_t *ip)
{
	char t[INET6_ADDRSTRLEN];
	size_t n = 3;
	char *p;

	if (ip_ver == 6) {
		put_str(o, tcpw_ip_format(ip_ver, ip, t, sizeof(t)));
		return;
	}
	for (unsigned int i = 0; i < 4; i++)
		n += 1u + (ip[i] >= 10) + (ip[i] >= 100);
	p = take(o, n);
	if (p != NULL)
		ipv4_text(p, ip);
}

static void
put_mac(struct out *o, const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	char *t = take(o, 17);

	if (t == NULL)
		return;
	for (unsigned int i = 0; i < 6; i++) {
		t[i * 3] = hex[m[i] >> 4];
		t[i * 3 + 1] = hex[m[i] & 15];
		if (i < 5)
			t[i * 3 + 2] = ':';
	}
}

static void
put_macs(struct out *o, const uint8_t macs[][6], unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			put_ch(o, ';');
		put_mac(o, macs[i]);
	}
}

static void
put_vlans(struct out *o, const uint16_t *vlans, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < TCPW_VLAN_MAX; i++) {
		if (i)
			put_ch(o, ';');
		put_u(o, vlans[i]);
	}
}

static void
put_hdrs(struct out *o, const struct tcpw_hdrs *h)
{
	char desc[256];
	int n = tcpw_hdrs_format(h, desc, sizeof(desc));

	if (n < 0)
		o->full = true;
	else
		put_mem(o, desc, (size_t)n);
}

static void
put_ts(struct out *o, struct tcpw_ts t)
{
	put_u(o, t.sec);
	put_ch(o, '.');
	put_6digits(o, t.usec);
}

/* Durations print like timestamps. A direction whose last packet is stamped before its
 * first (the capture's clock went back) has no meaningful duration: it prints 0 (Tranalyzer
 * prints a wrapped unsigned value). */
static void
put_duration(struct out *o, struct tcpw_ts from, struct tcpw_ts to)
{
	int64_t us = ((int64_t)to.sec - from.sec) * 1000000 + ((int64_t)to.usec - from.usec);
	uint64_t a = us < 0 ? 0 : (uint64_t)us;

	put_ts(o, (struct tcpw_ts){ (uint32_t)(a / 1000000), (uint32_t)(a % 1000000) });
}

static void
put_dir(struct out *o, const struct tcpw_record *r, unsigned int i)
{
	const struct tcpw_record_dir *d = &r->dir[i];
	unsigned int nh = d->nhdrs < TCPW_REC_HDRS ? d->nhdrs : TCPW_REC_HDRS;

	put_str(o, i == 1 ? "B\t" : "A\t");
	put_u(o, r->flow_ind);
	put_ch(o, '\t');
	put_hex(o, d->flow_stat, 16);
	put_ch(o, '\t');
	put_ts(o, d->first);
	put_ch(o, '\t');
	put_ts(o, d->last);
	put_ch(o, '\t');
	put_duration(o, d->first, d->last);
	put_ch(o, '\t');
	put_u(o, d->nhdrs);
	put_ch(o, '\t');
	for (unsigned int h = 0; h < nh; h++) {
		if (h)
			put_ch(o, ';');
		put_u(o, d->hdrs[h].depth);
	}
	put_ch(o, '\t');
	for (unsigned int h = 0; h < nh; h++) {
		if (h)
			put_ch(o, ';');
		put_hdrs(o, &d->hdrs[h]);
	}
	put_ch(o, '\t');
	put_macs(o, d->src_mac, d->nsrc_mac);
	put_ch(o, '\t');
	put_macs(o, d->dst_mac, d->ndst_mac);
	put_ch(o, '\t');
	put_hex(o, d->eth_type, 4);
	put_ch(o, '\t');
	put_vlans(o, d->vlans, d->nvlan);
	put_ch(o, '\t');
	put_ip(o, r->ip_ver, d->src_ip);
	put_ch(o, '\t');
	put_u(o, d->src_port);
	put_ch(o, '\t');
	put_ip(o, r->ip_ver, d->dst_ip);
	put_ch(o, '\t');
	put_u(o, d->dst_port);
	put_ch(o, '\t');
	put_u(o, r->l4_proto);
	put_ch(o, '\t');
	put_hex(o, d->twin.stat, 2);
	put_ch(o, '\t');
	put_hex(o, d->twin.state, 2);
	put_ch(o, '\t');
	put_u(o, d->twin.win_cnt);
	put_ch(o, '\t');
	put_u(o, d->pkts);
	put_ch(o, '\t');
	put_u(o, d->bytes);
	put_ch(o, '\n');
}

int
tcpw_record_format(const struct tcpw_record *r, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	for (unsigned int i = 0; i < r->ndir && i < 2; i++)
		put_dir(&o, r, i);
	return finish(&o);
}

/* Payload as text: printable ASCII kept, \n \r \t \\ escaped, anything else '.'. Runs of
 * bytes kept as they are go in one copy. */
static void
put_payload(struct out *o, const uint8_t *p, uint32_t n)
{
	uint32_t i = 0;

	while (i < n && !o->full) {
		uint32_t run = i;

		/* printable as it is, backslash included: the tutorial's 0.8 listing shows lone
		 * ones ("}\...pQZ"); 0.9 would escape it, and \b \f \v too */
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f)
			run++;
		if (run > i) {
			put_mem(o, (const char *)p + i, run - i);
			i = run;
			continue;
		}
		switch (p[i++]) {
		case '\n': put_mem(o, "\\n", 2); break;
		case '\r': put_mem(o, "\\r", 2); break;
		case '\t': put_mem(o, "\\t", 2); break;
		default: put_ch(o, '.'); break;
		}
	}
}

int
tcpw_record_format_packet(const struct tcpw_pkt_line *l, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	const struct tcpw_pkt *p = l->pkt;

	put_u(&o, l->pkt_no);
	put_ch(&o, '\t');
	put_u(&o, l->flow_ind);
	put_ch(&o, '\t');
	put_hex(&o, l->flow_stat, 16);
	put_ch(&o, '\t');
	put_ts(&o, l->ts);
	put_ch(&o, '\t');
	put_f6(&o, l->iat_s);
	put_ch(&o, '\t');
	put_f6(&o, l->duration_s);
	put_ch(&o, '\t');
	put_u(&o, p->hdrs.depth);
	put_ch(&o, '\t');
	put_hdrs(&o, &p->hdrs);
	put_ch(&o, '\t');
	put_vlans(&o, p->vlans, p->nvlan);
	put_ch(&o, '\t');
	if (p->has_mac)
		put_mac(&o, p->src_mac);
	put_ch(&o, '\t');
	if (p->has_mac)
		put_mac(&o, p->dst_mac);
	put_ch(&o, '\t');
	put_hex(&o, p->eth_type, 4);
	put_ch(&o, '\t');
	put_ip(&o, p->ip_ver, p->src_ip);
	put_ch(&o, '\t');
	put_u(&o, p->src_port);
	put_ch(&o, '\t');
	put_ip(&o, p->ip_ver, p->dst_ip);
	put_ch(&o, '\t');
	put_u(&o, p->dst_port);
	put_ch(&o, '\t');
	put_u(&o, p->l4_proto);
	put_ch(&o, '\t');
	if (l->twin != NULL) {
		put_hex(&o, l->twin->stat, 2);
		put_ch(&o, '\t');
		put_hex(&o, l->twin->state, 2);
		put_ch(&o, '\t');
		put_u(&o, p->tcp_win);
		put_ch(&o, '\t');
		put_u(&o, l->twin->win_cnt);
		put_ch(&o, '\t');
	} else {
		put_str(&o, "\t\t\t\t");
	}
	put_f6(&o, (double)l->timeout_s);
	put_ch(&o, '\t');
	if (p->l7_len > 0)
		put_payload(&o, l->frame + p->l7_off, p->l7_len);
	put_ch(&o, '\n');
	return finish(&o);
}

/* JSON lines: the flow file's columns, by name; counts and times as numbers, the rest as
 * strings (hex, addresses, ';'-lists). Built from the text form so both always agree. */
static const struct {
	const char *name;
	bool is_number;
} json_cols[] = {
	{ "dir", false }, { "flowInd", true }, { "flowStat", false }, { "timeFirst", true },
	{ "timeLast", true }, { "duration", true }, { "numHdrDesc", true }, { "numHdrs", false },
	{ "hdrDesc", false }, { "srcMac", false }, { "dstMac", false }, { "ethType", false },
	{ "ethVlanID", false }, { "srcIP", false }, { "srcPort", true }, { "dstIP", false },
	{ "dstPort", true }, { "l4Proto", true }, { "tcpWinStat", false },
	{ "tcpWinState", false }, { "tcpWinThCnt", true }, { "numPktsSnt", true },
	{ "numBytesSnt", true },
};

int
tcpw_record_format_json(const struct tcpw_record *r, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	char text[4096];
	int n = tcpw_record_format(r, text, sizeof(text));
	char *p = text;

	if (n < 0)
		return n;
	while (*p != '\0') {
		char *eol = strchr(p, '\n');

		*eol = '\0'; /* tcpw_record_format() ends every line with '\n' */
		put(&o, "{");
		for (size_t i = 0; i < sizeof(json_cols) / sizeof(json_cols[0]); i++) {
			char *tab = strchr(p, '\t');

			if (tab != NULL)
				*tab = '\0';
			put(&o, json_cols[i].is_number ? "%s\"%s\":%s" : "%s\"%s\":\"%s\"",
			    i ? "," : "", json_cols[i].name, p);
			p = tab != NULL ? tab + 1 : eol;
		}
		put(&o, "}\n");
		p = eol + 1;
	}
	return finish(&o);
}
