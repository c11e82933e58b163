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
/// MHD_get_connection_info is variadic too; this asks it for the connection's socket.
static inline int swiftlet_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}
#endif
