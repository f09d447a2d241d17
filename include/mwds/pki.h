/*
 * mwds pki: the certificates and signed documents DDS Security needs, made
 * from a releasability policy (policy.h) with OpenSSL's library.
 *
 * mwds_pki_init writes into one folder:
 *
 *   ca.pem, ca.key           self-signed CA (EC P-256, SHA-256), both the
 *                            identity CA and the permissions CA
 *   governance.xml, .p7s     domain governance (everything encrypted, join
 *                            and topic access control on), signed by the CA
 *   NAT/cert.pem, key.pem    identity of nation NAT ("CN=NAT,O=mwds")
 *   NAT/permissions.xml,.p7s what NAT may publish and subscribe, signed
 *
 * Keys are written mode 0600. The .p7s files are S/MIME clear-signed text
 * (what `openssl smime -sign -text` makes), as Cyclone DDS reads them. The
 * layout, the governance settings and the permission rules are described in
 * docs/security.md.
 *
 * Time: the library never reads the clock; the caller passes the start of
 * the validity period (now) in the options.
 * Thread rules: reentrant; no state between calls.
 */
#ifndef MWDS_PKI_H
#define MWDS_PKI_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/core.h"
#include "mwds/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_PKI_ORG "mwds" /* O= of every certificate */
#define MWDS_PKI_DEFAULT_DAYS 365
#define MWDS_PKI_MAX_DAYS 36500
#define MWDS_PKI_DOMAIN_MAX 230       /* rules cover DDS domains 0..230 */
#define MWDS_PKI_EXTRA_TOPICS_MAX 128 /* longest extra_topics pattern */

typedef struct mwds_pki_options {
    int64_t now_t_ns; /* start of validity (certificates and permissions) */
    int days;         /* length of validity, 1..MWDS_PKI_MAX_DAYS */
    int force;        /* replace a CA already in the folder */
    /* NULL, or a topic pattern (fnmatch-style, e.g. "DDSPerf*") that every
     * nation may publish and subscribe in any partition, the default one
     * included: an extra allow rule for tools such as Cyclone's ddsperf
     * (which answers pings in a partition named after the pinger, so the
     * default partition alone is not enough). Printable ASCII without '<',
     * '>', '&', quotes or spaces; borrowed for the call. */
    const char *extra_topics;
} mwds_pki_options;

/* Defaults: now_t_ns 0 (the caller must set it), days 365, no force, no
 * extra topics. */
void mwds_pki_options_default(mwds_pki_options *o);

/* The subject of nation's identity certificate as DDS Security compares it
 * (OpenSSL's RFC 2253 form): "CN=KOR,O=mwds". MWDS_EINVAL if nation is not
 * three upper-case letters or buf (len bytes) is too small. */
mwds_err mwds_pki_subject(const char *nation, char *buf, size_t len);

/* Makes the CA, each nation's identity and permissions, and the governance,
 * and writes them into out_dir (created, mode 0755, if missing; its parent
 * must exist). Everything is built in memory first; files are written to
 * temporary names and renamed into place, ca.pem and then ca.key last, so
 * a folder without ca.key is never a complete one. A folder that already
 * holds ca.key is refused unless options->force; with force the old ca.key
 * is removed before anything is written.
 * err (err_len bytes, may be NULL) receives a one-line message naming the
 * path or option at fault.
 * Errors: MWDS_EINVAL (NULL arguments, an invalid policy, days out of
 * range, a bad extra_topics, or out_dir already holding ca.key without
 * force: nothing is then written), MWDS_EIO (a file or folder cannot be
 * made; files already renamed into place stay, but ca.key is not written),
 * MWDS_ENOMEM, and MWDS_EIO for any failure inside OpenSSL (its reason
 * in err); on every error before writing starts, no file is touched.
 * Cost: 1 + n_nations EC key generations and 2 + 2 n_nations signatures,
 * a few milliseconds. */
mwds_err mwds_pki_init(const mwds_policy *policy, const char *out_dir,
                       const mwds_pki_options *options, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
