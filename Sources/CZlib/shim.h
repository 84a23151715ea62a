#ifndef STATEHOUSE_CZLIB_SHIM_H
#define STATEHOUSE_CZLIB_SHIM_H
#include <zlib.h>
#endif
