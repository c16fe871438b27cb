/* SPDX-License-Identifier: BSD-3-Clause */
/* Port set-up: queues, symmetric RSS when the port has it, MTU, promiscuous mode. */
#ifndef TCPW_APP_PORTS_H
#define TCPW_APP_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

struct port_plan {
	uint16_t port;
	unsigned int rx_cores;   /* RX lcores that will read the port */
	uint16_t mtu;            /* 0: leave */
	bool promiscuous;
	/* result */
	uint16_t nqueues;        /* RX queues configured */
	bool rss;                /* one queue per RX lcore, symmetric IP hash */
	char driver[64];
};

/* Configure and start @p plan->port. Returns 0, or -1 with a message in @p err. */
int port_start(struct port_plan *plan, struct rte_mempool *pool, char *err, unsigned int errlen);

/* Stop and close the port (safe to call after a failed start). */
void port_stop(uint16_t port);

#endif
