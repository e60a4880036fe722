/*
 * isobench-init: start one command in new namespaces inside cgroups that already exist.
 *
 *   isobench-init [--cgroup-procs FILE]... [--hostname NAME] [--share-net]
 *                 [--privileged | [--writable DIR]... [--cap N]...]
 *                 [--userns --uid-map IN:OUT:COUNT... --gid-map IN:OUT:COUNT...
 *                  [--newuidmap PATH --newgidmap PATH]] -- COMMAND [ARG]...
 *   isobench-init [--cgroup-procs FILE]... --attach-only -- COMMAND [ARG]...
 *
 * Why a small C program: Node cannot call unshare(2), and unshare(1) neither attaches to a
 * cgroup before exec nor gives a PID 1 that reaps and forwards signals (with --fork it "ignores
 * SIGINT and SIGTERM and does not forward any signals"). Node itself as PID 1 would charge
 * ~40 MiB to the container's memory cgroup, which distorts small memory.max tests.
 *
 * Process layout:
 *   outer (this process, child of isobench, host pid namespace, in the container's v1 cgroups;
 *          in its v2 cgroup too only when it cannot fork init into it, see attach.c)
 *     -> init   (PID 1 in the new pid namespace, born in every cgroup of the container: makes the
 *                cgroup namespace, the container's mounts (contain.c), sets the hostname, brings
 *                lo up, drops privileges (caps.c), reaps every child, forwards signals to the
 *                command)
 *          -> command (PID 2)
 * init is in the container's cgroups from its first instruction and makes the cgroup namespace
 * before anything else, so the namespace's root is the container's cgroup (cgroup_namespaces(7)),
 * and everything forked after that is born inside the cgroup: no window where the command runs
 * unconfined.
 *
 * Contained (default): the host's files read-only except the --writable data dirs, private /tmp,
 * masked /proc and /sys paths (contain.c); only the --cap capabilities (numbers, capabilities(7))
 * and no_new_privs (caps.c). --privileged: the host root writable and every capability, as
 * isobench did before containment.
 *
 * --userns (rootless runs): first a user namespace in which the caller is uid 0 (userns.c); the
 * other namespaces then belong to it, so an ordinary user may create them, and the capabilities
 * the command keeps are capabilities over its own namespaces only.
 *
 * --attach-only: attach to the cgroups, then exec COMMAND in place, in the caller's namespaces.
 * The harness's own measuring tools (the load generator) run this way: in a cgroup of their own,
 * measured like a container, but in the host's namespaces (the generator enters only a server's
 * network namespace itself, with nsenter).
 *
 * Exit status: the outer process exits with the command's exit code, or re-raises the signal that
 * killed it, so the caller sees exactly what timeout(1) would report (128+N in a shell).
 * When init itself dies (SIGKILL through cgroup.kill, or the OOM killer), the kernel kills the
 * whole pid namespace; the outer process then re-raises SIGKILL. 125: isobench-init itself failed
 * (a message "isobench-init: ..." on stderr says what).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"


static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
static const int n_forwarded = sizeof(forwarded) / sizeof(forwarded[0]);

static volatile pid_t outer_child = 0;

void die(const char *what) {
  fprintf(stderr, "isobench-init: %s: %s\n", what, strerror(errno));
  _exit(125);
}

void die_path(const char *what, const char *path) {
  fprintf(stderr, "isobench-init: %s %s: %s\n", what, path, strerror(errno));
  _exit(125);
}

void write_file(const char *file, const char *text) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die_path("open", file);
  size_t n = strlen(text);
  if (write(fd, text, n) != (ssize_t)n) die_path("write", file);
  close(fd);
}


static void lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket for lo");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("get lo flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("bring lo up");
  close(s);
}

static void forward_to_outer_child(int sig) {
  if (outer_child > 0) kill(outer_child, sig);
}

/* Re-raise a terminating signal on ourselves so our parent sees the same wait status. */
static void exit_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    prctl(PR_SET_DUMPABLE, 0); /* no core file for a re-raised SIGQUIT/SIGABRT */
    raise(sig);
    _exit(128 + sig);
  }
  _exit(125);
}

/* PID 1 of the new pid namespace. Never returns. */
static void run_init(struct init_opts *o, char **argv, int status_fd) {
  /* If the outer process dies, take the namespace down with it. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* Made here, not with the others by the outer process: init is the first process in every one
     of the container's cgroups (the outer one stays out of the v2 cgroup, attach.c), and the
     cgroup namespace takes the cgroups of the process that makes it as its root. */
  if (unshare(CLONE_NEWCGROUP) < 0) die("unshare the cgroup namespace");
  if (!o->privileged) contain_prepare(&o->contain);
  contain_mounts(&o->contain, !o->privileged);
  if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0) die("sethostname");
  if (!o->share_net) lo_up();
  /* Last, since mounts, hostname and lo need them: for init and the command it forks. */
  if (!o->privileged) drop_privileges(o->keep_caps);

  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);

  pid_t cmd = fork();
  if (cmd < 0) die("fork command");
  if (cmd == 0) {
    for (int i = 1; i < NSIG; i++) signal(i, SIG_DFL);
    /* The command starts with nothing blocked, whatever the outer process had blocked. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close(status_fd);
    execvp(argv[0], argv);
    int code = errno == ENOENT ? 127 : 126;
    fprintf(stderr, "isobench-init: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(code);
  }

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      int st;
      pid_t p;
      /* Reap every child: orphans re-parented to PID 1 included. */
      while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == cmd) {
          char buf[16];
          int n = WIFEXITED(st) ? snprintf(buf, sizeof buf, "E%d\n", WEXITSTATUS(st))
                                : snprintf(buf, sizeof buf, "S%d\n", WTERMSIG(st));
          if (write(status_fd, buf, (size_t)n) < 0) { /* outer gone: nothing to report to */ }
          /* Leaving PID 1 makes the kernel SIGKILL the rest of the namespace. */
          _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        }
      }
      continue;
    }
    for (int i = 0; i < n_forwarded; i++)
      if (forwarded[i] == sig) kill(cmd, sig);
  }
}

int main(int argc, char **argv) {
  struct args a;
  parse_args(argc, argv, &a);
  char **command = argv + a.command;

  /* Attach before exec and before the cgroup namespace is made (by init, run_init): the command
     never runs unconfined, and that namespace takes these cgroups as its root
     (cgroup_namespaces(7)). v2's cgroup is joined by init's fork (attach.c), except when this
     process execs the command itself (--attach-only) or enters a user namespace first (the move
     is then made with the host's credentials, as before). */
  struct v2_join v2 = {.defer = !a.attach_only && !a.userns};
  attach_cgroups(a.procs, a.nprocs, &v2);
  if (a.attach_only) {
    execvp(command[0], command);
    fprintf(stderr, "isobench-init: exec %s: %s\n", command[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }

  /* The user namespace first, so that it owns the namespaces made next. */
  if (a.userns) enter_userns(&a.ids);
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
  if (!a.init.share_net) flags |= CLONE_NEWNET;
  if (unshare(flags) < 0) die("unshare");

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) die("pipe");

  /* Block forwarded signals until the handler knows the child's pid. */
  sigset_t fwd, old;
  sigemptyset(&fwd);
  for (int k = 0; k < n_forwarded; k++) sigaddset(&fwd, forwarded[k]);
  sigprocmask(SIG_BLOCK, &fwd, &old);

  pid_t child = fork_into(&v2);
  if (child < 0) die("fork init");
  if (v2.dir_fd >= 0) close(v2.dir_fd);
  if (child == 0) {
    close(pipefd[0]);
    run_init(&a.init, command, pipefd[1]);
  }
  close(pipefd[1]);
  outer_child = child;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward_to_outer_child;
  sa.sa_flags = SA_RESTART;
  for (int k = 0; k < n_forwarded; k++) sigaction(forwarded[k], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  int st;
  while (waitpid(child, &st, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  char buf[16] = {0};
  ssize_t n = read(pipefd[0], buf, sizeof buf - 1);
  if (n > 1 && buf[0] == 'E') _exit(atoi(buf + 1));
  if (n > 1 && buf[0] == 'S') {
    int fake = 0;
    int sig = atoi(buf + 1);
    /* Build a wait status "killed by sig" and re-raise it. */
    fake = sig & 0x7f;
    exit_like(fake);
  }
  exit_like(st);
  return 125;
}
