/* emit_md.c: the report as Markdown, to paste into a ticket: the summary,
 * the batch status, the fix-first table, each problem with its cause,
 * fix and commands, the mailboxes, the failed mailboxes without a known
 * cause. Log text is escaped so it stays text: | and ` cannot break a
 * table or a code span, < cannot open HTML, * _ [ ] cannot format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

#define MD_MAILBOXES 200
#define MD_TEXT 300

/* Text with Markdown's special characters escaped, control characters
 * and line ends as spaces, cut at max bytes. */
static void put_md(FILE *out, const char *s, size_t max)
{
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; s[i] && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            fputc(' ', out);
        } else if (c == '<') {
            fputs("&lt;", out);
        } else if (c == '>') {
            fputs("&gt;", out);
        } else if (c == '&') {
            fputs("&amp;", out);
        } else if (strchr("\\`*_[]|#!", c) != NULL) {
            fputc('\\', out);
            fputc(c, out);
        } else {
            fputc(c, out);
        }
    }
    while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80) {
        fputc(s[i++], out);
    }
    if (s[i]) {
        fputs("...", out);
    }
}

/* A code block: the fence is longer than any run of backticks inside. */
static void put_code(FILE *out, const char *code)
{
    size_t run = 0, longest = 0, i;
    const char *p;

    for (p = code; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest) {
            longest = run;
        }
    }
    for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++) {
        fputc('`', out);
    }
    fputs("powershell\n", out);
    for (p = code; *p; p++) {
        unsigned char c = (unsigned char)*p;
        fputc(c < 0x20 && c != '\n' ? '?' : (char)c, out);
    }
    for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++) {
        fputc('`', out);
    }
    fputs("\n\n", out);
}

static const struct mt_doc_markup md_markup = {
    .put = put_md,
    .label_open = "**",
    .label_close = ":** ",
    .prose_end = "\n\n",
    .steps_open = ":**\n\n",
    .step_open = NULL, /* numbered */
    .step_close = "\n",
    .steps_close = "\n",
    .commands_open = "",
    .commands_label_close = "",
    .commands_close = ":\n\n",
    .code_sep = "",
    .code_end = "\n",
    .code = put_code,
    .replace_open = "Replace ",
    .replace_close = " with your own values.\n\n"};

static void put_problem(FILE *out, const struct mt_report *r,
                        const struct mt_problem *pr, size_t *stamp)
{
    const struct mt_engine *e = r->e;
    const struct mt_group *first = &e->res.agg.groups[r->groups[pr->from]];
    const struct mt_article *a = mt_engine_article_of(e, first->first.sig);

    fprintf(out, "### %zu. ", pr->rank);
    put_md(out, a ? a->title : "(no article)", 200);
    fputs(" (", out);
    put_md(out, a ? a->id : e->patterns.sigs[first->first.sig].article, 100);
    fprintf(out, ")\n\n%s, score %llu, %llu occurrence%s",
            mt_severity_name((enum mt_severity)pr->worst),
            (unsigned long long)pr->score, (unsigned long long)pr->count,
            pr->count == 1 ? "" : "s");
    mt_put_problem_mailboxes(out, r, pr, stamp, MD_MAILBOXES, put_md);
    fputs("\n\nSeen: ", out);
    put_md(out, first->first.origin, 300);
    fprintf(out, ":%llu: ", (unsigned long long)first->first.line);
    put_md(out, first->first.message, MD_TEXT);
    fputs("\n\n", out);
    if (a != NULL) {
        mt_put_doc_article(out, r, pr, a, &md_markup);
    }
}

void mt_emit_markdown(struct mt_engine *e, FILE *out)
{
    struct mt_report *r = mt_report_build(e);
    struct mt_batch_status *b;
    const struct mt_person *p;
    size_t i, k, n, people, *stamp;

    if (r == NULL) {
        return;
    }
    people = mt_report_people_shown(r);
    fprintf(out,
            "## Migration triage\n\nmigtriage %s: %zu input%s, %llu "
            "finding%s in %zu problem%s, %zu mailbox%s.\n\n",
            MT_VERSION, e->ninputs, e->ninputs == 1 ? "" : "s",
            (unsigned long long)r->findings, r->findings == 1 ? "" : "s",
            r->nproblems, r->nproblems == 1 ? "" : "s", people,
            people == 1 ? "" : "es");
    if (r->filtered) {
        fputs("Filtered: ", out);
        mt_put_filters(out, &e->filters, put_md);
        fputs("\n\n", out);
    }
    b = mt_report_batches(r, &n);
    if (b != NULL && n > 0) {
        fputs("| Batch | Mailboxes | Status |\n|---|---:|---|\n", out);
        for (i = 0; i < n; i++) {
            fputs("| ", out);
            put_md(out, b[i].batch ? b[i].batch : "(none)", 200);
            fprintf(out, " | %zu | ", b[i].mailboxes);
            for (k = 0; k < b[i].nstatuses; k++) {
                fprintf(out, "%s%zu ", k ? ", " : "", b[i].statuses[k].count);
                put_md(out, b[i].statuses[k].word, 48);
            }
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }
    mt_free(b);
    if (r->nproblems > 0) {
        fputs("### Fix first\n\n| # | Severity | Problem | Mailboxes | "
              "Score |\n|---:|---|---|---:|---:|\n",
              out);
        for (i = 0; i < r->nproblems; i++) {
            const struct mt_problem *pr = &r->problems[i];
            const struct mt_group *g = &e->res.agg.groups[r->groups[pr->from]];
            const struct mt_article *a = mt_engine_article_of(e, g->first.sig);
            fprintf(out, "| %zu | %s | ", pr->rank,
                    mt_severity_name((enum mt_severity)pr->worst));
            put_md(out, a ? a->title : e->patterns.sigs[g->first.sig].article,
                   200);
            fprintf(out, " | %zu | %llu |\n", pr->mailboxes,
                    (unsigned long long)pr->score);
        }
        fputc('\n', out);
    }
    stamp = mt_calloc(r->npeople + 1, sizeof(*stamp));
    for (i = 0; stamp != NULL && i < r->nproblems; i++) {
        put_problem(out, r, &r->problems[i], stamp);
    }
    mt_free(stamp);
    for (i = 0, k = 0; (p = mt_report_next_unexplained(r, &i)) != NULL;) {
        if (k++ == 0) {
            fputs("### Failed, cause not recognised\n\n| Mailbox | Status | "
                  "Error |\n|---|---|---|\n",
                  out);
        }
        fputs("| ", out);
        put_md(out, p->name, 200);
        fputs(" | ", out);
        put_md(out, p->status, 100);
        fputs(" | ", out);
        put_md(out, p->error ? p->error : "no error line in the inputs",
               MD_TEXT);
        fputs(" |\n", out);
    }
    if (k > 0) {
        fputc('\n', out);
    }
    if (r->nproblems == 0 && k == 0) {
        fputs("No known problems found.\n", out);
    }
    mt_report_free(r);
}
