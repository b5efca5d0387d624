/* emit_possible.c: possible matches and name matches in the reports.
 * Possible matches are written apart from the problems (text: a section
 * of their own after them; JSON: a "possible" array, present only when
 * there is one; NDJSON: "type": "possible" lines before the summary), at
 * severity info, and never count for --fail-on. */
#include <jansson.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

/* Possible matches listed in text output. */
#define TEXT_POSSIBLE 10

/* Scores are shown as whole percents so output stays byte-identical. */
static int percent(double score)
{
    return (int)(score * 100.0 + 0.5);
}

void mt_put_name_note(FILE *out, const struct mt_engine *e,
                      const struct mt_finding *f)
{
    const char *name = mt_fields_get(&f->fields, "name");
    const char *resemblance = mt_fields_get(&f->fields, "resemblance");
    int k;

    if (f->sig >= 0 && e->patterns.sigs[f->sig].derived == 2 &&
        resemblance != NULL) {
        fputs("  recognised by resemblance: ", out);
        mt_put_clean(out, resemblance, 8);
        fputs(" like the article's own samples (no signature or name "
              "matched; check before acting)\n",
              out);
        return;
    }
    if (f->sig < 0 || !e->patterns.sigs[f->sig].derived || name == NULL) {
        return;
    }
    k = mt_names_lookup(&e->names, name, strlen(name));
    fputs("  recognised by name: ", out);
    mt_put_clean(out, name, 200);
    if (k >= 0) {
        fprintf(out, " (%s): %s", e->names.v[k].kind, e->names.v[k].meaning);
    }
    fputc('\n', out);
}

void mt_put_possible_text(FILE *out, const struct mt_engine *e)
{
    size_t *order, i;

    if (e->res.possible.n == 0 ||
        (order = mt_possibles_sorted(&e->res.possible)) == NULL) {
        return;
    }
    fprintf(out,
            "\nPossible matches: %llu unrecognised line%s resemble%s an "
            "article (not counted as findings; check before acting)\n",
            (unsigned long long)e->res.possible.lines,
            e->res.possible.lines == 1 ? "" : "s",
            e->res.possible.lines == 1 ? "s" : "");
    for (i = 0; i < e->res.possible.n && i < TEXT_POSSIBLE; i++) {
        const struct mt_possible *p = &e->res.possible.items[order[i]];
        const struct mt_article *a = &e->kb.articles[p->article];
        fprintf(out, "  %5llux  %3d%%  %s  [%s]\n",
                (unsigned long long)p->count, percent(p->best_score),
                a->title, a->id);
        fputs("         e.g. ", out);
        mt_put_clean(out, p->origin, 300);
        fprintf(out, ":%llu: ", (unsigned long long)p->line);
        mt_put_clean(out, p->message, 160);
        fputc('\n', out);
    }
    if (e->res.possible.n > TEXT_POSSIBLE) {
        fprintf(out, "  ... and %zu more articles (see --format json)\n",
                e->res.possible.n - TEXT_POSSIBLE);
    }
    mt_free(order);
}

static json_t *jpossible(const struct mt_engine *e,
                         const struct mt_possible *p)
{
    const struct mt_article *a = &e->kb.articles[p->article];
    json_t *o = json_object();

    json_object_set_new(o, "article", mt_jstr(a->id));
    json_object_set_new(o, "title", mt_jstr(a->title));
    json_object_set_new(o, "severity", mt_jstr("info"));
    json_object_set_new(o, "score", json_integer(percent(p->best_score)));
    json_object_set_new(o, "count", json_integer((json_int_t)p->count));
    json_object_set_new(o, "origin", mt_jorigin(p->origin, p->line));
    json_object_set_new(o, "message", mt_jstr(p->message));
    json_object_set_new(o, "summary", mt_jstr(a->summary));
    return o;
}

json_t *mt_jpossibles(const struct mt_engine *e)
{
    json_t *arr;
    size_t *order, i;

    if (e->res.possible.n == 0 ||
        (order = mt_possibles_sorted(&e->res.possible)) == NULL) {
        return NULL;
    }
    arr = json_array();
    for (i = 0; i < e->res.possible.n; i++) {
        json_array_append_new(arr,
                              jpossible(e, &e->res.possible.items[order[i]]));
    }
    mt_free(order);
    return arr;
}

void mt_emit_ndjson_possibles(const struct mt_engine *e, FILE *out)
{
    size_t *order, i;

    if (e->res.possible.n == 0 ||
        (order = mt_possibles_sorted(&e->res.possible)) == NULL) {
        return;
    }
    for (i = 0; i < e->res.possible.n; i++) {
        json_t *o = json_object(),
               *body = jpossible(e, &e->res.possible.items[order[i]]);
        json_object_set_new(o, "type", mt_jstr("possible"));
        json_object_update(o, body);
        json_decref(body);
        json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', out);
        json_decref(o);
    }
    mt_free(order);
}
