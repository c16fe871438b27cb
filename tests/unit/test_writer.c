/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/writer, the rotating record writer, driven with fake times and checked by
 * reading the files back from disk: the active file and its header, size rotation (names after
 * the UTC time of the first record, "_NNN" on a collision, every record exactly once and never
 * split), time rotation at a write and at a tick, forced rotation, gzip-compressed closed files,
 * retention by file count and by bytes (foreign files untouched, names never reused within a
 * second), an active file or directory removed under the writer, back-pressure (-EAGAIN) while
 * the directory cannot be recreated, failing write(2) through RLIMIT_FSIZE in a child process,
 * and close with its statistics.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "writer.h"

#define T0 ((time_t)1800000000)      /* 2027-01-15T08:00:00Z */
#define STAMP0 "20270115T080000Z"
#define PREFIX "tw_flows"
#define EXT ".txt"
#define HEADER "#seq\tdata\n"       /* 10 bytes */
#define HLEN (sizeof(HEADER) - 1)
#define REC_LEN 50                   /* default record length */
/* A buffer of 5 records, and the header's worth the writer keeps free (256 + 10 bytes) */
#define SMALL_BUF (5 * REC_LEN + 6 + HLEN)
#define MAX_FILES 64                 /* directory entries a test looks at */
#define NAME_LEN 256

/* Growing byte string for expected contents. */
struct sb {
	char *s;
	size_t len;
	size_t cap;
};

struct fx {
	char dir[64];
	char active[128];
	struct tcpw_writer_params p;
	unsigned int log_calls;
	unsigned int log_errors;     /* error reports */
	unsigned int log_recoveries; /* "writing ... again" notices */
	char log_first[512];         /* first message */
	struct tcpw_writer *w;       /* closed by the teardown if a test failed */
	struct sb all;               /* every record written, in order */
	struct sb cur;               /* expected contents of the file being filled */
};

static void
sb_add(struct sb *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

static void
sb_free(struct sb *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/*
 * The log callback: counts calls and tells error reports from the recovery notice, which is the
 * only message of the form "writing <path> again".
 */
static void
log_cb(void *ctx, const char *msg)
{
	struct fx *f = ctx;
	size_t n = strlen(msg);

	if (f->log_calls++ == 0)
		snprintf(f->log_first, sizeof(f->log_first), "%s", msg);
	if (strncmp(msg, "writing ", 8) == 0 && n > 6 && strcmp(msg + n - 6, " again") == 0)
		f->log_recoveries++;
	else
		f->log_errors++;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_writer.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->active, sizeof(f->active), "%s/%s%s", f->dir, PREFIX, EXT);
	f->p = (struct tcpw_writer_params){
		.dir = f->dir,
		.prefix = PREFIX,
		.ext = EXT,
		.header = HEADER,
		.buffer_bytes = 4096,
		.log = log_cb,
		.log_ctx = f,
	};
	*state = f;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	if (f->w != NULL)
		tcpw_writer_close(f->w);
	sb_free(&f->all);
	sb_free(&f->cur);
	rc = nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc != 0 && errno == ENOENT)
		rc = 0;
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Record @p i: "r00042\t" then letters up to @p len - 1, then '\n'; one whole line. */
static size_t
make_rec(char *out, unsigned int i, size_t len)
{
	int n = snprintf(out, len + 1, "r%05u\t", i);

	for (size_t k = (size_t)n; k + 1 < len; k++)
		out[k] = (char)('a' + (i + k) % 26);
	out[len - 1] = '\n';
	out[len] = '\0';
	return len;
}

/* Write record @p i of length @p len at @p now, expecting it taken; add it to @p all. */
static void
put(struct tcpw_writer *w, unsigned int i, size_t len, time_t now, struct sb *all)
{
	char rec[256];

	make_rec(rec, i, len);
	assert_int_equal(tcpw_writer_write(w, rec, len, now), 0);
	if (all != NULL)
		sb_add(all, rec, len);
}

/* Expected contents: the header then records @p from .. @p to - 1 of length @p len. */
static void
want_recs(struct sb *b, bool header, unsigned int from, unsigned int to, size_t len)
{
	char rec[256];

	if (header)
		sb_add(b, HEADER, HLEN);
	for (unsigned int i = from; i < to; i++)
		sb_add(b, rec, make_rec(rec, i, len));
}

/* Whole file, NUL-terminated; NULL when it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	struct sb b = { 0 };
	char chunk[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	sb_add(&b, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		sb_add(&b, chunk, (size_t)n);
	close(fd);
	*len = b.len;
	return b.s;
}

/* Whole gzip file, uncompressed, NUL-terminated; NULL when it cannot be read. */
static char *
slurp_gz(const char *path, size_t *len)
{
	struct sb b = { 0 };
	char chunk[4096];
	gzFile gz = gzopen(path, "rb");
	int n;

	if (gz == NULL)
		return NULL;
	sb_add(&b, "", 0);
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		sb_add(&b, chunk, (size_t)n);
	assert_int_equal(n, 0);
	assert_int_equal(gzclose(gz), Z_OK);
	*len = b.len;
	return b.s;
}

static char *
slurp_in(const struct fx *f, const char *name, bool gz, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return gz ? slurp_gz(path, len) : slurp(path, len);
}

/* Whether file @p name in the test directory holds exactly @p want (if not, say so). */
static bool
file_is(const struct fx *f, const char *name, bool gz, const struct sb *want)
{
	size_t len;
	char *got = slurp_in(f, name, gz, &len);
	bool ok = got != NULL && len == want->len && memcmp(got, want->s, len) == 0;

	if (got == NULL)
		print_error("cannot read %s/%s: %s\n", f->dir, name, strerror(errno));
	else if (!ok)
		print_error("%s holds %zu bytes:\n%s\nwant %zu bytes:\n%s\n", name, len, got,
			    want->len, want->s);
	free(got);
	return ok;
}

static void
assert_file_is(const struct fx *f, const char *name, bool gz, const struct sb *want)
{
	assert_true(file_is(f, name, gz, want));
}

/* File @p name holds the header then records @p from .. @p to - 1 of REC_LEN bytes. */
static void
assert_file_recs(const struct fx *f, const char *name, bool gz, unsigned int from,
		 unsigned int to)
{
	struct sb want = { 0 };
	bool ok;

	want_recs(&want, true, from, to, REC_LEN);
	ok = file_is(f, name, gz, &want);
	sb_free(&want);
	assert_true(ok);
}

/* The active file holds the header then records @p from .. @p to - 1 of REC_LEN bytes. */
static void
assert_active_recs(const struct fx *f, unsigned int from, unsigned int to)
{
	assert_file_recs(f, PREFIX EXT, false, from, to);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Names in the test directory (all, or only the closed ones PREFIX-*), sorted with strcmp. */
static size_t
list_dir(const struct fx *f, bool closed_only, char names[][NAME_LEN])
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (closed_only && strncmp(de->d_name, PREFIX "-", strlen(PREFIX "-")) != 0)
			continue;
		assert_true(n < MAX_FILES);
		snprintf(names[n++], NAME_LEN, "%s", de->d_name);
	}
	closedir(d);
	qsort(names, n, NAME_LEN, cmp_name);
	return n;
}

/* The directory holds exactly the @p n names of @p want (in any order). */
static void
assert_listing(const struct fx *f, const char *const *want, size_t n)
{
	char got[MAX_FILES][NAME_LEN], exp[MAX_FILES][NAME_LEN];
	size_t ngot = list_dir(f, false, got);

	assert_true(n <= MAX_FILES);
	for (size_t i = 0; i < n; i++)
		snprintf(exp[i], NAME_LEN, "%s", want[i]);
	qsort(exp, n, NAME_LEN, cmp_name);
	for (size_t i = 0; i < ngot || i < n; i++) {
		const char *g = i < ngot ? got[i] : "(none)";
		const char *e = i < n ? exp[i] : "(none)";

		if (i >= ngot || i >= n || strcmp(g, e) != 0)
			fail_msg("directory entry %zu (sorted) is %s, want %s", i, g, e);
	}
}

/* Closed-file name for @p t: PREFIX-YYYYMMDDTHHMMSSZ[_NNN]EXT[.gz]. */
static void
closed_name(char *out, size_t len, time_t t, unsigned int seq, bool gz)
{
	char stamp[32], suffix[16] = "";
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (seq > 0)
		snprintf(suffix, sizeof(suffix), "_%03u", seq);
	snprintf(out, len, "%s-%s%s%s%s", PREFIX, stamp, suffix, EXT, gz ? ".gz" : "");
}

/*
 * Every closed file (sorted by name) and then the active file start with the header, hold at
 * least one record and end with '\n'; their bodies, concatenated, are exactly @p all. Records
 * are single lines, so this also proves that no file boundary cuts a record.
 */
static void
assert_records_once(const struct fx *f, const struct sb *all, bool gz, size_t nclosed)
{
	char names[MAX_FILES][NAME_LEN];
	size_t n = list_dir(f, true, names);
	struct sb cat = { 0 };

	assert_int_equal(n, nclosed);
	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : PREFIX EXT;
		size_t len;
		char *s = slurp_in(f, name, i < n && gz, &len);
		bool ok = s != NULL && len >= HLEN && memcmp(s, HEADER, HLEN) == 0 &&
			  (i == n || (len > HLEN && s[len - 1] == '\n'));

		if (!ok) {
			print_error("%s: unreadable, no header, or (closed) no record or a partial "
				    "last line:\n%s\n", name, s != NULL ? s : "");
			free(s);
			sb_free(&cat);
			fail();
		}
		sb_add(&cat, s + HLEN, len - HLEN);
		free(s);
	}
	if (cat.len != all->len || memcmp(cat.s, all->s, cat.len) != 0) {
		print_error("records in the files:\n%s\nwant:\n%s\n", cat.s, all->s);
		sb_free(&cat);
		fail();
	}
	sb_free(&cat);
}

/* Open the writer of @p f (the teardown closes it if the test fails). */
static struct tcpw_writer *
open_writer(struct fx *f, time_t now)
{
	f->w = tcpw_writer_open(&f->p, now);
	if (f->w == NULL)
		fail_msg("tcpw_writer_open: %s", strerror(errno));
	return f->w;
}

static int
close_writer(struct fx *f)
{
	struct tcpw_writer *w = f->w;

	f->w = NULL;
	return tcpw_writer_close(w);
}

/* ---- 1. active file ------------------------------------------------------------------- */

/* Bad parameters are refused with EINVAL. */
static void
test_open_invalid(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_params p = f->p;

	p.dir = NULL;
	errno = 0;
	assert_null(tcpw_writer_open(&p, T0));
	assert_int_equal(errno, EINVAL);
	p = f->p;
	p.buffer_bytes = HLEN; /* no room for the header and a byte */
	errno = 0;
	assert_null(tcpw_writer_open(&p, T0));
	assert_int_equal(errno, EINVAL);
	p = f->p;
	p.header = NULL;
	errno = 0;
	assert_null(tcpw_writer_open(&p, T0));
	assert_int_equal(errno, EINVAL);
}

/* Write @p text to DIR/@p name (mode 0644) and set its modification time to @p mtime. */
static void
make_file(const struct fx *f, const char *name, const char *text, time_t mtime)
{
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

/*
 * A previous run's active file (ours, with records) is kept under the closed name of its
 * modification time, not truncated; the new active file starts with the header and the
 * records show after a tick.
 */
static void
test_open_header_and_records(void **state)
{
	struct fx *f = *state;
	const char *const names[] = { PREFIX EXT, PREFIX "-20270115T070000Z" EXT };
	struct sb stale = { 0 };
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	make_file(f, PREFIX EXT, HEADER "stale line\n", T0 - 3600);
	w = open_writer(f, T0);
	assert_string_equal(tcpw_writer_path(w), f->active);
	sb_add(&stale, HEADER "stale line\n", HLEN + 11);
	assert_file_is(f, names[1], false, &stale);
	sb_free(&stale);
	assert_int_equal(f->log_calls, 1);
	assert_non_null(strstr(f->log_first, "kept as"));
	f->log_calls = 0;

	tcpw_writer_tick(w, T0);
	assert_active_recs(f, 0, 0);
	put(w, 0, REC_LEN, T0 + 1, NULL);
	put(w, 1, REC_LEN, T0 + 1, NULL);
	tcpw_writer_tick(w, T0 + 1);
	assert_active_recs(f, 0, 2);
	assert_listing(f, names, 2);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.bytes, HLEN + 2 * REC_LEN);
	assert_int_equal(st.buffered, 0);
	assert_int_equal(st.files_closed, 0);
	assert_int_equal(st.files_set_aside, 1);
	assert_int_equal(st.names_refused, 0);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 0, 2);
	assert_int_equal(f->log_calls, 0);
}

/* A previous active file holding only the header (or nothing) is simply replaced. */
static void
test_open_header_only_leftover(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;

	for (int k = 0; k < 2; k++) {
		make_file(f, PREFIX EXT, k == 0 ? HEADER : "", T0 - 60);
		open_writer(f, T0);
		tcpw_writer_stats(f->w, &st);
		assert_int_equal(st.files_set_aside, 0);
		assert_int_equal(close_writer(f), 0);
		assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
		assert_active_recs(f, 0, 0);
	}
	assert_int_equal(f->log_calls, 0);
}

/* ---- 2. size rotation ------------------------------------------------------------------ */

/*
 * 18 records of 50 bytes in the same second with rotate_bytes 200: a file closes on reaching
 * 200 bytes (header + 4 records = 210), so 4 closed files named STAMP0, _001, _002, _003 and
 * 2 records left in the active file.
 */
static void
test_size_rotation_same_second(void **state)
{
	struct fx *f = *state;
	const char *const names[] = {
		PREFIX "-" STAMP0 EXT,
		PREFIX "-" STAMP0 "_001" EXT,
		PREFIX "-" STAMP0 "_002" EXT,
		PREFIX "-" STAMP0 "_003" EXT,
		PREFIX EXT,
	};
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	f->p.rotate_bytes = 200;
	w = open_writer(f, T0);
	for (unsigned int i = 0; i < 18; i++)
		put(w, i, REC_LEN, T0, &f->all);
	tcpw_writer_tick(w, T0);

	assert_listing(f, names, 5);
	for (unsigned int k = 0; k < 4; k++) {
		assert_true(strcmp(names[k], names[k + 1]) < 0); /* creation order */
		assert_file_recs(f, names[k], false, 4 * k, 4 * k + 4);
	}
	assert_active_recs(f, 16, 18);
	assert_records_once(f, &f->all, false, 4);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 18);
	assert_int_equal(st.files_closed, 4);
	assert_int_equal(st.bytes, 4 * 210 + HLEN + 2 * REC_LEN);
	assert_int_equal(close_writer(f), 0);
}

/*
 * Records of 40..64 bytes, one second apart: the partition into files follows "close once the
 * file holds >= rotate_bytes", each closed file is named after its first record's time, names
 * sort in creation order and every record is in exactly one file, whole.
 */
static void
test_size_rotation_varied(void **state)
{
	struct fx *f = *state;
	char want_names[MAX_FILES][NAME_LEN], got[MAX_FILES][NAME_LEN];
	unsigned int nclosed = 0;
	uint64_t fbytes = HLEN;
	struct tcpw_writer *w;
	size_t n;

	f->p.rotate_bytes = 200;
	w = open_writer(f, T0);
	sb_add(&f->cur, HEADER, HLEN);
	for (unsigned int i = 0; i < 40; i++) {
		size_t len = 40 + (i * 7) % 25;
		char rec[256];

		if (fbytes == HLEN)
			closed_name(want_names[nclosed], NAME_LEN, T0 + i, 0, false);
		put(w, i, len, T0 + i, &f->all);
		sb_add(&f->cur, rec, make_rec(rec, i, len));
		fbytes += len;
		if (fbytes >= 200) {
			/* this write closed the file: it is on disk under its final name */
			assert_file_is(f, want_names[nclosed], false, &f->cur);
			nclosed++;
			fbytes = HLEN;
			f->cur.len = 0;
			sb_add(&f->cur, HEADER, HLEN);
		}
	}
	tcpw_writer_tick(w, T0 + 40);
	assert_true(nclosed >= 8);
	assert_file_is(f, PREFIX EXT, false, &f->cur);

	n = list_dir(f, true, got);
	assert_int_equal(n, nclosed);
	for (unsigned int k = 0; k < nclosed; k++) {
		assert_string_equal(got[k], want_names[k]); /* strcmp order == creation order */
		assert_int_equal(strlen(got[k]), strlen(PREFIX "-" STAMP0 EXT));
	}
	assert_records_once(f, &f->all, false, nclosed);
	assert_int_equal(close_writer(f), 0);
}

/* ---- 3. time rotation ------------------------------------------------------------------ */

static void
test_time_rotation(void **state)
{
	struct fx *f = *state;
	char n1[NAME_LEN], n2[NAME_LEN];
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	f->p.rotate_interval_s = 10;
	w = open_writer(f, T0);
	closed_name(n1, sizeof(n1), T0, 0, false);
	closed_name(n2, sizeof(n2), T0 + 31, 0, false);

	/* t, t+5: no rotation; t+10: 10 s after the first record, the write rotates it */
	put(w, 0, REC_LEN, T0, NULL);
	put(w, 1, REC_LEN, T0 + 5, NULL);
	tcpw_writer_tick(w, T0 + 9);
	assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
	assert_active_recs(f, 0, 2);
	put(w, 2, REC_LEN, T0 + 10, NULL);
	assert_listing(f, (const char *const[]){ n1, PREFIX EXT }, 2);
	assert_file_recs(f, n1, false, 0, 3);
	tcpw_writer_tick(w, T0 + 10);
	assert_active_recs(f, 0, 0);

	/* an active file without records is never rotated */
	tcpw_writer_tick(w, T0 + 30);
	assert_listing(f, (const char *const[]){ n1, PREFIX EXT }, 2);

	/* the interval counts from a file's first record, so after an idle gap the next
	 * record does not end up alone in a file: first record at t+31, rotated at t+41 */
	put(w, 3, REC_LEN, T0 + 31, NULL);
	put(w, 4, REC_LEN, T0 + 35, NULL);
	tcpw_writer_tick(w, T0 + 40);
	assert_listing(f, (const char *const[]){ n1, PREFIX EXT }, 2);
	assert_active_recs(f, 3, 5);
	tcpw_writer_tick(w, T0 + 41);
	assert_listing(f, (const char *const[]){ n1, n2, PREFIX EXT }, 3);
	assert_file_recs(f, n2, false, 3, 5);
	tcpw_writer_tick(w, T0 + 42);
	assert_active_recs(f, 0, 0);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_closed, 2);
	assert_int_equal(st.records, 5);
	assert_int_equal(close_writer(f), 0);
}

/* ---- 4. forced rotation ---------------------------------------------------------------- */

static void
test_rotate(void **state)
{
	struct fx *f = *state;
	char n1[NAME_LEN], n2[NAME_LEN];
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	w = open_writer(f, T0);
	closed_name(n1, sizeof(n1), T0 + 2, 0, false);
	closed_name(n2, sizeof(n2), T0 + 2, 1, false);

	/* nothing to rotate: no file is closed, the active file keeps its header */
	tcpw_writer_rotate(w, T0 + 1);
	tcpw_writer_tick(w, T0 + 1);
	assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
	assert_active_recs(f, 0, 0);

	put(w, 0, REC_LEN, T0 + 2, NULL);
	tcpw_writer_rotate(w, T0 + 3);
	assert_listing(f, (const char *const[]){ n1, PREFIX EXT }, 2);
	assert_file_recs(f, n1, false, 0, 1);

	/* the fresh active file holds no record: rotating again does nothing */
	tcpw_writer_rotate(w, T0 + 4);
	tcpw_writer_tick(w, T0 + 4);
	assert_listing(f, (const char *const[]){ n1, PREFIX EXT }, 2);
	assert_active_recs(f, 0, 0);

	/* a second file whose first record has the same second gets _001 */
	put(w, 1, REC_LEN, T0 + 2, NULL);
	put(w, 2, REC_LEN, T0 + 5, NULL);
	tcpw_writer_rotate(w, T0 + 5);
	assert_listing(f, (const char *const[]){ n1, n2, PREFIX EXT }, 3);
	assert_file_recs(f, n2, false, 1, 3);
	assert_true(strcmp(n1, n2) < 0);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_closed, 2);
	assert_int_equal(st.records, 3);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 0, 0);
}

/* ---- 5. gzip --------------------------------------------------------------------------- */

/* 10 records in the same second, rotate_bytes 200: two .gz files (the second _001). */
static void
test_gzip(void **state)
{
	struct fx *f = *state;
	const char *const names[] = {
		PREFIX "-" STAMP0 EXT ".gz",
		PREFIX "-" STAMP0 "_001" EXT ".gz",
		PREFIX EXT,
	};
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	f->p.rotate_bytes = 200;
	f->p.gzip = true;
	w = open_writer(f, T0);
	for (unsigned int i = 0; i < 10; i++)
		put(w, i, REC_LEN, T0, &f->all);
	tcpw_writer_tick(w, T0);

	/* no uncompressed closed file and no .part left */
	assert_listing(f, names, 3);
	for (unsigned int k = 0; k < 2; k++) {
		assert_file_recs(f, names[k], true, 4 * k, 4 * k + 4);
	}
	assert_active_recs(f, 8, 10);
	assert_records_once(f, &f->all, true, 2);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_closed, 2);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(close_writer(f), 0);
}

/* ---- 6. retention ---------------------------------------------------------------------- */

/* Files whose names are not PREFIX-YYYYMMDDTHHMMSSZ[_NNN]EXT[.gz]: never deleted, never
 * counted, whatever else they share with ours (the first names after "notes.txt" sort
 * before every closed file, "-keep" after: each would have been deleted, or taken a
 * place of keep_files, when any PREFIX-*EXT counted). */
static const char *const FOREIGN[] = {
	"a",
	"notes.txt",
	PREFIX "-2019-12-31" EXT,
	PREFIX "-2019" EXT ".gz",
	PREFIX "-20200101T000000" EXT,
	PREFIX "-20200101T000000Z_1" EXT,
	PREFIX "-20200101T000000Z_0001" EXT,
	PREFIX "-20200101T000000Zcopy" EXT,
	PREFIX "-keep" EXT,
	PREFIX EXT ".1",
	PREFIX "_20200101T000000Z" EXT,
	PREFIX "x-20200101T000000Z" EXT,
	PREFIX "-20200101T000000Z" EXT ".bak",
	PREFIX "-20200101T000000Z.csv",
	PREFIX "-20200101T000000Z" EXT ".gz.part",
	PREFIX "-20200101T000000Z" EXT ".gz.1",
};
#define NFOREIGN (sizeof(FOREIGN) / sizeof(FOREIGN[0]))

static void
make_foreign(const struct fx *f)
{
	char path[512], big[10000];

	memset(big, 'x', sizeof(big));
	for (size_t i = 0; i < NFOREIGN; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", f->dir, FOREIGN[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
		close(fd);
	}
}

/* Five rotations of one record each, at T0 + 10 k; check the listing after each. */
static void
retention_run(struct fx *f)
{
	char names[5][NAME_LEN];
	const char *want[NFOREIGN + 3];
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	make_foreign(f);
	w = open_writer(f, T0);
	for (unsigned int k = 0; k < 5; k++) {
		size_t n = 0;

		closed_name(names[k], NAME_LEN, T0 + 10 * k, 0, false);
		put(w, k, REC_LEN, T0 + 10 * k, NULL);
		tcpw_writer_rotate(w, T0 + 10 * k + 1);
		for (size_t i = 0; i < NFOREIGN; i++)
			want[n++] = FOREIGN[i];
		/* the newest two closed files */
		for (unsigned int j = k >= 1 ? k - 1 : 0; j <= k; j++)
			want[n++] = names[j];
		want[n++] = PREFIX EXT;
		assert_listing(f, want, n);
		tcpw_writer_stats(w, &st);
		assert_int_equal(st.files_closed, k + 1);
		assert_int_equal(st.files_deleted, k >= 2 ? k - 1 : 0);
	}
	for (unsigned int k = 3; k < 5; k++) {
		assert_file_recs(f, names[k], false, k, k + 1);
	}
	/* the active file is untouched: it goes on taking records */
	put(w, 5, REC_LEN, T0 + 60, NULL);
	tcpw_writer_tick(w, T0 + 60);
	assert_active_recs(f, 5, 6);
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_deleted, 3);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 5, 6);
}

static void
test_retention_keep_files(void **state)
{
	struct fx *f = *state;

	f->p.keep_files = 2;
	retention_run(f);
}

/* Closed files are 60 bytes: keep_bytes 130 keeps two (120), three would be 180. */
static void
test_retention_keep_bytes(void **state)
{
	struct fx *f = *state;

	f->p.keep_bytes = 130;
	retention_run(f);
}

/*
 * keep_files 1 and three rotations in the same second: retention frees PREFIX-STAMP0.EXT after
 * the second one, yet the third is _002, not STAMP0 again, so names still sort by time (a reused
 * STAMP0 would sort first and be the one retention deletes).
 */
static void
test_retention_same_second_names(void **state)
{
	struct fx *f = *state;
	const char *const names[] = {
		PREFIX "-" STAMP0 EXT,
		PREFIX "-" STAMP0 "_001" EXT,
		PREFIX "-" STAMP0 "_002" EXT,
	};
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	f->p.keep_files = 1;
	w = open_writer(f, T0);
	for (unsigned int k = 0; k < 3; k++) {
		put(w, k, REC_LEN, T0, NULL);
		tcpw_writer_rotate(w, T0);
		assert_listing(f, (const char *const[]){ names[k], PREFIX EXT }, 2);
		assert_file_recs(f, names[k], false, k, k + 1);
	}
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_closed, 3);
	assert_int_equal(st.files_deleted, 2);
	assert_int_equal(close_writer(f), 0);
}

/* ---- 7. the active file or the directory removed ---------------------------------------- */

/*
 * The active file is unlinked after its records were written: the tick notices, starts the
 * file again with the header, and the records taken after the removal are in it.
 */
static void
test_active_unlinked(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	w = open_writer(f, T0);
	put(w, 0, REC_LEN, T0, NULL);
	put(w, 1, REC_LEN, T0, NULL);
	tcpw_writer_tick(w, T0);
	assert_active_recs(f, 0, 2);

	assert_int_equal(unlink(f->active), 0);
	put(w, 2, REC_LEN, T0 + 1, NULL);
	put(w, 3, REC_LEN, T0 + 1, NULL);
	tcpw_writer_tick(w, T0 + 2);
	assert_active_recs(f, 2, 4);
	assert_int_equal(f->log_errors, 1);
	assert_non_null(strstr(f->log_first, f->active));

	put(w, 4, REC_LEN, T0 + 3, NULL);
	tcpw_writer_tick(w, T0 + 3);
	assert_active_recs(f, 2, 5);
	assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
	assert_int_equal(f->log_errors, 1);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.write_errors, 1);
	assert_int_equal(st.files_closed, 0);
	assert_int_equal(st.buffered, 0);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 2, 5);
	/* bytes written to files: header + 2 records, then header + 3 records */
	assert_int_equal(st.bytes, 2 * HLEN + 5 * REC_LEN);
}

/*
 * The active file is unlinked before anything was written to it (header and records still
 * buffered): nothing was lost, so the new file holds the header once and every record.
 */
static void
test_active_unlinked_before_flush(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer *w;

	w = open_writer(f, T0);
	put(w, 0, REC_LEN, T0, NULL);
	put(w, 1, REC_LEN, T0, NULL);
	assert_int_equal(unlink(f->active), 0);
	put(w, 2, REC_LEN, T0 + 1, NULL);
	tcpw_writer_tick(w, T0 + 1);
	assert_active_recs(f, 0, 3);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 0, 3);
}

/*
 * The active file is unlinked, then the buffer fills with no tick between (offline the
 * writer thread ticks at the flush interval only): the full buffer goes to the new file,
 * not to the unlinked one.
 */
static void
test_active_unlinked_buffer_full(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer *w;
	unsigned int n = 0;

	f->p.buffer_bytes = SMALL_BUF;
	w = open_writer(f, T0);
	put(w, n++, REC_LEN, T0, NULL);
	tcpw_writer_tick(w, T0);
	assert_active_recs(f, 0, 1);
	assert_int_equal(unlink(f->active), 0);
	while (n < 8) /* SMALL_BUF holds 5 records: record 6 finds it full */
		put(w, n++, REC_LEN, T0, NULL);
	assert_active_recs(f, 1, 6);
	assert_int_equal(f->log_errors, 1);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 1, 8);
}

/*
 * The active file is unlinked, then a size rotation comes due with no tick between (live, a
 * busy writer ticks at the flush interval only): the rotation must not write the buffered
 * records to the unlinked inode, where they were lost, counted as written. Every record
 * taken after the removal is in a closed file or the active one, exactly once.
 */
static void
test_active_unlinked_then_rotation(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;

	f->p.rotate_bytes = 200;
	w = open_writer(f, T0);
	put(w, 0, REC_LEN, T0, NULL);
	tcpw_writer_tick(w, T0);
	assert_active_recs(f, 0, 1);
	assert_int_equal(unlink(f->active), 0);
	for (unsigned int i = 1; i < 9; i++)
		put(w, i, REC_LEN, T0, &f->all);
	tcpw_writer_tick(w, T0);
	assert_records_once(f, &f->all, false, 2);
	assert_int_equal(f->log_errors, 1);
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.files_closed, 2);
	assert_int_equal(close_writer(f), 0);
}

/* The whole directory is removed: the tick creates it again, with the active file. */
static void
test_dir_removed(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;
	struct stat sst;

	w = open_writer(f, T0);
	put(w, 0, REC_LEN, T0, NULL);
	tcpw_writer_tick(w, T0);
	assert_int_equal(unlink(f->active), 0);
	assert_int_equal(rmdir(f->dir), 0);

	put(w, 1, REC_LEN, T0 + 1, NULL);
	put(w, 2, REC_LEN, T0 + 1, NULL);
	tcpw_writer_tick(w, T0 + 2);
	assert_int_equal(stat(f->dir, &sst), 0);
	assert_true(S_ISDIR(sst.st_mode));
	assert_active_recs(f, 1, 3);
	assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
	assert_int_equal(f->log_errors, 1);

	tcpw_writer_stats(w, &st);
	assert_int_equal(st.write_errors, 1);
	assert_int_equal(st.records, 3);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 1, 3);
}

/*
 * The directory is replaced by a regular file, so the active file cannot be opened again: every
 * failed attempt is counted but only the first error is logged, records are held until the
 * buffer (SMALL_BUF) is full, then -EAGAIN; once the path is free the tick recreates the directory
 * and writes every record taken, exactly once.
 */
static void
test_dir_blocked_backpressure(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;
	uint64_t errs, errs_later;
	struct tcpw_writer *w;
	char rec[REC_LEN + 1];
	int fd;

	f->p.buffer_bytes = SMALL_BUF;
	w = open_writer(f, T0);
	put(w, 0, REC_LEN, T0, NULL);
	tcpw_writer_tick(w, T0);
	assert_int_equal(unlink(f->active), 0);
	assert_int_equal(rmdir(f->dir), 0);
	fd = open(f->dir, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);

	put(w, 1, REC_LEN, T0 + 1, NULL);
	put(w, 2, REC_LEN, T0 + 1, NULL);
	tcpw_writer_tick(w, T0 + 2);
	tcpw_writer_stats(w, &st);
	errs = st.write_errors;
	assert_true(errs >= 1);
	tcpw_writer_tick(w, T0 + 3); /* another failed open */
	tcpw_writer_stats(w, &st);
	errs_later = st.write_errors;
	assert_int_equal(f->log_errors, 1);

	put(w, 3, REC_LEN, T0 + 4, NULL);
	put(w, 4, REC_LEN, T0 + 4, NULL);
	put(w, 5, REC_LEN, T0 + 4, NULL);
	make_rec(rec, 6, REC_LEN);
	assert_int_equal(tcpw_writer_write(w, rec, REC_LEN, T0 + 4), -EAGAIN);
	assert_int_equal(tcpw_writer_write(w, rec, REC_LEN, T0 + 5), -EAGAIN);
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 6);
	assert_int_equal(st.buffered, 5 * REC_LEN);
	assert_int_equal(f->log_errors, 1);

	assert_int_equal(unlink(f->dir), 0);
	tcpw_writer_tick(w, T0 + 6);
	assert_active_recs(f, 1, 6);
	assert_int_equal(tcpw_writer_write(w, rec, REC_LEN, T0 + 6), 0);
	tcpw_writer_tick(w, T0 + 6);
	assert_active_recs(f, 1, 7);
	assert_int_equal(f->log_errors, 1);
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 7);
	assert_int_equal(st.buffered, 0);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 1, 7);
	/* write_errors counts failed open calls: the second failing tick added one */
	assert_true(errs_later > errs);
}

/* ---- 8. write(2) failing: RLIMIT_FSIZE in a child process -------------------------------- */

/* In the child, cmocka's asserts must not be used: report the line and return it. */
#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			return __LINE__; \
		} \
	} while (0)

static int
set_fsize(rlim_t soft)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
		return -1;
	rl.rlim_cur = soft == RLIM_INFINITY ? rl.rlim_max : soft;
	return setrlimit(RLIMIT_FSIZE, &rl);
}

/* Whether the active file holds exactly the header and records @p from .. @p to - 1. */
static bool
active_is(const struct fx *f, unsigned int from, unsigned int to)
{
	struct sb want = { 0 };
	size_t len;
	char *got = slurp(f->active, &len);
	bool ok;

	want_recs(&want, true, from, to, REC_LEN);
	ok = got != NULL && len == want.len && memcmp(got, want.s, len) == 0;
	if (!ok)
		fprintf(stderr, "active file:\n%s\nwant:\n%s\n", got ? got : "(none)", want.s);
	free(got);
	sb_free(&want);
	return ok;
}

/*
 * File size limit 135 bytes: header (10) + 2 records + 25 bytes of the third. The sixth record
 * makes the writer flush: write(2) stops at the limit, then fails with EFBIG. The first failure
 * is logged, every failed call counted; the buffer (SMALL_BUF) takes records until full, then
 * -EAGAIN. With the limit lifted, a tick writes everything, each record exactly once.
 */
static int
child_efbig(struct fx *f)
{
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;
	char rec[REC_LEN + 1];
	size_t len;
	char *s;

	f->p.buffer_bytes = SMALL_BUF;
	w = tcpw_writer_open(&f->p, T0);
	CHECK(w != NULL);
	tcpw_writer_tick(w, T0);
	CHECK(active_is(f, 0, 0));
	CHECK(set_fsize(135) == 0);

	for (unsigned int i = 0; i < 7; i++)
		CHECK(tcpw_writer_write(w, rec, make_rec(rec, i, REC_LEN), T0 + 1) == 0);
	CHECK(f->log_errors == 1);
	CHECK(strstr(f->log_first, f->active) != NULL);
	s = slurp(f->active, &len);
	CHECK(s != NULL && len == 135);
	free(s);

	make_rec(rec, 7, REC_LEN);
	CHECK(tcpw_writer_write(w, rec, REC_LEN, T0 + 2) == -EAGAIN);
	CHECK(tcpw_writer_write(w, rec, REC_LEN, T0 + 2) == -EAGAIN);
	tcpw_writer_tick(w, T0 + 3);
	tcpw_writer_stats(w, &st);
	CHECK(st.records == 7);
	CHECK(st.buffered == HLEN + 7 * REC_LEN - 135);
	CHECK(st.bytes == 135);
	CHECK(st.write_errors == 4); /* the flush of record 5, two refusals of 7, the tick */
	CHECK(f->log_errors == 1);
	CHECK(f->log_recoveries == 0);

	CHECK(set_fsize(RLIM_INFINITY) == 0);
	tcpw_writer_tick(w, T0 + 4);
	CHECK(active_is(f, 0, 7));
	tcpw_writer_stats(w, &st);
	CHECK(st.buffered == 0);
	CHECK(st.bytes == HLEN + 7 * REC_LEN);
	CHECK(tcpw_writer_write(w, rec, REC_LEN, T0 + 5) == 0);
	tcpw_writer_tick(w, T0 + 5);
	CHECK(active_is(f, 0, 8));
	CHECK(f->log_errors == 1);
	tcpw_writer_stats(w, &st);
	CHECK(st.records == 8);
	CHECK(st.write_errors == 4);
	CHECK(tcpw_writer_close(w) == 0);
	CHECK(active_is(f, 0, 8));
	return 0;
}

/*
 * As above, but the active file (ending in 25 bytes of record 2) is unlinked while writes fail.
 * The records still buffered go to a new file that must start with the header and hold only
 * whole records: record 2 entirely or not at all, then records 3..6.
 */
static int
child_efbig_unlinked(struct fx *f)
{
	struct sb without = { 0 }, with = { 0 };
	struct tcpw_writer *w;
	char rec[REC_LEN + 1];
	size_t len;
	char *s;
	bool ok;

	f->p.buffer_bytes = SMALL_BUF;
	w = tcpw_writer_open(&f->p, T0);
	CHECK(w != NULL);
	tcpw_writer_tick(w, T0);
	CHECK(set_fsize(135) == 0);
	for (unsigned int i = 0; i < 7; i++)
		CHECK(tcpw_writer_write(w, rec, make_rec(rec, i, REC_LEN), T0 + 1) == 0);
	CHECK(f->log_errors == 1);
	CHECK(unlink(f->active) == 0);
	CHECK(set_fsize(RLIM_INFINITY) == 0);
	tcpw_writer_tick(w, T0 + 2);

	want_recs(&without, true, 3, 7, REC_LEN);
	want_recs(&with, true, 2, 7, REC_LEN);
	s = slurp(f->active, &len);
	CHECK(s != NULL);
	ok = (len == without.len && memcmp(s, without.s, len) == 0) ||
	     (len == with.len && memcmp(s, with.s, len) == 0);
	if (!ok)
		fprintf(stderr, "active file after the removal:\n%s\nwant:\n%s\nor:\n%s\n", s,
			without.s, with.s);
	free(s);
	sb_free(&without);
	sb_free(&with);
	CHECK(ok);
	CHECK(tcpw_writer_close(w) == 0);
	return 0;
}

/* Run @p fn in a child process (the rlimit stays there); the child's status must be 0. */
static void
run_in_child(struct fx *f, int (*fn)(struct fx *))
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN); /* write(2) fails with EFBIG instead */
		_exit(fn(f) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed (status 0x%x): see its message above", status);
}

static void
test_write_fails_efbig(void **state)
{
	run_in_child(*state, child_efbig);
}

static void
test_write_fails_then_unlinked(void **state)
{
	run_in_child(*state, child_efbig_unlinked);
}

/*
 * The active file is removed while the buffer is full, and the new file takes only 5 bytes
 * at first: its header must still come whole and first. It was written past the buffer,
 * once, with no retry of a short write (the file began "#seq\t" and then the records);
 * now the buffer keeps a header's worth free, and the header goes out with the records.
 */
static int
child_efbig_restart_header(struct fx *f)
{
	struct tcpw_writer *w;
	char rec[REC_LEN + 1];
	size_t len;
	char *s;
	bool ok = false;

	f->p.buffer_bytes = 5 * REC_LEN + 6; /* full with 5 records: 6 bytes left */
	w = tcpw_writer_open(&f->p, T0);
	CHECK(w != NULL);
	CHECK(tcpw_writer_write(w, rec, make_rec(rec, 0, REC_LEN), T0) == 0);
	tcpw_writer_tick(w, T0);
	for (unsigned int i = 1; i < 6; i++) /* the buffer full */
		CHECK(tcpw_writer_write(w, rec, make_rec(rec, i, REC_LEN), T0) == 0);
	CHECK(unlink(f->active) == 0);
	CHECK(set_fsize(5) == 0);
	tcpw_writer_tick(w, T0 + 1);
	CHECK(set_fsize(RLIM_INFINITY) == 0);
	tcpw_writer_tick(w, T0 + 2);
	s = slurp(f->active, &len);
	CHECK(s != NULL);
	/* the header, then the records from the buffer at the removal on (those the writer
	 * had flushed before went to the removed file) */
	for (unsigned int from = 1; from < 6 && !ok; from++) {
		struct sb want = { 0 };

		want_recs(&want, true, from, 6, REC_LEN);
		ok = len == want.len && memcmp(s, want.s, len) == 0;
		sb_free(&want);
	}
	if (!ok)
		fprintf(stderr, "active file after the removal:\n%s\n", s);
	free(s);
	CHECK(ok);
	CHECK(tcpw_writer_close(w) == 0);
	return 0;
}

static void
test_restart_header_short_write(void **state)
{
	run_in_child(*state, child_efbig_restart_header);
}

/* ---- 9. close and statistics ----------------------------------------------------------- */

static void
test_close_stats(void **state)
{
	struct fx *f = *state;
	char names[MAX_FILES][NAME_LEN];
	struct tcpw_writer_stats st;
	struct tcpw_writer *w;
	uint64_t on_disk = 0;
	size_t n;

	f->p.rotate_bytes = 200;
	w = open_writer(f, T0);
	for (unsigned int i = 0; i < 10; i++)
		put(w, i, REC_LEN, T0 + i, NULL);
	tcpw_writer_tick(w, T0 + 10);

	n = list_dir(f, false, names);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		char path[512];
		struct stat sst;

		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		assert_int_equal(stat(path, &sst), 0);
		on_disk += (uint64_t)sst.st_size;
	}
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 10);
	assert_int_equal(st.files_closed, 2);
	assert_int_equal(st.files_deleted, 0);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(st.buffered, 0);
	assert_int_equal(on_disk, 2 * 210 + HLEN + 2 * REC_LEN);
	assert_int_equal(st.bytes, on_disk);

	/* one more record (160 bytes < 200), still buffered: close writes it, no rotation */
	put(w, 10, REC_LEN, T0 + 11, NULL);
	tcpw_writer_stats(w, &st);
	assert_int_equal(st.records, 11);
	assert_int_equal(st.buffered, REC_LEN);
	assert_int_equal(st.bytes, on_disk);
	assert_int_equal(close_writer(f), 0);
	assert_active_recs(f, 8, 11);
	assert_int_equal(list_dir(f, false, names), 3);
	assert_int_equal(tcpw_writer_close(NULL), 0);
	assert_int_equal(f->log_calls, 0);
}


/* ---- 10. file safety: modes, links and foreign files ------------------------------------ */

static mode_t
mode_of(const struct fx *f, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/*
 * Every file the writer makes has exactly file_mode (default 0640) whatever the umask: the
 * active file, a closed file, a compressed one, and a directory it creates gets 0750.
 */
static void
test_modes(void **state)
{
	static const mode_t umasks[] = { 0, 022, 077 };
	struct fx *f = *state;
	mode_t old = umask(0);

	for (size_t u = 0; u < sizeof(umasks) / sizeof(umasks[0]); u++) {
		char gzname[NAME_LEN];

		umask(umasks[u]);
		f->p.gzip = u == 1;
		f->p.file_mode = u == 2 ? 0600 : 0; /* 0: the default, 0640 */
		open_writer(f, T0);
		put(f->w, 0, REC_LEN, T0 + 100 * (time_t)u, NULL);
		tcpw_writer_rotate(f->w, T0 + 100 * (time_t)u);
		closed_name(gzname, NAME_LEN, T0 + 100 * (time_t)u, 0, f->p.gzip);
		assert_int_equal(mode_of(f, PREFIX EXT), u == 2 ? 0600 : 0640);
		assert_int_equal(mode_of(f, gzname), u == 2 ? 0600 : 0640);
		assert_int_equal(close_writer(f), 0);
	}
	/* a directory the writer creates: file_mode plus search where read is */
	umask(0);
	f->p.file_mode = 0;
	assert_int_equal(unlink(f->active), 0);
	assert_int_equal(nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	open_writer(f, T0);
	assert_int_equal(close_writer(f), 0);
	umask(old);
	{
		struct stat st;

		assert_int_equal(stat(f->dir, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0750);
	}
	assert_int_equal(mode_of(f, PREFIX EXT), 0640);
}

/* Modes that would make a file executable or world-writable, or special bits, are refused. */
static void
test_open_bad_mode(void **state)
{
	static const uint32_t bad[] = { 0740, 0641, 0642, 0666, 04640, 01640, 0100640 };
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->p.file_mode = bad[i];
		errno = 0;
		assert_null(tcpw_writer_open(&f->p, T0));
		assert_int_equal(errno, EINVAL);
	}
	f->p.file_mode = 0664;
	open_writer(f, T0);
	assert_int_equal(mode_of(f, PREFIX EXT), 0664);
	assert_int_equal(close_writer(f), 0);
}

/* A world-writable directory without the sticky bit is refused; with it, it is accepted. */
static void
test_world_writable_dir(void **state)
{
	struct fx *f = *state;
	char why[512] = "";

	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(tcpw_writer_dir_check(f->dir, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "world-writable without the sticky bit (mode 0777)"));
	assert_non_null(strstr(why, "chmod o-w"));
	errno = 0;
	assert_null(tcpw_writer_open(&f->p, T0));
	assert_int_equal(errno, EPERM);
	assert_int_equal(access(f->active, F_OK), -1); /* nothing created */

	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_int_equal(tcpw_writer_dir_check(f->dir, why, sizeof(why)), 0);
	open_writer(f, T0);
	assert_int_equal(close_writer(f), 0);
	assert_int_equal(chmod(f->dir, 0700), 0);

	/* a file where the directory should be, and a missing directory (created later) */
	assert_int_equal(tcpw_writer_dir_check(f->active, why, sizeof(why)), -ENOTDIR);
	assert_int_equal(tcpw_writer_dir_check("/nonexistent/tcpw", why, sizeof(why)), 0);
}

/* The victim of a planted link: a file outside our names, whose contents must not change. */
#define VICTIM "victim.dat"
#define VICTIM_TEXT "precious\n"

static void
plant_link(const struct fx *f, const char *name, bool dangling)
{
	char path[512], target[512];

	snprintf(target, sizeof(target), "%s/%s", f->dir, dangling ? "nowhere" : VICTIM);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	if (!dangling)
		make_file(f, VICTIM, VICTIM_TEXT, T0 - 86400);
	assert_int_equal(symlink(target, path), 0);
}

/* The link @p name is still a link to the victim, and the victim is unchanged. */
static void
assert_link_intact(const struct fx *f, const char *name)
{
	char path[512], target[512], want[512];
	struct sb v = { 0 };
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	snprintf(want, sizeof(want), "%s/%s", f->dir, VICTIM);
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, want);
	sb_add(&v, VICTIM_TEXT, strlen(VICTIM_TEXT));
	assert_file_is(f, VICTIM, false, &v);
	assert_int_equal(mode_of(f, VICTIM), 0644);
	sb_free(&v);
}

/*
 * A symbolic link at the active name (to a file, or dangling) is refused at open, with a
 * message naming it, and never followed: the target is unchanged, nothing is created.
 */
static void
test_link_at_active_open(void **state)
{
	struct fx *f = *state;
	char nowhere[512];

	plant_link(f, PREFIX EXT, false);
	errno = 0;
	assert_null(tcpw_writer_open(&f->p, T0));
	assert_int_equal(errno, ELOOP);
	assert_link_intact(f, PREFIX EXT);
	assert_int_equal(f->log_errors, 2); /* the refusal, then "cannot open" */
	assert_non_null(strstr(f->log_first, "symbolic link"));
	assert_non_null(strstr(f->log_first, f->active));
	assert_listing(f, (const char *const[]){ PREFIX EXT, VICTIM }, 2);

	assert_int_equal(unlink(f->active), 0);
	plant_link(f, PREFIX EXT, true);
	assert_null(tcpw_writer_open(&f->p, T0));
	assert_int_equal(errno, ELOOP);
	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", f->dir);
	assert_int_equal(access(nowhere, F_OK), -1); /* the dangling target was not created */
}

/*
 * The active file is replaced by a link while the writer runs: the tick notices, refuses the
 * name (counted, logged once), holds the records; once the link is gone it writes them all.
 */
/* A writer with record 0 written, then its active file replaced by a link. */
static void
link_replaces_active(struct fx *f)
{
	open_writer(f, T0);
	put(f->w, 0, REC_LEN, T0, NULL);
	tcpw_writer_tick(f->w, T0);
	assert_int_equal(unlink(f->active), 0);
	plant_link(f, PREFIX EXT, false);
}

static void
test_link_at_active_running(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;

	link_replaces_active(f);
	put(f->w, 1, REC_LEN, T0 + 1, NULL);
	for (time_t t = T0 + 1; t <= T0 + 20; t++) /* a busy writer ticks far more often */
		tcpw_writer_tick(f->w, t);
	assert_link_intact(f, PREFIX EXT);
	tcpw_writer_stats(f->w, &st);
	assert_int_equal(st.names_refused, 20); /* one per tick */
	assert_int_equal(st.buffered, REC_LEN);
	assert_true(strstr(f->log_first, "removed") != NULL);
	assert_int_equal(f->log_errors, 2); /* "removed", then the refusal once, not 20 times */

	assert_int_equal(unlink(f->active), 0);
	tcpw_writer_tick(f->w, T0 + 21);
	assert_active_recs(f, 1, 2);
	assert_int_equal(close_writer(f), 0);
	{
		struct sb v = { 0 };

		sb_add(&v, VICTIM_TEXT, strlen(VICTIM_TEXT));
		assert_file_is(f, VICTIM, false, &v);
		sb_free(&v);
	}
}

/*
 * The active file is replaced by a link and nothing waits when the writer closes: no file
 * could be opened, but nothing was lost either, and closing says so (it said -EIO, and the
 * daemon "0 bytes of records could not be written (lost)" with exit 1).
 */
static void
test_link_at_active_nothing_waits(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;

	link_replaces_active(f);
	tcpw_writer_tick(f->w, T0 + 1);
	tcpw_writer_stats(f->w, &st);
	assert_int_equal(st.buffered, 0);
	assert_int_equal(st.names_refused, 1);
	assert_int_equal(close_writer(f), 0);
	assert_link_intact(f, PREFIX EXT);
}

/*
 * A link at the closed name a rotation would use (plain, or its .gz) is skipped, counted and
 * logged; the file goes to the next name (_001) and the link and its target are untouched.
 */
static void
test_link_at_closed_name(void **state)
{
	struct fx *f = *state;
	struct tcpw_writer_stats st;

	for (int gz = 0; gz < 2; gz++) {
		const char *link = gz ? PREFIX "-" STAMP0 EXT ".gz" : PREFIX "-" STAMP0 EXT;
		const char *used = gz ? PREFIX "-" STAMP0 "_001" EXT ".gz" :
				       PREFIX "-" STAMP0 "_001" EXT;

		f->p.gzip = gz;
		plant_link(f, link, false);
		open_writer(f, T0);
		put(f->w, 0, REC_LEN, T0, NULL);
		tcpw_writer_rotate(f->w, T0);
		assert_listing(f, (const char *const[]){ PREFIX EXT, VICTIM, link, used }, 4);
		assert_file_recs(f, used, gz, 0, 1);
		assert_link_intact(f, link);
		tcpw_writer_stats(f->w, &st);
		assert_int_equal(st.names_refused, 1);
		assert_int_equal(st.files_closed, 1);
		assert_int_equal(st.write_errors, 0);
		assert_non_null(strstr(f->log_first, "symbolic link"));
		assert_int_equal(close_writer(f), 0);
		assert_int_equal(unlink(f->active), 0);
		assert_int_equal(nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
		assert_int_equal(mkdir(f->dir, 0700), 0);
		f->log_calls = 0;
	}
}

/*
 * A link at the gzip temporary name is refused (the closed file stays uncompressed, the
 * target untouched); a leftover temporary of ours (a crash mid-compression) is replaced.
 */
static void
test_link_at_gzip_temp(void **state)
{
	struct fx *f = *state;
	const char *part = PREFIX "-" STAMP0 EXT ".gz.part";
	const char *closed = PREFIX "-" STAMP0 EXT;
	struct tcpw_writer_stats st;

	f->p.gzip = true;
	plant_link(f, part, false);
	open_writer(f, T0);
	put(f->w, 0, REC_LEN, T0, NULL);
	tcpw_writer_rotate(f->w, T0);
	assert_listing(f, (const char *const[]){ PREFIX EXT, VICTIM, part, closed }, 4);
	assert_file_recs(f, closed, false, 0, 1);
	assert_link_intact(f, part);
	tcpw_writer_stats(f->w, &st);
	assert_int_equal(st.names_refused, 1);
	assert_int_equal(st.write_errors, 1); /* "cannot compress" */
	assert_int_equal(close_writer(f), 0);

	/* a regular leftover .part of ours at the next name: replaced, compression works */
	make_file(f, PREFIX "-" STAMP0 "_001" EXT ".gz.part", "half a gzip", T0 - 10);
	open_writer(f, T0);
	put(f->w, 1, REC_LEN, T0, NULL);
	tcpw_writer_rotate(f->w, T0);
	assert_file_recs(f, PREFIX "-" STAMP0 "_001" EXT ".gz", true, 1, 2);
	assert_listing(f, (const char *const[]){ PREFIX EXT, VICTIM, part, closed,
						 PREFIX "-" STAMP0 "_001" EXT ".gz" }, 5);
	tcpw_writer_stats(f->w, &st);
	assert_int_equal(st.names_refused, 0);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(close_writer(f), 0);
}

/*
 * What is not ours at the active name is refused and left alone: a FIFO (never opened, so
 * no hang), and, when run as root, another user's regular file.
 */
static void
test_foreign_at_active(void **state)
{
	struct fx *f = *state;
	struct sb want = { 0 };
	struct stat st;

	assert_int_equal(mkfifo(f->active, 0600), 0);
	errno = 0;
	assert_null(tcpw_writer_open(&f->p, T0));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(lstat(f->active, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_non_null(strstr(f->log_first, "not a file"));
	assert_int_equal(unlink(f->active), 0);

	if (geteuid() != 0)
		return; /* chown needs root */
	make_file(f, PREFIX EXT, "theirs\n", T0 - 60);
	assert_int_equal(chown(f->active, 65534, 65534), 0);
	assert_null(tcpw_writer_open(&f->p, T0));
	assert_int_equal(errno, EEXIST);
	sb_add(&want, "theirs\n", 7);
	assert_file_is(f, PREFIX EXT, false, &want);
	sb_free(&want);
	assert_listing(f, (const char *const[]){ PREFIX EXT }, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_header_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_rotation_same_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_rotation_varied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_keep_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_keep_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_same_second_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_unlinked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_unlinked_before_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_unlinked_buffer_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_unlinked_then_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_blocked_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_efbig, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_then_unlinked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_header_short_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_header_only_leftover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_bad_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_writable_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_at_active_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_at_active_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_at_active_nothing_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_at_closed_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_at_gzip_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_at_active, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
