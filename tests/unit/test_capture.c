/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture pre-scan (app/capture.c) counts classic pcap files by walking their record
 * headers; net_pcap reads them with libpcap. The daemon waits for exactly the counted
 * packets, so both must agree on every file: link type, packets, damage and its words.
 * Checked on a file made here (cut at every length) and, where ../shared is beside the
 * project, on all of its real and malformed captures.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capture.h"

/* Both ways on @path; returns 1 if the walk handled it, fails the test on a difference. */
static void
same_count(const char *path)
{
	struct capture_info walk, lib;
	char e1[512] = "", e2[512] = "";
	int r1 = capture_scan_with(path, &walk, e1, sizeof(e1), false, NULL);
	int r2 = capture_scan_with(path, &lib, e2, sizeof(e2), true, NULL);

	if (r1 != r2 || strcmp(e1, e2) != 0 || (r1 == 0 &&
	    (walk.linktype != lib.linktype || walk.packets != lib.packets ||
	     walk.damaged != lib.damaged || strcmp(walk.damage, lib.damage) != 0)))
		fail_msg("%s: walk rc %d %lu packets damaged %d '%s' '%s'; libpcap rc %d %lu "
			 "packets damaged %d '%s' '%s'", path, r1, (unsigned long)walk.packets,
			 walk.damaged, walk.damage, e1, r2, (unsigned long)lib.packets,
			 lib.damaged, lib.damage, e2);
}

static void
put32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, 4, 1, f), 1);
}

/* A new file at @path (a mkstemp() template) with a classic pcap header: Ethernet,
 * microseconds, @snaplen. */
static FILE *
new_pcap(char *path, uint32_t snaplen)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w+");
	assert_non_null(f);
	put32(f, 0xa1b2c3d4);
	put32(f, 0x00040002); /* version 2.4 */
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, 1);          /* Ethernet */
	return f;
}

/* A pcap of 3 Ethernet records (60, 300 and 70 bytes; snaplen 200), then every prefix. */
static void
test_cut_everywhere(void **state)
{
	char path[] = "/tmp/tcpw-capture-XXXXXX", cut[64];
	static const uint32_t lens[] = { 60, 300, 70 };
	uint8_t *buf;
	long size;
	FILE *f;

	(void)state;
	f = new_pcap(path, 200); /* snaplen: record 2 is longer (libpcap cuts it) */
	for (unsigned int i = 0; i < 3; i++) {
		put32(f, 1700000000 + i);
		put32(f, 0);
		put32(f, lens[i]);
		put32(f, lens[i]);
		for (uint32_t b = 0; b < lens[i]; b++)
			assert_int_equal(fputc(b == 12 ? 8 : 0, f), b == 12 ? 8 : 0);
	}
	assert_int_equal(fflush(f), 0);
	size = ftell(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	same_count(path);
	snprintf(cut, sizeof(cut), "%s.cut", path);
	for (long n = 25; n < size; n++) {
		f = fopen(cut, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		same_count(cut);
	}
	unlink(cut);
	unlink(path);
	free(buf);
}

/* A file cut while it is mapped (-R): reading past its new end would raise SIGBUS. The
 * map's handler puts zeros there and the reader stops at the new end, which
 * capture_map_damage() reports. 100 records of 200 bytes, cut at 8192 (a page end). */
static void
test_cut_while_mapped(void **state)
{
	char path[] = "/tmp/tcpw-capture-XXXXXX";
	struct capture_map cm;
	struct capture_info ci;
	uint64_t off = CAPTURE_FILE_HEADER, next, stamp, last = 0, n = 0;
	const uint8_t *data;
	char err[256], msg[256];
	uint32_t len;
	FILE *f;

	(void)state;
	f = new_pcap(path, 65535);
	for (unsigned int i = 0; i < 100; i++) {
		put32(f, 1700000000 + i);
		put32(f, 0);
		put32(f, 184);
		put32(f, 184);
		for (unsigned int b = 0; b < 184; b++)
			assert_int_equal(fputc(b == 12 ? 8 : 1, f), b == 12 ? 8 : 1);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(capture_scan_map(path, &ci, &cm, err, sizeof(err)), 0);
	assert_int_equal(truncate(path, 8192), 0);
	while ((next = capture_map_record(&cm, off, &data, &len, &stamp)) != 0) {
		last = data[len - 1]; /* the record across the cut: zeros past it, no signal */
		off = next;
		n++;
	}
	/* the headers before 8192 were taken (the last one across the cut); the next, past
	 * it, found the file cut */
	assert_int_equal(n, (8192 - CAPTURE_FILE_HEADER) / 200 + 1);
	assert_int_equal(last, 0);
	assert_true(capture_map_damage(&cm, off, msg, sizeof(msg)));
	assert_string_equal(msg, "the file was cut to 8192 bytes while it was read");
	capture_map_close(&cm);
	unlink(path);
}

static unsigned int
same_count_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 5 || (strcmp(de->d_name + len - 5, ".pcap") != 0 &&
				strcmp(de->d_name + len - 4, ".cap") != 0 &&
				strcmp(de->d_name + len - 7, ".pcapng") != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		same_count(path);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_shared_captures(void **state)
{
	unsigned int n;

	(void)state;
	n = same_count_dir(TCPW_SRCDIR "/../shared/pcaps/real");
	n += same_count_dir(TCPW_SRCDIR "/../shared/pcaps/malformed");
	if (n == 0) {
		printf("SKIP unit.capture shared captures: no ../shared/pcaps beside the project\n");
		skip();
	}
	printf("%u captures: the header walk and libpcap agree\n", n);
}

static void
test_demo_capture(void **state)
{
	(void)state;
	same_count(TCPW_SRCDIR "/tests/data/demo.pcap");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_capture),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_cut_while_mapped),
		cmocka_unit_test(test_shared_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
