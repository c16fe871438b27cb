/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rotating record writer (see writer.h). One buffer, written with write(2): what the kernel
 * did not take stays at the front of the buffer, so nothing is lost or duplicated across a
 * failing disk, and a file is only rotated once everything taken for it is on disk.
 */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tcpw_common.h"
#include "writer.h"

#define NAME_MAX_ 512

struct tcpw_writer {
	struct tcpw_writer_params p;
	char path[NAME_MAX_];        /* active file */
	int fd;                      /* -1 while it cannot be opened */
	dev_t dev;                   /* identity of the active file, to notice its removal */
	ino_t ino;
	char *buf;
	size_t len;                  /* bytes waiting in buf */
	uint64_t file_bytes;         /* bytes taken for the active file (header included) */
	uint64_t file_records;
	uint64_t written;            /* bytes written to the active file's inode */
	bool mid_line;               /* the last byte written to it was not '\n' */
	time_t opened;               /* when the active file was started */
	time_t first_record;         /* when its first record was taken */
	bool failing;                /* the last write failed: report the next success */
	bool refused;                /* a refusal was logged since records last all went out */
	char last_stamp[32];         /* time part of the last closed name, and its sequence: */
	unsigned int last_seq;       /* names never go back even when retention frees one */
	struct tcpw_writer_stats st;
};

__attribute__((format(printf, 2, 3))) static void
report(struct tcpw_writer *w, const char *fmt, ...)
{
	char msg[NAME_MAX_ + 256];
	va_list ap;

	w->st.write_errors++;
	if (w->failing || w->p.log == NULL)
		return; /* the first error of a run of failures is reported, the rest counted */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->p.log(w->p.log_ctx, msg);
}

static void
recovered(struct tcpw_writer *w)
{
	char msg[NAME_MAX_ + 64];

	w->refused = false;
	if (!w->failing)
		return;
	w->failing = false;
	if (w->p.log != NULL) {
		snprintf(msg, sizeof(msg), "writing %s again", w->path);
		w->p.log(w->p.log_ctx, msg);
	}
}

/* ---- creating files safely ------------------------------------------------------------ */

static mode_t
file_mode(const struct tcpw_writer *w)
{
	return w->p.file_mode != 0 ? (mode_t)w->p.file_mode : TCPW_WRITER_FILE_MODE;
}

/* A directory we create: the file mode plus search where read is (0640 -> 0750). */
static mode_t
dir_mode(const struct tcpw_writer *w)
{
	mode_t m = file_mode(w);

	return m | ((m & 0444) >> 2);
}

/* A name we may not use (a link, a FIFO, another user's file): say so and count it. */
__attribute__((format(printf, 2, 3))) static void
refuse(struct tcpw_writer *w, const char *fmt, ...)
{
	char msg[NAME_MAX_ + 256];
	va_list ap;

	w->st.names_refused++;
	if (w->refused || w->p.log == NULL)
		return; /* a name refused at every tick is logged once, until records flow again */
	w->refused = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->p.log(w->p.log_ctx, msg);
}

/*
 * Create @p path for writing, or fail: O_EXCL so an existing file is never reused or
 * truncated, O_NOFOLLOW so a link is never followed (with O_EXCL a link fails EEXIST even
 * when dangling), then fchmod() so the mode is exactly file_mode whatever the umask.
 * @return the descriptor, or -errno
 */
static int
create_excl(const struct tcpw_writer *w, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file_mode(w));
	int err;

	if (fd < 0)
		return -errno;
	if (fchmod(fd, file_mode(w)) == 0)
		return fd;
	err = errno;
	close(fd);
	unlink(path);
	return -err;
}

/*
 * Rename @p from to @p to unless @p to exists (links included): renameat2 NOREPLACE, or
 * link + unlink where the file system lacks it. Neither follows a link at @p to.
 * @return 0, -EEXIST (the name is taken), or -errno
 */
static int
rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (link(from, to) != 0)
		return -errno;
	unlink(from);
	return 0;
}

/* Whether the regular file @p fd holds nothing but the header (a run without records). */
static bool
holds_only_header(const struct tcpw_writer *w, int fd, const struct stat *st)
{
	size_t hlen = strlen(w->p.header);
	char buf[1024];

	if (st->st_size == 0)
		return true;
	if ((uint64_t)st->st_size != hlen || hlen > sizeof(buf))
		return false;
	return read(fd, buf, hlen) == (ssize_t)hlen && memcmp(buf, w->p.header, hlen) == 0;
}

static int rename_closed(struct tcpw_writer *w, const char *from, time_t t, char *out,
			 size_t len);

/*
 * Something stands at the active name. A regular file of this user is the previous run's
 * active file (or one we lost track of): it is renamed to a closed name after its
 * modification time, so nothing it holds is lost and retention sees it, or deleted when it
 * holds only the header. Anything else is refused and left alone.
 * @return 0 (the name is free now), or -errno (refused or failed; already reported)
 */
static int
clear_active_name(struct tcpw_writer *w)
{
	char aside[NAME_MAX_];
	struct stat st, fst;
	bool empty;
	int fd, rc;

	if (lstat(w->path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		refuse(w, "refusing to write %s: it is a symbolic link (never followed); remove it",
		       w->path);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		refuse(w, "refusing to write %s: %s stands there; remove it", w->path,
		       S_ISREG(st.st_mode) ? "a file of another user" : "something not a file");
		return -EEXIST;
	}
	fd = open(w->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	empty = fstat(fd, &fst) == 0 && fst.st_ino == st.st_ino && fst.st_dev == st.st_dev &&
		holds_only_header(w, fd, &fst);
	close(fd);
	if (empty)
		return unlink(w->path) == 0 || errno == ENOENT ? 0 : -errno;
	rc = rename_closed(w, w->path, st.st_mtime, aside, sizeof(aside));
	if (rc == 0) {
		w->st.files_set_aside++;
		if (w->p.log != NULL) {
			char msg[2 * NAME_MAX_ + 64];

			snprintf(msg, sizeof(msg), "%s existed: kept as %s", w->path, aside);
			w->p.log(w->p.log_ctx, msg);
		}
	}
	return rc;
}

/* Create the active file: its directory if missing, what stands at its name cleared first.
 * @return the descriptor, or -errno */
static int
create_active(struct tcpw_writer *w)
{
	int fd = -ENOENT;

	for (int tries = 0; tries < 4; tries++) {
		fd = create_excl(w, w->path);
		if (fd >= 0 || (fd != -EEXIST && fd != -ENOENT))
			break;
		if (fd == -EEXIST) {
			int rc = clear_active_name(w);

			if (rc != 0)
				return rc;
		} else if (mkdir(w->p.dir, dir_mode(w)) == 0) {
			chmod(w->p.dir, dir_mode(w)); /* the umask applied to mkdir */
		} else if (errno != EEXIST) {
			break;
		}
	}
	return fd;
}

static int
open_active(struct tcpw_writer *w, time_t now)
{
	struct stat st;
	size_t hlen = strlen(w->p.header);

	w->fd = create_active(w);
	if (w->fd < 0) {
		int err = -w->fd;

		w->fd = -1;
		report(w, "cannot open %s: %s", w->path, strerror(err));
		w->failing = true;
		return -err;
	}
	if (fstat(w->fd, &st) == 0) {
		w->dev = st.st_dev;
		w->ino = st.st_ino;
	}
	w->opened = now;
	w->first_record = 0;
	w->file_bytes = hlen;
	w->file_records = 0;
	w->written = 0;
	w->mid_line = false;
	/* the header goes first: the buffer is empty whenever a file is (re)opened */
	memcpy(w->buf, w->p.header, hlen);
	w->len = hlen;
	return 0;
}

/* Write out the buffer; 0 when it is empty. */
static int
flush_buf(struct tcpw_writer *w)
{
	size_t off = 0;

	if (w->fd < 0)
		return w->len == 0 ? 0 : -EBADF; /* no file, and nothing to write to one: fine */
	while (off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			report(w, "writing %s: %s", w->path, n < 0 ? strerror(errno) : "no progress");
			w->failing = true;
			break;
		}
		off += (size_t)n;
		w->st.bytes += (uint64_t)n;
	}
	if (off > 0) {
		w->written += off;
		w->mid_line = w->buf[off - 1] != '\n';
	}
	memmove(w->buf, w->buf + off, w->len - off);
	w->len -= off;
	if (w->len == 0)
		recovered(w);
	return w->len == 0 ? 0 : -EAGAIN;
}

/* ---- closed files -------------------------------------------------------------------- */

/* The gzip temporary: ours from an interrupted compression is replaced, a link refused. */
static int
create_part(struct tcpw_writer *w, const char *tmp)
{
	struct stat st;
	int fd = create_excl(w, tmp);

	if (fd != -EEXIST || lstat(tmp, &st) != 0)
		return fd;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		refuse(w, "refusing to write %s: %s stands there; remove it", tmp,
		       S_ISLNK(st.st_mode) ? "a symbolic link" : "something not ours");
		return -EEXIST;
	}
	unlink(tmp);
	return create_excl(w, tmp);
}

static int
gzip_file(struct tcpw_writer *w, const char *src)
{
	char dst[NAME_MAX_ + 8], tmp[NAME_MAX_ + 16], chunk[65536];
	int in, out, rc = 0;
	gzFile gz;
	ssize_t n;

	snprintf(dst, sizeof(dst), "%s.gz", src);
	snprintf(tmp, sizeof(tmp), "%s.gz.part", src);
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = create_part(w, tmp);
	gz = out >= 0 ? gzdopen(out, "wb6") : NULL;
	if (gz == NULL) {
		if (out >= 0) {
			close(out);
			unlink(tmp);
		}
		close(in);
		return out < 0 ? out : -EIO;
	}
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (gzwrite(gz, chunk, (unsigned int)n) != (int)n) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -EIO;
	/* on disk before the original goes: a crash must not leave an empty .gz alone */
	if (rc == 0 && (gzflush(gz, Z_FINISH) != Z_OK || fsync(out) != 0))
		rc = -EIO;
	if (gzclose(gz) != Z_OK)
		rc = -EIO;
	close(in);
	if (rc == 0) {
		rc = rename_noreplace(tmp, dst);
		if (rc == -EEXIST)
			refuse(w, "not compressing %s: %s already exists", src, dst);
	}
	if (rc == 0)
		unlink(src);
	else
		unlink(tmp);
	return rc;
}

struct closed {
	char name[256];
	uint64_t bytes;
};

static int
cmp_closed(const void *a, const void *b)
{
	return strcmp(((const struct closed *)a)->name, ((const struct closed *)b)->name);
}

/* @n digits at @p */
static bool
digits(const char *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Closed files are exactly the names rename_closed() makes: PREFIX-YYYYMMDDTHHMMSSZ[_NNN].EXT,
 * and the same with .gz; their names sort by time. Anything else with our prefix (an
 * operator's PREFIX-2024-05-01.EXT, PREFIX-keep.EXT) is not ours: retention neither deletes
 * it nor counts it. */
static bool
is_closed_name(const struct tcpw_writer *w, const char *name)
{
	size_t pl = strlen(w->p.prefix), el = strlen(w->p.ext);
	const char *p = name + pl + 1;

	if (strncmp(name, w->p.prefix, pl) != 0 || name[pl] != '-' ||
	    strnlen(p, 20) < 16 || !digits(p, 8) || p[8] != 'T' || !digits(p + 9, 6) ||
	    p[15] != 'Z')
		return false;
	p += 16;
	if (p[0] == '_') {
		if (strnlen(p, 4) < 4 || !digits(p + 1, 3))
			return false;
		p += 4;
	}
	return strncmp(p, w->p.ext, el) == 0 && (p[el] == '\0' || strcmp(p + el, ".gz") == 0);
}

static void
retention(struct tcpw_writer *w)
{
	struct closed *files = NULL;
	uint64_t total = 0;
	size_t n = 0, cap = 0, first = 0;
	struct dirent *de;
	DIR *d;

	if (w->p.keep_files == 0 && w->p.keep_bytes == 0)
		return;
	d = opendir(w->p.dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		/* regular files only: a link with one of our names is not ours to delete */
		if (!is_closed_name(w, de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			struct closed *more = realloc(files, (cap = cap ? 2 * cap : 64) *
						      sizeof(*files));

			if (more == NULL)
				goto out; /* retry at the next rotation */
			files = more;
		}
		snprintf(files[n].name, sizeof(files[n].name), "%s", de->d_name);
		files[n].bytes = (uint64_t)st.st_size;
		total += files[n].bytes;
		n++;
	}
	qsort(files, n, sizeof(files[0]), cmp_closed);
	while (first < n && ((w->p.keep_files && n - first > w->p.keep_files) ||
			     (w->p.keep_bytes && total > w->p.keep_bytes))) {
		if (unlinkat(dirfd(d), files[first].name, 0) == 0)
			w->st.files_deleted++;
		total -= files[first].bytes;
		first++;
	}
out:
	free(files);
	closedir(d);
}

/* Whether @p path exists (a dangling link does); a link there is reported once. */
static bool
name_taken(struct tcpw_writer *w, const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno != ENOENT;
	if (S_ISLNK(st.st_mode))
		refuse(w, "skipping %s: it is a symbolic link (never followed)", path);
	return true;
}

/*
 * Rename @p from to PREFIX-YYYYMMDDTHHMMSSZ.EXT after @p t, then _001, _002... within one
 * second, so names sort in the order the files were closed (a name retention freed is not
 * taken again). A name taken by anything, links included, is skipped, and the rename never
 * replaces what appears there meanwhile. The name used is left in @p out.
 * @return 0, -EEXIST (1000 names in one second), or the rename error
 */
static int
rename_closed(struct tcpw_writer *w, const char *from, time_t t, char *out, size_t len)
{
	char stamp[32];
	struct tm tm;
	unsigned int seq;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	seq = strcmp(stamp, w->last_stamp) == 0 ? w->last_seq + 1 : 0;
	for (; seq < 1000; seq++) {
		char gz[NAME_MAX_ + 8];
		int rc;

		if (seq == 0)
			snprintf(out, len, "%s/%s-%s%s", w->p.dir, w->p.prefix, stamp, w->p.ext);
		else
			snprintf(out, len, "%s/%s-%s_%03u%s", w->p.dir, w->p.prefix, stamp, seq,
				 w->p.ext);
		snprintf(gz, sizeof(gz), "%s.gz", out);
		if (name_taken(w, out) || name_taken(w, gz))
			continue;
		rc = rename_noreplace(from, out);
		if (rc == -EEXIST)
			continue;
		if (rc != 0)
			return rc;
		snprintf(w->last_stamp, sizeof(w->last_stamp), "%s", stamp);
		w->last_seq = seq;
		return 0;
	}
	return -EEXIST;
}

/* The active file was deleted or replaced (directory removed, logrotate by mistake):
 * start it again, so records do not go to an unlinked inode. */
static void
check_active(struct tcpw_writer *w, time_t now)
{
	struct stat st;

	if (w->fd >= 0 && lstat(w->path, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino)
		return;
	if (w->fd >= 0) {
		report(w, "%s was removed; starting it again", w->path);
		w->failing = true;
		close(w->fd);
		w->fd = -1;
	}
	if (w->len == 0 || w->file_records == 0) {
		open_active(w, now);
		return;
	}
	/* records are waiting: reopen without losing them, header first */
	w->fd = create_active(w);
	if (w->fd < 0) {
		report(w, "cannot open %s: %s", w->path, strerror(-w->fd));
		w->fd = -1;
		return;
	}
	if (fstat(w->fd, &st) == 0) {
		w->dev = st.st_dev;
		w->ino = st.st_ino;
	}
	if (w->written == 0) {
		/* nothing reached the old inode: buf still starts with the header */
		w->file_bytes = w->len;
	} else {
		/* part of this file went to the removed inode: the header is no longer in buf */
		size_t hlen = strlen(w->p.header);

		w->written = 0;
		if (w->mid_line) {
			/* the head of this line went with the old file: drop its tail */
			char *nl = memchr(w->buf, '\n', w->len);
			size_t drop = nl != NULL ? (size_t)(nl - w->buf) + 1 : w->len;

			memmove(w->buf, w->buf + drop, w->len - drop);
			w->len -= drop;
		}
		/* records leave a header's worth of the buffer free (tcpw_writer_write()): the
		 * header goes first in the buffer, and out with the records, however the disk
		 * takes them */
		memmove(w->buf + hlen, w->buf, w->len);
		memcpy(w->buf, w->p.header, hlen);
		w->len += hlen;
		w->mid_line = false;
		w->file_bytes = w->written + w->len;
	}
}

static void
rotate(struct tcpw_writer *w, time_t now)
{
	char closed[NAME_MAX_];
	int rc;

	/* the file may be gone since the last tick: its records would go to the removed inode */
	check_active(w, now);
	if (w->fd < 0 || flush_buf(w) != 0)
		return; /* never close a file with records still to write: retry later */
	if (fsync(w->fd) != 0)
		report(w, "fsync %s: %s", w->path, strerror(errno));
	close(w->fd);
	w->fd = -1;
	rc = rename_closed(w, w->path, w->first_record ? w->first_record : w->opened, closed,
			   sizeof(closed));
	if (rc == -EEXIST) {
		report(w, "cannot rename %s: 1000 closed files in one second", w->path);
	} else if (rc != 0) {
		report(w, "cannot rename %s: %s", w->path, strerror(-rc));
	} else {
		w->st.files_closed++;
		if (w->p.gzip && gzip_file(w, closed) != 0)
			report(w, "cannot compress %s", closed);
	}
	retention(w);
	open_active(w, now);
}

/* ---- public -------------------------------------------------------------------------- */

static bool
rotation_due(const struct tcpw_writer *w, time_t now)
{
	if (w->file_records == 0)
		return false;
	if (w->p.rotate_bytes && w->file_bytes >= w->p.rotate_bytes)
		return true;
	/* from the first record, so a file never spans more than the interval of records and
	 * an idle period does not end in a one-record file */
	return w->p.rotate_interval_s && now - w->first_record >= (time_t)w->p.rotate_interval_s;
}

int
tcpw_writer_write(struct tcpw_writer *w, const char *rec, size_t len, time_t now)
{
	size_t room = w->p.buffer_bytes - strlen(w->p.header); /* a header's worth kept free */

	if (len > room - strlen(w->p.header))
		return -EMSGSIZE;
	if (room - w->len < len) {
		/* a full buffer is written without waiting for a tick (offline, ticks come at
		 * the flush interval only): to the active file as it stands now */
		check_active(w, now);
		if (flush_buf(w) != 0 && room - w->len < len)
			return -EAGAIN;
	}
	if (w->file_records == 0)
		w->first_record = now;
	memcpy(w->buf + w->len, rec, len);
	w->len += len;
	w->file_bytes += len;
	w->file_records++;
	w->st.records++;
	if (rotation_due(w, now))
		rotate(w, now);
	return 0;
}

void
tcpw_writer_tick(struct tcpw_writer *w, time_t now)
{
	check_active(w, now);
	flush_buf(w);
	if (rotation_due(w, now))
		rotate(w, now);
}

bool
tcpw_writer_due(const struct tcpw_writer *w, time_t now)
{
	return w->len > 0 || rotation_due(w, now);
}

void
tcpw_writer_rotate(struct tcpw_writer *w, time_t now)
{
	if (w->file_records > 0)
		rotate(w, now);
}

int
tcpw_writer_close(struct tcpw_writer *w)
{
	int rc = 0;

	if (w == NULL)
		return 0;
	if (flush_buf(w) != 0)
		rc = -EIO;
	if (w->fd >= 0) {
		fsync(w->fd);
		close(w->fd);
	}
	free(w->buf);
	tcpw_free(w);
	return rc;
}

void
tcpw_writer_stats(const struct tcpw_writer *w, struct tcpw_writer_stats *out)
{
	*out = w->st;
	out->buffered = w->len;
}

void
tcpw_writer_set_policy(struct tcpw_writer *w, const struct tcpw_writer_params *p)
{
	w->p.rotate_bytes = p->rotate_bytes;
	w->p.rotate_interval_s = p->rotate_interval_s;
	w->p.keep_files = p->keep_files;
	w->p.keep_bytes = p->keep_bytes;
	w->p.gzip = p->gzip;
}

int
tcpw_writer_dir_check(const char *dir, char *why, size_t len)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (why != NULL)
			snprintf(why, len, "%s is not a directory", dir);
		return -ENOTDIR;
	}
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		if (why != NULL)
			snprintf(why, len, "%s is world-writable without the sticky bit (mode %04o): "
				 "any user could replace or redirect the files written there; "
				 "run chmod o-w %s (or chmod +t %s)", dir,
				 (unsigned int)(st.st_mode & 07777), dir, dir);
		return -EPERM;
	}
	return 0;
}

const char *
tcpw_writer_path(const struct tcpw_writer *w)
{
	return w->path;
}

struct tcpw_writer *
tcpw_writer_open(const struct tcpw_writer_params *p, time_t now)
{
	struct tcpw_writer *w;
	int n, rc;

	if (p->dir == NULL || p->prefix == NULL || p->ext == NULL || p->header == NULL ||
	    p->buffer_bytes < 2 * strlen(p->header) + 1 || (p->file_mode & ~0666u) != 0 ||
	    (p->file_mode & S_IWOTH) != 0) {
		errno = EINVAL;
		return NULL;
	}
	rc = tcpw_writer_dir_check(p->dir, NULL, 0);
	if (rc != 0 && rc != -ENOENT) {
		errno = -rc;
		return NULL;
	}
	w = tcpw_zalloc(sizeof(*w));
	if (w == NULL)
		return NULL;
	w->p = *p;
	w->fd = -1;
	n = snprintf(w->path, sizeof(w->path), "%s/%s%s", p->dir, p->prefix, p->ext);
	w->buf = malloc(p->buffer_bytes);
	if (n < 0 || (size_t)n >= sizeof(w->path) || w->buf == NULL) {
		free(w->buf);
		tcpw_free(w);
		errno = n < 0 || (size_t)n >= sizeof(w->path) ? ENAMETOOLONG : ENOMEM;
		return NULL;
	}
	rc = open_active(w, now);
	if (rc == 0)
		flush_buf(w); /* the header is in the file from the start */
	if (rc != 0) {
		free(w->buf);
		tcpw_free(w);
		errno = -rc;
		return NULL;
	}
	return w;
}
