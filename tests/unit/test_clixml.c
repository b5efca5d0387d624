/* test_clixml.c: the CliXML reader on documents in the real shapes of
 * FORMATS.md section 1 (Export-Clixml envelope, Props vs MS, enums by
 * ToString, RefId/TNRef, _xHHHH_ escapes, the "#< CLIXML" stderr form),
 * fed whole and one byte at a time, and end to end through the decoders
 * and the engine's context rules. */
#include "format.h"
#include "unit.h"

#include "decode.h"
#include "stream.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NS "xmlns=\"http://schemas.microsoft.com/powershell/2004/04\""
#define OBJS "<Objs Version=\"1.1.0.1\" " NS ">"

/* Records as text: "F line: label|value", "L line: text", "B" per blank;
 * messages as "W: text" / "E: text". */
struct got {
    struct mt_buf log;
    struct mt_buf msgs;
};

static int got_record(void *ctx, const struct mt_record *r)
{
    struct got *g = ctx;

    ASSERT_INT_EQ(strlen(r->text), r->len);
    switch (r->kind) {
    case MT_REC_FIELD:
        ASSERT_TRUE(r->label == r->text);
        ASSERT_TRUE(r->value + r->value_len == r->text + r->len);
        ASSERT_TRUE(memcmp(r->text + r->label_len, " : ", 3) == 0);
        mt_buf_appendf(&g->log, "F%llu: %.*s|%.*s\n",
                       (unsigned long long)r->line, (int)r->label_len,
                       r->label, (int)r->value_len, r->value);
        break;
    case MT_REC_BLANK:
        mt_buf_appendf(&g->log, "B\n");
        break;
    default:
        mt_buf_appendf(&g->log, "L%llu: %s\n", (unsigned long long)r->line,
                       r->text);
        break;
    }
    ASSERT_TRUE(r->last_line >= r->line);
    return 0;
}

static const struct mt_sink_ops got_ops = {NULL, got_record, NULL};

static void got_message(void *ctx, enum mt_msg_level level,
                        const char *origin, const char *text)
{
    struct got *g = ctx;

    (void)origin;
    mt_buf_appendf(&g->msgs, "%c: %s\n", "NWE"[level], text);
}

/* The defaults, with the record limit under test. */
static void limits_init(uint64_t *l, uint64_t record)
{
    mt_limits_defaults(l);
    l[MT_LIMIT_RECORD_BYTES] = record;
}

/* Feeds doc through the reader in chunks of chunk bytes (0 = whole) with
 * the given record limit; returns the log, messages in *msgs. Both are
 * malloc'd. */
static char *read_doc_lim(const char *doc, size_t chunk, uint64_t record,
                          char **msgs)
{
    struct got g;
    struct mt_scan scan;
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_format_reader *r;
    size_t n = strlen(doc), off = 0, k;

    limits_init(limits, record);
    mt_buf_init(&g.log, 0);
    mt_buf_init(&g.msgs, 0);
    mt_buf_append(&g.log, "", 0);
    mt_buf_append(&g.msgs, "", 0);
    mt_scan_init(&scan, limits, &got_ops, &g, got_message, &g);
    r = mt_format_clixml.open(&scan, "t.xml");
    ASSERT_TRUE(r != NULL);
    if (chunk == 0) {
        chunk = n ? n : 1;
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        ASSERT_INT_EQ(mt_format_clixml.feed(r, doc + off, k), 0);
        off += k;
    }
    ASSERT_INT_EQ(mt_format_clixml.finish(r), 0);
    mt_format_clixml.free(r);
    *msgs = mt_buf_steal(&g.msgs);
    return mt_buf_steal(&g.log);
}

/* Reads doc whole and byte by byte; both must give the same records and
 * messages. Returns the log; messages in *msgs (may be NULL). */
static char *read_doc(const char *doc, char **msgs)
{
    char *m1, *m2;
    char *whole = read_doc_lim(doc, 0, MT_MAX_RECORD, &m1);
    char *bytes = read_doc_lim(doc, 1, MT_MAX_RECORD, &m2);

    ASSERT_STR_EQ(bytes, whole);
    ASSERT_STR_EQ(m2, m1);
    free(bytes);
    free(m2);
    if (msgs != NULL) {
        *msgs = m1;
    } else {
        free(m1);
    }
    return whole;
}

TEST(clixml_bid)
{
    const char *doc = OBJS "<Obj RefId=\"0\"></Obj></Objs>";

    ASSERT_INT_EQ(mt_format_clixml.bid(doc, strlen(doc)), 100);
    ASSERT_INT_EQ(mt_format_clixml.bid("\r\n  " OBJS, strlen(OBJS) + 4), 100);
    ASSERT_INT_EQ(mt_format_clixml.bid("<?xml version=\"1.0\"?>\n" OBJS,
                                       strlen(OBJS) + 22),
                  100);
    ASSERT_INT_EQ(mt_format_clixml.bid("#< CLIXML\r\n<Objs Version=\"1\">",
                                       29),
                  100);
    /* Without the PowerShell namespace an <Objs> is someone else's XML. */
    ASSERT_INT_EQ(mt_format_clixml.bid("<Objs>", 6), 0);
    ASSERT_INT_EQ(mt_format_clixml.bid("<Objsx " NS ">", 8 + strlen(NS)), 0);
    ASSERT_INT_EQ(mt_format_clixml.bid("Identity : jdoe", 15), 0);
    ASSERT_INT_EQ(mt_format_clixml.bid("", 0), 0);
    /* The registry picks it. */
    ASSERT_STR_EQ(mt_format_choose(doc, strlen(doc))->name, "clixml");
}

/* The shape of movereport.clixml.xml: Props with S/I32/G/Nil/empty S,
 * enums and value types by ToString with a BA blob, TNRef, a nested
 * Report whose Entries list holds strings. */
static const char move_doc[] =
    OBJS "\n"
    "  <Obj RefId=\"0\">\n"
    "    <TN RefId=\"0\"><T>Deserialized.Microsoft.Exchange."
    "MailboxReplicationService.MoveRequestStatistics</T></TN>\n"
    "    <ToString>John Doe</ToString>\n"
    "    <Props>\n"
    "      <S N=\"DisplayName\">John Doe</S>\n"
    "      <Obj N=\"Status\" RefId=\"1\">\n"
    "        <TN RefId=\"1\"><T>Deserialized.System.Enum</T></TN>\n"
    "        <ToString>Failed</ToString>\n"
    "        <I32>99</I32>\n"
    "      </Obj>\n"
    "      <Obj N=\"BadItemLimit\" RefId=\"2\">\n"
    "        <TN RefId=\"2\"><T>Unlimited</T></TN>\n"
    "        <ToString>10</ToString>\n"
    "        <Props><B N=\"IsUnlimited\">false</B><I32 N=\"Value\">10</I32>"
    "</Props>\n"
    "      </Obj>\n"
    "      <Obj N=\"LargeItemLimit\" RefId=\"3\">\n"
    "        <TNRef RefId=\"2\" />\n"
    "        <ToString>3</ToString>\n"
    "      </Obj>\n"
    "      <Nil N=\"CompletionTimestamp\" />\n"
    "      <Obj N=\"OverallDuration\" RefId=\"4\">\n"
    "        <ToString>00:15:35</ToString>\n"
    "        <Props><I64 N=\"Ticks\">9350000000</I64></Props>\n"
    "        <MS><BA N=\"SerializationData\">AAEAAAD/////AQ==</BA></MS>\n"
    "      </Obj>\n"
    "      <S N=\"Message\">Error: x --&gt; MapiExceptionMaxSubmissionExceeded"
    "</S>\n"
    "      <S N=\"ValidationMessage\"></S>\n"
    "      <S N=\"Identity\">jdoe</S>\n"
    "      <Obj N=\"Report\" RefId=\"5\">\n"
    "        <Props>\n"
    "          <Obj N=\"Entries\" RefId=\"6\">\n"
    "            <LST>\n"
    "              <S>1/19/2015 2:01:12 PM [BY2] A large item was "
    "encountered: a</S>\n"
    "              <S>1/19/2015 2:07:45 PM [BY2] Fatal error "
    "TooManyLargeItemsPermanentException has occurred.</S>\n"
    "            </LST>\n"
    "          </Obj>\n"
    "        </Props>\n"
    "      </Obj>\n"
    "    </Props>\n"
    "  </Obj>\n"
    "</Objs>";

TEST(clixml_move_request_fields)
{
    char *log = read_doc(move_doc, NULL);

    ASSERT_STR_EQ(log,
                  "F6: DisplayName|John Doe\n"
                  "F7: Status|Failed\n"
                  "F12: BadItemLimit|10\n"
                  "F17: LargeItemLimit|3\n"
                  "F22: OverallDuration|00:15:35\n"
                  "F27: Message|Error: x --> "
                  "MapiExceptionMaxSubmissionExceeded\n"
                  "F28: ValidationMessage|\n"
                  "F29: Identity|jdoe\n"
                  "L34: 1/19/2015 2:01:12 PM [BY2] A large item was "
                  "encountered: a\n"
                  "L35: 1/19/2015 2:07:45 PM [BY2] Fatal error "
                  "TooManyLargeItemsPermanentException has occurred.\n"
                  "B\n");
    free(log);
}

TEST(clixml_escapes)
{
    char *log = read_doc(
        OBJS "<Obj RefId=\"0\"><MS>"
             "<S N=\"Crlf\">one_x000D__x000A_two_x000d__x000a_three</S>"
             "<S N=\"Lit\">wave_x005F_x2_moves _x005F_x000A_ Order_Details</S>"
             "<S N=\"Emoji\">a_xD83D__xDE00_b</S>"
             "<S N=\"Lone\">a_xD83D_b_xDE00_c_x0000_d</S>"
             "<S N=\"Tab\">a_x0009_b &lt;&amp;&quot; _x00e9_</S>"
             "<S N=\"Not\">_x12_ _xZZZZ_ _x0041</S>"
             "<S N=\"Sp_x0020_Name\">v</S>"
             "</MS></Obj></Objs>",
        NULL);

    ASSERT_STR_EQ(log, "F1: Crlf|one\n"
                       "L1: two\n"
                       "L1: three\n"
                       "F1: Lit|wave_x2_moves _x000A_ Order_Details\n"
                       "F1: Emoji|a\xF0\x9F\x98\x80"
                       "b\n"
                       "F1: Lone|a\xEF\xBF\xBD"
                       "b\xEF\xBF\xBD"
                       "c\xEF\xBF\xBD"
                       "d\n"
                       "F1: Tab|a\tb <&\" \xC3\xA9\n"
                       "F1: Not|_x12_ _xZZZZ_ _x0041\n"
                       "F1: Sp Name|v\n"
                       "B\n");
    free(log);
}

TEST(clixml_nil_empty_and_nested_ms)
{
    char *log = read_doc(
        OBJS "\n<Obj RefId=\"0\">\n"
             "<Props><Nil N=\"Proxy\" /><S N=\"Dc\"></S><S N=\"Dc2\" />"
             "</Props>\n"
             "<MS><S N=\"BatchName\">Wave1</S>\n"
             "<MS N=\"PSStandardMembers\"><S N=\"Alias\">jdoe</S>"
             "<MS N=\"Deeper\"><I32 N=\"Count\">4</I32></MS></MS>\n"
             "</MS></Obj>\n</Objs>\n",
        NULL);

    ASSERT_STR_EQ(log, "F3: Dc|\n"
                       "F3: Dc2|\n"
                       "F4: BatchName|Wave1\n"
                       "F5: Alias|jdoe\n"
                       "F5: Count|4\n"
                       "B\n");
    free(log);
}

TEST(clixml_several_objects)
{
    char *log = read_doc(OBJS "<Obj RefId=\"0\"><MS><S N=\"Identity\">a</S>"
                              "</MS></Obj><Obj RefId=\"1\"><MS>"
                              "<S N=\"Identity\">b</S></MS></Obj>"
                              "<S>plain item</S></Objs>",
                         NULL);

    ASSERT_STR_EQ(log, "F1: Identity|a\nB\nF1: Identity|b\nB\n"
                       "L1: plain item\n");
    free(log);
}

TEST(clixml_ref_and_tnref)
{
    char *msgs;
    char *log = read_doc(
        OBJS "<Obj RefId=\"0\"><TN RefId=\"0\"><T>X</T></TN><Props>"
             "<Obj N=\"Database\" RefId=\"1\"><TN RefId=\"1\"><T>Y</T></TN>"
             "<ToString>DB01</ToString></Obj>"
             "<Obj N=\"Other\" RefId=\"2\"><TNRef RefId=\"1\" />"
             "<ToString>DB02</ToString></Obj>"
             /* Obj ids and TN ids are two namespaces: Ref 1 is DB01. */
             "<Ref N=\"SourceDatabase\" RefId=\"1\" />"
             "<Ref N=\"Broken\" RefId=\"7\" />"
             "<Ref N=\"Broken2\" RefId=\"8\" />"
             "</Props></Obj>"
             "<Obj RefId=\"3\"><LST><Ref RefId=\"2\" /></LST></Obj></Objs>",
        &msgs);

    ASSERT_STR_EQ(log, "F1: Database|DB01\n"
                       "F1: Other|DB02\n"
                       "F1: SourceDatabase|DB01\n"
                       "B\n"
                       "L1: DB02\n"
                       "B\n");
    /* Once per document. */
    ASSERT_STR_EQ(msgs,
                  "W: CliXML: reference to unknown object RefId=\"7\"\n");
    free(log);
    free(msgs);
}

/* The RefId map keeps the newest objects; a Ref to one pushed out is
 * reported like a broken one, never read from a stale entry. */
TEST(clixml_ref_map_bounded)
{
    struct mt_buf b;
    char *log, *msgs;
    int i;

    mt_buf_init(&b, 0);
    mt_buf_appendf(&b, "%s<Obj RefId=\"top\"><LST>", OBJS);
    for (i = 0; i < 5000; i++) {
        mt_buf_appendf(&b, "<Obj RefId=\"%d\"><ToString>t%d</ToString></Obj>",
                       i, i);
    }
    /* A long id is compared on what is kept of it. */
    mt_buf_appendf(&b, "<Obj RefId=\"%0100d\"><ToString>long</ToString>"
                       "</Obj>", 5);
    mt_buf_appendf(&b, "<Ref RefId=\"4999\" /><Ref RefId=\"%0100d\" />"
                       "<Ref RefId=\"0\" /></LST></Obj></Objs>", 5);
    log = read_doc_lim(b.data, 0, MT_MAX_RECORD, &msgs);
    ASSERT_TRUE(strstr(log, "L1: t4999\nL1: long\nL1: t4999\nL1: long\nB\n")
                != NULL);
    ASSERT_STR_EQ(msgs,
                  "W: CliXML: reference to unknown object RefId=\"0\"\n");
    free(log);
    free(msgs);
    mt_buf_free(&b);
}

/* Failures as an LST of Obj: the ToString line, and the properties as
 * "Failures.Name" without repeating what the line already says. */
TEST(clixml_list_of_objects)
{
    char *log = read_doc(
        OBJS "<Obj RefId=\"0\"><Props><S N=\"Identity\">jdoe</S>"
             "<Obj N=\"Failures\" RefId=\"1\"><LST>"
             "<Obj RefId=\"2\"><ToString>5/11/2019 [CY4] Transient error "
             "MapiExceptionNetworkError has occurred.</ToString><Props>"
             "<S N=\"FailureType\">MapiExceptionNetworkError</S>"
             "<I32 N=\"FailureCode\">-2146233088</I32>"
             "<S N=\"Message\">Transient error MapiExceptionNetworkError has "
             "occurred.</S>"
             "<Obj N=\"FailureSide\" RefId=\"3\"><ToString>Source</ToString>"
             "<I32>1</I32></Obj>"
             "</Props></Obj>"
             "<Obj RefId=\"4\"><Props><S N=\"Message\">no ToString</S>"
             "</Props></Obj>"
             "</LST></Obj></Props></Obj></Objs>",
        NULL);

    ASSERT_STR_EQ(log, "F1: Identity|jdoe\n"
                       "L1: 5/11/2019 [CY4] Transient error "
                       "MapiExceptionNetworkError has occurred.\n"
                       "F1: Failures.FailureType|MapiExceptionNetworkError\n"
                       "F1: Failures.FailureCode|-2146233088\n"
                       "F1: Failures.FailureSide|Source\n"
                       "F1: Failures.Message|no ToString\n"
                       "B\n");
    free(log);
}

/* A Report whose ToString holds the entries and whose Entries list holds
 * them again: each entry once. */
TEST(clixml_report_tostring_not_repeated)
{
    char *log = read_doc(
        OBJS "<Obj RefId=\"0\"><Props><S N=\"Identity\">jdoe</S>"
             "<Obj N=\"Report\" RefId=\"1\"><ToString>e1_x000D__x000A_e2"
             "</ToString><Props><Obj N=\"Entries\" RefId=\"2\"><LST>"
             "<S>e1</S><S>e2</S></LST></Obj></Props></Obj>"
             "<Obj N=\"Plain\" RefId=\"3\"><ToString>p1_x000A_p2</ToString>"
             "</Obj></Props></Obj></Objs>",
        NULL);

    ASSERT_STR_EQ(log, "F1: Identity|jdoe\n"
                       "L1: e1\n"
                       "L1: e2\n"
                       "F1: Plain|p1\n"
                       "L1: p2\n"
                       "B\n");
    free(log);
}

TEST(clixml_dictionary)
{
    char *log = read_doc(
        OBJS "<Obj RefId=\"0\"><TN RefId=\"0\"><T>System.Collections."
             "Hashtable</T></TN><DCT>"
             "<En><S N=\"Key\">Identity</S><S N=\"Value\">jdoe</S></En>"
             "<En><S N=\"Key\">Status</S><Obj N=\"Value\" RefId=\"1\">"
             "<ToString>Failed</ToString><I32>99</I32></Obj></En>"
             "</DCT></Obj></Objs>",
        NULL);

    ASSERT_STR_EQ(log, "F1: Identity|jdoe\nF1: Status|Failed\nB\n");
    free(log);
}

TEST(clixml_truncated_keeps_records)
{
    char *msgs;
    char *log;
    size_t n = strlen(move_doc);
    char *cut = mt_strndup(move_doc, n * 3 / 4);

    log = read_doc(cut, &msgs);
    /* What was read stays, the cut object is closed for its context. */
    ASSERT_TRUE(strncmp(log, "F6: DisplayName|John Doe\nF7: Status|Failed\n",
                        43) == 0);
    ASSERT_TRUE(strstr(log, "F29: Identity|jdoe\n") != NULL);
    ASSERT_TRUE(n > 0 && log[strlen(log) - 2] == 'B');
    ASSERT_TRUE(strncmp(msgs, "E: CliXML: ", 11) == 0);
    ASSERT_TRUE(strstr(msgs, " at line ") != NULL);
    ASSERT_TRUE(strchr(msgs, '\n') == msgs + strlen(msgs) - 1);
    free(log);
    free(msgs);
    mt_free(cut);

    /* A bad token: one error naming expat's reason and the line. */
    log = read_doc(OBJS "\n<Obj RefId=\"0\"><MS><S N=\"A\">1</S>\n"
                        "<S N=\"B\">2</X></MS></Obj></Objs>",
                   &msgs);
    ASSERT_STR_EQ(log, "F2: A|1\nB\n");
    ASSERT_STR_EQ(msgs, "E: CliXML: mismatched tag at line 3\n");
    free(log);
    free(msgs);
}

TEST(clixml_depth_limit)
{
    struct mt_buf b;
    char *log, *msgs;
    int i;

    mt_buf_init(&b, 0);
    mt_buf_appendf(&b, "%s<Obj RefId=\"0\"><MS><S N=\"A\">x</S>", OBJS);
    for (i = 0; i < 40; i++) {
        mt_buf_appendf(&b, "<Obj N=\"o%d\" RefId=\"%d\"><MS>", i, i + 1);
    }
    for (i = 0; i < 40; i++) {
        mt_buf_appendf(&b, "</MS></Obj>");
    }
    mt_buf_appendf(&b, "</MS></Obj></Objs>");
    log = read_doc(b.data, &msgs);
    ASSERT_STR_EQ(log, "F1: A|x\nB\n");
    ASSERT_STR_EQ(msgs,
                  "E: CliXML: elements nested deeper than 64 at line 1\n");
    free(log);
    free(msgs);
    mt_buf_free(&b);
}

TEST(clixml_long_value_cut)
{
    struct mt_buf b;
    char *log, *msgs;
    int i;

    mt_buf_init(&b, 0);
    mt_buf_appendf(&b, "%s<Obj RefId=\"0\"><MS><S N=\"Message\">", OBJS);
    for (i = 0; i < 100; i++) {
        mt_buf_appendf(&b, "\xC3\xA9");
    }
    mt_buf_appendf(&b, "</S></MS></Obj></Objs>");
    log = read_doc_lim(b.data, 7, 64, &msgs);
    /* 64 bytes of record: label, " : ", and whole characters. */
    ASSERT_STR_EQ(log, "F1: Message|\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\nB\n");
    ASSERT_STR_EQ(msgs,
                  "W: CliXML: string values longer than 64 bytes were cut\n");
    free(log);
    free(msgs);
    mt_buf_free(&b);
}

TEST(clixml_stderr)
{
    char *msgs;
    char *log = read_doc(
        "#< CLIXML\r\n"
        "<Objs Version=\"1.1.0.1\" " NS "><Obj S=\"progress\" RefId=\"0\">"
        "<TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T>"
        "</TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing "
        "modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC>"
        "<T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>"
        "<S S=\"Error\">New-MoveRequest : The call to 'x' timed out. --&gt; "
        "The HTTP request_x000D__x000A_</S>"
        "<S S=\"Error\">At C:\\scripts\\wave_x005F_x2_moves.ps1:14 char:5"
        "_x000D__x000A_</S>"
        /* One line written in two strings (and a CRLF split over them). */
        "<S S=\"Error\">    + CategoryInfo          : NotSpecified: (:) </S>"
        "<S S=\"Error\">[New-MoveRequest], RemoteTransientException_x000D_</S>"
        "<S S=\"Error\">_x000A_</S>"
        "<S S=\"Error\"> _x000D__x000A_</S>"
        "<S S=\"Warning\">careful</S>"
        "<S S=\"Error\">second error</S>"
        "</Objs>\r\n",
        &msgs);

    ASSERT_STR_EQ(log, "L2: New-MoveRequest : The call to 'x' timed out. "
                       "--> The HTTP request\n"
                       "L2: At C:\\scripts\\wave_x2_moves.ps1:14 char:5\n"
                       "L2:     + CategoryInfo          : NotSpecified: (:) "
                       "[New-MoveRequest], RemoteTransientException\n"
                       "B\n"
                       "L2: careful\n"
                       "L2: second error\n");
    ASSERT_STR_EQ(msgs, "");
    free(log);
    free(msgs);

    /* A paste of two redirected runs: two documents, both read. */
    log = read_doc("#< CLIXML\n" OBJS "<S S=\"Error\">one</S></Objs>\n"
                   "#< CLIXML\n" OBJS "\n<S S=\"Error\">two</S></Objs>",
                   &msgs);
    ASSERT_STR_EQ(log, "L2: one\nL5: two\n");
    ASSERT_STR_EQ(msgs, "");
    free(log);
    free(msgs);
}

TEST(clixml_doctype_refused)
{
    char *msgs;
    char *log = read_doc("<?xml version=\"1.0\"?>\n<!DOCTYPE Objs [<!ENTITY "
                         "a \"aaaa\">]>\n" OBJS "<S>&a;</S></Objs>",
                         &msgs);

    ASSERT_STR_EQ(log, "");
    ASSERT_STR_EQ(msgs, "E: CliXML: DOCTYPE not allowed at line 2\n");
    free(log);
    free(msgs);
}

struct seen {
    struct mt_buf log;
};

static int seen_begin(void *ctx, const char *origin)
{
    struct seen *s = ctx;

    mt_buf_appendf(&s->log, "begin %s\n", origin);
    return 0;
}

static void seen_end(void *ctx)
{
    struct seen *s = ctx;

    mt_buf_appendf(&s->log, "end\n");
}

static int seen_record(void *ctx, const struct mt_record *r)
{
    struct seen *s = ctx;

    mt_buf_appendf(&s->log, "%d %llu: %s\n", (int)r->kind,
                   (unsigned long long)r->line, r->text);
    return 0;
}

static const struct mt_sink_ops seen_ops = {seen_begin, seen_record,
                                            seen_end};

/* Windows PowerShell 5.1 writes UTF-16LE with a BOM and CRLF: the text
 * layer transcodes, then the bid and the reader see UTF-8. */
TEST(clixml_utf16le_through_decoders)
{
    const char *doc = OBJS "\r\n  <Obj RefId=\"0\">\r\n    <Props>\r\n"
                           "      <S N=\"DisplayName\">Jos\xC3\xA9 "
                           "_xD83D__xDE00_</S>\r\n"
                           "      <S N=\"Identity\">jdoe</S>\r\n"
                           "    </Props>\r\n  </Obj>\r\n</Objs>";
    size_t n = strlen(doc), i, k = 2;
    unsigned char *u16 = mt_malloc(2 * n + 2);
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct mt_stream *in;
    struct seen s;

    /* UTF-8 -> UTF-16LE (the document is BMP-only apart from escapes). */
    u16[0] = 0xFF;
    u16[1] = 0xFE;
    for (i = 0; i < n;) {
        unsigned c = (unsigned char)doc[i];
        if (c >= 0xC0) {
            c = ((c & 0x1F) << 6) | ((unsigned char)doc[i + 1] & 0x3F);
            i += 2;
        } else {
            i++;
        }
        u16[k++] = (unsigned char)(c & 0xFF);
        u16[k++] = (unsigned char)(c >> 8);
    }
    limits_init(limits, MT_MAX_RECORD);
    mt_buf_init(&s.log, 0);
    mt_scan_init(&scan, limits, &seen_ops, &s, NULL, NULL);
    in = mt_stream_open_memory(u16, k, &scan);
    ASSERT_TRUE(in != NULL);
    ASSERT_INT_EQ(mt_decode_stream(&scan, in, "m.xml", 0), MT_OK);
    mt_stream_free(in);
    ASSERT_STR_EQ(s.log.data, "begin m.xml\n"
                              "1 4: DisplayName : Jos\xC3\xA9 "
                              "\xF0\x9F\x98\x80\n"
                              "1 5: Identity : jdoe\n"
                              "3 7: \n"
                              "end\n");
    mt_buf_free(&s.log);
    mt_free(u16);
}

/* Lines before an object's first property wait for it: the engine starts
 * an object's context at its first FIELD. */
TEST(clixml_lines_before_first_property)
{
    char *log = read_doc(OBJS "<Obj RefId=\"0\"><MS><S N=\"Identity\">a</S>"
                              "</MS></Obj>\n<Obj RefId=\"1\"><MS>"
                              "<Obj N=\"Report\" RefId=\"2\"><LST><S>e1</S>"
                              "<S>e2</S></LST></Obj>\n<S N=\"Identity\">b</S>"
                              "</MS></Obj>\n<Obj RefId=\"3\"><ToString>only"
                              "</ToString></Obj></Objs>",
                         NULL);

    ASSERT_STR_EQ(log, "F1: Identity|a\nB\n"
                       "F3: Identity|b\nL2: e1\nL2: e2\nB\n"
                       "L4: only\nB\n");
    free(log);
}

/* Findings wait for the BLANK that ends their object, so a report entry
 * read before the object's Identity still carries that mailbox, and
 * nothing of the previous object's context reaches it. */
TEST(clixml_findings_take_object_context)
{
    const char *doc =
        OBJS "<Obj RefId=\"0\"><Props><S N=\"DisplayName\">Ann</S>"
             "<S N=\"Identity\">ann</S></Props></Obj>"
             "<Obj RefId=\"1\"><Props>"
             "<Obj N=\"Report\" RefId=\"2\"><Props><Obj N=\"Entries\" "
             "RefId=\"3\"><LST><S>1/19/2015 2:01:12 PM [BY2PR02MB315] A large "
             "item was encountered: Item (IPM.Note) Subject:\"77 mb\", Size: "
             "77.51 MB (81,278,846 bytes), Folder:\"Inbox\"</S></LST></Obj>"
             "</Props></Obj>"
             "<S N=\"Identity\">zed</S></Props></Obj></Objs>";
    struct mt_engine *e = mt_engine_new();
    FILE *f = tmpfile();
    json_t *root, *findings, *fi;
    json_error_t err;
    size_t i, large = 0;

    ASSERT_TRUE(e != NULL && f != NULL);
    mt_engine_load(e, MT_SOURCE_DATA_DIR "/patterns",
                   MT_SOURCE_DATA_DIR "/kb");
    ASSERT_INT_EQ(mt_engine_scan_memory(e, "two.xml", doc, strlen(doc)),
                  MT_OK);
    mt_engine_write_report(e, f, MT_FORMAT_JSON, 0);
    rewind(f);
    root = json_loadf(f, 0, &err);
    ASSERT_TRUE(root != NULL);
    findings = json_object_get(root, "findings");
    ASSERT_TRUE(json_array_size(findings) > 0);
    json_array_foreach(findings, i, fi)
    {
        json_t *ctx = json_object_get(fi, "context");
        ASSERT_STR_EQ(json_string_value(json_object_get(ctx, "mailbox")),
                      "zed");
        /* Ann's display name stays with Ann. */
        ASSERT_TRUE(json_object_get(ctx, "display_name") == NULL);
        large++;
    }
    ASSERT_TRUE(large > 0);
    json_decref(root);
    fclose(f);
    mt_engine_free(e);
}
