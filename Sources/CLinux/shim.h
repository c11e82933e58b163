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

/// What the helper thread of ``swiftlet_isolated_listener`` hands back.
struct swiftlet_isolated_listener_job {
    uint16_t port;
    int listener;
    int namespace_descriptor;
    int error;
};

static inline void *swiftlet_isolated_listener_thread(void *argument) {
    struct swiftlet_isolated_listener_job *job = (struct swiftlet_isolated_listener_job *)argument;
    // Only this short-lived thread moves to the new namespace; the rest of the process stays where it is.
    if (syscall(SYS_unshare, CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq interface;
    memset(&interface, 0, sizeof(interface));
    strncpy(interface.ifr_name, "lo", IFNAMSIZ - 1);
    if (control < 0 || ioctl(control, SIOCGIFFLAGS, &interface) != 0) {
        job->error = errno;
        if (control >= 0) close(control);
        return NULL;
    }
    interface.ifr_flags |= IFF_UP | IFF_RUNNING;
    int raised = ioctl(control, SIOCSIFFLAGS, &interface);
    job->error = raised == 0 ? 0 : errno;
    close(control);
    if (raised != 0) return NULL;

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(job->port);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
        listen(listener, 64) != 0) {
        job->error = errno;
        if (listener >= 0) close(listener);
        return NULL;
    }
    int descriptor = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        job->error = errno;
        close(listener);
        return NULL;
    }
    job->listener = listener;
    job->namespace_descriptor = descriptor;
    return NULL;
}

/// Creates a network namespace with its loopback up and a non-blocking listening socket on 127.0.0.1:`port` in
/// it, from a thread of its own so that the caller's namespace is untouched. Returns the socket and stores a
/// descriptor of the namespace (for setns) in `namespace_descriptor`; -errno on failure. The namespace lives as
/// long as either descriptor, or a process inside it.
static inline int swiftlet_isolated_listener(uint16_t port, int *namespace_descriptor) {
    struct swiftlet_isolated_listener_job job = {port, -1, -1, 0};
    pthread_t thread;
    int started = pthread_create(&thread, NULL, swiftlet_isolated_listener_thread, &job);
    if (started != 0) return -started;
    pthread_join(thread, NULL);
    if (job.error != 0) return -job.error;
    *namespace_descriptor = job.namespace_descriptor;
    return job.listener;
}
#endif
