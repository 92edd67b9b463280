// live-floor: the least a server can do for the `long-poll` and `sse` benchmarks on this machine.
//
// A measuring stick, not a Durable Streams server: one in-memory byte stream shared by every path, two epoll
// threads (SO_REUSEPORT), no routing, no validation beyond what keeps it safe, one write per answer. It speaks
// just enough of the protocol for `durable-streams-bench --scenario long-poll,sse`: PUT (201), HEAD and POST (with
// Stream-Next-Offset), GET ?offset=N answered at once when bytes exist past N, else parked until an append, and
// GET ?offset=N&live=sse, an event stream (chunked) that gets one write per append: a data and a control event.
// What it costs per delivery is the kernel's share (loopback TCP, epoll), which ours pays too; the difference
// to our server is our user-space work. Built and run by Tools/bench/live-floor.sh.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

enum { THREADS = 2, REQUEST_BYTES = 4096, MAX_ANSWER_BODY = 4000 };
static const size_t LOG_CAPACITY = (size_t)256 << 20;

static char *streamBytes;
static _Atomic long tail;
static pthread_mutex_t appendLock = PTHREAD_MUTEX_INITIALIZER;
static int port;

typedef struct {
    int fd;
    long offset;   // where a parked reader waits
    int parked;
    int sse;       // an event stream: stays parked, and gets events instead of an answer
    int length;    // bytes in buffer
    char buffer[REQUEST_BYTES];
} Connection;

typedef struct {
    int epoll, wakeup;
    Connection **parked;
    int parkedCount, parkedCapacity;
} Worker;

static Worker workers[THREADS];

static void answerBytes(Connection *c, long from, long to) {
    char out[MAX_ANSWER_BODY + 512];
    long n = to - from;
    if (n > MAX_ANSWER_BODY) n = MAX_ANSWER_BODY;
    int head = snprintf(out, sizeof out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nStream-Next-Offset: %020ld\r\nStream-Cursor: 1\r\n"
        "Cache-Control: no-store\r\nContent-Length: %ld\r\n\r\n", from + n, n);
    memcpy(out + head, streamBytes + from, (size_t)n);
    if (write(c->fd, out, (size_t)(head + n)) < 0) { /* the reader is gone; its close arrives as an event */ }
}

/// One chunk with a data event holding the bytes from..to (at most MAX_ANSWER_BODY) and a control event; returns
/// where the reader is then.
static long sendEvents(Connection *c, long from, long to) {
    char out[MAX_ANSWER_BODY + 512];
    long n = to - from;
    if (n > MAX_ANSWER_BODY) n = MAX_ANSWER_BODY;
    // The chunk size is written last, into a fixed-width field (leading zeros are valid chunk-size digits).
    int at = 6;
    at += snprintf(out + at, sizeof out - (size_t)at, "event: data\ndata: ");
    memcpy(out + at, streamBytes + from, (size_t)n);
    at += (int)n;
    at += snprintf(out + at, sizeof out - (size_t)at,
        "\n\nevent: control\ndata: {\"streamNextOffset\":\"%020ld\",\"streamCursor\":\"1\"}\n\n\r\n", from + n);
    char size[8];
    snprintf(size, sizeof size, "%04x\r\n", at - 6 - 2);
    memcpy(out, size, 6);
    if (write(c->fd, out, (size_t)at) < 0) { }
    return from + n;
}

static void answerEmpty(Connection *c, const char *status, int withOffset) {
    char out[256];
    int head = withOffset
        ? snprintf(out, sizeof out, "HTTP/1.1 %s\r\nStream-Next-Offset: %020ld\r\nContent-Length: 0\r\n\r\n", status, atomic_load(&tail))
        : snprintf(out, sizeof out, "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", status);
    if (write(c->fd, out, (size_t)head) < 0) { }
}

static void park(Worker *w, Connection *c, long offset) {
    if (w->parkedCount == w->parkedCapacity) {
        w->parkedCapacity = w->parkedCapacity ? w->parkedCapacity * 2 : 1024;
        w->parked = realloc(w->parked, (size_t)w->parkedCapacity * sizeof *w->parked);
        if (!w->parked) abort();
    }
    c->offset = offset;
    c->parked = 1;
    w->parked[w->parkedCount++] = c;
}

static void unpark(Worker *w, Connection *c) {
    for (int i = 0; i < w->parkedCount; i++) {
        if (w->parked[i] == c) { w->parked[i] = w->parked[--w->parkedCount]; break; }
    }
    c->parked = 0;
}

/// Answers every parked reader of this thread that has bytes past its offset.
static void answerParked(Worker *w) {
    long end = atomic_load(&tail);
    int kept = 0;
    for (int i = 0; i < w->parkedCount; i++) {
        Connection *c = w->parked[i];
        if (c->offset < end && c->sse) {
            c->offset = sendEvents(c, c->offset, end);
            w->parked[kept++] = c;
        } else if (c->offset < end) {
            c->parked = 0;
            answerBytes(c, c->offset, end);
        } else {
            w->parked[kept++] = c;
        }
    }
    w->parkedCount = kept;
}

/// Handles every whole request in the connection's buffer; false when the connection must close.
static int handle(Worker *w, Connection *c) {
    for (;;) {
        char *end = memmem(c->buffer, (size_t)c->length, "\r\n\r\n", 4);
        if (!end) return c->length < REQUEST_BYTES;
        int headLength = (int)(end - c->buffer) + 4;
        long body = 0;
        char *lengthField = memmem(c->buffer, (size_t)headLength, "Content-Length: ", 16);
        if (lengthField) body = atol(lengthField + 16);
        if (body < 0 || headLength + body > REQUEST_BYTES) return 0;
        if (c->length < headLength + body) return 1;
        if (!strncmp(c->buffer, "PUT ", 4)) {
            answerEmpty(c, "201 Created", 1);
        } else if (!strncmp(c->buffer, "HEAD ", 5)) {
            answerEmpty(c, "200 OK", 1);
        } else if (!strncmp(c->buffer, "POST ", 5)) {
            pthread_mutex_lock(&appendLock);
            long at = atomic_load(&tail);
            int fits = (size_t)(at + body) <= LOG_CAPACITY;
            if (fits) { memcpy(streamBytes + at, c->buffer + headLength, (size_t)body); atomic_store(&tail, at + body); }
            pthread_mutex_unlock(&appendLock);
            answerEmpty(c, fits ? "204 No Content" : "413 Payload Too Large", 1);
            for (int i = 0; i < THREADS; i++) {
                if (&workers[i] != w) { uint64_t one = 1; if (write(workers[i].wakeup, &one, 8) < 0) { } }
            }
            answerParked(w);
        } else if (!strncmp(c->buffer, "GET ", 4)) {
            char *offsetField = memmem(c->buffer, (size_t)headLength, "offset=", 7);
            long offset = offsetField ? atol(offsetField + 7) : 0;
            long end = atomic_load(&tail);
            if (offset < 0 || offset > end) answerEmpty(c, "400 Bad Request", 0);
            else if (memmem(c->buffer, (size_t)headLength, "live=sse", 8)) {
                static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
                if (write(c->fd, head, sizeof head - 1) < 0) { }
                c->sse = 1;
                while (offset < end) offset = sendEvents(c, offset, end);
                park(w, c, offset);
            }
            else if (offset < end) answerBytes(c, offset, end);
            else park(w, c, offset);
        } else {
            answerEmpty(c, "400 Bad Request", 0);
        }
        int used = headLength + (int)body;
        memmove(c->buffer, c->buffer + used, (size_t)(c->length - used));
        c->length -= used;
    }
}

static void *serve(void *argument) {
    Worker *w = argument;
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 4096)) { perror("live-floor: listen"); exit(1); }
    w->epoll = epoll_create1(0);
    w->wakeup = eventfd(0, EFD_NONBLOCK);
    struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(w->epoll, EPOLL_CTL_ADD, listener, &event);
    event.data.ptr = &workers;  // marks the wake-up descriptor
    epoll_ctl(w->epoll, EPOLL_CTL_ADD, w->wakeup, &event);
    struct epoll_event events[256];
    for (;;) {
        int count = epoll_wait(w->epoll, events, 256, -1);
        for (int i = 0; i < count; i++) {
            void *tag = events[i].data.ptr;
            if (tag == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Connection *c = calloc(1, sizeof *c);
                    if (!c) { close(fd); continue; }
                    c->fd = fd;
                    struct epoll_event readable = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
                    epoll_ctl(w->epoll, EPOLL_CTL_ADD, fd, &readable);
                }
            } else if (tag == (void *)&workers) {
                uint64_t value;
                if (read(w->wakeup, &value, 8) < 0) { }
                answerParked(w);
            } else {
                Connection *c = tag;
                ssize_t got = read(c->fd, c->buffer + c->length, (size_t)(REQUEST_BYTES - c->length));
                if (got < 0 && errno == EAGAIN) continue;
                if (got > 0) { c->length += (int)got; if (handle(w, c)) continue; }
                if (c->parked) unpark(w, c);
                close(c->fd);
                free(c);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    port = argc > 1 ? atoi(argv[1]) : 4499;
    streamBytes = malloc(LOG_CAPACITY);
    if (!streamBytes) return 1;
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, serve, &workers[i]);
    printf("live-floor listening on http://127.0.0.1:%d/ (one stream at every path)\n", port);
    fflush(stdout);
    pthread_join(threads[0], NULL);
    return 0;
}
