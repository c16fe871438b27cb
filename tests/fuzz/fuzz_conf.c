/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the configuration loader: the input is the text of a config file, loaded
 * with tcpw_conf_load_string(). Whatever the text, the result is 0 or -EINVAL, the error
 * text is NUL-terminated inside its buffer (a small one as well), a config that loads
 * differs from itself in nothing, and its diff against the defaults names keys cleanly.
 *
 * Inputs with "@include" are skipped: an include opens any path (a FIFO or /dev/stdin would
 * block the fuzzer), and the daemon's own config file is trusted to name its includes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

static void
check_err(const char *err, size_t len)
{
	FUZZ_CHECK(memchr(err, '\0', len) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	static char err[8192], small[24];
	struct tcpw_conf conf, defaults, again;
	int rc, rc_small;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "@include") != NULL) {
		free(text);
		return 0;
	}
	rc = tcpw_conf_load_string(text, &conf, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	check_err(err, sizeof(err));
	rc_small = tcpw_conf_load_string(text, &again, small, sizeof(small));
	FUZZ_CHECK(rc_small == rc);
	check_err(small, sizeof(small));
	if (rc == 0) {
		FUZZ_CHECK(memcmp(&conf, &again, sizeof(conf)) == 0);
		FUZZ_CHECK(tcpw_conf_diff(&conf, &conf, err, sizeof(err)) == 0);
		tcpw_conf_defaults(&defaults);
		rc = tcpw_conf_diff(&defaults, &conf, err, sizeof(err));
		FUZZ_CHECK(rc == 0 || rc == -EPERM);
		check_err(err, sizeof(err));
		FUZZ_CHECK(tcpw_conf_diff(&defaults, &conf, small, sizeof(small)) == rc);
		check_err(small, sizeof(small));
	}
	free(text);
	return 0;
}
