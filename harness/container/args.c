/*
 * isobench-init's command line (see init.c for what each option does). Any mistake exits 125 with
 * the usage: isobench builds this command line itself, so a mistake is isobench's bug.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

static void usage_error(const char *why, const char *arg) {
  fprintf(stderr, "isobench-init: %s%s\n", why, arg ? arg : "");
  fprintf(stderr,
          "usage: isobench-init [--cgroup-procs FILE]... [--hostname NAME] [--share-net] [--privileged | "
          "[--writable DIR]... [--visible DIR]... [--cap N]...] [--userns --uid-map I:O:N... --gid-map I:O:N... [--newuidmap P "
          "--newgidmap P]] -- COMMAND [ARG]...\n"
          "       isobench-init [--cgroup-procs FILE]... --attach-only -- COMMAND [ARG]...\n");
  _exit(125);
}


void parse_args(int argc, char **argv, struct args *a) {
  memset(a, 0, sizeof *a);
  int i = 1;
  for (; i < argc; i++) {
    const char *opt = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(opt, "--") == 0) {
      i++;
      break;
    } else if (strcmp(opt, "--share-net") == 0) {
      a->init.share_net = 1;
    } else if (strcmp(opt, "--attach-only") == 0) {
      a->attach_only = 1;
    } else if (strcmp(opt, "--privileged") == 0) {
      a->init.privileged = 1;
    } else if (strcmp(opt, "--userns") == 0) {
      a->userns = 1;
    } else if (!val) {
      usage_error("unknown argument or missing value: ", opt);
    } else if (strcmp(opt, "--cgroup-procs") == 0) {
      if (a->nprocs == MAX_PROCS_FILES) usage_error("too many --cgroup-procs", NULL);
      a->procs[a->nprocs++] = argv[++i];
    } else if (strcmp(opt, "--hostname") == 0) {
      a->init.hostname = argv[++i];
    } else if (strcmp(opt, "--writable") == 0) {
      if (a->init.contain.nwritable == MAX_WRITABLE) usage_error("too many --writable", NULL);
      if (val[0] != '/') usage_error("--writable needs an absolute path: ", val);
      a->init.contain.writable[a->init.contain.nwritable++] = argv[++i];
    } else if (strcmp(opt, "--visible") == 0) {
      if (a->init.contain.nvisible == MAX_WRITABLE) usage_error("too many --visible", NULL);
      if (val[0] != '/') usage_error("--visible needs an absolute path: ", val);
      a->init.contain.visible[a->init.contain.nvisible++] = argv[++i];
    } else if (strcmp(opt, "--cap") == 0) {
      char *end;
      unsigned long c = strtoul(val, &end, 10);
      if (*end || c > 63) usage_error("--cap needs a capability number: ", val);
      a->init.keep_caps |= (uint64_t)1 << c;
      i++;
    } else if (strcmp(opt, "--uid-map") == 0 || strcmp(opt, "--gid-map") == 0) {
      int uid = opt[2] == 'u';
      int *n = uid ? &a->ids.nuid : &a->ids.ngid;
      if (*n == MAX_ID_MAPS) usage_error("too many ", opt);
      if (parse_id_map(val, uid ? &a->ids.uid[*n] : &a->ids.gid[*n]) < 0)
        usage_error("an id map is INSIDE:OUTSIDE:COUNT, not ", val);
      (*n)++;
      i++;
    } else if (strcmp(opt, "--newuidmap") == 0) {
      a->ids.newuidmap = argv[++i];
    } else if (strcmp(opt, "--newgidmap") == 0) {
      a->ids.newgidmap = argv[++i];
    } else {
      usage_error("unknown argument ", opt);
    }
  }
  if (i >= argc) usage_error("no command given", NULL);
  if (a->userns && (a->ids.nuid == 0 || a->ids.ngid == 0)) usage_error("--userns needs --uid-map and --gid-map", NULL);
  if (!a->ids.newuidmap != !a->ids.newgidmap) usage_error("--newuidmap and --newgidmap go together", NULL);
  a->command = i;
}
