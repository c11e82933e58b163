/* A custom Lambda runtime that answers every event with the event itself, over one keep-alive connection to the
 * Runtime API, after sleeping as long as an event {"sleep_ms": N} asks. Built by the benchmarks to measure the
 * node's invoke path with the cheapest possible runtime. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(const char *address) {
    char host[256];
    const char *colon = strrchr(address, ':');
    if (!colon || (size_t)(colon - address) >= sizeof host) return -1;
    memcpy(host, address, colon - address);
    host[colon - address] = 0;
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &peer.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&peer, sizeof peer) != 0) return -1;
    return fd;
}

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written <= 0) return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Reads one response: headers into `head`, the body into a malloc'd buffer. */
static char *read_response(int fd, char *head, size_t head_size, size_t *body_length) {
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        if (used + 1 >= head_size) return NULL;
        ssize_t count = read(fd, head + used, head_size - used - 1);
        if (count <= 0) return NULL;
        used += (size_t)count;
        head[used] = 0;
        end = strstr(head, "\r\n\r\n");
    }
    size_t header_length = (size_t)(end - head) + 4;
    size_t length = 0;
    for (char *line = head; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) length = strtoul(line + 15, NULL, 10);
    }
    char *body = malloc(length + 1);
    size_t have = used - header_length;
    memcpy(body, head + header_length, have);
    while (have < length) {
        ssize_t count = read(fd, body + have, length - have);
        if (count <= 0) return NULL;
        have += (size_t)count;
    }
    body[length] = 0;
    head[header_length] = 0;
    *body_length = length;
    return body;
}

static void header_value(const char *head, const char *name, char *out, size_t size) {
    out[0] = 0;
    size_t name_length = strlen(name);
    for (const char *line = head; *line; ) {
        const char *next = strstr(line, "\r\n");
        if (!next) break;
        if (strncasecmp(line, name, name_length) == 0 && line[name_length] == ':') {
            const char *value = line + name_length + 1;
            while (*value == ' ') value++;
            size_t length = (size_t)(next - value);
            if (length >= size) length = size - 1;
            memcpy(out, value, length);
            out[length] = 0;
            return;
        }
        line = next + 2;
    }
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) return 1;
    int fd = connect_to(api);
    if (fd < 0) return 1;
    static char head[65536];
    char request[1024], id[128];
    for (;;) {
        int length = snprintf(request, sizeof request,
                              "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
        if (write_all(fd, request, (size_t)length) != 0) return 1;
        size_t body_length = 0;
        char *body = read_response(fd, head, sizeof head, &body_length);
        if (!body) return 1;
        header_value(head, "Lambda-Runtime-Aws-Request-Id", id, sizeof id);
        /* An event {"sleep_ms": N} holds the environment busy for N ms first. */
        const char *sleep = strstr(body, "\"sleep_ms\":");
        if (sleep) usleep((useconds_t)atoi(sleep + strlen("\"sleep_ms\":")) * 1000);
        length = snprintf(request, sizeof request,
                          "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                          id, api, body_length);
        if (write_all(fd, request, (size_t)length) != 0 || write_all(fd, body, body_length) != 0) return 1;
        free(body);
        size_t ignored = 0;
        char *answer = read_response(fd, head, sizeof head, &ignored);
        if (!answer) return 1;
        free(answer);
    }
}
