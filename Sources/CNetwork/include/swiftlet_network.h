#ifndef SWIFTLET_NETWORK_H
#define SWIFTLET_NETWORK_H
#include <stdint.h>

/// What ``swiftlet_network_namespace`` builds for one execution environment.
struct swiftlet_namespace_request {
    /// Port of the listening socket opened at 127.0.0.1 inside the namespace (the Runtime API).
    uint16_t listener_port;
    /// Name of the host's end of the environment's veth pair, or NULL for a namespace with loopback only.
    const char *host_link;
    /// Interface index of the bridge the host's end joins, as an isolated port.
    int bridge_index;
    /// The environment's IPv4 address and its gateway (the bridge's address), in host byte order.
    uint32_t address;
    uint32_t gateway;
    /// Prefix length of the bridge's subnet.
    uint8_t prefix_length;
};

/// Creates a network namespace from a short-lived thread (the caller's namespace is untouched), raises its
/// loopback and opens a non-blocking listening socket at 127.0.0.1:`listener_port` in it. With a `host_link`, also
/// creates a veth pair: `eth0` inside, holding `address` with a default route through `gateway`, and `host_link`
/// outside, up, an isolated port of the bridge (it reaches the bridge, not the bridge's other ports).
///
/// Returns the listening socket and stores a descriptor of the namespace (for setns) in `namespace_descriptor`, or
/// returns -errno. The namespace, and with it the veth pair, lives as long as a descriptor or a process holds it.
int swiftlet_network_namespace(const struct swiftlet_namespace_request *request, int *namespace_descriptor);

/// Creates the bridge `name` (or takes the one that exists), gives it `address`/`prefix_length` (host byte order)
/// and raises it. Returns its interface index or -errno.
int swiftlet_network_bridge(const char *name, uint32_t address, uint8_t prefix_length);

/// Deletes the network interface `name`. Returns 0 or -errno (-ENODEV when there is none).
int swiftlet_network_remove_link(const char *name);

#endif
