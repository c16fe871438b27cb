/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture-file checks made before DPDK opens the file: net_pcap in DPDK 22.11 has no
 * end-of-file signal and reports no link type, so we read the file once with libpcap to
 * learn its link type and how many packets it will deliver before its end or damage.
 */
#ifndef TCPW_APP_CAPTURE_H
#define TCPW_APP_CAPTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture_info {
	int linktype;
	uint64_t packets;        /* records net_pcap will deliver */
	uint64_t over_64k;       /* ... of which longer than 65535 bytes, which net_pcap (DPDK
				  * 22.11) cuts to their length modulo 65536 */
	bool damaged;            /* reading stopped before the end of the file */
	char damage[256];        /* libpcap's words for it */
};

struct capture_map;

/* 0, or -1 with a message for the user in @err: unreadable, not a capture, empty (0 bytes),
 * cut inside its file header, or a pcapng whose interfaces have different link types.
 * Damage after the file header is not an error: @ci says how many packets precede it.
 * -R (@cm not NULL): the file must also be a classic pcap file of a link type the engine
 * parses (anything else is an error that points to -r), and is left mapped in @cm for
 * reading its records in place; its path may hold a ',' (no DPDK device argument carries
 * it). Its records are not counted here: the reader takes them until capture_map_record()
 * finds the end or damage, in one pass over the file instead of two. */
int capture_scan_map(const char *path, struct capture_info *ci, struct capture_map *cm,
		     char *err, unsigned int errlen);

/* capture_scan_map(), or with @libpcap_only every packet read through libpcap instead of
 * walking a classic pcap file's record headers (the test that both agree uses it). */
int capture_scan_with(const char *path, struct capture_info *ci, char *err,
		      unsigned int errlen, bool libpcap_only, struct capture_map *keep);

#define CAPTURE_FILE_HEADER 24 /* bytes of a classic pcap file before its first record */

/* A classic pcap file mapped for reading its records in place (-R, and the pre-scan). If
 * the file shrinks while it is mapped, reading a page past its new end raises SIGBUS: the
 * map's handler puts a page of zeros there and lowers avail to the new end, so the process
 * goes on, the reader stops there and capture_map_damage() says why. Records taken before
 * (other RX lcores read theirs later) may come out as zeros. */
struct capture_map {
	const uint8_t *base;
	uint64_t size;           /* mapped */
	_Atomic uint64_t avail;  /* readable: size, or where the file was cut while mapped */
	int fd;                  /* for the file's size after a cut */
	uint32_t snaplen;        /* libpcap's snapshot length: longer records are cut to it */
	bool swap;               /* written in the other byte order */
	bool nano;               /* nanosecond time stamps */
};

void capture_map_close(struct capture_map *cm);

static inline uint32_t
capture_rd32(const uint8_t *p, bool swap)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* libpcap's largest caplen (pcap-common.c max_snaplen_for_dlt) for every link type the
 * engine parses; a larger one is damage (sf-pcap.c pcap_next_packet). */
#define CAPTURE_MAX_SNAPLEN 262144u

/*
 * The record at @off, as net_pcap would deliver it: its bytes cut to the snapshot length
 * (libpcap's rule), and its time stamp as net_pcap computes it from libpcap's header (both
 * fields read as signed 32 bits, nanoseconds divided down to microseconds; see pcap_us()
 * in lcore_rx.c for what becomes of it). Returns the offset of the next record, or 0 where
 * libpcap's reader (sf-pcap.c, 1.10) stops: at the end of the file, or at damage (a header
 * or data cut short, a caplen above the maximum; capture_map_damage() words it). Nothing
 * is read past the mapping, even if the file is rewritten in place or cut meanwhile; a record
 * that RX lcore 0 took and its owner reads again after such a rewrite comes out as an empty
 * frame at time 0, counted as truncated.
 */
static inline uint64_t
capture_map_record(const struct capture_map *cm, uint64_t off, const uint8_t **data,
		   uint32_t *len, uint64_t *stamp)
{
	const uint8_t *h = cm->base + off;
	int64_t sec, frac;
	uint64_t avail;
	uint32_t caplen;

	*data = cm->base;
	*len = 0;
	*stamp = 0;
	if (off > cm->size || cm->size - off < 16)
		return 0;
	caplen = capture_rd32(h + 8, cm->swap);
	sec = (int32_t)capture_rd32(h, cm->swap);
	frac = (int32_t)capture_rd32(h + 4, cm->swap);
	/* the file may be found cut by these reads, or before (zeros, and avail lowered) */
	atomic_signal_fence(memory_order_seq_cst);
	avail = atomic_load_explicit(&cm->avail, memory_order_relaxed);
	if (off > avail || avail - off < 16 || caplen > CAPTURE_MAX_SNAPLEN ||
	    caplen > avail - off - 16)
		return 0;
	if (cm->nano)
		frac /= 1000;
	*stamp = (uint64_t)sec * 1000000 + (uint64_t)frac;
	*data = h + 16;
	*len = caplen < cm->snaplen ? caplen : cm->snaplen;
	return off + 16 + caplen;
}

/* Where capture_map_record() returned 0 at @off: false at the end of the file, else true
 * with libpcap's words for the damage in @msg. */
bool capture_map_damage(const struct capture_map *cm, uint64_t off, char *msg, size_t len);

#endif
