// libFuzzer's entry for programs that keep their own main(): it parses the
// libFuzzer options in argv and runs the fuzzing loop with the callback.
// Only referenced by builds made with -sanitize=fuzzer (scripts/fuzz.sh),
// which link libFuzzer; other builds never call it.
#ifndef ALIPAY_NOTIFYD_CLIBFUZZER_SHIM_H
#define ALIPAY_NOTIFYD_CLIBFUZZER_SHIM_H

#include <stddef.h>
#include <stdint.h>

extern int LLVMFuzzerRunDriver(int *argc, char ***argv,
                               int (*callback)(const uint8_t *data, size_t size));

#endif
