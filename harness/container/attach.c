/*
 * Joining the container's cgroups without the kernel's global migration lock.
 *
 * A write of a pid to cgroup.procs (v1 or v2) takes cgroup_threadgroup_rwsem for writing, a
 * per-cpu rw semaphore: its first writer after a quiet spell waits for an RCU grace period
 * (rcu_sync_enter). Measured here (hybrid host, 2 cores, kernel 6.18), one process joining seven
 * hierarchies in a row: the first write took 4.3-20.8 ms, each after it 0.02-0.07 ms; every
 * `isobench exec` and every container of a trial paid it once. Two moves that the kernel makes
 * without that lock:
 *
 * - v1: "0" written to a hierarchy's `tasks` file moves the calling thread alone, and the kernel
 *   skips the global lock for it (cgroup_procs_write_start: "If we migrate a single thread, we
 *   don't care about threadgroup stability ... we can skip the global lock"). isobench-init has
 *   one thread, so that thread is the whole process. Measured: 0.02-0.07 ms per hierarchy, the
 *   first included.
 * - v2 has no such file (cgroup.threads refuses a move between domain cgroups), but clone3(2)
 *   with CLONE_INTO_CGROUP (5.7+) starts the child in the cgroup, under the lock's read side only.
 *   The process forked that way is init (PID 1), and the command is forked by it: everything in
 *   the container is born in its v2 cgroup. This process (the outer one) stays in its parent's v2
 *   cgroup; it runs no code of the command and only waits.
 *
 * Where clone3 or CLONE_INTO_CGROUP is missing (older kernels: ENOSYS, EINVAL, E2BIG) or refused
 * (a seccomp filter: ENOSYS or EPERM), the pid is written to cgroup.procs, and fork(2) follows,
 * as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef SYS_clone3
#define SYS_clone3 435 /* the same on every architecture (new syscalls share one table) */
#endif
#define ISB_CLONE_INTO_CGROUP 0x200000000ULL

/* struct clone_args as of 5.7 (CLONE_ARGS_SIZE_VER2), spelled out: older headers lack `cgroup`. */
struct isb_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
};

/* FILE's directory, or 0 when it does not fit. */
static int dir_of(const char *file, char *dir, size_t size) {
  const char *slash = strrchr(file, '/');
  if (!slash || (size_t)(slash - file) >= size) return 0;
  memcpy(dir, file, (size_t)(slash - file));
  dir[slash - file] = 0;
  return 1;
}

static void write_own_pid(const char *procs) {
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die_path("open", procs);
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
  if (write(fd, buf, (size_t)n) != n) die_path("attach to", procs);
  close(fd);
}

void attach_cgroups(const char *const *procs, int n, struct v2_join *v2) {
  v2->dir_fd = -1;
  v2->procs = NULL;
  for (int k = 0; k < n; k++) {
    char dir[4096], tasks[4096 + 8];
    if (!dir_of(procs[k], dir, sizeof dir)) {
      write_own_pid(procs[k]);
      continue;
    }
    snprintf(tasks, sizeof tasks, "%s/tasks", dir);
    int fd = open(tasks, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) { /* a v1 hierarchy */
      if (write(fd, "0", 1) != 1) die_path("attach to", tasks);
      close(fd);
      continue;
    }
    if (errno != ENOENT) die_path("open", tasks);
    if (v2->dir_fd < 0 && v2->defer) {
      v2->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (v2->dir_fd < 0) die_path("open", dir);
      v2->procs = procs[k];
    } else {
      write_own_pid(procs[k]);
    }
  }
}

pid_t fork_into(const struct v2_join *v2) {
  /* ISOBENCH_INIT_NO_CLONE3=1 takes the fallback on any kernel, so that tests cover it. */
  const char *off = getenv("ISOBENCH_INIT_NO_CLONE3");
  if (v2->dir_fd >= 0 && !(off && strcmp(off, "1") == 0)) {
    struct isb_clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = ISB_CLONE_INTO_CGROUP;
    a.exit_signal = SIGCHLD;
    a.cgroup = (uint64_t)v2->dir_fd;
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid >= 0) return (pid_t)pid;
    /* No clone3 here, or no CLONE_INTO_CGROUP: the write the lock-free move was to save. */
  }
  if (v2->dir_fd >= 0) write_own_pid(v2->procs);
  return fork();
}
