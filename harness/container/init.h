/*
 * Shared by the parts of isobench-init (init.c: the process layout; contain.c: the container's
 * mounts; caps.c: capabilities and no_new_privs; userns.c: the user namespace of rootless runs).
 */
#ifndef ISOBENCH_INIT_H
#define ISOBENCH_INIT_H

#include <stdint.h>

/* Prints "isobench-init: WHAT: strerror(errno)" and exits 125 (the tool failed, not the command). */
void die(const char *what);
/* Same, naming a path: "isobench-init: WHAT PATH: strerror(errno)". */
void die_path(const char *what, const char *path);
/* Writes TEXT to FILE in one write(2); dies naming the file when the kernel refuses it. */
void write_file(const char *file, const char *text);

#define MAX_WRITABLE 16
#define MAX_ID_MAPS 8

/* One line of a uid_map/gid_map: ids [inside, inside+count) are [outside, outside+count). */
struct id_map {
  unsigned long inside, outside, count;
};

struct userns_opts {
  struct id_map uid[MAX_ID_MAPS], gid[MAX_ID_MAPS];
  int nuid, ngid;
  /* newuidmap/newgidmap (setuid helpers that check /etc/subuid, /etc/subgid), or NULL: then the
     process maps its own ids itself, which the kernel allows for a single id. */
  const char *newuidmap, *newgidmap;
};

struct contain_opts {
  /* Directories the container may write (absolute, symlinks resolved): bound read-write over the
     read-only root; everything else of the host is read-only. */
  const char *writable[MAX_WRITABLE];
  int nwritable;
  /* Set by contain_prepare: O_PATH descriptors of the writable dirs and the working directory,
     taken before anything is mounted over them (a dir under /tmp is hidden by the private /tmp). */
  int writable_fd[MAX_WRITABLE];
  /* Directories the container must see read-only even where a private /tmp or /dev/shm hides them
     (isobench itself and node when installed under /tmp): bound back read-only when hidden. */
  const char *visible[MAX_WRITABLE];
  int nvisible;
  int visible_fd[MAX_WRITABLE];
  char cwd[4096];
};

/* What PID 1 makes of the container (init.c). */
struct init_opts {
  const char *hostname;
  int share_net;
  int privileged;
  uint64_t keep_caps;
  struct contain_opts contain;
};

#define MAX_PROCS_FILES 32

/* The command line, parsed by args.c. */
struct args {
  const char *procs[MAX_PROCS_FILES];
  int nprocs;
  int attach_only;
  int userns;
  struct userns_opts ids;
  struct init_opts init;
  /* Index of COMMAND in argv. */
  int command;
};

void parse_args(int argc, char **argv, struct args *a);

/* attach.c: the container's v2 cgroup, when it is joined by the fork of init (CLONE_INTO_CGROUP)
   rather than by a write of this process's pid. */
struct v2_join {
  int defer;         /* set by the caller: join v2 at the fork (init follows), not now */
  int dir_fd;        /* the v2 cgroup's directory, or -1: nothing left to join */
  const char *procs; /* its cgroup.procs, for the fallback write */
};
/* Joins each cgroup of PROCS (cgroup.procs files): v1 by "0" in `tasks` (this thread), v2 now by
   its pid in cgroup.procs, or at fork_into when v2->defer is set. */
void attach_cgroups(const char *const *procs, int n, struct v2_join *v2);
/* fork(2), the child born in v2's cgroup (clone3 CLONE_INTO_CGROUP) when one was deferred. */
pid_t fork_into(const struct v2_join *v2);

/* userns.c: unshare(CLONE_NEWUSER) and write the id maps (through newuidmap/newgidmap when set). */
void enter_userns(const struct userns_opts *o);
int parse_id_map(const char *spec, struct id_map *out);

/* contain.c: run by PID 1 in its new mount namespace; `contained` 0 keeps the host root writable. */
void contain_prepare(struct contain_opts *o);
void contain_mounts(struct contain_opts *o, int contained);

/* caps.c: keep only the capabilities in `keep` (bit N = capability N), set no_new_privs. */
void drop_privileges(uint64_t keep);

#endif
