/* knowledge.c: where the engine's knowledge comes from besides the shipped
 * patterns/ and kb/: extra folders a user or a team keeps (their own
 * signatures and articles, loaded on top of the shipped ones, never in
 * their place), and the version of the shipped knowledge base (kb/VERSION),
 * which reports name so that two runs can be compared. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

int mt_engine_add_knowledge(struct mt_engine *e, const char *dir)
{
    char *copy;

    if (e == NULL || dir == NULL || *dir == '\0') {
        return MT_EMISUSE;
    }
    if (e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg),
                 "extra knowledge must be added before loading");
        return MT_EMISUSE;
    }
    if (e->nextra == MT_MAX_EXTRA_KNOWLEDGE) {
        snprintf(e->errmsg, sizeof(e->errmsg),
                 "at most %d extra knowledge folders", MT_MAX_EXTRA_KNOWLEDGE);
        return MT_EMISUSE;
    }
    copy = mt_strdup(dir);
    if (copy == NULL) {
        return MT_ENOMEM;
    }
    e->extra[e->nextra++] = copy;
    return MT_OK;
}

int mt_knowledge_load_extra(struct mt_engine *e)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < e->nextra; i++) {
        char *p = mt_asprintf("%s/patterns", e->extra[i]);
        char *k = mt_asprintf("%s/kb", e->extra[i]);
        int found = 0;

        if (p == NULL || k == NULL) {
            mt_free(p);
            mt_free(k);
            return -1;
        }
        /* Articles first does not matter: signatures find their article
         * once everything is loaded. Either folder may be missing. */
        if (mt_is_directory(p)) {
            found = 1;
            if (mt_patterns_load(&e->patterns, p, &e->load_problems) < 0) {
                rc = -1;
            }
        }
        if (mt_is_directory(k)) {
            found = 1;
            if (mt_kb_load(&e->kb, k, &e->load_problems) < 0) {
                rc = -1;
            }
        }
        if (!found) {
            mt_problems_add(&e->load_problems,
                            "%s: extra knowledge folder holds neither "
                            "patterns/ nor kb/",
                            e->extra[i]);
        }
        mt_free(p);
        mt_free(k);
    }
    return rc;
}

void mt_knowledge_read_version(struct mt_engine *e, const char *kb_dir)
{
    char *path = mt_asprintf("%s/VERSION", kb_dir);
    FILE *f = path != NULL ? fopen(path, "r") : NULL;
    size_t n;

    snprintf(e->kb_version, sizeof(e->kb_version), "unversioned");
    mt_free(path);
    if (f == NULL) {
        return;
    }
    if (fgets(e->kb_version, sizeof(e->kb_version), f) == NULL) {
        snprintf(e->kb_version, sizeof(e->kb_version), "unversioned");
    }
    fclose(f);
    n = strcspn(e->kb_version, "\r\n");
    e->kb_version[n] = '\0';
    /* A version is a short printable word; anything else is not one. */
    for (n = 0; e->kb_version[n]; n++) {
        unsigned char c = (unsigned char)e->kb_version[n];
        if (c <= 0x20 || c >= 0x7f) {
            snprintf(e->kb_version, sizeof(e->kb_version), "unversioned");
            break;
        }
    }
    if (e->kb_version[0] == '\0') {
        snprintf(e->kb_version, sizeof(e->kb_version), "unversioned");
    }
}

const char *mt_engine_kb_version(const struct mt_engine *e)
{
    return e != NULL && e->kb_version[0] ? e->kb_version : "unversioned";
}

void mt_engine_kb_counts(const struct mt_engine *e, size_t *signatures,
                         size_t *articles)
{
    size_t i, n = 0;

    for (i = 0; i < e->patterns.n; i++) {
        n += e->patterns.sigs[i].kind == MT_SIG_FINDING;
    }
    *signatures = n;
    *articles = e->kb.n;
}

/* One lock for any engine's code tables: they load once per engine. */
static pthread_mutex_t codes_lock = PTHREAD_MUTEX_INITIALIZER;

const struct mt_kb *mt_knowledge_codes(const struct mt_engine *e, int quiet)
{
    /* The tables and their problems are the engine's to fill once, as
     * the nearest-article index is (mt_engine_similar). */
    struct mt_engine *mut = (struct mt_engine *)e;
    struct mt_problems probs = {0};
    size_t i;

    pthread_mutex_lock(&codes_lock);
    if (!e->kb.codes_loaded) {
        mt_kb_load_codes(&mut->kb, &probs);
        for (i = 0; i < probs.n; i++) {
            mt_problems_add(&mut->load_problems, "%s", probs.lines[i]);
        }
    }
    pthread_mutex_unlock(&codes_lock);
    for (i = 0; !quiet && i < probs.n; i++) {
        mt_engine_message(mut, MT_MSG_WARNING, NULL, probs.lines[i]);
    }
    mt_problems_free(&probs);
    return &e->kb;
}
