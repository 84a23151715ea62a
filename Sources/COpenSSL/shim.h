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

static inline long statehouse_ssl_ctx_disable_session_cache(SSL_CTX *context) {
    return SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
}

/* The common name of a certificate's subject, or an empty string. */
static inline int statehouse_x509_common_name(X509 *certificate, char *buffer, int length) {
    return X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, buffer, length);
}
#endif
