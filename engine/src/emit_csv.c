/* emit_csv.c: the report as a spreadsheet: one row per mailbox and
 * problem (a problem without a mailbox, such as a Hybrid Configuration
 * Wizard error, gets one row with the mailbox empty), then one row per
 * failed mailbox no known problem explains. RFC 4180: CRLF line ends,
 * every cell quoted with quotes doubled; UTF-8 with a BOM so Excel reads
 * it as such; a cell that starts with = + - @ (or a tab or carriage
 * return) gets a leading ' so Excel does not run it as a formula. */
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

/* Longest cell: Excel keeps 32767 characters. */
#define CSV_CELL_MAX 32000

static void put_cell(FILE *out, const char *s, int last)
{
    size_t i;

    fputc('"', out);
    if (s != NULL) {
        if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0') {
            fputc('\'', out);
        }
        for (i = 0; s[i] && i < CSV_CELL_MAX; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"') {
                fputs("\"\"", out);
            } else if (c < 0x20 && c != '\n' && c != '\t') {
                fputc('?', out);
            } else {
                fputc(c, out);
            }
        }
        while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80) {
            fputc(s[i++], out); /* finish a character cut at the limit */
        }
    }
    fputc('"', out);
    fputs(last ? "\r\n" : ",", out);
}

static void put_number(FILE *out, unsigned long long n)
{
    fprintf(out, "\"%llu\",", n);
}

/* The commands of the article filled for group g, one a line. */
static char *commands_of(const struct mt_report *r, size_t g)
{
    const struct mt_article *a =
        mt_engine_article_of(r->e, r->e->res.agg.groups[g].first.sig);

    return a ? mt_report_fill_lines(r, g, &a->commands, "\n", "", NULL)
             : mt_strdup("");
}

static void put_row(FILE *out, const struct mt_report *r,
                    const struct mt_problem *pr, size_t g, size_t person,
                    uint64_t count)
{
    const struct mt_engine *e = r->e;
    const struct mt_group *gr = &e->res.agg.groups[g];
    const struct mt_article *a = mt_engine_article_of(e, gr->first.sig);
    const struct mt_person *p = person != MT_NONE ? &r->people[person] : NULL;
    char *origin = mt_asprintf("%s:%llu", gr->first.origin,
                               (unsigned long long)gr->first.line);
    char *cmds = commands_of(r, g);

    put_number(out, pr->rank);
    put_number(out, pr->score);
    put_cell(out, mt_severity_name((enum mt_severity)pr->worst), 0);
    put_cell(out, a ? a->id : e->patterns.sigs[gr->first.sig].article, 0);
    put_cell(out, a ? a->title : NULL, 0);
    put_cell(out, p ? p->name : NULL, 0);
    put_cell(out, p ? p->status : NULL, 0);
    put_cell(out, p && p->batch ? mt_name_strip(p->batch) : NULL, 0);
    put_number(out, count);
    put_cell(out, origin, 0);
    put_cell(out, gr->first.message, 0);
    put_cell(out, a ? a->summary : NULL, 0);
    put_cell(out, cmds, 1);
    mt_free(origin);
    mt_free(cmds);
}

/* Groups of one problem ordered by mailbox, so each mailbox is one run. */
static const struct mt_report *sort_report;

static int compare_by_person(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    size_t pa = sort_report->group_person[a],
           pb = sort_report->group_person[b];
    int c;

    if (pa != pb) {
        if (pa == MT_NONE || pb == MT_NONE) {
            return pa == MT_NONE ? 1 : -1;
        }
        c = strcmp(sort_report->people[pa].name, sort_report->people[pb].name);
        if (c != 0) {
            return c;
        }
        return pa < pb ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

void mt_emit_csv(struct mt_engine *e, FILE *out)
{
    static const char *const header[] = {
        "rank",     "score",   "severity",   "article", "title",
        "mailbox",  "status",  "batch",      "occurrences", "first_seen",
        "message",  "summary", "commands"};
    struct mt_report *r = mt_report_build(e);
    const struct mt_person *p;
    size_t *run, i, k, h;

    if (r == NULL) {
        return;
    }
    run = mt_malloc((r->ngroups + 1) * sizeof(*run));
    fputs("\xef\xbb\xbf", out); /* BOM: Excel then reads UTF-8 */
    for (h = 0; h < sizeof(header) / sizeof(header[0]); h++) {
        put_cell(out, header[h], h + 1 == sizeof(header) / sizeof(header[0]));
    }
    sort_report = r;
    for (i = 0; run != NULL && i < r->nproblems; i++) {
        const struct mt_problem *pr = &r->problems[i];
        size_t n = pr->to - pr->from;

        memcpy(run, r->groups + pr->from, n * sizeof(*run));
        qsort(run, n, sizeof(*run), compare_by_person);
        for (k = 0; k < n;) {
            size_t person = r->group_person[run[k]], j = k;
            uint64_t count = 0;
            /* Groups without a mailbox: one row each. */
            do {
                count += e->res.agg.groups[run[j]].count;
                j++;
            } while (person != MT_NONE && j < n &&
                     r->group_person[run[j]] == person);
            put_row(out, r, pr, run[k], person, count);
            k = j;
        }
    }
    sort_report = NULL;
    for (i = 0; (p = mt_report_next_unexplained(r, &i)) != NULL;) {
        put_cell(out, NULL, 0);
        put_cell(out, NULL, 0);
        put_cell(out, NULL, 0);
        put_cell(out, NULL, 0);
        put_cell(out, "Failed, cause not recognised", 0);
        put_cell(out, p->name, 0);
        put_cell(out, p->status, 0);
        put_cell(out, p->batch ? mt_name_strip(p->batch) : NULL, 0);
        put_cell(out, NULL, 0);
        put_cell(out, NULL, 0);
        put_cell(out, p->error, 0);
        put_cell(out, NULL, 0);
        put_cell(out, NULL, 1);
    }
    mt_free(run);
    mt_report_free(r);
}
