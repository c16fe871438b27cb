/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow records and their text form (Tranalyzer-compatible flow and packet files).
 *
 * A struct tcpw_record is one ended flow pair (or lone flow): everything the writer needs,
 * copied out of the flow table, so the table slot can be reused at once. Formatting is
 * pure: records in, text out; the writer thread does the I/O.
 */
#ifndef TCPW_RECORD_H
#define TCPW_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "tcp_state.h"

/* flowStat bits (Tranalyzer 0.9.3 flow.h values, T2-SEMANTICS §2.2) */
#define TCPW_FS_INVERT      UINT64_C(0x0000000000000001) /**< B direction */
#define TCPW_FS_IPV4        UINT64_C(0x0000000000004000)
#define TCPW_FS_IPV6        UINT64_C(0x0000000000008000)
#define TCPW_FS_HFULL       UINT64_C(0x0000040000000000) /**< ended because the table was full */
#define TCPW_FS_TIMEJUMP    UINT64_C(0x0008000000000000) /**< a packet went back in time */
#define TCPW_FS_IPV4_PKT    UINT64_C(0x0400000000000000)
#define TCPW_FS_IPV6_PKT    UINT64_C(0x0800000000000000)

/** Distinct MAC addresses, VLAN IDs and header stacks kept per direction. */
#define TCPW_REC_MACS 3
#define TCPW_REC_HDRS 2

/** Capture time: seconds and microseconds since the epoch. */
struct tcpw_ts {
	uint32_t sec;
	uint32_t usec;
};

/** Microseconds since the epoch, as the engine counts time (a usec above 999999 is carried
 * into the seconds). */
static inline uint64_t
tcpw_ts_us(struct tcpw_ts t)
{
	return (uint64_t)t.sec * 1000000 + t.usec;
}

/** The time of @p us, microseconds since the epoch before 2106-02-07T06:28:16Z. */
static inline struct tcpw_ts
tcpw_us_ts(uint64_t us)
{
	return (struct tcpw_ts){ .sec = (uint32_t)(us / 1000000),
				 .usec = (uint32_t)(us % 1000000) };
}

/** One direction of a record. */
struct tcpw_record_dir {
	uint64_t flow_stat;
	struct tcpw_ts first;
	struct tcpw_ts last;
	uint64_t pkts;
	uint64_t bytes;               /**< captured bytes, link layer included */
	uint8_t src_ip[16];
	uint8_t dst_ip[16];
	uint16_t src_port;
	uint16_t dst_port;
	struct tcpw_twin twin;
	uint16_t eth_type;
	uint8_t nsrc_mac;
	uint8_t ndst_mac;
	uint8_t src_mac[TCPW_REC_MACS][6];
	uint8_t dst_mac[TCPW_REC_MACS][6];
	uint8_t nvlan;
	uint16_t vlans[TCPW_VLAN_MAX];
	uint8_t nhdrs;                /**< distinct header stacks (numHdrDesc) */
	struct tcpw_hdrs hdrs[TCPW_REC_HDRS];
};

/** Why a flow pair ended. */
enum tcpw_end_reason {
	TCPW_END_TIMEOUT = 0,  /**< every direction idle past its timeout */
	TCPW_END_FLUSH,        /**< end of input or shutdown */
	TCPW_END_TABLE_FULL,   /**< evicted to make room (autopilot) */
	TCPW_END_EMERGENCY,    /**< idle past the emergency timeout while the table was above
				*   its high-water mark */
};

/** An ended flow pair: dir[0] is printed first ("A"), dir[1] second ("B") if ndir == 2. */
struct tcpw_record {
	uint64_t flow_ind;
	uint8_t ip_ver;
	uint8_t l4_proto;
	uint8_t ndir;
	uint8_t reason;       /**< enum tcpw_end_reason */
	struct tcpw_record_dir dir[2];
};

/** Per-packet facts for packet mode (-s), after the state-machine step. */
struct tcpw_pkt_line {
	uint64_t pkt_no;
	uint64_t flow_ind;
	uint64_t flow_stat;
	struct tcpw_ts ts;
	double iat_s;
	double duration_s;
	const struct tcpw_pkt *pkt;
	const uint8_t *frame;         /**< for the payload column */
	const struct tcpw_twin *twin; /**< NULL: not an examined TCP packet */
	float timeout_s;
};

/** Header row of the flow file, with its leading '%' and trailing newline. */
extern const char tcpw_record_flow_header[];
/** Header row of the packet file. */
extern const char tcpw_record_packet_header[];

/**
 * Write a record as one or two lines of the flow file.
 * @return bytes written (excluding NUL), -ENOSPC if @p len is too small
 */
int tcpw_record_format(const struct tcpw_record *r, char *out, size_t len);

/**
 * Write a record as JSON lines: one object per direction, keyed by the flow file's column
 * names; counts and times are numbers, everything else strings.
 * @return bytes written (excluding NUL), -ENOSPC if @p len is too small
 */
int tcpw_record_format_json(const struct tcpw_record *r, char *out, size_t len);

/**
 * Write one line of the packet file.
 * @return bytes written (excluding NUL), -ENOSPC if @p len is too small
 */
int tcpw_record_format_packet(const struct tcpw_pkt_line *p, char *out, size_t len);

/**
 * @p x as printf("%f") prints it (6 decimals, rounded to the nearest, ties to even, as glibc
 * does in the default rounding mode; "-0.000000" for negative values that round to zero),
 * without printf for |x| < 2^44.
 * @return bytes written (excluding NUL), -ENOSPC if @p len is too small
 */
int tcpw_record_fixed6(double x, char *out, size_t len);

/** Format an IP address (4 or 16 bytes) as text; returns @p out. */
const char *tcpw_ip_format(uint8_t ip_ver, const uint8_t *ip, char *out, size_t len);

#endif /* TCPW_RECORD_H */
