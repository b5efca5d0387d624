/* test_split.c: the splitter on the real shapes of FORMATS.md, each input
 * fed whole, one byte at a time and in odd chunks (chunk-boundary bugs). */
#include "split.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GOT 64

/* A copy of one record as the sink saw it. */
struct got {
    enum mt_record_kind kind;
    unsigned flags;
    char *text;
    char *alt;
    char *label;
    char *value;
    unsigned long long line;
    unsigned long long last_line;
};

/* What a test expects; NULL label/value/alt mean "none". */
struct want {
    enum mt_record_kind kind;
    unsigned flags;
    const char *text;
    const char *alt;
    const char *label;
    const char *value;
    unsigned long long line;
    unsigned long long last_line;
};

struct collect {
    struct got got[MAX_GOT];
    int n;
    int stop_after; /* return MT_EINPUT (-2) after this many, 0 = never */
};

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int collect_record(void *ctx, const struct mt_record *r)
{
    struct collect *c = ctx;
    struct got *g;

    /* The contract every consumer relies on, checked on every record. */
    ASSERT_TRUE(r->text != NULL);
    ASSERT_INT_EQ(r->text[r->len], 0);
    ASSERT_INT_EQ(strlen(r->text), r->len);
    if (r->alt) {
        ASSERT_INT_EQ(r->alt[r->alt_len], 0);
        ASSERT_TRUE(r->alt_len > r->len);
    }
    if (r->kind == MT_REC_FIELD) {
        ASSERT_TRUE(r->label >= r->text &&
                    r->label + r->label_len <= r->text + r->len);
        ASSERT_TRUE(r->value >= r->text &&
                    r->value + r->value_len == r->text + r->len);
    }
    ASSERT_TRUE(r->line >= 1 && r->last_line >= r->line);
    if (c->n >= MAX_GOT) {
        UNIT_FAIL("too many records");
        return 0;
    }
    g = &c->got[c->n++];
    g->kind = r->kind;
    g->flags = r->flags;
    g->text = dupn(r->text, r->len);
    g->alt = r->alt ? dupn(r->alt, r->alt_len) : NULL;
    g->label = r->label ? dupn(r->label, r->label_len) : NULL;
    g->value = r->value ? dupn(r->value, r->value_len) : NULL;
    g->line = r->line;
    g->last_line = r->last_line;
    if (c->stop_after && c->n >= c->stop_after) {
        return -2;
    }
    return 0;
}

static const struct mt_sink_ops collect_ops = {NULL, collect_record, NULL};

static void collect_free(struct collect *c)
{
    int i;

    for (i = 0; i < c->n; i++) {
        free(c->got[i].text);
        free(c->got[i].alt);
        free(c->got[i].label);
        free(c->got[i].value);
    }
    c->n = 0;
}

/* Runs the splitter over in, chunk bytes at a time (0 = whole). */
static struct mt_splitter *run(struct collect *c, const char *in, size_t n,
                               size_t chunk, size_t max_line,
                               size_t max_record)
{
    struct mt_split_config cfg;
    struct mt_splitter *sp;
    size_t off = 0, k;

    memset(&cfg, 0, sizeof(cfg));
    cfg.max_line = max_line;
    cfg.max_record = max_record;
    cfg.sink = &collect_ops;
    cfg.sink_ctx = c;
    sp = mt_splitter_new(&cfg);
    ASSERT_TRUE(sp != NULL);
    if (sp == NULL) {
        return NULL;
    }
    while (off < n) {
        k = chunk == 0 || chunk > n - off ? n - off : chunk;
        ASSERT_INT_EQ(mt_splitter_feed(sp, in + off, k), 0);
        off += k;
    }
    ASSERT_INT_EQ(mt_splitter_finish(sp), 0);
    return sp;
}

static void check_nullable(const char *what, int i, size_t chunk,
                           const char *got, const char *want)
{
    if (want == NULL && got == NULL) {
        return;
    }
    if (want == NULL || got == NULL || strcmp(got, want) != 0) {
        UNIT_FAIL("record %d (chunk %zu): %s: \"%s\" != \"%s\"", i, chunk,
                  what, got ? got : "(null)", want ? want : "(null)");
    }
}

/* Feeds in whole, byte by byte and in chunks of 2, 3 and 7 bytes, and
 * compares every run with want[0..nwant). */
static void check_limits(const char *in, const struct want *want,
                         int nwant, size_t max_line, size_t max_record)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7};
    size_t ci;
    int i;

    for (ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
        struct collect c;
        struct mt_splitter *sp;

        memset(&c, 0, sizeof(c));
        sp = run(&c, in, strlen(in), chunks[ci], max_line, max_record);
        if (c.n != nwant) {
            UNIT_FAIL("chunk %zu: %d records, want %d", chunks[ci], c.n,
                      nwant);
            for (i = 0; i < c.n; i++) {
                fprintf(stderr, "  got %d: kind %d \"%s\"\n", i,
                        (int)c.got[i].kind, c.got[i].text);
            }
        }
        for (i = 0; i < c.n && i < nwant; i++) {
            const struct got *g = &c.got[i];
            const struct want *w = &want[i];

            if (g->kind != w->kind) {
                UNIT_FAIL("record %d (chunk %zu): kind %d != %d (\"%s\")",
                          i, chunks[ci], (int)g->kind, (int)w->kind,
                          g->text);
            }
            if (g->flags != w->flags) {
                UNIT_FAIL("record %d (chunk %zu): flags %u != %u", i,
                          chunks[ci], g->flags, w->flags);
            }
            check_nullable("text", i, chunks[ci], g->text, w->text);
            check_nullable("alt", i, chunks[ci], g->alt, w->alt);
            check_nullable("label", i, chunks[ci], g->label, w->label);
            check_nullable("value", i, chunks[ci], g->value, w->value);
            if (g->line != w->line || g->last_line != w->last_line) {
                UNIT_FAIL("record %d (chunk %zu): lines %llu-%llu != "
                          "%llu-%llu", i, chunks[ci], g->line, g->last_line,
                          w->line, w->last_line);
            }
        }
        collect_free(&c);
        mt_splitter_free(sp);
    }
}

static void check(const char *in, const struct want *want, int nwant)
{
    check_limits(in, want, nwant, 4096, 4096);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* FORMATS.md section 2, the real Report.Entries dump [S9]. */
TEST(split_format_list_recipient_not_found)
{
    static const char in[] =
        "Flags                      : Failure, Fatal\r\n"
        "Message                    : Fatal error "
        "RecipientNotFoundPermanentException has occurred.\r\n"
        "MessageData                : {0, 1, 0, 0...}\r\n"
        "Failure                    : RecipientNotFoundPermanentException: "
        "Cannot find a recipient that has mailbox\r\n"
        "                             GUID "
        "'2ed5d0ca-54e2-4226-xxxx-a48848e18c0f'.\r\n"
        "MailboxVerificationResults : {}\r\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0, "Flags                      : Failure, Fatal",
         NULL, "Flags", "Failure, Fatal", 1, 1},
        {MT_REC_FIELD, 0,
         "Message                    : Fatal error "
         "RecipientNotFoundPermanentException has occurred.",
         NULL, "Message",
         "Fatal error RecipientNotFoundPermanentException has occurred.", 2,
         2},
        {MT_REC_FIELD, 0, "MessageData                : {0, 1, 0, 0...}",
         NULL, "MessageData", "{0, 1, 0, 0...}", 3, 3},
        {MT_REC_FIELD, 0,
         "Failure                    : RecipientNotFoundPermanentException: "
         "Cannot find a recipient that has mailboxGUID "
         "'2ed5d0ca-54e2-4226-xxxx-a48848e18c0f'.",
         "Failure                    : RecipientNotFoundPermanentException: "
         "Cannot find a recipient that has mailbox GUID "
         "'2ed5d0ca-54e2-4226-xxxx-a48848e18c0f'.",
         "Failure",
         "RecipientNotFoundPermanentException: Cannot find a recipient that "
         "has mailboxGUID '2ed5d0ca-54e2-4226-xxxx-a48848e18c0f'.",
         4, 5},
        {MT_REC_FIELD, 0, "MailboxVerificationResults : {}", NULL,
         "MailboxVerificationResults", "{}", 6, 6},
    };

    check(in, want, N(want));
}

/* The same wrap with the trailing space PowerShell leaves at a word wrap:
 * the join is certain, so there is no alt. */
TEST(split_format_list_word_wrap_keeps_space)
{
    static const char in[] =
        "Failure : Cannot find a recipient that has mailbox \n"
        "          GUID 'x'.\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "Failure : Cannot find a recipient that has mailbox GUID 'x'.", NULL,
         "Failure", "Cannot find a recipient that has mailbox GUID 'x'.", 1,
         2},
    };

    check(in, want, N(want));
}

/* A mid-word wrap inside a number (non-English culture or forced width). */
TEST(split_format_list_mid_word_ec)
{
    static const char in[] =
        "FailureType : MapiExceptionNotFound\n"
        "Message     : Error: MapiExceptionNotFound: Unable to delete "
        "mailbox. (hr=0x8004010f, ec=-21472212\n"
        "              33)\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0, "FailureType : MapiExceptionNotFound", NULL,
         "FailureType", "MapiExceptionNotFound", 1, 1},
        {MT_REC_FIELD, 0,
         "Message     : Error: MapiExceptionNotFound: Unable to delete "
         "mailbox. (hr=0x8004010f, ec=-2147221233)",
         "Message     : Error: MapiExceptionNotFound: Unable to delete "
         "mailbox. (hr=0x8004010f, ec=-21472212 33)",
         "Message",
         "Error: MapiExceptionNotFound: Unable to delete mailbox. "
         "(hr=0x8004010f, ec=-2147221233)",
         1 + 1, 3},
    };

    check(in, want, N(want));
}

/* Get-ExchangeCertificate | fl as pasted on a blog (the seed): the block
 * is indented 4 spaces and padded with U+00A0; AccessRules and Subject
 * wrap mid-word at the same width, so those joins are ambiguous. */
#define NB "\xc2\xa0"
#define NB4 NB NB NB NB
#define NB20 NB4 NB4 NB4 NB4 NB4
TEST(split_format_list_certificate_paste)
{
    static const char in[] =
        "    Get-exchangecertificate | fl\n"
        "\n"
        "    AccessRules" NB4 NB NB NB " : {System.Security.AccessControl."
        "CryptoKeyAccessRule, System\n"
        "    " NB20 " .Security.AccessControl.CryptoKeyAccessRule, System."
        "Securi\n"
        "    " NB20 " ty.AccessControl.CryptoKeyAccessRule}\n"
        "    CertificateDomains : {nlb.nwtraders.msft}\n"
        "    HasPrivateKey" NB4 NB " : True\n"
        "    Issuer" NB4 NB4 NB4 " : CN=nwtraders-WIN-63IFOLRGUIP-CA, "
        "DC=nwtraders, DC=msft\n"
        "    Subject" NB4 NB4 NB NB NB " : CN=nlb.nwtraders.msft, "
        "OU=nwtraders, O=nwtraders, L=nwtrad\n"
        "    " NB20 " ers, S=UK, C=GB\n"
        "    Thumbprint" NB4 NB4 " : 595EA47CF0C04F64DC3D6D2995F7C4B172CA0F92\n"
        "\n"
        "    " NB "\n";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "Get-exchangecertificate | fl", NULL, NULL, NULL,
         1, 1},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 2, 2},
        {MT_REC_FIELD, 0,
         "AccessRules" NB4 NB NB NB " : {System.Security.AccessControl."
         "CryptoKeyAccessRule, System.Security.AccessControl.CryptoKey"
         "AccessRule, System.Security.AccessControl.CryptoKeyAccessRule}",
         "AccessRules" NB4 NB NB NB " : {System.Security.AccessControl."
         "CryptoKeyAccessRule, System .Security.AccessControl.CryptoKey"
         "AccessRule, System.Securi ty.AccessControl.CryptoKeyAccessRule}",
         "AccessRules",
         "{System.Security.AccessControl.CryptoKeyAccessRule, System."
         "Security.AccessControl.CryptoKeyAccessRule, System.Security."
         "AccessControl.CryptoKeyAccessRule}",
         3, 5},
        {MT_REC_FIELD, 0, "CertificateDomains : {nlb.nwtraders.msft}", NULL,
         "CertificateDomains", "{nlb.nwtraders.msft}", 6, 6},
        {MT_REC_FIELD, 0, "HasPrivateKey" NB4 NB " : True", NULL,
         "HasPrivateKey", "True", 7, 7},
        {MT_REC_FIELD, 0,
         "Issuer" NB4 NB4 NB4 " : CN=nwtraders-WIN-63IFOLRGUIP-CA, "
         "DC=nwtraders, DC=msft",
         NULL, "Issuer", "CN=nwtraders-WIN-63IFOLRGUIP-CA, DC=nwtraders, "
         "DC=msft", 8, 8},
        {MT_REC_FIELD, 0,
         "Subject" NB4 NB4 NB NB NB " : CN=nlb.nwtraders.msft, "
         "OU=nwtraders, O=nwtraders, L=nwtraders, S=UK, C=GB",
         "Subject" NB4 NB4 NB NB NB " : CN=nlb.nwtraders.msft, "
         "OU=nwtraders, O=nwtraders, L=nwtrad ers, S=UK, C=GB",
         "Subject",
         "CN=nlb.nwtraders.msft, OU=nwtraders, O=nwtraders, L=nwtraders, "
         "S=UK, C=GB",
         9, 10},
        {MT_REC_FIELD, 0,
         "Thumbprint" NB4 NB4 " : 595EA47CF0C04F64DC3D6D2995F7C4B172CA0F92",
         NULL, "Thumbprint", "595EA47CF0C04F64DC3D6D2995F7C4B172CA0F92", 11,
         11},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 12, 12},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 13, 13},
    };

    check(in, want, N(want));
}

/* The pasted form of a value wrapped at the exact column (80): where a
 * break fell on a blank the paste trimmed it, leaving a line one short of
 * the object's width. That line stopped early, so it is a word break
 * (space); full-width lines are mid-word (direct, alt spaced). A pattern
 * crossing both kinds of join ("number of ... request") matches text. The
 * first line of an object has no earlier width to compare with: its join
 * ("Microsoft|Exchange") is in doubt until the wider line after it shows
 * it stopped early, and then gets its space. */
TEST(split_format_list_trimmed_word_wrap)
{
    static const char in[] =
        "DistinguishedName             : CN=jdoe,OU=contoso.onmicrosoft.com,"
        "OU=Microsoft\n"
        "                                Exchange Hosted Organizations,DC=N"
        "AMPR02A001,DC=\n"
        "                                prod,DC=outlook,DC=com\n"
        "Message                       : Error: This mailbox exceeded the "
        "maximum number\n"
        "                                of large items that were specified"
        " for this requ\n"
        "                                est.\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "DistinguishedName             : CN=jdoe,OU=contoso.onmicrosoft.com,"
         "OU=Microsoft Exchange Hosted Organizations,DC=NAMPR02A001,DC=prod,"
         "DC=outlook,DC=com",
         "DistinguishedName             : CN=jdoe,OU=contoso.onmicrosoft.com,"
         "OU=Microsoft Exchange Hosted Organizations,DC=NAMPR02A001,DC= prod,"
         "DC=outlook,DC=com",
         "DistinguishedName",
         "CN=jdoe,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted "
         "Organizations,DC=NAMPR02A001,DC=prod,DC=outlook,DC=com",
         1, 3},
        {MT_REC_FIELD, 0,
         "Message                       : Error: This mailbox exceeded the "
         "maximum number of large items that were specified for this "
         "request.",
         "Message                       : Error: This mailbox exceeded the "
         "maximum number of large items that were specified for this "
         "requ est.",
         "Message",
         "Error: This mailbox exceeded the maximum number of large items "
         "that were specified for this request.",
         4, 6},
    };

    check(in, want, N(want));
}

/* A value with line ends inside it (Report entries): the lines are
 * narrower than the object's width, so they are joined with a space. An
 * exact-column break at a blank leaves the blank at the start of the next
 * line (one column deeper): also a space. */
TEST(split_format_list_multiline_value)
{
    static const char in[] =
        "Identity : contoso.onmicrosoft.com\\121042ca-c198-4fe1-8d25-0b1aefa7"
        "e1b5\n"
        "Report   : 2017/06/08 2:10:38 [TY1PR0301MB1023] Move has completed.\n"
        "           2017/06/08 2:11:17 [TY1PR0301MB1023] Request is complete."
        "\n"
        "Error    : MigrationMRSPermanentException: Warning: The mailbox was "
        "already moved bu\n"
        "           t failed to\n"
        "            update the job state.\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "Identity : contoso.onmicrosoft.com\\121042ca-c198-4fe1-8d25-0b1aefa7"
         "e1b5",
         NULL, "Identity",
         "contoso.onmicrosoft.com\\121042ca-c198-4fe1-8d25-0b1aefa7e1b5", 1,
         1},
        /* Each report entry at the value column is a record of its own,
         * so each is matched (and reported) alone. */
        {MT_REC_FIELD, 0,
         "Report   : 2017/06/08 2:10:38 [TY1PR0301MB1023] Move has completed.",
         NULL, "Report",
         "2017/06/08 2:10:38 [TY1PR0301MB1023] Move has completed.", 2, 2},
        {MT_REC_LINE, 0,
         "2017/06/08 2:11:17 [TY1PR0301MB1023] Request is complete.", NULL,
         NULL, NULL, 3, 3},
        {MT_REC_FIELD, 0,
         "Error    : MigrationMRSPermanentException: Warning: The mailbox was "
         "already moved but failed to update the job state.",
         "Error    : MigrationMRSPermanentException: Warning: The mailbox was "
         "already moved bu t failed to update the job state.",
         "Error",
         "MigrationMRSPermanentException: Warning: The mailbox was already "
         "moved but failed to update the job state.",
         4, 6},
    };

    check(in, want, N(want));
}

/* Two objects of different types: blank lines around and between them,
 * each object with its own label width; a continuation indented for the
 * first object's width does not continue a field of the second (it is
 * joined with a space, and being narrower than the object it ends at a
 * word). An empty value ("Label :") then a continuation reads
 * "Label : value". */
TEST(split_format_list_two_objects)
{
    static const char in[] =
        "\n"
        "\n"
        "Identity : user1\n"
        "Status   : Failed\n"
        "Message  :\n"
        "           Error: wrapped\n"
        "\n"
        "\n"
        "DisplayName      : User Two\n"
        "StatusDetail     : FailedOther\n"
        "           indented\n"
        "                   Transient\n"
        "\n";
    static const struct want want[] = {
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 1, 1},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 2, 2},
        {MT_REC_FIELD, 0, "Identity : user1", NULL, "Identity", "user1", 3,
         3},
        {MT_REC_FIELD, 0, "Status   : Failed", NULL, "Status", "Failed", 4,
         4},
        {MT_REC_FIELD, 0, "Message  : Error: wrapped", NULL, "Message",
         "Error: wrapped", 5, 6},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 7, 7},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 8, 8},
        {MT_REC_FIELD, 0, "DisplayName      : User Two", NULL, "DisplayName",
         "User Two", 9, 9},
        {MT_REC_FIELD, 0, "StatusDetail     : FailedOther indented Transient",
         NULL, "StatusDetail", "FailedOther indented Transient", 10, 12},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 13, 13},
    };

    check(in, want, N(want));
}

/* An empty value with nothing after it, then the end of the input. */
TEST(split_format_list_empty_value)
{
    static const char in[] = "FailureSide :\nFailureCode : -2146233088";
    static const struct want want[] = {
        {MT_REC_FIELD, 0, "FailureSide :", NULL, "FailureSide", "", 1, 1},
        {MT_REC_FIELD, 0, "FailureCode : -2146233088", NULL, "FailureCode",
         "-2146233088", 2, 2},
    };

    check(in, want, N(want));
}

/* FORMATS.md section 2, error records [S12]: the first continuation line
 * of FullyQualifiedErrorId is indented 3 spaces and breaks mid-word. */
TEST(split_error_record)
{
    static const char in[] =
        "Complete-MigrationBatch : The call to Complete-MigrationBatch "
        "failed.\r\n"
        "At line:1 char:1\r\n"
        "+ Complete-MigrationBatch -Identity PFMigration\r\n"
        "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n"
        "    + CategoryInfo          : NotSpecified: (:) "
        "[Complete-MigrationBatch], MigrationBatchC...nsientException\r\n"
        "    + FullyQualifiedErrorId : [RequestId=<Request ID>, "
        "[FailureCategory=Cmdlet-MigrationBatchCannotBeCom\r\n"
        "   pletedTransientException] 123ABCD0,Microsoft.Exchange.Management."
        "Migration.MigrationService.Batch.CompleteMigrationBatch\r\n"
        "\r\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "Complete-MigrationBatch : The call to Complete-MigrationBatch "
         "failed.",
         NULL, "Complete-MigrationBatch",
         "The call to Complete-MigrationBatch failed.", 1, 1},
        {MT_REC_LINE, 0, "At line:1 char:1", NULL, NULL, NULL, 2, 2},
        {MT_REC_LINE, 0, "+ Complete-MigrationBatch -Identity PFMigration",
         NULL, NULL, NULL, 3, 3},
        {MT_REC_LINE, 0, "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
         NULL, NULL, NULL, 4, 4},
        {MT_REC_FIELD, 0,
         "+ CategoryInfo          : NotSpecified: (:) "
         "[Complete-MigrationBatch], MigrationBatchC...nsientException",
         NULL, "CategoryInfo",
         "NotSpecified: (:) [Complete-MigrationBatch], "
         "MigrationBatchC...nsientException",
         5, 5},
        {MT_REC_FIELD, 0,
         "+ FullyQualifiedErrorId : [RequestId=<Request ID>, "
         "[FailureCategory=Cmdlet-MigrationBatchCannotBeCompletedTransient"
         "Exception] 123ABCD0,Microsoft.Exchange.Management.Migration."
         "MigrationService.Batch.CompleteMigrationBatch",
         "+ FullyQualifiedErrorId : [RequestId=<Request ID>, "
         "[FailureCategory=Cmdlet-MigrationBatchCannotBeCom pletedTransient"
         "Exception] 123ABCD0,Microsoft.Exchange.Management.Migration."
         "MigrationService.Batch.CompleteMigrationBatch",
         "FullyQualifiedErrorId",
         "[RequestId=<Request ID>, [FailureCategory=Cmdlet-MigrationBatch"
         "CannotBeCompletedTransientException] 123ABCD0,Microsoft.Exchange."
         "Management.Migration.MigrationService.Batch.CompleteMigrationBatch",
         6, 7},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 8, 8},
    };

    check(in, want, N(want));
}

/* An error field wrapped over several 3-space lines, one of them at a
 * word boundary (trailing space kept: no alt space there). */
TEST(split_error_record_several_lines)
{
    static const char in[] =
        "    + CategoryInfo          : NotSpecified: (:) [], RemoteExc\n"
        "   eption \n"
        "   more\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "+ CategoryInfo          : NotSpecified: (:) [], RemoteException "
         "more",
         "+ CategoryInfo          : NotSpecified: (:) [], RemoteExc eption "
         "more",
         "CategoryInfo", "NotSpecified: (:) [], RemoteException more", 1, 3},
    };

    check(in, want, N(want));
}

/* FORMATS.md section 6: an HCW error line and its indented .NET stack
 * trace become one entry; the next timestamped line starts a new one. */
TEST(split_hcw_stack_trace_entry)
{
    static const char in[] =
        "2017.10.23 11:39:57.693 *ERROR* 10277 [Client=UX, Activity=Domain "
        "Ownership, Session=OnPremises, Cmdlet=Set-FederatedOrganization"
        "Identifier, Thread=9] FINISH Time=6140.9ms Results=PowerShell "
        "failed to invoke 'Set-FederatedOrganizationIdentifier': Object "
        "reference not set to an instance of an object.\r\n"
        "                                   at Microsoft.Online.CSE.Hybrid."
        "PowerShell.Invoke()\r\n"
        "\t--- End of inner exception stack trace ---\r\n"
        "2024.01.31 20:44:19.774 *ERROR* 10025 [Client=UX, Page=Configuring, "
        "fn=RunWorkflow, Thread=10] HCW8001 Unable to determine the Tenant "
        "Routing Domain\r\n";
    static const struct want want[] = {
        {MT_REC_ENTRY, 0,
         "2017.10.23 11:39:57.693 *ERROR* 10277 [Client=UX, Activity=Domain "
         "Ownership, Session=OnPremises, Cmdlet=Set-FederatedOrganization"
         "Identifier, Thread=9] FINISH Time=6140.9ms Results=PowerShell "
         "failed to invoke 'Set-FederatedOrganizationIdentifier': Object "
         "reference not set to an instance of an object. at Microsoft."
         "Online.CSE.Hybrid.PowerShell.Invoke() --- End of inner exception "
         "stack trace ---",
         NULL, NULL, NULL, 1, 3},
        {MT_REC_LINE, 0,
         "2024.01.31 20:44:19.774 *ERROR* 10025 [Client=UX, Page=Configuring, "
         "fn=RunWorkflow, Thread=10] HCW8001 Unable to determine the Tenant "
         "Routing Domain",
         NULL, NULL, NULL, 4, 4},
    };

    check(in, want, N(want));
}

/* Legacy HCW (Update-HybridConfiguration) frames are indented by one
 * space; a label line indented inside an entry starts a field. */
TEST(split_legacy_hcw_entry)
{
    static const char in[] =
        "[1/19/2015 14:07:44] ERROR:Updating hybrid configuration failed "
        "with error 'Subtask CheckPrereqs execution failed'.\r\n"
        " at Microsoft.Exchange.Management.Hybrid.TaskContext.Execute()\r\n"
        " at Microsoft.Exchange.Management.Hybrid.Engine.Run()\r\n"
        "   ErrorCode : 0x6ba\r\n";
    static const struct want want[] = {
        {MT_REC_ENTRY, 0,
         "[1/19/2015 14:07:44] ERROR:Updating hybrid configuration failed "
         "with error 'Subtask CheckPrereqs execution failed'. at Microsoft."
         "Exchange.Management.Hybrid.TaskContext.Execute() at Microsoft."
         "Exchange.Management.Hybrid.Engine.Run()",
         NULL, NULL, NULL, 1, 3},
        {MT_REC_FIELD, 0, "ErrorCode : 0x6ba", NULL, "ErrorCode", "0x6ba", 4,
         4},
    };

    check(in, want, N(want));
}

/* Indented lines with nothing before them stand alone, trimmed. */
TEST(split_indented_alone)
{
    static const char in[] = "   at A.B()\n   at C.D()\n\n  x\nhead\n  y\n";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "at A.B()", NULL, NULL, NULL, 1, 1},
        {MT_REC_LINE, 0, "at C.D()", NULL, NULL, NULL, 2, 2},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 3, 3},
        {MT_REC_LINE, 0, "x", NULL, NULL, NULL, 4, 4},
        {MT_REC_ENTRY, 0, "head y", NULL, NULL, NULL, 5, 6},
    };

    check(in, want, N(want));
}

/* LF, CRLF and lone CR, mixed, with blank lines of each kind and
 * whitespace-only lines. */
TEST(split_line_ends)
{
    static const char in[] = "a\nb\r\nc\rd\r\r\n\n \t\re";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "a", NULL, NULL, NULL, 1, 1},
        {MT_REC_LINE, 0, "b", NULL, NULL, NULL, 2, 2},
        {MT_REC_LINE, 0, "c", NULL, NULL, NULL, 3, 3},
        {MT_REC_LINE, 0, "d", NULL, NULL, NULL, 4, 4},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 5, 5},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 6, 6},
        {MT_REC_BLANK, 0, "", NULL, NULL, NULL, 7, 7},
        {MT_REC_LINE, 0, "e", NULL, NULL, NULL, 8, 8},
    };

    check(in, want, N(want));
}

/* A trailing CR is a line end even when no LF can follow. */
TEST(split_trailing_cr)
{
    static const char in[] = "x\r";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "x", NULL, NULL, NULL, 1, 1},
    };
    struct collect c;
    struct mt_splitter *sp;

    check(in, want, N(want));
    memset(&c, 0, sizeof(c));
    sp = run(&c, in, 2, 0, 100, 100);
    ASSERT_INT_EQ(mt_splitter_lines(sp), 1);
    collect_free(&c);
    mt_splitter_free(sp);
}

/* Multi-byte characters split across chunks (every chunking in check()
 * splits some of them) come out whole. */
TEST(split_utf8_across_chunks)
{
    static const char in[] =
        "Message : Fehler beim \xc3\x96" "ffnen \xe2\x80\x94 "
        "\xf0\x9f\x98\x80 {a, b, c, d\xe2\x80\xa6}\n"
        "          \xc3\xa9t\xc3\xa9\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "Message : Fehler beim \xc3\x96" "ffnen \xe2\x80\x94 "
         "\xf0\x9f\x98\x80 {a, b, c, d\xe2\x80\xa6}\xc3\xa9t\xc3\xa9",
         "Message : Fehler beim \xc3\x96" "ffnen \xe2\x80\x94 "
         "\xf0\x9f\x98\x80 {a, b, c, d\xe2\x80\xa6} \xc3\xa9t\xc3\xa9",
         "Message",
         "Fehler beim \xc3\x96" "ffnen \xe2\x80\x94 "
         "\xf0\x9f\x98\x80 {a, b, c, d\xe2\x80\xa6}\xc3\xa9t\xc3\xa9",
         1, 2},
    };

    check(in, want, N(want));
}

/* A long line keeps max_line bytes (never half a character), drops the
 * rest up to its line end and is counted; the next line is intact. */
TEST(split_cut_long_line)
{
    /* "abcdefg" + U+20AC (3 bytes) straddling the limit of 9 bytes. */
    static const char in[] = "abcdefg\xe2\x82\xac tail of the line\r\nnext\n";
    static const struct want want[] = {
        {MT_REC_LINE, MT_RECF_CUT, "abcdefg", NULL, NULL, NULL, 1, 1},
        {MT_REC_LINE, 0, "next", NULL, NULL, NULL, 2, 2},
    };
    static const char in2[] = "abcdefgh\xe2\x82\xac\nxy\n";
    static const struct want want2[] = {
        {MT_REC_LINE, MT_RECF_CUT, "abcdefgh", NULL, NULL, NULL, 1, 1},
        {MT_REC_LINE, 0, "xy", NULL, NULL, NULL, 2, 2},
    };
    struct collect c;
    struct mt_splitter *sp;

    check_limits(in, want, N(want), 9, 100);
    check_limits(in2, want2, N(want2), 9, 100);
    memset(&c, 0, sizeof(c));
    sp = run(&c, in, strlen(in), 1, 9, 100);
    ASSERT_INT_EQ(mt_splitter_lines(sp), 2);
    ASSERT_INT_EQ(mt_splitter_cut_lines(sp), 1);
    collect_free(&c);
    mt_splitter_free(sp);
}

/* A cut continuation flags the record it joins. */
TEST(split_cut_continuation)
{
    static const char in[] = "head\n  0123456789abcdef\n";
    static const struct want want[] = {
        {MT_REC_ENTRY, MT_RECF_CUT, "head 01234567", NULL, NULL, NULL, 1, 2},
    };

    check_limits(in, want, N(want), 10, 100);
}

/* A 4 MB line is cut without the splitter growing past its limits (the
 * sanitizer build would catch an overflow; the cap is in the code). */
TEST(split_huge_line_bounded)
{
    size_t n = 4u * 1024 * 1024, i;
    char *in = malloc(n);
    struct collect c;
    struct mt_splitter *sp;

    for (i = 0; i < n; i++) {
        in[i] = (char)('a' + i % 26);
    }
    memset(&c, 0, sizeof(c));
    sp = run(&c, in, n, 65536, 1000, 500);
    ASSERT_INT_EQ(c.n, 1);
    if (c.n == 1) {
        ASSERT_INT_EQ(strlen(c.got[0].text), 500);
        ASSERT_INT_EQ(c.got[0].flags, MT_RECF_CUT | MT_RECF_TRUNCATED);
    }
    ASSERT_INT_EQ(mt_splitter_cut_lines(sp), 1);
    collect_free(&c);
    mt_splitter_free(sp);
    free(in);
}

/* A record reaching max_record is emitted truncated and the continuation
 * opens the next record, which keeps joining by the same rule. */
TEST(split_truncated_record)
{
    static const char in[] =
        "Message : aaaaaaaaaa\n"
        "          bbbbbbbbbb\n"
        "          cccccccccc\n"
        "          dd\n"
        "Next : x\n";
    static const struct want want[] = {
        {MT_REC_FIELD, MT_RECF_TRUNCATED,
         "Message : aaaaaaaaaabbbbbbbbbb", "Message : aaaaaaaaaa bbbbbbbbbb",
         "Message", "aaaaaaaaaabbbbbbbbbb", 1, 2},
        {MT_REC_ENTRY, 0, "ccccccccccdd", "cccccccccc dd", NULL, NULL, 3, 4},
        {MT_REC_FIELD, 0, "Next : x", NULL, "Next", "x", 5, 5},
    };

    check_limits(in, want, N(want), 100, 30);
}

/* One line longer than max_record (max_line is larger) is truncated at a
 * character boundary. */
TEST(split_truncated_single_line)
{
    static const char in[] = "abcd\xc3\xa9" "fgh\n";
    static const struct want want[] = {
        {MT_REC_LINE, MT_RECF_TRUNCATED, "abcd", NULL, NULL, NULL, 1, 1},
    };

    check_limits(in, want, N(want), 100, 5);
}

TEST(split_final_line_without_newline)
{
    static const char in[] = "first\nTransient error "
                             "BigFunnelTransientException has occurred.";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "first", NULL, NULL, NULL, 1, 1},
        {MT_REC_LINE, 0,
         "Transient error BigFunnelTransientException has occurred.", NULL,
         NULL, NULL, 2, 2},
    };

    check(in, want, N(want));
}

TEST(split_empty_input)
{
    struct collect c;
    struct mt_splitter *sp;

    check("", NULL, 0);
    memset(&c, 0, sizeof(c));
    sp = run(&c, "", 0, 0, 100, 100);
    ASSERT_INT_EQ(c.n, 0);
    ASSERT_INT_EQ(mt_splitter_lines(sp), 0);
    ASSERT_INT_EQ(mt_splitter_cut_lines(sp), 0);
    mt_splitter_free(sp);
}

/* Lines that look like labels but are not Format-List fields. */
TEST(split_not_labels)
{
    static const char in[] =
        "Log Name:      Application\n"
        "Error: MapiExceptionNotFound\n"
        "3/29/2021 3:32:27 PM [EXCH] Stage: CopyingMessages. Percent "
        "complete: 95.\n"
        "Discovery Errors       : \"0\"\n"
        "Label :x\n";
    static const struct want want[] = {
        {MT_REC_LINE, 0, "Log Name:      Application", NULL, NULL, NULL, 1,
         1},
        {MT_REC_LINE, 0, "Error: MapiExceptionNotFound", NULL, NULL, NULL, 2,
         2},
        {MT_REC_LINE, 0,
         "3/29/2021 3:32:27 PM [EXCH] Stage: CopyingMessages. Percent "
         "complete: 95.",
         NULL, NULL, NULL, 3, 3},
        {MT_REC_LINE, 0, "Discovery Errors       : \"0\"", NULL, NULL, NULL,
         4, 4},
        {MT_REC_LINE, 0, "Label :x", NULL, NULL, NULL, 5, 5},
    };

    check(in, want, N(want));
}

/* A negative status from the sink stops the splitter and sticks. */
TEST(split_sink_stops)
{
    struct collect c;
    struct mt_split_config cfg;
    struct mt_splitter *sp;

    memset(&c, 0, sizeof(c));
    c.stop_after = 1;
    memset(&cfg, 0, sizeof(cfg));
    cfg.sink = &collect_ops;
    cfg.sink_ctx = &c;
    sp = mt_splitter_new(&cfg);
    ASSERT_TRUE(sp != NULL);
    ASSERT_INT_EQ(mt_splitter_feed(sp, "a\nb\nc\n", 6), -2);
    ASSERT_INT_EQ(c.n, 1);
    ASSERT_INT_EQ(mt_splitter_feed(sp, "d\n", 2), -2);
    ASSERT_INT_EQ(mt_splitter_finish(sp), -2);
    ASSERT_INT_EQ(c.n, 1);
    collect_free(&c);
    mt_splitter_free(sp);
}

/* A Report value as Format-List prints it: one entry per line at the value
 * column, a long entry wrapped mid-word onto the next line. The wrap
 * continues its entry; the next timestamp starts a new record. */
TEST(split_report_entries_wrap_and_split)
{
    static const char in[] =
        "Report : 1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was encou\n"
        "         ntered: Item (IPM.Note) Subject:\"77 mb\"\n"
        "         1/19/2015 2:08:01 PM [BY2PR02MB315] Stage: CopyingMessages.\n";
    static const struct want want[] = {
        {MT_REC_FIELD, 0,
         "Report : 1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was "
         "encountered: Item (IPM.Note) Subject:\"77 mb\"",
         "Report : 1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was "
         "encou ntered: Item (IPM.Note) Subject:\"77 mb\"",
         "Report",
         "1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was encountered: "
         "Item (IPM.Note) Subject:\"77 mb\"",
         1, 2},
        {MT_REC_LINE, 0,
         "1/19/2015 2:08:01 PM [BY2PR02MB315] Stage: CopyingMessages.", NULL,
         NULL, NULL, 3, 3},
    };

    check(in, want, N(want));
}

/* Console rows are counted in cells, not bytes, and a row continued on
 * a second full row goes on to a third: an 80-cell row of 84 bytes (four
 * two-byte letters) and an 80-cell ASCII row join the line after them
 * (both ambiguous: alt spaced); an 80-byte line of 79 cells is no row. */
TEST(split_console_rows_in_cells)
{
    static const char in[] =
        "Error details for caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 and "
        "na\xc3\xafve entries: the copy stopped while writingi\n"
        "tems of the folder Inbox/Archive because the target mailbox "
        "refused them all, re\n"
        "try later.\n"
        "Warning for caf\xc3\xa9: the next line is short and this one is "
        "not a full console row\n"
        "next\n";
    static const struct want want[] = {
        {MT_REC_ENTRY, 0,
         "Error details for caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 and "
         "na\xc3\xafve entries: the copy stopped while writingi"
         "tems of the folder Inbox/Archive because the target mailbox "
         "refused them all, retry later.",
         "Error details for caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 and "
         "na\xc3\xafve entries: the copy stopped while writingi "
         "tems of the folder Inbox/Archive because the target mailbox "
         "refused them all, re try later.",
         NULL, NULL, 1, 3},
        {MT_REC_LINE, 0,
         "Warning for caf\xc3\xa9: the next line is short and this one is "
         "not a full console row",
         NULL, NULL, NULL, 4, 4},
        {MT_REC_LINE, 0, "next", NULL, NULL, NULL, 5, 5},
    };

    check(in, want, N(want));
}

/* A console copy (or Out-File) of an error hard-wraps at the console
 * width, mid-word, with no indent: a row exactly 80 or 120 cells wide
 * continues on the next column-0 line. The row after the 80-cell one is
 * ambiguous (alt spaced); a 120-cell row ending in a blank joins for sure;
 * a line wider than the row, a timestamped entry or a shorter line before
 * stay apart. */
TEST(split_console_rows)
{
    static const char in[] =
        "The call to 'https://mail.contoso.com/EWS/mrsproxy.svc' failed. "
        "Error details: T\r\n"
        "he HTTP request is unauthorized with client authentication scheme "
        "'Negotiate'.\r\n"
        "New-PSSession : [ex01.contoso.com] Connecting to remote server "
        "ex01.contoso.com failed with the following error message \r\n"
        ": Access is denied.\r\n"
        "PS C:\\> Get-MoveRequestStatistics -Identity 'jdoe@contoso.com' "
        "-IncludeReport |\r\n"
        "fl\r\n"
        "Description:   Password synchronization failed for domain: "
        "contoso.com. Details:\r\n"
        "Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices"
        ".DrsException: RPC Error 8453: Replication access was denied.\r\n"
        "3/29/2021 3:32:27 PM [EXCH] Transient error BigFunnelTransientExcep"
        "tion has occurred. \r\n"
        "3/29/2021 3:32:28 PM [EXCH] Stage: CopyingMessages.\r\n";
    static const struct want want[] = {
        {MT_REC_ENTRY, 0,
         "The call to 'https://mail.contoso.com/EWS/mrsproxy.svc' failed. "
         "Error details: The HTTP request is unauthorized with client "
         "authentication scheme 'Negotiate'.",
         "The call to 'https://mail.contoso.com/EWS/mrsproxy.svc' failed. "
         "Error details: T he HTTP request is unauthorized with client "
         "authentication scheme 'Negotiate'.",
         NULL, NULL, 1, 2},
        {MT_REC_FIELD, 0,
         "New-PSSession : [ex01.contoso.com] Connecting to remote server "
         "ex01.contoso.com failed with the following error message : Access "
         "is denied.",
         NULL, "New-PSSession",
         "[ex01.contoso.com] Connecting to remote server ex01.contoso.com "
         "failed with the following error message : Access is denied.",
         3, 4},
        {MT_REC_LINE, 0,
         "PS C:\\> Get-MoveRequestStatistics -Identity 'jdoe@contoso.com' "
         "-IncludeReport |",
         NULL, NULL, NULL, 5, 5},
        {MT_REC_LINE, 0, "fl", NULL, NULL, NULL, 6, 6},
        {MT_REC_LINE, 0,
         "Description:   Password synchronization failed for domain: "
         "contoso.com. Details:",
         NULL, NULL, NULL, 7, 7},
        {MT_REC_LINE, 0,
         "Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices"
         ".DrsException: RPC Error 8453: Replication access was denied.",
         NULL, NULL, NULL, 8, 8},
        {MT_REC_LINE, 0,
         "3/29/2021 3:32:27 PM [EXCH] Transient error BigFunnelTransientExcep"
         "tion has occurred. ",
         NULL, NULL, NULL, 9, 9},
        {MT_REC_LINE, 0, "3/29/2021 3:32:28 PM [EXCH] Stage: CopyingMessages.",
         NULL, NULL, NULL, 10, 10},
    };

    check(in, want, N(want));
}
