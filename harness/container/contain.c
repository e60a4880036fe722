/*
 * The container's view of the host's files, made by PID 1 in its new (private) mount namespace.
 *
 * Contained (the default), as runc's and systemd's defaults do it (runc: readonly rootfs,
 * maskedPaths/readonlyPaths of its spec example; systemd: ProtectSystem=strict, PrivateTmp=):
 * - every mount of the host read-only (mount_setattr(2) with AT_RECURSIVE, 5.12+; older kernels:
 *   a read-only bind remount of each mount in /proc/self/mountinfo);
 * - a private /proc (the container's pid namespace) and private tmpfs on /tmp and /dev/shm;
 * - the container's data dirs bound read-write at their own paths (they may sit under /tmp: they
 *   were opened before the tmpfs hid them, and their path is recreated in it);
 * - masked: /proc/acpi, /proc/asound, /proc/kcore, /proc/keys, /proc/latency_stats,
 *   /proc/timer_list, /proc/timer_stats, /proc/sched_debug, /proc/scsi, /sys/firmware (runc) and
 *   /sys/devices/virtual/powercap (containerd: RAPL energy counters leak what other tenants run);
 *   a file under /dev/null, a directory under an empty read-only tmpfs;
 * - read-only even in the new /proc: /proc/bus, /proc/fs, /proc/irq, /proc/sys, /proc/sysrq-trigger.
 * Devices stay usable: writes to /dev/null or a tty are not blocked by a read-only mount (only
 * regular files, directories and links are).
 *
 * Privileged (--privileged): only the private /proc, the host root as it is (isobench <= 0.1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* the same on every architecture (new syscalls share one table) */
#endif
#define ISB_AT_RECURSIVE 0x8000
#define ISB_MOUNT_ATTR_RDONLY 0x1

struct isb_mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static const char *const masked[] = {
    "/proc/acpi",      "/proc/asound",       "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",      "/sys/firmware",      "/sys/devices/virtual/powercap",
};
static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

/* Per-mount flags as a remount must repeat them: in a user namespace the inherited nosuid, nodev,
   noexec and atime flags are locked, and a remount that would drop one is refused (EPERM). */
static int remount_bind(const char *path, int ro) {
  struct statvfs s;
  if (statvfs(path, &s) < 0) return -1;
  unsigned long f = MS_REMOUNT | MS_BIND | (ro ? MS_RDONLY : 0);
  if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (s.f_flag & ST_NODEV) f |= MS_NODEV;
  if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return mount(NULL, path, NULL, f, NULL);
}

/* Undoes mountinfo's octal escapes (a space is \040) in place. */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
      *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

/* Before mount_setattr(2): every mount at or below `top`, one read-only bind remount each. */
static void readonly_tree_legacy(const char *top) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) die("read /proc/self/mountinfo");
  size_t n = strlen(top);
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    char mp[4096];
    /* id parent major:minor root mount-point ... */
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1) continue;
    unescape(mp);
    if (strcmp(top, "/") != 0 && strcmp(mp, top) != 0 && !(strncmp(mp, top, n) == 0 && mp[n] == '/')) continue;
    /* A mount point this process cannot reach by path (EACCES, ENOENT under a hidden or
       unreadable directory) is one the contained command cannot reach either. */
    if (remount_bind(mp, 1) < 0 && errno != EACCES && errno != ENOENT) die_path("make read-only", mp);
  }
  fclose(f);
}

/* Read-only on (recursive) or off (this mount only) for the mount at `path`. */
static void set_readonly(const char *path, int recursive, int ro) {
  struct isb_mount_attr a = {ro ? ISB_MOUNT_ATTR_RDONLY : 0, ro ? 0 : ISB_MOUNT_ATTR_RDONLY, 0, 0};
  /* ISOBENCH_INIT_LEGACY_MOUNTS=1 takes the pre-5.12 path on any kernel, so that tests cover it. */
  const char *legacy = getenv("ISOBENCH_INIT_LEGACY_MOUNTS");
  if (!(legacy && strcmp(legacy, "1") == 0)) {
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? ISB_AT_RECURSIVE : 0, &a, sizeof a) == 0) return;
    if (errno != ENOSYS) die_path(ro ? "make read-only" : "make writable", path);
  }
  if (recursive && ro) readonly_tree_legacy(path);
  else if (remount_bind(path, ro) < 0) die_path(ro ? "make read-only" : "make writable", path);
}

static void mount_tmpfs(const char *path, unsigned long flags, const char *data) {
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | flags, data) < 0) die_path("mount a tmpfs on", path);
}

static void mkdir_p(const char *path) {
  char p[4096];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST) die_path("mkdir", p);
    *s = '/';
  }
  if (mkdir(p, 0755) < 0 && errno != EEXIST) die_path("mkdir", p);
}

void contain_prepare(struct contain_opts *o) {
  if (!getcwd(o->cwd, sizeof o->cwd)) o->cwd[0] = 0;
  for (int i = 0; i < o->nwritable; i++) {
    o->writable_fd[i] = open(o->writable[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (o->writable_fd[i] < 0) die_path("open the data dir", o->writable[i]);
  }
  for (int i = 0; i < o->nvisible; i++) {
    o->visible_fd[i] = open(o->visible[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (o->visible_fd[i] < 0) die_path("open", o->visible[i]);
  }
}

/* Binds back, read-only, each --visible dir that the private /tmp or /dev/shm hides. */
static void bind_visible(struct contain_opts *o) {
  for (int i = 0; i < o->nvisible; i++) {
    struct stat st;
    if (stat(o->visible[i], &st) == 0) {
      close(o->visible_fd[i]);
      continue; /* not hidden: already there, read-only */
    }
    if (errno != ENOENT) die_path("stat", o->visible[i]);
    mkdir_p(o->visible[i]);
    char src[64];
    snprintf(src, sizeof src, "/proc/self/fd/%d", o->visible_fd[i]);
    if (mount(src, o->visible[i], NULL, MS_BIND | MS_REC, NULL) < 0) die_path("bind", o->visible[i]);
    set_readonly(o->visible[i], 1, 1);
    close(o->visible_fd[i]);
  }
}

/* Binds each data dir read-write at its own path, from the descriptor taken before any mount. */
static void bind_writable(struct contain_opts *o) {
  for (int i = 0; i < o->nwritable; i++) {
    struct stat st;
    if (stat(o->writable[i], &st) < 0) {
      if (errno != ENOENT) die_path("stat", o->writable[i]);
      mkdir_p(o->writable[i]); /* hidden by the private /tmp or /dev/shm: recreate the path there */
    }
    char src[64];
    snprintf(src, sizeof src, "/proc/self/fd/%d", o->writable_fd[i]);
    if (mount(src, o->writable[i], NULL, MS_BIND | MS_REC, NULL) < 0) die_path("bind the data dir", o->writable[i]);
    /* The bind is a copy of a mount made read-only above, flags included. */
    set_readonly(o->writable[i], 0, 0);
    close(o->writable_fd[i]);
  }
}

static void mask(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return; /* not on this kernel */
  if (S_ISDIR(st.st_mode)) mount_tmpfs(path, MS_RDONLY | MS_NOEXEC, "mode=755");
  else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) die_path("mask", path);
}

void contain_mounts(struct contain_opts *o, int contained) {
  /* Nothing mounted here propagates back to the host. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make mounts private");
  if (contained) set_readonly("/", 1, 1);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die("mount /proc");
  if (!contained) return;
  mount_tmpfs("/tmp", 0, "mode=1777");
  struct stat st;
  if (stat("/dev/shm", &st) == 0) mount_tmpfs("/dev/shm", MS_NOEXEC, "mode=1777");
  bind_visible(o);
  bind_writable(o);
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) mask(masked[i]);
  for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++) {
    if (stat(readonly[i], &st) < 0) continue;
    if (mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0) die_path("bind", readonly[i]);
    set_readonly(readonly[i], 1, 1);
  }
  /* The old working directory is on the host's (now read-only) mount: enter the same path again,
     which is the data dir's read-write bind when it is one; "/" when the path is gone (under /tmp). */
  if (!o->cwd[0] || chdir(o->cwd) < 0) {
    if (chdir("/") < 0) die("chdir /");
  }
}
