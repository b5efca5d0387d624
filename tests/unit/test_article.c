/* The typed article model (article.c): built once from an article's JSON,
 * checked the way the kb loader reports it, its commands filled so that a
 * hostile value from a log cannot run, and its parts written in one
 * order whatever the format. */
#include <jansson.h>
#include <string.h>

#include "article.h"
#include "unit.h"
#include "util.h"

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);

    if (v == NULL) {
        UNIT_FAIL("test JSON does not parse: %s", err.text);
    }
    return v;
}

static const char full_article[] =
    "{ \"id\": \"mrs-large-item\", \"title\": \"Large items\","
    "  \"summary\": \"Items over the limit for {mailbox}.\","
    "  \"cause\": \"The target refuses large items.\","
    "  \"resolution\": [\"Raise the limit\", \"Resume the move\"],"
    "  \"commands\": [\"Set-MoveRequest -Identity '{mailbox}' "
    "-LargeItemLimit 50\", \"Resume-MoveRequest {mailbox}\"],"
    "  \"verify\": [\"Get-MoveRequestStatistics '{mailbox}'\"],"
    "  \"risk\": \"Skipped items are not copied.\","
    "  \"refs\": [\"https://learn.microsoft.com/a\", \"KB123\"],"
    "  \"codes\": [\"0x80004005\"], \"tags\": [\"mrs\", \"large-item\"],"
    "  \"lookup_only\": true }";

TEST(article_every_field)
{
    struct mt_problems probs = {NULL, 0, 0};
    struct mt_article a;
    json_t *obj = parse(full_article);

    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/mrs.json", &probs), 0);
    ASSERT_INT_EQ(probs.n, 0);
    /* The model keeps the strings alive on its own. */
    json_decref(obj);
    ASSERT_STR_EQ(a.id, "mrs-large-item");
    ASSERT_STR_EQ(a.title, "Large items");
    ASSERT_STR_EQ(a.summary, "Items over the limit for {mailbox}.");
    ASSERT_STR_EQ(a.cause, "The target refuses large items.");
    ASSERT_INT_EQ(a.resolution.n, 2);
    ASSERT_STR_EQ(a.resolution.v[1], "Resume the move");
    ASSERT_INT_EQ(a.commands.n, 2);
    ASSERT_STR_EQ(a.commands.v[1], "Resume-MoveRequest {mailbox}");
    ASSERT_INT_EQ(a.verify.n, 1);
    ASSERT_STR_EQ(a.risk, "Skipped items are not copied.");
    ASSERT_INT_EQ(a.refs.n, 2);
    ASSERT_STR_EQ(a.refs.v[1], "KB123");
    ASSERT_INT_EQ(a.codes.n, 1);
    ASSERT_STR_EQ(a.codes.v[0], "0x80004005");
    ASSERT_INT_EQ(a.tags.n, 2);
    ASSERT_STR_EQ(a.tags.v[1], "large-item");
    ASSERT_INT_EQ(a.lookup_only, 1);
    /* family and file are the loader's. */
    ASSERT_TRUE(a.family == NULL && a.file == NULL);
    mt_article_free(&a);
    ASSERT_TRUE(a.id == NULL && a.source == NULL);
}

TEST(article_optional_fields_missing)
{
    struct mt_problems probs = {NULL, 0, 0};
    struct mt_article a;
    json_t *obj = parse("{ \"id\": \"x-min\", \"title\": \"T\", "
                        "\"summary\": \"S\", \"cause\": \"C\", "
                        "\"resolution\": [\"r\"], \"refs\": [\"KB1\"] }");

    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/x.json", &probs), 0);
    ASSERT_INT_EQ(probs.n, 0);
    ASSERT_TRUE(a.risk == NULL);
    ASSERT_TRUE(a.commands.n == 0 && a.commands.v == NULL);
    ASSERT_TRUE(a.verify.n == 0 && a.codes.n == 0 && a.tags.n == 0);
    ASSERT_INT_EQ(a.lookup_only, 0);
    mt_article_free(&a);
    json_decref(obj);
}

/* The lines are those the kb loader printed before the model existed
 * (kb lint on the same file gives them in this order). */
TEST(article_malformed_fields_reported)
{
    static const char *const want[] = {
        "kb/bad.json: Bad_Id: unknown key \"colour\"",
        "kb/bad.json: Bad_Id: id must be lowercase [a-z0-9-]",
        "kb/bad.json: Bad_Id: title missing or empty",
        "kb/bad.json: Bad_Id: resolution must be a non-empty list of steps",
        "kb/bad.json: Bad_Id: refs must list at least one source",
        "kb/bad.json: Bad_Id: commands must be a list of strings",
        "kb/bad.json: Bad_Id: verify must be a list of strings",
        "kb/bad.json: Bad_Id: tags must be a list of strings",
        "kb/bad.json: Bad_Id: risk must be a string"};
    struct mt_problems probs = {NULL, 0, 0};
    struct mt_article a;
    json_t *obj = parse(
        "{ \"id\": \"Bad_Id\", \"title\": \"\", \"summary\": \"S\", "
        "\"cause\": \"C\", \"resolution\": [], \"refs\": \"https://x\", "
        "\"commands\": \"Get-Mailbox\", \"verify\": [1], \"risk\": 5, "
        "\"tags\": [\"ok\", \"\"], \"colour\": \"red\" }");
    size_t i;

    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/bad.json", &probs), 9);
    ASSERT_INT_EQ(probs.n, 9);
    for (i = 0; i < probs.n && i < 9; i++) {
        ASSERT_STR_EQ(probs.lines[i], want[i]);
    }
    /* Refused: nothing of it is kept. */
    ASSERT_TRUE(a.id == NULL && a.source == NULL && a.resolution.v == NULL);
    mt_problems_free(&probs);
    json_decref(obj);
    obj = parse("[\"not\", \"an article\"]");
    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/bad.json", &probs), 1);
    ASSERT_INT_EQ(probs.n, 1);
    ASSERT_STR_EQ(probs.lines[0], "kb/bad.json: an article must be an object");
    ASSERT_TRUE(a.source == NULL);
    mt_problems_free(&probs);
    json_decref(obj);
}

TEST(article_fill_hostile_value)
{
    struct mt_problems probs = {NULL, 0, 0};
    struct mt_article a;
    struct mt_fields fields, context;
    struct mt_buf visible;
    const char *evil = "O'Brien$(Remove-Item C:\\ -Recurse)`n;x";
    json_t *obj = parse(
        "{ \"id\": \"x-fill\", \"title\": \"T\", \"summary\": \"S\", "
        "\"cause\": \"C\", \"resolution\": [\"r\"], \"refs\": [\"KB1\"], "
        "\"commands\": [\"Get-Mailbox -Identity '{mailbox}'\", "
        "\"Get-Mailbox {mailbox}\", "
        "\"Get-ADUser -Filter \\\"mail -eq '{mailbox}'\\\"\", "
        "\"Get-MoveRequest -BatchName '{batch}'\"] }");
    char *got;

    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/x.json", &probs), 0);
    memset(&fields, 0, sizeof(fields));
    memset(&context, 0, sizeof(context));
    mt_buf_init(&visible, 0);
    mt_fields_set(&fields, "mailbox", evil, strlen(evil), 0);
    got = mt_fill_lines(&a.commands, "\n", "", NULL, &fields, &context,
                        &visible);
    /* In '...' the quote is doubled and $( ) ` stay literal; bare, the
     * value is put in single quotes; in "..." (expanded) it is refused
     * and the placeholder stays; {batch}, unknown, is made plain. */
    ASSERT_STR_EQ(got,
                  "Get-Mailbox -Identity "
                  "'O''Brien$(Remove-Item C:\\ -Recurse)`n;x'\n"
                  "Get-Mailbox 'O''Brien$(Remove-Item C:\\ -Recurse)`n;x'\n"
                  "Get-ADUser -Filter \"mail -eq '{mailbox}'\"\n"
                  "Get-MoveRequest -BatchName 'BATCH'");
    ASSERT_STR_EQ(visible.data, "BATCH");
    mt_free(got);
    /* Without visible the templates' own placeholders stay as written. */
    got = mt_fill_lines(&a.commands, "", ";", NULL, &fields, &context, NULL);
    ASSERT_TRUE(got != NULL && strstr(got, "-BatchName '{batch}';") != NULL);
    mt_free(got);
    mt_buf_free(&visible);
    mt_fields_clear(&fields);
    mt_article_free(&a);
    json_decref(obj);
}

/* Records what mt_article_render asks a format to write. */
static void note(void *ctx, const char *kind, const char *label, size_t n)
{
    struct mt_buf *b = ctx;

    mt_buf_appendf(b, "%s %s %zu|", kind, label, n);
}

static void on_prose(void *ctx, const char *label, const char *text)
{
    note(ctx, "prose", label, strlen(text));
}

static void on_steps(void *ctx, const char *label,
                     const struct mt_strlist *l)
{
    note(ctx, "steps", label, l->n);
}

static void on_commands(void *ctx, const char *label,
                        const struct mt_strlist *l)
{
    note(ctx, "commands", label, l->n);
}

static void on_refs(void *ctx, const char *label, const struct mt_strlist *l)
{
    note(ctx, "refs", label, l->n);
}

TEST(article_render_order_and_parts)
{
    struct mt_problems probs = {NULL, 0, 0};
    struct mt_article a;
    struct mt_buf b;
    json_t *obj = parse(full_article);
    struct mt_article_style all = {.ctx = &b, .prose = on_prose,
                                   .steps = on_steps, .commands = on_commands,
                                   .verify = on_commands, .refs = on_refs};
    struct mt_article_style some = {.ctx = &b, .prose = on_prose,
                                    .steps = on_steps,
                                    .commands = on_commands};

    ASSERT_INT_EQ(mt_article_init(&a, obj, "kb/mrs.json", &probs), 0);
    mt_buf_init(&b, 0);
    mt_article_render(&a, &all);
    ASSERT_STR_EQ(b.data, "prose What it means 35|prose Why 31|steps Fix 2|"
                          "commands Commands 2|commands Check afterwards 1|"
                          "prose Risk 29|refs References 2|");
    /* A format without checks and sources; an article without risk. */
    b.len = 0;
    a.risk = NULL;
    mt_article_render(&a, &some);
    ASSERT_STR_EQ(b.data, "prose What it means 35|prose Why 31|steps Fix 2|"
                          "commands Commands 2|");
    mt_buf_free(&b);
    mt_article_free(&a);
    json_decref(obj);
}
