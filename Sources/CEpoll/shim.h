#ifndef STATEHOUSE_CEPOLL_SHIM_H
#define STATEHOUSE_CEPOLL_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
