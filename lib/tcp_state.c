/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpWinTMT state machine. The switch below follows the tutorial's claimLayer4Information()
 * case by case, fall-throughs included, so it can be read against it line by line.
 */
#include <stddef.h>

#include "tcp_state.h"

struct tcpw_tcp_step
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
