/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/conf: defaults, a full valid config, every kind of error with its
 * file:line and key in the message, all errors reported at once, the caller's struct left
 * untouched on failure, and the shipped conf/tcpwintmt.conf loading to exactly the defaults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf.h"
#include "tcpw_common.h"

#ifndef TCPW_SRCDIR
#error "TCPW_SRCDIR must be defined as the project root"
#endif

#define SHIPPED_CONF TCPW_SRCDIR "/conf/tcpwintmt.conf"

/* Big enough for every test's errors: an unknown-key line with the key list is ~180 bytes. */
#define ERR_LEN 4096

/* Fail with the whole error text when @p needle is not in it. */
#define assert_err_has(err, needle) \
	do { \
		if (strstr((err), (needle)) == NULL) \
			fail_msg("\"%s\" not in error text:\n%s", (needle), (err)); \
	} while (0)

struct err_case {
	const char *text;   /* config */
	const char *expect; /* substring of the error text, with file:line and key */
};

static const char full_conf[] =
	"output = { dir = \"/var/lib/tcpwintmtd\"; };\n"
	"flow_table = { pairs = 1024; };\n"
	"tcpwin = {\n"
	"	thres = 10;\n"
	"	flwprg = 5;\n"
	"};\n"
	"timeouts = {\n"
	"	tmt_bgn_s = 2.5;\n"
	"	tmt_est_s = 3.0;\n"
	"	tmt_abrt_s = 0.01;\n"
	"	flow_timeout_s = 60.0;\n"
	"};\n";

static void
assert_conf_equal(const struct tcpw_conf *a, const struct tcpw_conf *b)
{
	assert_int_equal(a->tcpwin_thres, b->tcpwin_thres);
	assert_int_equal(a->tcpwin_flwprg, b->tcpwin_flwprg);
	assert_true(a->tmt_bgn_s == b->tmt_bgn_s);
	assert_true(a->tmt_est_s == b->tmt_est_s);
	assert_true(a->tmt_abrt_s == b->tmt_abrt_s);
	assert_true(a->flow_timeout_s == b->flow_timeout_s);
	assert_int_equal(a->flow_table_pairs, b->flow_table_pairs);
	assert_string_equal(a->output_dir, b->output_dir);
	assert_int_equal(a->output_file_mode, b->output_file_mode);
}

static unsigned int
count_lines(const char *s)
{
	unsigned int n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Write @p text to a new temporary file whose name goes to @p path (unlink it after use). */
static void
write_tmp(const char *text, char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;
	int n;

	n = snprintf(path, len, "%s/test_conf.XXXXXX", dir != NULL ? dir : "/tmp");
	assert_true(n > 0 && (size_t)n < len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Each case must fail with -EINVAL and exactly one error line containing its expectation. */
static void
check_err_cases(const struct err_case *cases, size_t n)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		tcpw_conf_defaults(&conf);
		if (tcpw_conf_load_string(cases[i].text, &conf, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", cases[i].text);
		assert_err_has(err, cases[i].expect);
		assert_int_equal(count_lines(err), 1);
	}
}

static void
test_defaults(void **state)
{
	struct tcpw_conf conf;

	(void)state;
	memset(&conf, 0xa5, sizeof(conf));
	tcpw_conf_defaults(&conf);
	assert_int_equal(conf.tcpwin_thres, 1);
	assert_int_equal(conf.tcpwin_flwprg, 2);
	assert_true(conf.tmt_bgn_s == 1.2);
	assert_true(conf.tmt_est_s == 1.0);
	assert_true(conf.tmt_abrt_s == 0.001);
	assert_true(conf.flow_timeout_s == 182.0);
	assert_int_equal(conf.flow_table_pairs, 65536);
	assert_string_equal(conf.output_dir, "");
	assert_int_equal(conf.output_file_mode, 0640);
}

static void
test_absent_keys_keep_defaults(void **state)
{
	struct tcpw_conf conf, want;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&want);
	memset(&conf, 0, sizeof(conf));
	strcpy(err, "stale");
	assert_int_equal(tcpw_conf_load_string("", &conf, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_conf_equal(&conf, &want);

	assert_int_equal(tcpw_conf_load_string("tcpwin = { thres = 7; };\ntimeouts = {};",
					       &conf, err, sizeof(err)), 0);
	want.tcpwin_thres = 7;
	assert_conf_equal(&conf, &want);
}

static void
test_full_config(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string(full_conf, &conf, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(conf.tcpwin_thres, 10);
	assert_int_equal(conf.tcpwin_flwprg, 5);
	assert_true(conf.tmt_bgn_s == 2.5);
	assert_true(conf.tmt_est_s == 3.0);
	assert_true(conf.tmt_abrt_s == 0.01);
	assert_true(conf.flow_timeout_s == 60.0);
	assert_int_equal(conf.flow_table_pairs, 1024);
	assert_string_equal(conf.output_dir, "/var/lib/tcpwintmtd");
}

/* libconfig types "2" as an int and "3L" as an int64; both are fine for a seconds key. */
static void
test_int_literal_for_float_key(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string("timeouts = { tmt_est_s = 2; tmt_bgn_s = 3L;\n"
					       "flow_timeout_s = 86400; };",
					       &conf, err, sizeof(err)), 0);
	assert_true(conf.tmt_est_s == 2.0);
	assert_true(conf.tmt_bgn_s == 3.0);
	assert_true(conf.flow_timeout_s == 86400.0);
}

static void
test_syntax_error(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string("tcpwin = {\n\tthres = 1;\n\tflwprg = ;\n};\n",
					       &conf, err, sizeof(err)), -EINVAL);
	assert_err_has(err, "<string>:3: syntax error: ");
	assert_int_equal(count_lines(err), 1);

	/* libconfig reports a repeated key as a parse error, at the repeat */
	assert_int_equal(tcpw_conf_load_string("tcpwin = { thres = 1; };\n"
					       "tcpwin = { flwprg = 3; };",
					       &conf, err, sizeof(err)), -EINVAL);
	assert_err_has(err, "<string>:2: syntax error: duplicate setting name");
}

static void
test_syntax_error_names_file(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];
	char path[256];
	char want[300];

	(void)state;
	write_tmp("# comment\noutput = {\n\tdir = \"/x\"\n\tdir2 = ;\n};\n", path, sizeof(path));
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load(path, &conf, err, sizeof(err)), -EINVAL);
	unlink(path);
	snprintf(want, sizeof(want), "%s:4: syntax error: ", path);
	assert_err_has(err, want);
}

static void
test_unknown_key(void **state)
{
	static const struct err_case cases[] = {
		/* a typo in a timeout must not be silently ignored */
		{ "tcpwin = { thres = 1; };\n\ntimeouts = {\n\ttmt_est = 3.0;\n};",
		  "<string>:4: unknown key 'timeouts.tmt_est'; known keys: tcpwin.thres, "
		  "tcpwin.flwprg, timeouts.tmt_bgn_s, timeouts.tmt_est_s, timeouts.tmt_abrt_s, "
		  "timeouts.flow_timeout_s, flow_table.pairs, flow_table.high_water_pct, "
		  "flow_table.emergency_timeout_s, rx.cores" },
		{ "\nthres = 1;", "<string>:2: unknown key 'thres'; known keys: " },
		{ "timeout = { tmt_est_s = 1.0; };", "<string>:1: unknown key 'timeout'; " },
		{ "tcpwin = {\n\tsub = { thres = 1; };\n};",
		  "<string>:2: unknown key 'tcpwin.sub'" },
		{ "output = {\n\tdir = \"\";\n\tdirectory = \"/x\";\n};",
		  "<string>:3: unknown key 'output.directory'" },
	};

	struct tcpw_conf conf;
	char err[ERR_LEN];
	char text[200];

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));

	/* a name longer than any known path is still reported, not matched by its prefix */
	memset(text, 'k', 150);
	strcpy(text + 150, " = 1;");
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), -EINVAL);
	assert_err_has(err, "<string>:1: unknown key 'kkkkkkkk");
}

static void
test_group_expected(void **state)
{
	static const struct err_case cases[] = {
		{ "tcpwin = 5;", "<string>:1: tcpwin: expected a group (tcpwin = { ... };), "
				 "got an integer" },
		{ "\ntimeouts = ( 1.0 );", "<string>:2: timeouts: expected a group" },
	};

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
}

static void
test_wrong_type(void **state)
{
	static const struct err_case cases[] = {
		{ "tcpwin = {\n\tthres = \"1\";\n};",
		  "<string>:2: tcpwin.thres: expected an integer (e.g. 42), got a string" },
		{ "tcpwin = { flwprg = 2.0; };",
		  "<string>:1: tcpwin.flwprg: expected an integer (e.g. 42), got a float" },
		{ "timeouts = { tmt_est_s = \"1.0\"; };",
		  "<string>:1: timeouts.tmt_est_s: expected a number (e.g. 1.5 or 2), "
		  "got a string" },
		{ "timeouts = { tmt_abrt_s = true; };",
		  "timeouts.tmt_abrt_s: expected a number (e.g. 1.5 or 2), got a boolean" },
		{ "flow_table = { pairs = [ 8, 16 ]; };",
		  "flow_table.pairs: expected an integer (e.g. 42), got an array" },
		{ "output = { dir = 5; };",
		  "<string>:1: output.dir: expected a string in double quotes, got an integer" },
		{ "output = { format = \"xml\"; };",
		  "<string>:1: output.format: \"xml\" is not allowed; use one of: \"text\", "
		  "\"json\"" },
		{ "capture = { promiscuous = 1; };",
		  "<string>:1: capture.promiscuous: expected true or false, got an integer" },
		{ "timeouts = { flow_timeout_s = { s = 1; }; };",
		  "timeouts.flow_timeout_s: expected a number (e.g. 1.5 or 2), got a group" },
	};

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
}

static void
test_out_of_range(void **state)
{
	static const struct err_case cases[] = {
		{ "tcpwin = {\n\tthres = 65537;\n};",
		  "<string>:2: tcpwin.thres: 65537 is out of range; use a value in 0..65536 "
		  "(raw TCP window value, unscaled)" },
		{ "tcpwin = { thres = -1; };", "tcpwin.thres: -1 is out of range" },
		{ "tcpwin = { flwprg = 0; };",
		  "<string>:1: tcpwin.flwprg: 0 is out of range; "
		  "use a value in 1..2147483647 packets" },
		{ "tcpwin = { flwprg = 2147483648L; };",
		  "tcpwin.flwprg: 2147483648 is out of range; "
		  "use a value in 1..2147483647 packets" },
		{ "timeouts = { tmt_bgn_s = 0.0; };",
		  "<string>:1: timeouts.tmt_bgn_s: 0 is out of range; "
		  "use a value > 0 and <= 86400 s" },
		{ "timeouts = { tmt_est_s = -1; };", "timeouts.tmt_est_s: -1 is out of range; " },
		{ "timeouts = { tmt_abrt_s = 86400.5; };",
		  "timeouts.tmt_abrt_s: 86400.5 is out of range; use a value > 0 and <= 86400 s" },
		{ "timeouts = { flow_timeout_s = 1e400; };",
		  "timeouts.flow_timeout_s: inf is out of range" },
		{ "flow_table = { pairs = 4; };",
		  "<string>:1: flow_table.pairs: 4 is out of range; use a value in 8..16777216 "
		  "flow pairs" },
		{ "flow_table = { pairs = 33554432; };",
		  "flow_table.pairs: 33554432 is out of range" },
	};

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
}

static void
test_range_limits_accepted(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string("tcpwin = { thres = 0; flwprg = 1; };\n"
					       "flow_table = { pairs = 8; };\n"
					       "timeouts = { tmt_abrt_s = 1e-6; };",
					       &conf, err, sizeof(err)), 0);
	assert_int_equal(conf.tcpwin_thres, 0);
	assert_int_equal(conf.tcpwin_flwprg, 1);
	assert_int_equal(conf.flow_table_pairs, 8);
	assert_true(conf.tmt_abrt_s == 1e-6);

	assert_int_equal(tcpw_conf_load_string("tcpwin = { thres = 65536; flwprg = 2147483647; };\n"
					       "flow_table = { pairs = 16777216; };\n"
					       "timeouts = { tmt_bgn_s = 86400.0; };",
					       &conf, err, sizeof(err)), 0);
	assert_int_equal(conf.tcpwin_thres, 65536);
	assert_int_equal(conf.tcpwin_flwprg, 2147483647);
	assert_int_equal(conf.flow_table_pairs, 16777216);
	assert_true(conf.tmt_bgn_s == 86400.0);
}

/* Strings too short are told to grow (they were told to shorten to at most the maximum),
 * and a prefix may not be a path (its files would leave output.dir, and retention, which
 * looks there only, would never delete one). */
static void
test_string_values(void **state)
{
	static const struct err_case cases[] = {
		{ "output = {\n\tprefix = \"\";\n};",
		  "<string>:2: output.prefix: value is 0 bytes long; give it at least 1" },
		{ "output = { format = \"\"; };", "output.format: value is 0 bytes long; give it" },
		{ "output = {\n\tprefix = \"../spool/x\";\n};",
		  "<string>:2: output.prefix: \"../spool/x\" contains '/': it starts file names "
		  "in output.dir; put directories in output.dir" },
	};

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
}

static void
test_pairs_not_pow2(void **state)
{
	static const struct err_case cases[] = {
		{ "flow_table = {\n\tpairs = 1000;\n};",
		  "<string>:2: flow_table.pairs: 1000 is not a power of two; use 512 or 1024 "
		  "flow pairs" },
		{ "flow_table = { pairs = 65535; };", "use 32768 or 65536 flow pairs" },
		{ "flow_table = { pairs = 9; };", "use 8 or 16 flow pairs" },
	};

	(void)state;
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
}

static void
test_dir_too_long(void **state)
{
	char text[TCPW_CONF_PATH_MAX + 64];
	char dir[TCPW_CONF_PATH_MAX + 1];
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0'; /* TCPW_CONF_PATH_MAX bytes: one too many */
	snprintf(text, sizeof(text), "\noutput = {\n\tdir = \"%s\";\n};", dir);
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), -EINVAL);
	assert_err_has(err, "<string>:3: output.dir: value is 256 bytes long; "
		       "shorten it to at most 255 bytes");

	dir[sizeof(dir) - 2] = '\0'; /* the longest allowed */
	snprintf(text, sizeof(text), "output = { dir = \"%s\"; };", dir);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), 0);
	assert_string_equal(conf.output_dir, dir);
}

static void
test_all_errors_reported(void **state)
{
	static const char text[] =
		"tcpwin = {\n"
		"	thres = 70000;\n"		/* 2: out of range */
		"	flwprg = \"two\";\n"		/* 3: wrong type */
		"};\n"
		"timeouts = {\n"
		"	tmt_bgn_s = 0;\n"		/* 6: out of range */
		"	tmt_estab_s = 1.0;\n"		/* 7: unknown */
		"	tmt_abrt_s = 0.5;\n"		/* 8: fine */
		"};\n"
		"flow_table = { pairs = 100; };\n"	/* 10: not a power of two */
		"bogus = 1;\n";				/* 11: unknown */
	static const char *const want[] = {
		"<string>:2: tcpwin.thres: 70000 is out of range",
		"<string>:3: tcpwin.flwprg: expected an integer",
		"<string>:6: timeouts.tmt_bgn_s: 0 is out of range",
		"<string>:7: unknown key 'timeouts.tmt_estab_s'",
		"<string>:10: flow_table.pairs: 100 is not a power of two",
		"<string>:11: unknown key 'bogus'",
	};
	struct tcpw_conf conf;
	char err[ERR_LEN];
	size_t i;

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), -EINVAL);
	for (i = 0; i < TCPW_ARRAY_SIZE(want); i++) {
		assert_err_has(err, want[i]);
		if (i > 0 && strstr(err, want[i]) < strstr(err, want[i - 1]))
			fail_msg("not in line order:\n%s", err);
	}
	assert_int_equal(count_lines(err), TCPW_ARRAY_SIZE(want));
	assert_int_not_equal(err[strlen(err) - 1], '\n');
}

static void
test_conf_untouched_on_failure(void **state)
{
	static const char *const bad[] = {
		/* valid keys first, then one bad one: the valid ones must not leak through */
		"tcpwin = { thres = 9; flwprg = 9; };\noutput = { dir = \"/new\"; };\nx = 1;",
		"timeouts = { tmt_est_s = 5.0; tmt_abrt_s = 0.0; };",
		"tcpwin = { thres = 9 ",
	};
	struct tcpw_conf conf, before;
	char err[ERR_LEN];
	size_t i;

	(void)state;
	memset(&conf, 0x5a, sizeof(conf));
	conf.output_dir[0] = '\0';
	memcpy(&before, &conf, sizeof(before)); /* padding included */
	for (i = 0; i < TCPW_ARRAY_SIZE(bad); i++) {
		assert_int_equal(tcpw_conf_load_string(bad[i], &conf, err, sizeof(err)), -EINVAL);
		assert_memory_equal(&conf, &before, sizeof(conf));
	}
	assert_int_equal(tcpw_conf_load(TCPW_SRCDIR "/no/such/file.conf", &conf, err,
					sizeof(err)), -ENOENT);
	assert_memory_equal(&conf, &before, sizeof(conf));
}

static void
test_missing_file(void **state)
{
	const char *path = TCPW_SRCDIR "/no/such/file.conf";
	struct tcpw_conf conf;
	char err[ERR_LEN];
	char want[512];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load(path, &conf, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot open config file %s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
}

/* fopen() accepts a directory and libconfig would read it as an empty file: refuse it. */
static void
test_directory_refused(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load(TCPW_SRCDIR "/conf", &conf, err, sizeof(err)), -ENOENT);
	assert_err_has(err, "cannot open config file " TCPW_SRCDIR "/conf: ");
	assert_err_has(err, strerror(EISDIR));
}

static void
test_file_errors_name_file(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];
	char path[256];
	char want[400];

	(void)state;
	write_tmp("tcpwin = {\n\tthresh = 1;\n\tflwprg = 0;\n};\n", path, sizeof(path));
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load(path, &conf, err, sizeof(err)), -EINVAL);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: unknown key 'tcpwin.thresh'", path);
	assert_err_has(err, want);
	snprintf(want, sizeof(want), "%s:3: tcpwin.flwprg: 0 is out of range", path);
	assert_err_has(err, want);

	write_tmp(full_conf, path, sizeof(path));
	assert_int_equal(tcpw_conf_load(path, &conf, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(conf.flow_table_pairs, 1024);
}

/* Errors in an @included file name that file and its own line numbers. */
static void
test_include_names_included_file(void **state)
{
	struct tcpw_conf conf;
	char err[ERR_LEN];
	char inc[256], path[256];
	char text[400], want[400];

	(void)state;
	write_tmp("tcpwin = {\n\tthres = 1;\n\tflwprg = 0;\n};\n", inc, sizeof(inc));
	snprintf(text, sizeof(text), "# main\n@include \"%s\"\nbogus = 1;\n", inc);
	write_tmp(text, path, sizeof(path));
	tcpw_conf_defaults(&conf);
	assert_int_equal(tcpw_conf_load(path, &conf, err, sizeof(err)), -EINVAL);
	unlink(path);
	unlink(inc);
	snprintf(want, sizeof(want), "%s:3: tcpwin.flwprg: 0 is out of range", inc);
	assert_err_has(err, want);
	snprintf(want, sizeof(want), "%s:3: unknown key 'bogus'", path);
	assert_err_has(err, want);
}

/* A short buffer holds what fits, ends in "...", and is NUL-terminated; no buffer is fine. */
static void
test_err_truncated(void **state)
{
	static const char text[] = "a = 1;\nb = 2;\nc = 3;\nd = 4;";
	struct tcpw_conf conf;
	char err[48];

	(void)state;
	tcpw_conf_defaults(&conf);
	memset(err, 'x', sizeof(err));
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_memory_equal(err, "<string>:1: unknown key 'a'", 27);
	assert_string_equal(err + sizeof(err) - 4, "...");

	memset(err, 'x', sizeof(err));
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, 1), -EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'x');
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, 3), -EINVAL);
	assert_string_equal(err, "<s");
	assert_int_equal(tcpw_conf_load_string(text, &conf, NULL, 0), -EINVAL);
	assert_int_equal(tcpw_conf_load(TCPW_SRCDIR "/no/such/file", &conf, NULL, 0), -ENOENT);
	assert_int_equal(tcpw_conf_load_string("", &conf, NULL, 0), 0);
}

/* output.file_mode: an octal string; execute, world-write and special bits refused. */
static void
test_file_mode(void **state)
{
	static const struct { const char *v; uint32_t want; } good[] = {
		{ "0640", 0640 }, { "600", 0600 }, { "0660", 0660 }, { "0644", 0644 },
		{ "0664", 0664 },
	};
	static const struct err_case cases[] = {
		{ "output = { file_mode = 0640; };",
		  "<string>:1: output.file_mode: expected an octal mode in double quotes "
		  "(e.g. \"0640\"), got an integer" },
		{ "output = { file_mode = \"0648\"; };",
		  "output.file_mode: \"0648\" is not an octal mode" },
		{ "output = { file_mode = \"rw-r-----\"; };", "is not an octal mode" },
		{ "output = { file_mode = \"\"; };", "is not an octal mode" },
		{ "output = {\n\tfile_mode = \"0750\";\n};",
		  "<string>:2: output.file_mode: \"0750\" has an execute bit" },
		{ "output = { file_mode = \"0666\"; };", "\"0666\" is world-writable" },
		{ "output = { file_mode = \"0642\"; };", "is world-writable" },
		{ "output = { file_mode = \"4640\"; };", "setuid, setgid or sticky" },
		{ "output = { file_mode = \"0440\"; };", "lacks owner read or write" },
		{ "output = { file_mode = \"077777\"; };", "is not an octal mode" },
	};
	struct tcpw_conf conf, next;
	char text[128], err[ERR_LEN];

	(void)state;
	for (size_t i = 0; i < TCPW_ARRAY_SIZE(good); i++) {
		snprintf(text, sizeof(text), "output = { file_mode = \"%s\"; };", good[i].v);
		if (tcpw_conf_load_string(text, &conf, err, sizeof(err)) != 0)
			fail_msg("%s: %s", text, err);
		assert_int_equal(conf.output_file_mode, good[i].want);
	}
	check_err_cases(cases, TCPW_ARRAY_SIZE(cases));
	/* it needs a restart: a reload that changes it is refused by name */
	tcpw_conf_defaults(&conf);
	next = conf;
	next.output_file_mode = 0600;
	assert_int_equal(tcpw_conf_diff(&conf, &next, err, sizeof(err)), -EPERM);
	assert_err_has(err, "output.file_mode: changed from \"0640\" to \"0600\"");
}

/* output.dir world-writable without the sticky bit is refused; with it, accepted. */
static void
test_world_writable_dir(void **state)
{
	char dir[] = "/tmp/test_conf_dir.XXXXXX", text[256], err[ERR_LEN];
	struct tcpw_conf conf;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(text, sizeof(text), "# flows\noutput = { dir = \"%s\"; };\n", dir);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), -EINVAL);
	assert_err_has(err, "<string>:2: output.dir: ");
	assert_err_has(err, "is world-writable without the sticky bit (mode 0777)");
	assert_err_has(err, "chmod o-w");
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(tcpw_conf_load_string(text, &conf, err, sizeof(err)), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_shipped_config_is_defaults(void **state)
{
	struct tcpw_conf conf, want;
	char err[ERR_LEN];

	(void)state;
	tcpw_conf_defaults(&want);
	memset(&conf, 0, sizeof(conf));
	if (tcpw_conf_load(SHIPPED_CONF, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_conf_equal(&conf, &want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_mode),
		cmocka_unit_test(test_world_writable_dir),
		cmocka_unit_test(test_absent_keys_keep_defaults),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_int_literal_for_float_key),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_syntax_error_names_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_group_expected),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_range_limits_accepted),
		cmocka_unit_test(test_string_values),
		cmocka_unit_test(test_pairs_not_pow2),
		cmocka_unit_test(test_dir_too_long),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_conf_untouched_on_failure),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_directory_refused),
		cmocka_unit_test(test_file_errors_name_file),
		cmocka_unit_test(test_include_names_included_file),
		cmocka_unit_test(test_err_truncated),
		cmocka_unit_test(test_shipped_config_is_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
