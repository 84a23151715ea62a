#ifndef STATEHOUSE_CLIBPQ_SHIM_H
#define STATEHOUSE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
