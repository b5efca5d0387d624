/* test_csv.c: the CSV reader on the Export-Csv shapes of FORMATS.md
 * section 4, each input fed whole and one byte at a time (the records and
 * messages must not depend on the chunking). */
#include "format.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GOT 128
#define MAX_MSG 8

/* One record as the sink saw it, flattened to text for comparison. */
struct got {
    enum mt_record_kind kind;
    unsigned flags;
    char text[512];
    char mailbox[128];
    char batch[128];
    char status[64];
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
        ASSERT_TRUE(r->value == r->label + r->label_len + 3);
    }
    if (r->kind == MT_REC_BLANK) {
        ASSERT_INT_EQ(r->len, 0);
    }
    if (c->n >= MAX_GOT) {
        UNIT_FAIL("too many records");
        return 0;
    }
    g = &c->got[c->n++];
    memset(g, 0, sizeof(*g));
    g->kind = r->kind;
    g->flags = r->flags;
    copy_n(g->text, sizeof(g->text), r->text, r->len);
    g->line = r->line;
    g->last_line = r->last_line;
    for (i = 0; i < r->nctx; i++) {
        const struct mt_record_ctx *x = &r->ctx[i];
        if (strcmp(x->name, "mailbox") == 0) {
            copy_n(g->mailbox, sizeof(g->mailbox), x->value, x->value_len);
        } else if (strcmp(x->name, "batch") == 0) {
            copy_n(g->batch, sizeof(g->batch), x->value, x->value_len);
        } else if (strcmp(x->name, "status") == 0) {
            copy_n(g->status, sizeof(g->status), x->value, x->value_len);
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

/* Reads in with the CSV reader, chunk bytes at a time (0 = whole). */
static void read_csv(struct collect *c, const char *in, size_t chunk,
                     uint64_t max_record)
{
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct mt_format_reader *r;
    size_t n = strlen(in), off = 0, k;

    mt_limits_defaults(limits);
    if (max_record) {
        limits[MT_LIMIT_RECORD_BYTES] = max_record;
    }
    memset(c, 0, sizeof(*c));
    mt_scan_init(&scan, limits, &collect_ops, c, collect_message, c);
    r = mt_format_csv.open(&scan, "t.csv");
    ASSERT_TRUE(r != NULL);
    if (r == NULL) {
        return;
    }
    if (chunk == 0) {
        chunk = n ? n : 1;
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        ASSERT_INT_EQ(mt_format_csv.feed(r, in + off, k), 0);
        off += k;
    }
    ASSERT_INT_EQ(mt_format_csv.finish(r), 0);
    mt_format_csv.free(r);
}

/* Reads in whole and byte by byte; both must give the same records and
 * messages. The whole-read result is left in c. */
static void read_both(struct collect *c, const char *in, uint64_t max_record)
{
    static struct collect bytewise;
    int i;

    read_csv(&bytewise, in, 1, max_record);
    read_csv(c, in, 0, max_record);
    ASSERT_INT_EQ(bytewise.n, c->n);
    ASSERT_INT_EQ(bytewise.nmsg, c->nmsg);
    for (i = 0; i < c->n && i < bytewise.n; i++) {
        ASSERT_INT_EQ(bytewise.got[i].kind, c->got[i].kind);
        ASSERT_STR_EQ(bytewise.got[i].text, c->got[i].text);
        ASSERT_STR_EQ(bytewise.got[i].mailbox, c->got[i].mailbox);
        ASSERT_INT_EQ(bytewise.got[i].line, c->got[i].line);
        ASSERT_INT_EQ(bytewise.got[i].last_line, c->got[i].last_line);
    }
    for (i = 0; i < c->nmsg && i < bytewise.nmsg; i++) {
        ASSERT_STR_EQ(bytewise.msgs[i], c->msgs[i]);
    }
}

static int count_kind(const struct collect *c, enum mt_record_kind kind)
{
    int i, n = 0;

    for (i = 0; i < c->n; i++) {
        n += c->got[i].kind == kind;
    }
    return n;
}

TEST(csv_bid_shapes)
{
    const char *typed = "#TYPE Selected.System.Management.Automation."
                        "PSCustomObject\r\n\"Identity\",\"Status\"\r\n";
    const char *quoted = "\"Identity\",\"MailboxEmailAddress\",\"Status\"\n"
                         "\"a\",\"a@contoso.com\",\"Failed\"\n";
    const char *semi = "\"Identity\";\"Status\"\n\"a\";\"Failed\"\n";
    const char *tab = "\"Identity\"\t\"Status\"\n\"a\"\t\"Failed\"\n";
    const char *bare = "EmailAddress,ErrorMessage,RowIndex\n"
                       "a@contoso.com,Some error,1\n";
    const char *mismatch = "\"Identity\",\"Status\"\n\"a\",\"b\",\"c\"\n";

    ASSERT_INT_EQ(mt_format_csv.bid(typed, strlen(typed)), 90);
    ASSERT_INT_EQ(mt_format_csv.bid(quoted, strlen(quoted)), 70);
    ASSERT_INT_EQ(mt_format_csv.bid(semi, strlen(semi)), 70);
    ASSERT_INT_EQ(mt_format_csv.bid(tab, strlen(tab)), 70);
    ASSERT_INT_EQ(mt_format_csv.bid(bare, strlen(bare)), 40);
    ASSERT_INT_EQ(mt_format_csv.bid(mismatch, strlen(mismatch)), 0);
    ASSERT_INT_EQ(mt_format_csv.bid("Identity : jdoe\n", 16), 0);
    ASSERT_INT_EQ(mt_format_csv.bid("hello, world\nbye\n", 17), 0);
    ASSERT_INT_EQ(mt_format_csv.bid("\"just one\"\n", 11), 0);
    ASSERT_TRUE(mt_format_choose(typed, strlen(typed)) == &mt_format_csv);
}

TEST(csv_type_line_and_quoted_header)
{
    static struct collect c;

    read_both(&c,
              "#TYPE Deserialized.Microsoft.Exchange.Data.Storage."
              "Management.MigrationUserStatistics\r\n"
              "\"Identity\",\"BatchId\",\"Status\",\"ErrorSummary\"\r\n"
              "\"jdoe@contoso.com\",\"Wave1\",\"Completed\",\r\n"
              "\"asmith@contoso.com\",\"Wave1\",\"Failed\","
              "\"You must specify the PrimaryOnly parameter\"\r\n",
              0);
    ASSERT_INT_EQ(c.n, 9);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(c.got[0].kind, MT_REC_FIELD);
    ASSERT_STR_EQ(c.got[0].text, "Identity : jdoe@contoso.com");
    ASSERT_INT_EQ(c.got[0].line, 3);
    ASSERT_STR_EQ(c.got[1].text, "BatchId : Wave1");
    ASSERT_STR_EQ(c.got[2].text, "Status : Completed");
    ASSERT_INT_EQ(c.got[3].kind, MT_REC_BLANK);
    ASSERT_STR_EQ(c.got[7].text,
                  "ErrorSummary : You must specify the PrimaryOnly parameter");
    ASSERT_STR_EQ(c.got[7].mailbox, "asmith@contoso.com");
    ASSERT_STR_EQ(c.got[7].batch, "Wave1");
    ASSERT_STR_EQ(c.got[7].status, "Failed");
    ASSERT_INT_EQ(c.got[7].line, 4);
    ASSERT_INT_EQ(c.got[8].kind, MT_REC_BLANK);
}

TEST(csv_semicolon_delimiter)
{
    static struct collect c;

    read_both(&c,
              "\"Name\";\"Status\";\"Error\"\n"
              "\"Adele Vance\";\"Failed\";\"Error: a; b, c\"\n",
              0);
    ASSERT_INT_EQ(c.n, 4);
    ASSERT_STR_EQ(c.got[0].text, "Name : Adele Vance");
    ASSERT_STR_EQ(c.got[2].text, "Error : Error: a; b, c");
    ASSERT_STR_EQ(c.got[2].mailbox, "Adele Vance");
}

TEST(csv_tab_and_unquoted_cells)
{
    static struct collect c;

    read_both(&c,
              "EmailAddress\tErrorMessage\tRowIndex\n"
              "adele@contoso.com\tThe user already exists\t2\n",
              0);
    ASSERT_INT_EQ(c.n, 4);
    ASSERT_STR_EQ(c.got[1].text, "ErrorMessage : The user already exists");
    ASSERT_STR_EQ(c.got[1].mailbox, "adele@contoso.com");
}

TEST(csv_embedded_crlf_in_quoted_cell)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"ErrorSummary\",\"Status\"\r\n"
              "\"bwilson@contoso.com\",\"first line\r\n"
              "--> second line\r\n"
              "\r\n"
              "third line\",\"Failed\"\r\n"
              "\"c\",\"x\",\"y\"\r\n",
              0);
    /* The lines continuing the cell are its value, joined by spaces (a
     * message broken over lines is matched whole). */
    ASSERT_INT_EQ(c.n, 8);
    ASSERT_STR_EQ(c.got[1].text,
                  "ErrorSummary : first line --> second line third line");
    ASSERT_INT_EQ(c.got[1].line, 2);
    ASSERT_INT_EQ(c.got[1].last_line, 5);
    ASSERT_STR_EQ(c.got[1].mailbox, "bwilson@contoso.com");
    ASSERT_STR_EQ(c.got[2].text, "Status : Failed");
    ASSERT_INT_EQ(c.got[3].kind, MT_REC_BLANK);
    ASSERT_INT_EQ(c.got[3].line, 5);
    ASSERT_STR_EQ(c.got[4].text, "Identity : c");
    ASSERT_INT_EQ(c.got[4].line, 6);
}

/* A Report cell: from the first timestamped entry on, each line stays a
 * record of its own, with its line number (entries are matched alone). */
TEST(csv_report_cell_entries_stay_lines)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"Report\"\r\n"
              "\"jdoe\",\"1/2/2019 2:59:34 PM [EXHV-1] Move started.\r\n"
              "1/2/2019 3:01:10 PM [EXHV-1] Fatal error TooManyLargeItems\r\n"
              "PermanentException has occurred.\"\r\n",
              0);
    ASSERT_INT_EQ(c.n, 5);
    ASSERT_STR_EQ(c.got[1].text,
                  "Report : 1/2/2019 2:59:34 PM [EXHV-1] Move started.");
    ASSERT_INT_EQ(c.got[2].kind, MT_REC_LINE);
    ASSERT_STR_EQ(c.got[2].text, "1/2/2019 3:01:10 PM [EXHV-1] Fatal error "
                                 "TooManyLargeItems");
    ASSERT_INT_EQ(c.got[2].line, 3);
    ASSERT_INT_EQ(c.got[3].kind, MT_REC_LINE);
    ASSERT_STR_EQ(c.got[3].text, "PermanentException has occurred.");
    ASSERT_INT_EQ(c.got[3].line, 4);
    ASSERT_INT_EQ(c.got[4].kind, MT_REC_BLANK);
}

TEST(csv_doubled_quotes)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"Error\"\n"
              "\"cjones\",\"Target user \"\"Carol Jones\"\" already has a "
              "primary mailbox.\"\n",
              0);
    ASSERT_INT_EQ(c.n, 3);
    ASSERT_STR_EQ(c.got[1].text, "Error : Target user \"Carol Jones\" already "
                                 "has a primary mailbox.");
}

TEST(csv_null_cells_skipped)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"Error\",\"ErrorSummary\",\"Status\"\n"
              "\"jdoe\",,\"\",\"Completed\"\n"
              "\"asmith\",,,\n",
              0);
    ASSERT_INT_EQ(c.n, 5);
    ASSERT_STR_EQ(c.got[0].text, "Identity : jdoe");
    ASSERT_STR_EQ(c.got[1].text, "Status : Completed");
    ASSERT_INT_EQ(c.got[2].kind, MT_REC_BLANK);
    ASSERT_STR_EQ(c.got[3].text, "Identity : asmith");
    ASSERT_INT_EQ(c.got[4].kind, MT_REC_BLANK);
    ASSERT_INT_EQ(c.nmsg, 0);
}

TEST(csv_short_row_warns_once)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"Status\",\"Error\"\n"
              "\"a\",\"Failed\"\n"
              "\"b\"\n"
              "\"c\",\"Failed\",\"x\",\"extra\"\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_INT_EQ(c.levels[0], MT_MSG_WARNING);
    ASSERT_STR_EQ(c.msgs[0], "CSV: row at line 2 has 2 fields, header has 3");
    /* Cells are kept: the extra one under a made-up label. */
    ASSERT_INT_EQ(c.n, 10);
    ASSERT_STR_EQ(c.got[8].text, "H4 : extra");
    ASSERT_STR_EQ(c.got[8].mailbox, "c");
}

TEST(csv_unterminated_quote_keeps_text)
{
    static struct collect c;

    read_both(&c,
              "\"Identity\",\"Error\"\n"
              "\"a\",\"ok\"\n"
              "\"b\",\"MigrationPermanentException: cut\n"
              "here",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_INT_EQ(c.levels[0], MT_MSG_ERROR);
    ASSERT_STR_EQ(c.msgs[0],
                  "CSV: unterminated quoted field starting at line 3");
    ASSERT_INT_EQ(c.n, 6);
    ASSERT_STR_EQ(c.got[4].text,
                  "Error : MigrationPermanentException: cut here");
    ASSERT_STR_EQ(c.got[4].mailbox, "b");
    ASSERT_INT_EQ(c.got[5].kind, MT_REC_BLANK);
}

TEST(csv_format_table_objects_warn)
{
    static struct collect c;

    read_both(&c,
              "#TYPE Microsoft.PowerShell.Commands.Internal.Format."
              "FormatStartData\r\n"
              "\"ClassId2e4f51ef21dd47e99d3c952918aff9cd\","
              "\"pageHeaderEntry\",\"pageFooterEntry\",\"autosizeInfo\","
              "\"shapeInfo\",\"groupingEntry\"\r\n"
              "\"033ecb2bc07a4d43b5ef94ed5a35d280\",,,,\"Microsoft."
              "PowerShell.Commands.Internal.Format.TableHeaderInfo\",\r\n"
              "\"9e210fe47d09416682b841769c78b8a3\",,,,,\r\n",
              0);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_INT_EQ(c.levels[0], MT_MSG_WARNING);
    ASSERT_STR_EQ(c.msgs[0], "CSV holds Format-Table/Format-List formatting "
                             "objects, not data: export with Select-Object "
                             "instead of Format-*");
    ASSERT_INT_EQ(c.n, 5);
    ASSERT_STR_EQ(c.got[0].text, "ClassId2e4f51ef21dd47e99d3c952918aff9cd : "
                                 "033ecb2bc07a4d43b5ef94ed5a35d280");
}

TEST(csv_mailbox_ctx_from_preferred_column)
{
    static struct collect c;

    /* MailboxEmailAddress beats Identity even though it comes later; an
     * empty preferred cell falls back to the next column. */
    read_both(&c,
              "\"Identity\",\"Error\",\"MailboxEmailAddress\"\n"
              "\"contoso.com/Users/Adele\",\"boom\",\"adele@contoso.com\"\n"
              "\"contoso.com/Users/Ben\",\"boom\",\n",
              0);
    ASSERT_INT_EQ(c.n, 7);
    ASSERT_STR_EQ(c.got[0].mailbox, "adele@contoso.com");
    ASSERT_STR_EQ(c.got[1].mailbox, "adele@contoso.com");
    ASSERT_STR_EQ(c.got[5].text, "Error : boom");
    ASSERT_STR_EQ(c.got[5].mailbox, "contoso.com/Users/Ben");
}

TEST(csv_long_cell_cut)
{
    static struct collect c;
    char in[600];
    size_t i, n;

    n = (size_t)snprintf(in, sizeof(in), "\"Identity\",\"Error\"\n\"a\",\"");
    for (i = 0; i < 300; i++) {
        in[n++] = (char)('a' + i % 26);
    }
    memcpy(in + n, "\"\n", 3);
    read_both(&c, in, 64);
    ASSERT_INT_EQ(c.n, 3);
    ASSERT_INT_EQ(strlen(c.got[1].text), 64);
    ASSERT_TRUE(c.got[1].flags & MT_RECF_TRUNCATED);
    ASSERT_INT_EQ(c.nmsg, 1);
    ASSERT_STR_EQ(c.msgs[0], "CSV: 1 cell(s) longer than 64 bytes were cut");
}

TEST(csv_blank_lines_and_no_final_newline)
{
    static struct collect c;

    read_both(&c, "\"Identity\",\"Status\"\n\n\"a\",\"Failed\"\n\n\"b\",\"x\"",
              0);
    ASSERT_INT_EQ(c.nmsg, 0);
    ASSERT_INT_EQ(count_kind(&c, MT_REC_BLANK), 2);
    ASSERT_INT_EQ(count_kind(&c, MT_REC_FIELD), 4);
    ASSERT_INT_EQ(c.got[3].line, 5);
}

TEST(csv_cut_cell_keeps_whole_characters)
{
    static struct collect c;

    /* Six 3-byte characters: the 16-byte limit falls inside the sixth;
     * neither the context nor the cell's lines may end in a partial
     * character. */
    read_both(&c,
              "\"Identity\",\"Error\"\n"
              "\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
              "\xe2\x82\xac\",\"a\n\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2"
              "\x82\xac\xe2\x82\xac\xe2\x82\xac\"\n",
              16);
    ASSERT_INT_EQ(c.n, 3);
    ASSERT_STR_EQ(c.got[0].mailbox, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                                    "\xe2\x82\xac\xe2\x82\xac");
    /* The second line joins the value; 8 bytes of room end on a whole
     * character. */
    ASSERT_STR_EQ(c.got[1].text, "Error : a \xe2\x82\xac\xe2\x82\xac");
    ASSERT_TRUE(c.got[1].flags & MT_RECF_TRUNCATED);
}
