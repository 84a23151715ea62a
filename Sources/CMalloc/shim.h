#ifndef STATEHOUSE_CMALLOC_SHIM_H
#define STATEHOUSE_CMALLOC_SHIM_H
#include <malloc.h>
#endif
