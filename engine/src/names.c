/* names.c: the stable-name table: loading, the derived signatures that
 * report a name's article, and the whole-token scan of a record. */
#include "names.h"

#include <string.h>

#include "datafile.h"
#include "util.h"

static const char *const table_keys[] = {"schema", "table", "names",
                                         "no_name", "cues", NULL};
static const char *const cue_keys[] = {"name", "cue", "article", "why", NULL};
static const char *const no_name_keys[] = {"article", "reason", NULL};
static const char *const name_keys[] = {"name", "kind", "meaning", "article",
                                        "no_article", NULL};
static const char *const kinds[] = {"exception", "sync-error", "run-status",
                                    "hcw-code", "aad-code", "ndr",
                                    "error-id", "event",
                                    "status-detail", NULL};

static int token_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static unsigned long long name_hash(const char *s, size_t n)
{
    return mt_hash(s, n, MT_HASH_SEED);
}

int mt_names_lookup(const struct mt_names *nm, const char *s, size_t len)
{
    size_t mask, i;

    if (nm->table_size == 0) {
        return -1;
    }
    mask = nm->table_size - 1;
    for (i = (size_t)name_hash(s, len) & mask; nm->table[i] != 0;
         i = (i + 1) & mask) {
        const struct mt_name *x = &nm->v[nm->table[i] - 1];
        if (strlen(x->name) == len && memcmp(x->name, s, len) == 0) {
            return (int)(nm->table[i] - 1);
        }
    }
    return -1;
}

/* A name the token scan can find is one token, not starting or ending
 * with '.' or '-' (those are stripped from tokens). Events are looked up
 * by source and id instead. */
static int scannable(const char *name)
{
    size_t n = strlen(name), i;

    if (n == 0 || name[0] == '.' || name[0] == '-' || name[n - 1] == '.' ||
        name[n - 1] == '-') {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!token_byte((unsigned char)name[i])) {
            return 0;
        }
    }
    return 1;
}

static int event_form(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *p;

    if (slash == NULL || slash == name || slash[1] == '\0') {
        return 0;
    }
    for (p = slash + 1; *p; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
    }
    return 1;
}

static int known_kind(const char *kind)
{
    int i;

    for (i = 0; kinds[i]; i++) {
        if (strcmp(kinds[i], kind) == 0) {
            return 1;
        }
    }
    return 0;
}

static void insert(struct mt_names *nm, size_t idx)
{
    size_t mask = nm->table_size - 1, k;
    const char *name = nm->v[idx].name;

    for (k = (size_t)name_hash(name, strlen(name)) & mask;
         nm->table[k] != 0; k = (k + 1) & mask) {
    }
    nm->table[k] = idx + 1;
}

/* Keeps the table at most half full. */
static int grow_table(struct mt_names *nm)
{
    size_t size = nm->table_size ? nm->table_size : 64, i;

    if (nm->n * 2 <= nm->table_size) {
        insert(nm, nm->n - 1);
        return 0;
    }
    while (size < nm->n * 2) {
        size *= 2;
    }
    mt_free(nm->table);
    nm->table = mt_calloc(size, sizeof(*nm->table));
    nm->table_size = nm->table ? size : 0;
    if (nm->table == NULL) {
        return -1;
    }
    for (i = 0; i < nm->n; i++) {
        insert(nm, i);
    }
    return 0;
}

/* Checks one entry; returns 1 when it can be kept. */
static int check_entry(json_t *o, const char *file, size_t idx,
                       struct mt_problems *probs)
{
    const char *name = json_is_object(o) ? mt_json_str(o, "name") : NULL;
    const char *kind = name ? mt_json_str(o, "kind") : NULL;
    json_t *art = name ? json_object_get(o, "article") : NULL;

    if (name == NULL || kind == NULL || mt_json_str(o, "meaning") == NULL ||
        art == NULL || !(json_is_string(art) || json_is_null(art))) {
        mt_problems_add(probs, "%s: name entry %zu needs name, kind, meaning "
                               "and article (an id or null)",
                        file, idx);
        return 0;
    }
    if (mt_datafile_check_keys(o, name_keys, file, name, probs) != 0) {
        return 0;
    }
    if (!known_kind(kind)) {
        mt_problems_add(probs, "%s: %s: unknown kind \"%s\"", file, name,
                        kind);
        return 0;
    }
    if (json_is_null(art) && mt_json_str(o, "no_article") == NULL) {
        mt_problems_add(probs, "%s: %s: article is null but no_article does "
                               "not say why",
                        file, name);
        return 0;
    }
    if (strcmp(kind, "event") == 0 ? !event_form(name) : !scannable(name)) {
        mt_problems_add(probs, "%s: %s: %s", file, name,
                        strcmp(kind, "event") == 0
                            ? "an event is written Source/Id (ADSync/6941)"
                            : "not one token of [A-Za-z0-9_.-]: a scan "
                              "could never find it");
        return 0;
    }
    return 1;
}

/* The strings of one entry of each kind, freed by a failed add and by
 * mt_names_free. */
static void name_free(struct mt_name *x)
{
    mt_free(x->name);
    mt_free(x->kind);
    mt_free(x->meaning);
    mt_free(x->article);
    mt_free(x->file);
}

static void no_name_free(struct mt_no_name *x)
{
    mt_free(x->article);
    mt_free(x->reason);
    mt_free(x->file);
}

static void cue_free(struct mt_cue *x)
{
    mt_free(x->name);
    mt_free(x->cue);
    mt_free(x->article);
    mt_free(x->why);
    mt_free(x->file);
}

static int add_entry(struct mt_names *nm, json_t *o, const char *file)
{
    struct mt_name *x;
    const char *art = mt_json_str(o, "article");

    if (nm->n == nm->alloc) {
        size_t n = nm->alloc ? nm->alloc * 2 : 256;
        struct mt_name *grown = mt_realloc(nm->v, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        nm->v = grown;
        nm->alloc = n;
    }
    x = &nm->v[nm->n];
    memset(x, 0, sizeof(*x));
    x->name = mt_strdup(mt_json_str(o, "name"));
    x->kind = mt_strdup(mt_json_str(o, "kind"));
    x->meaning = mt_strdup(mt_json_str(o, "meaning"));
    x->article = art ? mt_strdup(art) : NULL;
    x->file = mt_strdup(file);
    x->article_index = -1;
    x->sig = -1;
    if (x->name == NULL || x->kind == NULL || x->meaning == NULL ||
        x->file == NULL || (art != NULL && x->article == NULL)) {
        name_free(x);
        return -1;
    }
    nm->n++;
    return 0;
}

const struct mt_no_name *mt_names_no_name(const struct mt_names *nm,
                                          const char *article)
{
    size_t i;

    for (i = 0; i < nm->nno_name; i++) {
        if (strcmp(nm->no_name[i].article, article) == 0) {
            return &nm->no_name[i];
        }
    }
    return NULL;
}

static int add_no_name(struct mt_names *nm, json_t *o, const char *file,
                       size_t idx, struct mt_problems *probs)
{
    const char *art = json_is_object(o) ? mt_json_str(o, "article") : NULL;
    const char *reason = art ? mt_json_str(o, "reason") : NULL;
    struct mt_no_name *x, *grown;

    if (art == NULL || reason == NULL) {
        mt_problems_add(probs, "%s: no_name entry %zu needs article and "
                               "reason",
                        file, idx);
        return 0;
    }
    if (mt_datafile_check_keys(o, no_name_keys, file, art, probs) != 0) {
        return 0;
    }
    if (mt_names_no_name(nm, art) != NULL) {
        mt_problems_add(probs, "%s: %s: listed twice in no_name", file, art);
        return 0;
    }
    grown = mt_realloc(nm->no_name, (nm->nno_name + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    nm->no_name = grown;
    x = &nm->no_name[nm->nno_name];
    x->article = mt_strdup(art);
    x->reason = mt_strdup(reason);
    x->file = mt_strdup(file);
    if (x->article == NULL || x->reason == NULL || x->file == NULL) {
        no_name_free(x);
        return -1;
    }
    nm->nno_name++;
    return 0;
}

static int add_cue(struct mt_names *nm, json_t *o, const char *file,
                   size_t idx, struct mt_problems *probs)
{
    const char *name = json_is_object(o) ? mt_json_str(o, "name") : NULL;
    const char *cue = name ? mt_json_str(o, "cue") : NULL;
    json_t *art = name ? json_object_get(o, "article") : NULL;
    struct mt_cue *x, *grown;

    if (name == NULL || cue == NULL || mt_json_str(o, "why") == NULL ||
        art == NULL || !(json_is_string(art) || json_is_null(art)) ||
        strlen(name) < 4 || strlen(cue) < 3) {
        mt_problems_add(probs, "%s: cue entry %zu needs name (4 or more "
                               "characters), cue (3 or more), why and "
                               "article (an id or null)",
                        file, idx);
        return 0;
    }
    if (mt_datafile_check_keys(o, cue_keys, file, name, probs) != 0) {
        return 0;
    }
    grown = mt_realloc(nm->cues, (nm->ncues + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    nm->cues = grown;
    x = &nm->cues[nm->ncues];
    memset(x, 0, sizeof(*x));
    x->name = mt_strdup(name);
    x->cue = mt_strdup(cue);
    x->article = json_is_string(art) ? mt_strdup(json_string_value(art))
                                     : NULL;
    x->why = mt_strdup(mt_json_str(o, "why"));
    x->file = mt_strdup(file);
    x->article_index = -1;
    x->sig = -1;
    if (x->name == NULL || x->cue == NULL || x->why == NULL ||
        x->file == NULL || (json_is_string(art) && x->article == NULL)) {
        cue_free(x);
        return -1;
    }
    nm->ncues++;
    return 0;
}

static int load_file(struct mt_names *nm, const char *path,
                     struct mt_problems *probs)
{
    json_t *root = mt_datafile_load(path, probs), *list, *none, *cues, *o;
    size_t i;
    int rc = 0;

    if (root == NULL) {
        return 0;
    }
    mt_datafile_check_keys(root, table_keys, path, "table", probs);
    list = json_object_get(root, "names");
    none = json_object_get(root, "no_name");
    cues = json_object_get(root, "cues");
    if (json_integer_value(json_object_get(root, "schema")) != 1 ||
        mt_json_str(root, "table") == NULL ||
        (list == NULL && none == NULL && cues == NULL) ||
        (list != NULL && !json_is_array(list)) ||
        (none != NULL && !json_is_array(none)) ||
        (cues != NULL && !json_is_array(cues))) {
        mt_problems_add(probs, "%s: needs \"schema\": 1, a table name and a "
                               "names list (or a no_name or cues list)",
                        path);
        json_decref(root);
        return 0;
    }
    nm->files++;
    json_array_foreach(list, i, o) {
        const char *name;
        if (!check_entry(o, path, i, probs)) {
            continue;
        }
        name = mt_json_str(o, "name");
        if (mt_names_lookup(nm, name, strlen(name)) >= 0) {
            mt_problems_add(probs, "%s: %s: duplicate name", path, name);
            continue;
        }
        if (add_entry(nm, o, path) != 0 || grow_table(nm) != 0) {
            rc = -1;
            break;
        }
    }
    json_array_foreach(none, i, o) {
        if (rc == 0 && add_no_name(nm, o, path, i, probs) != 0) {
            rc = -1;
        }
    }
    json_array_foreach(cues, i, o) {
        if (rc == 0 && add_cue(nm, o, path, i, probs) != 0) {
            rc = -1;
        }
    }
    json_decref(root);
    return rc;
}

/* The next token of [A-Za-z0-9_.-] at or after text[i]: sets [*b, *e)
 * without the dots and dashes around it ("...Exception." ends a
 * sentence; "--> X" leads with dashes) and returns where the scan goes
 * on. */
static size_t next_token(const char *text, size_t n, size_t i, size_t *b,
                         size_t *e)
{
    while (i < n && !token_byte((unsigned char)text[i])) {
        i++;
    }
    *b = i;
    while (i < n && token_byte((unsigned char)text[i])) {
        i++;
    }
    *e = i;
    while (*b < *e && (text[*b] == '.' || text[*b] == '-')) {
        (*b)++;
    }
    while (*e > *b && (text[*e - 1] == '.' || text[*e - 1] == '-')) {
        (*e)--;
    }
    return i;
}

/* ---- Folded spellings ------------------------------------------------
 * Letters and digits of a name, lower-cased, into out (at most max - 1
 * bytes); returns the folded length, or max when it does not fit. */
static size_t fold(const char *s, size_t n, char *out, size_t max)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = mt_ascii_lower((unsigned char)s[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            continue;
        }
        if (k + 1 >= max) {
            return max;
        }
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return k;
}

#define FOLD_MAX 128

static int build_folded(struct mt_names *nm)
{
    size_t size = 64, i;

    while (size < nm->n * 2) {
        size *= 2;
    }
    nm->folded = mt_calloc(size, sizeof(*nm->folded));
    if (nm->folded == NULL) {
        return -1;
    }
    nm->folded_size = size;
    for (i = 0; i < nm->n; i++) {
        char f[FOLD_MAX];
        size_t len, k, mask = size - 1;
        if (strcmp(nm->v[i].kind, "event") == 0) {
            continue;
        }
        len = fold(nm->v[i].name, strlen(nm->v[i].name), f, sizeof(f));
        if (len < MT_NAMES_FOLD_MIN || len >= sizeof(f)) {
            continue;
        }
        /* The first name of a folded spelling keeps it (load order). */
        for (k = (size_t)name_hash(f, len) & mask; nm->folded[k] != 0;
             k = (k + 1) & mask) {
        }
        nm->folded[k] = i + 1;
    }
    return 0;
}

/* The name whose folded spelling is f (len bytes), or -1. */
static int folded_lookup(const struct mt_names *nm, const char *f, size_t len)
{
    size_t mask, k;

    if (nm->folded_size == 0) {
        return -1;
    }
    mask = nm->folded_size - 1;
    for (k = (size_t)name_hash(f, len) & mask; nm->folded[k] != 0;
         k = (k + 1) & mask) {
        const char *name = nm->v[nm->folded[k] - 1].name;
        char g[FOLD_MAX];
        if (fold(name, strlen(name), g, sizeof(g)) == len &&
            memcmp(g, f, len) == 0) {
            return (int)(nm->folded[k] - 1);
        }
    }
    return -1;
}

/* An identifier rather than a word: a capital after the first letter, or
 * an underscore or dash inside. */
static int identifier_like(const char *t, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++) {
        if ((t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' || t[i] == '-') {
            return 1;
        }
    }
    return 0;
}

int mt_names_find_folded(const struct mt_names *nm, const char *text,
                         size_t n, size_t *start, size_t *len)
{
    size_t i = 0;

    while (i < n) {
        size_t b, e, flen;
        char f[FOLD_MAX];
        int k;

        i = next_token(text, n, i, &b, &e);
        /* A dotted class name: its last part (Namespace.XException). */
        for (k = (int)(e - b); k > 0 && text[b + (size_t)k - 1] != '.'; k--) {
        }
        b += (size_t)k;
        if (e - b < MT_NAMES_FOLD_MIN || !identifier_like(text + b, e - b)) {
            continue;
        }
        flen = fold(text + b, e - b, f, sizeof(f));
        if (flen >= sizeof(f)) {
            continue;
        }
        k = folded_lookup(nm, f, flen);
        if (k >= 0 && nm->v[k].sig >= 0) {
            *start = b;
            *len = e - b;
            return k;
        }
    }
    return -1;
}

int mt_names_load(struct mt_names *nm, const char *kb_dir,
                  struct mt_problems *probs)
{
    char *dir = mt_asprintf("%s/names", kb_dir), **files = NULL;
    int n, i, rc = 0;
    size_t k;

    if (dir == NULL) {
        return -1;
    }
    n = mt_datafile_list(dir, &files); /* the folder is optional */
    for (i = 0; i < n && rc == 0; i++) {
        char *path = mt_asprintf("%s/%s", dir, files[i]);
        rc = path != NULL ? load_file(nm, path, probs) : -1;
        mt_free(path);
    }
    if (n > 0) {
        mt_datafile_list_free(files, n);
    }
    mt_free(dir);
    if (rc == 0 && build_folded(nm) != 0) {
        rc = -1;
    }
    nm->min_len = (size_t)-1;
    nm->max_len = 0;
    for (k = 0; k < nm->n; k++) {
        size_t len = strlen(nm->v[k].name);
        if (strcmp(nm->v[k].kind, "event") == 0) {
            continue;
        }
        nm->min_len = len < nm->min_len ? len : nm->min_len;
        nm->max_len = len > nm->max_len ? len : nm->max_len;
    }
    return rc;
}

void mt_names_free(struct mt_names *nm)
{
    size_t i;

    for (i = 0; i < nm->n; i++) {
        name_free(&nm->v[i]);
    }
    for (i = 0; i < nm->nno_name; i++) {
        no_name_free(&nm->no_name[i]);
    }
    for (i = 0; i < nm->ncues; i++) {
        cue_free(&nm->cues[i]);
    }
    mt_free(nm->cues);
    mt_free(nm->similar_sig);
    mt_free(nm->v);
    mt_free(nm->table);
    mt_free(nm->folded);
    mt_free(nm->no_name);
    memset(nm, 0, sizeof(*nm));
}

/* The worst severity of the article's own finding signatures, or -1. */
static int article_severity(const struct mt_patterns *p, int art)
{
    int worst = -1;
    size_t i;

    for (i = 0; i < p->n; i++) {
        const struct mt_signature *s = &p->sigs[i];
        if (s->kind == MT_SIG_FINDING && s->article_index == art &&
            s->severity > worst) {
            worst = s->severity;
        }
    }
    return worst;
}

/* The derived signature for (article, event or not), made on first use. */
static int derived_sig(struct mt_patterns *p, const struct mt_kb *kb,
                       int art, int event)
{
    const char *prefix = event ? "event." : "name.";
    const char *id = kb->articles[art].id;
    struct mt_signature *s;
    size_t i;
    int sev;

    for (i = p->n; i < p->n + p->nderived; i++) {
        if (p->sigs[i].derived == 1 && p->sigs[i].article_index == art &&
            p->sigs[i].object_fallback == event) {
            return (int)i;
        }
    }
    if (mt_patterns_reserve(p) != 0) {
        return -1;
    }
    s = &p->sigs[p->n + p->nderived];
    memset(s, 0, sizeof(*s));
    s->id = mt_asprintf("%s%s", prefix, id);
    s->file = mt_strdup("kb/names");
    s->article = mt_strdup(id);
    if (s->id == NULL || s->file == NULL || s->article == NULL) {
        mt_free(s->id);
        mt_free(s->file);
        mt_free(s->article);
        return -1;
    }
    s->rev = 1;
    s->kind = MT_SIG_FINDING;
    s->article_index = art;
    sev = article_severity(p, art);
    s->severity = sev >= 0 ? sev : 1; /* warning */
    /* An event id says which component complained, not what is wrong:
     * anything else found in the same object explains it better. */
    s->object_fallback = event;
    s->derived = 1;
    return (int)(p->n + p->nderived++);
}

/* "similar.<article>" for every article: what a resemblance finding
 * reports. An object fallback (a resemblance is weaker evidence than
 * anything else found in the same object), severity as derived_sig. */
static int similar_sigs(struct mt_names *nm, const struct mt_kb *kb,
                        struct mt_patterns *p)
{
    size_t a;

    nm->similar_sig = mt_calloc(kb->n + 1, sizeof(*nm->similar_sig));
    if (nm->similar_sig == NULL) {
        return -1;
    }
    for (a = 0; a < kb->n; a++) {
        struct mt_signature *s;
        int sev;
        if (mt_patterns_reserve(p) != 0) {
            return -1;
        }
        s = &p->sigs[p->n + p->nderived];
        memset(s, 0, sizeof(*s));
        s->id = mt_asprintf("similar.%s", kb->articles[a].id);
        s->file = mt_strdup("kb");
        s->article = mt_strdup(kb->articles[a].id);
        if (s->id == NULL || s->file == NULL || s->article == NULL) {
            mt_free(s->id);
            mt_free(s->file);
            mt_free(s->article);
            return -1;
        }
        s->rev = 1;
        s->kind = MT_SIG_FINDING;
        s->article_index = (int)a;
        sev = article_severity(p, (int)a);
        s->severity = sev >= 0 ? sev : 1; /* warning */
        s->object_fallback = 1;
        s->derived = 2;
        nm->similar_sig[a] = (int)(p->n + p->nderived++);
    }
    return 0;
}

int mt_names_derive(struct mt_names *nm, const struct mt_kb *kb,
                    struct mt_patterns *p, struct mt_problems *probs)
{
    size_t i;

    for (i = 0; i < nm->n; i++) {
        struct mt_name *x = &nm->v[i];
        if (x->article == NULL) {
            continue;
        }
        x->article_index = mt_kb_find(kb, x->article);
        if (x->article_index < 0) {
            mt_problems_add(probs, "%s: %s: article \"%s\" does not exist",
                            x->file, x->name, x->article);
            continue;
        }
        x->sig = derived_sig(p, kb, x->article_index,
                             strcmp(x->kind, "event") == 0);
        if (x->sig < 0) {
            return -1;
        }
    }
    for (i = 0; i < nm->ncues; i++) {
        struct mt_cue *c = &nm->cues[i];
        if (c->article == NULL) {
            continue;
        }
        c->article_index = mt_kb_find(kb, c->article);
        if (c->article_index < 0) {
            mt_problems_add(probs, "%s: cue %s / %s: article \"%s\" does not "
                                   "exist",
                            c->file, c->name, c->cue, c->article);
            continue;
        }
        c->sig = derived_sig(p, kb, c->article_index, 0);
        if (c->sig < 0) {
            return -1;
        }
    }
    return similar_sigs(nm, kb, p);
}

static int word_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static int same_folded(unsigned char a, unsigned char b)
{
    return mt_ascii_lower(a) == mt_ascii_lower(b);
}

/* Where word (case folded, whole words; a trailing '*' lets the last word
 * run on) first occurs in text, or (size_t)-1. */
static size_t find_word(const char *text, size_t n, const char *word)
{
    size_t len = strlen(word), i, k;
    int open_end = len > 0 && word[len - 1] == '*';

    if (open_end) {
        len--;
    }
    for (i = 0; len > 0 && i + len <= n; i++) {
        if ((i > 0 && word_char((unsigned char)text[i - 1] ) &&
             word_char((unsigned char)word[0])) ||
            !same_folded((unsigned char)text[i], (unsigned char)word[0])) {
            continue;
        }
        for (k = 1; k < len && same_folded((unsigned char)text[i + k],
                                           (unsigned char)word[k]);
             k++) {
        }
        if (k == len &&
            (open_end || i + len == n ||
             !word_char((unsigned char)text[i + len]) ||
             !word_char((unsigned char)word[len - 1]))) {
            return i;
        }
    }
    return (size_t)-1;
}

int mt_names_cue(const struct mt_names *nm, const char *text, size_t n,
                 size_t *start, size_t *len)
{
    size_t i;

    for (i = 0; i < nm->ncues; i++) {
        const struct mt_cue *c = &nm->cues[i];
        size_t at = find_word(text, n, c->name);
        if (at != (size_t)-1 && find_word(text, n, c->cue) != (size_t)-1) {
            *start = at;
            *len = strlen(c->name);
            return (int)i;
        }
    }
    return -1;
}

/* Looks a token up whole, then from each dot on where a namespace part
 * starts (a letter or '_'): "Microsoft.Exchange.XException" holds
 * "XException", but the address 10.5.7.57 does not hold the status code
 * 5.7.57, nor a version number its last parts. */
static int token_name(const struct mt_names *nm, const char *t, size_t n,
                      int any, size_t *start, size_t *len)
{
    size_t off = 0;

    for (;;) {
        size_t rest = n - off;
        int part = off == 0 || !(t[off] >= '0' && t[off] <= '9');
        if (part && rest >= nm->min_len && rest <= nm->max_len) {
            int k = mt_names_lookup(nm, t + off, rest);
            if (k >= 0 && (any || nm->v[k].sig >= 0)) {
                *start = off;
                *len = rest;
                return k;
            }
        }
        while (off < n && t[off] != '.') {
            off++;
        }
        if (off >= n) {
            return -1;
        }
        off++;
    }
}

int mt_names_find_from(const struct mt_names *nm, const char *text,
                       size_t n, int any, size_t *start, size_t *len)
{
    size_t i = 0;

    if (nm->n == 0 || nm->max_len == 0) {
        return -1;
    }
    while (i < n) {
        size_t b, e;
        int k;

        i = next_token(text, n, i, &b, &e);
        if (e - b < nm->min_len) {
            continue;
        }
        k = token_name(nm, text + b, e - b, any, start, len);
        if (k >= 0) {
            *start += b;
            return k;
        }
    }
    return -1;
}

int mt_names_find(const struct mt_names *nm, const char *text, size_t n,
                  size_t *start, size_t *len)
{
    return mt_names_find_from(nm, text, n, 0, start, len);
}

int mt_names_event(const struct mt_names *nm, const char *source,
                   const char *id)
{
    char key[256];
    int n = snprintf(key, sizeof(key), "%s/%s", source, id);

    if (n <= 0 || (size_t)n >= sizeof(key)) {
        return -1;
    }
    return mt_names_lookup(nm, key, (size_t)n);
}
