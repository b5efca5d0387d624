/* test_json.c: the ConvertTo-Json reader on the shapes of FORMATS.md
 * section 5 (5.1 layout with two spaces after the colon and "\/Date()\/",
 * PS 7 layout), each input fed whole and one byte at a time. */
#include "format.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GOT 128
#define MAX_MSG 8

struct got {
    enum mt_record_kind kind;
    char text[512];
    char mailbox[128];
    unsigned long long line, last_line;
};

struct collect {
    struct got got[MAX_GOT];
    int n;
    char msgs[MAX_MSG][256];
    int levels[MAX_MSG];
    int nmsg;
};

static void copy_n(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static int collect_record(void *ctx, const struct mt_record *r)
{
    struct collect *c = ctx;
    struct got *g;
    size_t i;

    ASSERT_TRUE(r->text != NULL);
    ASSERT_INT_EQ(r->text[r->len], 0);
    ASSERT_INT_EQ(strlen(r->text), r->len);
    ASSERT_TRUE(memchr(r->text, '\n', r->len) == NULL);
    ASSERT_TRUE(r->line >= 1 && r->last_line >= r->line);
    if (r->kind == MT_REC_FIELD) {
        ASSERT_TRUE(r->label == r->text);
        ASSERT_TRUE(r->value + r->value_len == r->text + r->len);
    }
    if (c->n >= MAX_GOT) {
        UNIT_FAIL("too many records");
        return 0;
    }
    g = &c->got[c->n++];
    memset(g, 0, sizeof(*g));
    g->kind = r->kind;
    copy_n(g->text, sizeof(g->text), r->text, r->len);
    g->line = r->line;
    g->last_line = r->last_line;
    for (i = 0; i < r->nctx; i++) {
        if (strcmp(r->ctx[i].name, "mailbox") == 0) {
            copy_n(g->mailbox, sizeof(g->mailbox), r->ctx[i].value,
                   r->ctx[i].value_len);
        }
    }
    return 0;
}

static void collect_message(void *ctx, enum mt_msg_level level,
                            const char *origin, const char *text)
{
    struct collect *c = ctx;

    (void)origin;
    if (c->nmsg < MAX_MSG) {
        c->levels[c->nmsg] = (int)level;
        copy_n(c->msgs[c->nmsg], sizeof(c->msgs[0]), text, strlen(text));
        c->nmsg++;
    }
}

static const struct mt_sink_ops collect_ops = {NULL, collect_record, NULL};

/* Reads in with the JSON reader, chunk bytes at a time (0 = whole);
 * max_doc lowers the bound on one top-level value (json-value-bytes). */
static void read_json(struct collect *c, const char *in, size_t chunk,
                      uint64_t max_doc)
{
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct mt_format_reader *r;
    size_t n = strlen(in), off = 0, k;

    mt_limits_defaults(limits);
    if (max_doc) {
        limits[MT_LIMIT_JSON_VALUE_BYTES] = max_doc;
    }
    memset(c, 0, sizeof(*c));
    mt_scan_init(&scan, limits, &collect_ops, c, collect_message, c);
    r = mt_format_json.open(&scan, "t.json");
    ASSERT_TRUE(r != NULL);
    if (r == NULL) {
        return;
    }
    if (chunk == 0) {
        chunk = n ? n : 1;
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        ASSERT_INT_EQ(mt_format_json.feed(r, in + off, k), 0);
        off += k;
    }
    ASSERT_INT_EQ(mt_format_json.finish(r), 0);
    mt_format_json.free(r);
}

static void read_both(struct collect *c, const char *in, uint64_t max_doc)
{
    static struct collect bytewise;
    int i;

    read_json(&bytewise, in, 1, max_doc);
    read_json(c, in, 0, max_doc);
    ASSERT_INT_EQ(bytewise.n, c->n);
    ASSERT_INT_EQ(bytewise.nmsg, c->nmsg);
    for (i = 0; i < c->n && i < bytewise.n; i++) {
        ASSERT_INT_EQ(bytewise.got[i].kind, c->got[i].kind);
        ASSERT_STR_EQ(bytewise.got[i].text, c->got[i].text);
        ASSERT_INT_EQ(bytewise.got[i].line, c->got[i].line);
    }
    for (i = 0; i < c->nmsg && i < bytewise.nmsg; i++) {
        ASSERT_STR_EQ(bytewise.msgs[i], c->msgs[i]);
    }
}

/* Index of the first record whose text holds s, or -1. */
static int find_text(const struct collect *c, const char *s)
{
    int i;

    for (i = 0; i < c->n; i++) {
        if (strstr(c->got[i].text, s) != NULL) {
            return i;
        }
    }
    return -1;
}

/* 5.1: four-space indent, two spaces after the colon, hanging indents for
 * nested objects, enums as numbers, escaped-slash dates. */
static const char ps51[] =
    "[\r\n"
    "    {\r\n"
    "        \"DisplayName\":  \"John Doe\",\r\n"
    "        \"Identity\":  \"jdoe\",\r\n"
    "        \"Status\":  10,\r\n"
    "        \"IsValid\":  true,\r\n"
    "        \"ValidationMessage\":  null,\r\n"
    "        \"StartTimestamp\":  \"\\/Date(1421675530000)\\/\",\r\n"
    "        \"Message\":  \"Error: This mailbox exceeded the maximum\"\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"DisplayName\":  \"Adele Vance\",\r\n"
    "        \"Identity\":  \"adele\",\r\n"
    "        \"PercentComplete\":  95.5\r\n"
    "    }\r\n"
    "]\r\n";

TEST(json_bid_shapes)
{
    const char *ps7 = "{\n  \"Name\": \"x\"\n}\n";

    ASSERT_INT_EQ(mt_format_json.bid(ps51, strlen(ps51)), 80);
    ASSERT_INT_EQ(mt_format_json.bid(ps7, strlen(ps7)), 80);
    ASSERT_INT_EQ(mt_format_json.bid("{\"a\" :1}", 8), 80);
    ASSERT_INT_EQ(mt_format_json.bid("[\"a\", \"b\"]", 10), 0);
    ASSERT_INT_EQ(mt_format_json.bid("{ not json", 10), 0);
    ASSERT_INT_EQ(mt_format_json.bid("[EXCH01] text", 13), 0);
    ASSERT_TRUE(mt_format_choose(ps51, strlen(ps51)) == &mt_format_json);
}

TEST(json_ps51_layout)
{
    static struct collect c;

    read_both(&c, ps51, 0);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(c.n, 11);
    ASSERT_STR_EQ(c.got[0].text, "DisplayName : John Doe");
    ASSERT_INT_EQ(c.got[0].line, 2);
    ASSERT_INT_EQ(c.got[0].kind, MT_REC_FIELD);
    ASSERT_STR_EQ(c.got[0].mailbox, "jdoe");
    ASSERT_STR_EQ(c.got[2].text, "Status : 10");
    ASSERT_STR_EQ(c.got[3].text, "IsValid : True");
    ASSERT_STR_EQ(c.got[4].text, "StartTimestamp : /Date(1421675530000)/");
    ASSERT_STR_EQ(c.got[5].text,
                  "Message : Error: This mailbox exceeded the maximum");
    ASSERT_INT_EQ(c.got[6].kind, MT_REC_BLANK);
    ASSERT_INT_EQ(c.got[6].line, 10);
    ASSERT_STR_EQ(c.got[9].text, "PercentComplete : 95.5");
    ASSERT_INT_EQ(c.got[9].line, 11);
    ASSERT_STR_EQ(c.got[9].mailbox, "adele");
}

TEST(json_ps7_layout_single_object)
{
    static struct collect c;

    read_both(&c,
              "{\n"
              "  \"MailboxEmailAddress\": \"adele@contoso.com\",\n"
              "  \"Status\": \"Failed\",\n"
              "  \"LastSuccessfulSyncTime\": "
              "\"2021-08-05T16:13:05.6394416-07:00\",\n"
              "  \"Error\": \"MigrationPermanentException: line one\\r\\n"
              "line two\"\n"
              "}\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(c.n, 6);
    ASSERT_STR_EQ(c.got[2].text,
                  "LastSuccessfulSyncTime : 2021-08-05T16:13:05.6394416-07:00");
    ASSERT_STR_EQ(c.got[3].text,
                  "Error : MigrationPermanentException: line one");
    ASSERT_INT_EQ(c.got[4].kind, MT_REC_LINE);
    ASSERT_STR_EQ(c.got[4].text, "line two");
    ASSERT_STR_EQ(c.got[4].mailbox, "adele@contoso.com");
    ASSERT_INT_EQ(c.got[5].kind, MT_REC_BLANK);
    ASSERT_INT_EQ(c.got[5].line, 6);
}

TEST(json_nested_object_and_string_array)
{
    static struct collect c;

    read_both(&c,
              "{\"Identity\": \"jdoe\",\n"
              " \"Report\": {\"Entries\": [\"1/19/2015 1:52:10 PM "
              "[EXCH01] created move request.\", \"1/19/2015 2:07:45 PM "
              "[EXCH01] Fatal error TooManyLargeItemsPermanentException has "
              "occurred.\"],\n"
              "   \"Failures\": [{\"FailureType\": \"TooManyLargeItems\", "
              "\"Depth\": {\"a\": {\"b\": 1}}}],\n"
              "   \"Sizes\": [1, 2]}}\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(c.n, 8);
    ASSERT_STR_EQ(c.got[0].text, "Identity : jdoe");
    ASSERT_INT_EQ(c.got[1].kind, MT_REC_LINE);
    ASSERT_STR_EQ(c.got[1].text,
                  "1/19/2015 1:52:10 PM [EXCH01] created move request.");
    ASSERT_STR_EQ(c.got[1].mailbox, "jdoe");
    ASSERT_INT_EQ(c.got[2].kind, MT_REC_LINE);
    ASSERT_STR_EQ(c.got[3].text,
                  "Report.Failures.FailureType : TooManyLargeItems");
    ASSERT_STR_EQ(c.got[4].text, "Report.Failures.Depth.a.b : 1");
    ASSERT_STR_EQ(c.got[5].text, "Report.Sizes : 1");
    ASSERT_STR_EQ(c.got[6].text, "Report.Sizes : 2");
    ASSERT_INT_EQ(c.got[7].kind, MT_REC_BLANK);
}

TEST(json_depth_bound_shows_compact_json)
{
    static struct collect c;

    read_both(&c,
              "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":"
              "{\"i\":{\"j\":1}}}}}}}}}}",
              0);
    ASSERT_INT_EQ(c.n, 2);
    ASSERT_STR_EQ(c.got[0].text, "a.b.c.d.e.f.g.h : {\"i\":{\"j\":1}}");
}

TEST(json_malformed_falls_back_to_plain)
{
    static struct collect c;

    read_both(&c,
              "{\n"
              "    \"Identity\":  \"jdoe\",\n"
              "    \"Message\":  \"Error: cut short\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_INT_EQ(c.levels[0], MT_MSG_ERROR);
    ASSERT_TRUE(strncmp(c.msgs[0], "JSON: ", 6) == 0);
    ASSERT_TRUE(strstr(c.msgs[0], " at line 3 column ") != NULL);
    /* Every line is still read, as plain text (the splitter joins the
     * indented lines to the brace as continuations). */
    ASSERT_TRUE(find_text(&c, "\"Error: cut short") >= 0);
    ASSERT_INT_EQ(c.got[0].line, 1);
    ASSERT_INT_EQ(c.got[c.n - 1].last_line, 3);
}

TEST(json_large_value_read_as_plain)
{
    static struct collect c;

    /* The first element fits, the second does not: it and the rest are
     * read as plain text, from its own line on. */
    read_both(&c,
              "[\n"
              "  {\"Identity\": \"ann\"},\n"
              "  {\n"
              "    \"Identity\": \"jdoe\",\n"
              "    \"Message\": \"Error: MapiExceptionMaxSubmissionExceeded\"\n"
              "  }\n"
              "]\n",
              40);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_INT_EQ(c.levels[0], MT_MSG_ERROR);
    ASSERT_STR_EQ(c.msgs[0],
                  "JSON value at line 3 larger than 40 bytes (--limit "
                  "json-value-bytes); read as plain text");
    ASSERT_STR_EQ(c.got[0].text, "Identity : ann");
    ASSERT_INT_EQ(c.got[0].line, 2);
    ASSERT_INT_EQ(c.got[1].kind, MT_REC_BLANK);
    ASSERT_TRUE(find_text(&c, "MapiExceptionMaxSubmissionExceeded") >= 2);
    ASSERT_INT_EQ(
        c.got[find_text(&c, "MapiExceptionMaxSubmissionExceeded")].last_line,
        5);
}

TEST(json_array_of_strings_and_scalars)
{
    static struct collect c;

    /* Elements that are not objects are values too, each with its own
     * line; a number ends at the comma or bracket after it. */
    read_both(&c, "[\n  \"Error: one\",\n  42,\n  true\n]\n", 0);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(c.n, 6);
    ASSERT_STR_EQ(c.got[0].text, "Error: one");
    ASSERT_INT_EQ(c.got[0].line, 2);
    ASSERT_STR_EQ(c.got[2].text, "Value : 42");
    ASSERT_INT_EQ(c.got[2].line, 3);
    ASSERT_STR_EQ(c.got[4].text, "Value : True");
    ASSERT_INT_EQ(c.got[4].line, 4);
}

TEST(json_stray_text_between_elements)
{
    static struct collect c;

    /* A missing comma: the first object is read, the rest as plain text
     * from the stray brace on. */
    read_both(&c,
              "[\n"
              "  {\"Identity\": \"ann\"}\n"
              "  {\"Identity\": \"ben\", \"Message\": \"Error: two\"}\n"
              "]\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_STR_EQ(c.msgs[0], "JSON: unexpected '{' at line 3 column 3");
    ASSERT_STR_EQ(c.got[0].text, "Identity : ann");
    ASSERT_TRUE(find_text(&c, "Error: two") >= 2);
    ASSERT_INT_EQ(c.got[find_text(&c, "Error: two")].line, 3);
}

TEST(json_unclosed_array_reported)
{
    static struct collect c;

    read_both(&c, "[\n  {\"Identity\": \"ann\"},\n  7\n", 0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_STR_EQ(c.msgs[0], "JSON: the array opened at line 1 is not "
                             "closed (input cut short?)");
    ASSERT_INT_EQ(c.n, 4);
    ASSERT_STR_EQ(c.got[2].text, "Value : 7");
}

TEST(json_concatenated_documents)
{
    static struct collect c;

    /* "ConvertTo-Json >> file" in a loop: documents one after another;
     * a broken one is read as plain text from where it starts. */
    read_both(&c,
              "{\n"
              "    \"Identity\":  \"jdoe\"\n"
              "}\n"
              "{\n"
              "    \"Identity\":  \"adele\"\n"
              "}\n"
              "{\n"
              "    \"Identity\":  \"ben\",\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_TRUE(strstr(c.msgs[0], " at line 9 column ") != NULL);
    ASSERT_TRUE(c.n >= 5);
    ASSERT_STR_EQ(c.got[0].text, "Identity : jdoe");
    ASSERT_INT_EQ(c.got[1].kind, MT_REC_BLANK);
    ASSERT_INT_EQ(c.got[1].line, 3);
    ASSERT_STR_EQ(c.got[2].text, "Identity : adele");
    ASSERT_INT_EQ(c.got[2].line, 4);
    ASSERT_INT_EQ(c.got[3].kind, MT_REC_BLANK);
    ASSERT_TRUE(find_text(&c, "\"ben\"") >= 4);
    ASSERT_INT_EQ(c.got[find_text(&c, "\"ben\"")].last_line, 8);
    ASSERT_TRUE(find_text(&c, "jdoe") == 0);
}

TEST(json_bom_between_documents)
{
    static struct collect c;

    /* Two files concatenated, the second with its UTF-8 BOM; then a byte
     * that starts a BOM but is followed by other text, which is plain
     * text (the message names the byte, never echoes it raw). */
    read_both(&c,
              "{\"Identity\": \"ann\"}\n\xEF\xBB\xBF{\"Identity\": \"ben\"}\n"
              "\xEF\xA4\xA4 Error: stray\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_STR_EQ(c.msgs[0], "JSON: unexpected byte 0xA4 at line 3 column 1");
    ASSERT_STR_EQ(c.got[0].text, "Identity : ann");
    ASSERT_STR_EQ(c.got[2].text, "Identity : ben");
    ASSERT_INT_EQ(c.got[2].line, 2);
    ASSERT_TRUE(find_text(&c, "\xEF\xA4\xA4 Error: stray") >= 4);
}
