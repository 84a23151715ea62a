#ifndef STATEHOUSE_COPENSSL_SHIM_H
#define STATEHOUSE_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Function-like macros of OpenSSL, as functions Swift can call. */
static inline int statehouse_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

static inline long statehouse_ssl_ctx_set_partial_writes(SSL_CTX *context) {
    return SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
        | SSL_MODE_RELEASE_BUFFERS);
}

/* The subject common name of a certificate as UTF-8, in *out (free with
   statehouse_openssl_free). Returns its length, or -1 when there is not exactly one CN. */
static inline int statehouse_x509_common_name_utf8(X509 *certificate, unsigned char **out) {
    X509_NAME *name = X509_get_subject_name(certificate);
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0) {
        return -1;
    }
    return ASN1_STRING_to_UTF8(out, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
}

static inline void statehouse_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
