// What Swift needs from libcrypto (OpenSSL 3). Function-like macros do not
// import into Swift, so the few we need are wrapped as static inline functions.
#ifndef ALIPAY_NOTIFYD_COPENSSL_SHIM_H
#define ALIPAY_NOTIFYD_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/// EVP_PKEY_CTX_set_rsa_padding is a function in OpenSSL 3, but keep the
/// padding choice in one place so signing and verifying agree.
static inline int notifyd_set_pkcs1_padding(EVP_PKEY_CTX *ctx) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
}

#endif
