#ifndef SWIFTLET_CMICROHTTPD_SHIM_H
#define SWIFTLET_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
/// MHD_get_daemon_info is variadic, which Swift cannot call; this asks it for the bound port.
static inline uint16_t swiftlet_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}
#endif
