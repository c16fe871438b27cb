/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture-file checks made before DPDK opens the file: net_pcap in DPDK 22.11 has no
 * end-of-file signal and reports no link type, so we read the file once with libpcap to
 * learn its link type and how many packets it will deliver before its end or damage.
 */
#ifndef TCPW_APP_CAPTURE_H
#define TCPW_APP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

struct capture_info {
	int linktype;
	uint64_t packets;        /* records net_pcap will deliver */
	bool damaged;            /* reading stopped before the end of the file */
	char damage[256];        /* libpcap's words for it */
};

/* 0, or -1 with a message for the user in @err: unreadable, not a capture, empty (0 bytes),
 * cut inside its file header, or a pcapng whose interfaces have different link types.
 * Damage after the file header is not an error: @ci says how many packets precede it. */
int capture_scan(const char *path, struct capture_info *ci, char *err, unsigned int errlen);

/* The same, with @libpcap_only: every packet read through libpcap instead of walking a
 * classic pcap file's record headers (the test that both agree uses it). */
int capture_scan_with(const char *path, struct capture_info *ci, char *err,
		      unsigned int errlen, bool libpcap_only);

#endif
