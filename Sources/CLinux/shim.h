#ifndef SWIFTLET_CLINUX_SHIM_H
#define SWIFTLET_CLINUX_SHIM_H
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>

/// glibc (2.29 and later) has this, but declares it only under _GNU_SOURCE, which would change the definitions
/// the Glibc module already imported. Declaring the one prototype keeps both modules consistent.
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions,
                                                const char *__restrict path);
#endif
