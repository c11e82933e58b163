// Network plumbing of the namespace sandbox: bridges, veth pairs and addresses, through rtnetlink and the classic
// interface ioctls. Only the node calls these, as root; each call is self-contained and thread-safe.
#define _GNU_SOURCE
#include "swiftlet_network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

// MARK: rtnetlink messages

/// One request being built: a netlink header, a fixed part and nested attributes.
struct request {
    _Alignas(NLMSG_ALIGNTO) char bytes[1024];
    size_t length;
};

static atomic_uint sequence = 1;

static void *append(struct request *request, const void *data, size_t length) {
    size_t aligned = NLMSG_ALIGN(length);
    if (request->length + aligned > sizeof(request->bytes)) return NULL;
    char *place = request->bytes + request->length;
    memset(place, 0, aligned);
    if (data != NULL) memcpy(place, data, length);
    request->length += aligned;
    return place;
}

static void begin(struct request *request, uint16_t type, uint16_t flags) {
    memset(request, 0, sizeof(*request));
    struct nlmsghdr *header = append(request, NULL, sizeof(struct nlmsghdr));
    header->nlmsg_type = type;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header->nlmsg_seq = atomic_fetch_add(&sequence, 1);
}

static struct rtattr *attribute(struct request *request, uint16_t type, const void *data, size_t length) {
    struct rtattr *added = append(request, NULL, RTA_LENGTH(length));
    if (added == NULL) return NULL;
    added->rta_type = type;
    added->rta_len = RTA_LENGTH(length);
    if (data != NULL) memcpy(RTA_DATA(added), data, length);
    return added;
}

static struct rtattr *text(struct request *request, uint16_t type, const char *value) {
    return attribute(request, type, value, strlen(value) + 1);
}

/// Closes a nested attribute opened with `attribute(request, type, NULL, 0)`.
static void close_nest(struct request *request, struct rtattr *nest) {
    nest->rta_len = (unsigned short)((request->bytes + request->length) - (char *)nest);
}

/// Sends the request on `socket` and waits for the kernel's acknowledgement. Returns 0 or -errno.
static int exchange(int socket, struct request *request) {
    struct nlmsghdr *header = (struct nlmsghdr *)request->bytes;
    header->nlmsg_len = (uint32_t)request->length;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(socket, request->bytes, request->length, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
        return -errno;
    }
    _Alignas(NLMSG_ALIGNTO) char reply[4096];
    for (;;) {
        ssize_t received = recv(socket, reply, sizeof(reply), 0);
        if (received < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        int remaining = (int)received;
        for (struct nlmsghdr *answer = (struct nlmsghdr *)reply; NLMSG_OK(answer, remaining);
             answer = NLMSG_NEXT(answer, remaining)) {
            if (answer->nlmsg_seq != header->nlmsg_seq) continue;
            if (answer->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(answer))->error;
        }
    }
}

static int route_socket(void) {
    int descriptor = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    return descriptor < 0 ? -errno : descriptor;
}

// MARK: interface ioctls (in the calling thread's namespace)

static void ipv4(struct sockaddr *target, uint32_t address) {
    struct sockaddr_in value;
    memset(&value, 0, sizeof(value));
    value.sin_family = AF_INET;
    value.sin_addr.s_addr = htonl(address);
    memcpy(target, &value, sizeof(value));
}

/// Gives `name` an address, raises it, and with a gateway adds the default route through it. Returns 0 or -errno.
static int configure(const char *name, uint32_t address, uint8_t prefix_length, uint32_t gateway) {
    int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (control < 0) return -errno;
    struct ifreq interface;
    memset(&interface, 0, sizeof(interface));
    strncpy(interface.ifr_name, name, IFNAMSIZ - 1);
    int result = 0;
    if (address != 0) {
        ipv4(&interface.ifr_addr, address);
        if (ioctl(control, SIOCSIFADDR, &interface) != 0) result = -errno;
        uint32_t mask = prefix_length == 0 ? 0 : ~(uint32_t)0 << (32 - prefix_length);
        ipv4(&interface.ifr_netmask, mask);
        if (result == 0 && ioctl(control, SIOCSIFNETMASK, &interface) != 0) result = -errno;
    }
    if (result == 0 && ioctl(control, SIOCGIFFLAGS, &interface) != 0) result = -errno;
    if (result == 0) {
        interface.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(control, SIOCSIFFLAGS, &interface) != 0) result = -errno;
    }
    if (result == 0 && gateway != 0) {
        struct rtentry route;
        memset(&route, 0, sizeof(route));
        ipv4(&route.rt_dst, 0);
        ipv4(&route.rt_genmask, 0);
        ipv4(&route.rt_gateway, gateway);
        route.rt_flags = RTF_UP | RTF_GATEWAY;
        route.rt_dev = interface.ifr_name;
        if (ioctl(control, SIOCADDRT, &route) != 0) result = -errno;
    }
    close(control);
    return result;
}

// MARK: the environment's namespace

/// The veth pair of a namespace: created from the host's side so that the host's end can join the bridge as it
/// is made, then marked as an isolated bridge port.
static int add_veth(int host_socket, const struct swiftlet_namespace_request *request, int namespace_descriptor) {
    struct request message;
    begin(&message, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg host = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    append(&message, &host, sizeof(host));
    text(&message, IFLA_IFNAME, request->host_link);
    uint32_t master = (uint32_t)request->bridge_index;
    attribute(&message, IFLA_MASTER, &master, sizeof(master));
    struct rtattr *link_info = attribute(&message, IFLA_LINKINFO, NULL, 0);
    text(&message, IFLA_INFO_KIND, "veth");
    struct rtattr *data = attribute(&message, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer = attribute(&message, VETH_INFO_PEER, NULL, 0);
    struct ifinfomsg inside = {.ifi_family = AF_UNSPEC};
    append(&message, &inside, sizeof(inside));
    text(&message, IFLA_IFNAME, "eth0");
    uint32_t target = (uint32_t)namespace_descriptor;
    if (attribute(&message, IFLA_NET_NS_FD, &target, sizeof(target)) == NULL) return -EMSGSIZE;
    close_nest(&message, peer);
    close_nest(&message, data);
    close_nest(&message, link_info);
    int made = exchange(host_socket, &message);
    if (made != 0) return made;

    begin(&message, RTM_NEWLINK, 0);
    struct ifinfomsg port = {.ifi_family = AF_UNSPEC};
    append(&message, &port, sizeof(port));
    text(&message, IFLA_IFNAME, request->host_link);
    link_info = attribute(&message, IFLA_LINKINFO, NULL, 0);
    text(&message, IFLA_INFO_SLAVE_KIND, "bridge");
    data = attribute(&message, IFLA_INFO_SLAVE_DATA, NULL, 0);
    uint8_t isolated = 1;
    attribute(&message, IFLA_BRPORT_ISOLATED, &isolated, sizeof(isolated));
    close_nest(&message, data);
    close_nest(&message, link_info);
    return exchange(host_socket, &message);
}

struct namespace_job {
    const struct swiftlet_namespace_request *request;
    int listener;
    int namespace_descriptor;
    int error;
};

static int open_listener(uint16_t port) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) return -errno;
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(listener, 64) != 0) {
        int error = errno;
        close(listener);
        return -error;
    }
    return listener;
}

static int build_namespace(struct namespace_job *job) {
    const struct swiftlet_namespace_request *request = job->request;
    // The host's rtnetlink socket is opened before the move: a socket stays in the namespace it was made in.
    int host_socket = -1;
    if (request->host_link != NULL) {
        host_socket = route_socket();
        if (host_socket < 0) return host_socket;
    }
    int result = 0;
    if (unshare(CLONE_NEWNET) != 0) result = -errno;
    if (result == 0) {
        job->namespace_descriptor = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (job->namespace_descriptor < 0) result = -errno;
    }
    if (result == 0) result = configure("lo", 0, 0, 0);
    if (result == 0 && request->host_link != NULL) {
        result = add_veth(host_socket, request, job->namespace_descriptor);
        if (result == 0) result = configure("eth0", request->address, request->prefix_length, request->gateway);
    }
    if (result == 0) {
        job->listener = open_listener(request->listener_port);
        if (job->listener < 0) result = job->listener;
    }
    if (host_socket >= 0) close(host_socket);
    return result;
}

static void *namespace_thread(void *argument) {
    struct namespace_job *job = argument;
    job->error = build_namespace(job);
    return NULL;
}

int swiftlet_network_namespace(const struct swiftlet_namespace_request *request, int *namespace_descriptor) {
    struct namespace_job job = {request, -1, -1, 0};
    pthread_t thread;
    // Only this short-lived thread moves to the new namespace; the rest of the process stays where it is.
    int started = pthread_create(&thread, NULL, namespace_thread, &job);
    if (started != 0) return -started;
    pthread_join(thread, NULL);
    if (job.error != 0) {
        if (job.listener >= 0) close(job.listener);
        // Closing the last descriptor of the namespace also removes a veth pair made for it.
        if (job.namespace_descriptor >= 0) close(job.namespace_descriptor);
        return job.error;
    }
    *namespace_descriptor = job.namespace_descriptor;
    return job.listener;
}

// MARK: the node's bridge

int swiftlet_network_bridge(const char *name, uint32_t address, uint8_t prefix_length) {
    int route = route_socket();
    if (route < 0) return route;
    struct request message;
    begin(&message, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg bridge = {.ifi_family = AF_UNSPEC};
    append(&message, &bridge, sizeof(bridge));
    text(&message, IFLA_IFNAME, name);
    struct rtattr *link_info = attribute(&message, IFLA_LINKINFO, NULL, 0);
    text(&message, IFLA_INFO_KIND, "bridge");
    close_nest(&message, link_info);
    int made = exchange(route, &message);
    if (made != 0 && made != -EEXIST) {
        close(route);
        return made;
    }
    // A bridge takes the lowest address of its ports unless given one: each environment joining or leaving could
    // change the gateway's MAC under the others' ARP caches. A fixed, locally administered one derived from the
    // bridge's IPv4 address keeps it still.
    begin(&message, RTM_NEWLINK, 0);
    append(&message, &bridge, sizeof(bridge));
    text(&message, IFLA_IFNAME, name);
    uint8_t hardware[6] = {0x02, 0x73, (uint8_t)(address >> 24), (uint8_t)(address >> 16), (uint8_t)(address >> 8),
                           (uint8_t)address};
    attribute(&message, IFLA_ADDRESS, hardware, sizeof(hardware));
    made = exchange(route, &message);
    close(route);
    if (made != 0) return made;
    int configured = configure(name, address, prefix_length, 0);
    if (configured != 0) return configured;
    unsigned index = if_nametoindex(name);
    return index == 0 ? -errno : (int)index;
}

int swiftlet_network_remove_link(const char *name) {
    int route = route_socket();
    if (route < 0) return route;
    struct request message;
    begin(&message, RTM_DELLINK, 0);
    struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
    append(&message, &link, sizeof(link));
    text(&message, IFLA_IFNAME, name);
    int removed = exchange(route, &message);
    close(route);
    return removed;
}
