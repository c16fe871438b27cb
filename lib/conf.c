/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconfig -> struct tcpw_conf. The key table below is the only place that knows a key's path,
 * type, default, range, unit and reload flag; defaults, type and range checks and the
 * unknown-key check are all driven by it. Every error is collected, one per line, before the
 * load fails, and the caller's struct is written only after the whole file has passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "conf.h"
#include "tcpw_common.h"
#include "writer.h"

/* Name used in messages for tcpw_conf_load_string(), where there is no file. */
#define STRING_SOURCE "<string>"

enum key_type {
	KEY_INT,    /* integer literal; stored as uint32_t, so min >= 0 and max <= UINT32_MAX */
	KEY_FLOAT,  /* float or integer literal; stored as double */
	KEY_STRING, /* stored NUL-terminated in a char array; min/max bound the length in bytes */
	KEY_BOOL,   /* true/false; stored as bool */
	KEY_MODE,   /* file permission bits as an octal string ("0640"); stored as uint32_t */
};

#define KEY_MIN_EXCLUSIVE (1u << 0) /* value must be > min rather than >= min */
#define KEY_POW2          (1u << 1) /* value must be a power of two */

struct key_spec {
	const char *path;   /* libconfig path, "group.name" */
	enum key_type type;
	size_t offset;      /* of the field in struct tcpw_conf */
	size_t size;        /* of that field, checked against the type when storing */
	union {
		int64_t i;
		double f;
		const char *s;
	} def;
	double min;         /* inclusive unless KEY_MIN_EXCLUSIVE */
	double max;         /* inclusive */
	unsigned int flags; /* KEY_* */
	const char *unit;
	const char *const *choices; /* KEY_STRING: the allowed values, NULL-terminated */
	bool is_reloadable; /* may change on SIGHUP; the rest needs a restart */
};

#define KEY_FIELD(member) \
	.offset = offsetof(struct tcpw_conf, member), \
	.size = sizeof(((struct tcpw_conf *)NULL)->member)

/*
 * Timeouts: 86400 s (one day) is far above any sane flow timeout, so a larger value is almost
 * certainly a unit mistake (ms or us typed as s). Pairs: 2^24 pairs * ~512 bytes = 8 GiB per RX
 * core; 8 is the smallest table the flow table accepts.
 */
static const char *const format_choices[] = { "text", "json", NULL };
static const char *const level_choices[] = { "error", "warning", "notice", "info", "debug",
					      NULL };

static const struct key_spec keys[] = {
	{ .path = "tcpwin.thres", .type = KEY_INT, KEY_FIELD(tcpwin_thres),
	  .def.i = 1, .min = 0, .max = 65536,
	  .unit = "(raw TCP window value, unscaled)", .is_reloadable = true },
	{ .path = "tcpwin.flwprg", .type = KEY_INT, KEY_FIELD(tcpwin_flwprg),
	  .def.i = 2, .min = 1, .max = INT32_MAX,
	  .unit = "packets", .is_reloadable = true },
	{ .path = "timeouts.tmt_bgn_s", .type = KEY_FLOAT, KEY_FIELD(tmt_bgn_s),
	  .def.f = 1.2, .min = 0, .max = 86400, .flags = KEY_MIN_EXCLUSIVE,
	  .unit = "s", .is_reloadable = true },
	{ .path = "timeouts.tmt_est_s", .type = KEY_FLOAT, KEY_FIELD(tmt_est_s),
	  .def.f = 1.0, .min = 0, .max = 86400, .flags = KEY_MIN_EXCLUSIVE,
	  .unit = "s", .is_reloadable = true },
	{ .path = "timeouts.tmt_abrt_s", .type = KEY_FLOAT, KEY_FIELD(tmt_abrt_s),
	  .def.f = 0.001, .min = 0, .max = 86400, .flags = KEY_MIN_EXCLUSIVE,
	  .unit = "s", .is_reloadable = true },
	{ .path = "timeouts.flow_timeout_s", .type = KEY_FLOAT, KEY_FIELD(flow_timeout_s),
	  .def.f = 182.0, .min = 0, .max = 86400, .flags = KEY_MIN_EXCLUSIVE,
	  .unit = "s", .is_reloadable = true },
	{ .path = "flow_table.pairs", .type = KEY_INT, KEY_FIELD(flow_table_pairs),
	  .def.i = 65536, .min = 8, .max = 1u << 24, .flags = KEY_POW2,
	  .unit = "flow pairs", .is_reloadable = false },
	{ .path = "flow_table.high_water_pct", .type = KEY_INT,
	  KEY_FIELD(flow_table_high_water_pct), .def.i = 90, .min = 0, .max = 100,
	  .unit = "% of flow_table.pairs (0: no emergency timeout)", .is_reloadable = true },
	{ .path = "flow_table.emergency_timeout_s", .type = KEY_FLOAT,
	  KEY_FIELD(flow_table_emergency_timeout_s), .def.f = 5.0, .min = 0, .max = 86400,
	  .flags = KEY_MIN_EXCLUSIVE, .unit = "s", .is_reloadable = true },
	{ .path = "rx.cores", .type = KEY_INT, KEY_FIELD(rx_cores),
	  .def.i = 1, .min = 1, .max = TCPW_CONF_RX_MAX, .unit = "RX lcores",
	  .is_reloadable = false },
	{ .path = "capture.device", .type = KEY_STRING, KEY_FIELD(capture_device),
	  .def.s = "", .min = 0, .max = TCPW_CONF_PATH_MAX - 1, .unit = "bytes",
	  .is_reloadable = false },
	{ .path = "capture.promiscuous", .type = KEY_BOOL, KEY_FIELD(capture_promiscuous),
	  .def.i = 1, .unit = "", .is_reloadable = false },
	{ .path = "capture.mtu", .type = KEY_INT, KEY_FIELD(capture_mtu),
	  .def.i = 0, .min = 0, .max = 9600, .unit = "bytes (0: leave the port's MTU)",
	  .is_reloadable = false },
	{ .path = "capture.mbufs", .type = KEY_INT, KEY_FIELD(capture_mbufs),
	  .def.i = 16383, .min = 1023, .max = 1u << 22, .unit = "mbufs",
	  .is_reloadable = false },
	{ .path = "timer.tick_ms", .type = KEY_INT, KEY_FIELD(timer_tick_ms),
	  .def.i = 100, .min = 1, .max = 1000, .unit = "ms",
	  .is_reloadable = false },
	{ .path = "output.dir", .type = KEY_STRING, KEY_FIELD(output_dir),
	  .def.s = "", .min = 0, .max = TCPW_CONF_PATH_MAX - 1,
	  .unit = "bytes", .is_reloadable = false },
	{ .path = "output.prefix", .type = KEY_STRING, KEY_FIELD(output_prefix),
	  .def.s = "tcpwintmt", .min = 1, .max = 64, .unit = "bytes",
	  .is_reloadable = false },
	{ .path = "output.format", .type = KEY_STRING, KEY_FIELD(output_format),
	  .def.s = "text", .min = 1, .max = 15, .unit = "bytes", .choices = format_choices,
	  .is_reloadable = false },
	{ .path = "output.rotate_bytes", .type = KEY_INT, KEY_FIELD(output_rotate_bytes),
	  .def.i = 0, .min = 0, .max = UINT32_MAX, .unit = "bytes (0: no size rotation)",
	  .is_reloadable = true },
	{ .path = "output.rotate_interval_s", .type = KEY_INT, KEY_FIELD(output_rotate_interval_s),
	  .def.i = 0, .min = 0, .max = 31 * 86400, .unit = "s (0: no time rotation)",
	  .is_reloadable = true },
	{ .path = "output.keep_files", .type = KEY_INT, KEY_FIELD(output_keep_files),
	  .def.i = 0, .min = 0, .max = 1000000, .unit = "closed files (0: keep all)",
	  .is_reloadable = true },
	{ .path = "output.keep_mbytes", .type = KEY_INT, KEY_FIELD(output_keep_mbytes),
	  .def.i = 0, .min = 0, .max = UINT32_MAX, .unit = "MiB of closed files (0: keep all)",
	  .is_reloadable = true },
	{ .path = "output.gzip", .type = KEY_BOOL, KEY_FIELD(output_gzip),
	  .def.i = 0, .unit = "", .is_reloadable = true },
	{ .path = "output.flush_interval_ms", .type = KEY_INT, KEY_FIELD(output_flush_interval_ms),
	  .def.i = 1000, .min = 1, .max = 60000, .unit = "ms",
	  .is_reloadable = true },
	{ .path = "output.file_mode", .type = KEY_MODE, KEY_FIELD(output_file_mode),
	  .def.i = TCPW_WRITER_FILE_MODE, .min = 0, .max = 0666,
	  .unit = "(octal permission bits)", .is_reloadable = false },
	{ .path = "packet_log.enable", .type = KEY_BOOL, KEY_FIELD(packet_log_enable),
	  .def.i = 0, .unit = "", .is_reloadable = false },
	{ .path = "packet_log.rotate_bytes", .type = KEY_INT, KEY_FIELD(packet_log_rotate_bytes),
	  .def.i = 0, .min = 0, .max = UINT32_MAX, .unit = "bytes (0: no size rotation)",
	  .is_reloadable = false },
	{ .path = "packet_log.keep_files", .type = KEY_INT, KEY_FIELD(packet_log_keep_files),
	  .def.i = 0, .min = 0, .max = 1000000, .unit = "closed files (0: keep all)",
	  .is_reloadable = false },
	{ .path = "packet_log.gzip", .type = KEY_BOOL, KEY_FIELD(packet_log_gzip),
	  .def.i = 0, .unit = "", .is_reloadable = false },
	{ .path = "eal.args", .type = KEY_STRING, KEY_FIELD(eal_args),
	  .def.s = "", .min = 0, .max = TCPW_CONF_PATH_MAX - 1, .unit = "bytes",
	  .is_reloadable = false },
	{ .path = "stats.interval_s", .type = KEY_INT, KEY_FIELD(stats_interval_s),
	  .def.i = 0, .min = 0, .max = 86400, .unit = "s (0: only on SIGUSR1)",
	  .is_reloadable = true },
	{ .path = "log.level", .type = KEY_STRING, KEY_FIELD(log_level),
	  .def.s = "notice", .min = 1, .max = 15, .unit = "bytes", .choices = level_choices,
	  .is_reloadable = true },
};

/* Error lines collected into the caller's buffer; count goes on even once the buffer is full. */
struct errbuf {
	char *buf;
	size_t size;
	size_t used;
	unsigned int count;
	bool is_truncated;
};

static void
errbuf_init(struct errbuf *eb, char *buf, size_t size)
{
	eb->buf = buf;
	eb->size = buf == NULL ? 0 : size;
	eb->used = 0;
	eb->count = 0;
	eb->is_truncated = false;
	if (eb->size > 0)
		buf[0] = '\0';
}

/* The buffer is full: end it with "..." so a reader knows lines are missing. */
static void
errbuf_truncate(struct errbuf *eb)
{
	static const char mark[] = "...";

	eb->is_truncated = true;
	eb->used = eb->size - 1;
	if (eb->size > sizeof(mark))
		memcpy(eb->buf + eb->size - sizeof(mark), mark, sizeof(mark));
	else
		eb->buf[eb->used] = '\0';
}

static void __attribute__((format(printf, 2, 0)))
errbuf_vappend(struct errbuf *eb, const char *fmt, va_list ap)
{
	size_t avail;
	int n;

	if (eb->size == 0 || eb->is_truncated)
		return;
	avail = eb->size - eb->used;
	n = vsnprintf(eb->buf + eb->used, avail, fmt, ap);
	if (n < 0 || (size_t)n >= avail)
		errbuf_truncate(eb);
	else
		eb->used += (size_t)n;
}

static void __attribute__((format(printf, 2, 3)))
errbuf_append(struct errbuf *eb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vappend(eb, fmt, ap);
	va_end(ap);
}

/* Start a new error line "file:line: ..."; lines are separated by '\n', no trailing newline. */
static void __attribute__((format(printf, 4, 5)))
errbuf_error(struct errbuf *eb, const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	if (eb->count++ > 0)
		errbuf_append(eb, "\n");
	errbuf_append(eb, "%s:%u: ", file, line);
	va_start(ap, fmt);
	errbuf_vappend(eb, fmt, ap);
	va_end(ap);
}

/* Where a setting came from: its own file (it may be @included) or the name of the source. */
struct where {
	const char *file;
	unsigned int line;
};

static struct where
setting_where(const config_setting_t *s, const char *source)
{
	const char *file = config_setting_source_file(s);

	return (struct where){ .file = file != NULL ? file : source,
			       .line = config_setting_source_line(s) };
}

static const char *
setting_type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "an unknown type";
	}
}

static const char *
key_type_name(enum key_type type)
{
	switch (type) {
	case KEY_INT:
		return "an integer (e.g. 42)";
	case KEY_FLOAT:
		return "a number (e.g. 1.5 or 2)";
	case KEY_STRING:
		return "a string in double quotes";
	case KEY_BOOL:
		return "true or false";
	case KEY_MODE:
		return "an octal mode in double quotes (e.g. \"0640\")";
	}
	return "?";
}

static void *
key_field(struct tcpw_conf *conf, const struct key_spec *k)
{
	return (char *)conf + k->offset;
}

static bool
key_in_range(const struct key_spec *k, double v)
{
	bool is_min_ok = (k->flags & KEY_MIN_EXCLUSIVE) ? v > k->min : v >= k->min;

	return is_min_ok && v <= k->max; /* false for NaN */
}

static void
store_int(struct tcpw_conf *conf, const struct key_spec *k, int64_t v)
{
	uint32_t *field = key_field(conf, k);

	assert(k->size == sizeof(*field));
	*field = (uint32_t)v;
}

static void
store_float(struct tcpw_conf *conf, const struct key_spec *k, double v)
{
	double *field = key_field(conf, k);

	assert(k->size == sizeof(*field));
	*field = v;
}

static void
store_bool(struct tcpw_conf *conf, const struct key_spec *k, bool v)
{
	bool *field = key_field(conf, k);

	assert(k->size == sizeof(*field));
	*field = v;
}

static void
store_string(struct tcpw_conf *conf, const struct key_spec *k, const char *v, size_t len)
{
	char *field = key_field(conf, k);

	assert(len < k->size);
	memcpy(field, v, len + 1);
}

void
tcpw_conf_defaults(struct tcpw_conf *conf)
{
	size_t i;

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < TCPW_ARRAY_SIZE(keys); i++) {
		const struct key_spec *k = &keys[i];

		switch (k->type) {
		case KEY_INT:
		case KEY_MODE:
			store_int(conf, k, k->def.i);
			break;
		case KEY_FLOAT:
			store_float(conf, k, k->def.f);
			break;
		case KEY_STRING:
			store_string(conf, k, k->def.s, strlen(k->def.s));
			break;
		case KEY_BOOL:
			store_bool(conf, k, k->def.i != 0);
			break;
		}
	}
}

static void
report_wrong_type(const config_setting_t *s, const struct key_spec *k, const char *source,
		  struct errbuf *eb)
{
	struct where w = setting_where(s, source);

	errbuf_error(eb, w.file, w.line, "%s: expected %s, got %s", k->path,
		     key_type_name(k->type), setting_type_name(s));
}

static void
report_range(const config_setting_t *s, const struct key_spec *k, const char *value,
	     const char *source, struct errbuf *eb)
{
	struct where w = setting_where(s, source);

	if (k->flags & KEY_MIN_EXCLUSIVE)
		errbuf_error(eb, w.file, w.line,
			     "%s: %s is out of range; use a value > %g and <= %g %s",
			     k->path, value, k->min, k->max, k->unit);
	else
		errbuf_error(eb, w.file, w.line,
			     "%s: %s is out of range; use a value in %.0f..%.0f %s",
			     k->path, value, k->min, k->max, k->unit);
}

/* Suggest the two powers of two around @p v (8 <= v <= 2^24 here, so both are in range). */
static void
report_not_pow2(const config_setting_t *s, const struct key_spec *k, int64_t v,
		const char *source, struct errbuf *eb)
{
	struct where w = setting_where(s, source);
	int64_t lower = 1;

	while (lower * 2 <= v)
		lower *= 2;
	errbuf_error(eb, w.file, w.line, "%s: %" PRId64 " is not a power of two; use %" PRId64
		     " or %" PRId64 " %s", k->path, v, lower, lower * 2, k->unit);
}

static void
load_int(const config_setting_t *s, const struct key_spec *k, struct tcpw_conf *conf,
	 const char *source, struct errbuf *eb)
{
	char text[32];
	int64_t v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		report_wrong_type(s, k, source, eb);
		return;
	}
	v = config_setting_get_int64(s);
	if (!key_in_range(k, (double)v)) {
		snprintf(text, sizeof(text), "%" PRId64, v); /* 20 digits and a sign always fit */
		report_range(s, k, text, source, eb);
		return;
	}
	if ((k->flags & KEY_POW2) && (v & (v - 1)) != 0) {
		report_not_pow2(s, k, v, source, eb);
		return;
	}
	store_int(conf, k, v);
}

/* Integer literals are accepted: libconfig types "tmt_est_s = 2;" as an int, not a float. */
static void
load_float(const config_setting_t *s, const struct key_spec *k, struct tcpw_conf *conf,
	   const char *source, struct errbuf *eb)
{
	char text[32];
	double v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		report_wrong_type(s, k, source, eb);
		return;
	}
	if (!key_in_range(k, v)) {
		snprintf(text, sizeof(text), "%g", v); /* %g is at most ~13 characters */
		report_range(s, k, text, source, eb);
		return;
	}
	store_float(conf, k, v);
}

static bool
is_choice(const char *const *choices, const char *v)
{
	for (size_t i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], v) == 0)
			return true;
	return false;
}

static void
load_string(const config_setting_t *s, const struct key_spec *k, struct tcpw_conf *conf,
	    const char *source, struct errbuf *eb)
{
	struct where w = setting_where(s, source);
	const char *v;
	size_t len;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report_wrong_type(s, k, source, eb);
		return;
	}
	v = config_setting_get_string(s);
	len = strlen(v);
	if (!key_in_range(k, (double)len)) {
		if ((double)len < k->min)
			errbuf_error(eb, w.file, w.line,
				     "%s: value is %zu bytes long; give it at least %.0f", k->path,
				     len, k->min);
		else
			errbuf_error(eb, w.file, w.line,
				     "%s: value is %zu bytes long; shorten it to at most %.0f %s",
				     k->path, len, k->max, k->unit);
		return;
	}
	if (k->choices != NULL && !is_choice(k->choices, v)) {
		errbuf_error(eb, w.file, w.line, "%s: \"%s\" is not allowed; use one of:", k->path,
			     v);
		for (size_t i = 0; k->choices[i] != NULL; i++)
			errbuf_append(eb, "%s \"%s\"", i ? "," : "", k->choices[i]);
		return;
	}
	store_string(conf, k, v, len);
}

/* Why a file mode is refused, or NULL. The daemon must read and write its own files; files
 * of records are data (no execute bit); others must not alter them (no world-write bit). */
static const char *
mode_problem(unsigned long m)
{
	if (m & ~07777ul)
		return "is not a permission mode; use 3 or 4 octal digits";
	if (m & 07000)
		return "sets setuid, setgid or sticky bits, which data files must not have";
	if (m & 0111)
		return "has an execute bit; files of records are not programs (e.g. use \"0640\")";
	if (m & 0002)
		return "is world-writable: any user could alter or truncate the records";
	if ((m & 0600) != 0600)
		return "lacks owner read or write (0600): the daemon must read and write its files";
	return NULL;
}

static void
load_mode(const config_setting_t *s, const struct key_spec *k, struct tcpw_conf *conf,
	  const char *source, struct errbuf *eb)
{
	struct where w = setting_where(s, source);
	const char *v, *why;
	unsigned long m;
	char *end;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report_wrong_type(s, k, source, eb);
		return;
	}
	v = config_setting_get_string(s);
	errno = 0;
	m = strtoul(v, &end, 8);
	if (v[0] < '0' || v[0] > '7' || *end != '\0' || errno != 0 || strlen(v) > 5) {
		errbuf_error(eb, w.file, w.line, "%s: \"%s\" is not an octal mode; use octal "
			     "digits such as \"0640\"", k->path, v);
		return;
	}
	why = mode_problem(m);
	if (why != NULL) {
		errbuf_error(eb, w.file, w.line, "%s: \"%s\" %s", k->path, v, why);
		return;
	}
	store_int(conf, k, (int64_t)m);
}

static const struct key_spec *
key_find(const char *path)
{
	size_t i;

	for (i = 0; i < TCPW_ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

/* True if @p path is a group holding known keys ("tcpwin" for "tcpwin.thres"). */
static bool
group_is_known(const char *path)
{
	size_t len = strlen(path);
	size_t i;

	for (i = 0; i < TCPW_ARRAY_SIZE(keys); i++)
		if (strncmp(keys[i].path, path, len) == 0 && keys[i].path[len] == '.')
			return true;
	return false;
}

static void
report_unknown(const config_setting_t *s, const char *path, const char *source,
	       struct errbuf *eb)
{
	struct where w = setting_where(s, source);
	size_t i;

	errbuf_error(eb, w.file, w.line, "unknown key '%s'; known keys: ", path);
	for (i = 0; i < TCPW_ARRAY_SIZE(keys); i++)
		errbuf_append(eb, "%s%s", i > 0 ? ", " : "", keys[i].path);
}

static void
load_key(const config_setting_t *s, const struct key_spec *k, struct tcpw_conf *conf,
	 const char *source, struct errbuf *eb)
{
	switch (k->type) {
	case KEY_INT:
		load_int(s, k, conf, source, eb);
		break;
	case KEY_FLOAT:
		load_float(s, k, conf, source, eb);
		break;
	case KEY_STRING:
		load_string(s, k, conf, source, eb);
		break;
	case KEY_MODE:
		load_mode(s, k, conf, source, eb);
		break;
	case KEY_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			report_wrong_type(s, k, source, eb);
		else
			store_bool(conf, k, config_setting_get_bool(s) != 0);
		break;
	}
}

/*
 * Load every setting under @p group into @p conf, in file order so that errors come out in
 * line order: known keys are checked and stored, known groups descended into, anything else
 * is reported. Only known groups are descended into, so the recursion is as deep as the key
 * table. Keys that are absent are never visited and keep their defaults.
 */
static void
load_group(const config_setting_t *group, const char *prefix, struct tcpw_conf *conf,
	   const char *source, struct errbuf *eb)
{
	char path[128]; /* longer than any known path: a truncated one is reported as unknown */
	const struct key_spec *k;
	bool is_known_group;
	int i, n;

	for (i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
		struct where w = setting_where(s, source);

		n = snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] != '\0' ? "." : "",
			     config_setting_name(s));
		if (n < 0 || (size_t)n >= sizeof(path)) {
			k = NULL;
			is_known_group = false;
		} else {
			k = key_find(path);
			is_known_group = group_is_known(path);
		}
		if (k != NULL)
			load_key(s, k, conf, source, eb);
		else if (!is_known_group)
			report_unknown(s, path, source, eb);
		else if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			errbuf_error(eb, w.file, w.line,
				     "%s: expected a group (%s = { ... };), got %s",
				     path, path, setting_type_name(s));
		else
			load_group(s, path, conf, source, eb);
	}
}

/* Validate a parsed config into a copy of the defaults; @p conf is written only on success. */
/* Where a key is set, for messages about keys that are valid alone but not together. */
static struct where
key_where(const config_t *cfg, const char *path, const char *source)
{
	const config_setting_t *s = config_lookup(cfg, path);

	return s != NULL ? setting_where(s, source) : (struct where){ source, 0 };
}

/*
 * Cross-field checks, after every key passed on its own:
 *  - live capture (capture.device) needs somewhere to write (output.dir);
 *  - output.dir must be a directory this user can write, or one it can create, and not
 *    world-writable without the sticky bit (anyone could plant links or files there);
 *  - the packet log is written by its RX lcore and so needs rx.cores = 1.
 */
static void
check_cross(const config_t *cfg, const char *source, const struct tcpw_conf *c,
	    struct errbuf *eb)
{
	char why[3 * TCPW_CONF_PATH_MAX + 256];
	struct where w;
	struct stat st;

	if (c->capture_device[0] != '\0' && c->output_dir[0] == '\0') {
		w = key_where(cfg, "capture.device", source);
		errbuf_error(eb, w.file, w.line, "output.dir: required when capture.device is "
			     "set; set it to the directory for the flow files");
	}
	if (c->output_dir[0] != '\0') {
		w = key_where(cfg, "output.dir", source);
		if (stat(c->output_dir, &st) == 0 && !S_ISDIR(st.st_mode))
			errbuf_error(eb, w.file, w.line, "output.dir: %s is not a directory",
				     c->output_dir);
		else if (stat(c->output_dir, &st) == 0 && access(c->output_dir, W_OK | X_OK) != 0)
			errbuf_error(eb, w.file, w.line, "output.dir: %s is not writable by this "
				     "user (%s); give it write access or choose another directory",
				     c->output_dir, strerror(errno));
		else if (tcpw_writer_dir_check(c->output_dir, why, sizeof(why)) != 0)
			errbuf_error(eb, w.file, w.line, "output.dir: %s", why);
	}
	if (strchr(c->output_prefix, '/') != NULL) {
		/* a path would put the files outside output.dir, whose safety was checked, and
		 * retention, which looks in output.dir only, would never find them */
		w = key_where(cfg, "output.prefix", source);
		errbuf_error(eb, w.file, w.line, "output.prefix: \"%s\" contains '/': it starts "
			     "file names in output.dir; put directories in output.dir",
			     c->output_prefix);
	}
	if (c->packet_log_enable && c->rx_cores > 1) {
		w = key_where(cfg, "packet_log.enable", source);
		errbuf_error(eb, w.file, w.line, "packet_log.enable: needs rx.cores = 1 (it is %u): "
			     "the packet log is written by its RX lcore", c->rx_cores);
	}
}

static int
conf_apply(const config_t *cfg, const char *source, struct tcpw_conf *conf, struct errbuf *eb)
{
	struct tcpw_conf tmp;

	tcpw_conf_defaults(&tmp);
	load_group(config_root_setting(cfg), "", &tmp, source, eb);
	if (eb->count == 0)
		check_cross(cfg, source, &tmp, eb);
	if (eb->count > 0)
		return -EINVAL;
	*conf = tmp;
	return 0;
}

static int
report_syntax(const config_t *cfg, const char *source, struct errbuf *eb)
{
	const char *file = config_error_file(cfg);
	const char *text = config_error_text(cfg);
	int line = config_error_line(cfg);

	errbuf_error(eb, file != NULL ? file : source, line > 0 ? (unsigned int)line : 0,
		     "syntax error: %s", text != NULL ? text : "unknown error");
	return -EINVAL;
}

/* A directory opens fine for reading but parses as an empty file: refuse it here. */
static FILE *
open_conf_file(const char *path, struct errbuf *eb)
{
	struct stat st;
	int errnum = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		errnum = errno;
	else if (fstat(fileno(f), &st) != 0)
		errnum = errno;
	else if (S_ISDIR(st.st_mode))
		errnum = EISDIR;
	if (errnum == 0)
		return f;
	if (f != NULL)
		fclose(f);
	errbuf_append(eb, "cannot open config file %s: %s", path, strerror(errnum));
	return NULL;
}

int
tcpw_conf_load(const char *path, struct tcpw_conf *conf, char *err, size_t errlen)
{
	struct errbuf eb;
	config_t cfg;
	FILE *f;
	int ret;

	errbuf_init(&eb, err, errlen);
	if (path == NULL || conf == NULL) {
		errbuf_append(&eb, "tcpw_conf_load: path and conf must not be NULL");
		return -EINVAL;
	}
	f = open_conf_file(path, &eb);
	if (f == NULL)
		return -ENOENT;
	config_init(&cfg);
	if (config_read(&cfg, f) == CONFIG_TRUE)
		ret = conf_apply(&cfg, path, conf, &eb);
	else
		ret = report_syntax(&cfg, path, &eb);
	config_destroy(&cfg);
	fclose(f);
	return ret;
}

int
tcpw_conf_load_string(const char *text, struct tcpw_conf *conf, char *err, size_t errlen)
{
	struct errbuf eb;
	config_t cfg;
	int ret;

	errbuf_init(&eb, err, errlen);
	if (text == NULL || conf == NULL) {
		errbuf_append(&eb, "tcpw_conf_load_string: text and conf must not be NULL");
		return -EINVAL;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, text) == CONFIG_TRUE)
		ret = conf_apply(&cfg, STRING_SOURCE, conf, &eb);
	else
		ret = report_syntax(&cfg, STRING_SOURCE, &eb);
	config_destroy(&cfg);
	return ret;
}

static void
format_value(const struct tcpw_conf *c, const struct key_spec *k, char *out, size_t len)
{
	const void *f = (const char *)c + k->offset;

	switch (k->type) {
	case KEY_INT:
		snprintf(out, len, "%" PRIu32, *(const uint32_t *)f);
		break;
	case KEY_MODE:
		snprintf(out, len, "\"%04" PRIo32 "\"", *(const uint32_t *)f);
		break;
	case KEY_FLOAT:
		snprintf(out, len, "%g", *(const double *)f);
		break;
	case KEY_STRING:
		snprintf(out, len, "\"%s\"", (const char *)f);
		break;
	case KEY_BOOL:
		snprintf(out, len, "%s", *(const bool *)f ? "true" : "false");
		break;
	}
}

int
tcpw_conf_diff(const struct tcpw_conf *cur, const struct tcpw_conf *next, char *err,
	       size_t errlen)
{
	struct errbuf eb;
	int rc = 0;

	errbuf_init(&eb, err, errlen);
	for (size_t i = 0; i < TCPW_ARRAY_SIZE(keys); i++) {
		const struct key_spec *k = &keys[i];
		char a[TCPW_CONF_PATH_MAX + 8], b[TCPW_CONF_PATH_MAX + 8];

		if (k->is_reloadable || memcmp((const char *)cur + k->offset,
					       (const char *)next + k->offset, k->size) == 0)
			continue;
		format_value(cur, k, a, sizeof(a));
		format_value(next, k, b, sizeof(b));
		errbuf_append(&eb, "%s%s: changed from %s to %s; it takes effect only after a "
			      "restart", rc ? "\n" : "", k->path, a, b);
		rc = -EPERM;
	}
	return rc;
}
