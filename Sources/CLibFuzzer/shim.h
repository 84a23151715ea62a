#ifndef STATEHOUSE_CLIBFUZZER_SHIM_H
#define STATEHOUSE_CLIBFUZZER_SHIM_H
// libFuzzer's entry point for a program with its own main, linked in by -sanitize=fuzzer
// (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library). Declared only: a build
// without the sanitizer must not call it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
