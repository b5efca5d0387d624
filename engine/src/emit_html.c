/* emit_html.c: the report as one self-contained page for the customer:
 * no network, CSS and JavaScript inline, charts as inline SVG. Every piece
 * of log text is HTML-escaped where it is written; the mailbox table's
 * data travels as JSON in a <script type="application/json"> with < > &
 * and U+2028/9 escaped, and the script puts it in the page with
 * textContent only. The page reads without JavaScript; the script adds
 * sorting, search and copy buttons. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

#define HTML_TEXT 600
#define HTML_CHART_BARS 12
#define HTML_UNKNOWN 50
#define HTML_MAILBOXES 20000

/* Text for an element or a quoted attribute: & < > " ' escaped, control
 * characters as '?', cut at max bytes on a character boundary. */
static void put_h(FILE *out, const char *s, size_t max)
{
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; s[i] && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            fputc(c < 0x20 || c == 0x7f ? (c == '\n' ? '\n' : '?') : (char)c,
                  out);
        }
    }
    while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80) {
        fputc(s[i++], out);
    }
    if (s[i]) {
        fputs("...", out);
    }
}

/* JSON for a <script> element: ASCII only (so U+2028/9 become \u
 * escapes), and < > & as \u003c \u003e \u0026 so no "</script>" or
 * "<!--" can appear in it. */
static void put_script_json(FILE *out, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII |
                                   JSON_PRESERVE_ORDER);
    const char *p;

    for (p = text; p != NULL && *p; p++) {
        if (*p == '<') {
            fputs("\\u003c", out);
        } else if (*p == '>') {
            fputs("\\u003e", out);
        } else if (*p == '&') {
            fputs("\\u0026", out);
        } else {
            fputc(*p, out);
        }
    }
    free(text); /* jansson's */
}

static const char *const sev_names[] = {"info", "warning", "error",
                                        "critical"};

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;"
    "background:#f5f6f8}"
    "header{background:#1d2330;color:#fff;padding:16px 24px}"
    "header h1{margin:0;font-size:20px}main{padding:8px 24px 40px}"
    "section{background:#fff;border-radius:6px;padding:12px 18px;"
    "margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    "h2{font-size:17px;margin:4px 0 10px}h3{font-size:15px;margin:14px 0 4px}"
    ".sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;"
    "font-size:12px;text-transform:uppercase}"
    ".sev-info{background:#2f7fa8}.sev-warning{background:#b7791f}"
    ".sev-error{background:#c53030}.sev-critical{background:#742a2a}"
    "pre{background:#f0f2f5;padding:8px;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}"
    ".cmd{position:relative}.cmd button{position:absolute;top:4px;right:4px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e2e5ea;"
    "vertical-align:top}th{cursor:pointer;user-select:none}"
    ".charts{display:flex;flex-wrap:wrap;gap:18px}.charts figure{margin:0}"
    "figcaption{font-weight:600;margin-bottom:4px}"
    ".muted{color:#5a6270}.filter{background:#fff6d6;padding:6px 10px}"
    "input[type=search]{padding:4px 8px;width:280px;margin-bottom:8px}";

/* Sorting, search and copy; reads the mailbox data with JSON.parse and
 * writes it with textContent only. Sets data-ready on <html> at the end
 * (the test checks it: the script ran to the end without an error). */
static const char script[] =
    "(function(){'use strict';\n"
    "var data=JSON.parse(document.getElementById('mt-data').textContent);\n"
    "var body=document.getElementById('mbx-body');\n"
    "var rows=data.mailboxes;var key='worst';var dir=-1;\n"
    "var rank={critical:4,error:3,warning:2,info:1};\n"
    "function val(r,k){if(k==='worst'){return rank[r.worst]||0;}\n"
    "  if(k==='findings'){return r.findings;}var v=r[k]||'';\n"
    "  return (Array.isArray(v)?v.join(' '):v).toLowerCase();}\n"
    "function render(){var q=document.getElementById('mbx-search').value"
    ".toLowerCase();\n"
    "  var list=rows.filter(function(r){return !q||[r.mailbox,r.names.join(' '),"
    "r.status||'',r.batch||'',r.problems.join(' ')].join(' ').toLowerCase()"
    ".indexOf(q)>=0;});\n"
    "  list.sort(function(a,b){var x=val(a,key),y=val(b,key);"
    "return x<y?-dir:x>y?dir:0;});\n"
    "  while(body.firstChild){body.removeChild(body.firstChild);}\n"
    "  list.forEach(function(r){var tr=document.createElement('tr');\n"
    "    [r.mailbox,r.status||'',r.batch||'',r.worst||'',String(r.findings),"
    "r.problems.join(', ')].forEach(function(t){\n"
    "      var td=document.createElement('td');td.textContent=t;"
    "tr.appendChild(td);});\n"
    "    body.appendChild(tr);});\n"
    "  document.getElementById('mbx-count').textContent=list.length+' of '+"
    "rows.length;}\n"
    "Array.prototype.forEach.call(document.querySelectorAll('#mbx th'),"
    "function(th){th.addEventListener('click',function(){var k=th.dataset.k;"
    "dir=k===key?-dir:1;key=k;render();});});\n"
    "document.getElementById('mbx-search').addEventListener('input',render);\n"
    "Array.prototype.forEach.call(document.querySelectorAll('.cmd button'),"
    "function(b){b.addEventListener('click',function(){\n"
    "  var text=b.parentNode.querySelector('pre').textContent;\n"
    "  if(navigator.clipboard){navigator.clipboard.writeText(text).then("
    "function(){b.textContent='Copied';},function(){b.textContent='Select and "
    "copy';});}\n"
    "  else{b.textContent='Select and copy';}});});\n"
    "render();\n"
    "document.documentElement.setAttribute('data-ready','1');\n"
    "})();\n";

/* A horizontal bar chart: labels (escaped) and values. */
static void put_bars(FILE *out, const char *caption, const char *const *labels,
                     const uint64_t *values, size_t n)
{
    uint64_t max = 1;
    size_t i;
    int h = (int)n * 22 + 6;

    for (i = 0; i < n; i++) {
        max = values[i] > max ? values[i] : max;
    }
    fputs("<figure><figcaption>", out);
    put_h(out, caption, 200);
    fputs("</figcaption>", out);
    if (n == 0) {
        fputs("<p class=\"muted\">nothing to show</p></figure>\n", out);
        return;
    }
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" "
            "height=\"%d\" role=\"img\">",
            h);
    for (i = 0; i < n; i++) {
        int w = (int)(values[i] * 260 / max);
        int y = (int)i * 22 + 4;
        fprintf(out, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 13);
        put_h(out, labels[i], 40);
        fprintf(out,
                "</text><rect x=\"210\" y=\"%d\" width=\"%d\" height=\"16\" "
                "fill=\"#3b6fb6\"/><text x=\"%d\" y=\"%d\" "
                "font-size=\"12\">%llu</text>",
                y, w > 1 ? w : 1, 216 + w, y + 13,
                (unsigned long long)values[i]);
    }
    fputs("</svg></figure>\n", out);
}

/* Findings by day of their first occurrence, from "timestamp" context:
 * the date is taken as YYYY-MM-DD or M/D/YYYY at its start. */
static int day_of(const char *ts, char *day, size_t size)
{
    int y, m, d;

    if (ts == NULL) {
        return 0;
    }
    if (sscanf(ts, "%4d-%2d-%2d", &y, &m, &d) == 3 ||
        sscanf(ts, "%4d.%2d.%2d", &y, &m, &d) == 3) {
    } else if (sscanf(ts, "%2d/%2d/%4d", &m, &d, &y) == 3) {
    } else {
        return 0;
    }
    if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) {
        return 0;
    }
    snprintf(day, size, "%04d-%02d-%02d", y, m, d);
    return 1;
}

struct day_count {
    char day[16];
    uint64_t count;
};

static int compare_days(const void *a, const void *b)
{
    return strcmp(((const struct day_count *)a)->day,
                  ((const struct day_count *)b)->day);
}

static void put_timeline(FILE *out, const struct mt_report *r)
{
    struct day_count days[64];
    const char *labels[64];
    uint64_t values[64];
    size_t n = 0, i, k;

    for (i = 0; i < r->ngroups; i++) {
        const struct mt_group *g = &r->e->res.agg.groups[r->groups[i]];
        char day[16];
        if (!day_of(mt_fields_get(&g->first.context, "timestamp"), day,
                    sizeof(day))) {
            continue;
        }
        for (k = 0; k < n && strcmp(days[k].day, day) != 0; k++) {
        }
        if (k == n) {
            if (n == 64) {
                continue;
            }
            snprintf(days[n].day, sizeof(days[n].day), "%s", day);
            days[n++].count = 0;
        }
        days[k].count += g->count;
    }
    qsort(days, n, sizeof(days[0]), compare_days);
    for (i = 0; i < n; i++) {
        labels[i] = days[i].day;
        values[i] = days[i].count;
    }
    put_bars(out, "Findings over time (day of first occurrence)", labels,
             values, n);
}

static void put_charts(FILE *out, const struct mt_report *r)
{
    const char *labels[HTML_CHART_BARS];
    uint64_t values[HTML_CHART_BARS];
    struct mt_batch_status *b;
    struct mt_status_count all[32];
    size_t i, k, n = 0, nb, nall = 0;

    for (i = 0; i < r->nproblems && n < HTML_CHART_BARS; i++) {
        const struct mt_group *g =
            &r->e->res.agg.groups[r->groups[r->problems[i].from]];
        const struct mt_article *a = mt_engine_article_of(r->e, g->first.sig);
        labels[n] = a ? a->id : r->e->patterns.sigs[g->first.sig].article;
        values[n++] = r->problems[i].mailboxes;
    }
    fputs("<section><h2>Charts</h2><div class=\"charts\">\n", out);
    put_bars(out, "Problems by mailboxes affected (fix-first order)", labels,
             values, n);
    b = mt_report_batches(r, &nb);
    for (i = 0; b != NULL && i < nb; i++) {
        size_t s;
        for (s = 0; s < b[i].nstatuses; s++) {
            for (k = 0; k < nall && strcmp(all[k].word, b[i].statuses[s].word);
                 k++) {
            }
            if (k == nall && nall < 32) {
                all[nall] = b[i].statuses[s];
                all[nall++].count = 0;
            }
            if (k < nall) {
                all[k].count += b[i].statuses[s].count;
            }
        }
    }
    mt_free(b);
    for (i = 0, n = 0; i < nall && n < HTML_CHART_BARS; i++) {
        labels[n] = all[i].word;
        values[n++] = all[i].count;
    }
    put_bars(out, "Mailbox status", labels, values, n);
    put_timeline(out, r);
    fputs("</div></section>\n", out);
}

/* A command block with a copy button. */
static void put_pre(FILE *out, const char *code)
{
    fputs("<div class=\"cmd\"><button type=\"button\">Copy</button><pre>",
          out);
    put_h(out, code, (size_t)-1);
    fputs("</pre></div>\n", out);
}

static const struct mt_doc_markup html_markup = {
    .put = put_h,
    .label_open = "<p><b>",
    .label_close = ":</b> ",
    .prose_end = "</p>\n",
    .steps_open = ":</b></p><ol>",
    .step_open = "<li>",
    .step_close = "</li>",
    .steps_close = "</ol>\n",
    .commands_open = "<p><b>",
    .commands_label_close = "</b>",
    .commands_close = ":</p>",
    .code_sep = "\n",
    .code_end = "",
    .code = put_pre,
    .replace_open = "<p class=\"muted\">Replace ",
    .replace_close = " with your own values.</p>\n"};

static void put_problem(FILE *out, const struct mt_report *r,
                        const struct mt_problem *pr, size_t *stamp)
{
    const struct mt_engine *e = r->e;
    const struct mt_group *first = &e->res.agg.groups[r->groups[pr->from]];
    const struct mt_article *a = mt_engine_article_of(e, first->first.sig);

    fprintf(out, "<h3>%zu. <span class=\"sev sev-%s\">%s</span> ", pr->rank,
            sev_names[pr->worst & 3], sev_names[pr->worst & 3]);
    put_h(out, a ? a->title : "(no article)", 300);
    fputs(" <span class=\"muted\">[", out);
    put_h(out, a ? a->id : e->patterns.sigs[first->first.sig].article, 100);
    fprintf(out, "]</span></h3>\n<p>score %llu, %llu occurrence%s",
            (unsigned long long)pr->score, (unsigned long long)pr->count,
            pr->count == 1 ? "" : "s");
    mt_put_problem_mailboxes(out, r, pr, stamp, 50, put_h);
    fputs("</p>\n<p class=\"muted\">", out);
    put_h(out, first->first.origin, 300);
    fprintf(out, ":%llu</p><pre>", (unsigned long long)first->first.line);
    put_h(out, first->first.message, HTML_TEXT);
    fputs("</pre>\n", out);
    if (a != NULL) {
        mt_put_doc_article(out, r, pr, a, &html_markup);
    }
}

/* The mailbox rows as JSON for the script. */
static json_t *mailbox_data(const struct mt_report *r)
{
    json_t *rows = json_array();
    json_t **problems = mt_calloc(r->npeople + 1, sizeof(*problems));
    size_t i;

    for (i = 0; problems != NULL && i < r->ngroups; i++) {
        size_t g = r->groups[i], p = r->group_person[g];
        const struct mt_group *gr = &r->e->res.agg.groups[g];
        const struct mt_article *a = mt_engine_article_of(r->e, gr->first.sig);
        const char *id = a ? a->id : r->e->patterns.sigs[gr->first.sig].article;
        size_t n;
        if (p == MT_NONE) {
            continue;
        }
        if (problems[p] == NULL) {
            problems[p] = json_array();
        }
        n = json_array_size(problems[p]);
        if (n == 0 || strcmp(json_string_value(json_array_get(problems[p],
                                                              n - 1)),
                             id) != 0) {
            json_array_append_new(problems[p], mt_jstr(id));
        }
    }
    for (i = 0; i < r->npeople && json_array_size(rows) < HTML_MAILBOXES;
         i++) {
        size_t p = r->people_by_name[i];
        const struct mt_person *mb = &r->people[p];
        json_t *o;
        if (!mb->selected) {
            continue;
        }
        o = json_object();
        json_object_set_new(o, "mailbox", mt_jstr(mb->name));
        json_object_set_new(o, "names", mt_jperson_names(r, mb));
        json_object_set_new(o, "status", mt_jstr(mb->status));
        json_object_set_new(o, "batch",
                            mt_jstr(mb->batch ? mt_name_strip(mb->batch)
                                              : NULL));
        json_object_set_new(
            o, "worst",
            mb->worst >= 0 ? mt_jstr(sev_names[mb->worst & 3]) : json_null());
        json_object_set_new(o, "findings",
                            json_integer((json_int_t)mb->findings));
        json_object_set_new(o, "problems", problems != NULL && problems[p]
                                               ? problems[p]
                                               : json_array());
        if (problems != NULL) {
            problems[p] = NULL;
        }
        json_array_append_new(rows, o);
    }
    for (i = 0; problems != NULL && i < r->npeople; i++) {
        json_decref(problems[i]);
    }
    mt_free(problems);
    return rows;
}

static void put_overview(FILE *out, const struct mt_report *r)
{
    struct mt_batch_status *b;
    size_t i, k, n, people;

    people = mt_report_people_shown(r);
    fprintf(out,
            "<section><h2>Overview</h2><p>%zu input%s, %llu records, %llu "
            "finding%s in %zu problem%s, %zu mailbox%s.</p>\n",
            r->e->ninputs, r->e->ninputs == 1 ? "" : "s",
            (unsigned long long)r->e->res.records,
            (unsigned long long)r->findings, r->findings == 1 ? "" : "s",
            r->nproblems, r->nproblems == 1 ? "" : "s", people,
            people == 1 ? "" : "es");
    if (r->filtered) {
        fputs("<p class=\"filter\">Filtered: ", out);
        mt_put_filters(out, &r->e->filters, put_h);
        fputs("</p>\n", out);
    }
    b = mt_report_batches(r, &n);
    if (b != NULL && n > 0) {
        fputs("<table><tr><th>Batch</th><th>Mailboxes</th><th>Status</th>"
              "</tr>\n",
              out);
        for (i = 0; i < n; i++) {
            fputs("<tr><td>", out);
            put_h(out, b[i].batch ? b[i].batch : "(none)", 200);
            fprintf(out, "</td><td>%zu</td><td>", b[i].mailboxes);
            for (k = 0; k < b[i].nstatuses; k++) {
                fprintf(out, "%s%zu ", k ? ", " : "", b[i].statuses[k].count);
                put_h(out, b[i].statuses[k].word, 48);
            }
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    mt_free(b);
    fputs("</section>\n", out);
}

static void put_failed_unexplained(FILE *out, const struct mt_report *r)
{
    const struct mt_person *p;
    size_t i = 0, n = 0;

    while ((p = mt_report_next_unexplained(r, &i)) != NULL) {
        if (n++ == 0) {
            fputs("<section><h2>Failed, cause not recognised</h2><table><tr>"
                  "<th>Mailbox</th><th>Status</th><th>Error</th></tr>\n",
                  out);
        }
        fputs("<tr><td>", out);
        put_h(out, p->name, 200);
        fputs("</td><td>", out);
        put_h(out, p->status, 100);
        fputs("</td><td>", out);
        put_h(out, p->error ? p->error : "no error line in the inputs",
              HTML_TEXT);
        fputs("</td></tr>\n", out);
    }
    if (n > 0) {
        fputs("</table></section>\n", out);
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
            "<section><h2>Unrecognised error lines</h2><p>%llu lines in %zu "
            "shapes, most frequent first.</p><table><tr><th>Count</th>"
            "<th>Example</th><th>Where</th></tr>\n",
            (unsigned long long)e->res.unknown.lines, e->res.unknown.n);
    for (i = 0; i < e->res.unknown.n && i < HTML_UNKNOWN; i++) {
        const struct mt_cluster *c = &e->res.unknown.clusters[i];
        fprintf(out, "<tr><td>%llu</td><td>", (unsigned long long)c->count);
        put_h(out, c->example, HTML_TEXT);
        fputs("</td><td>", out);
        put_h(out, c->origin, 300);
        fprintf(out, ":%llu</td></tr>\n", (unsigned long long)c->line);
    }
    fputs("</table></section>\n", out);
}

void mt_emit_html(struct mt_engine *e, FILE *out)
{
    struct mt_report *r = mt_report_build(e);
    json_t *data;
    size_t i, *stamp;

    if (r == NULL) {
        return;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\""
          "default-src 'none'; style-src 'unsafe-inline'; script-src "
          "'unsafe-inline'; img-src data:\">"
          "<title>Migration triage report</title><style>",
          out);
    fputs(css, out);
    fprintf(out, "</style></head><body><header><h1>Migration triage "
                 "report</h1><div>migtriage %s</div></header><main>\n",
            MT_VERSION);
    put_overview(out, r);
    put_charts(out, r);
    fputs("<section><h2>Fix first</h2>\n", out);
    stamp = mt_calloc(r->npeople + 1, sizeof(*stamp));
    for (i = 0; stamp != NULL && i < r->nproblems; i++) {
        put_problem(out, r, &r->problems[i], stamp);
    }
    mt_free(stamp);
    if (r->nproblems == 0) {
        fputs("<p>No known problems found.</p>\n", out);
    }
    fputs("</section>\n", out);
    put_failed_unexplained(out, r);
    fputs("<section><h2>Mailboxes</h2><input type=\"search\" "
          "id=\"mbx-search\" placeholder=\"Search mailboxes, status, "
          "problems\" aria-label=\"Search\"> <span id=\"mbx-count\" "
          "class=\"muted\"></span><noscript><p>Sorting and search need "
          "JavaScript; the data is in --format json.</p></noscript>"
          "<table id=\"mbx\"><thead><tr><th data-k=\"mailbox\">Mailbox</th>"
          "<th data-k=\"status\">Status</th><th data-k=\"batch\">Batch</th>"
          "<th data-k=\"worst\">Worst</th><th data-k=\"findings\">Findings"
          "</th><th data-k=\"problems\">Problems</th></tr></thead>"
          "<tbody id=\"mbx-body\"></tbody></table></section>\n",
          out);
    put_unknown(out, e);
    data = json_object();
    json_object_set_new(data, "mailboxes", mailbox_data(r));
    fputs("</main><script type=\"application/json\" id=\"mt-data\">", out);
    put_script_json(out, data);
    json_decref(data);
    fputs("</script><script>", out);
    fputs(script, out);
    fputs("</script></body></html>\n", out);
    mt_report_free(r);
}
