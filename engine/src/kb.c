/* kb.c: loads and validates articles and error-code tables. */
#include "kb.h"

#include <string.h>

#include "datafile.h"
#include "util.h"

static const char *const file_keys[] = {"schema", "family", "articles",
                                        NULL};
static const char *const table_keys[] = {"schema", "table", "codes", NULL};
static const char *const code_keys[] = {"code", "name", "meaning", "article",
                                        "generic", NULL};

/* Checks article a of file and, when it is sound and its id new, adds
 * it; its problems go to probs. Returns -1 when out of memory. */
static int add_article(struct mt_kb *kb, json_t *a, const char *file,
                       const char *family, struct mt_problems *probs)
{
    struct mt_article *art;
    int rc;

    if (kb->n == kb->alloc) {
        size_t n = kb->alloc ? kb->alloc * 2 : 64;
        struct mt_article *grown = mt_realloc(kb->articles,
                                              n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        kb->articles = grown;
        kb->alloc = n;
    }
    art = &kb->articles[kb->n];
    rc = mt_article_init(art, a, file, probs);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (mt_kb_find(kb, art->id) >= 0) {
        mt_problems_add(probs, "%s: %s: duplicate article id", file, art->id);
        mt_article_free(art);
        return 0;
    }
    art->family = mt_strdup(family);
    art->file = mt_strdup(file);
    /* The index borrows the id from the article, which keeps its JSON. */
    if (art->family == NULL || art->file == NULL ||
        mt_strindex_put(&kb->ids, art->id, kb->n, NULL) < 0) {
        mt_article_free(art);
        return -1;
    }
    kb->n++;
    return 0;
}

/* The family a file's articles belong to: its "family" key, else the
 * file name without ".json" (kb/mrs.json -> mrs). */
static char *family_of(json_t *root, const char *path)
{
    const char *f = mt_json_str(root, "family");
    const char *base = strrchr(path, '/');
    size_t n;

    if (f != NULL && *f) {
        return mt_strdup(f);
    }
    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0) {
        n -= 5;
    }
    return mt_strndup(base, n);
}

static void load_articles(struct mt_kb *kb, const char *path,
                          struct mt_problems *probs)
{
    json_t *root = mt_datafile_load(path, probs), *arts, *a;
    char *family;
    size_t i;

    if (root == NULL) {
        return;
    }
    mt_datafile_check_keys(root, file_keys, path, "file", probs);
    if (json_integer_value(json_object_get(root, "schema")) != 1 ||
        !json_is_array(arts = json_object_get(root, "articles"))) {
        mt_problems_add(probs, "%s: needs \"schema\": 1 and an articles list",
                        path);
        json_decref(root);
        return;
    }
    family = family_of(root, path);
    json_array_foreach(arts, i, a) {
        const char *id = json_is_object(a) ? mt_json_str(a, "id") : NULL;

        if (id == NULL) {
            mt_problems_add(probs, "%s: article %zu has no id", path, i);
            continue;
        }
        add_article(kb, a, path, family ? family : "", probs);
    }
    mt_free(family);
    json_decref(root);
}

static void load_codes(struct mt_kb *kb, const char *path,
                       struct mt_problems *probs)
{
    json_t *root = mt_datafile_load(path, probs), *codes, *c;
    struct mt_code_table *grown, *t;
    struct mt_strindex seen; /* codes of this table so far */
    size_t i;

    if (root == NULL) {
        return;
    }
    mt_datafile_check_keys(root, table_keys, path, "table", probs);
    codes = json_object_get(root, "codes");
    if (json_integer_value(json_object_get(root, "schema")) != 1 ||
        mt_json_str(root, "table") == NULL || !json_is_array(codes)) {
        mt_problems_add(probs, "%s: needs \"schema\": 1, a table name and a "
                               "codes list",
                        path);
        json_decref(root);
        return;
    }
    mt_strindex_init(&seen);
    json_array_foreach(codes, i, c) {
        const char *code = json_is_object(c) ? mt_json_str(c, "code") : NULL;
        if (code == NULL || mt_json_str(c, "name") == NULL ||
            mt_json_str(c, "meaning") == NULL) {
            mt_problems_add(probs, "%s: code entry %zu needs code, name and "
                                   "meaning",
                            path, i);
            continue;
        }
        mt_datafile_check_keys(c, code_keys, path, code, probs);
        if (mt_strindex_put(&seen, code, i, NULL) == 0) {
            mt_problems_add(probs, "%s: %s: duplicate code", path, code);
        }
    }
    mt_strindex_free(&seen);
    grown = mt_realloc(kb->tables, (kb->ntables + 1) * sizeof(*grown));
    if (grown != NULL) {
        kb->tables = grown;
        t = &kb->tables[kb->ntables];
        t->name = mt_strdup(mt_json_str(root, "table"));
        t->file = mt_strdup(path);
        /* Without its name the table is left out (lookups compare it);
         * mt_malloc counted the failure, and the run ends out of memory
         * (the tables load during a lookup, after the knowledge). */
        if (t->name != NULL && t->file != NULL) {
            t->codes = json_incref(codes);
            kb->ncodes += json_array_size(codes);
            kb->ntables++;
        } else {
            mt_free(t->name);
            mt_free(t->file);
        }
    }
    json_decref(root);
}

static int load_dir(struct mt_kb *kb, const char *dir,
                    struct mt_problems *probs,
                    void (*load)(struct mt_kb *, const char *,
                                 struct mt_problems *))
{
    char **names;
    int n = mt_datafile_list(dir, &names), i;

    if (n < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *path = mt_asprintf("%s/%s", dir, names[i]);
        if (path != NULL) {
            load(kb, path, probs);
            mt_free(path);
        }
    }
    mt_datafile_list_free(names, n);
    return 0;
}

int mt_kb_load(struct mt_kb *kb, const char *dir, struct mt_problems *probs)
{
    char *codes_dir, **grown;

    if (load_dir(kb, dir, probs, load_articles) < 0) {
        mt_problems_add(probs, "%s: cannot read the kb directory", dir);
        return -1;
    }
    /* Without memory for the note the tables are missing, and the run
     * ends as out of memory (mt_malloc counted the failure). */
    codes_dir = mt_asprintf("%s/codes", dir);
    grown = codes_dir != NULL
                ? mt_realloc(kb->code_dirs,
                             (kb->ncode_dirs + 1) * sizeof(*grown))
                : NULL;
    if (grown == NULL) {
        mt_free(codes_dir);
        return 0;
    }
    kb->code_dirs = grown;
    kb->code_dirs[kb->ncode_dirs++] = codes_dir;
    return 0;
}

void mt_kb_load_codes(struct mt_kb *kb, struct mt_problems *probs)
{
    size_t i;

    if (kb->codes_loaded) {
        return;
    }
    kb->codes_loaded = 1;
    for (i = 0; i < kb->ncode_dirs; i++) {
        load_dir(kb, kb->code_dirs[i], probs, load_codes); /* optional */
    }
}

void mt_kb_free(struct mt_kb *kb)
{
    size_t i;

    for (i = 0; i < kb->n; i++) {
        mt_article_free(&kb->articles[i]);
    }
    for (i = 0; i < kb->ntables; i++) {
        mt_free(kb->tables[i].name);
        mt_free(kb->tables[i].file);
        json_decref(kb->tables[i].codes);
    }
    for (i = 0; i < kb->ncode_dirs; i++) {
        mt_free(kb->code_dirs[i]);
    }
    mt_free(kb->code_dirs);
    mt_free(kb->articles);
    mt_free(kb->tables);
    mt_strindex_free(&kb->ids);
    memset(kb, 0, sizeof(*kb));
}

int mt_kb_find(const struct mt_kb *kb, const char *id)
{
    return (int)mt_strindex_get(&kb->ids, id);
}
