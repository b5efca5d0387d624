/* prefilter_hs.c: the prefilter on Hyperscan (Vectorscan on non-x86):
 * every literal in one literal database, matched without case, each id
 * reported once per record. Hyperscan's SIMD literal matcher is several
 * times faster than a byte-at-a-time automaton on long logs. Built instead
 * of prefilter.c when CMake finds libhs (MT_WITH_HYPERSCAN).
 * Each distinct literal goes to Hyperscan once, with the ids that share it
 * chained: its compile time and memory grow quadratically with repeats of
 * one literal (20,000 signatures on "AppError": 15 s, 900 MB). */
#include "prefilter.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <hs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strindex.h"
#include "util.h"

#define NO_ENTRY UINT_MAX

struct mt_prefilter {
    char **lits;
    size_t *lens;
    unsigned *ids;
    unsigned *flags;
    size_t n;
    size_t alloc;
    /* After the build: per distinct literal (Hyperscan's id), its first
     * entry; per entry, the next one with the same literal. */
    unsigned *first;
    unsigned *next;
    hs_database_t *db;
    hs_scratch_t *scratch;
    int from_cache; /* the database was read from the cache, not compiled */
};

/* ---- the compiled database, cached on disk ----
 * Compiling the literal database is most of the start-up time of a run
 * (a paste is answered in tens of milliseconds, and each -j worker builds
 * its own matcher). The compiled bytes depend only on the literals, their
 * ids and flags, and the Hyperscan build, so they are kept in
 * $MT_CACHE_DIR (set but empty: no cache), else $XDG_CACHE_HOME/migtriage,
 * else ~/.cache/migtriage, under a name made of a hash of all that.
 * Hyperscan checks a serialized database against its version and the CPU
 * when reading it back; a file that fails to read is compiled again. */

/* Cached databases larger than this are not read: a real one is well
 * under a megabyte. */
#define CACHE_MAX_BYTES (64u * 1024 * 1024)

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

static unsigned long long cache_key(const struct mt_prefilter *pf)
{
    unsigned long long h = MT_HASH_SEED;
    const char *v = hs_version();
    size_t i;

    hs_platform_info_t host;

    h = mt_hash(v, strlen(v), h);
    /* A database is compiled for the CPU it was built on (NULL platform:
     * this host's features). A run whose CPU looks different (another
     * machine sharing a home directory, or valgrind, which hides AVX-512)
     * must not overwrite or reuse the other's file under the same name. */
    if (hs_populate_platform(&host) == HS_SUCCESS) {
        h = mt_hash(&host.tune, sizeof(host.tune), h);
        h = mt_hash(&host.cpu_features, sizeof(host.cpu_features), h);
    }
    /* The database's ids are distinct-literal numbers (chain_literals),
     * not the entries' ids as in caches written before. */
    h = mt_hash("chained", 7, h);
    for (i = 0; i < pf->n; i++) {
        h = mt_hash(pf->lits[i], pf->lens[i], h);
        h = mt_hash(&pf->lens[i], sizeof(pf->lens[i]), h);
        h = mt_hash(&pf->ids[i], sizeof(pf->ids[i]), h);
        h = mt_hash(&pf->flags[i], sizeof(pf->flags[i]), h);
    }
    return h;
}

static int cache_path(const struct mt_prefilter *pf, char *path, size_t cap)
{
    char dir[4096];
    int n;

    if (cache_dir(dir, sizeof(dir)) != 0) {
        return -1;
    }
    n = snprintf(path, cap, "%s/prefilter-%016llx.hsdb", dir,
                 cache_key(pf));
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Reads the cached database; 0 when pf->db was set from it. Only a plain
 * file of this user's, not writable by others, is trusted. */
static int cache_read(struct mt_prefilter *pf, const char *path)
{
    struct stat st;
    char *bytes;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

    if (fd < 0) {
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 022) != 0 ||
        st.st_size <= 0 || (unsigned long long)st.st_size > CACHE_MAX_BYTES) {
        close(fd);
        return -1;
    }
    bytes = mt_malloc((size_t)st.st_size);
    if (bytes != NULL) {
        got = read(fd, bytes, (size_t)st.st_size);
        if (got == (ssize_t)st.st_size &&
            hs_deserialize_database(bytes, (size_t)got, &pf->db) ==
                HS_SUCCESS) {
            rc = 0;
        }
        mt_free(bytes);
    }
    close(fd);
    return rc;
}

/* Writes the database for the next run: to a temporary file renamed into
 * place, so that a concurrent run never reads half a file. Failures are
 * not errors: the cache is only a shortcut. */
static void cache_write(const struct mt_prefilter *pf, const char *path)
{
    char *bytes = NULL, tmp[4200], dir[4096];
    size_t len = 0;
    int fd;
    const char *slash = strrchr(path, '/');

    if (slash == NULL || (size_t)(slash - path) >= sizeof(dir)) {
        return;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    (void)mkdir(dir, 0700); /* the common case: ~/.cache exists */
    if (hs_serialize_database(pf->db, &bytes, &len) != HS_SUCCESS) {
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        int ok = write(fd, bytes, len) == (ssize_t)len;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            unlink(tmp);
        }
    }
    free(bytes); /* Hyperscan allocated it with malloc */
}

struct mt_prefilter *mt_prefilter_new(void)
{
    return mt_calloc(1, sizeof(struct mt_prefilter));
}

int mt_prefilter_add(struct mt_prefilter *pf, const char *lit, size_t n,
                     int id)
{
    if (pf->db != NULL || n == 0 || id < 0) {
        return -1;
    }
    if (pf->n == pf->alloc) {
        size_t na = pf->alloc ? pf->alloc * 2 : 64;
        char **l = mt_realloc(pf->lits, na * sizeof(*l));
        size_t *ln;
        unsigned *ids, *fl;
        if (l == NULL) {
            return -1;
        }
        pf->lits = l;
        if ((ln = mt_realloc(pf->lens, na * sizeof(*ln))) == NULL) {
            return -1;
        }
        pf->lens = ln;
        if ((ids = mt_realloc(pf->ids, na * sizeof(*ids))) == NULL) {
            return -1;
        }
        pf->ids = ids;
        if ((fl = mt_realloc(pf->flags, na * sizeof(*fl))) == NULL) {
            return -1;
        }
        pf->flags = fl;
        pf->alloc = na;
    }
    pf->lits[pf->n] = mt_strndup(lit, n);
    if (pf->lits[pf->n] == NULL) {
        return -1;
    }
    pf->lens[pf->n] = n;
    pf->ids[pf->n] = (unsigned)id;
    /* No SINGLEMATCH: a block scan (mt_prefilter_scan_spans) covers many
     * records and needs every occurrence; a record scan may see a literal
     * more than once, which the matcher's candidate stamps absorb. */
    pf->flags[pf->n] = HS_FLAG_CASELESS;
    pf->n++;
    return 0;
}

/* Chains the entries that share a literal (without case: the literals
 * are lowercased in place, which Hyperscan's caseless flag allows) and
 * fills the arrays given to Hyperscan with one literal each. Returns the
 * number of distinct literals, or -1. */
static long chain_literals(struct mt_prefilter *pf, const char **lits,
                           size_t *lens, unsigned *hs_ids)
{
    struct mt_strindex seen;
    unsigned *last = mt_malloc(pf->n * sizeof(*last));
    size_t i, d = 0, at;
    char *c;
    int rc;

    if (last == NULL) {
        return -1;
    }
    mt_strindex_init(&seen);
    for (i = 0; i < pf->n; i++) {
        for (c = pf->lits[i]; *c; c++) {
            *c = (char)tolower((unsigned char)*c);
        }
        pf->next[i] = NO_ENTRY;
        rc = mt_strindex_put(&seen, pf->lits[i], d, &at);
        if (rc < 0) {
            d = 0;
            break;
        }
        if (rc == 0) {
            pf->next[last[at]] = (unsigned)i;
            last[at] = (unsigned)i;
            continue;
        }
        pf->first[d] = last[d] = (unsigned)i;
        lits[d] = pf->lits[i];
        lens[d] = pf->lens[i];
        hs_ids[d] = (unsigned)d;
        d++;
    }
    mt_strindex_free(&seen);
    mt_free(last);
    return i == pf->n ? (long)d : -1;
}

int mt_prefilter_build(struct mt_prefilter *pf)
{
    hs_compile_error_t *err = NULL;
    char path[4200] = "";
    const char **lits;
    size_t *lens;
    unsigned *hs_ids;
    long d = -1;
    int rc = -1;

    if (pf->db != NULL) {
        return 0;
    }
    if (pf->n == 0) {
        return 0; /* nothing to find: scans report nothing */
    }
    pf->first = mt_malloc(pf->n * sizeof(*pf->first));
    pf->next = mt_malloc(pf->n * sizeof(*pf->next));
    lits = mt_malloc(pf->n * sizeof(*lits));
    lens = mt_malloc(pf->n * sizeof(*lens));
    hs_ids = mt_malloc(pf->n * sizeof(*hs_ids));
    if (pf->first == NULL || pf->next == NULL || lits == NULL ||
        lens == NULL || hs_ids == NULL ||
        (d = chain_literals(pf, lits, lens, hs_ids)) <= 0) {
        goto done;
    }
    if (cache_path(pf, path, sizeof(path)) == 0 &&
        cache_read(pf, path) == 0) {
        pf->from_cache = 1;
    } else {
        if (hs_compile_lit_multi(lits, pf->flags, hs_ids, lens, (unsigned)d,
                                 HS_MODE_BLOCK, NULL, &pf->db,
                                 &err) != HS_SUCCESS) {
            goto done;
        }
        if (path[0] != '\0') {
            cache_write(pf, path);
        }
    }
    if (hs_alloc_scratch(pf->db, &pf->scratch) == HS_SUCCESS) {
        rc = 0;
    }
done:
    hs_free_compile_error(err); /* accepts NULL */
    mt_free(lits);
    mt_free(lens);
    mt_free(hs_ids);
    return rc;
}

int mt_prefilter_from_cache(const struct mt_prefilter *pf)
{
    return pf->from_cache;
}

struct scan_ctx {
    const struct mt_prefilter *pf;
    mt_prefilter_span_fn fn;
    void *ctx;
};

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    struct scan_ctx *c = ctx;
    unsigned i;

    (void)from; /* not computed without HS_FLAG_SOM_LEFTMOST: the
                   literal's length says it */
    (void)flags;
    for (i = c->pf->first[id]; i != NO_ENTRY; i = c->pf->next[i]) {
        c->fn(c->ctx, (int)c->pf->ids[i], (size_t)to - c->pf->lens[i],
              (size_t)to);
    }
    return 0;
}

struct mt_prefilter_scratch {
    hs_scratch_t *hs; /* NULL when the prefilter has no database */
};

struct mt_prefilter_scratch *
mt_prefilter_scratch_new(const struct mt_prefilter *pf)
{
    struct mt_prefilter_scratch *s = mt_calloc(1, sizeof(*s));

    if (s != NULL && pf->scratch != NULL &&
        hs_clone_scratch(pf->scratch, &s->hs) != HS_SUCCESS) {
        mt_free(s);
        return NULL;
    }
    return s;
}

void mt_prefilter_scratch_free(struct mt_prefilter_scratch *s)
{
    if (s != NULL) {
        hs_free_scratch(s->hs); /* accepts NULL */
        mt_free(s);
    }
}

void mt_prefilter_scan_spans_with(const struct mt_prefilter *pf,
                                  struct mt_prefilter_scratch *s,
                                  const char *text, size_t n,
                                  mt_prefilter_span_fn fn, void *ctx)
{
    struct scan_ctx c = {pf, fn, ctx};

    if (pf->db == NULL || n == 0 || n > 0xffffffffu) {
        return;
    }
    hs_scan(pf->db, text, (unsigned)n, 0, s != NULL ? s->hs : pf->scratch,
            on_match, &c);
}

void mt_prefilter_scan_spans(const struct mt_prefilter *pf, const char *text,
                             size_t n, mt_prefilter_span_fn fn, void *ctx)
{
    mt_prefilter_scan_spans_with(pf, NULL, text, n, fn, ctx);
}

void mt_prefilter_free(struct mt_prefilter *pf)
{
    size_t i;

    if (pf == NULL) {
        return;
    }
    for (i = 0; i < pf->n; i++) {
        mt_free(pf->lits[i]);
    }
    mt_free(pf->lits);
    mt_free(pf->lens);
    mt_free(pf->ids);
    mt_free(pf->flags);
    mt_free(pf->first);
    mt_free(pf->next);
    hs_free_scratch(pf->scratch);
    hs_free_database(pf->db);
    mt_free(pf);
}
