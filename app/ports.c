/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up. With several RX lcores a port gets one queue per lcore only if it can hash
 * symmetrically on the IP addresses: RSS with a Toeplitz key made of the repeated 16-bit
 * pattern 0x6d5a is symmetric (swapping source and destination gives the same hash), and
 * hashing on addresses only keeps every fragment with its flow. net_af_packet is excluded
 * even with several queue pairs: its kernel fanout may move packets between queues under
 * load. Every other port is read through one queue and spread in software (lcore_rx.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ports.h"

#define RX_DESC 1024
#define TX_DESC 64

static uint8_t sym_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static bool
can_rss(const struct rte_eth_dev_info *info, unsigned int rx_cores)
{
	return rx_cores > 1 && info->max_rx_queues >= rx_cores &&
	       (info->flow_type_rss_offloads & RTE_ETH_RSS_IP) != 0 &&
	       (info->hash_key_size == 0 || info->hash_key_size == sizeof(sym_rss_key)) &&
	       strcmp(info->driver_name, "net_af_packet") != 0;
}

int
port_start(struct port_plan *plan, struct rte_mempool *pool, char *err, unsigned int errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t port = plan->port;
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: cannot read device info: %s", port, strerror(-rc));
		return -1;
	}
	snprintf(plan->driver, sizeof(plan->driver), "%s", info.driver_name);
	plan->rss = can_rss(&info, plan->rx_cores);
	plan->nqueues = plan->rss ? (uint16_t)plan->rx_cores : 1;
	if (plan->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(port, plan->nqueues, 1, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %u (%s): configure with %u RX queues failed: %s", port,
			 info.driver_name, plan->nqueues, strerror(-rc));
		return -1;
	}
	if (plan->mtu != 0 && (rc = rte_eth_dev_set_mtu(port, plan->mtu)) != 0) {
		snprintf(err, errlen, "port %u (%s): cannot set MTU %u: %s (set capture.mtu = 0 "
			 "to leave it)", port, info.driver_name, plan->mtu, strerror(-rc));
		return -1;
	}
	for (uint16_t q = 0; q < plan->nqueues && rc == 0; q++)
		rc = rte_eth_rx_queue_setup(port, q, RX_DESC, rte_eth_dev_socket_id(port), NULL,
					    pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, TX_DESC, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		char hint[160] = "";

		if (rc == -ENOMEM) /* a NIC that fills its receive rings at start: a mbuf each */
			snprintf(hint, sizeof(hint), " (%u RX queue(s) of %u descriptors may take "
				 "that many mbufs at start: raise capture.mbufs above that, or give "
				 "EAL more memory with -m)", plan->nqueues, RX_DESC);
		snprintf(err, errlen, "port %u (%s): queue set-up or start failed: %s%s", port,
			 info.driver_name, strerror(-rc), hint);
		return -1;
	}
	if (plan->promiscuous && (rc = rte_eth_promiscuous_enable(port)) != 0 && rc != -ENOTSUP)
		fprintf(stderr, "tcpwintmtd: warning: port %u: promiscuous mode: %s\n", port,
			strerror(-rc));
	return 0;
}

void
port_stop(uint16_t port)
{
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}
