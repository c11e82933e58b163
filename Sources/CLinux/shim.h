#ifndef SWIFTLET_CLINUX_SHIM_H
#define SWIFTLET_CLINUX_SHIM_H
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/// glibc (2.29 and later) has this, but declares it only under _GNU_SOURCE, which would change the definitions
/// the Glibc module already imported. Declaring the one prototype keeps both modules consistent.
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions,
                                                const char *__restrict path);

// The namespace sandbox's system calls. glibc declares unshare and setns only under _GNU_SOURCE and has no
// pivot_root at all, so these go through syscall(2); each returns 0 or -1 with errno set, as the C library would.

/// unshare(2).
static inline int swiftlet_unshare(int flags) { return (int)syscall(SYS_unshare, flags); }

/// setns(2).
static inline int swiftlet_setns(int descriptor, int type) { return (int)syscall(SYS_setns, descriptor, type); }

/// pivot_root(2).
static inline int swiftlet_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/// mount(2), with the flags as one unsigned long (Swift sees glibc's MS_ constants as Int).
static inline int swiftlet_mount(const char *source, const char *target, const char *type, unsigned long flags,
                                 const char *data) {
    return mount(source, target, type, flags, data);
}

/// umount2(2) with MNT_DETACH.
static inline int swiftlet_detach(const char *target) { return umount2(target, MNT_DETACH); }

/// sethostname(2).
static inline int swiftlet_sethostname(const char *name) {
    return (int)syscall(SYS_sethostname, name, strlen(name));
}

/// fork(2), which Swift does not import. Only for a single-threaded process.
static inline pid_t swiftlet_fork(void) { return fork(); }

/// Asks for `signal` when the parent dies.
static inline int swiftlet_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }

/// Makes the process undumpable: no core dumps, and /proc/<pid> files of it owned by root and closed to ptrace.
static inline int swiftlet_set_undumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

/// Sets no_new_privs: execve can never again raise privileges (setuid bits, file capabilities).
static inline int swiftlet_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

/// Gives up every capability for good: root no longer gains any at execve (securebits, locked), the bounding
/// and ambient sets are emptied, then the effective, permitted and inheritable sets. Returns 0 or -errno.
static inline int swiftlet_drop_capabilities(void) {
    // SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP and SECBIT_KEEP_CAPS_LOCKED, each with its lock bit.
    if (prctl(PR_SET_SECUREBITS, 0x2f, 0, 0, 0) != 0) return -errno;
    for (int capability = 0; capability < 64; capability++) {
        if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) return -errno;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -errno;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &header, data) != 0) return -errno;
    return 0;
}
#endif
