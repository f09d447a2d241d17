/*
 * The CA, identities and signed DDS Security documents of an mwds network,
 * made with OpenSSL 3's library. See pki.h for the layout and
 * docs/security.md for why the documents say what they say.
 *
 * How it works: everything (keys, certificates, XML, signatures) is built
 * in memory first, so a failure there touches no file. Then each file is
 * written to a temporary name made by mkstemp (mode 0600 from the start),
 * given its final mode, flushed and renamed into place: nations' files,
 * the governance, ca.pem, and ca.key last. ca.key is what marks a folder as
 * done (a second run refuses it without force), so a run cut short never
 * leaves a folder that looks complete.
 *
 * Subjects: Cyclone DDS compares a grant's subject_name with the identity
 * certificate's subject printed by OpenSSL in RFC 2253 form (last RDN
 * first), so the names are built O first, then CN, and the grant carries
 * the subject printed from the certificate itself.
 *
 * Thread rules: reentrant; OpenSSL's error queue is per thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mwds/pki.h"

#define PATH_CAP 4096
#define MAX_FILES (4 + 4 * MWDS_POLICY_MAX_NATIONS)
#define SERIAL_BITS 127 /* positive, under the 20-octet limit of RFC 5280 */

static void set_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
    if (err == NULL || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    for (char *s = err; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

/* An OpenSSL failure: the first reason in the thread's queue into err. */
static mwds_err ossl_fail(char *err, size_t len, const char *what)
{
    unsigned long e = ERR_get_error();
    char reason[256] = "no reason given";
    if (e != 0)
        ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    set_err(err, len, "%s: OpenSSL: %s", what, reason);
    return MWDS_EIO;
}

static void errno_text(int e, char *why, size_t len)
{
    if (strerror_r(e, why, len) != 0)
        snprintf(why, len, "error %d", e);
}

/* ---- a growable text buffer ---------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom; /* an append failed: the text is incomplete */
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k =
            vsnprintf(b->p != NULL ? b->p + b->n : NULL, b->p != NULL ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p != NULL && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

/* ---- files to write ------------------------------------------------------- */

typedef struct outfile {
    char rel[32];        /* path under the folder: "ca.pem", "KOR/key.pem" */
    unsigned char *data; /* owned */
    size_t len;
    mode_t mode;
} outfile;

typedef struct outset {
    outfile f[MAX_FILES];
    int n;
} outset;

static void outset_fini(outset *s)
{
    for (int i = 0; i < s->n; i++) {
        if (s->f[i].mode == 0600)
            OPENSSL_cleanse(s->f[i].data, s->f[i].len);
        free(s->f[i].data);
    }
    s->n = 0;
}

/* Takes the contents of a memory BIO as the next file. */
static mwds_err outset_add_bio(outset *s, const char *rel, BIO *bio, mode_t mode, char *err,
                               size_t err_len)
{
    char *mem = NULL;
    long n = BIO_get_mem_data(bio, &mem);
    if (n <= 0 || mem == NULL)
        return ossl_fail(err, err_len, rel);
    if (s->n >= MAX_FILES)
        return MWDS_EINVAL;
    outfile *f = &s->f[s->n];
    f->data = malloc((size_t)n);
    if (f->data == NULL) {
        set_err(err, err_len, "out of memory");
        return MWDS_ENOMEM;
    }
    memcpy(f->data, mem, (size_t)n);
    f->len = (size_t)n;
    f->mode = mode;
    snprintf(f->rel, sizeof f->rel, "%s", rel);
    s->n++;
    return MWDS_OK;
}

/* Takes ownership of a text buffer as the next file. */
static mwds_err outset_add_text(outset *s, const char *rel, sbuf *b, char *err, size_t err_len)
{
    if (b->oom || b->p == NULL || s->n >= MAX_FILES) {
        free(b->p);
        b->p = NULL;
        set_err(err, err_len, "out of memory");
        return MWDS_ENOMEM;
    }
    outfile *f = &s->f[s->n++];
    f->data = (unsigned char *)b->p;
    f->len = b->n;
    f->mode = 0644;
    snprintf(f->rel, sizeof f->rel, "%s", rel);
    b->p = NULL;
    return MWDS_OK;
}

/* ---- keys and certificates ------------------------------------------------ */

static EVP_PKEY *make_key(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (e == NULL)
        return 0;
    int ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key with subject O=mwds,CN=cn, valid from `from` for
 * days, signed by issuer_key; issuer NULL makes it self-signed. ca selects
 * the CA's extensions. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       time_t from, int days, int ca)
{
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x != NULL && serial != NULL && name != NULL;
    ok = ok && X509_set_version(x, X509_VERSION_3);
    ok = ok && BN_rand(serial, SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    ok = ok && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL;
    ok = ok && X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &from) != NULL;
    ok = ok && X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &from) != NULL;
    /* O first, CN last: RFC 2253 prints the last first, "CN=...,O=mwds" */
    ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                          (const unsigned char *)MWDS_PKI_ORG, -1, -1, 0);
    ok = ok &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    ok = ok && X509_set_subject_name(x, name);
    ok = ok && X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    ok = ok && X509_set_pubkey(x, key);
    if (ok) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
        if (ca) {
            /* digitalSignature as well as keyCertSign: the CA also signs the
             * governance and permissions documents itself, and S/MIME
             * verifiers (openssl smime -verify) require it of a signer */
            ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
                 add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
        } else {
            ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
                 add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
        }
        ok = ok && add_ext(x, &ctx, NID_subject_key_identifier, "hash");
        ok = ok && add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    }
    ok = ok && X509_sign(x, issuer_key, EVP_sha256()) > 0;
    BN_free(serial);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* The subject as DDS Security compares it: RFC 2253 form. Caller frees. */
static char *subject_rfc2253(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *out = NULL, *mem = NULL;
    if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
        long n = BIO_get_mem_data(b, &mem);
        if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
            memcpy(out, mem, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(b);
    return out;
}

static mwds_err add_cert(outset *s, const char *rel, X509 *x, char *err, size_t err_len)
{
    BIO *b = BIO_new(BIO_s_mem());
    mwds_err rc = b != NULL && PEM_write_bio_X509(b, x)
                      ? outset_add_bio(s, rel, b, 0644, err, err_len)
                      : ossl_fail(err, err_len, rel);
    BIO_free(b);
    return rc;
}

static mwds_err add_key(outset *s, const char *rel, EVP_PKEY *k, char *err, size_t err_len)
{
    BIO *b = BIO_new(BIO_s_mem());
    mwds_err rc = b != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
                      ? outset_add_bio(s, rel, b, 0600, err, err_len)
                      : ossl_fail(err, err_len, rel);
    BIO_free(b);
    return rc;
}

/* Clear-signs text as `openssl smime -sign -text` does: a detached PKCS#7
 * signature over the text with a "Content-Type: text/plain" header and
 * CRLF line ends, written as a multipart/signed S/MIME message. */
static mwds_err add_smime(outset *s, const char *rel, const sbuf *text, X509 *ca, EVP_PKEY *ca_key,
                          char *err, size_t err_len)
{
    const int flags = PKCS7_DETACHED | PKCS7_TEXT;
    if (text->oom || text->p == NULL || text->n > INT_MAX) {
        set_err(err, err_len, "out of memory");
        return MWDS_ENOMEM;
    }
    BIO *in = BIO_new_mem_buf(text->p, (int)text->n);
    BIO *again = BIO_new_mem_buf(text->p, (int)text->n);
    BIO *out = BIO_new(BIO_s_mem());
    PKCS7 *p7 = in != NULL ? PKCS7_sign(ca, ca_key, NULL, in, flags) : NULL;
    mwds_err rc =
        p7 != NULL && again != NULL && out != NULL && SMIME_write_PKCS7(out, p7, again, flags)
            ? outset_add_bio(s, rel, out, 0644, err, err_len)
            : ossl_fail(err, err_len, rel);
    PKCS7_free(p7);
    BIO_free(in);
    BIO_free(again);
    BIO_free(out);
    return rc;
}

/* ---- documents ------------------------------------------------------------ */

static const char XML_HEAD[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<dds xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                               "     xsi:noNamespaceSchemaLocation=\"http://www.omg.org/spec/"
                               "DDS-SECURITY/20170901/";

static void xml_domains(sbuf *b, const char *indent)
{
    sb_printf(b, "%s<domains>\n%s  <id_range><min>0</min><max>%d</max></id_range>\n%s</domains>\n",
              indent, indent, MWDS_PKI_DOMAIN_MAX, indent);
}

/* Everything protected, everything access-controlled; see docs/security.md. */
static void governance_xml(sbuf *b)
{
    sb_printf(b, "%somg_shared_ca_governance.xsd\">\n", XML_HEAD);
    sb_printf(b, "  <domain_access_rules>\n    <domain_rule>\n");
    xml_domains(b, "      ");
    sb_printf(b, "      <allow_unauthenticated_participants>false"
                 "</allow_unauthenticated_participants>\n"
                 "      <enable_join_access_control>true</enable_join_access_control>\n"
                 "      <discovery_protection_kind>ENCRYPT</discovery_protection_kind>\n"
                 "      <liveliness_protection_kind>ENCRYPT</liveliness_protection_kind>\n"
                 "      <rtps_protection_kind>ENCRYPT</rtps_protection_kind>\n"
                 "      <topic_access_rules>\n"
                 "        <topic_rule>\n"
                 "          <topic_expression>*</topic_expression>\n"
                 "          <enable_discovery_protection>true</enable_discovery_protection>\n"
                 "          <enable_liveliness_protection>true</enable_liveliness_protection>\n"
                 "          <enable_read_access_control>true</enable_read_access_control>\n"
                 "          <enable_write_access_control>true</enable_write_access_control>\n"
                 "          <metadata_protection_kind>ENCRYPT</metadata_protection_kind>\n"
                 "          <data_protection_kind>ENCRYPT</data_protection_kind>\n"
                 "        </topic_rule>\n"
                 "      </topic_access_rules>\n"
                 "    </domain_rule>\n  </domain_access_rules>\n</dds>\n");
}

/* Text for XML character data: the five special characters escaped. */
static void xml_text(sbuf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            sb_printf(b, "&amp;");
            break;
        case '<':
            sb_printf(b, "&lt;");
            break;
        case '>':
            sb_printf(b, "&gt;");
            break;
        case '"':
            sb_printf(b, "&quot;");
            break;
        case '\'':
            sb_printf(b, "&apos;");
            break;
        default:
            sb_printf(b, "%c", *s);
        }
    }
}

/* XML Schema dateTime in UTC, as DDS Security's validity wants. */
static int xml_date(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return 0;
    return strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

/* The grant of nation i: publish each topic only in the one partition the
 * policy gives it; subscribe to every topic in every partition whose set
 * holds the nation; optionally the extra topics in any partition; deny
 * everything else. */
static mwds_err permissions_xml(sbuf *b, const mwds_policy *p, int i, const char *subject,
                                const char *not_before, const char *not_after, const char *extra)
{
    const char *code = p->nations[i];
    sb_printf(b, "%somg_shared_ca_permissions.xsd\">\n", XML_HEAD);
    sb_printf(b, "  <permissions>\n    <grant name=\"%s\">\n      <subject_name>", code);
    xml_text(b, subject);
    sb_printf(b,
              "</subject_name>\n      <validity>\n        <not_before>%s</not_before>\n"
              "        <not_after>%s</not_after>\n      </validity>\n      <allow_rule>\n",
              not_before, not_after);
    xml_domains(b, "        ");
    for (int t = 0; t < MWDS_TOPIC_COUNT; t++) {
        char part[MWDS_PARTITION_LEN];
        mwds_err rc = mwds_policy_partition_of(p, p->release[i][t], part, sizeof part);
        if (rc != MWDS_OK)
            return rc;
        sb_printf(b,
                  "        <publish>\n"
                  "          <topics><topic>%s</topic></topics>\n"
                  "          <partitions><partition>%s</partition></partitions>\n"
                  "        </publish>\n",
                  mwds_topic_name((mwds_topic)t), part);
    }
    sb_printf(b, "        <subscribe>\n          <topics>\n");
    for (int t = 0; t < MWDS_TOPIC_COUNT; t++)
        sb_printf(b, "            <topic>%s</topic>\n", mwds_topic_name((mwds_topic)t));
    sb_printf(b,
              "          </topics>\n          <partitions>\n"
              "            <partition>rel*.%s</partition>\n"
              "            <partition>rel*.%s.*</partition>\n"
              "          </partitions>\n        </subscribe>\n      </allow_rule>\n",
              code, code);
    if (extra != NULL) {
        /* every partition, the default one included: ddsperf answers each
         * ping in a partition named after the pinging participant */
        sb_printf(b, "      <allow_rule>\n");
        xml_domains(b, "        ");
        for (int sub = 0; sub < 2; sub++) {
            const char *what = sub ? "subscribe" : "publish";
            sb_printf(b, "        <%s>\n          <topics><topic>", what);
            xml_text(b, extra);
            sb_printf(b,
                      "</topic></topics>\n"
                      "          <partitions><partition>*</partition></partitions>\n"
                      "        </%s>\n",
                      what);
        }
        sb_printf(b, "      </allow_rule>\n");
    }
    sb_printf(b, "      <default>DENY</default>\n    </grant>\n  </permissions>\n</dds>\n");
    return MWDS_OK;
}

/* ---- checks --------------------------------------------------------------- */

static int is_code(const char *s)
{
    return s != NULL && strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
           s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

mwds_err mwds_pki_subject(const char *nation, char *buf, size_t len)
{
    if (!is_code(nation) || buf == NULL)
        return MWDS_EINVAL;
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "CN=%s,O=%s", nation, MWDS_PKI_ORG);
    if (k < 0 || (size_t)k + 1 > len)
        return MWDS_EINVAL;
    memcpy(buf, tmp, (size_t)k + 1);
    return MWDS_OK;
}

void mwds_pki_options_default(mwds_pki_options *o)
{
    memset(o, 0, sizeof *o);
    o->days = MWDS_PKI_DEFAULT_DAYS;
}

static mwds_err check_policy(const mwds_policy *p, char *err, size_t err_len)
{
    if (p->n_nations < 1 || p->n_nations > MWDS_POLICY_MAX_NATIONS) {
        set_err(err, err_len, "policy: %d nations, expected 1 to %d", p->n_nations,
                MWDS_POLICY_MAX_NATIONS);
        return MWDS_EINVAL;
    }
    for (int i = 0; i < p->n_nations; i++) {
        if (memchr(p->nations[i], '\0', MWDS_NATION_LEN) == NULL || !is_code(p->nations[i])) {
            set_err(err, err_len, "policy: nation %d is not a code of three upper-case letters", i);
            return MWDS_EINVAL;
        }
        if (mwds_policy_nation(p, p->nations[i]) != i) {
            set_err(err, err_len, "policy: nation %s is listed twice", p->nations[i]);
            return MWDS_EINVAL;
        }
        for (int t = 0; t < MWDS_TOPIC_COUNT; t++) {
            uint32_t m = p->release[i][t];
            if (!(m & (UINT32_C(1) << i)) || (m >> p->n_nations) != 0) {
                set_err(err, err_len, "policy: release of %s by %s names no valid set",
                        mwds_topic_key((mwds_topic)t), p->nations[i]);
                return MWDS_EINVAL;
            }
        }
    }
    return MWDS_OK;
}

/* A topic pattern fit for an XML element and a DDS topic name. */
static int extra_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MWDS_PKI_EXTRA_TOPICS_MAX)
        return 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || strchr("<>&\"'", c) != NULL)
            return 0;
    }
    return 1;
}

/* ---- building ------------------------------------------------------------- */

/* Builds every file in memory. */
static mwds_err build(const mwds_policy *p, const mwds_pki_options *o, outset *files, char *err,
                      size_t err_len)
{
    time_t from = (time_t)(o->now_t_ns / MWDS_NS_PER_S);
    time_t until = from + (time_t)o->days * 86400;
    char not_before[32], not_after[32];
    if (!xml_date(from, not_before, sizeof not_before) ||
        !xml_date(until, not_after, sizeof not_after)) {
        set_err(err, err_len, "options: validity beyond the calendar");
        return MWDS_EINVAL;
    }
    mwds_err rc = MWDS_OK;
    EVP_PKEY *ca_key = make_key();
    X509 *ca = ca_key != NULL
                   ? make_cert(ca_key, MWDS_PKI_ORG " CA", NULL, ca_key, from, o->days, 1)
                   : NULL;
    if (ca == NULL)
        rc = ossl_fail(err, err_len, "CA certificate");
    for (int i = 0; i < p->n_nations && rc == MWDS_OK; i++) {
        const char *code = p->nations[i];
        char rel[32];
        EVP_PKEY *key = make_key();
        X509 *cert = key != NULL ? make_cert(key, code, ca, ca_key, from, o->days, 0) : NULL;
        char *subject = cert != NULL ? subject_rfc2253(cert) : NULL;
        sbuf xml = {NULL, 0, 0, 0};
        if (subject == NULL) {
            snprintf(rel, sizeof rel, "%s/cert.pem", code);
            rc = ossl_fail(err, err_len, rel);
        }
        if (rc == MWDS_OK) {
            snprintf(rel, sizeof rel, "%s/cert.pem", code);
            rc = add_cert(files, rel, cert, err, err_len);
        }
        if (rc == MWDS_OK) {
            snprintf(rel, sizeof rel, "%s/key.pem", code);
            rc = add_key(files, rel, key, err, err_len);
        }
        if (rc == MWDS_OK)
            rc = permissions_xml(&xml, p, i, subject, not_before, not_after, o->extra_topics);
        if (rc == MWDS_OK) {
            snprintf(rel, sizeof rel, "%s/permissions.p7s", code);
            rc = add_smime(files, rel, &xml, ca, ca_key, err, err_len);
        }
        if (rc == MWDS_OK) {
            snprintf(rel, sizeof rel, "%s/permissions.xml", code);
            rc = outset_add_text(files, rel, &xml, err, err_len);
        }
        free(xml.p);
        free(subject);
        X509_free(cert);
        EVP_PKEY_free(key);
    }
    if (rc == MWDS_OK) {
        sbuf xml = {NULL, 0, 0, 0};
        governance_xml(&xml);
        rc = add_smime(files, "governance.p7s", &xml, ca, ca_key, err, err_len);
        if (rc == MWDS_OK)
            rc = outset_add_text(files, "governance.xml", &xml, err, err_len);
        free(xml.p);
    }
    /* the CA last, ca.key the very last: see the file comment */
    if (rc == MWDS_OK)
        rc = add_cert(files, "ca.pem", ca, err, err_len);
    if (rc == MWDS_OK)
        rc = add_key(files, "ca.key", ca_key, err, err_len);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rc;
}

/* ---- writing -------------------------------------------------------------- */

static mwds_err make_dir(const char *path, char *err, size_t err_len)
{
    if (mkdir(path, 0755) == 0)
        return MWDS_OK;
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return MWDS_OK;
    char why[128];
    errno_text(e == EEXIST ? ENOTDIR : e, why, sizeof why);
    set_err(err, err_len, "%s: cannot make the folder: %s", path, why);
    return MWDS_EIO;
}

/* Writes one file through a temporary name in the same folder. */
static mwds_err write_file(const char *dir, const outfile *f, char *err, size_t err_len)
{
    char path[PATH_CAP], tmp[PATH_CAP + 8];
    snprintf(path, sizeof path, "%s/%s", dir, f->rel);
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600: a key is never readable by others */
    const char *step = "cannot create";
    int e = 0;
    if (fd < 0) {
        e = errno;
    } else {
        size_t done = 0;
        while (done < f->len && e == 0) {
            ssize_t k = write(fd, f->data + done, f->len - done);
            if (k < 0 && errno != EINTR) {
                e = errno;
                step = "cannot write";
            } else if (k > 0) {
                done += (size_t)k;
            }
        }
        if (e == 0 && fchmod(fd, f->mode) != 0) {
            e = errno;
            step = "cannot set the mode of";
        }
        if (e == 0 && fsync(fd) != 0) {
            e = errno;
            step = "cannot write";
        }
        if (close(fd) != 0 && e == 0) {
            e = errno;
            step = "cannot write";
        }
        if (e == 0 && rename(tmp, path) != 0) {
            e = errno;
            step = "cannot rename into place";
        }
        if (e != 0)
            unlink(tmp);
    }
    if (e == 0)
        return MWDS_OK;
    char why[128];
    errno_text(e, why, sizeof why);
    set_err(err, err_len, "%s: %s: %s", path, step, why);
    return MWDS_EIO;
}

static mwds_err write_all(const mwds_policy *p, const char *dir, const outset *files, int force,
                          char *err, size_t err_len)
{
    mwds_err rc = make_dir(dir, err, err_len);
    char path[PATH_CAP];
    if (rc == MWDS_OK && force) {
        snprintf(path, sizeof path, "%s/ca.key", dir);
        if (unlink(path) != 0 && errno != ENOENT) {
            char why[128];
            errno_text(errno, why, sizeof why);
            set_err(err, err_len, "%s: cannot remove the old CA key: %s", path, why);
            rc = MWDS_EIO;
        }
    }
    for (int i = 0; i < p->n_nations && rc == MWDS_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, p->nations[i]);
        rc = make_dir(path, err, err_len);
    }
    for (int i = 0; i < files->n && rc == MWDS_OK; i++)
        rc = write_file(dir, &files->f[i], err, err_len);
    if (rc == MWDS_OK) {
        /* the renames reach the disk before the caller reports success */
        int fd = open(dir, O_RDONLY);
        if (fd >= 0) {
            (void)fsync(fd);
            close(fd);
        }
    }
    return rc;
}

mwds_err mwds_pki_init(const mwds_policy *policy, const char *out_dir,
                       const mwds_pki_options *options, char *err, size_t err_len)
{
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (policy == NULL || out_dir == NULL || options == NULL || out_dir[0] == '\0') {
        set_err(err, err_len, "pki: no policy, folder or options (NULL argument)");
        return MWDS_EINVAL;
    }
    mwds_err rc = check_policy(policy, err, err_len);
    if (rc != MWDS_OK)
        return rc;
    if (options->days < 1 || options->days > MWDS_PKI_MAX_DAYS) {
        set_err(err, err_len, "days: %d is outside [1, %d]", options->days, MWDS_PKI_MAX_DAYS);
        return MWDS_EINVAL;
    }
    if (options->now_t_ns <= 0) {
        set_err(err, err_len, "now: the start of validity is not set (must be after 1970)");
        return MWDS_EINVAL;
    }
    if (options->extra_topics != NULL && !extra_ok(options->extra_topics)) {
        set_err(err, err_len,
                "extra topics: '%.40s' is not a topic pattern (1 to %d printable characters, "
                "no spaces, quotes, '<', '>' or '&')",
                options->extra_topics, MWDS_PKI_EXTRA_TOPICS_MAX);
        return MWDS_EINVAL;
    }
    if (strlen(out_dir) > PATH_CAP - 64) {
        set_err(err, err_len, "%.64s...: folder name too long", out_dir);
        return MWDS_EINVAL;
    }
    char path[PATH_CAP];
    struct stat st;
    snprintf(path, sizeof path, "%s/ca.key", out_dir);
    if (lstat(path, &st) == 0 && !options->force) {
        set_err(err, err_len,
                "%s: already holds a CA (ca.key); refusing to replace it without force", out_dir);
        return MWDS_EINVAL;
    }
    if (stat(out_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        set_err(err, err_len, "%s: not a folder", out_dir);
        return MWDS_EIO;
    }
    outset files;
    memset(&files, 0, sizeof files);
    rc = build(policy, options, &files, err, err_len);
    if (rc == MWDS_OK)
        rc = write_all(policy, out_dir, &files, options->force, err, err_len);
    outset_fini(&files);
    return rc;
}
