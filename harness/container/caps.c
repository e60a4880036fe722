/*
 * Capabilities and no_new_privs for a contained command (capabilities(7), prctl(2)).
 *
 * The command runs as uid 0 (the host's root, or root of its user namespace). For uid 0 execve(2)
 * computes the new permitted set as inheritable | bounding ("root gets all capabilities" is the
 * bounding set), so the bounding set is what limits it: every capability not kept is dropped from
 * the bounding set (it can never come back in this process tree), then the effective, permitted
 * and inheritable sets are set to what is kept and the ambient set is cleared. no_new_privs makes
 * execve ignore setuid bits and file capabilities (a setuid-root binary gains nothing), as runc
 * and systemd's NoNewPrivileges= do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The highest capability this kernel knows: /proc/sys/kernel/cap_last_cap, else probe the bounding set. */
static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int n = -1;
  if (f) {
    if (fscanf(f, "%d", &n) != 1) n = -1;
    fclose(f);
  }
  if (n >= 0) return n;
  for (n = 0; n < 64 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0; n++) {
  }
  return n;
}

void drop_privileges(uint64_t keep) {
  int last = last_cap();
  /* Needs CAP_SETPCAP, so before capset() below gives it up. */
  for (int c = 0; c <= last && c < 64; c++) {
    if (keep & ((uint64_t)1 << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) die("drop a capability from the bounding set");
  }
  /* EINVAL: a kernel before 4.3 has no ambient set, so there is nothing to clear. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) die("clear ambient capabilities");

  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  for (int i = 0; i < 2; i++) {
    uint32_t bits = (uint32_t)(keep >> (32 * i));
    data[i].effective = bits;
    data[i].permitted = bits;
    data[i].inheritable = bits;
  }
  if (syscall(SYS_capset, &hdr, data) < 0) die("set capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("set no_new_privs");
}
