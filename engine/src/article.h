/* article.h: one knowledge-base article (kb/<family>.json, kb/README.md)
 * as typed fields, built and checked once from its JSON object; the
 * command templates filled with values from logs; and the one place that
 * decides which parts of an article a report shows, in what order and
 * under which label. The emitters and the lookup commands read this
 * model, never the JSON. */
#ifndef MT_ARTICLE_H
#define MT_ARTICLE_H

#include <jansson.h>
#include <stddef.h>

#include "fields.h"
#include "problems.h"

struct mt_buf;

/* A list of strings of the article: ordered, each non-empty. */
struct mt_strlist {
    const char **v; /* borrowed from the article's JSON; NULL when n = 0 */
    size_t n;
};

struct mt_article {
    /* Required: the loader refuses an article without them. */
    const char *id;
    const char *title;
    const char *summary;
    const char *cause;
    struct mt_strlist resolution; /* ordered steps, at least one */
    struct mt_strlist refs;       /* sources, at least one */
    /* Optional: empty lists and NULL when the article has none. */
    struct mt_strlist commands; /* PowerShell templates with {placeholders} */
    struct mt_strlist verify;   /* checks afterwards, templates as above */
    const char *risk;
    struct mt_strlist codes;
    struct mt_strlist tags;
    int lookup_only;
    /* Where the article comes from, set by the kb loader (owned). */
    char *family;
    char *file;
    /* The object the strings above are borrowed from (one reference):
     * kept alive with the article, not read by anything else. */
    json_t *source;
};

/* Checks obj as an article of file (unknown keys, id form, required text,
 * lists of strings, risk a string) and, when it is sound, fills a from it.
 * Each defect is one line in probs ("file: id: what"). Returns the number
 * of defects; on any, or when memory runs out (-1), a is left empty. The
 * caller sets family and file. */
int mt_article_init(struct mt_article *a, json_t *obj, const char *file,
                    struct mt_problems *probs);
void mt_article_free(struct mt_article *a);

/* ---- command templates ---- */

/* Fills a command template's {placeholders} from over (may be NULL),
 * then fields, then context. Where the template quotes: in '...' a value
 * has its single quotes doubled (the typographic ones too) and control
 * characters dropped; bare, a value of letters, digits, '.', '_' and
 * inner '-' stays bare, others are put in single quotes; in "..." (which
 * PowerShell expands) a value with $, backtick, quotes or control
 * characters is refused and the placeholder stays visible. {mailbox}
 * loses a proxy prefix (SMTP:, X500: ...).
 * With visible (for people) an unfilled placeholder of the template is
 * made plain ({mailbox} -> MAILBOX, <your EWS host> -> YOUR_EWS_HOST) and
 * its word appended to visible (", "-separated, once each) for a
 * "replace ..." note; values are never rewritten. NULL keeps them as the
 * template writes them. */
char *mt_fill_command(const char *tmpl, const struct mt_fields *over,
                      const struct mt_fields *fields,
                      const struct mt_fields *context, struct mt_buf *visible);
/* mt_fill_command without over and visible. */
char *mt_fill_template(const char *tmpl, const struct mt_fields *fields,
                       const struct mt_fields *context);
/* Every template of list filled (as mt_fill_command), each followed by
 * end and separated by sep: "a\nb" with sep "\n", end "". */
char *mt_fill_lines(const struct mt_strlist *list, const char *sep,
                    const char *end, const struct mt_fields *over,
                    const struct mt_fields *fields,
                    const struct mt_fields *context, struct mt_buf *visible);
/* Prose: {mailbox} -> "the mailbox", <your EWS host> -> "your EWS host". */
char *mt_prose_placeholders(const char *text);

/* ---- rendering ---- */

/* How one format writes the parts of an article. A NULL callback leaves
 * its parts out. Labels come without punctuation ("What it means"). */
struct mt_article_style {
    void *ctx;
    /* summary ("What it means"), cause ("Why"), risk ("Risk") */
    void (*prose)(void *ctx, const char *label, const char *text);
    /* resolution ("Fix"): ordered steps */
    void (*steps)(void *ctx, const char *label,
                  const struct mt_strlist *steps);
    /* commands ("Commands") and verify ("Check afterwards"): templates */
    void (*commands)(void *ctx, const char *label,
                     const struct mt_strlist *templates);
    void (*verify)(void *ctx, const char *label,
                   const struct mt_strlist *templates);
    /* refs ("References") */
    void (*refs)(void *ctx, const char *label, const struct mt_strlist *refs);
};

/* Writes the body of a: summary, cause, fix, commands, checks, risk,
 * references, in that order, each part only when the article has it. */
void mt_article_render(const struct mt_article *a,
                       const struct mt_article_style *st);

#endif
