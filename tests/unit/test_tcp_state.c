/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-driven tests of the tcpWinTMT state machine (lib/tcp_state, T2-SEMANTICS §1.3-1.5).
 * Each row is one packet applied to one direction (and maybe its reverse): the twins before,
 * the packet's flags and window, and the twins, timeouts and reverse timeout expected after.
 * The rows cover every branch of tcpw_tcp_state_next() and every quirk listed in §1.4.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp_state.h"

/* Short names for the table: TCP flags, including the three the state machine must ignore. */
#define FIN TCPW_TH_FIN
#define SYN TCPW_TH_SYN
#define RST TCPW_TH_RST
#define PSH TCPW_TH_PSH
#define ACK TCPW_TH_ACK
#define URG 0x20
#define ECE 0x40 /* same value as TCPW_TCPWIN_ABNRM: must not leak into stat */
#define CWR 0x80 /* same value as TCPW_TCPWIN_THU: must not leak into stat */
#define THU TCPW_TCPWIN_THU
#define ABNRM TCPW_TCPWIN_ABNRM

#define NEW TCPW_TCP_NEW
#define BGN TCPW_TCP_BGN
#define EST TCPW_TCP_EST
#define ABRT TCPW_TCP_ABRT

/* Window values: above the default threshold of 1, and the zero window that counts. */
#define WIN 8192
#define WIN0 0

/** A twin written as (stat, state, win_cnt). */
#define TW(st, sta, cnt) { .stat = (st), .state = (sta), .win_cnt = (cnt) }

/** The default constants of every row (tutorial values, T2-SEMANTICS §1.2). */
static const struct tcpw_tmt tmt_default = {
	.thres = 1,
	.flwprg = 2,
	.bgn_s = 1.2f,
	.est_s = 1.0f,
	.abrt_s = 0.001f,
};

/** Which of the three plugin timeouts a step must set (NONE: none at all). */
enum want_tmt {
	T_NONE = 0,
	T_BGN,
	T_EST,
	T_ABRT,
};

/** Optional TCPWIN_THRES/TCPWIN_FLWPRG override for a row; timeouts stay the defaults. */
struct tmt_override {
	bool on;
	uint32_t thres;
	uint32_t flwprg;
};

#define OVR(t, f) { .on = true, .thres = (t), .flwprg = (f) }

struct row {
	const char *desc;
	struct tcpw_twin self;      /* this direction before the packet */
	bool has_rev;               /* false: rev is NULL */
	struct tcpw_twin rev;       /* reverse direction before the packet */
	uint8_t flags;              /* TCP header byte 13 */
	uint16_t win;               /* raw window */
	struct tmt_override ovr;
	struct tcpw_twin want_self;
	struct tcpw_twin want_rev;  /* ignored without a reverse */
	uint8_t want_set_timeout;
	enum want_tmt want_tmt;
	uint8_t want_set_rev;
};

static const struct row rows[] = {
	/* ---- NEW: SYN leaves for BGN with TMT_BGN, before any window test ---- */
	{ "NEW + SYN -> BGN, TMT_BGN",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN, WIN, { 0 },
	  TW(SYN, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "NEW + SYN with reverse present: reverse untouched",
	  TW(0, NEW, 0), true, TW(0x12, BGN, 0), SYN, WIN, { 0 },
	  TW(SYN, BGN, 0), TW(0x12, BGN, 0), 1, T_BGN, 0 },
	{ "NEW + SYN-ACK -> BGN (not EST), TMT_BGN",
	  TW(0, NEW, 0), true, TW(SYN, BGN, 0), SYN | ACK, WIN, { 0 },
	  TW(SYN | ACK, BGN, 0), TW(SYN, BGN, 0), 1, T_BGN, 0 },
	{ "NEW + SYN window 0: counted (THU) in NEW, still BGN",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN, WIN0, { 0 },
	  TW(THU | SYN, BGN, 1), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "NEW + SYN window 0 reaching FLWPRG: SYN breaks before the window test, no abort",
	  TW(THU | SYN, NEW, 1), true, TW(0, NEW, 0), SYN, WIN0, { 0 },
	  TW(THU | SYN, BGN, 2), TW(0, NEW, 0), 1, T_BGN, 0 },
	{ "NEW + SYN|FIN: SYN wins -> BGN, FIN only sticky",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN | FIN, WIN, { 0 },
	  TW(SYN | FIN, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "NEW + SYN|RST: SYN wins -> BGN, RST only sticky",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN | RST, WIN, { 0 },
	  TW(SYN | RST, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "NEW + all 8 flags: SYN -> BGN, stat only 0x1f",
	  TW(0, NEW, 0), false, TW(0, 0, 0), 0xff, WIN, { 0 },
	  TW(0x1f, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "NEW + SYN|ECE|CWR: ECE/CWR not in stat (would read as ABNRM|THU)",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN | ECE | CWR, WIN, { 0 },
	  TW(SYN, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },

	/* ---- NEW: ACK (without SYN) becomes EST, falls through BGN and EST ---- */
	{ "NEW + ACK -> EST, TMT_EST",
	  TW(0, NEW, 0), false, TW(0, 0, 0), ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "NEW + PSH|ACK -> EST, TMT_EST, reverse untouched",
	  TW(0, NEW, 0), true, TW(0x1a, EST, 0), PSH | ACK, WIN, { 0 },
	  TW(PSH | ACK, EST, 0), TW(0x1a, EST, 0), 1, T_EST, 0 },
	{ "NEW + URG|ACK -> EST, URG not in stat",
	  TW(0, NEW, 0), false, TW(0, 0, 0), URG | ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "NEW + ACK window 0, count 1 < FLWPRG: EST, TMT_EST",
	  TW(0, NEW, 0), true, TW(0, NEW, 0), ACK, WIN0, { 0 },
	  TW(THU | ACK, EST, 1), TW(0, NEW, 0), 1, T_EST, 0 },
	{ "NEW + ACK window 0, count reaches FLWPRG: ABNRM, ABRT both ways",
	  TW(THU | PSH, NEW, 1), true, TW(0x12, BGN, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | ACK | PSH, ABRT, 2), TW(0x12, ABRT, 0), 1, T_ABRT, 1 },
	{ "NEW + ACK, count reached earlier in NEW: ABNRM, no reverse -> self only",
	  TW(THU | PSH, NEW, 2), false, TW(0, 0, 0), ACK, WIN, { 0 },
	  TW(THU | ABNRM | ACK | PSH, ABRT, 2), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "NEW + FIN|ACK -> ABRT with TMT_EST",
	  TW(0, NEW, 0), true, TW(0x1a, EST, 0), FIN | ACK, WIN, { 0 },
	  TW(FIN | ACK, ABRT, 0), TW(0x1a, EST, 0), 1, T_EST, 0 },
	{ "NEW + RST|ACK -> ABRT with TMT_EST",
	  TW(0, NEW, 0), false, TW(0, 0, 0), RST | ACK, WIN, { 0 },
	  TW(RST | ACK, ABRT, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "NEW + RST|ACK window 0 reaching FLWPRG: RST test first, no ABNRM, reverse untouched",
	  TW(THU | RST, NEW, 1), true, TW(0x12, BGN, 0), RST | ACK, WIN0, { 0 },
	  TW(THU | RST | ACK, ABRT, 2), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "NEW + ACK after a bare FIN in NEW (sticky FIN) -> ABRT, TMT_EST",
	  TW(FIN, NEW, 0), false, TW(0, 0, 0), ACK, WIN, { 0 },
	  TW(FIN | ACK, ABRT, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "NEW + ACK after a pure RST in NEW (sticky RST) -> ABRT, TMT_EST",
	  TW(RST, NEW, 0), true, TW(0x12, BGN, 0), ACK, WIN, { 0 },
	  TW(RST | ACK, ABRT, 0), TW(0x12, BGN, 0), 1, T_EST, 0 },

	/* ---- NEW: neither SYN nor ACK stays NEW and sets no timeout (§1.4.3) ---- */
	{ "NEW + pure RST stays NEW, no timeout",
	  TW(0, NEW, 0), true, TW(0x12, BGN, 0), RST, WIN, { 0 },
	  TW(RST, NEW, 0), TW(0x12, BGN, 0), 0, T_NONE, 0 },
	{ "NEW + bare FIN stays NEW, no timeout",
	  TW(0, NEW, 0), false, TW(0, 0, 0), FIN, WIN, { 0 },
	  TW(FIN, NEW, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + NULL (no flags) stays NEW, no timeout",
	  TW(0, NEW, 0), false, TW(0, 0, 0), 0, WIN, { 0 },
	  TW(0, NEW, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + PSH only stays NEW, no timeout",
	  TW(0, NEW, 0), false, TW(0, 0, 0), PSH, WIN, { 0 },
	  TW(PSH, NEW, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + URG only stays NEW, URG not in stat",
	  TW(0, NEW, 0), false, TW(0, 0, 0), URG, WIN, { 0 },
	  TW(0, NEW, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + FIN|PSH|URG (Xmas scan) stays NEW, no timeout",
	  TW(0, NEW, 0), false, TW(0, 0, 0), FIN | PSH | URG, WIN, { 0 },
	  TW(FIN | PSH, NEW, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + pure RST window 0: counted in NEW, still NEW",
	  TW(0, NEW, 0), false, TW(0, 0, 0), RST, WIN0, { 0 },
	  TW(THU | RST, NEW, 1), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "NEW + pure RST window 0 reaching FLWPRG: no window test in NEW, no ABNRM",
	  TW(THU | RST, NEW, 1), true, TW(0x12, BGN, 0), RST, WIN0, { 0 },
	  TW(THU | RST, NEW, 2), TW(0x12, BGN, 0), 0, T_NONE, 0 },

	/* ---- BGN: never becomes EST (§1.4.1), TMT_EST from the 2nd packet on (§1.4.2) ---- */
	{ "BGN + ACK stays BGN with TMT_EST",
	  TW(SYN, BGN, 0), true, TW(0x12, BGN, 0), ACK, WIN, { 0 },
	  TW(SYN | ACK, BGN, 0), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "BGN + PSH|ACK after SYN-ACK stays BGN with TMT_EST",
	  TW(SYN | ACK, BGN, 0), true, TW(0x12, BGN, 0), PSH | ACK, WIN, { 0 },
	  TW(0x1a, BGN, 0), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "BGN + retransmitted SYN: TMT_EST, not TMT_BGN",
	  TW(SYN, BGN, 0), false, TW(0, 0, 0), SYN, WIN, { 0 },
	  TW(SYN, BGN, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "BGN + NULL flags: BGN does not look at flags, TMT_EST",
	  TW(SYN, BGN, 0), false, TW(0, 0, 0), 0, WIN, { 0 },
	  TW(SYN, BGN, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "BGN + ACK window 0, count 1 < FLWPRG: THU, stays BGN",
	  TW(0x12, BGN, 0), true, TW(0x12, BGN, 0), ACK, WIN0, { 0 },
	  TW(THU | 0x12, BGN, 1), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "BGN + ACK window 0 reaching FLWPRG: ABNRM, reverse ABRT without ABNRM, stat kept",
	  TW(THU | 0x12, BGN, 1), true, TW(0x1a, BGN, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | 0x12, ABRT, 2), TW(0x1a, ABRT, 0), 1, T_ABRT, 1 },
	{ "BGN + ACK, FLWPRG reached in NEW by two zero-window SYNs: aborts now",
	  TW(THU | SYN, BGN, 2), true, TW(0x12, BGN, 0), ACK, WIN, { 0 },
	  TW(THU | ABNRM | SYN | ACK, ABRT, 2), TW(0x12, ABRT, 0), 1, T_ABRT, 1 },
	{ "BGN + ACK, FLWPRG reached in NEW, no reverse: self only",
	  TW(THU | SYN, BGN, 2), false, TW(0, 0, 0), ACK, WIN, { 0 },
	  TW(THU | ABNRM | SYN | ACK, ABRT, 2), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "BGN + ACK, reverse in NEW: reverse ABRT, its stat and count untouched",
	  TW(THU | SYN, BGN, 2), true, TW(THU | RST, NEW, 7), ACK, WIN, { 0 },
	  TW(THU | ABNRM | SYN | ACK, ABRT, 2), TW(THU | RST, ABRT, 7), 1, T_ABRT, 1 },
	{ "BGN + FIN|ACK -> ABRT with TMT_EST, reverse untouched",
	  TW(0x12, BGN, 0), true, TW(0x1a, BGN, 0), FIN | ACK, WIN, { 0 },
	  TW(0x13, ABRT, 0), TW(0x1a, BGN, 0), 1, T_EST, 0 },
	{ "BGN + ACK after SYN|FIN (sticky FIN) -> ABRT with TMT_EST",
	  TW(SYN | FIN, BGN, 0), false, TW(0, 0, 0), ACK, WIN, { 0 },
	  TW(SYN | FIN | ACK, ABRT, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "BGN + RST window 0 reaching FLWPRG: RST first, no ABNRM, reverse untouched",
	  TW(THU | SYN, BGN, 1), true, TW(0x12, BGN, 0), RST, WIN0, { 0 },
	  TW(THU | SYN | RST, ABRT, 2), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "BGN + ACK with ECE: ECE not in stat, no ABNRM",
	  TW(SYN, BGN, 0), false, TW(0, 0, 0), ECE | ACK, WIN, { 0 },
	  TW(SYN | ACK, BGN, 0), TW(0, 0, 0), 1, T_EST, 0 },

	/* ---- EST: keeps its timeout unless FIN/RST or the threshold abort ---- */
	{ "EST + ACK: nothing changes, no timeout set (TMT_EST kept)",
	  TW(ACK, EST, 0), true, TW(0x1a, EST, 0), ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0x1a, EST, 0), 0, T_NONE, 0 },
	{ "EST + SYN: no way back to BGN, no timeout",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), SYN, WIN, { 0 },
	  TW(SYN | ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "EST + ACK window 0, count 1 < FLWPRG: THU, no timeout",
	  TW(ACK, EST, 0), true, TW(0x1a, EST, 0), ACK, WIN0, { 0 },
	  TW(THU | ACK, EST, 1), TW(0x1a, EST, 0), 0, T_NONE, 0 },
	{ "EST + ACK window 0 reaching FLWPRG: ABNRM, TMT_ABRT, reverse ABRT + rev timeout",
	  TW(THU | ACK, EST, 1), true, TW(0x1a, EST, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | ACK, ABRT, 2), TW(0x1a, ABRT, 0), 1, T_ABRT, 1 },
	{ "EST + ACK window 0 reaching FLWPRG, no reverse: self only",
	  TW(THU | ACK, EST, 1), false, TW(0, 0, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | ACK, ABRT, 2), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "EST + ACK window 0 reaching FLWPRG, reverse already ABRT: rev timeout again",
	  TW(THU | ACK, EST, 1), true, TW(0x15, ABRT, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | ACK, ABRT, 2), TW(0x15, ABRT, 0), 1, T_ABRT, 1 },
	{ "EST + FIN|ACK -> ABRT with TMT_EST, reverse untouched",
	  TW(0x18, EST, 0), true, TW(0x1a, EST, 0), FIN | ACK, WIN, { 0 },
	  TW(0x19, ABRT, 0), TW(0x1a, EST, 0), 1, T_EST, 0 },
	{ "EST + RST -> ABRT with TMT_EST",
	  TW(0x18, EST, 0), false, TW(0, 0, 0), RST, WIN, { 0 },
	  TW(0x1c, ABRT, 0), TW(0, 0, 0), 1, T_EST, 0 },
	{ "EST + FIN|ACK window 0 reaching FLWPRG: FIN test first, no ABNRM",
	  TW(THU | ACK, EST, 1), true, TW(0x1a, EST, 0), FIN | ACK, WIN0, { 0 },
	  TW(THU | FIN | ACK, ABRT, 2), TW(0x1a, EST, 0), 1, T_EST, 0 },
	{ "EST + URG|ACK: URG not in stat",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), URG | ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "EST + ECE|ACK: ECE (0x40) not taken for ABNRM",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), ECE | ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "EST + CWR|ACK: CWR (0x80) not taken for THU",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), CWR | ACK, WIN, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },

	/* ---- ABRT: TMT_ABRT after every packet, counting goes on (§1.4.4, §1.4.8) ---- */
	{ "ABRT (after FIN) + FIN|ACK: TMT_ABRT from the 2nd packet on",
	  TW(0x19, ABRT, 0), true, TW(0x1a, EST, 0), FIN | ACK, WIN, { 0 },
	  TW(0x19, ABRT, 0), TW(0x1a, EST, 0), 1, T_ABRT, 0 },
	{ "ABRT + ACK: TMT_ABRT, stat accumulates",
	  TW(0x01, ABRT, 0), false, TW(0, 0, 0), PSH | ACK, WIN, { 0 },
	  TW(0x19, ABRT, 0), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "ABRT + ACK window 0: counted, THU, no second reverse abort",
	  TW(THU | ABNRM | ACK, ABRT, 2), true, TW(0x1a, ABRT, 0), ACK, WIN0, { 0 },
	  TW(THU | ABNRM | ACK, ABRT, 3), TW(0x1a, ABRT, 0), 1, T_ABRT, 0 },
	{ "ABRT + SYN: no new BGN, TMT_ABRT",
	  TW(0x14, ABRT, 0), false, TW(0, 0, 0), SYN, WIN, { 0 },
	  TW(0x16, ABRT, 0), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "ABRT + NULL flags: TMT_ABRT",
	  TW(0x14, ABRT, 0), false, TW(0, 0, 0), 0, WIN, { 0 },
	  TW(0x14, ABRT, 0), TW(0, 0, 0), 1, T_ABRT, 0 },
	{ "ABRT (reverse of an abort, no ABNRM) + ACK window 0: counts, TMT_ABRT",
	  TW(0x1a, ABRT, 0), true, TW(THU | ABNRM | 0x12, ABRT, 2), ACK, WIN0, { 0 },
	  TW(THU | 0x1a, ABRT, 1), TW(THU | ABNRM | 0x12, ABRT, 2), 1, T_ABRT, 0 },

	/* ---- a state byte outside the four values: counted, no timeout ---- */
	{ "unknown state 0x03: stat and count accumulate, nothing else",
	  TW(0, 0x03, 0), true, TW(0x12, BGN, 0), ACK, WIN0, { 0 },
	  TW(THU | ACK, 0x03, 1), TW(0x12, BGN, 0), 0, T_NONE, 0 },

	/* ---- TCPWIN_THRES variants: "<", so window == thres is not counted ---- */
	{ "thres 0: window 0 never counts (EST)",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), ACK, WIN0, OVR(0, 2),
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "thres 0: window 0 never counts (NEW + SYN)",
	  TW(0, NEW, 0), false, TW(0, 0, 0), SYN, WIN0, OVR(0, 2),
	  TW(SYN, BGN, 0), TW(0, 0, 0), 1, T_BGN, 0 },
	{ "thres 100: window 100 (== thres) not counted",
	  TW(ACK, EST, 1), false, TW(0, 0, 0), ACK, 100, OVR(100, 2),
	  TW(ACK, EST, 1), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "thres 100: window 99 counted, reaches FLWPRG -> abort",
	  TW(THU | ACK, EST, 1), true, TW(0x1a, EST, 0), ACK, 99, OVR(100, 2),
	  TW(THU | ABNRM | ACK, ABRT, 2), TW(0x1a, ABRT, 0), 1, T_ABRT, 1 },
	{ "thres 1: window 1 (== thres) not counted",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), ACK, 1, { 0 },
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "thres 65536: window 65535 counted",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), ACK, 65535, OVR(65536, 2),
	  TW(THU | ACK, EST, 1), TW(0, 0, 0), 0, T_NONE, 0 },
	{ "thres 65535: window 65535 (== thres) not counted",
	  TW(ACK, EST, 0), false, TW(0, 0, 0), ACK, 65535, OVR(65535, 2),
	  TW(ACK, EST, 0), TW(0, 0, 0), 0, T_NONE, 0 },

	/* ---- TCPWIN_FLWPRG = 3 (T2-SEMANTICS §8.2) ---- */
	{ "FLWPRG 3: 2nd zero window in EST does not abort",
	  TW(THU | ACK, EST, 1), true, TW(0x1a, EST, 0), ACK, WIN0, OVR(1, 3),
	  TW(THU | ACK, EST, 2), TW(0x1a, EST, 0), 0, T_NONE, 0 },
	{ "FLWPRG 3: 3rd zero window in EST aborts both ways",
	  TW(THU | ACK, EST, 2), true, TW(0x1a, EST, 0), ACK, WIN0, OVR(1, 3),
	  TW(THU | ABNRM | ACK, ABRT, 3), TW(0x1a, ABRT, 0), 1, T_ABRT, 1 },
	{ "FLWPRG 3: BGN with count 2 keeps going (TMT_EST)",
	  TW(THU | SYN, BGN, 2), true, TW(0x12, BGN, 0), ACK, WIN, OVR(1, 3),
	  TW(THU | SYN | ACK, BGN, 2), TW(0x12, BGN, 0), 1, T_EST, 0 },
	{ "FLWPRG 3: BGN after three zero-window SYNs aborts at next packet",
	  TW(THU | SYN, BGN, 3), true, TW(0x12, BGN, 0), ACK, WIN, OVR(1, 3),
	  TW(THU | ABNRM | SYN | ACK, ABRT, 3), TW(0x12, ABRT, 0), 1, T_ABRT, 1 },
	{ "FLWPRG 3: NEW + ACK window 0, count 2: EST with TMT_EST, no abort",
	  TW(THU | PSH, NEW, 1), true, TW(0x12, BGN, 0), ACK, WIN0, OVR(1, 3),
	  TW(THU | PSH | ACK, EST, 2), TW(0x12, BGN, 0), 1, T_EST, 0 },
};

static const char *
tmt_name(enum want_tmt t)
{
	switch (t) {
	case T_BGN: return "BGN";
	case T_EST: return "EST";
	case T_ABRT: return "ABRT";
	default: return "none";
	}
}

static float
tmt_value(const struct tcpw_tmt *tmt, enum want_tmt t)
{
	switch (t) {
	case T_BGN: return tmt->bgn_s;
	case T_EST: return tmt->est_s;
	case T_ABRT: return tmt->abrt_s;
	default: return 0.0f;
	}
}

/* Name the constant a step's timeout equals, for the failure message. */
static const char *
tmt_which(const struct tcpw_tmt *tmt, const struct tcpw_tcp_step *s)
{
	if (!s->set_timeout)
		return "none";
	if (s->timeout_s == tmt->bgn_s)
		return "BGN";
	if (s->timeout_s == tmt->est_s)
		return "EST";
	if (s->timeout_s == tmt->abrt_s)
		return "ABRT";
	return "other";
}

static bool
twin_equal(const struct tcpw_twin *a, const struct tcpw_twin *b)
{
	return a->stat == b->stat && a->state == b->state && a->win_cnt == b->win_cnt;
}

/* Run one row; print what differs and return false on a mismatch. */
static bool
run_row(size_t i, const struct row *r)
{
	struct tcpw_tmt tmt = tmt_default;
	struct tcpw_twin self = r->self, rev = r->rev;
	struct tcpw_tcp_step s;
	bool ok = true;

	if (r->ovr.on) {
		tmt.thres = r->ovr.thres;
		tmt.flwprg = r->ovr.flwprg;
	}
	s = tcpw_tcp_state_next(&self, r->has_rev ? &rev : NULL, r->flags, r->win, &tmt);

	if (!twin_equal(&self, &r->want_self)) {
		print_error("row %zu \"%s\": self (0x%02x,0x%02x,%u), want (0x%02x,0x%02x,%u)\n",
			    i, r->desc, self.stat, self.state, self.win_cnt, r->want_self.stat,
			    r->want_self.state, r->want_self.win_cnt);
		ok = false;
	}
	if (r->has_rev && !twin_equal(&rev, &r->want_rev)) {
		print_error("row %zu \"%s\": rev (0x%02x,0x%02x,%u), want (0x%02x,0x%02x,%u)\n",
			    i, r->desc, rev.stat, rev.state, rev.win_cnt, r->want_rev.stat,
			    r->want_rev.state, r->want_rev.win_cnt);
		ok = false;
	}
	if (s.set_timeout != r->want_set_timeout ||
	    (s.set_timeout && s.timeout_s != tmt_value(&tmt, r->want_tmt))) {
		print_error("row %zu \"%s\": set_timeout %u timeout %f (%s), want %u (%s)\n",
			    i, r->desc, s.set_timeout, (double)s.timeout_s, tmt_which(&tmt, &s),
			    r->want_set_timeout, tmt_name(r->want_tmt));
		ok = false;
	}
	if (s.set_rev_timeout != r->want_set_rev) {
		print_error("row %zu \"%s\": set_rev_timeout %u, want %u\n", i, r->desc,
			    s.set_rev_timeout, r->want_set_rev);
		ok = false;
	}
	return ok;
}

/* Every row; all failing rows are reported before the test fails. */
static void
test_transition_table(void **state)
{
	unsigned int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!run_row(i, &rows[i]))
			failed++;
	if (failed != 0)
		fail_msg("%u of %zu rows failed", failed, sizeof(rows) / sizeof(rows[0]));
}

/* The table itself: set_timeout and the timeout kind agree, and every kind is exercised. */
static void
test_table_consistent(void **state)
{
	unsigned int seen[T_ABRT + 1] = { 0 };
	unsigned int rev_set = 0, no_rev = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		if ((r->want_set_timeout != 0) != (r->want_tmt != T_NONE))
			fail_msg("row %zu \"%s\": set_timeout and timeout kind disagree", i,
				 r->desc);
		if (r->want_set_rev && !r->has_rev)
			fail_msg("row %zu \"%s\": rev timeout without a reverse", i, r->desc);
		seen[r->want_tmt]++;
		rev_set += r->want_set_rev;
		no_rev += !r->has_rev;
	}
	for (unsigned int t = T_NONE; t <= T_ABRT; t++)
		assert_true(seen[t] > 0);
	assert_true(rev_set > 0);
	assert_true(no_rev > 0);
}

/*
 * The tutorial's flow 44 (T2-SEMANTICS §2.5, §7): A sends SYN, B answers SYN-ACK, then A
 * advertises two zero windows; the second aborts A (ABNRM) and B (no ABNRM) with TMT_ABRT.
 */
static void
test_sequence_zero_window_abort(void **state)
{
	struct tcpw_twin a = { 0 }, b = { 0 };
	struct tcpw_tcp_step s;

	(void)state;
	s = tcpw_tcp_state_next(&a, NULL, SYN, WIN, &tmt_default);
	assert_int_equal(s.set_timeout, 1);
	assert_true(s.timeout_s == tmt_default.bgn_s);
	s = tcpw_tcp_state_next(&b, &a, SYN | ACK, WIN, &tmt_default);
	assert_true(s.timeout_s == tmt_default.bgn_s);
	s = tcpw_tcp_state_next(&a, &b, ACK, WIN, &tmt_default);
	assert_true(s.timeout_s == tmt_default.est_s);
	s = tcpw_tcp_state_next(&b, &a, PSH | ACK, WIN, &tmt_default);
	assert_true(s.timeout_s == tmt_default.est_s);
	s = tcpw_tcp_state_next(&a, &b, ACK, WIN0, &tmt_default);
	assert_int_equal(a.stat, 0x92);
	assert_int_equal(a.state, BGN);
	assert_true(s.timeout_s == tmt_default.est_s);
	s = tcpw_tcp_state_next(&a, &b, ACK, WIN0, &tmt_default);
	assert_int_equal(a.stat, 0xd2);
	assert_int_equal(a.state, ABRT);
	assert_int_equal(a.win_cnt, 2);
	assert_true(s.timeout_s == tmt_default.abrt_s);
	assert_int_equal(s.set_rev_timeout, 1);
	assert_int_equal(b.stat, 0x1a);
	assert_int_equal(b.state, ABRT);
	assert_int_equal(b.win_cnt, 0);
	/* Aggregates of §1.6: stat 0xd2 | 0x1a, state 0x04. */
	assert_int_equal(a.stat | b.stat, 0xda);
	assert_int_equal(a.state | b.state, ABRT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_sequence_zero_window_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
