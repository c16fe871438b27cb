/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The tcpWinTMT timeout state machine (T2-SEMANTICS §1), one step per examined TCP packet.
 *
 * Each direction of a flow pair has a struct tcpw_twin. tcpw_tcp_state_next() applies one
 * packet to its direction and, on a zero-window abort, to the reverse direction, and returns
 * the timeouts to apply. It keeps every quirk of the tutorial's code: BGN never becomes EST,
 * NEW needs SYN or ACK to leave, the FIN/RST test uses the sticky flags and precedes the
 * window test, and the abort reaches the reverse direction without its ABNRM bit.
 */
#ifndef TCPW_TCP_STATE_H
#define TCPW_TCP_STATE_H

#include <stdint.h>

/** Direction states (tcpWinState values). */
enum tcpw_tcp_state {
	TCPW_TCP_NEW = 0x00,
	TCPW_TCP_BGN = 0x01,
	TCPW_TCP_EST = 0x02,
	TCPW_TCP_ABRT = 0x04,
};

#define TCPW_TH_FIN 0x01
#define TCPW_TH_SYN 0x02
#define TCPW_TH_RST 0x04
#define TCPW_TH_PSH 0x08
#define TCPW_TH_ACK 0x10
/** tcpWinStat plugin bits */
#define TCPW_TCPWIN_ABNRM 0x40 /**< this direction aborted the pair (window threshold) */
#define TCPW_TCPWIN_THU 0x80   /**< a window below threshold was seen */

/** Per-direction tcpWinTMT state: 6 bytes, zeroed when the direction is created. */
struct tcpw_twin {
	uint8_t stat;      /**< sticky flags & 0x1f | ABNRM | THU (tcpWinStat) */
	uint8_t state;     /**< enum tcpw_tcp_state (tcpWinState) */
	uint32_t win_cnt;  /**< packets with window < thres (tcpWinThCnt) */
} __attribute__((packed));

/** Timeouts and thresholds; seconds as float, as Tranalyzer compares them. */
struct tcpw_tmt {
	uint32_t thres;    /**< TCPWIN_THRES */
	uint32_t flwprg;   /**< TCPWIN_FLWPRG */
	float bgn_s;       /**< TMT_BGN */
	float est_s;       /**< TMT_EST */
	float abrt_s;      /**< TMT_ABRT */
};

/** What a step asks the caller to change (besides the twins themselves). */
struct tcpw_tcp_step {
	uint8_t set_timeout;      /**< 1: this direction's timeout becomes @c timeout_s */
	uint8_t set_rev_timeout;  /**< 1: the reverse direction's timeout becomes abrt_s */
	float timeout_s;
};

/**
 * Apply one examined TCP packet (a first or only fragment) to its direction.
 *
 * @param self   this packet's direction
 * @param rev    the reverse direction, NULL if it does not exist (yet)
 * @param flags  TCP header byte 13
 * @param win    raw TCP window field
 * @param tmt    constants
 * @return which timeouts to set; a NEW direction left NEW keeps its timeout
 *
 * Inline: it runs for every TCP packet. The switch follows the tutorial's
 * claimLayer4Information() case by case, fall-throughs included, so it can be read against
 * it line by line.
 */
static inline struct tcpw_tcp_step
tcpw_tcp_state_next(struct tcpw_twin *self, struct tcpw_twin *rev, uint8_t flags,
		    uint16_t win, const struct tcpw_tmt *tmt)
{
	struct tcpw_tcp_step step = { 0 };

	if (win < tmt->thres) {
		self->win_cnt++;
		self->stat |= TCPW_TCPWIN_THU;
	}
	self->stat |= flags & 0x1f;

	switch (self->state) {
	case TCPW_TCP_NEW:
		if (flags & TCPW_TH_SYN) {
			self->state = TCPW_TCP_BGN;
			step.set_timeout = 1;
			step.timeout_s = tmt->bgn_s;
			break;
		}
		if (!(flags & TCPW_TH_ACK))
			break; /* stays NEW with the default timeout (quirk §1.4.3) */
		self->state = TCPW_TCP_EST;
		/* fall through */
	case TCPW_TCP_BGN: /* never advanced to EST (quirk §1.4.1) */
		step.set_timeout = 1;
		step.timeout_s = tmt->est_s;
		/* fall through */
	case TCPW_TCP_EST:
		if (self->stat & (TCPW_TH_FIN | TCPW_TH_RST)) { /* sticky bits (§1.4.4) */
			self->state = TCPW_TCP_ABRT;
			step.set_timeout = 1;
			step.timeout_s = tmt->est_s;
			break;
		}
		if (self->win_cnt < tmt->flwprg)
			break;
		self->stat |= TCPW_TCPWIN_ABNRM;
		self->state = TCPW_TCP_ABRT;
		if (rev != NULL) { /* reverse aborts too, without ABNRM (§1.4.7) */
			rev->state = TCPW_TCP_ABRT;
			step.set_rev_timeout = 1;
		}
		/* fall through */
	case TCPW_TCP_ABRT:
		step.set_timeout = 1;
		step.timeout_s = tmt->abrt_s;
		break;
	default:
		break;
	}
	return step;
}

#endif /* TCPW_TCP_STATE_H */
