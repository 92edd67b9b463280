#ifndef CBENCHSOCKETS_SHIM_H
#define CBENCHSOCKETS_SHIM_H

// What the benchmark's live readers need from Linux that Swift's Glibc module does not expose: epoll, eventfd,
// and reading a TCP socket together with the kernel's receive timestamp (the control message walk uses the
// CMSG_* macros, which Swift cannot import).

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sched.h>
#include <time.h>

/// Asks the kernel to timestamp what arrives on `fd` (`SO_TIMESTAMPNS`, CLOCK_REALTIME). Returns 0 or -1 (errno).
static inline int CBenchSockets_enableReceiveTimestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

/// Reads up to `length` bytes from `fd` like `read`, and stores in `*arrival` the kernel's receive time of the
/// last bytes read (nanoseconds since the epoch, CLOCK_REALTIME), or 0 when the read carried no timestamp.
static inline ssize_t CBenchSockets_receive(int fd, void *buffer, size_t length, int64_t *arrival) {
    struct iovec vector = { .iov_base = buffer, .iov_len = length };
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
    } control;
    struct msghdr message = {
        .msg_iov = &vector,
        .msg_iovlen = 1,
        .msg_control = control.bytes,
        .msg_controllen = sizeof(control.bytes),
    };
    *arrival = 0;
    ssize_t count = recvmsg(fd, &message, MSG_DONTWAIT);
    if (count <= 0) return count;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec stamp;
            __builtin_memcpy(&stamp, CMSG_DATA(header), sizeof(stamp));
            *arrival = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
        }
    }
    return count;
}

/// Puts the calling thread under `SCHED_BATCH` (Linux's value 3): when a write wakes it, it does not preempt the
/// writer on that core but waits for its turn. Returns 0 or -1 (errno).
static inline int CBenchSockets_yieldOnWakeup(void) {
    struct sched_param parameters = { .sched_priority = 0 };
    return sched_setscheduler(0, 3, &parameters);
}

/// The file descriptor an epoll event carries (the union is awkward from Swift).
static inline int CBenchSockets_eventDescriptor(const struct epoll_event *event) { return event->data.fd; }

/// An epoll event for `fd` with interest `events`.
static inline struct epoll_event CBenchSockets_event(int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return event;
}

#endif
