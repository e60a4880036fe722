/*
 * isobench-loadgen: the open-loop generator's sending loop, in C.
 *
 * Why C: the Node generator (run.ts, http-pool.ts) costs 45-77 us of CPU per request here, most
 * of it system time spread over a clock thread, libuv's async wake-ups and the event loop; wrk
 * costs 12 us. On a 2-core host that CPU is taken from the server under test, and at half the
 * ceiling a stall of a few ms queues requests behind the connections (issue 13, item 2). This
 * process does only the hot part: it keeps the schedule with an absolute timerfd (timer slack 1
 * ns), writes pre-encoded GETs on keep-alive sockets, parses the responses' framing, and hands a
 * fixed-size record per event to its parent (workloads/load/native.ts), which keeps the tally,
 * histograms and intervals exactly as for the Node engine.
 *
 * The semantics are those of KeepAlivePool and runSchedule (read them first): request i is due at
 * start + offset(i) whatever happened to earlier ones; a due request goes to the oldest idle
 * socket or waits in a FIFO queue (the wait counts in its corrected latency); a request times out
 * after timeout-ms without a byte once written; a socket the server closed is replaced (at once if
 * it had answered something or requests wait); non-2xx/3xx and protocol errors are errors; after
 * the window, requests in flight get drain-ms, what is left then is abandoned.
 *
 * Usage: isobench-loadgen HOST PORT PATH HOSTHEADER CONNECTIONS TIMEOUT_MS RATE_HZ WARMUP_MS
 *        DURATION_MS uniform|poisson SEED DRAIN_MS [STANDBY]
 * (SEED: -1 for none; STANDBY: auto, the default, on or off: see "the standby" below). stdin takes
 * lines "start NS" (CLOCK_MONOTONIC ns of offset 0) and "stop NS" (the window ends at NS); EOF on
 * stdin before start ends the process. stdout carries 32-byte little-endian records (struct rec);
 * messages go to stderr; exit 0 after END.
 *
 *        isobench-loadgen --timer-floor RATE_HZ DURATION_MS
 * The schedule kept with nothing to send (see timer_floor): bench:load's peer for late sends.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum { REC_READY = 1, REC_SENT = 2, REC_DONE = 3, REC_END = 4, REC_SENDS_ENDED = 5, REC_STANDBY = 6 };
enum { OUT_COMPLETED = 0, OUT_ERROR = 1, OUT_TIMEOUT = 2, OUT_ABANDONED = 3 };

/* One event for the parent. SENT: a = sent ns, flags bit 0 = measured, bit 1 = sent by the standby
 * thread. DONE: a = written ns (INT64_MIN: never written), b = done ns, flags = outcome | 0x80 if
 * measured. READY: index = sockets open. STANDBY (before READY, only when it runs): the standby
 * thread is used, index = the CPUs it may choose from. END: due = window end, a = send end, b = p99
 * of timer wake-up lateness (ns), index = sent, flags = 1 if stopped. SENDS_ENDED: index =
 * measured requests in flight when the sends ended. */
struct rec {
  uint8_t kind;
  uint8_t flags;
  uint16_t pad;
  uint32_t index;
  int64_t due;
  int64_t a;
  int64_t b;
};
_Static_assert(sizeof(struct rec) == 32, "record size");

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("isobench-loadgen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- output: records buffered, written without ever blocking the loop ----
 *
 * Records go out every FLUSH_BYTES, or FLUSH_NS after the first unwritten one. stdout is
 * non-blocking: when the pipe is full (the parent is behind: its bookkeeping runs at a low
 * priority, see native.ts) the records wait here, in a buffer that grows, and go out when the pipe
 * has room (EPOLLOUT); the schedule never waits for the bookkeeping. The READY and END records
 * are written with a blocking write (flush_all). */

#define FLUSH_BYTES 16384
#define FLUSH_NS 10000000LL
#define TAG_STDOUT (UINT64_MAX - 2)
static unsigned char *out_buf;
static size_t out_cap, out_off, out_len; /* unwritten bytes: [out_off, out_len) */
static int64_t out_first_ns = -1;
static int out_blocked; /* the pipe was full: waiting for EPOLLOUT */
static int ep = -1;

static void out_watch(int on) {
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = TAG_STDOUT};
  if (epoll_ctl(ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, 1, &ev) < 0) exit(3);
  out_blocked = on;
}

/* Writes what the pipe takes now. */
static void out_try(void) {
  while (out_off < out_len) {
    ssize_t n = write(1, out_buf + out_off, out_len - out_off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (!out_blocked) out_watch(1);
        return;
      }
      exit(3); /* the parent is gone: nobody reads the results */
    }
    out_off += (size_t)n;
  }
  out_off = out_len = 0;
  out_first_ns = -1;
  if (out_blocked) out_watch(0);
}

/* Writes everything, waiting for the pipe. */
static void flush_all(void) {
  int flags = fcntl(1, F_GETFL);
  fcntl(1, F_SETFL, flags & ~O_NONBLOCK);
  if (out_blocked) out_watch(0);
  out_try();
  fcntl(1, F_SETFL, flags | O_NONBLOCK);
}

static void emit(uint8_t kind, uint8_t flags, uint32_t index, int64_t due, int64_t a, int64_t b) {
  struct rec r = {kind, flags, 0, index, due, a, b};
  if (out_len + sizeof r > out_cap) {
    if (out_off > 0) {
      memmove(out_buf, out_buf + out_off, out_len - out_off);
      out_len -= out_off;
      out_off = 0;
    }
    if (out_len + sizeof r > out_cap) {
      size_t cap = out_cap ? out_cap * 2 : 65536;
      unsigned char *grown = realloc(out_buf, cap);
      if (!grown) {
        fputs("isobench-loadgen: out of memory for records\n", stderr);
        exit(2);
      }
      out_buf = grown;
      out_cap = cap;
    }
  }
  memcpy(out_buf + out_len, &r, sizeof r);
  out_len += sizeof r;
  if (out_first_ns < 0) out_first_ns = now_ns();
  if (!out_blocked && out_len - out_off >= FLUSH_BYTES) out_try();
}

/* ---- the schedule (schedule.ts): uniform i*1000/rate ms, or Poisson gaps from mulberry32 ---- */

static double rate_hz;
static int poisson;
static uint32_t prng;
static double poisson_t; /* ms */

static double next_random(void) {
  prng += 0x6d2b79f5u;
  uint32_t t = prng;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* Offset of request i in ms; called once per i, in order. */
static double offset_ms(uint32_t i) {
  if (!poisson) return ((double)i * 1000.0) / rate_hz;
  double t = poisson_t;
  poisson_t += -log(1.0 - next_random()) * (1000.0 / rate_hz);
  return t;
}

/* ---- the response parser (http-response.ts) ---- */

enum { P_HEAD, P_LENGTH, P_CHUNK_SIZE, P_CHUNK_EXT, P_CHUNK_DATA, P_CHUNK_DATA_END, P_TRAILER, P_UNTIL_CLOSE };
enum { NEED_MORE = 0, DONE = 1, DONE_EXTRA = 2, PROTOCOL_ERROR = 3 };
#define MAX_HEAD 65536

struct parser {
  int state;
  int status;
  int keep_alive;
  int64_t remaining;
  int size_digits;
  int line_bytes;
  char *head; /* a head split across reads, copied */
  size_t head_len;
};

static void parser_reset(struct parser *p) {
  p->state = P_HEAD;
  p->status = 0;
  p->keep_alive = 1;
  p->remaining = 0;
  p->head_len = 0;
}

static int name_is(const char *s, const char *e, const char *name) {
  size_t n = strlen(name);
  if ((size_t)(e - s) < n) return 0;
  for (size_t i = 0; i < n; i++)
    if ((s[i] | 0x20) != name[i]) return 0;
  return 1;
}

/* The header's value, trimmed and lower-cased, into out (truncated). */
static void header_value(const char *s, const char *e, char *out, size_t cap) {
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
  size_t n = 0;
  for (; s < e && n + 1 < cap; s++) out[n++] = (char)((*s >= 'A' && *s <= 'Z') ? *s | 0x20 : *s);
  out[n] = 0;
}

/* A head [s, e) that ends with CRLF (the final CRLF excluded). */
static int parse_head(struct parser *p, const char *s, const char *e) {
  if (e - s < 14 || !name_is(s, e, "http/1.") || s[8] != ' ') return 0;
  int status = 0;
  for (int k = 9; k < 12; k++) {
    if (s[k] < '0' || s[k] > '9') return 0;
    status = status * 10 + (s[k] - '0');
  }
  if (status < 100) return 0;
  int keep_alive = s[7] == '1';
  int64_t length = -1;
  int chunked = 0;
  const char *line = memchr(s, '\n', (size_t)(e - s));
  line = line ? line + 1 : e;
  char v[128];
  while (line < e) {
    const char *lf = memchr(line, '\n', (size_t)(e - line));
    if (!lf) lf = e;
    const char *eol = (lf > line && lf[-1] == '\r') ? lf - 1 : lf;
    if (name_is(line, eol, "content-length:")) {
      header_value(line + 15, eol, v, sizeof v);
      size_t n = strlen(v);
      if (n == 0 || n > 15 || strspn(v, "0123456789") != n) return 0;
      length = strtoll(v, NULL, 10);
    } else if (name_is(line, eol, "transfer-encoding:")) {
      header_value(line + 18, eol, v, sizeof v);
      size_t n = strlen(v);
      chunked = n >= 7 && strcmp(v + n - 7, "chunked") == 0;
    } else if (name_is(line, eol, "connection:")) {
      header_value(line + 11, eol, v, sizeof v);
      if (strstr(v, "close")) keep_alive = 0;
      else if (strstr(v, "keep-alive")) keep_alive = 1;
    }
    line = lf + 1;
  }
  if (status < 200) {
    if (status == 101) return 0;
    p->state = P_HEAD;
    return 1;
  }
  p->status = status;
  p->keep_alive = keep_alive;
  if (status == 204 || status == 304) {
    p->state = P_LENGTH;
    p->remaining = 0;
  } else if (chunked) {
    p->state = P_CHUNK_SIZE;
    p->size_digits = 0;
    p->remaining = 0;
  } else if (length >= 0) {
    p->state = P_LENGTH;
    p->remaining = length;
  } else {
    p->state = P_UNTIL_CLOSE;
    p->keep_alive = 0;
  }
  return 1;
}

static int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  unsigned char l = c | 0x20;
  return (l >= 'a' && l <= 'f') ? l - 'a' + 10 : -1;
}

static int chunk_framing(struct parser *p, unsigned char c) {
  for (;;) {
    switch (p->state) {
      case P_CHUNK_SIZE: {
        int d = hex_digit(c);
        if (d >= 0 && p->size_digits < 12) {
          p->remaining = p->remaining * 16 + d;
          p->size_digits++;
          return NEED_MORE;
        }
        if (p->size_digits == 0 || d >= 0) return PROTOCOL_ERROR;
        p->state = P_CHUNK_EXT;
        continue;
      }
      case P_CHUNK_EXT:
        if (c != '\n') return NEED_MORE;
        if (p->remaining == 0) {
          p->state = P_TRAILER;
          p->line_bytes = 0;
        } else p->state = P_CHUNK_DATA;
        return NEED_MORE;
      case P_CHUNK_DATA_END:
        if (c == '\r') return NEED_MORE;
        if (c != '\n') return PROTOCOL_ERROR;
        p->state = P_CHUNK_SIZE;
        p->size_digits = 0;
        p->remaining = 0;
        return NEED_MORE;
      default: /* P_TRAILER */
        if (c == '\n') {
          if (p->line_bytes == 0) {
            p->state = P_LENGTH;
            p->remaining = 0;
            return DONE;
          }
          p->line_bytes = 0;
        } else if (c != '\r') p->line_bytes++;
        return NEED_MORE;
    }
  }
}

static const char *find_head_end(const char *s, size_t n) {
  for (size_t i = 0; i + 3 < n; i++)
    if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' && s[i + 3] == '\n') return s + i;
  return NULL;
}

static int parser_feed(struct parser *p, const char *b, size_t n) {
  const char *i = b, *end = b + n;
  while (i < end) {
    switch (p->state) {
      case P_HEAD: {
        if (p->head_len > 0) {
          /* Join the saved start of the head with these bytes. */
          size_t take = (size_t)(end - i);
          if (p->head_len + take > MAX_HEAD + 4) take = MAX_HEAD + 4 - p->head_len;
          memcpy(p->head + p->head_len, i, take);
          size_t total = p->head_len + take;
          const char *at = find_head_end(p->head, total);
          if (!at) {
            if (total > MAX_HEAD) return PROTOCOL_ERROR;
            p->head_len = total;
            return NEED_MORE;
          }
          size_t head_bytes = (size_t)(at - p->head) + 4;
          size_t used_here = head_bytes - p->head_len;
          p->head_len = 0;
          if (!parse_head(p, p->head, at + 2)) return PROTOCOL_ERROR;
          i += used_here;
          break;
        }
        const char *at = find_head_end(i, (size_t)(end - i));
        if (!at) {
          if ((size_t)(end - i) > MAX_HEAD) return PROTOCOL_ERROR;
          if (!p->head && !(p->head = malloc(MAX_HEAD + 8))) die("out of memory");
          memcpy(p->head, i, (size_t)(end - i));
          p->head_len = (size_t)(end - i);
          return NEED_MORE;
        }
        if (!parse_head(p, i, at + 2)) return PROTOCOL_ERROR;
        i = at + 4;
        break;
      }
      case P_LENGTH: {
        int64_t take = end - i < p->remaining ? end - i : p->remaining;
        p->remaining -= take;
        i += take;
        if (p->remaining == 0) return i < end ? DONE_EXTRA : DONE;
        break;
      }
      case P_UNTIL_CLOSE:
        return NEED_MORE;
      case P_CHUNK_DATA: {
        int64_t take = end - i < p->remaining ? end - i : p->remaining;
        p->remaining -= take;
        i += take;
        if (p->remaining == 0) p->state = P_CHUNK_DATA_END;
        break;
      }
      default: {
        int r = chunk_framing(p, (unsigned char)*i);
        i++;
        if (r == PROTOCOL_ERROR) return r;
        if (r == DONE) return i < end ? DONE_EXTRA : DONE;
      }
    }
  }
  if (p->state == P_LENGTH && p->remaining == 0 && p->status != 0) return DONE;
  return NEED_MORE;
}

/* ---- requests and connections (http-pool.ts) ---- */

struct req {
  uint32_t index;
  int64_t due;
};

/* A FIFO ring that grows. */
struct fifo {
  struct req *items;
  size_t cap, head, len;
};

static void fifo_push(struct fifo *q, struct req r) {
  if (q->len == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 1024;
    struct req *items = malloc(cap * sizeof *items);
    if (!items) die("out of memory");
    for (size_t k = 0; k < q->len; k++) items[k] = q->items[(q->head + k) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
  }
  q->items[(q->head + q->len) % q->cap] = r;
  q->len++;
}

static struct req fifo_shift(struct fifo *q) {
  struct req r = q->items[q->head];
  q->head = (q->head + 1) % q->cap;
  q->len--;
  return r;
}

struct conn {
  int fd;
  int connected;
  int busy;
  int in_pool; /* open (connecting or connected) and taking requests */
  int idle_listed;
  struct req req;
  int64_t written;
  int64_t progress; /* last write/read/connect start: the timeout counts from here */
  size_t wrote;     /* bytes of the request written so far */
  uint32_t served;
  uint32_t gen; /* bumped per socket in this slot: events of an earlier socket are ignored */
  struct parser parser;
};

static struct sockaddr_storage addr;
static socklen_t addr_len;
static char *request;
static size_t request_len;
static int max_conns;
static int64_t timeout_ns;
static struct conn *conns;
static int open_conns; /* in_pool */
static int *idle;      /* FIFO of conn slots */
static int idle_head, idle_len;
static struct fifo queue;
static int destroyed;
static uint32_t outstanding;

static int64_t window_start = INT64_MAX;

static uint32_t measured_outstanding;

static void send_done(struct req r, int outcome, int64_t written, int64_t done) {
  outstanding--;
  if (r.due >= window_start) measured_outstanding--;
  emit(REC_DONE, (uint8_t)(outcome | (r.due >= window_start ? 0x80 : 0)), r.index, r.due, written, done);
}

static uint64_t tag_of(struct conn *c) { return (uint64_t)(c - conns) | ((uint64_t)c->gen << 32); }

static void ep_mod(struct conn *c, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.u64 = tag_of(c)};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
}

static void idle_push(int slot) {
  idle[(idle_head + idle_len) % max_conns] = slot;
  idle_len++;
  conns[slot].idle_listed = 1;
}

/* Takes a retired socket's slot out of the idle FIFO, so the slot can be used again. */
static void idle_remove(int slot) {
  int kept = 0;
  for (int k = 0; k < idle_len; k++) {
    int s = idle[(idle_head + k) % max_conns];
    if (s != slot) idle[(idle_head + kept++) % max_conns] = s;
  }
  idle_len = kept;
  conns[slot].idle_listed = 0;
}

static int open_conn(void);

/* Writes what is left of the request; waits for EPOLLOUT when the socket is full. */
static void write_request(struct conn *c) {
  while (c->wrote < request_len) {
    ssize_t n = send(c->fd, request + c->wrote, request_len - c->wrote, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        ep_mod(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
        return;
      }
      return; /* the error shows on the next read (EPOLLERR/HUP): retired there */
    }
    c->wrote += (size_t)n;
  }
}

static void dispatch(struct conn *c, struct req r, int64_t now) {
  c->busy = 1;
  c->req = r;
  parser_reset(&c->parser);
  c->written = now;
  c->progress = now;
  c->wrote = 0;
  write_request(c);
}

static void retire(struct conn *c, int outcome, int64_t now) {
  if (!c->in_pool) return;
  c->in_pool = 0;
  open_conns--;
  if (c->idle_listed) idle_remove((int)(c - conns));
  close(c->fd);
  c->fd = -1;
  if (c->busy) {
    c->busy = 0;
    send_done(c->req, outcome, c->written, now);
  }
  if (destroyed) return;
  if (!c->connected) {
    /* The server cannot be reached: with no other socket left, the queue would wait forever. */
    if (open_conns == 0)
      while (queue.len) send_done(fifo_shift(&queue), outcome, INT64_MIN, now);
    return;
  }
  if (c->served > 0 || queue.len > 0) open_conn();
}

/* `c` is free: the oldest queued request, or the idle FIFO. */
static void release(struct conn *c, int64_t now) {
  if (queue.len) dispatch(c, fifo_shift(&queue), now);
  else idle_push((int)(c - conns));
}

static int open_conn(void) {
  int slot = -1;
  for (int k = 0; k < max_conns; k++)
    if (!conns[k].in_pool) {
      slot = k;
      break;
    }
  if (slot < 0) return -1;
  struct conn *c = &conns[slot];
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  int idle_s = 60;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
  char *head = c->parser.head;
  uint32_t gen = c->gen + 1;
  memset(c, 0, sizeof *c);
  c->parser.head = head;
  c->gen = gen;
  c->fd = fd;
  c->in_pool = 1;
  c->progress = now_ns();
  open_conns++;
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLRDHUP, .data.u64 = tag_of(c)};
  if (connect(fd, (struct sockaddr *)&addr, addr_len) == 0) {
    c->connected = 1;
    ev.events = EPOLLIN | EPOLLRDHUP;
  } else if (errno != EINPROGRESS) {
    /* Refused at once (loopback): registered anyway, the error shows as EPOLLERR. */
  }
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
  if (c->connected) release(c, now_ns());
  return slot;
}

static char read_buf[65536];

static void on_event(uint64_t tag, uint32_t events, int64_t now) {
  struct conn *c = &conns[tag & 0xffffffffu];
  if (!c->in_pool || c->gen != (uint32_t)(tag >> 32)) return;
  if (!c->connected) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err || (events & (EPOLLERR | EPOLLHUP))) {
      retire(c, OUT_ERROR, now);
      return;
    }
    if (!(events & EPOLLOUT)) return;
    c->connected = 1;
    c->progress = now;
    ep_mod(c, EPOLLIN | EPOLLRDHUP);
    release(c, now);
    return;
  }
  if ((events & EPOLLOUT) && c->busy && c->wrote < request_len) {
    c->progress = now;
    write_request(c);
    if (c->wrote == request_len) ep_mod(c, EPOLLIN | EPOLLRDHUP);
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    ssize_t n = read(c->fd, read_buf, sizeof read_buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      /* The server closed (or reset): a body delimited by the close is complete. */
      if (c->busy && c->parser.state == P_UNTIL_CLOSE) {
        c->busy = 0;
        c->served++;
        int st = c->parser.status;
        send_done(c->req, st >= 200 && st < 400 ? OUT_COMPLETED : OUT_ERROR, c->written, now);
      }
      retire(c, OUT_ERROR, now);
      return;
    }
    /* Bytes with no request in flight answer nothing we asked: the socket is dropped. */
    if (!c->busy) {
      retire(c, OUT_ERROR, now);
      return;
    }
    c->progress = now;
    int r = parser_feed(&c->parser, read_buf, (size_t)n);
    if (r == NEED_MORE) return;
    if (r == PROTOCOL_ERROR) {
      retire(c, OUT_ERROR, now);
      return;
    }
    int st = c->parser.status;
    c->busy = 0;
    c->served++;
    send_done(c->req, st >= 200 && st < 400 ? OUT_COMPLETED : OUT_ERROR, c->written, now);
    if (r == DONE_EXTRA || !c->parser.keep_alive) retire(c, OUT_ERROR, now);
    else release(c, now);
  }
}

/* A due request: the oldest idle socket, or the queue (and a socket opened if one is missing). */
static void submit(struct req r, int64_t now) {
  outstanding++;
  if (r.due >= window_start) measured_outstanding++;
  if (destroyed) {
    send_done(r, OUT_ABANDONED, INT64_MIN, now);
    return;
  }
  while (idle_len) {
    int slot = idle[idle_head];
    idle_head = (idle_head + 1) % max_conns;
    idle_len--;
    conns[slot].idle_listed = 0;
    dispatch(&conns[slot], r, now);
    return;
  }
  fifo_push(&queue, r);
  if (open_conns < max_conns) open_conn();
}

/* Timeouts: busy sockets without progress, and connection attempts. */
static void check_timeouts(int64_t now) {
  for (int k = 0; k < max_conns; k++) {
    struct conn *c = &conns[k];
    if (c->in_pool && (c->busy || !c->connected) && now - c->progress >= timeout_ns) retire(c, OUT_TIMEOUT, now);
  }
}

static void destroy_all(int64_t now) {
  destroyed = 1;
  for (int k = 0; k < max_conns; k++)
    if (conns[k].in_pool) retire(&conns[k], OUT_ABANDONED, now);
  while (queue.len) send_done(fifo_shift(&queue), OUT_ABANDONED, INT64_MIN, now);
}

/* ---- timer wake-up lateness (the native engine's "event-loop delay"), 10 us buckets ---- */

#define LATE_BUCKETS 100001
static uint32_t late_hist[LATE_BUCKETS];
static uint64_t late_count;

static void record_wake(int64_t late_ns) {
  if (late_ns < 0) late_ns = 0;
  int64_t b = late_ns / 10000;
  if (b >= LATE_BUCKETS) b = LATE_BUCKETS - 1;
  late_hist[b]++;
  late_count++;
}

static int64_t wake_p99_ns(void) {
  if (!late_count) return 0;
  uint64_t want = (late_count * 99 + 99) / 100, seen = 0;
  for (int b = 0; b < LATE_BUCKETS; b++) {
    seen += late_hist[b];
    if (seen >= want) return (int64_t)(b + 1) * 10000;
  }
  return (int64_t)LATE_BUCKETS * 10000;
}

/* ---- control lines on stdin ---- */

static char ctl_buf[256];
static size_t ctl_len;
static int64_t start_at = -1, stop_at = INT64_MAX;
static int stdin_eof;

static void read_control(void) {
  ssize_t n = read(0, ctl_buf + ctl_len, sizeof ctl_buf - 1 - ctl_len);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    stdin_eof = 1;
    return;
  }
  ctl_len += (size_t)n;
  ctl_buf[ctl_len] = 0;
  char *nl;
  while ((nl = memchr(ctl_buf, '\n', ctl_len))) {
    *nl = 0;
    long long v;
    if (sscanf(ctl_buf, "start %lld", &v) == 1) start_at = v;
    else if (sscanf(ctl_buf, "stop %lld", &v) == 1) {
      if (v < stop_at) stop_at = v;
    } else die("unknown control line: %s", ctl_buf);
    size_t used = (size_t)(nl - ctl_buf) + 1;
    memmove(ctl_buf, ctl_buf + used, ctl_len - used);
    ctl_len -= used;
  }
  if (ctl_len >= sizeof ctl_buf - 1) die("control line too long");
}

#define TAG_TIMER UINT64_MAX
#define TAG_STDIN (UINT64_MAX - 1)

static int tfd;
static int64_t armed = -1;

/*
 * At low rates the timer is armed this long before a send's due time and the rest is spun on the
 * clock. A wake-up from an idle CPU is sometimes a millisecond or more late (here a virtual CPU
 * that its host has to run again): at 10-150/s that made 0.4-1.0% of sends late (bench:load),
 * against the 1% target. The lead is 2% of the mean gap, at most 2 ms, so spinning costs at most
 * 2% of a core; at 400/s and above it would be under 50 us and is not used (a busy generator's CPU
 * is rarely idle long enough to sleep deeply, and its sends were on time there).
 */
#define SPIN_MAX_NS 2000000LL
#define SPIN_MIN_NS 50000LL
static int64_t spin_lead_ns;

static void arm(int64_t at) {
  if (at == armed) return;
  struct itimerspec its = {0};
  if (at > 0) {
    its.it_value.tv_sec = at / 1000000000;
    its.it_value.tv_nsec = at % 1000000000;
  }
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) die("timerfd_settime: %s", strerror(errno));
  armed = at;
}

/*
 * A short scheduler slice (EEVDF, Linux 6.12+: sched_setattr's sched_runtime for SCHED_OTHER): a
 * task that asks for one gets an early virtual deadline and may preempt a task that woke just
 * before it, instead of waiting out that task's slice (1.4 ms on this 2-CPU host, /proc/PID/sched
 * se.slice). The generator sleeps until each due instant; next to a duty-cycle CPU antagonist
 * (busy 5 ms of every 10 ms, waking with lag to spend) its sends were late without it. Older
 * kernels ignore the field; nothing else changes: the generator's CPU is bounded by its schedule.
 */
struct isb_sched_attr {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

static void request_short_slice(void) {
  const char *off = getenv("ISOBENCH_LOADGEN_DEFAULT_SLICE");
  if (off && strcmp(off, "1") == 0) return;
  struct isb_sched_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.sched_policy = 0; /* SCHED_OTHER */
  a.sched_nice = getpriority(PRIO_PROCESS, 0);
  a.sched_runtime = 100000; /* ns: the shortest slice the kernel accepts */
  if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) { /* refused: the default slice, as before */ }
}

/* How the sending loop waits at RATE_HZ: the spin lead, the timer slack, the scheduler slice. */
static void prepare_waits(double hz) {
  spin_lead_ns = (int64_t)(0.02 * 1e9 / hz);
  if (spin_lead_ns > SPIN_MAX_NS) spin_lead_ns = SPIN_MAX_NS;
  if (spin_lead_ns < SPIN_MIN_NS) spin_lead_ns = 0;
  /* Sleeps end at their instant, not up to 50 us later (the default slack). */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  request_short_slice();
}

/* ---- the schedule, shared by the sending loop and the standby thread (under loop_lock) ---- */

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_index;    /* the next request to send */
static int64_t next_due;       /* its due time (stored atomically: the standby peeks at it) */
static int sending;            /* the schedule is under way (likewise) */
static int64_t planned_end = INT64_MAX;

static int64_t send_end_at(void) { return planned_end < stop_at ? planned_end : stop_at; }

/* Whether the standby thread runs; without it the loop is alone and takes no lock. */
static int standby_on;
static void loop_hold(void) {
  if (standby_on) pthread_mutex_lock(&loop_lock);
}
static void loop_release(void) {
  if (standby_on) pthread_mutex_unlock(&loop_lock);
}

static void sleep_until(int64_t at) {
  struct timespec ts = {.tv_sec = at / 1000000000, .tv_nsec = at % 1000000000};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

/* Sends every request due by `now` (before the window's end); `by` is 2 from the standby thread. */
static int64_t send_due(int64_t now, uint8_t by) {
  int64_t end = send_end_at();
  while (next_due <= now && next_due < end) {
    uint8_t measured = next_due >= window_start;
    emit(REC_SENT, (uint8_t)(measured | by), next_index, next_due, now, 0);
    submit((struct req){next_index, next_due}, now);
    next_index++;
    __atomic_store_n(&next_due, start_at + (int64_t)llround(offset_ms(next_index) * 1e6), __ATOMIC_RELAXED);
    now = now_ns();
    end = send_end_at();
  }
  return now;
}

/*
 * The standby: a second thread, on another CPU, that sends what the sending loop has not sent
 * STANDBY_GRACE_NS after its due time, and takes what the sockets have ready while it holds the
 * loop. Why: here the hypervisor takes one virtual CPU at a time, for milliseconds (steal). A
 * process sleeping until an instant is woken by its CPU's timer, and when that CPU is not running
 * the wake-up waits with it. Two waiters on two CPUs for the same instants, 10-15 s at 1000/s
 * (/tmp/s10/twin): each alone 0.67-1.92% more than 1 ms late, the earlier of the two 0.13-0.26%,
 * with steal at 37-82 ms/s.
 * Its cost is a wake-up per due instant, about 30 us of CPU here (0.03 cores at 1000/s), so "auto"
 * uses it only where it helps: the generator may run on 2 or more CPUs, the host has had steal
 * time (a virtual machine whose host runs other work), and the rate is at most
 * STANDBY_AUTO_MAX_HZ (above it the loop is busy, not asleep, and the wake-ups would take CPU from
 * the server). "on" uses it whenever there are 2 CPUs, "off" never.
 * The sending loop holds loop_lock (when the standby runs) except while it waits in epoll_wait
 * and spins to a due time;
 * the standby takes it only to act (it peeks at the next due time without it), so everything the
 * loop owns is touched by one thread at a time.
 * Events that one thread took from the shared epoll and the other already handled are harmless:
 * on_event reads a socket with nothing to read as EAGAIN, and a slot's generation drops a stale one.
 */
#define STANDBY_GRACE_NS 400000LL
/* The fewest nanoseconds between two of its wake-ups, whatever the rate. */
#define STANDBY_MIN_GAP_NS 300000LL
#define STANDBY_AUTO_MAX_HZ 2500.0
static int standby_stop;
/*
 * ISOBENCH_LOADGEN_STALL=INDEX:MS, for tests: once request INDEX is sent, the sending loop stops
 * for MS ms without the lock, as a thread whose virtual CPU the host has stopped running would.
 */
static uint32_t stall_after;
static long stall_ms;
static int loop_cpu = -1; /* where the sending loop last went to sleep (stored atomically) */
static cpu_set_t standby_cpus;
static int standby_ncpus;

static int host_has_steal(void) {
  FILE *f = fopen("/proc/stat", "re");
  if (!f) return 0;
  unsigned long long v[8] = {0};
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                 &v[6], &v[7]);
  fclose(f);
  return n == 8 && v[7] > 0;
}

/* Whether the standby runs: mode auto, on or off (see above). */
static int standby_wanted(const char *mode) {
  if (strcmp(mode, "off") == 0) return 0;
  if (strcmp(mode, "on") != 0 && strcmp(mode, "auto") != 0) die("bad standby: %s (auto, on or off)", mode);
  if (sched_getaffinity(0, sizeof standby_cpus, &standby_cpus) < 0) return 0;
  standby_ncpus = CPU_COUNT(&standby_cpus);
  if (standby_ncpus < 2) return 0;
  if (strcmp(mode, "on") == 0) return 1;
  return rate_hz <= STANDBY_AUTO_MAX_HZ && host_has_steal();
}

/* Moves this thread to an allowed CPU other than `avoid`. */
static int pin_away(int avoid) {
  for (int c = 0; c < CPU_SETSIZE; c++) {
    if (c == avoid || !CPU_ISSET(c, &standby_cpus)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(c, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) return c;
  }
  return -1;
}

/* The standby's share of the loop's events: sockets and stdout; the timer and stdin stay the loop's. */
static void on_events(struct epoll_event *evs, int n, int64_t now) {
  for (int k = 0; k < n; k++) {
    uint64_t tag = evs[k].data.u64;
    if (tag == TAG_STDOUT) out_try();
    else if (tag != TAG_TIMER && tag != TAG_STDIN) on_event(tag, evs[k].events, now);
  }
}

static void *standby_main(void *arg) {
  (void)arg;
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  request_short_slice();
  int cpu = -1;
  struct epoll_event evs[64];
  for (;;) {
    /* A peek without the lock: taking it on every wake-up would make the loop wake this thread
       whenever it lets go of the lock (a futex wake), and the loop is usually on time. */
    int64_t now = now_ns();
    if (!__atomic_load_n(&sending, __ATOMIC_RELAXED)) break;
    if (__atomic_load_n(&next_due, __ATOMIC_RELAXED) + STANDBY_GRACE_NS <= now) {
      pthread_mutex_lock(&loop_lock);
      if (standby_stop || !sending) {
        pthread_mutex_unlock(&loop_lock);
        break;
      }
      now = now_ns();
      if (next_due + STANDBY_GRACE_NS <= now && next_due < send_end_at()) {
        /* The loop is behind (its CPU is not running): send for it, then take what is ready. */
        now = send_due(now, 2);
        int n = epoll_wait(ep, evs, 64, 0);
        if (n > 0) on_events(evs, n, now_ns());
      }
      pthread_mutex_unlock(&loop_lock);
    }
    int64_t wake = __atomic_load_n(&next_due, __ATOMIC_RELAXED) + STANDBY_GRACE_NS;
    if (wake < now + STANDBY_MIN_GAP_NS) wake = now + STANDBY_MIN_GAP_NS;
    int avoid = __atomic_load_n(&loop_cpu, __ATOMIC_RELAXED);
    if (cpu < 0 || cpu == avoid) cpu = pin_away(avoid);
    sleep_until(wake);
  }
  return NULL;
}

/*
 * --timer-floor: a uniform schedule at RATE_HZ for DURATION_MS, waited for exactly as the sending
 * loop waits (the absolute timerfd armed a spin lead early, epoll, the spin), with nothing sent.
 * How late each due instant was reached is what the host allows any sleeping process: a virtual
 * CPU that its host runs late (steal) or a deep idle state makes these wake-ups late as well as
 * the generator's. bench:load runs it beside each step. One JSON line on stdout: due instants,
 * how many were reached more than 1 ms late, the largest lateness, and this process's CPU.
 */
static int timer_floor(double hz, double duration_ms) {
  if (!(hz > 0) || !(duration_ms > 0)) die("--timer-floor: bad rate or duration");
  /* Nothing reads a floor whose parent is gone (a bench killed mid-step): end with it. */
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return 1;
  prepare_waits(hz);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep < 0 || tfd < 0) die("epoll/timerfd: %s", strerror(errno));
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_TIMER}, evs[1];
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  const int64_t n = (int64_t)llround(hz * duration_ms / 1000.0);
  const int64_t start = now_ns() + (int64_t)llround(1e9 / hz);
  int64_t late = 0, max_late = 0;
  for (int64_t i = 0; i < n; i++) {
    const int64_t due = start + (int64_t)llround((double)i * 1e9 / hz);
    int64_t now = now_ns();
    if (due - now > spin_lead_ns) {
      arm(due - spin_lead_ns);
      while (epoll_wait(ep, evs, 1, -1) < 1) {
      }
      uint64_t expirations;
      if (read(tfd, &expirations, sizeof expirations) < 0) { /* spurious: the clock decides below */ }
      armed = -1;
      now = now_ns();
    }
    while (spin_lead_ns && now < due) now = now_ns();
    if (now - due > 1000000) late++;
    if (now - due > max_late) max_late = now - due;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec +
                  (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
  printf("{\"due\":%lld,\"late\":%lld,\"maxLateMs\":%.3f,\"cpuUs\":%.0f}\n", (long long)n, (long long)late,
         (double)max_late / 1e6, cpu_us);
  return 0;
}

static long long arg_ll(const char *s, const char *what) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || end == s) die("bad %s: %s", what, s);
  return v;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--timer-floor") == 0) return timer_floor(strtod(argv[2], NULL), strtod(argv[3], NULL));
  if (argc != 13 && argc != 14)
    die("usage: isobench-loadgen HOST PORT PATH HOSTHEADER CONNECTIONS TIMEOUT_MS RATE_HZ WARMUP_MS "
        "DURATION_MS uniform|poisson SEED DRAIN_MS [auto|on|off]");
  const char *host = argv[1], *port = argv[2], *path = argv[3], *host_header = argv[4];
  max_conns = (int)arg_ll(argv[5], "connections");
  timeout_ns = arg_ll(argv[6], "timeout") * 1000000LL;
  rate_hz = strtod(argv[7], NULL);
  double warmup_ms = strtod(argv[8], NULL), duration_ms = strtod(argv[9], NULL);
  poisson = strcmp(argv[10], "poisson") == 0;
  long long seed = arg_ll(argv[11], "seed");
  prng = seed < 0 ? (uint32_t)(now_ns() ^ getpid()) : (uint32_t)seed;
  int64_t drain_ns = arg_ll(argv[12], "drain") * 1000000LL;
  if (max_conns < 1 || max_conns > 65536 || !(rate_hz > 0) || timeout_ns <= 0) die("bad arguments");
  standby_on = standby_wanted(argc == 14 ? argv[13] : "auto");
  const char *stall = getenv("ISOBENCH_LOADGEN_STALL");
  if (stall && sscanf(stall, "%u:%ld", &stall_after, &stall_ms) != 2) die("bad ISOBENCH_LOADGEN_STALL: %s", stall);

  /* The parent stops the window (a line on stdin); a signal to the process group is its business. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  prepare_waits(rate_hz);
  /* The parent reads records in batches: room for a stall of the parent (see the output above). */
  fcntl(1, F_SETPIPE_SZ, 1 << 20);
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);

  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
  int gai = getaddrinfo(host, port, &hints, &ai);
  if (gai) die("cannot resolve %s: %s", host, gai_strerror(gai));
  memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
  addr_len = ai->ai_addrlen;
  freeaddrinfo(ai);
  size_t cap = strlen(path) + strlen(host_header) + 64;
  request = malloc(cap);
  if (!request) die("out of memory");
  request_len = (size_t)snprintf(request, cap, "GET %s HTTP/1.1\r\nhost: %s\r\n\r\n", path, host_header);

  conns = calloc((size_t)max_conns, sizeof *conns);
  idle = calloc((size_t)max_conns, sizeof *idle);
  if (!conns || !idle) die("out of memory");
  ep = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep < 0 || tfd < 0) die("epoll/timerfd: %s", strerror(errno));
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_TIMER};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  ev.data.u64 = TAG_STDIN;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) die("stdin must be a pipe: %s", strerror(errno));

  /* Preconnect: every socket connected or failed (failures are left to requests), or the timeout. */
  for (int k = 0; k < max_conns; k++) open_conn();
  int64_t connect_deadline = now_ns() + timeout_ns;
  struct epoll_event evs[64];
  for (;;) {
    int pending = 0;
    for (int k = 0; k < max_conns; k++)
      if (conns[k].in_pool && !conns[k].connected) pending++;
    if (!pending) break;
    int64_t now = now_ns();
    if (now >= connect_deadline) {
      check_timeouts(now);
      break;
    }
    int n = epoll_wait(ep, evs, 64, (int)((connect_deadline - now) / 1000000 + 1));
    now = now_ns();
    for (int k = 0; k < n; k++) {
      uint64_t tag = evs[k].data.u64;
      if (tag == TAG_STDIN) read_control();
      else if (tag != TAG_TIMER) on_event(tag, evs[k].events, now);
    }
  }
  int connected = 0;
  for (int k = 0; k < max_conns; k++)
    if (conns[k].in_pool && conns[k].connected) connected++;
  if (standby_on) emit(REC_STANDBY, 0, (uint32_t)standby_ncpus, 0, 0, 0);
  emit(REC_READY, 0, (uint32_t)connected, 0, 0, 0);
  flush_all();

  /* Wait for the start instant (a stop line alone is kept for when it comes). */
  while (start_at < 0) {
    if (stdin_eof) return 0;
    int n = epoll_wait(ep, evs, 64, -1);
    int64_t now = now_ns();
    for (int k = 0; k < n; k++) {
      uint64_t tag = evs[k].data.u64;
      if (tag == TAG_STDIN) read_control();
      else if (tag != TAG_TIMER) on_event(tag, evs[k].events, now);
    }
  }

  loop_hold();
  window_start = start_at + (int64_t)llround(warmup_ms * 1e6);
  planned_end = window_start + (int64_t)llround(duration_ms * 1e6);
  next_index = 0;
  __atomic_store_n(&next_due, start_at + (int64_t)llround(offset_ms(0) * 1e6), __ATOMIC_RELAXED);
  __atomic_store_n(&sending, 1, __ATOMIC_RELAXED);
  pthread_t standby_thread;
  int err = standby_on ? pthread_create(&standby_thread, NULL, standby_main, NULL) : 0;
  if (err) die("cannot start the standby thread: %s", strerror(err));
  int64_t send_end = 0, drain_deadline = 0;
  int64_t next_timeout_check = now_ns() + 10000000LL;
  for (;;) {
    int64_t now = now_ns();
    if (sending) {
      int64_t end = send_end_at();
      /* Within the lead of the next send: spin to its due time (see spin_lead_ns), without the
         lock, so that the standby may act if this CPU stops running meanwhile. */
      if (spin_lead_ns && next_due > now && next_due < end && next_due - now <= spin_lead_ns) {
        const int64_t target = next_due;
        loop_release();
        while ((now = now_ns()) < target) {
        }
        loop_hold();
        now = now_ns();
      }
      now = send_due(now, 0);
      if (stall_ms > 0 && next_index > stall_after) {
        /* The test hook: this thread stops as if its CPU had (see stall_ms). */
        const int64_t until = now + stall_ms * 1000000LL;
        stall_ms = 0;
        loop_release();
        sleep_until(until);
        loop_hold();
        now = now_ns();
      }
      end = send_end_at();
      if (next_due >= end) {
        __atomic_store_n(&sending, 0, __ATOMIC_RELAXED);
        send_end = end;
        drain_deadline = now + drain_ns;
        emit(REC_SENDS_ENDED, 0, measured_outstanding, 0, 0, 0);
      }
    }
    if (!sending && (outstanding == 0 || now >= drain_deadline)) break;
    if (now >= next_timeout_check) {
      check_timeouts(now);
      next_timeout_check = now + 10000000LL;
    }
    if (!out_blocked && out_first_ns >= 0 && now - out_first_ns >= FLUSH_NS) out_try();

    int64_t wake = next_timeout_check;
    if (sending) {
      int64_t end = send_end_at();
      int64_t next = next_due < end ? next_due - spin_lead_ns : end;
      if (next < wake) wake = next;
    } else if (drain_deadline < wake) wake = drain_deadline;
    if (!out_blocked && out_first_ns >= 0 && out_first_ns + FLUSH_NS < wake) wake = out_first_ns + FLUSH_NS;
    arm(wake);
    if (standby_on) __atomic_store_n(&loop_cpu, sched_getcpu(), __ATOMIC_RELAXED);
    loop_release();
    int n = epoll_wait(ep, evs, 64, -1);
    /* The wake-up's lateness is the kernel's, not a wait for the standby to let go of the lock. */
    const int64_t woke = now_ns();
    loop_hold();
    now = now_ns();
    for (int k = 0; k < n; k++) {
      uint64_t tag = evs[k].data.u64;
      if (tag == TAG_TIMER) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) > 0) record_wake(woke - armed);
        armed = -1;
      } else if (tag == TAG_STDOUT) {
        out_try();
      } else if (tag == TAG_STDIN) {
        read_control();
        if (stdin_eof) {
          /* The parent is gone or gave up: stop the window now. */
          epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
          if (now < stop_at) stop_at = now;
        }
      } else on_event(tag, evs[k].events, now);
    }
  }
  /* The standby ends when it next holds the lock; this thread keeps it until the process exits. */
  standby_stop = 1;
  int64_t now = now_ns();
  destroy_all(now);
  int64_t window_end = send_end > window_start ? send_end : window_start;
  emit(REC_END, stop_at < planned_end ? 1 : 0, next_index, window_end, send_end, wake_p99_ns());
  flush_all();
  return 0;
}
