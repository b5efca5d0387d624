/* replay.c: runs a fuzz target's LLVMFuzzerTestOneInput on files, without
 * libFuzzer, so that the inputs that once crashed a target (regressions/)
 * are replayed by every build, with any compiler, sanitizers or not.
 *
 *   replay_fuzz_engine FILE|DIR...
 *
 * A directory stands for the files in it. Exit 0 when every input ran; a
 * regression crashes or trips a sanitizer instead. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Regression inputs are small: fuzzers run with -max_len well below. */
#define REPLAY_MAX (16 * 1024 * 1024)

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return -1;
    }
    buf = malloc(REPLAY_MAX);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    n = fread(buf, 1, REPLAY_MAX, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    printf("replay: %s: %zu bytes ok\n", path, n);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char *names[1024];
    size_t n = 0, i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", dir);
        return -1;
    }
    while ((ent = readdir(d)) != NULL && n < 1024) {
        if (ent->d_name[0] != '.') {
            names[n++] = strdup(ent->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), compare_names);
    for (i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (replay_file(path) != 0) {
            rc = -1;
        }
        free(names[i]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc |= replay_dir(argv[i]) != 0;
        } else {
            rc |= replay_file(argv[i]) != 0;
        }
    }
    return rc;
}
