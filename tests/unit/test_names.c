/* test_names.c: the whole-token scan of kb/names on the shipped tables:
 * a class name is found from a dot of its namespace on, a status code
 * only as a token of its own (never as the last parts of an address or
 * a version number). */
#include "engine_private.h"
#include "unit.h"

#include <string.h>

/* The name the scan finds in text, or "(none)". */
static const char *found(const char *text)
{
    static struct mt_engine *e;
    size_t start, len;
    int k;

    if (e == NULL) {
        e = unit_shipped_engine();
    }
    if (e == NULL) {
        return "(no engine)";
    }
    k = mt_names_find(&e->names, text, strlen(text), &start, &len);
    return k >= 0 ? e->names.v[k].name : "(none)";
}

TEST(names_class_from_namespace)
{
    ASSERT_STR_EQ(found("Microsoft.Exchange.Data.ProxyAddressExistsException: "
                        "The proxy address is already being used"),
                  "ProxyAddressExistsException");
    ASSERT_STR_EQ(found("at Microsoft.Exchange.InfoWorker.Common.Availability."
                        "TimeoutExpiredException"),
                  "Availability.TimeoutExpiredException");
}

TEST(names_status_code_whole_token)
{
    ASSERT_STR_EQ(found("Remote Server returned '550 5.7.708 Service "
                        "unavailable. Access denied, traffic not accepted "
                        "from this IP.'"),
                  "5.7.708");
    ASSERT_STR_EQ(found("Remote Server returned '550 5.7.520 Access denied, "
                        "Your organization does not allow external "
                        "forwarding.'"),
                  "5.7.520");
}

TEST(names_status_code_not_in_address_or_version)
{
    ASSERT_STR_EQ(found("LastAttemptedIP : 10.5.7.57"), "(none)");
    ASSERT_STR_EQ(found("Connecting to 192.4.7.26 failed"), "(none)");
    ASSERT_STR_EQ(found("Installed version 2.5.7.23"), "(none)");
}
