/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replays fuzz inputs without libFuzzer, so any compiler (and the ASan+UBSan build) can run a
 * fuzz target over its regression inputs: each argument is a file, or a directory whose
 * regular files are read in name order. Exits 1 if an argument cannot be read or holds no
 * input at all (an empty regression set would pass vacuously); a failed invariant aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			FUZZ_CHECK(buf != NULL);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Returns inputs replayed, or -1. */
static int
replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, name_cmp), done = 0;
	char path[4096];
	struct stat st;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && names[i]->d_name[0] != '.') {
			if (replay_file(path) != 0)
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

int
main(int argc, char **argv)
{
	int total = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i]) :
			replay_file(argv[i]) == 0 ? 1 : -1;

		if (n < 0)
			return 1;
		total += n;
	}
	printf("%d inputs replayed\n", total);
	return total > 0 ? 0 : 1;
}
