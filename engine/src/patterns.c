/* patterns.c: loads patterns/<family>.json, validates each signature's
 * shape and compiles its regex once (PCRE2), or reads it back compiled
 * from the regex cache (regex_cache.c) when the folder's patterns are the
 * ones that compiled clean last time. A bad signature is reported and
 * skipped; the rest still load. The JIT compile, which costs three times
 * the compile, waits for the first record that needs the regex. */
#include "patterns.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "datafile.h"
#include "regex_cache.h"
#include "migtriage.h"
#include "util.h"

static const char *const file_keys[] = {"schema", "family", "signatures",
                                        NULL};
/* A signature's keys, in the order of enum sig_key. */
static const char *const sig_keys[] = {
    "id",      "rev",     "kind",    "scope",   "article",     "severity",
    "fallback", "object_fallback", "literal", "pattern", "samples",
    "non_samples", NULL};
enum sig_key {
    K_ID, K_REV, K_KIND, K_SCOPE, K_ARTICLE, K_SEVERITY, K_FALLBACK,
    K_OBJECT_FALLBACK, K_LITERAL, K_PATTERN, K_SAMPLES, K_NON_SAMPLES,
    K_COUNT
};

static int valid_id(const char *id)
{
    const char *c;

    if (id == NULL || !islower((unsigned char)id[0])) {
        return 0;
    }
    for (c = id; *c; c++) {
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
            *c != '.' && *c != '-' && *c != '_') {
            return 0;
        }
    }
    return 1;
}

static void free_signature(struct mt_signature *s)
{
    int i;

    mt_free(s->id);
    mt_free(s->file);
    mt_free(s->article);
    mt_free(s->literal);
    mt_free(s->pattern);
    pcre2_code_free(s->code);
    for (i = 0; i < s->ngroups; i++) {
        mt_free(s->groups[i].name);
    }
    mt_free(s->groups);
    json_decref(s->samples);
    json_decref(s->non_samples);
    memset(s, 0, sizeof(*s));
}

/* Reads the names of the named groups, which become finding fields. */
static int read_group_names(struct mt_signature *s)
{
    uint32_t count = 0, size = 0, i;
    PCRE2_SPTR table;

    pcre2_pattern_info(s->code, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0) {
        return 0;
    }
    pcre2_pattern_info(s->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(s->code, PCRE2_INFO_NAMETABLE, &table);
    s->groups = mt_calloc(count, sizeof(*s->groups));
    if (s->groups == NULL) {
        return -1;
    }
    for (i = 0; i < count; i++) {
        PCRE2_SPTR entry = table + i * size;
        s->groups[i].number = (entry[0] << 8) | entry[1];
        s->groups[i].name = mt_strdup((const char *)entry + 2);
        if (s->groups[i].name == NULL) {
            return -1;
        }
        s->ngroups++;
    }
    return 0;
}

/* Sets s->code from cached, when the cache had it, else compiles. */
static int compile_signature(struct mt_patterns *p, struct mt_signature *s,
                             pcre2_code *cached, struct mt_problems *probs)
{
    int errcode;
    PCRE2_SIZE erroff;
    uint32_t captures = 0;

    s->code = cached;
    if (s->code == NULL) {
        s->code = pcre2_compile((PCRE2_SPTR)s->pattern,
                                PCRE2_ZERO_TERMINATED, MT_REGEX_OPTIONS,
                                &errcode, &erroff,
                                mt_pcre2_compile_context());
    }
    if (s->code == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        mt_problems_add(probs, "%s: %s: pcre2: %s at offset %zu", s->file,
                        s->id, (const char *)msg, (size_t)erroff);
        return -1;
    }
    pcre2_pattern_info(s->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    if (captures + 1 > p->max_groups) {
        p->max_groups = captures + 1;
    }
    return read_group_names(s);
}

/* Fills s from one JSON signature; returns 0 when it is usable. */
static int parse_signature(json_t *js, const char *file,
                           struct mt_signature *s, struct mt_problems *probs)
{
    json_t *v[K_COUNT];
    const char *id, *kind, *scope, *sev, *article, *literal, *pattern;
    const char *what;
    int bad = 0;

    memset(s, 0, sizeof(*s));
    s->article_index = -1;
    if (!json_is_object(js)) {
        mt_problems_add(probs, "%s: a signature is not an object", file);
        return -1;
    }
    /* One walk over the members reads them all and names unknown keys. */
    id = mt_json_strv(json_object_get(js, "id"));
    what = id ? id : "(signature without id)";
    bad += mt_datafile_members(js, sig_keys, v, file, what, probs);
    kind = mt_json_strv(v[K_KIND]);
    scope = mt_json_strv(v[K_SCOPE]);
    sev = mt_json_strv(v[K_SEVERITY]);
    article = mt_json_strv(v[K_ARTICLE]);
    literal = mt_json_strv(v[K_LITERAL]);
    pattern = mt_json_strv(v[K_PATTERN]);
    if (!valid_id(id)) {
        mt_problems_add(probs, "%s: %s: id must be lowercase [a-z0-9.-_]",
                        file, what);
        bad++;
    }
    if (!json_is_integer(v[K_REV]) || json_integer_value(v[K_REV]) < 1) {
        mt_problems_add(probs, "%s: %s: rev must be an integer >= 1", file,
                        what);
        bad++;
    }
    s->kind = MT_SIG_FINDING;
    if (kind && strcmp(kind, "context") == 0) {
        s->kind = MT_SIG_CONTEXT;
    } else if (kind && strcmp(kind, "finding") != 0) {
        mt_problems_add(probs, "%s: %s: kind must be finding or context",
                        file, what);
        bad++;
    }
    s->scope = MT_SCOPE_DOCUMENT;
    if (scope && strcmp(scope, "record") == 0) {
        s->scope = MT_SCOPE_RECORD;
    } else if (scope && strcmp(scope, "document") != 0) {
        mt_problems_add(probs, "%s: %s: scope must be document or record",
                        file, what);
        bad++;
    }
    if (s->kind == MT_SIG_FINDING) {
        s->severity = sev ? mt_severity_parse(sev) : -1;
        if (s->severity < 0) {
            mt_problems_add(probs,
                            "%s: %s: severity must be info, warning, error "
                            "or critical",
                            file, what);
            bad++;
        }
        if (article == NULL) {
            mt_problems_add(probs, "%s: %s: a finding needs an article",
                            file, what);
            bad++;
        }
    }
    if (pattern == NULL) {
        mt_problems_add(probs, "%s: %s: pattern missing", file, what);
        bad++;
    }
    if (bad) {
        return -1;
    }
    s->id = mt_strdup(id);
    s->file = mt_strdup(file);
    s->rev = (int)json_integer_value(v[K_REV]);
    s->article = mt_strdup(article);
    s->literal = mt_strdup(literal);
    s->pattern = mt_strdup(pattern);
    s->fallback = json_is_true(v[K_FALLBACK]);
    s->object_fallback = json_is_true(v[K_OBJECT_FALLBACK]);
    s->samples = json_incref(v[K_SAMPLES]);
    s->non_samples = json_incref(v[K_NON_SAMPLES]);
    /* An optional key whose copy failed is as fatal as a required one:
     * a finding without its article id would be looked up with NULL. */
    if (s->id == NULL || s->file == NULL || s->pattern == NULL ||
        (s->article == NULL && article != NULL) ||
        (s->literal == NULL && literal != NULL)) {
        return -1;
    }
    return 0;
}

int mt_patterns_reserve(struct mt_patterns *p)
{
    size_t n;
    struct mt_signature *grown;

    if (p->n + p->nderived < p->alloc) {
        return 0;
    }
    n = p->alloc ? p->alloc * 2 : 64;
    grown = mt_realloc(p->sigs, n * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    p->sigs = grown;
    p->alloc = n;
    return 0;
}

static int add_signature(struct mt_patterns *p, struct mt_signature *s)
{
    /* The index borrows the id, which the signature keeps until freed. */
    if (mt_strindex_put(&p->ids, s->id, p->n, NULL) < 0) {
        return -1;
    }
    if (mt_patterns_reserve(p) != 0) {
        return -1;
    }
    p->sigs[p->n++] = *s;
    return 0;
}

/* The signatures list of a file's root, or NULL when the file is not
 * shaped to have one (which load_file reports). */
static json_t *file_signatures(json_t *root)
{
    json_t *sigs = json_object_get(root, "signatures");

    return json_integer_value(json_object_get(root, "schema")) == 1 &&
                   json_is_array(sigs)
               ? sigs
               : NULL;
}

/* The pattern text of a signature, which the regex cache is keyed on;
 * NULL when it has none (parse_signature reports that). */
static const char *pattern_text(json_t *js)
{
    return json_is_object(js) ? mt_json_str(js, "pattern") : NULL;
}

/* One patterns folder being loaded: its files parsed first, so that the
 * regex cache's key (every pattern, in order) is known before any
 * compile. */
struct folder {
    int nfiles;
    char **paths;
    json_t **roots;             /* NULL: the file did not parse */
    struct mt_problems *probs;  /* each file's parse problems */
    struct mt_regex_cache cache;
    size_t next;                /* the next pattern's number in the key */
    /* Codes of the key's patterns compiled this run, in key order; when
     * all of them compiled they are written to the cache. */
    pcre2_code **compiled;
    size_t ncompiled;
};

static void load_file(struct mt_patterns *p, struct folder *f, int fi,
                      struct mt_problems *probs)
{
    const char *path = f->paths[fi];
    json_t *root = f->roots[fi];
    json_t *sigs, *js;
    size_t i;

    if (root == NULL) {
        return;
    }
    mt_datafile_check_keys(root, file_keys, path, "file", probs);
    if (json_integer_value(json_object_get(root, "schema")) != 1) {
        mt_problems_add(probs, "%s: schema must be 1", path);
        return;
    }
    sigs = file_signatures(root);
    if (sigs == NULL) {
        mt_problems_add(probs, "%s: signatures must be an array", path);
        return;
    }
    p->files++;
    json_array_foreach(sigs, i, js) {
        struct mt_signature s;
        /* Numbered as mt_patterns_load added it to the cache's key. */
        size_t k = pattern_text(js) != NULL ? f->next++ : (size_t)-1;
        pcre2_code *cached = mt_regex_cache_take(&f->cache, k);

        if (parse_signature(js, path, &s, probs) != 0) {
            pcre2_code_free(cached);
            free_signature(&s);
            continue;
        }
        if (mt_patterns_find(p, s.id) >= 0) {
            mt_problems_add(probs, "%s: %s: duplicate id", path, s.id);
            pcre2_code_free(cached);
            free_signature(&s);
            continue;
        }
        if (compile_signature(p, &s, cached, probs) != 0 ||
            add_signature(p, &s)) {
            free_signature(&s);
            continue;
        }
        if (cached != NULL) {
            p->from_cache++;
        } else if (f->compiled != NULL && k < f->cache.n) {
            f->compiled[k] = s.code;
            f->ncompiled++;
        }
    }
}

/* Parses every file of the folder and reads the regex cache for its
 * patterns. */
static void folder_open(struct folder *f, const char *dir, char **names)
{
    int i;
    size_t k;
    json_t *sigs, *js;

    mt_regex_cache_init(&f->cache);
    for (i = 0; i < f->nfiles; i++) {
        f->paths[i] = mt_asprintf("%s/%s", dir, names[i]);
        if (f->paths[i] != NULL) {
            f->roots[i] = mt_datafile_load(f->paths[i], &f->probs[i]);
        }
        sigs = f->roots[i] != NULL ? file_signatures(f->roots[i]) : NULL;
        json_array_foreach(sigs, k, js) {
            const char *pattern = pattern_text(js);
            if (pattern != NULL) {
                mt_regex_cache_add(&f->cache, pattern);
            }
        }
    }
    if (mt_regex_cache_read(&f->cache) != 0 && f->cache.n > 0) {
        f->compiled = mt_calloc(f->cache.n, sizeof(*f->compiled));
    }
}

static void folder_close(struct folder *f)
{
    int i;

    if (f->compiled != NULL && f->ncompiled == f->cache.n) {
        mt_regex_cache_write(&f->cache,
                             (const pcre2_code *const *)f->compiled);
    }
    mt_regex_cache_free(&f->cache);
    mt_free(f->compiled);
    for (i = 0; i < f->nfiles; i++) {
        mt_free(f->paths[i]);
        json_decref(f->roots[i]);
        mt_problems_free(&f->probs[i]);
    }
    mt_free(f->paths);
    mt_free(f->roots);
    mt_free(f->probs);
}

int mt_patterns_load(struct mt_patterns *p, const char *dir,
                     struct mt_problems *probs)
{
    char **names;
    int n = mt_datafile_list(dir, &names), i;
    uint32_t jit = 0;
    struct folder f;
    size_t k;

    pcre2_config(PCRE2_CONFIG_JIT, &jit);
    p->jit = jit != 0;
    if (n < 0) {
        mt_problems_add(probs, "%s: cannot read the patterns directory", dir);
        return -1;
    }
    memset(&f, 0, sizeof(f));
    f.nfiles = n;
    f.paths = mt_calloc((size_t)n + 1, sizeof(*f.paths));
    f.roots = mt_calloc((size_t)n + 1, sizeof(*f.roots));
    f.probs = mt_calloc((size_t)n + 1, sizeof(*f.probs));
    if (f.paths == NULL || f.roots == NULL || f.probs == NULL) {
        f.nfiles = 0;
    }
    folder_open(&f, dir, names);
    for (i = 0; i < f.nfiles; i++) {
        /* A file's parse problem goes out where it did before the files
         * were parsed ahead: in its turn. */
        for (k = 0; k < f.probs[i].n; k++) {
            mt_problems_add(probs, "%s", f.probs[i].lines[k]);
        }
        load_file(p, &f, i, probs);
    }
    folder_close(&f);
    mt_datafile_list_free(names, n);
    return 0;
}

void mt_patterns_free(struct mt_patterns *p)
{
    size_t i;

    for (i = 0; i < p->n + p->nderived; i++) {
        free_signature(&p->sigs[i]);
    }
    mt_free(p->sigs);
    mt_strindex_free(&p->ids);
    memset(p, 0, sizeof(*p));
}

/* One lock for every signature's first JIT compile: they are few per run
 * and short, and after it the flag alone is read. */
static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;

pcre2_code *mt_signature_code(const struct mt_patterns *p,
                              const struct mt_signature *s)
{
    /* The flag and the counter are the mutable state of loaded, shared
     * knowledge; they are only touched atomically or under jit_lock. */
    int *done = (int *)&s->jit_done;

    if (s->code == NULL || __atomic_load_n(done, __ATOMIC_ACQUIRE)) {
        return s->code;
    }
    pthread_mutex_lock(&jit_lock);
    if (!__atomic_load_n(done, __ATOMIC_RELAXED)) {
        /* JIT is an optimisation only: without it the interpreter runs
         * the same pattern under the same limits. */
        if (p->jit) {
            (void)pcre2_jit_compile(s->code, PCRE2_JIT_COMPLETE);
        }
        __atomic_add_fetch((unsigned long *)&p->jit_compiles, 1,
                           __ATOMIC_RELAXED);
        __atomic_store_n(done, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&jit_lock);
    return s->code;
}

int mt_signature_jit_done(const struct mt_signature *s)
{
    return __atomic_load_n(&s->jit_done, __ATOMIC_ACQUIRE);
}

int mt_patterns_find(const struct mt_patterns *p, const char *id)
{
    return (int)mt_strindex_get(&p->ids, id);
}
