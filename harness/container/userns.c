/*
 * The user namespace of a rootless container (user_namespaces(7)): the calling user becomes uid 0
 * inside, with capabilities over the namespaces created after it (mount, pid, net ...) and none
 * over the host.
 *
 * Two ways to write the id maps, as unshare(1) and podman do:
 * - a single id (the user's own uid and gid as 0): the process writes /proc/self/uid_map itself,
 *   which the kernel allows for exactly its own id, after "deny" in /proc/self/setgroups (an
 *   unprivileged map may not allow setgroups(2), which could drop a group that denies access);
 * - more ids (subordinate ranges from /etc/subuid and /etc/subgid, so that a workload can switch
 *   to another user, as PostgreSQL's server must): only the setuid helpers newuidmap/newgidmap may
 *   write those, and only from outside the namespace. A helper process is forked *before*
 *   unshare(CLONE_NEWUSER), so it stays in the parent namespace; once the namespace exists it runs
 *   `newuidmap PID inside outside count ...` and `newgidmap ...` on this process and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

/* "inside:outside:count" */
int parse_id_map(const char *spec, struct id_map *out) {
  char tail;
  return sscanf(spec, "%lu:%lu:%lu%c", &out->inside, &out->outside, &out->count, &tail) == 3 && out->count > 0 ? 0
                                                                                                              : -1;
}

/* Runs HELPER PID inside outside count ... and returns 0 when it exits 0. */
static int run_helper(const char *helper, pid_t target, const struct id_map *m, int n) {
  char *argv[2 + 3 * MAX_ID_MAPS + 1];
  char num[1 + 3 * MAX_ID_MAPS][24];
  int a = 0;
  argv[a++] = (char *)helper;
  snprintf(num[0], sizeof num[0], "%d", (int)target);
  argv[a++] = num[0];
  for (int i = 0; i < n; i++) {
    const unsigned long v[3] = {m[i].inside, m[i].outside, m[i].count};
    for (int k = 0; k < 3; k++) {
      char *s = num[1 + 3 * i + k];
      snprintf(s, sizeof num[0], "%lu", v[k]);
      argv[a++] = s;
    }
  }
  argv[a] = NULL;
  pid_t p = fork();
  if (p < 0) return -1;
  if (p == 0) {
    execv(helper, argv);
    fprintf(stderr, "isobench-init: cannot run %s: %s\n", helper, strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(p, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void write_map(const char *file, const struct id_map *m, int n) {
  char text[64 * MAX_ID_MAPS];
  size_t used = 0;
  for (int i = 0; i < n; i++)
    used += (size_t)snprintf(text + used, sizeof text - used, "%lu %lu %lu\n", m[i].inside, m[i].outside, m[i].count);
  write_file(file, text);
}

void enter_userns(const struct userns_opts *o) {
  if (!o->newuidmap) {
    if (unshare(CLONE_NEWUSER) < 0) die("unshare a user namespace");
    write_file("/proc/self/setgroups", "deny");
    write_map("/proc/self/uid_map", o->uid, o->nuid);
    write_map("/proc/self/gid_map", o->gid, o->ngid);
    return;
  }
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) die("pipe");
  pid_t self = getpid();
  pid_t helper = fork();
  if (helper < 0) die("fork the id-map helper");
  if (helper == 0) {
    close(go[1]);
    char c;
    /* EOF without a byte: the parent could not unshare, and has said why. */
    if (read(go[0], &c, 1) != 1) _exit(1);
    if (run_helper(o->newuidmap, self, o->uid, o->nuid) < 0) _exit(2);
    if (run_helper(o->newgidmap, self, o->gid, o->ngid) < 0) _exit(3);
    _exit(0);
  }
  close(go[0]);
  if (unshare(CLONE_NEWUSER) < 0) die("unshare a user namespace");
  if (write(go[1], "g", 1) != 1) die("start the id-map helper");
  close(go[1]);
  int st;
  while (waitpid(helper, &st, 0) < 0)
    if (errno != EINTR) die("wait for the id-map helper");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "isobench-init: %s failed to map the subordinate ids (see its message above)\n",
            WIFEXITED(st) && WEXITSTATUS(st) == 3 ? o->newgidmap : o->newuidmap);
    _exit(125);
  }
}
