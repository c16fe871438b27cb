/* SPDX-License-Identifier: BSD-3-Clause */
/* Pre-scan of a capture file with libpcap (see capture.h). */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"

/* libpcap's words (sf-pcapng.c, 1.5 to 1.10) when a pcapng file's interfaces differ in
 * link type: a pcap_t has one link type, so it stops reading there. */
#define MIXED_LINKTYPES "different from the type of the first interface"

int
capture_scan(const char *path, struct capture_info *ci, char *err, unsigned int errlen)
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
	if (strchr(path, ',') != NULL) {
		snprintf(err, errlen, "capture path %s contains ',', which DPDK device arguments "
			 "cannot carry; rename or link the file", path);
		return -1;
	}
	p = pcap_open_offline(path, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s is not a capture file libpcap can read: %s", path, perr);
		return -1;
	}
	ci->linktype = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		ci->packets++;
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
