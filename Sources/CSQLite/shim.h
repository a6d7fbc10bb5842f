// What Swift needs from libsqlite3. SQLITE_TRANSIENT is a macro that casts -1
// to a function pointer, which Swift cannot import; sqlite3_config is variadic.
#ifndef ALIPAY_NOTIFYD_CSQLITE_SHIM_H
#define ALIPAY_NOTIFYD_CSQLITE_SHIM_H

#include <sqlite3.h>

static inline int notifyd_sqlite3_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}

static inline int notifyd_sqlite3_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *blob, int length) {
    return sqlite3_bind_blob(stmt, index, blob, length, SQLITE_TRANSIENT);
}

#endif
