/* emit_text.c: the report for people: problems grouped by article, worst
 * first, each with how many occurrences and mailboxes, the cause, the fix,
 * and commands with the user's own values. Log text is stripped of control
 * characters so a crafted log cannot drive the terminal. */
#include <string.h>

#include "engine_private.h"
#include "strindex.h"
#include "util.h"

/* Mailboxes named per article before "and N more". */
#define TEXT_MAILBOXES 5
/* Distinct filled-in command sets shown per article. */
#define TEXT_COMMAND_SETS 3
#define TEXT_UNKNOWN 10
/* Mailboxes listed in the table of mailboxes with problems. */
#define TEXT_MAILBOX_ROWS 20
/* Examples with other values shown per article. */
#define TEXT_EXAMPLES 3
#define TEXT_MESSAGE 300

struct style {
    int color;
};

static const char *sev_color(int sev)
{
    static const char *const colors[] = {"\033[36m", "\033[33m", "\033[31m",
                                         "\033[1;31m"};
    return (unsigned)sev < 4 ? colors[sev] : "";
}

static void put_severity(FILE *out, const struct style *st, int sev)
{
    char label[16];
    size_t i;

    snprintf(label, sizeof(label), "%s", mt_severity_name(sev));
    for (i = 0; label[i]; i++) {
        label[i] = (char)(label[i] >= 'a' && label[i] <= 'z'
                              ? label[i] - 'a' + 'A'
                              : label[i]);
    }
    if (st->color) {
        fprintf(out, "%s%-8s\033[0m", sev_color(sev), label);
    } else {
        fprintf(out, "%-8s", label);
    }
}

static void put_lines(FILE *out, const char *text)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != NULL) {
        char *line = mt_strndup(text, (size_t)(nl - text));
        fputs("    ", out);
        mt_put_clean(out, line ? line : "", (size_t)-1);
        fputc('\n', out);
        mt_free(line);
        text = nl + 1;
    }
}

/* The problem whose article's commands are being written. */
struct problem_out {
    FILE *out;
    const struct mt_report *r;
    const struct mt_problem *pr;
};

/* Commands of the article filled from up to TEXT_COMMAND_SETS groups with
 * distinct results (groups of other mailboxes give other values). */
static void put_commands(void *ctx, const char *heading,
                         const struct mt_strlist *templates)
{
    const struct problem_out *po = ctx;
    const struct mt_report *r = po->r;
    FILE *out = po->out;
    char *seen[TEXT_COMMAND_SETS];
    size_t nseen = 0, i, k, extra = 0;
    struct mt_buf names;

    mt_buf_init(&names, 0);
    fprintf(out, "  %s:\n", heading);
    for (i = po->pr->from; i < po->pr->to; i++) {
        /* One per line, the unfilled placeholders made plain (MAILBOX)
         * and noted in names. */
        char *all = mt_report_fill_lines(r, r->groups[i], templates, "",
                                         "\n", &names);
        int dup = 0;

        for (k = 0; k < nseen && all != NULL; k++) {
            dup |= strcmp(seen[k], all) == 0;
        }
        if (all == NULL || dup) {
            mt_free(all);
        } else if (nseen < TEXT_COMMAND_SETS) {
            if (nseen > 0) {
                fputs("    --\n", out);
            }
            put_lines(out, all);
            seen[nseen++] = all;
        } else {
            extra++;
            mt_free(all);
        }
    }
    if (extra > 0) {
        fprintf(out, "    (%zu more variants: see --format json)\n", extra);
    }
    if (names.len > 0) {
        fputs("    (replace ", out);
        mt_put_clean(out, names.data, 300);
        fprintf(out, " with your own value%s)\n",
                strchr(names.data, ',') ? "s" : "");
    }
    for (k = 0; k < nseen; k++) {
        mt_free(seen[k]);
    }
    mt_buf_free(&names);
}

/* Distinct mailboxes of a problem, in the order of its groups. stamp
 * (one per person) tells which problem listed a person last. */
static void put_mailboxes(FILE *out, const struct mt_report *r,
                          const struct mt_problem *pr, size_t *stamp)
{
    if (pr->mailboxes > 0) {
        fprintf(out, "  fix-first score %llu (%zu mailbox%s x %d for %s); ",
                (unsigned long long)pr->score, pr->mailboxes,
                pr->mailboxes > 1 ? "es" : "", mt_severity_weight(pr->worst),
                mt_severity_name((enum mt_severity)pr->worst));
    } else {
        fprintf(out, "  fix-first score %llu (%d for %s, no mailbox named); ",
                (unsigned long long)pr->score, mt_severity_weight(pr->worst),
                mt_severity_name((enum mt_severity)pr->worst));
    }
    fprintf(out, "%llu occurrence%s", (unsigned long long)pr->count,
            pr->count == 1 ? "" : "s");
    mt_put_problem_mailboxes(out, r, pr, stamp, TEXT_MAILBOXES, mt_put_clean);
    fputc('\n', out);
}

/* Other occurrences with other values (each large item, each domain),
 * a few per article. */
static void put_examples(FILE *out, const struct mt_report *r,
                         const struct mt_problem *pr)
{
    size_t i, shown = 0;
    int k;

    for (i = pr->from; i < pr->to; i++) {
        const struct mt_group *g = &r->e->res.agg.groups[r->groups[i]];
        for (k = 0; k < g->nexamples && shown < TEXT_EXAMPLES; k++) {
            fputs("  also: ", out);
            mt_put_clean(out, g->examples[k].origin, 400);
            fprintf(out, ":%llu: ", (unsigned long long)g->examples[k].line);
            mt_put_clean(out, g->examples[k].message, TEXT_MESSAGE);
            fputc('\n', out);
            shown++;
        }
    }
}

static void put_problem(FILE *out, const struct style *st,
                        const struct mt_report *r, const struct mt_problem *pr,
                        size_t *stamp)
{
    const struct mt_engine *e = r->e;
    const struct mt_group *first = &e->res.agg.groups[r->groups[pr->from]];
    const struct mt_article *a = mt_engine_article_of(e, first->first.sig);

    fprintf(out, "#%zu ", pr->rank);
    put_severity(out, st, pr->worst);
    fprintf(out, " %s  [%s]\n", a ? a->title : "(no article)",
            a ? a->id : e->patterns.sigs[first->first.sig].article);
    put_mailboxes(out, r, pr, stamp);
    fputs("  first seen: ", out);
    mt_put_clean(out, first->first.origin, 400);
    fprintf(out, ":%llu: ", (unsigned long long)first->first.line);
    mt_put_clean(out, first->first.message, TEXT_MESSAGE);
    fputc('\n', out);
    mt_put_name_note(out, e, &first->first);
    put_examples(out, r, pr);
    if (a != NULL) {
        struct problem_out po = {out, r, pr};
        mt_put_text_article(out, a, 1, put_commands, &po);
    }
}

static void put_unknown(FILE *out, struct mt_engine *e)
{
    size_t i;

    if (e->res.unknown.n == 0) {
        return;
    }
    mt_unknown_sort(&e->res.unknown);
    fprintf(out,
            "\nUnrecognised error lines: %llu in %zu shape%s (most frequent "
            "first)\n",
            (unsigned long long)e->res.unknown.lines, e->res.unknown.n,
            e->res.unknown.n == 1 ? "" : "s");
    for (i = 0; i < e->res.unknown.n && i < TEXT_UNKNOWN; i++) {
        const struct mt_cluster *c = &e->res.unknown.clusters[i];
        fprintf(out, "  %5llux  ", (unsigned long long)c->count);
        mt_put_clean(out, c->example, 160);
        fputs("\n         at ", out);
        mt_put_clean(out, c->origin, 300);
        fprintf(out, ":%llu\n", (unsigned long long)c->line);
    }
    if (e->res.unknown.n > TEXT_UNKNOWN) {
        fprintf(out, "  ... and %zu more shapes (see --format json)\n",
                e->res.unknown.n - TEXT_UNKNOWN);
    }
}

static void put_failed_inputs(FILE *out, const struct mt_engine *e)
{
    size_t i, shown = 0;

    for (i = 0; i < e->nmessages; i++) {
        const struct mt_message *m = &e->messages[i];
        if (m->level == MT_MSG_NOTE) {
            continue;
        }
        if (shown++ == 0) {
            fputs("\nInputs with problems (also on stderr):\n", out);
        }
        fprintf(out, "  %s: ", m->level == MT_MSG_ERROR ? "error" : "warning");
        mt_put_clean(out, m->origin, 400);
        fputs(": ", out);
        mt_put_clean(out, m->text, 400);
        fputc('\n', out);
    }
}

/* "No known problems found" must not read as a clean bill of health when
 * some inputs, or all of them, could not be read. */
static void put_nothing_found(FILE *out, const struct mt_engine *e)
{
    size_t i, failed = 0;

    for (i = 0; i < e->ninputs; i++) {
        if (e->inputs[i].status == MT_EINPUT) {
            failed++;
        }
    }
    if (failed == 0) {
        fputs("\nNo known problems found.\n", out);
    } else if (failed == e->ninputs) {
        if (failed == 1) {
            fputs("\nNothing was checked: the input could not be read (see "
                  "below).\n", out);
        } else {
            fprintf(out, "\nNothing was checked: none of the %zu inputs could "
                         "be read (see below).\n", failed);
        }
    } else {
        fprintf(out,
                "\nNo known problems found in what could be read; %zu of "
                "%zu inputs could not be read (see below).\n",
                failed, e->ninputs);
    }
}

/* (person, problem rank) pairs of the groups shown, sorted, so that each
 * mailbox's problems are one run: a single pass, whatever the sizes. */
struct person_problem {
    size_t person;
    size_t rank;
};

static int compare_pp(const void *x, const void *y)
{
    const struct person_problem *a = x, *b = y;

    if (a->person != b->person) {
        return a->person < b->person ? -1 : 1;
    }
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* Mailboxes that did not get through cleanly, worst first, then by name:
 * what a consultant works through after a batch. */
static void put_mailbox_table(FILE *out, const struct mt_report *r)
{
    struct person_problem *pp = mt_calloc(r->ngroups + 1, sizeof(*pp));
    size_t *first = mt_malloc((r->npeople + 1) * sizeof(*first));
    size_t i, n = 0, shown = 0, listed = 0;
    int sev;

    if (pp == NULL || first == NULL) {
        mt_free(pp);
        mt_free(first);
        return;
    }
    for (i = 0; i < r->ngroups; i++) {
        size_t p = r->group_person[r->groups[i]];
        if (p != MT_NONE) {
            pp[n].person = p;
            pp[n++].rank = r->problems[r->problem_of[r->groups[i]]].rank;
        }
    }
    qsort(pp, n, sizeof(*pp), compare_pp);
    for (i = 0; i < r->npeople; i++) {
        first[i] = MT_NONE;
    }
    for (i = n; i-- > 0;) {
        first[pp[i].person] = i;
    }
    for (sev = MT_SEV_CRITICAL; sev >= MT_SEV_WARNING; sev--) {
        for (i = 0; i < r->npeople; i++) {
            size_t p = r->people_by_name[i], k, prev = 0;
            const struct mt_person *mb = &r->people[p];

            if (mb->worst != sev || !mb->selected) {
                continue;
            }
            if (listed++ == 0) {
                fputs("\nMailboxes with problems (worst first):\n", out);
            }
            if (shown >= TEXT_MAILBOX_ROWS) {
                continue;
            }
            shown++;
            fputs("  ", out);
            mt_put_clean(out, mb->name, 120);
            fprintf(out, "  %s", mt_severity_name((enum mt_severity)sev));
            if (mb->status != NULL) {
                fputs(", status ", out);
                mt_put_clean(out, mb->status, 80);
            }
            fputs(":", out);
            for (k = first[p]; k != MT_NONE && k < n && pp[k].person == p;
                 k++) {
                const struct mt_problem *pr = &r->problems[pp[k].rank - 1];
                const struct mt_group *g =
                    &r->e->res.agg.groups[r->groups[pr->from]];
                const struct mt_article *a =
                    mt_engine_article_of(r->e, g->first.sig);
                if (pp[k].rank == prev) {
                    continue;
                }
                prev = pp[k].rank;
                fprintf(out, "%s%s", k == first[p] ? " " : ", ",
                        a ? a->id : r->e->patterns.sigs[g->first.sig].article);
            }
            fputc('\n', out);
        }
    }
    if (listed > shown) {
        fprintf(out, "  ... and %zu more (see --format json)\n",
                listed - shown);
    }
    mt_free(pp);
    mt_free(first);
}

static size_t count_failed_unexplained(const struct mt_report *r)
{
    size_t i = 0, n = 0;

    while (mt_report_next_unexplained(r, &i) != NULL) {
        n++;
    }
    return n;
}

/* Failed mailboxes that no known problem explains: never hidden behind
 * "no known problems". */
static void put_failed_unexplained(FILE *out, const struct mt_report *r)
{
    const struct mt_person *p;
    size_t i = 0, shown = 0;

    while ((p = mt_report_next_unexplained(r, &i)) != NULL) {
        if (shown++ == 0) {
            fputs("\nFailed, cause not recognised:\n", out);
        }
        if (shown > TEXT_MAILBOX_ROWS) {
            continue;
        }
        fputs("  ", out);
        mt_put_clean(out, p->name, 120);
        fputs("  status ", out);
        mt_put_clean(out, p->status, 80);
        if (p->batch != NULL) {
            fputs(", batch ", out);
            mt_put_clean(out, p->batch, 80);
        }
        fputs(p->error ? ": " : ": no error line in the inputs\n", out);
        if (p->error != NULL) {
            mt_put_clean(out, p->error, TEXT_MESSAGE);
            fputc('\n', out);
        }
    }
    if (shown > TEXT_MAILBOX_ROWS) {
        fprintf(out, "  ... and %zu more (see --format json)\n",
                shown - TEXT_MAILBOX_ROWS);
    }
}

static void put_batches(FILE *out, const struct mt_report *r)
{
    size_t n, i, k;
    struct mt_batch_status *b = mt_report_batches(r, &n);

    for (i = 0; b != NULL && i < n; i++) {
        if (b[i].batch != NULL) {
            fputs("Batch ", out);
            mt_put_clean(out, b[i].batch, 120);
        } else {
            fputs(n == 1 ? "Status" : "No batch", out);
        }
        fprintf(out, ": %zu mailbox%s:", b[i].mailboxes,
                b[i].mailboxes == 1 ? "" : "es");
        for (k = 0; k < b[i].nstatuses; k++) {
            fprintf(out, "%s %zu ", k ? "," : "", b[i].statuses[k].count);
            mt_put_clean(out, b[i].statuses[k].word, 48);
        }
        if (b[i].other > 0) {
            fprintf(out, ", %zu other", b[i].other);
        }
        fputc('\n', out);
    }
    mt_free(b);
}

void mt_emit_text(struct mt_engine *e, FILE *out, unsigned flags)
{
    struct style st = {(flags & MT_REPORT_COLOR) != 0};
    struct mt_report *r = mt_report_build(e);
    size_t i, people, failed, *stamp;

    if (r == NULL) {
        fputs("migtriage: out of memory writing the report\n", out);
        return;
    }
    people = mt_report_people_shown(r);
    fprintf(out,
            "migtriage %s: %zu input%s, %llu records, %llu finding%s in "
            "%zu problem%s, %zu mailbox%s\n",
            MT_VERSION, e->ninputs, e->ninputs == 1 ? "" : "s",
            (unsigned long long)e->res.records, (unsigned long long)r->findings,
            r->findings == 1 ? "" : "s", r->nproblems,
            r->nproblems == 1 ? "" : "s", people, people == 1 ? "" : "es");
    if (r->filtered) {
        fputs("Filtered: ", out);
        mt_put_filters(out, &e->filters, mt_put_clean);
        fprintf(out, " (%llu of %llu findings shown)\n",
                (unsigned long long)r->findings,
                (unsigned long long)e->res.agg.findings);
    }
    put_batches(out, r);
    stamp = mt_calloc(r->npeople + 1, sizeof(*stamp));
    for (i = 0; stamp != NULL && i < r->nproblems; i++) {
        fputc('\n', out);
        put_problem(out, &st, r, &r->problems[i], stamp);
    }
    mt_free(stamp);
    failed = count_failed_unexplained(r);
    if (r->nproblems == 0 && failed == 0) {
        put_nothing_found(out, e);
    } else if (r->nproblems == 0) {
        fprintf(out,
                "\nNo known problem found, but %zu mailbox%s failed: see "
                "\"Failed, cause not recognised\".\n",
                failed, failed == 1 ? "" : "es");
    }
    mt_put_possible_text(out, e);
    put_mailbox_table(out, r);
    put_failed_unexplained(out, r);
    put_unknown(out, e);
    put_failed_inputs(out, e);
    mt_report_free(r);
}
