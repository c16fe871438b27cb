/* SPDX-License-Identifier: BSD-3-Clause */
/* Pre-scan of a capture file (see capture.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "parse.h"

/* libpcap's words (sf-pcapng.c, 1.5 to 1.10) when a pcapng file's interfaces differ in
 * link type: a pcap_t has one link type, so it stops reading there. */
#define MIXED_LINKTYPES "different from the type of the first interface"

/* The mapping being read, whose SIGBUS means its file was cut (see struct capture_map). */
static struct capture_map *guarded;
static uintptr_t page_size;
static struct sigaction sigbus_before;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct capture_map *cm = guarded;
	uintptr_t a = (uintptr_t)si->si_addr, page = a & ~(page_size - 1);
	struct stat st;
	uint64_t cut;

	(void)sig;
	(void)uc;
	if (cm == NULL || a < (uintptr_t)cm->base || a - (uintptr_t)cm->base >= cm->size ||
	    mmap((void *)page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED) {
		sigaction(SIGBUS, &sigbus_before, NULL); /* not ours: faults again, as before */
		return;
	}
	cut = page - (uintptr_t)cm->base;
	if (fstat(cm->fd, &st) == 0 && (uint64_t)st.st_size < cut)
		cut = (uint64_t)st.st_size;
	if (cut < atomic_load_explicit(&cm->avail, memory_order_relaxed))
		atomic_store_explicit(&cm->avail, cut, memory_order_relaxed);
}

/* At each map, as something may have taken SIGBUS since the last one (cmocka does, around
 * each test); the action before ours is kept for faults that are not ours. */
static void
guard(struct capture_map *cm)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO }, before;

	page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &before) == 0 &&
	    !((before.sa_flags & SA_SIGINFO) && before.sa_sigaction == on_sigbus))
		sigbus_before = before;
	guarded = cm;
}

/* Map @path if it is a classic pcap file (version 2.4, microsecond or nanosecond magic, either
 * byte order) of a link type the engine parses, with the snapshot length libpcap (@p) took. */
static int
map_classic(const char *path, pcap_t *p, int linktype, struct capture_map *cm)
{
	uint32_t magic;
	struct stat st;
	void *m;
	int fd;

	if (pcap_major_version(p) != 2 || pcap_minor_version(p) != 4 ||
	    !tcpw_parse_linktype_supported(linktype))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < CAPTURE_FILE_HEADER) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	memcpy(&magic, m, 4);
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d && magic != 0xd4c3b2a1 &&
	    magic != 0x4d3cb2a1) {
		munmap(m, (size_t)st.st_size);
		close(fd);
		return -1;
	}
	/* read ahead as it is walked; no MAP_POPULATE: it cost as much as the faults it saves */
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	cm->base = m;
	cm->size = (uint64_t)st.st_size;
	atomic_init(&cm->avail, cm->size);
	cm->fd = fd;
	guard(cm);
	cm->swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	cm->nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	cm->snaplen = (uint32_t)pcap_snapshot(p);
	return 0;
}

void
capture_map_close(struct capture_map *cm)
{
	if (cm->base == NULL)
		return;
	if (guarded == cm)
		guarded = NULL;
	munmap((void *)cm->base, cm->size);
	close(cm->fd);
	cm->base = NULL;
}

bool
capture_map_damage(const struct capture_map *cm, uint64_t off, char *msg, size_t len)
{
	uint64_t avail = atomic_load_explicit(&cm->avail, memory_order_relaxed), got;
	uint32_t caplen;

	msg[0] = '\0';
	if (avail < cm->size) {
		snprintf(msg, len, "the file was cut to %" PRIu64 " bytes while it was read",
			 avail);
		return true;
	}
	if (off >= cm->size)
		return false;
	if (cm->size - off < 16) {
		snprintf(msg, len, "truncated dump file; tried to read 16 header bytes, only got "
			 "%u", (unsigned int)(cm->size - off));
		return true;
	}
	caplen = capture_rd32(cm->base + off + 8, cm->swap);
	if (caplen > CAPTURE_MAX_SNAPLEN) {
		if (caplen > cm->snaplen)
			snprintf(msg, len, "invalid packet capture length %u, bigger than snaplen "
				 "of %u", caplen, cm->snaplen);
		else
			snprintf(msg, len, "invalid packet capture length %u, bigger than maximum "
				 "of %u", caplen, CAPTURE_MAX_SNAPLEN);
		return true;
	}
	/* libpcap reads min(caplen, snaplen) bytes, then skips the rest; either read cut
	 * short is damage, reported with what it got */
	got = cm->size - off - 16;
	snprintf(msg, len, "truncated dump file; tried to read %u captured bytes, only got %u",
		 caplen > cm->snaplen && got < cm->snaplen ? cm->snaplen : caplen,
		 (unsigned int)got);
	return true;
}

/*
 * Count a classic pcap file by walking its record headers in the mapped file, stopping
 * where libpcap's reader would (capture_map_record()). Reading every packet through
 * libpcap cost a fifth of a whole offline run (the data copied twice, for nothing).
 * Returns -1 to leave the file to libpcap: pcapng, other magics and versions, link types
 * the engine does not parse. With @keep (-R) the mapping is handed over instead, uncounted.
 */
static int
count_classic(const char *path, pcap_t *p, struct capture_info *ci, struct capture_map *keep)
{
	struct capture_map local, *cm = keep != NULL ? keep : &local; /* mapped where it stays */
	uint64_t off = CAPTURE_FILE_HEADER, next, stamp;
	const uint8_t *data;
	uint32_t len;

	if (map_classic(path, p, ci->linktype, cm) != 0)
		return -1;
	if (keep != NULL)
		return 0;
	while ((next = capture_map_record(cm, off, &data, &len, &stamp)) != 0) {
		off = next;
		ci->packets++;
		ci->over_64k += len > UINT16_MAX;
	}
	ci->damaged = capture_map_damage(cm, off, ci->damage, sizeof(ci->damage));
	capture_map_close(cm);
	return 0;
}

int
capture_scan_map(const char *path, struct capture_info *ci, struct capture_map *cm, char *err,
		 unsigned int errlen)
{
	return capture_scan_with(path, ci, err, errlen, false, cm);
}

int
capture_scan_with(const char *path, struct capture_info *ci, char *err, unsigned int errlen,
		  bool libpcap_only, struct capture_map *keep)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const u_char *data;
	struct stat st;
	pcap_t *p;
	int rc;

	memset(ci, 0, sizeof(*ci));
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "cannot read capture %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "capture %s is not a regular file", path);
		return -1;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "capture %s is empty (0 bytes): not even a file header",
			 path);
		return -1;
	}
	if (keep != NULL)
		memset(keep, 0, sizeof(*keep));
	else if (strpbrk(path, ",=") != NULL) {
		snprintf(err, errlen, "capture path %s contains '%c', which DPDK device arguments "
			 "cannot carry; rename or link the file, or read it in place with -R", path,
			 *strpbrk(path, ",="));
		return -1;
	}
	p = pcap_open_offline(path, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s is not a capture file libpcap can read: %s", path, perr);
		return -1;
	}
	ci->linktype = pcap_datalink(p);
	if (!libpcap_only && count_classic(path, p, ci, keep) == 0) {
		pcap_close(p);
		return 0;
	}
	if (keep != NULL) {
		snprintf(err, errlen, "-R reads classic pcap files (version 2.4) of a supported "
			 "link type in place; %s is not one: read it with -r", path);
		pcap_close(p);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		ci->packets++;
		ci->over_64k += h->caplen > UINT16_MAX;
	}
	if (rc == PCAP_ERROR && strstr(pcap_geterr(p), MIXED_LINKTYPES) != NULL) {
		/* not damage: libpcap (and so net_pcap) cannot give one link type for the file */
		snprintf(err, errlen, "%s has pcapng interfaces of different link types (%s); "
			 "tcpwintmtd reads one link type per capture: split it by interface "
			 "first (e.g. tshark -r IN -Y frame.interface_id==0 -w OUT)", path,
			 pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	if (rc == PCAP_ERROR) {
		ci->damaged = true;
		snprintf(ci->damage, sizeof(ci->damage), "%s", pcap_geterr(p));
	}
	pcap_close(p);
	return 0;
}
