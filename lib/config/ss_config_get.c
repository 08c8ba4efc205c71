/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Error reporting, checked getters and address text forms. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "ss_config_priv.h"

static void
copy_str(char *dst, size_t len, const char *src)
{
	if (len == 0)
		return;
	snprintf(dst, len, "%s", src == NULL ? "" : src);
}

const char *
ss_cfg_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "nothing";
	}
}

void
ss_cfg_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[64];
	unsigned int n = 0;
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	/* Collect ancestors below the root, innermost first. */
	for (; s != NULL && config_setting_parent(s) != NULL &&
			n < RTE_DIM(chain);
			s = config_setting_parent(s))
		chain[n++] = s;
	while (n > 0 && off < len) {
		const config_setting_t *c = chain[--n];
		const char *sep = off == 0 ? "" : ".";
		int w;

		if (config_setting_name(c) != NULL)
			w = snprintf(buf + off, len - off, "%s%s", sep,
				config_setting_name(c));
		else
			w = snprintf(buf + off, len - off, "%s[%d]", sep,
				config_setting_index(c));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

const char *
ss_cfg_setting_file(const config_setting_t *s)
{
	const config_setting_t *root;

	if (s == NULL)
		return "<config>";
	if (config_setting_source_file(s) != NULL)
		return config_setting_source_file(s);
	/* Text loads carry no file name: the loader keeps the caller's name
	 * as the root's hook. */
	for (root = s; config_setting_parent(root) != NULL;
			root = config_setting_parent(root))
		;
	if (config_setting_get_hook(root) != NULL)
		return config_setting_get_hook(root);
	return "<config>";
}

static int
fail_v(struct ss_cfg_error *err, const char *file, unsigned int line,
	const char *path, const char *fmt, va_list ap)
{
	char what[SS_CFG_ERR_LEN];
	char where[sizeof(err->file) + 16];
	int w;

	if (err == NULL)
		return -EINVAL;
	vsnprintf(what, sizeof(what), fmt, ap);
	copy_str(err->file, sizeof(err->file), file);
	err->line = (int)line;
	copy_str(err->path, sizeof(err->path), path);
	if (file == NULL) {
		copy_str(err->msg, sizeof(err->msg), what);
		return -EINVAL;
	}
	if (line > 0)
		w = snprintf(where, sizeof(where), "%s:%u", err->file, line);
	else
		w = snprintf(where, sizeof(where), "%s", err->file);
	if (w < 0)
		where[0] = '\0';
	if (err->path[0] != '\0')
		w = snprintf(err->msg, sizeof(err->msg), "%s: %s: %s", where,
			err->path, what);
	else
		w = snprintf(err->msg, sizeof(err->msg), "%s: %s", where, what);
	/* Mark a cut message rather than let it read as complete. */
	if (w < 0 || (size_t)w >= sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	return -EINVAL;
}

int
ss_cfg_fail_file(struct ss_cfg_error *err, const char *file,
	unsigned int line, const char *path, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fail_v(err, file, line, path, fmt, ap);
	va_end(ap);
	return ret;
}

int
ss_cfg_fail_at(struct ss_cfg_error *err, const config_setting_t *where,
	unsigned int line, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int ret;

	ss_cfg_setting_path(where, path, sizeof(path));
	va_start(ap, fmt);
	ret = fail_v(err, ss_cfg_setting_file(where), line, path, fmt, ap);
	va_end(ap);
	return ret;
}

int
ss_cfg_fail(struct ss_cfg_error *err, const config_setting_t *s,
	const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	if (s == NULL) {
		ret = fail_v(err, NULL, 0, "", fmt, ap);
	} else {
		ss_cfg_setting_path(s, path, sizeof(path));
		ret = fail_v(err, ss_cfg_setting_file(s),
			config_setting_source_line(s), path, fmt, ap);
	}
	va_end(ap);
	return ret;
}

config_setting_t *
ss_cfg_member(const config_setting_t *group, const char *name)
{
	if (group == NULL || !config_setting_is_group(group))
		return NULL;
	return config_setting_get_member(group, name);
}

int
ss_cfg_check_keys(const config_setting_t *s, const char *const allowed[],
	struct ss_cfg_error *err)
{
	int i, n;

	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s))
		return ss_cfg_fail(err, s, "expected a group, got %s",
			ss_cfg_type_name(config_setting_type(s)));
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, i);
		const char *name = config_setting_name(m);
		unsigned int k;
		bool ok = false;

		for (k = 0; allowed != NULL && allowed[k] != NULL; k++) {
			if (strcmp(allowed[k], name) == 0) {
				ok = true;
				break;
			}
		}
		if (!ok)
			return ss_cfg_fail_at(err, s,
				config_setting_source_line(m),
				"unknown setting '%s'", name);
	}
	return 0;
}

/* Look 'name' up in group: 1 found (*out set), 0 absent and optional,
 * <0 absent and required. */
static int
lookup(const config_setting_t *group, const char *name, bool required,
	config_setting_t **out, struct ss_cfg_error *err)
{
	*out = ss_cfg_member(group, name);
	if (*out != NULL)
		return 1;
	if (!required)
		return 0;
	if (group == NULL)
		return ss_cfg_fail(err, NULL, "missing required setting '%s'",
			name);
	return ss_cfg_fail_at(err, group, config_setting_source_line(group),
		"missing required setting '%s'", name);
}

static int
want_type(const config_setting_t *s, int type, struct ss_cfg_error *err)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	return ss_cfg_fail(err, s, "expected %s, got %s",
		ss_cfg_type_name(type), ss_cfg_type_name(t));
}

int
ss_cfg_get_int(const config_setting_t *group, const char *name,
	bool required, int64_t min, int64_t max, int64_t *out,
	struct ss_cfg_error *err)
{
	config_setting_t *s;
	int64_t v;
	int ret;

	ret = lookup(group, name, required, &s, err);
	if (ret <= 0)
		return ret;
	if (want_type(s, CONFIG_TYPE_INT, err) < 0)
		return -EINVAL;
	v = config_setting_get_int64(s);
	/* libconfig 1.5 stores 0x80000000..0xffffffff as a negative int:
	 * a hex literal means the bits written (SPIs, masks). */
	if (config_setting_type(s) == CONFIG_TYPE_INT &&
			config_setting_get_format(s) == CONFIG_FORMAT_HEX)
		v = (uint32_t)config_setting_get_int(s);
	if (v < min || v > max)
		return ss_cfg_fail(err, s, "must be %" PRId64 "..%" PRId64
			", got %" PRId64, min, max, v);
	*out = v;
	return 0;
}

int
ss_cfg_get_bool(const config_setting_t *group, const char *name,
	bool required, bool *out, struct ss_cfg_error *err)
{
	config_setting_t *s;
	int ret;

	ret = lookup(group, name, required, &s, err);
	if (ret <= 0)
		return ret;
	if (want_type(s, CONFIG_TYPE_BOOL, err) < 0)
		return -EINVAL;
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* The string value of member 'name': 1 found, 0 absent, <0 error. */
static int
get_string(const config_setting_t *group, const char *name, bool required,
	config_setting_t **s, const char **val, struct ss_cfg_error *err)
{
	int ret;

	ret = lookup(group, name, required, s, err);
	if (ret <= 0)
		return ret;
	if (want_type(*s, CONFIG_TYPE_STRING, err) < 0)
		return -EINVAL;
	*val = config_setting_get_string(*s);
	return 1;
}

int
ss_cfg_get_str(const config_setting_t *group, const char *name,
	bool required, char *out, size_t len, struct ss_cfg_error *err)
{
	config_setting_t *s;
	const char *v;
	size_t n;
	int ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	n = strlen(v);
	if (len == 0 || n >= len)
		return ss_cfg_fail(err, s, "longer than %zu characters",
			len == 0 ? 0 : len - 1);
	memcpy(out, v, n + 1);
	return 0;
}

int
ss_cfg_get_enum(const config_setting_t *group, const char *name,
	bool required, const char *const choices[], int *out,
	struct ss_cfg_error *err)
{
	char list[256];
	config_setting_t *s;
	const char *v;
	size_t off = 0;
	int i, ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(choices[i], v) == 0) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; choices[i] != NULL && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s\"%s\"",
			i == 0 ? "" : ", ", choices[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return ss_cfg_fail(err, s, "must be one of %s; got \"%.*s\"", list,
		SS_CFG_QUOTE_MAX, v);
}

int
ss_cfg_get_ip(const config_setting_t *group, const char *name,
	bool required, struct ss_ipaddr *out, struct ss_cfg_error *err)
{
	struct ss_ipaddr a;
	config_setting_t *s;
	const char *v;
	int ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	if (ss_ipaddr_parse(v, &a) < 0)
		return ss_cfg_fail(err, s, "invalid IP address '%.*s'",
			SS_CFG_QUOTE_MAX, v);
	*out = a;
	return 0;
}

int
ss_cfg_get_prefix(const config_setting_t *group, const char *name,
	bool required, struct ss_prefix *out, struct ss_cfg_error *err)
{
	struct ss_prefix p;
	config_setting_t *s;
	const char *v;
	int ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	if (ss_prefix_parse(v, &p) < 0)
		return ss_cfg_fail(err, s,
			"invalid prefix '%.*s' (expected ADDRESS/LENGTH)",
			SS_CFG_QUOTE_MAX, v);
	*out = p;
	return 0;
}

int
ss_cfg_get_mac(const config_setting_t *group, const char *name,
	bool required, struct rte_ether_addr *out, struct ss_cfg_error *err)
{
	struct rte_ether_addr m;
	config_setting_t *s;
	const char *v;
	int ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	if (ss_mac_parse(v, &m) < 0)
		return ss_cfg_fail(err, s,
			"invalid MAC address '%.*s' (expected xx:xx:xx:xx:xx:xx)",
			SS_CFG_QUOTE_MAX, v);
	*out = m;
	return 0;
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex with optional "0x" and ':' between bytes. With out NULL
 * only counts. Returns the byte count or -1. */
static long
hex_decode(const char *p, uint8_t *out, size_t max)
{
	size_t n = 0;
	bool sep_ok = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while (*p != '\0') {
		int hi, lo;

		if (*p == ':') {
			if (!sep_ok)
				return -1;
			sep_ok = false;
			p++;
			if (*p == '\0')
				return -1;
			continue;
		}
		hi = hex_val(p[0]);
		lo = hi < 0 ? -1 : hex_val(p[1]);
		if (hi < 0 || lo < 0)
			return -1;
		if (out != NULL && n < max)
			out[n] = (uint8_t)(hi << 4 | lo);
		n++;
		p += 2;
		sep_ok = true;
	}
	return (long)n;
}

int
ss_cfg_get_hex(const config_setting_t *group, const char *name,
	bool required, uint8_t *out, size_t len, size_t *out_len,
	struct ss_cfg_error *err)
{
	config_setting_t *s;
	const char *v;
	long n;
	int ret;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	/* The value may be a key: never quote it back. */
	n = hex_decode(v, NULL, 0);
	if (n < 0)
		return ss_cfg_fail(err, s, "invalid hex string (expected pairs"
			" of hex digits, optional 0x prefix and ':' between"
			" bytes)");
	if (out_len == NULL && (size_t)n != len)
		return ss_cfg_fail(err, s, "expected %zu bytes of hex, got %ld",
			len, n);
	if (out_len != NULL && (n == 0 || (size_t)n > len))
		return ss_cfg_fail(err, s,
			"expected 1..%zu bytes of hex, got %ld", len, n);
	hex_decode(v, out, len);
	if (out_len != NULL)
		*out_len = (size_t)n;
	return 0;
}

int
ss_cfg_port_index(const struct ss_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
ss_cfg_get_port(const struct ss_config *cfg, const config_setting_t *group,
	const char *name, bool required, uint8_t *out,
	struct ss_cfg_error *err)
{
	char known[SS_CFG_MAX_PORTS * (SS_CFG_NAME_LEN + 2) + 1];
	config_setting_t *s;
	const char *v;
	size_t off = 0;
	unsigned int i;
	int ret, idx;

	ret = get_string(group, name, required, &s, &v, err);
	if (ret <= 0)
		return ret;
	idx = ss_cfg_port_index(cfg, v);
	if (idx >= 0) {
		*out = (uint8_t)idx;
		return 0;
	}
	known[0] = '\0';
	for (i = 0; i < cfg->nb_ports && off < sizeof(known); i++) {
		int w = snprintf(known + off, sizeof(known) - off, "%s%s",
			i == 0 ? "" : ", ", cfg->ports[i].name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return ss_cfg_fail(err, s, "unknown port '%.*s' (ports: %s)",
		SS_CFG_QUOTE_MAX, v, known);
}

/* ---- text forms ---------------------------------------------------- */

int
ss_ipaddr_parse(const char *s, struct ss_ipaddr *out)
{
	struct ss_ipaddr a;

	if (s == NULL || out == NULL || strlen(s) >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, a.v6) != 1)
			return -EINVAL;
		a.family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, &a.v4) != 1)
			return -EINVAL;
		a.family = AF_INET;
	}
	*out = a;
	return 0;
}

int
ss_prefix_parse(const char *s, struct ss_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	struct ss_prefix p;
	const char *slash, *d;
	unsigned int len = 0;
	size_t alen;

	if (s == NULL || out == NULL)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash == NULL)
		return -EINVAL;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(&p, 0, sizeof(p));
	if (ss_ipaddr_parse(addr, &p.addr) < 0)
		return -EINVAL;
	d = slash + 1;
	if (*d == '\0' || strlen(d) > 3)
		return -EINVAL;
	for (; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return -EINVAL;
		len = len * 10 + (unsigned int)(*d - '0');
	}
	if (len > (p.addr.family == AF_INET ? 32u : 128u))
		return -EINVAL;
	p.len = (uint8_t)len;
	*out = p;
	return 0;
}

const char *
ss_ipaddr_str(const struct ss_ipaddr *a, char *buf, size_t len)
{
	const void *src;

	if (buf == NULL || len == 0)
		return buf;
	if (a == NULL || (a->family != AF_INET && a->family != AF_INET6))
		goto bad;
	src = a->family == AF_INET ? (const void *)&a->v4 :
		(const void *)a->v6;
	if (len > (socklen_t)-1 ||
			inet_ntop(a->family, src, buf, (socklen_t)len) == NULL)
		goto bad;
	return buf;
bad:
	snprintf(buf, len, "?");
	return buf;
}

const char *
ss_prefix_str(const struct ss_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 4];

	if (buf == NULL || len == 0)
		return buf;
	if (p == NULL)
		return ss_ipaddr_str(NULL, buf, len);
	ss_ipaddr_str(&p->addr, a, sizeof(a));
	if (strcmp(a, "?") == 0 || (size_t)snprintf(buf, len, "%s/%u", a,
			p->len) >= len)
		snprintf(buf, len, "?");
	return buf;
}

bool
ss_ipaddr_equal(const struct ss_ipaddr *a, const struct ss_ipaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return memcmp(a->v6, b->v6, sizeof(a->v6)) == 0;
}

bool
ss_prefix_contains(const struct ss_prefix *p, const struct ss_ipaddr *a)
{
	const uint8_t *x, *y;
	unsigned int full, rest;

	if (p->addr.family != a->family)
		return false;
	if (a->family == AF_INET) {
		x = (const uint8_t *)&p->addr.v4;
		y = (const uint8_t *)&a->v4;
	} else {
		x = p->addr.v6;
		y = a->v6;
	}
	full = p->len / 8;
	rest = p->len % 8;
	if (memcmp(x, y, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((x[full] ^ y[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int
ss_mac_parse(const char *s, struct rte_ether_addr *out)
{
	struct rte_ether_addr m;
	unsigned int i;
	char sep;

	if (s == NULL || out == NULL || strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		const char *p = s + 3 * i;
		int hi = hex_val(p[0]), lo = hex_val(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < RTE_ETHER_ADDR_LEN - 1 && p[2] != sep)
			return -EINVAL;
		m.addr_bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = m;
	return 0;
}
