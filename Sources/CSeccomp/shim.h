#ifndef SWIFTLET_CSECCOMP_SHIM_H
#define SWIFTLET_CSECCOMP_SHIM_H
#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stddef.h>

/// Builds and loads the execution environments' seccomp filter: everything is allowed except the calls that
/// would reach past the sandbox (kernel modules, tracing other processes, mounts, namespaces, keyrings, BPF,
/// perf, reboot, swap), which fail with EPERM. `clone` with a namespace flag fails with EPERM too, and `clone3`
/// with ENOSYS, because its flags sit in memory a filter cannot read: the C library then falls back to `clone`.
/// Returns 0, or a negative errno. The filter is built, loaded and freed inside this call, so no libseccomp
/// pointer ever reaches Swift.
static inline int swiftlet_seccomp_load_environment_filter(void) {
    static const char *const denied[] = {
        "init_module", "finit_module", "delete_module", "ptrace", "process_vm_readv", "process_vm_writev",
        "kexec_load", "kexec_file_load", "reboot", "mount", "umount2", "pivot_root", "swapon", "swapoff",
        "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "unshare", "setns", "open_by_handle_at",
        "name_to_handle_at", "fsopen", "fsmount", "fsconfig", "move_mount", "open_tree", "mount_setattr",
        "userfaultfd", "acct", "settimeofday", "clock_settime", "sethostname", "setdomainname",
    };
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
    if (filter == NULL) return -ENOMEM;
    int result = 0;
    for (size_t index = 0; index < sizeof(denied) / sizeof(denied[0]) && result == 0; index++) {
        int number = seccomp_syscall_resolve_name(denied[index]);
        // A call this kernel or architecture does not know cannot be made either.
        if (number == __NR_SCMP_ERROR) continue;
        result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), number, 0);
    }
    static const unsigned long namespaces[] = {
        CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
    };
    // One rule per flag: rules on the same call are alternatives, and "any of these bits" has no single test.
    for (size_t index = 0; index < sizeof(namespaces) / sizeof(namespaces[0]) && result == 0; index++) {
        result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, namespaces[index], namespaces[index]));
    }
    if (result == 0) result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (result == 0) result = seccomp_load(filter);
    seccomp_release(filter);
    return result;
}
#endif
