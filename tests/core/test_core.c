/* core: error strings, logging sink and level filtering, time conversions.
 * Epoch references come from GNU date(1), not from this code. */
#include <string.h>

#include "mwds/core.h"
#include "test_util.h"

static void test_strerror_covers_every_code(void **state)
{
    (void)state;
    const char *seen[16];
    int n = 0;
    for (int e = MWDS_OK; e >= MWDS_ENOTFOUND; e--) {
        const char *s = mwds_strerror(e);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (int i = 0; i < n; i++)
            assert_string_not_equal(s, seen[i]);
        seen[n++] = s;
    }
    assert_string_equal(mwds_strerror(-999), "unknown error");
}

typedef struct capture {
    int calls;
    mwds_log_level level;
    char module[32];
    char msg[2048];
} capture;

static void capture_sink(void *user, mwds_log_level level, const char *module, const char *msg)
{
    capture *c = user;
    c->calls++;
    c->level = level;
    snprintf(c->module, sizeof c->module, "%s", module);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
}

static int formatted;
static int count_format(void)
{
    formatted++;
    return 7;
}

static void test_log_filters_before_formatting(void **state)
{
    (void)state;
    capture c = {0};
    mwds_logger lg = {capture_sink, &c, MWDS_LOG_WARN};
    formatted = 0;
    MWDS_LOG(&lg, MWDS_LOG_DEBUG, "test", "value %d", count_format());
    assert_int_equal(c.calls, 0);
    assert_int_equal(formatted, 0); /* arguments not even evaluated */
    MWDS_LOG(&lg, MWDS_LOG_ERROR, "geo", "value %d", count_format());
    assert_int_equal(c.calls, 1);
    assert_int_equal(formatted, 1);
    assert_int_equal(c.level, MWDS_LOG_ERROR);
    assert_string_equal(c.module, "geo");
    assert_string_equal(c.msg, "value 7");
    MWDS_LOG((const mwds_logger *)NULL, MWDS_LOG_ERROR, "x", "no sink");
}

static void test_log_truncates_long_messages(void **state)
{
    (void)state;
    capture c = {0};
    mwds_logger lg = {capture_sink, &c, MWDS_LOG_DEBUG};
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mwds_log_emit(&lg, MWDS_LOG_INFO, "t", "%s", big);
    assert_int_equal(strlen(c.msg), 1023);
}

static void test_time_seconds_round_trip(void **state)
{
    (void)state;
    assert_true(mwds_time_from_s(1.5) == INT64_C(1500000000));
    assert_true(mwds_time_from_s(-0.25) == INT64_C(-250000000));
    assert_true(mwds_time_from_s(NAN) == 0);
    assert_true(mwds_time_from_s(1e300) == INT64_MAX);
    assert_near(mwds_time_to_s(INT64_C(1501252860123456789)), 1501252860.123456789, 1e-6,
                "ns to s at a present-day epoch");
}

static void test_time_format_against_date(void **state)
{
    (void)state;
    static const struct {
        int64_t s;
        const char *iso;
    } ref[] = {{0, "1970-01-01T00:00:00.000Z"},
               {946684800, "2000-01-01T00:00:00.000Z"},
               {1501252860, "2017-07-28T14:41:00.000Z"},
               {1709208000, "2024-02-29T12:00:00.000Z"},
               {-2203891200, "1900-03-01T00:00:00.000Z"},
               {2147483648, "2038-01-19T03:14:08.000Z"}};
    char buf[32];
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        assert_int_equal(mwds_time_format_iso8601(ref[i].s * MWDS_NS_PER_S, buf, sizeof buf),
                         MWDS_OK);
        assert_string_equal(buf, ref[i].iso);
        int64_t t;
        assert_int_equal(mwds_time_parse_iso8601(ref[i].iso, &t), MWDS_OK);
        assert_true(t == ref[i].s * MWDS_NS_PER_S);
    }
    assert_int_equal(mwds_time_format_iso8601(-500000000, buf, sizeof buf), MWDS_OK);
    assert_string_equal(buf, "1969-12-31T23:59:59.500Z");
    assert_int_equal(mwds_time_format_iso8601(0, buf, 10), MWDS_EINVAL);
}

static void test_time_parse_forms_and_errors(void **state)
{
    (void)state;
    int64_t t = 42;
    assert_int_equal(mwds_time_parse_iso8601("2017-07-28T23:41:00+09:00", &t), MWDS_OK);
    assert_true(t == INT64_C(1501252860) * MWDS_NS_PER_S);
    assert_int_equal(mwds_time_parse_iso8601("2017-07-28T14:41:00.123456789", &t), MWDS_OK);
    assert_true(t == INT64_C(1501252860123456789));
    static const char *bad[] = {"",
                                "2017-07-28",
                                "2017-02-29T00:00:00Z", /* not a leap year */
                                "2017-13-01T00:00:00Z",
                                "2017-07-28T24:00:00Z",
                                "2017-07-28T14:41:00.Z",
                                "2017-07-28T14:41:00Zjunk",
                                "2017-07-28T14:41:00+9:00",
                                "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 42;
        assert_int_equal(mwds_time_parse_iso8601(bad[i], &t), MWDS_EPARSE);
        assert_true(t == 42); /* untouched on error */
    }
    /* found by fuzzing: dates int64_t nanoseconds cannot hold used to wrap */
    assert_int_equal(mwds_time_parse_iso8601("0984-12-31T23:59:59.5", &t), MWDS_ERANGE);
    assert_int_equal(mwds_time_parse_iso8601("2262-04-12T00:00:00Z", &t), MWDS_ERANGE);
    assert_int_equal(mwds_time_parse_iso8601("1677-09-21T00:00:00Z", &t), MWDS_ERANGE);
    assert_true(t == 42);
    assert_int_equal(mwds_time_parse_iso8601("2262-04-11T00:00:00Z", &t), MWDS_OK);
    assert_true(t == INT64_C(9223286400) * MWDS_NS_PER_S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_log_filters_before_formatting),
        cmocka_unit_test(test_log_truncates_long_messages),
        cmocka_unit_test(test_time_seconds_round_trip),
        cmocka_unit_test(test_time_format_against_date),
        cmocka_unit_test(test_time_parse_forms_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
