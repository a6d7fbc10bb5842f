// What Swift needs from libcurl (Debian's OpenSSL flavour). curl_easy_setopt
// and curl_easy_getinfo are variadic, which Swift cannot call, so each kind
// of argument the HTTP client passes gets a typed static inline wrapper.
#ifndef ALIPAY_NOTIFYD_CCURL_SHIM_H
#define ALIPAY_NOTIFYD_CCURL_SHIM_H

#include <curl/curl.h>

/// The write callback's type, named so Swift can pass a @convention(c) closure.
typedef size_t (*notifyd_curl_write_callback)(char *data, size_t size, size_t count, void *context);

/// curl_global_init with the default flags (OpenSSL initialised by libcurl).
static inline CURLcode notifyd_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// Options whose argument is a long (flags, timeouts in milliseconds).
static inline CURLcode notifyd_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options whose argument is a curl_off_t (sizes).
static inline CURLcode notifyd_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options whose argument is a C string (copied by libcurl, except
/// CURLOPT_POSTFIELDS, which must stay valid until the transfer ends) or NULL.
static inline CURLcode notifyd_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options whose argument is an object pointer: a curl_slist, a CURLU, the
/// write callback's context.
static inline CURLcode notifyd_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION.
static inline CURLcode notifyd_curl_setopt_write_function(CURL *handle, notifyd_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// The share interface's lock callbacks (CURLSHOPT_LOCKFUNC, CURLSHOPT_UNLOCKFUNC).
typedef void (*notifyd_curl_lock_callback)(CURL *handle, curl_lock_data data, curl_lock_access access, void *context);
typedef void (*notifyd_curl_unlock_callback)(CURL *handle, curl_lock_data data, void *context);

/// curl_share_setopt with a long (CURLSHOPT_SHARE's data kinds).
static inline CURLSHcode notifyd_curl_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return curl_share_setopt(share, option, value);
}

/// curl_share_setopt with an object pointer (CURLSHOPT_USERDATA).
static inline CURLSHcode notifyd_curl_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *value) {
    return curl_share_setopt(share, option, value);
}

/// CURLSHOPT_LOCKFUNC and CURLSHOPT_UNLOCKFUNC.
static inline CURLSHcode notifyd_curl_share_set_locks(CURLSH *share, notifyd_curl_lock_callback lock,
                                                       notifyd_curl_unlock_callback unlock) {
    CURLSHcode code = curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock);
    return code != CURLSHE_OK ? code : curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock);
}

/// Information whose result is a long (status code, verify result, errno).
static inline CURLcode notifyd_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Information whose result is a curl_off_t (times in microseconds, counts).
static inline CURLcode notifyd_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
