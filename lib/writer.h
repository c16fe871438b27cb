/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Rotating output file for whole records (flow file, packet log).
 *
 * The active file has a stable name, DIR/PREFIX.EXT, so `tail -F` follows it. When it
 * reaches rotate_bytes or has been open rotate_interval_s (either may be 0: off), or on
 * tcpw_writer_rotate(), it is flushed, fsync()ed and renamed DIR/PREFIX-YYYYMMDDTHHMMSSZ.EXT
 * after the UTC time its first record was written ("_001", "_002", ... on a collision, so
 * names sort by time), optionally gzip-compressed to .EXT.gz, and a fresh active file starts
 * with the header row. Retention then deletes the oldest closed files beyond keep_files /
 * keep_bytes; the active file is never touched.
 *
 * Records are never split: tcpw_writer_write() takes whole records into a buffer that is
 * written with write(2) and rotated only once it is empty, so a closed file never ends in a
 * partial line. When the disk is full or the file went away, the unwritten bytes stay
 * buffered, the first error is reported through the log callback and later ones counted,
 * tcpw_writer_write() returns -EAGAIN once the buffer cannot take a record (the caller keeps
 * it: back-pressure), and tcpw_writer_tick() retries, reopening the file if it was removed.
 *
 * Files are created, never reused: every file the writer makes (active file, gzip
 * temporary) is opened with O_CREAT | O_EXCL | O_NOFOLLOW and then fchmod()ed to file_mode,
 * so neither a link planted in the directory nor the process umask decides where records go
 * or who may read them; renames never replace an existing name (RENAME_NOREPLACE). What
 * already stands at the active name is handled deliberately: a regular file of this user
 * (the previous run's active file) is set aside under a closed name after its modification
 * time (deleted instead if it holds only the header), anything else (a symbolic link, a
 * FIFO, another user's file) is refused, logged and counted in names_refused, and the
 * writer treats the name as unwritable until it is cleared. A link at a closed name is
 * skipped (the next "_NNN" is used) and counted; a leftover gzip temporary of ours is
 * replaced, a link there is refused (the closed file then stays uncompressed).
 *
 * Time is passed in (seconds since the epoch), so tests drive rotation without waiting.
 */
#ifndef TCPW_WRITER_H
#define TCPW_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tcpw_writer;

typedef void (*tcpw_writer_log_fn)(void *ctx, const char *msg);

/** Mode of the files the writer creates when tcpw_writer_params.file_mode is 0. */
#define TCPW_WRITER_FILE_MODE 0640

struct tcpw_writer_params {
	const char *dir;
	const char *prefix;          /**< e.g. "tcpwintmt_flows" */
	const char *ext;             /**< e.g. ".txt" */
	const char *header;          /**< first line(s) of every file, "" for none */
	uint64_t rotate_bytes;       /**< 0: no size rotation */
	uint32_t rotate_interval_s;  /**< 0: no time rotation */
	uint32_t keep_files;         /**< closed files kept; 0: all */
	uint64_t keep_bytes;         /**< bytes of closed files kept; 0: all */
	bool gzip;                   /**< compress closed files */
	size_t buffer_bytes;         /**< bytes held when writes fail (>= the largest record) */
	uint32_t file_mode;          /**< mode of created files, exactly (umask ignored); at most
				      *   0666 and not world-writable; 0: TCPW_WRITER_FILE_MODE. A
				      *   directory the writer creates gets it plus x where r is. */
	tcpw_writer_log_fn log;      /**< errors for the operator (may be NULL) */
	void *log_ctx;
};

struct tcpw_writer_stats {
	uint64_t records;            /**< records taken */
	uint64_t bytes;              /**< bytes written to files */
	uint64_t files_closed;
	uint64_t files_deleted;
	uint64_t write_errors;       /**< failed write/open/rename/fsync/compress calls */
	uint64_t names_refused;      /**< attempts to use a name where a link or a file not ours
				      *   stood (never followed, never overwritten) */
	uint64_t files_set_aside;    /**< earlier active files renamed to a closed name at start */
	uint64_t buffered;           /**< bytes waiting to be written now */
};

/**
 * Create DIR/PREFIX.EXT (creating DIR if missing) and write the header. A file of this user
 * already at that name is set aside first (see above).
 * @return the writer, or NULL with errno set: EINVAL (bad parameters or file_mode), EPERM
 *         (DIR is world-writable without the sticky bit, see tcpw_writer_dir_check()),
 *         ELOOP (a symbolic link stands at the active name), EEXIST (something else that is
 *         not ours stands there), ENOMEM, or the error of open(2)
 */
struct tcpw_writer *tcpw_writer_open(const struct tcpw_writer_params *p, time_t now);

/**
 * Take one whole record (one or more complete lines).
 * @return 0, or -EAGAIN if it cannot be taken now (writes are failing and the buffer is
 *         full): keep it and offer it again after tcpw_writer_tick()
 */
int tcpw_writer_write(struct tcpw_writer *w, const char *rec, size_t len, time_t now);

/** Write what is buffered (make records visible), rotate on time, retry after errors. */
void tcpw_writer_tick(struct tcpw_writer *w, time_t now);

/** Whether a tick has work at @now: records wait in the buffer, or a rotation is due. */
bool tcpw_writer_due(const struct tcpw_writer *w, time_t now);

/** Rotate now (if the active file holds a record). */
void tcpw_writer_rotate(struct tcpw_writer *w, time_t now);

/**
 * Flush, fsync and close; the active file stays in place, unrotated.
 * @return 0, or -EIO if buffered records could not be written (they are counted lost)
 */
int tcpw_writer_close(struct tcpw_writer *w);

void tcpw_writer_stats(const struct tcpw_writer *w, struct tcpw_writer_stats *out);

/**
 * Change the rotation, retention and compression policy (reload): rotate_bytes,
 * rotate_interval_s, keep_files, keep_bytes and gzip are taken from @p p; the rest of @p p
 * is ignored. Applies from the next record or tick.
 */
void tcpw_writer_set_policy(struct tcpw_writer *w, const struct tcpw_writer_params *p);

/**
 * Whether @p dir is safe to write into: a directory that is world-writable without the
 * sticky bit lets any user rename or replace our files. A missing directory is fine (the
 * writer creates it with file_mode's permissions).
 * @param why receives what is wrong and how to fix it, when it is not safe
 * @return 0, or -EPERM (world-writable, not sticky), -ENOTDIR
 */
int tcpw_writer_dir_check(const char *dir, char *why, size_t len);

/** Path of the active file. */
const char *tcpw_writer_path(const struct tcpw_writer *w);

#endif /* TCPW_WRITER_H */
