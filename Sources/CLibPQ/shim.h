// What Swift needs from libpq (PostgreSQL's client library). Its header
// lives under postgresql/ on Debian; pkg-config gives the include path.
#ifndef ALIPAY_NOTIFYD_CLIBPQ_SHIM_H
#define ALIPAY_NOTIFYD_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
