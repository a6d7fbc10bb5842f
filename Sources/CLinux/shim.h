// Linux interfaces that the Glibc module of Swift does not export: epoll,
// eventfd and the TCP options. Header-only: everything here is in libc.
#ifndef ALIPAY_NOTIFYD_CLINUX_SHIM_H
#define ALIPAY_NOTIFYD_CLINUX_SHIM_H

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/// accept4(2) is declared by <sys/socket.h> only under _GNU_SOURCE, which
/// the system headers imported by Swift were not built with.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
/// pipe2(2), likewise.
extern int pipe2(int pipefd[2], int flags);

#include <spawn.h>
/// Closes every descriptor from `from` up in a spawned child (glibc 2.34+),
/// so a child never inherits a socket or pipe it was not meant to hold.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// Names the calling thread as `top -H`, `ps -L` and perf show it (15 bytes at most).
static inline void notifyd_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// The events and user data of one epoll_event: the struct is packed on
/// x86_64, so reading it field by field from Swift is done here.
static inline uint32_t notifyd_epoll_event_events(const struct epoll_event *event) { return event->events; }
static inline uint64_t notifyd_epoll_event_data(const struct epoll_event *event) { return event->data.u64; }
static inline struct epoll_event notifyd_epoll_event_make(uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return event;
}

#endif
