/*
 * hvf-qga: a small QEMU guest agent (QGA) responder for the hvfabric default image.
 *
 *   hvf-qga [-w WAIT_SECONDS] [-n PORT_NAME]
 *
 * Serves the virtio-serial port named org.qemu.guest_agent.0 (found through
 * /sys/class/virtio-ports/<port>/name; /dev/<port> is created from the port's
 * `dev` file when devtmpfs has not). It waits WAIT_SECONDS (default 5; six
 * times as long if a virtio-serial device exists but has not announced the port
 * yet) and exits 0, silently, if no such port appears; once it has the port it
 * keeps running across host disconnects and reconnects, and across hot-unplug
 * and re-plug of the port.
 *
 * Protocol (subset of QEMU's qga/qapi-schema.json): one JSON object per
 * request, one line per reply. Commands: guest-sync-delimited, guest-sync,
 * guest-ping, guest-info, guest-network-get-interfaces, guest-exec,
 * guest-exec-status. A top-level "id" member is echoed back. A 0xFF byte from
 * the host discards any partial request (parser reset), as with qemu-ga.
 *
 * Bounds: requests up to MAX_REQUEST bytes (longer ones are skipped and answered
 * with an error), MAX_EXECS processes at once (running or exited but not yet
 * collected), MAX_CAPTURE bytes kept per captured stream (the rest is drained
 * and dropped; *-truncated says so). One poll() loop serves the port and every
 * child's pipes, so a long guest-exec never holds up other requests.
 *
 * Built with `gcc -static -O2 -Wall` by images/build-image; no libraries.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VERSION "hvf-qga 1"
#define DEFAULT_PORT_NAME "org.qemu.guest_agent.0"
/* The host's stdin bound is 64 KiB of data, i.e. ~87 KiB of base64 plus JSON. */
#define MAX_REQUEST (128 * 1024)
#define MAX_EXECS 16
#define MAX_CAPTURE (1024 * 1024)
#define MAX_DEPTH 32
#define OUT_BACKLOG (256 * 1024) /* stop taking requests while this much output is queued */
#define STALE_EXEC_S 600         /* exited, uncollected entries may be reclaimed after this */
#define RECHECK_MS 200           /* host disconnected: look for a reconnect this often (and on SIGIO) */
#define NOPORT_RETRY_MS 1000

/* ------------------------------------------------------------------ util */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Reads a small sysfs file into out (NUL-terminated, trailing whitespace cut); -1 if unreadable. */
static int read_small(const char *path, char *out, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, out, cap - 1);
    close(fd);
    if (n < 0) return -1;
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\t')) n--;
    out[n] = '\0';
    return 0;
}

/* ------------------------------------------------------------- buffers */

struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static int buf_reserve(struct buf *b, size_t extra) {
    if (b->oom) return -1;
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void buf_add(struct buf *b, const void *d, size_t n) {
    if (buf_reserve(b, n) == 0) {
        memcpy(b->p + b->len, d, n);
        b->len += n;
    }
}

static void buf_puts(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_printf(struct buf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void buf_free(struct buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* Drops the first n bytes. */
static void buf_consume(struct buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        if (b->cap > 1024 * 1024) buf_free(b); /* give a big reply's memory back */
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, min = 0x10000;
    else return 0;
    if (len > n) return 0;
    unsigned cp = c & (0xff >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* Appends s as a JSON string literal; invalid UTF-8 becomes U+FFFD. */
static void buf_json_str(struct buf *b, const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_add(b, e, 2);
            i++;
        } else if (c == '\n') {
            buf_add(b, "\\n", 2), i++;
        } else if (c == '\t') {
            buf_add(b, "\\t", 2), i++;
        } else if (c == '\r') {
            buf_add(b, "\\r", 2), i++;
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t l = utf8_len(s + i, n - i);
            if (l == 0) {
                buf_add(b, "\\ufffd", 6);
                i++;
            } else {
                buf_add(b, s + i, l);
                i += l;
            }
        }
    }
    buf_add(b, "\"", 1);
}

static void buf_json_cstr(struct buf *b, const char *s) { buf_json_str(b, s, strlen(s)); }

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void buf_b64(struct buf *b, const unsigned char *d, size_t n) {
    if (buf_reserve(b, (n + 2) / 3 * 4 + 2) != 0) return;
    char *o = b->p + b->len;
    *o++ = '"';
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = B64[(v >> 6) & 63];
        *o++ = B64[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0);
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
}

/* Decodes base64 (whitespace ignored, padding optional); returns length or -1. out needs n*3/4+3. */
static long b64_decode(const char *s, size_t n, unsigned char *out) {
    unsigned v = 0;
    int bits = 0, pad = 0;
    long len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int x;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad) return -1; /* data after padding */
        if (c >= 'A' && c <= 'Z') x = c - 'A';
        else if (c >= 'a' && c <= 'z') x = c - 'a' + 26;
        else if (c >= '0' && c <= '9') x = c - '0' + 52;
        else if (c == '+') x = 62;
        else if (c == '/') x = 63;
        else return -1;
        v = (v << 6) | (unsigned)x;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (unsigned char)(v >> bits);
        }
    }
    if (bits >= 6 || pad > 2) return -1; /* a lone sextet is not a byte */
    return len;
}

/* ---------------------------------------------------------------- JSON */

/* A validated JSON value: [s, e). */
struct span {
    const char *s, *e;
};

static const char *ws(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static const char *skip_str(const char *p, const char *e) {
    p++; /* opening quote */
    while (p < e) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') return p;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            if (p >= e) return NULL;
            c = (unsigned char)*p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, p++)
                    if (p >= e || hexval(*p) < 0) return NULL;
            } else if (c == 0 || !strchr("\"\\/bfnrt", c)) {
                return NULL;
            }
        }
    }
    return NULL;
}

static const char *skip_digits(const char *p, const char *e) {
    const char *s = p;
    while (p < e && *p >= '0' && *p <= '9') p++;
    return p == s ? NULL : p;
}

static const char *skip_num(const char *p, const char *e) {
    if (p < e && *p == '-') p++;
    if (p < e && *p == '0') p++;
    else if ((p = skip_digits(p, e)) == NULL) return NULL;
    if (p < e && *p == '.' && (p = skip_digits(p + 1, e)) == NULL) return NULL;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if ((p = skip_digits(p, e)) == NULL) return NULL;
    }
    return p;
}

static const char *skip_lit(const char *p, const char *e, const char *lit) {
    size_t n = strlen(lit);
    return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0 ? p + n : NULL;
}

/* p at a value's first byte; returns the byte after it, NULL if malformed. */
static const char *skip_val(const char *p, const char *e, int depth) {
    if (p >= e || depth > MAX_DEPTH) return NULL;
    switch (*p) {
    case '{':
    case '[': {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1, e);
        if (p < e && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (p >= e || *p != '"' || (p = skip_str(p, e)) == NULL) return NULL;
                p = ws(p, e);
                if (p >= e || *p != ':') return NULL;
                p = ws(p + 1, e);
            }
            if ((p = skip_val(p, e, depth + 1)) == NULL) return NULL;
            p = ws(p, e);
            if (p >= e) return NULL;
            if (*p == close) return p + 1;
            if (*p != ',') return NULL;
            p = ws(p + 1, e);
        }
    }
    case '"':
        return skip_str(p, e);
    case 't':
        return skip_lit(p, e, "true");
    case 'f':
        return skip_lit(p, e, "false");
    case 'n':
        return skip_lit(p, e, "null");
    default:
        return (*p == '-' || (*p >= '0' && *p <= '9')) ? skip_num(p, e) : NULL;
    }
}

static void put_utf8(char **o, unsigned cp) {
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xc0 | cp >> 6);
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xe0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *u++ = (unsigned char)(0xf0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *o = (char *)u;
}

static unsigned hex4(const char *p) {
    return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/*
 * Decodes a validated string span into out (room for its raw length + 1: decoding
 * never grows it), NUL-terminated; returns the decoded length (may hold NULs).
 */
static size_t str_decode(struct span v, char *out) {
    const char *p = v.s + 1, *e = v.e - 1;
    char *o = out;
    while (p < e) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp = hex4(p);
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = hex4(p + 2);
                if (lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; /* lone surrogate */
            put_utf8(&o, cp);
            break;
        }
        default: *o++ = c; break; /* " \ / */
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* Decodes a string span into a new C string; NULL if it holds a NUL byte (or no memory). */
static char *str_dup(struct span v) {
    char *s = malloc((size_t)(v.e - v.s));
    if (s == NULL) return NULL;
    if (str_decode(v, s) != strlen(s)) {
        free(s);
        return NULL;
    }
    return s;
}

/* Next element of a validated array/object; *cur starts at NULL. For objects *key gets the key span. */
static int json_next(struct span c, const char **cur, struct span *key, struct span *val) {
    const char *p = *cur ? *cur : c.s + 1;
    const char *e = c.e;
    p = ws(p, e);
    if (*p == ',') p = ws(p + 1, e);
    if (*p == '}' || *p == ']') return 0;
    if (*c.s == '{') {
        key->s = p;
        key->e = p = skip_str(p, e);
        p = ws(p, e) + 1; /* ':' */
        p = ws(p, e);
    }
    val->s = p;
    val->e = p = skip_val(p, e, 0);
    *cur = p;
    return 1;
}

/* Looks up member name in a validated object. */
static int obj_get(struct span obj, const char *name, struct span *val) {
    const char *cur = NULL;
    struct span k, v;
    size_t n = strlen(name);
    char tmp[64];
    while (json_next(obj, &cur, &k, &v)) {
        if ((size_t)(k.e - k.s) > sizeof tmp) continue;
        if (str_decode(k, tmp) == n && memcmp(tmp, name, n) == 0) {
            *val = v;
            return 1;
        }
    }
    return 0;
}

/* Appends a validated value with insignificant whitespace removed (one line). */
static void buf_compact(struct buf *b, struct span v) {
    int in_str = 0, esc = 0;
    for (const char *p = v.s; p < v.e; p++) {
        char c = *p;
        if (in_str) {
            if (esc) esc = 0;
            else if (c == '\\') esc = 1;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        }
        buf_add(b, &c, 1);
    }
}

/* ------------------------------------------------------------ commands */

struct call {
    struct span args;
    int has_args;
    struct buf *ret; /* the "return" value */
    const char *cls; /* error class, NULL on success */
    char desc[512];
    int delimited; /* prefix the reply with 0xFF */
};

static int fail(struct call *c, const char *cls, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->desc, sizeof c->desc, fmt, ap);
    va_end(ap);
    c->cls = cls;
    return -1;
}

/* 1: present, 0: absent, -1: error already set. */
static int arg(struct call *c, const char *name, struct span *v, char type, const char *tname, int required) {
    if (!c->has_args || !obj_get(c->args, name, v)) {
        if (required) return fail(c, "GenericError", "Parameter '%s' is missing", name);
        return 0;
    }
    char t = *v->s;
    if (t == 'f') t = 't';
    if (t == '-' || (t >= '0' && t <= '9')) t = '0';
    if (t != type) return fail(c, "GenericError", "Invalid parameter type for '%s', expected: %s", name, tname);
    return 1;
}

static int arg_int(struct call *c, const char *name, long long *out, int required) {
    struct span v;
    int r = arg(c, name, &v, '0', "integer", required);
    if (r <= 0) return r;
    char tmp[32];
    size_t n = (size_t)(v.e - v.s);
    for (const char *p = v.s; p < v.e; p++)
        if (*p == '.' || *p == 'e' || *p == 'E') n = sizeof tmp; /* not an integer */
    if (n >= sizeof tmp) return fail(c, "GenericError", "Invalid parameter type for '%s', expected: integer", name);
    memcpy(tmp, v.s, n);
    tmp[n] = '\0';
    errno = 0;
    *out = strtoll(tmp, NULL, 10);
    if (errno) return fail(c, "GenericError", "Parameter '%s' expects integer", name);
    return 1;
}

static int cmd_sync(struct call *c) {
    long long id;
    if (arg_int(c, "id", &id, 1) < 0) return -1;
    buf_printf(c->ret, "%lld", id);
    return 0;
}

static int cmd_sync_delimited(struct call *c) {
    if (cmd_sync(c) < 0) return -1;
    c->delimited = 1;
    return 0;
}

static int cmd_ping(struct call *c) {
    buf_puts(c->ret, "{}");
    return 0;
}

static int cmd_info(struct call *c);
static int cmd_net(struct call *c);
static int cmd_exec(struct call *c);
static int cmd_exec_status(struct call *c);

static const struct {
    const char *name;
    int (*fn)(struct call *);
} COMMANDS[] = {
    {"guest-sync-delimited", cmd_sync_delimited},
    {"guest-sync", cmd_sync},
    {"guest-ping", cmd_ping},
    {"guest-info", cmd_info},
    {"guest-network-get-interfaces", cmd_net},
    {"guest-exec", cmd_exec},
    {"guest-exec-status", cmd_exec_status},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static int cmd_info(struct call *c) {
    buf_puts(c->ret, "{\"version\": \"" VERSION "\", \"supported_commands\": [");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        buf_puts(c->ret, i ? ", {\"name\": " : "{\"name\": ");
        buf_json_cstr(c->ret, COMMANDS[i].name);
        buf_puts(c->ret, ", \"enabled\": true, \"success-response\": true}");
    }
    buf_puts(c->ret, "]}");
    return 0;
}

static int prefix_len(const unsigned char *m, size_t n) {
    int bits = 0;
    for (size_t i = 0; i < n; i++)
        for (int b = 7; b >= 0; b--)
            if (m[i] & (1u << b)) bits++;
    return bits;
}

static int cmd_net(struct call *c) {
    struct ifaddrs *ifa0;
    if (getifaddrs(&ifa0) != 0) return fail(c, "GenericError", "getifaddrs failed: %s", strerror(errno));
    buf_puts(c->ret, "[");
    int nif = 0;
    for (struct ifaddrs *i = ifa0; i; i = i->ifa_next) {
        if (i->ifa_name == NULL) continue;
        struct ifaddrs *j = ifa0; /* first entry of this name only */
        while (j != i && (j->ifa_name == NULL || strcmp(j->ifa_name, i->ifa_name) != 0)) j = j->ifa_next;
        if (j != i) continue;
        buf_puts(c->ret, nif++ ? ", {\"name\": " : "{\"name\": ");
        buf_json_cstr(c->ret, i->ifa_name);
        char path[96], mac[64];
        if (strchr(i->ifa_name, '/') == NULL && strlen(i->ifa_name) < 32) {
            snprintf(path, sizeof path, "/sys/class/net/%s/address", i->ifa_name);
            if (read_small(path, mac, sizeof mac) == 0 && mac[0] && strspn(mac, "0123456789abcdefABCDEF:") == strlen(mac)) {
                buf_puts(c->ret, ", \"hardware-address\": ");
                buf_json_cstr(c->ret, mac);
            }
        }
        buf_puts(c->ret, ", \"ip-addresses\": [");
        int naddr = 0;
        for (struct ifaddrs *k = i; k; k = k->ifa_next) {
            if (k->ifa_name == NULL || strcmp(k->ifa_name, i->ifa_name) != 0 || k->ifa_addr == NULL) continue;
            char ip[INET6_ADDRSTRLEN];
            int prefix = 0;
            const char *type;
            if (k->ifa_addr->sa_family == AF_INET) {
                type = "ipv4";
                inet_ntop(AF_INET, &((struct sockaddr_in *)k->ifa_addr)->sin_addr, ip, sizeof ip);
                if (k->ifa_netmask)
                    prefix = prefix_len((unsigned char *)&((struct sockaddr_in *)k->ifa_netmask)->sin_addr, 4);
            } else if (k->ifa_addr->sa_family == AF_INET6) {
                type = "ipv6";
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)k->ifa_addr)->sin6_addr, ip, sizeof ip);
                if (k->ifa_netmask)
                    prefix = prefix_len((unsigned char *)&((struct sockaddr_in6 *)k->ifa_netmask)->sin6_addr, 16);
            } else {
                continue;
            }
            buf_printf(c->ret, "%s{\"ip-address-type\": \"%s\", \"ip-address\": \"%s\", \"prefix\": %d}",
                       naddr++ ? ", " : "", type, ip, prefix);
        }
        buf_puts(c->ret, "]}");
    }
    buf_puts(c->ret, "]");
    freeifaddrs(ifa0);
    return 0;
}

/* ---------------------------------------------------------------- exec */

struct stream {
    int fd; /* -1 once closed or when not captured */
    int captured;
    int truncated;
    struct buf data;
};

struct proc {
    int used;
    pid_t pid;
    int reaped, status;
    long long done_ms; /* when it exited and its pipes were closed; 0 before */
    int in_fd;
    unsigned char *in;
    size_t in_len, in_off;
    struct stream out, err;
};

static struct proc procs[MAX_EXECS];
static sigset_t orig_mask;

static void proc_close_in(struct proc *p) {
    if (p->in_fd >= 0) close(p->in_fd);
    p->in_fd = -1;
    free(p->in);
    p->in = NULL;
}

static void proc_check_done(struct proc *p) {
    if (p->used && !p->done_ms && p->reaped && p->out.fd < 0 && p->err.fd < 0) p->done_ms = now_ms();
}

static void proc_free(struct proc *p) {
    if (!p->used) return;
    proc_close_in(p);
    if (p->out.fd >= 0) close(p->out.fd);
    if (p->err.fd >= 0) close(p->err.fd);
    buf_free(&p->out.data);
    buf_free(&p->err.data);
    memset(p, 0, sizeof *p);
}

static void stream_read(struct proc *p, struct stream *s) {
    static char chunk[65536];
    for (int rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
        ssize_t n = read(s->fd, chunk, sizeof chunk);
        if (n > 0) {
            size_t keep = s->data.len < MAX_CAPTURE ? MAX_CAPTURE - s->data.len : 0;
            if ((size_t)n < keep) keep = (size_t)n;
            if (keep) buf_add(&s->data, chunk, keep);
            if (keep < (size_t)n || s->data.oom) s->truncated = 1; /* out of memory: keep what fit */
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        close(s->fd); /* EOF or error */
        s->fd = -1;
        proc_check_done(p);
    }
}

static void proc_write_in(struct proc *p) {
    while (p->in_fd >= 0 && p->in_off < p->in_len) {
        ssize_t n = write(p->in_fd, p->in + p->in_off, p->in_len - p->in_off);
        if (n > 0) {
            p->in_off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        } else {
            break; /* EPIPE: the child closed its stdin */
        }
    }
    proc_close_in(p);
}

static void reap_children(void) {
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_EXECS; i++) {
            struct proc *p = &procs[i];
            if (p->used && p->pid == pid && !p->reaped) {
                p->reaped = 1;
                p->status = st;
                proc_close_in(p);
                proc_check_done(p);
            }
        }
    }
}

static int str_array(struct call *c, const char *name, struct span v, char ***out, size_t *count, size_t first) {
    const char *cur = NULL;
    struct span k, e;
    size_t n = 0;
    while (json_next(v, &cur, &k, &e)) {
        if (*e.s != '"') return fail(c, "GenericError", "Invalid parameter type for '%s', expected: string", name);
        n++;
    }
    char **a = calloc(first + n + 1, sizeof *a);
    if (a == NULL) return fail(c, "GenericError", "out of memory");
    *out = a;
    *count = first + n;
    cur = NULL;
    for (size_t i = first; json_next(v, &cur, &k, &e); i++)
        if ((a[i] = str_dup(e)) == NULL) return fail(c, "GenericError", "Invalid parameter '%s'", name);
    return 0;
}

static void free_strv(char **a, size_t n) {
    if (a == NULL) return;
    for (size_t i = 0; i < n; i++) free(a[i]);
    free(a);
}

static int mkpipe(int p[2], int parent_end) {
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    set_nonblock(p[parent_end]);
    return 0;
}

static void close_pair(int p[2]) {
    if (p[0] >= 0) close(p[0]);
    if (p[1] >= 0) close(p[1]);
    p[0] = p[1] = -1;
}

static int cmd_exec(struct call *c) {
    struct span v;
    char *path = NULL;
    char **argv = NULL, **envp = NULL;
    size_t argc = 1, envc = 0;
    unsigned char *input = NULL;
    long in_len = -1;
    int cap_out = 0, cap_err = 0, merged = 0;
    int r, rc = -1;
    int in_p[2] = {-1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, ex_p[2] = {-1, -1};

    if (arg(c, "path", &v, '"', "string", 1) < 0) goto out;
    if ((path = str_dup(v)) == NULL || !*path) {
        fail(c, "GenericError", "Invalid parameter 'path'");
        goto out;
    }
    if ((r = arg(c, "arg", &v, '[', "array", 0)) < 0) goto out;
    if (r ? str_array(c, "arg", v, &argv, &argc, 1) < 0 : (argv = calloc(2, sizeof *argv)) == NULL) {
        if (!c->cls) fail(c, "GenericError", "out of memory");
        goto out;
    }
    if ((argv[0] = strdup(path)) == NULL) {
        fail(c, "GenericError", "out of memory");
        goto out;
    }
    if ((r = arg(c, "env", &v, '[', "array", 0)) < 0) goto out;
    if (r && str_array(c, "env", v, &envp, &envc, 0) < 0) goto out;
    if ((r = arg(c, "input-data", &v, '"', "string", 0)) < 0) goto out;
    if (r) {
        /* JSON-decode first: some encoders write '=' or '/' as \u escapes */
        char *text = malloc((size_t)(v.e - v.s));
        size_t n = text ? str_decode(v, text) : 0;
        if (text == NULL || (input = malloc(n / 4 * 3 + 4)) == NULL) {
            free(text);
            fail(c, "GenericError", "out of memory");
            goto out;
        }
        in_len = b64_decode(text, n, input);
        free(text);
        if (in_len < 0) {
            fail(c, "GenericError", "Invalid parameter 'input-data': not base64");
            goto out;
        }
    }
    if (c->has_args && obj_get(c->args, "capture-output", &v)) {
        /* bool (QEMU < 8.1) or GuestExecCaptureOutputMode */
        char mode[16] = "";
        if (*v.s == 't') strcpy(mode, "separated");
        else if (*v.s == 'f') strcpy(mode, "none");
        else if (*v.s == '"' && v.e - v.s < (long)sizeof mode) str_decode(v, mode);
        if (!strcmp(mode, "separated")) cap_out = cap_err = 1;
        else if (!strcmp(mode, "stdout")) cap_out = 1;
        else if (!strcmp(mode, "stderr")) cap_err = 1;
        else if (!strcmp(mode, "merged")) cap_out = merged = 1;
        else if (strcmp(mode, "none")) {
            fail(c, "GenericError", "Invalid parameter 'capture-output'");
            goto out;
        }
    }

    struct proc *p = NULL;
    for (int pass = 0; pass < 2 && p == NULL; pass++) {
        for (int i = 0; i < MAX_EXECS && p == NULL; i++) {
            if (!procs[i].used) p = &procs[i];
        }
        if (p == NULL && pass == 0) { /* reclaim long-uncollected results */
            for (int i = 0; i < MAX_EXECS; i++)
                if (procs[i].used && procs[i].done_ms && now_ms() - procs[i].done_ms > STALE_EXEC_S * 1000LL)
                    proc_free(&procs[i]);
        }
    }
    if (p == NULL) {
        fail(c, "GenericError", "too many guest-exec processes (at most %d running or uncollected)", MAX_EXECS);
        goto out;
    }

    if ((in_len >= 0 && mkpipe(in_p, 1) != 0) || (cap_out && mkpipe(out_p, 0) != 0) ||
        (cap_err && mkpipe(err_p, 0) != 0) || pipe2(ex_p, O_CLOEXEC) != 0) {
        fail(c, "GenericError", "cannot create pipes: %s", strerror(errno));
        goto out;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fail(c, "GenericError", "fork failed: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &orig_mask, NULL);
        setsid();
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int fd0 = in_p[0] >= 0 ? in_p[0] : null;
        int fd1 = out_p[1] >= 0 ? out_p[1] : null;
        int fd2 = err_p[1] >= 0 ? err_p[1] : merged ? out_p[1] : null;
        if (fd0 >= 0) dup2(fd0, 0);
        if (fd1 >= 0) dup2(fd1, 1);
        if (fd2 >= 0) dup2(fd2, 2);
        if (envp) execvpe(path, argv, envp);
        else execvp(path, argv);
        int e = errno;
        if (write(ex_p[1], &e, sizeof e) < 0) {
        }
        _exit(127);
    }
    close(ex_p[1]);
    ex_p[1] = -1;
    int e = 0;
    ssize_t n;
    while ((n = read(ex_p[0], &e, sizeof e)) < 0 && errno == EINTR) {
    }
    if (n == sizeof e) {
        waitpid(pid, NULL, 0);
        fail(c, "GenericError", "Failed to execute child process \"%s\" (%s)", path, strerror(e));
        goto out;
    }

    /* A stale exited entry may still hold a reused pid. */
    for (int i = 0; i < MAX_EXECS; i++)
        if (procs[i].used && procs[i].pid == pid) proc_free(&procs[i]);
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->pid = pid;
    p->in_fd = in_p[1];
    in_p[1] = -1;
    p->in = input;
    input = NULL;
    p->in_len = in_len > 0 ? (size_t)in_len : 0;
    p->out.fd = out_p[0];
    p->out.captured = cap_out;
    out_p[0] = -1;
    p->err.fd = err_p[0];
    p->err.captured = cap_err;
    err_p[0] = -1;
    if (p->in_fd >= 0 && p->in_len == 0) proc_close_in(p);
    buf_printf(c->ret, "{\"pid\": %d}", (int)pid);
    rc = 0;
out:
    close_pair(in_p);
    close_pair(out_p);
    close_pair(err_p);
    close_pair(ex_p);
    free(path);
    free(input);
    free_strv(argv, argc);
    free_strv(envp, envc);
    return rc;
}

static int cmd_exec_status(struct call *c) {
    long long pid;
    if (arg_int(c, "pid", &pid, 1) < 0) return -1;
    struct proc *p = NULL;
    for (int i = 0; i < MAX_EXECS; i++)
        if (procs[i].used && procs[i].pid == pid) p = &procs[i];
    if (p == NULL) return fail(c, "GenericError", "Invalid parameter 'pid'");
    reap_children();
    /* Take what the pipes hold now, so a finished command is seen at once. */
    if (p->out.fd >= 0) stream_read(p, &p->out);
    if (p->err.fd >= 0) stream_read(p, &p->err);
    if (!p->done_ms) {
        buf_puts(c->ret, "{\"exited\": false}");
        return 0;
    }
    struct buf *r = c->ret;
    buf_puts(r, "{\"exited\": true");
    if (WIFEXITED(p->status)) buf_printf(r, ", \"exitcode\": %d", WEXITSTATUS(p->status));
    else if (WIFSIGNALED(p->status)) buf_printf(r, ", \"signal\": %d", WTERMSIG(p->status));
    if (p->out.captured) {
        buf_puts(r, ", \"out-data\": ");
        buf_b64(r, (unsigned char *)p->out.data.p, p->out.data.len);
    }
    if (p->err.captured) {
        buf_puts(r, ", \"err-data\": ");
        buf_b64(r, (unsigned char *)p->err.data.p, p->err.data.len);
    }
    if (p->out.captured) buf_printf(r, ", \"out-truncated\": %s", p->out.truncated ? "true" : "false");
    if (p->err.captured) buf_printf(r, ", \"err-truncated\": %s", p->err.truncated ? "true" : "false");
    buf_puts(r, "}");
    if (r->oom) return fail(c, "GenericError", "out of memory for the reply; try again");
    proc_free(p); /* an exited status is handed out once */
    return 0;
}

/* ------------------------------------------------------------ dispatch */

static struct buf outq; /* replies waiting for the port */

static void reply_error_only(const char *desc) {
    buf_puts(&outq, "{\"error\": {\"class\": \"GenericError\", \"desc\": ");
    buf_json_cstr(&outq, desc);
    buf_puts(&outq, "}}\n");
}

static void handle_request(const char *req, size_t n) {
    const char *e = req + n;
    const char *s = ws(req, e);
    const char *end = skip_val(s, e, 0);
    if (end == NULL || ws(end, e) != e) {
        reply_error_only("JSON parse error, invalid request");
        return;
    }
    struct span top = {s, end}, id, ex;
    if (*s != '{') {
        reply_error_only("QMP input must be a JSON object");
        return;
    }
    int has_id = obj_get(top, "id", &id);
    struct buf ret = {0};
    struct call c = {.ret = &ret};
    char name[64] = "";
    if (!obj_get(top, "execute", &ex)) {
        fail(&c, "GenericError", "QMP input lacks member 'execute'");
    } else if (*ex.s != '"') {
        fail(&c, "GenericError", "QMP input member 'execute' must be a string");
    } else if ((c.has_args = obj_get(top, "arguments", &c.args)) && *c.args.s != '{') {
        fail(&c, "GenericError", "QMP input member 'arguments' must be an object");
    } else {
        size_t i = NCOMMANDS;
        if ((size_t)(ex.e - ex.s) < sizeof name) {
            str_decode(ex, name);
            for (i = 0; i < NCOMMANDS && strcmp(name, COMMANDS[i].name) != 0; i++) {
            }
        } else {
            memcpy(name, ex.s + 1, sizeof name - 4);
            strcpy(name + sizeof name - 4, "...");
        }
        if (i == NCOMMANDS) fail(&c, "CommandNotFound", "The command %s has not been found", name);
        else COMMANDS[i].fn(&c);
    }
    if (!c.cls && ret.oom) fail(&c, "GenericError", "out of memory");
    if (c.delimited && !c.cls) buf_add(&outq, "\xff", 1);
    if (c.cls) {
        buf_puts(&outq, "{\"error\": {\"class\": \"");
        buf_puts(&outq, c.cls);
        buf_puts(&outq, "\", \"desc\": ");
        buf_json_cstr(&outq, c.desc);
        buf_puts(&outq, "}");
    } else {
        buf_puts(&outq, "{\"return\": ");
        buf_add(&outq, ret.p, ret.len);
    }
    if (has_id) {
        buf_puts(&outq, ", \"id\": ");
        buf_compact(&outq, id);
    }
    buf_puts(&outq, "}\n");
    buf_free(&ret);
    if (outq.oom) { /* could not queue the reply: say so in a few bytes */
        buf_free(&outq);
        reply_error_only("out of memory");
    }
}

/*
 * Streaming framer: finds complete top-level JSON values (objects, arrays) by
 * bracket depth outside strings, so requests need no newline. 0xFF resets it.
 * Anything else at top level is junk up to the next newline and gets an error.
 */
static struct {
    char buf[MAX_REQUEST + 1];
    size_t len;
    int depth, in_str, esc, junk, overflow;
} fr;

static void framer_reset(void) {
    fr.len = 0;
    fr.depth = fr.in_str = fr.esc = fr.junk = fr.overflow = 0;
}

static void framer_byte(unsigned char c) {
    if (c == 0xff) {
        framer_reset();
        return;
    }
    if (fr.depth == 0 && !fr.junk) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return;
        if (c != '{' && c != '[') {
            fr.junk = 1;
            if (c == '}' || c == ']') return; /* stray closer: junk till newline */
        }
    }
    if (fr.len < MAX_REQUEST) fr.buf[fr.len++] = (char)c;
    else fr.overflow = 1;
    if (fr.junk) {
        if (c == '\n') {
            reply_error_only("JSON parse error, expected a JSON object");
            framer_reset();
        }
        return;
    }
    if (fr.in_str) {
        if (fr.esc) fr.esc = 0;
        else if (c == '\\') fr.esc = 1;
        else if (c == '"') fr.in_str = 0;
        return;
    }
    if (c == '"') fr.in_str = 1;
    else if (c == '{' || c == '[') fr.depth++;
    else if ((c == '}' || c == ']') && --fr.depth == 0) {
        if (fr.overflow) {
            char msg[96];
            snprintf(msg, sizeof msg, "request too long (limit %d bytes)", MAX_REQUEST);
            reply_error_only(msg);
        } else {
            fr.buf[fr.len] = '\0';
            handle_request(fr.buf, fr.len);
        }
        framer_reset();
    }
}

/* ---------------------------------------------------------------- port */

static const char *port_name = DEFAULT_PORT_NAME;
static char port_dev[300];

/* Finds the port, creating /dev/<port> if missing; 0 when port_dev names it. */
static int find_port(void) {
    DIR *d = opendir("/sys/class/virtio-ports");
    if (d == NULL) return -1;
    struct dirent *de;
    int found = -1;
    while (found != 0 && (de = readdir(d)) != NULL) {
        char path[300], val[128];
        if (de->d_name[0] == '.' || strlen(de->d_name) > 64 || strchr(de->d_name, '/')) continue;
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", de->d_name);
        if (read_small(path, val, sizeof val) != 0 || strcmp(val, port_name) != 0) continue;
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/dev", de->d_name);
        unsigned maj, min;
        if (read_small(path, val, sizeof val) != 0 || sscanf(val, "%u:%u", &maj, &min) != 2) continue;
        snprintf(port_dev, sizeof port_dev, "/dev/%s", de->d_name);
        struct stat st;
        if (stat(port_dev, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(maj, min)) {
            unlink(port_dev);
            if (mknod(port_dev, S_IFCHR | 0600, makedev(maj, min)) != 0) continue;
        }
        found = 0;
    }
    closedir(d);
    return found;
}

/* A virtio console (virtio-serial) device exists: its ports are announced to the guest shortly after. */
static int have_console_device(void) {
    DIR *d = opendir("/sys/bus/virtio/devices");
    if (d == NULL) return 0;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d)) != NULL) {
        char path[300], val[32];
        if (de->d_name[0] == '.' || strlen(de->d_name) > 64) continue;
        snprintf(path, sizeof path, "/sys/bus/virtio/devices/%s/device", de->d_name);
        found = read_small(path, val, sizeof val) == 0 && strtol(val, NULL, 0) == 3; /* VIRTIO_ID_CONSOLE */
    }
    closedir(d);
    return found;
}

static int open_port(void) {
    int fd = open(port_dev, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return -1;
    /* SIGIO on host (dis)connects and input: a reconnect is seen at once. */
    fcntl(fd, F_SETOWN, getpid());
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_ASYNC);
    return fd;
}

enum { NOPORT, CONNECTED, DISCONNECTED };

/*
 * virtio_console's poll: host not connected = POLLIN|POLLHUP (a read returns 0);
 * port hot-unplugged = POLLHUP alone (a read returns 0 too, so poll tells them apart).
 */
static int port_gone(short revents, short events) {
    return (revents & (POLLERR | POLLNVAL)) || ((events & POLLIN) && (revents & POLLHUP) && !(revents & POLLIN));
}

int main(int argc, char **argv) {
    double wait_s = 5;
    int opt;
    while ((opt = getopt(argc, argv, "w:n:")) != -1) {
        if (opt == 'w') wait_s = atof(optarg);
        else if (opt == 'n') port_name = optarg;
        else {
            fprintf(stderr, "usage: hvf-qga [-w WAIT_SECONDS] [-n PORT_NAME]\n");
            return 2;
        }
    }
    /* fds 0-2 must be taken, so that pipes never land there */
    for (int fd; (fd = open("/dev/null", O_RDWR)) >= 0;) {
        if (fd > 2) {
            close(fd);
            break;
        }
    }

    long long start = now_ms(), deadline = start + (long long)(wait_s * 1000);
    int extended = 0;
    while (find_port() != 0) {
        if (now_ms() >= deadline) {
            /* A virtio-serial device is there but its ports are late (a loaded host): wait longer. */
            if (extended++ || !have_console_device()) return 0; /* no guest agent port: nothing to do */
            deadline += (long long)(wait_s * 5000);
        }
        sleep_ms(50);
    }
    long long waited = now_ms() - start;

    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGIO);
    sigprocmask(SIG_BLOCK, &mask, &orig_mask);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) {
        perror("hvf-qga: signalfd");
        return 1;
    }

    int port = -1, state = NOPORT, hup = 0, warned = 0, opened = 0;
    long long next_check = 0;
    static unsigned char rbuf[16384];
    size_t rlen = 0, rpos = 0;

    for (;;) {
        long long now = now_ms();
        if (state == NOPORT && now >= next_check) {
            int found = find_port() == 0;
            if (found && (port = open_port()) >= 0) {
                if (!opened++) fprintf(stderr, "hvf-qga: serving %s on %s (port found after %lld ms)\n", port_name, port_dev, waited);
                else fprintf(stderr, "hvf-qga: serving %s on %s\n", port_name, port_dev);
                state = DISCONNECTED;
                next_check = 0;
                warned = 0;
            } else {
                if (!warned++) {
                    if (found) fprintf(stderr, "hvf-qga: cannot open %s: %s; retrying\n", port_dev, strerror(errno));
                    else fprintf(stderr, "hvf-qga: port %s is gone; waiting for it\n", port_name);
                }
                next_check = now + NOPORT_RETRY_MS;
            }
        }
        if (state == DISCONNECTED && now >= next_check) {
            struct pollfd q = {port, POLLIN, 0};
            if (poll(&q, 1, 0) >= 0 && !(q.revents & (POLLHUP | POLLERR | POLLNVAL))) {
                state = CONNECTED;
                hup = 0;
            } else if (port_gone(q.revents, q.events)) {
                close(port);
                port = -1;
                state = NOPORT;
            }
            next_check = now + RECHECK_MS;
        }

        /* Feed buffered input (bounded by the reply backlog). */
        while (state == CONNECTED && rpos < rlen && (outq.len < OUT_BACKLOG || hup)) framer_byte(rbuf[rpos++]);
        if (hup) outq.len = 0; /* the host is gone: nobody will read these */
        if (state == CONNECTED && outq.len) {
            ssize_t n = write(port, outq.p, outq.len);
            if (n > 0) buf_consume(&outq, (size_t)n);
        }

        struct pollfd fds[2 + 3 * MAX_EXECS];
        struct proc *owner[2 + 3 * MAX_EXECS];
        int kind[2 + 3 * MAX_EXECS];
        int nfds = 0;
        fds[nfds] = (struct pollfd){sfd, POLLIN, 0};
        owner[nfds] = NULL, kind[nfds++] = 0;
        int port_idx = -1;
        if (state == CONNECTED) {
            short ev = 0;
            if (rpos == rlen && (outq.len < OUT_BACKLOG || hup)) ev |= POLLIN;
            if (outq.len) ev |= POLLOUT;
            port_idx = nfds;
            fds[nfds] = (struct pollfd){port, ev, 0};
            owner[nfds] = NULL, kind[nfds++] = 0;
        }
        for (int i = 0; i < MAX_EXECS; i++) {
            struct proc *p = &procs[i];
            if (!p->used) continue;
            if (p->in_fd >= 0) fds[nfds] = (struct pollfd){p->in_fd, POLLOUT, 0}, owner[nfds] = p, kind[nfds++] = 'i';
            if (p->out.fd >= 0) fds[nfds] = (struct pollfd){p->out.fd, POLLIN, 0}, owner[nfds] = p, kind[nfds++] = 'o';
            if (p->err.fd >= 0) fds[nfds] = (struct pollfd){p->err.fd, POLLIN, 0}, owner[nfds] = p, kind[nfds++] = 'e';
        }
        int timeout = -1;
        if (state != CONNECTED) {
            long long t = next_check - now_ms();
            timeout = t < 0 ? 0 : t > NOPORT_RETRY_MS ? NOPORT_RETRY_MS : (int)t;
        } else if (rpos < rlen && (outq.len < OUT_BACKLOG || hup)) {
            timeout = 0;
        }
        if (poll(fds, (nfds_t)nfds, timeout) < 0) {
            if (errno != EINTR) sleep_ms(100);
            continue;
        }

        if (fds[0].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGIO && state == DISCONNECTED) next_check = 0;
            }
            reap_children();
        }
        for (int i = 1; i < nfds; i++) {
            struct proc *p = owner[i];
            if (p == NULL || !fds[i].revents || !p->used) continue;
            if (kind[i] == 'i' && p->in_fd == fds[i].fd) proc_write_in(p);
            else if (kind[i] == 'o' && p->out.fd == fds[i].fd) stream_read(p, &p->out);
            else if (kind[i] == 'e' && p->err.fd == fds[i].fd) stream_read(p, &p->err);
        }
        if (port_idx >= 0 && !fds[port_idx].revents) hup = 0; /* a reconnect ends a hangup */
        if (port_idx >= 0 && fds[port_idx].revents) {
            short re = fds[port_idx].revents;
            hup = 0;
            if (port_gone(re, fds[port_idx].events)) {
                close(port);
                port = -1;
                state = NOPORT;
                framer_reset();
                rlen = rpos = 0;
                buf_free(&outq);
                continue;
            }
            if (re & POLLHUP) {
                hup = 1; /* the host disconnected: drain stale input until read says 0 */
                outq.len = 0;
            }
            if ((re & POLLOUT) && outq.len) {
                ssize_t n = write(port, outq.p, outq.len);
                if (n > 0) buf_consume(&outq, (size_t)n);
            }
            if ((re & (POLLIN | POLLHUP)) && rpos == rlen) {
                ssize_t n = read(port, rbuf, sizeof rbuf);
                if (n > 0) {
                    rlen = (size_t)n;
                    rpos = 0;
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    /* 0: host not connected. Else (ENODEV: unplugged) find the port anew. */
                    framer_reset();
                    rlen = rpos = 0;
                    buf_free(&outq);
                    hup = 0;
                    if (n == 0) {
                        state = DISCONNECTED;
                        next_check = now_ms() + RECHECK_MS;
                    } else {
                        close(port);
                        port = -1;
                        state = NOPORT;
                        next_check = now_ms() + NOPORT_RETRY_MS;
                    }
                }
            }
        }
    }
}
