/* emit_text.c: the report for people: problems grouped by article, worst
 * first, each with how many occurrences and mailboxes, the cause, the fix,
 * and commands with the user's own values. Log text is stripped of control
 * characters so a crafted log cannot drive the terminal. */
#include <string.h>

#include "datafile.h"
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

/* The article's commands filled from one group, one per line. */
static char *fill_all(json_t *templates, const struct mt_finding *f)
{
    struct mt_buf all;
    json_t *t;
    size_t j;

    mt_buf_init(&all, 0);
    json_array_foreach(templates, j, t) {
        char *filled = mt_fill_template(json_string_value(t), &f->fields,
                                        &f->context);
        mt_buf_appendf(&all, "%s\n", filled ? filled : "");
        mt_free(filled);
    }
    return mt_buf_steal(&all);
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

/* Commands of the article filled from up to TEXT_COMMAND_SETS groups with
 * distinct results (groups of other mailboxes give other values). */
static void put_commands(FILE *out, const char *heading, json_t *templates,
                         const struct mt_engine *e, const size_t *order,
                         size_t from, size_t to)
{
    char *seen[TEXT_COMMAND_SETS];
    size_t nseen = 0, i, k, extra = 0;

    if (!json_is_array(templates) || json_array_size(templates) == 0) {
        return;
    }
    fprintf(out, "  %s\n", heading);
    for (i = from; i < to; i++) {
        char *all = fill_all(templates, &e->agg.groups[order[i]].first);
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
    for (k = 0; k < nseen; k++) {
        mt_free(seen[k]);
    }
}

/* Distinct mailboxes among groups [from, to), in order of appearance.
 * A hash index finds repeats (a mailbox hit by several signatures of the
 * article), so 100,000 mailboxes cost 100,000 lookups, not 10^10
 * compares. */
static void put_mailboxes(FILE *out, const struct mt_engine *e,
                          const size_t *order, size_t from, size_t to,
                          uint64_t count)
{
    const char *names[TEXT_MAILBOXES];
    size_t nnames = 0, nall = 0, i, k;
    struct mt_strindex seen;

    mt_strindex_init(&seen);
    for (i = from; i < to; i++) {
        const char *m = mt_finding_mailbox(&e->agg.groups[order[i]].first);
        if (m == NULL || mt_strindex_put(&seen, m, nall, NULL) == 0) {
            continue; /* out of memory counts it, as a repeat might be */
        }
        if (nnames < TEXT_MAILBOXES) {
            names[nnames++] = m;
        }
        nall++;
    }
    mt_strindex_free(&seen);
    fprintf(out, "  %llu occurrence%s", (unsigned long long)count,
            count == 1 ? "" : "s");
    if (nall > 0) {
        fprintf(out, ", %zu mailbox%s: ", nall, nall == 1 ? "" : "es");
        for (k = 0; k < nnames; k++) {
            if (k > 0) {
                fputs(", ", out);
            }
            mt_put_clean(out, names[k], 200);
        }
        if (nall > nnames) {
            fprintf(out, " and %zu more", nall - nnames);
        }
    }
    fputc('\n', out);
}

/* Other occurrences with other values (each large item, each domain),
 * a few per article. */
static void put_examples(FILE *out, const struct mt_engine *e,
                         const size_t *order, size_t from, size_t to)
{
    size_t i, shown = 0;
    int k;

    for (i = from; i < to; i++) {
        const struct mt_group *g = &e->agg.groups[order[i]];
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

static void put_article(FILE *out, const struct style *st,
                        const struct mt_engine *e, const size_t *order,
                        size_t from, size_t to)
{
    const struct mt_group *first = &e->agg.groups[order[from]];
    const struct mt_article *a = mt_engine_article_of(e, first->first.sig);
    uint64_t count = 0;
    size_t i;

    for (i = from; i < to; i++) {
        count += e->agg.groups[order[i]].count;
    }
    put_severity(out, st, first->first.severity);
    fprintf(out, " %s  [%s]\n", a ? a->title : "(no article)",
            a ? a->id : e->patterns.sigs[first->first.sig].article);
    put_mailboxes(out, e, order, from, to, count);
    fputs("  first seen: ", out);
    mt_put_clean(out, first->first.origin, 400);
    fprintf(out, ":%llu: ", (unsigned long long)first->first.line);
    mt_put_clean(out, first->first.message, TEXT_MESSAGE);
    fputc('\n', out);
    mt_put_name_note(out, e, &first->first);
    put_examples(out, e, order, from, to);
    if (a == NULL) {
        return;
    }
    fprintf(out, "  What it means: %s\n", mt_json_str(a->json, "summary"));
    fprintf(out, "  Why: %s\n", mt_json_str(a->json, "cause"));
    mt_put_list(out, "Fix:", json_object_get(a->json, "resolution"), 1);
    put_commands(out, "Commands:", json_object_get(a->json, "commands"), e,
                 order, from, to);
    put_commands(out, "Check afterwards:", json_object_get(a->json, "verify"),
                 e, order, from, to);
    if (mt_json_str(a->json, "risk") != NULL) {
        fprintf(out, "  Risk: %s\n", mt_json_str(a->json, "risk"));
    }
    mt_put_list(out, "References:", json_object_get(a->json, "refs"), 0);
}

static void put_unknown(FILE *out, struct mt_engine *e)
{
    size_t i;

    if (e->unknown.n == 0) {
        return;
    }
    mt_unknown_sort(&e->unknown);
    fprintf(out,
            "\nUnrecognised error lines: %llu in %zu shape%s (most frequent "
            "first)\n",
            (unsigned long long)e->unknown.lines, e->unknown.n,
            e->unknown.n == 1 ? "" : "s");
    for (i = 0; i < e->unknown.n && i < TEXT_UNKNOWN; i++) {
        const struct mt_cluster *c = &e->unknown.clusters[i];
        fprintf(out, "  %5llux  ", (unsigned long long)c->count);
        mt_put_clean(out, c->example, 160);
        fputs("\n         at ", out);
        mt_put_clean(out, c->origin, 300);
        fprintf(out, ":%llu\n", (unsigned long long)c->line);
    }
    if (e->unknown.n > TEXT_UNKNOWN) {
        fprintf(out, "  ... and %zu more shapes (see --format json)\n",
                e->unknown.n - TEXT_UNKNOWN);
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

/* Mailboxes that did not get through cleanly, worst first: what a
 * consultant works through after a batch. */
static void put_mailbox_table(FILE *out, const struct mt_engine *e)
{
    size_t *order = mt_mailboxes_sorted(&e->mailboxes), i, shown = 0,
           listed = 0;
    int sev;

    if (order == NULL) {
        return;
    }
    for (sev = MT_SEV_CRITICAL; sev >= MT_SEV_WARNING; sev--) {
        for (i = 0; i < e->mailboxes.n; i++) {
            const struct mt_mailbox *mb = &e->mailboxes.items[order[i]];
            const struct mt_article *printed[16];
            size_t g, np = 0, k;

            if (mb->worst != sev) {
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
            for (g = 0; g < e->agg.n; g++) {
                const struct mt_finding *f = &e->agg.groups[g].first;
                const char *m = mt_finding_mailbox(f);
                const struct mt_article *a = mt_engine_article_of(e, f->sig);
                int dup = 0;
                if (m == NULL || a == NULL || strcmp(m, mb->name) != 0) {
                    continue;
                }
                for (k = 0; k < np; k++) {
                    dup |= printed[k] == a;
                }
                if (!dup && np < 16) {
                    fprintf(out, "%s%s", np ? ", " : " ", a->id);
                    printed[np++] = a;
                }
            }
            fputc('\n', out);
        }
    }
    if (listed > shown) {
        fprintf(out, "  ... and %zu more (see --format json)\n",
                listed - shown);
    }
    mt_free(order);
}

void mt_emit_text(struct mt_engine *e, FILE *out, unsigned flags)
{
    struct style st = {(flags & MT_REPORT_COLOR) != 0};
    size_t *order = mt_sorted_groups(e), i, problems = 0;

    for (i = 0; order != NULL && i < e->agg.n; i++) {
        int a = e->patterns.sigs[e->agg.groups[order[i]].first.sig]
                    .article_index;
        int prev = i ? e->patterns.sigs[e->agg.groups[order[i - 1]].first.sig]
                           .article_index
                     : -2;
        problems += a != prev;
    }
    fprintf(out,
            "migtriage %s: %zu input%s, %llu records, %llu finding%s in "
            "%zu problem%s, %zu mailbox%s\n",
            MT_VERSION, e->ninputs, e->ninputs == 1 ? "" : "s",
            (unsigned long long)e->records,
            (unsigned long long)e->agg.findings,
            e->agg.findings == 1 ? "" : "s", problems,
            problems == 1 ? "" : "s", e->mailboxes.n,
            e->mailboxes.n == 1 ? "" : "es");
    for (i = 0; order != NULL && i < e->agg.n;) {
        int a = e->patterns.sigs[e->agg.groups[order[i]].first.sig]
                    .article_index;
        size_t j = i + 1;
        while (j < e->agg.n &&
               e->patterns.sigs[e->agg.groups[order[j]].first.sig]
                       .article_index == a) {
            j++;
        }
        fputc('\n', out);
        put_article(out, &st, e, order, i, j);
        i = j;
    }
    if (e->agg.n == 0) {
        put_nothing_found(out, e);
    }
    mt_put_possible_text(out, e);
    put_mailbox_table(out, e);
    put_unknown(out, e);
    put_failed_inputs(out, e);
    mt_free(order);
}
