/* test_codes.c: error codes found in text and decoded through the real
 * kb/codes tables: every spelling of a value gives the same entry, Win32
 * errors inside HRESULTs, unknown codes still split, ambiguous numbers
 * shown from both tables. */
#include "codes.h"
#include "unit.h"

#include "problems.h"

#include <string.h>

static struct mt_kb kb;
static int kb_loaded;

static const struct mt_kb *real_kb(void)
{
    if (!kb_loaded) {
        struct mt_problems probs = {NULL, 0, 0};
        mt_kb_load(&kb, MT_SOURCE_DATA_DIR "/kb", &probs);
        mt_kb_load_codes(&kb, &probs);
        mt_problems_free(&probs);
        kb_loaded = 1;
    }
    return &kb;
}

/* The name of the first table entry of the only code found in text. */
static const char *only_name(const char *text, char *buf, size_t cap)
{
    struct mt_code_list l = {NULL, 0, 0};

    buf[0] = '\0';
    if (mt_codes_scan(real_kb(), text, &l) == 0 && l.n == 1 &&
        l.v[0].nrefs > 0) {
        snprintf(buf, cap, "%s", l.v[0].refs[0].name);
    } else {
        snprintf(buf, cap, "(%zu codes)", l.n);
    }
    mt_codes_free(&l);
    return buf;
}

TEST(codes_not_found_every_form)
{
    static const char *const forms[] = {
        "hr=0x8004010f", "0x8004010F", "8004010F", "2147746063",
        "ec=-2147221233", "-2147221233", "error 0x8004010f", NULL};
    char buf[128];
    int i;

    for (i = 0; forms[i]; i++) {
        ASSERT_STR_EQ(only_name(forms[i], buf, sizeof(buf)),
                      "MAPI_E_NOT_FOUND");
    }
}

TEST(codes_hresult_split_not_found)
{
    struct mt_code_list l = {NULL, 0, 0};
    struct mt_hresult h;

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "8004010f", &l), 0);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_INT_EQ(l.v[0].kind, MT_CODE_HRESULT);
    ASSERT_STR_EQ(l.v[0].code, "0x8004010F");
    ASSERT_STR_EQ(l.v[0].refs[0].table, "mapi");
    mt_hresult_split(l.v[0].value, &h);
    ASSERT_INT_EQ(h.severity, 1);
    ASSERT_INT_EQ(h.customer, 0);
    ASSERT_INT_EQ(h.facility, 4);
    ASSERT_STR_EQ(mt_facility_name(h.facility), "FACILITY_ITF");
    ASSERT_INT_EQ(h.code, 271);
    mt_codes_free(&l);
}

TEST(codes_win32_inside_hresult)
{
    struct mt_code_list l = {NULL, 0, 0};
    struct mt_hresult h;

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "0x800706BA", &l), 0);
    ASSERT_INT_EQ(l.n, 1);
    mt_hresult_split(l.v[0].value, &h);
    ASSERT_INT_EQ(h.facility, 7);
    ASSERT_STR_EQ(mt_facility_name(7), "FACILITY_WIN32");
    ASSERT_INT_EQ(h.code, 1722);
    ASSERT_INT_EQ(l.v[0].has_win32, 1);
    ASSERT_STR_EQ(l.v[0].win32.code, "1722");
    ASSERT_STR_EQ(l.v[0].win32.name, "RPC_S_SERVER_UNAVAILABLE");
    mt_codes_free(&l);
}

TEST(codes_unknown_still_split)
{
    struct mt_code_list l = {NULL, 0, 0};
    struct mt_hresult h;

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "0xC0041234", &l), 0);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_INT_EQ(l.v[0].kind, MT_CODE_HRESULT);
    ASSERT_INT_EQ(l.v[0].nrefs, 0);
    ASSERT_INT_EQ(l.v[0].has_win32, 0);
    mt_hresult_split(l.v[0].value, &h);
    ASSERT_INT_EQ(h.severity, 1);
    ASSERT_INT_EQ(h.reserved, 1);
    ASSERT_INT_EQ(h.customer, 0);
    ASSERT_INT_EQ(h.facility, 4);
    ASSERT_INT_EQ(h.code, 0x1234);
    mt_codes_free(&l);
}

TEST(codes_facility_names)
{
    ASSERT_STR_EQ(mt_facility_name(0), "FACILITY_NULL");
    ASSERT_STR_EQ(mt_facility_name(1), "FACILITY_RPC");
    ASSERT_STR_EQ(mt_facility_name(9), "FACILITY_SECURITY");
    ASSERT_STR_EQ(mt_facility_name(11), "FACILITY_CERT");
    ASSERT_STR_EQ(mt_facility_name(19), "FACILITY_URT");
    ASSERT_TRUE(mt_facility_name(5) == NULL);
    ASSERT_TRUE(mt_facility_name(2000) == NULL);
}

TEST(codes_small_number_both_tables)
{
    struct mt_code_list l = {NULL, 0, 0};

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "1722", &l), 0);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_INT_EQ(l.v[0].nrefs, 2);
    ASSERT_STR_EQ(l.v[0].refs[0].table, "win32");
    ASSERT_STR_EQ(l.v[0].refs[0].name, "RPC_S_SERVER_UNAVAILABLE");
    ASSERT_STR_EQ(l.v[0].refs[1].table, "ec");
    ASSERT_STR_EQ(l.v[0].refs[1].name, "ecLockTimedOut");
    mt_codes_free(&l);
}

TEST(codes_ec_table_only)
{
    struct mt_code_list l = {NULL, 0, 0};

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "ec=1242", &l), 0);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_INT_EQ(l.v[0].kind, MT_CODE_EC);
    ASSERT_INT_EQ(l.v[0].nrefs, 1);
    ASSERT_STR_EQ(l.v[0].refs[0].name, "ecMaxSubmissionExceeded");
    mt_codes_free(&l);
}

TEST(codes_literals_found)
{
    char buf[128];

    ASSERT_STR_EQ(only_name("HCW8001", buf, sizeof(buf)),
                  "Unable to determine the Tenant Routing Domain");
    ASSERT_STR_EQ(only_name("hcw8001", buf, sizeof(buf)),
                  "Unable to determine the Tenant Routing Domain");
    ASSERT_STR_EQ(only_name("AADSTS50126", buf, sizeof(buf)),
                  "InvalidUserNameOrPassword");
}

TEST(codes_http_forms)
{
    char buf[128];

    ASSERT_STR_EQ(only_name("The remote server returned an error: (401) "
                            "Unauthorized.",
                            buf, sizeof(buf)),
                  "Unauthorized");
    ASSERT_STR_EQ(only_name("401 Unauthorized", buf, sizeof(buf)),
                  "Unauthorized");
    ASSERT_STR_EQ(only_name("HTTP 413", buf, sizeof(buf)),
                  "Request Entity Too Large");
    ASSERT_STR_EQ(only_name("HTTP/1.1 503", buf, sizeof(buf)),
                  "Service Unavailable");
}

TEST(codes_pasted_message_once)
{
    struct mt_code_list l = {NULL, 0, 0};

    ASSERT_INT_EQ(mt_codes_scan(real_kb(),
                                "Error: MapiExceptionNotFound: Unable to "
                                "delete mailbox. (hr=0x8004010f, "
                                "ec=-2147221233)",
                                &l),
                  0);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_STR_EQ(l.v[0].input, "hr=0x8004010f");
    ASSERT_INT_EQ(l.v[0].nalso, 1);
    ASSERT_STR_EQ(l.v[0].also[0], "ec=-2147221233");
    mt_codes_free(&l);
}

TEST(codes_sizes_and_dates_are_not_codes)
{
    struct mt_code_list l = {NULL, 0, 0};

    ASSERT_INT_EQ(mt_codes_scan(real_kb(),
                                "1/19/2015 2:07:44 PM A large item was "
                                "encountered: Size: 42.43 MB (44,493,004 "
                                "bytes), 12 items, id 2024-0113, mailbox "
                                "8a3f0c12-1b2c-4d5e-9f60-718293a4b5c6",
                                &l),
                  0);
    ASSERT_INT_EQ(l.n, 0);
    mt_codes_free(&l);
}

TEST(codes_several_bare_numbers)
{
    struct mt_code_list l = {NULL, 0, 0};

    ASSERT_INT_EQ(mt_codes_scan(real_kb(), "1722 0x800706BA 5", &l), 0);
    ASSERT_INT_EQ(l.n, 3);
    ASSERT_STR_EQ(l.v[2].refs[0].name, "ERROR_ACCESS_DENIED");
    mt_codes_free(&l);
}

TEST(codes_parse_and_same)
{
    struct mt_code a, b;

    ASSERT_INT_EQ(mt_code_parse("-2147221233", &a), 1);
    ASSERT_INT_EQ(mt_code_parse("0x8004010F", &b), 1);
    ASSERT_INT_EQ(mt_code_same(&a, &b), 1);
    ASSERT_INT_EQ(mt_code_parse("1242", &a), 1);
    ASSERT_INT_EQ(mt_code_parse("ec=1242", &b), 1);
    ASSERT_INT_EQ(mt_code_same(&a, &b), 1);
    ASSERT_INT_EQ(mt_code_parse("not a code", &a), 0);
}
