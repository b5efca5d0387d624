/* cache.c: where the engine's between-run files live, and reading and
 * writing them safely (cache.h). */
#include "cache.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int cache_dir(char *dir, size_t cap)
{
    const char *env = getenv("MT_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (env != NULL) {
        if (*env == '\0') {
            return -1;
        }
        n = snprintf(dir, cap, "%s", env);
    } else if (xdg != NULL && *xdg) {
        n = snprintf(dir, cap, "%s/migtriage", xdg);
    } else if (home != NULL && *home) {
        n = snprintf(dir, cap, "%s/.cache/migtriage", home);
    } else {
        return -1;
    }
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int mt_cache_path(const char *kind, unsigned long long key, const char *ext,
                  char *path, size_t cap)
{
    char dir[4096];
    int n;

    if (cap > 0) {
        path[0] = '\0';
    }
    if (cap == 0 || cache_dir(dir, sizeof(dir)) != 0) {
        return -1;
    }
    n = snprintf(path, cap, "%s/%s-%016llx.%s", dir, kind, key, ext);
    if (n <= 0 || (size_t)n >= cap) {
        path[0] = '\0'; /* no half a name for a later write */
        return -1;
    }
    return 0;
}

char *mt_cache_read(const char *path, size_t *len)
{
    struct stat st;
    char *bytes = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    *len = 0;
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && (st.st_mode & 022) == 0 &&
        st.st_size > 0 &&
        (unsigned long long)st.st_size <= MT_CACHE_MAX_BYTES &&
        (bytes = mt_malloc((size_t)st.st_size)) != NULL) {
        if (read(fd, bytes, (size_t)st.st_size) == (ssize_t)st.st_size) {
            *len = (size_t)st.st_size;
        } else {
            mt_free(bytes);
            bytes = NULL;
        }
    }
    close(fd);
    return bytes;
}

void mt_cache_write(const char *path, const void *bytes, size_t len)
{
    char tmp[4200], dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL || (size_t)(slash - path) >= sizeof(dir)) {
        return;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    (void)mkdir(dir, 0700); /* the common case: ~/.cache exists */
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        int ok = write(fd, bytes, len) == (ssize_t)len;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            unlink(tmp);
        }
    }
}

unsigned long long mt_cache_checksum(const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    uint64_t h = MT_HASH_SEED ^ (uint64_t)len, w;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    return mt_hash(p + i, len - i, h);
}
