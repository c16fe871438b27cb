/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet parser: one captured frame (buf, caplen) and its link type in, a struct tcpw_pkt out.
 *
 * The parser never reads past caplen and never allocates. It walks the link layer (Ethernet,
 * Linux cooked v1/v2, BSD loopback, raw IP, PPP), 802.1Q/802.1ad tag stacks, MPLS label
 * stacks and PPPoE sessions, then IPv4 (options, fragments) or IPv6 (extension headers,
 * fragments) and the transport header. Tunnels (GRE, IP-in-IP, Teredo, VXLAN) are not
 * decoded: the outer IP header makes the flow. Every frame gets exactly one verdict, so the
 * caller can account for every packet.
 */
#ifndef TCPW_PARSE_H
#define TCPW_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Link types as libpcap's pcap_datalink() reports them (DLT_*), plus LINKTYPE_* aliases. */
#define TCPW_DLT_NULL      0
#define TCPW_DLT_EN10MB    1
#define TCPW_DLT_PPP       9
#define TCPW_DLT_RAW       12
#define TCPW_DLT_RAW_BSD   14
#define TCPW_DLT_PPP_SERIAL 50
#define TCPW_DLT_LINKTYPE_RAW 101
#define TCPW_DLT_LOOP      108
#define TCPW_DLT_LINUX_SLL 113
#define TCPW_DLT_IPV4      228
#define TCPW_DLT_IPV6      229
#define TCPW_DLT_LINUX_SLL2 276

/** What the parser made of a frame; exactly one per frame. */
enum tcpw_verdict {
	TCPW_PKT_FLOW = 0,       /**< IP packet with a flow key (first fragment included) */
	TCPW_PKT_FRAG,           /**< non-first IP fragment: joins the flow of its first fragment */
	TCPW_PKT_NON_IP,         /**< well-formed, but not IPv4/IPv6 (ARP, LLC, ...) */
	TCPW_PKT_TRUNCATED,      /**< a header is cut short by the capture length */
	TCPW_PKT_MALFORMED,      /**< a header field is impossible (bad version, IHL, lengths) */
	TCPW_PKT_LINKTYPE,       /**< the capture's link type is not supported */
	TCPW_VERDICT_MAX,
};

/** Header codes of the header stack (hdrDesc column). */
enum tcpw_hdr {
	TCPW_HDR_ETH = 1, TCPW_HDR_VLAN, TCPW_HDR_MPLS, TCPW_HDR_PPPOE, TCPW_HDR_PPP,
	TCPW_HDR_SLL, TCPW_HDR_SLL2, TCPW_HDR_NULL, TCPW_HDR_RAW,
	TCPW_HDR_IPV4, TCPW_HDR_IPV6, TCPW_HDR_IPV6_HOPOPTS, TCPW_HDR_IPV6_ROUTING,
	TCPW_HDR_IPV6_FRAG, TCPW_HDR_IPV6_DSTOPTS, TCPW_HDR_AH,
	TCPW_HDR_TCP, TCPW_HDR_UDP, TCPW_HDR_ICMP, TCPW_HDR_ICMPV6, TCPW_HDR_SCTP,
	TCPW_HDR_ARP, TCPW_HDR_OTHER,
	TCPW_HDR_CODE_MAX,
};

/** Longest header stack kept (deeper stacks keep their first entries and a count). */
#define TCPW_HDR_MAX 15
/** VLAN tags kept per packet (outermost first). */
#define TCPW_VLAN_MAX 3

/** Header stack of one packet: codes, outermost first. */
struct tcpw_hdrs {
	uint8_t code[TCPW_HDR_MAX];
	uint8_t n;      /**< entries in code[] */
	uint8_t depth;  /**< real depth (may exceed TCPW_HDR_MAX) */
};

/** Shapes (header stack and VLAN tags) the engine tells apart by struct tcpw_pkt's
 * shape_hint alone, not by comparing the stack: the common ones. */
enum tcpw_shape_hint {
	TCPW_SHAPE_OTHER = 0,        /**< any other shape */
	TCPW_SHAPE_ETH_IPV4_TCP,     /**< eth:ipv4:tcp, no VLAN tag */
	TCPW_SHAPE_ETH_IPV4_UDP,     /**< eth:ipv4:udp, no VLAN tag */
	TCPW_SHAPE_HINTS,
};

/** A parsed packet. Addresses are in network byte order, ports in host order. */
struct tcpw_pkt {
	uint8_t src_ip[16];      /**< IPv4 uses the first 4 bytes, the rest is zero */
	uint8_t dst_ip[16];
	uint16_t src_port;       /**< 0 for protocols without ports */
	uint16_t dst_port;
	uint8_t l4_proto;        /**< IP protocol / last IPv6 next header */
	uint8_t ip_ver;          /**< 4 or 6; 0 if not IP */
	uint16_t vlan_id;        /**< innermost 802.1Q VID, 0 without tags (part of the key) */
	uint16_t vlans[TCPW_VLAN_MAX]; /**< VIDs, outermost first */
	uint8_t nvlan;           /**< tags seen (may exceed TCPW_VLAN_MAX) */
	uint8_t has_l4;          /**< the transport header's ports were read */
	uint8_t has_tcp_win;     /**< TCP flags and window were read (16 bytes captured);
				      0 for every other protocol */
	uint8_t has_mac;         /**< src_mac/dst_mac are valid */
	uint8_t tcp_flags;       /**< TCP header byte 13 */
	uint8_t shape_hint;      /**< enum tcpw_shape_hint of hdrs, nvlan and vlans */
	uint16_t tcp_win;        /**< raw TCP window field (host order, not scaled) */
	uint16_t eth_type;       /**< last EtherType (0x0800, 0x86dd, 0x0806, ...); a flow
				  *   or fragment packet's is its IP version's */
	uint8_t dst_mac[6];      /**< as in the frame: destination, then source */
	uint8_t src_mac[6];
	uint8_t is_frag;         /**< part of a fragmented IP packet */
	uint8_t is_first_frag;   /**< offset 0 (only meaningful with is_frag) */
	uint8_t more_frags;      /**< MF bit */
	uint32_t frag_id;        /**< IPv4 identification or IPv6 fragment id */
	uint32_t l7_off;         /**< offset of the transport payload in the frame */
	uint32_t l7_len;         /**< captured payload bytes */
	struct tcpw_hdrs hdrs;
};

/**
 * Parse one frame.
 *
 * @param buf       first captured byte
 * @param caplen    captured bytes available at @p buf
 * @param linktype  TCPW_DLT_* of the capture
 * @param pkt       filled; fields not set by the verdict are zero
 * @return the verdict (never fails otherwise)
 */
enum tcpw_verdict tcpw_parse(const uint8_t *buf, uint32_t caplen, int linktype,
			     struct tcpw_pkt *pkt);

/** tcpw_parse() without its shortcut for Ethernet/IPv4/TCP|UDP: every layer in turn (the
 * tests check that both give the same result). */
enum tcpw_verdict tcpw_parse_layered(const uint8_t *buf, uint32_t caplen, int linktype,
				     struct tcpw_pkt *pkt);

/**
 * Symmetric distribution hash of a parsed packet: the same for both directions of a
 * connection. It covers the IP addresses and the VLAN only, not the ports, so that IP
 * fragments (which carry no ports after the first) reach the core of their first fragment.
 * Packets that are not IP hash to 0.
 */
uint32_t tcpw_pkt_sym_hash(const struct tcpw_pkt *pkt);

/** tcpw_pkt_sym_hash() of the frame as tcpw_parse() would parse it, reading only the
 * addresses of an untagged Ethernet/IPv4 frame (the software distributor's hash). */
uint32_t tcpw_frame_sym_hash(const uint8_t *buf, uint32_t caplen, int linktype);

/** Whether the parser knows this link type. */
bool tcpw_parse_linktype_supported(int linktype);

/** Name of a verdict, as used for counters in reports ("not_ip", "truncated", ...). */
const char *tcpw_verdict_name(enum tcpw_verdict v);

/**
 * Write a header stack as T2's hdrDesc text ("eth:vlan{2}:ipv4:tcp").
 * @return characters written (excluding NUL), or -ENOSPC if @p len is too small
 */
int tcpw_hdrs_format(const struct tcpw_hdrs *h, char *out, unsigned int len);

#endif /* TCPW_PARSE_H */
