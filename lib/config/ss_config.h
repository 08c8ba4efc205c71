/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_CONFIG_H
#define SS_CONFIG_H

/**
 * shardsec configuration (libconfig syntax).
 *
 * ss_cfg_load() parses a file (or the embedded default text) into
 * struct ss_config: ports, addresses, neighbours, routes, servers. Other
 * subsystems own their own top-level sections (ipsec, ike, macsec...):
 * they register a parser with ss_cfg_register_section() and use the
 * checked getters below, so that every error names the file, the line,
 * the setting path and what is wrong. Unknown settings are errors.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include <libconfig.h>
#include <rte_ether.h>

#define SS_CFG_MAX_PORTS 8
#define SS_CFG_MAX_ADDRS 4		/* per port, per family */
#define SS_CFG_MAX_NEIGH 64
#define SS_CFG_MAX_ROUTES 256
#define SS_CFG_MAX_SERVERS 64
#define SS_CFG_NAME_LEN 64
#define SS_CFG_DEVARGS_LEN 256
#define SS_CFG_ERR_LEN 512

/** An IPv4 or IPv6 address (family AF_INET or AF_INET6). */
struct ss_ipaddr {
	uint8_t family;
	union {
		uint32_t v4;		/* network byte order */
		uint8_t v6[16];
	};
};

/** An address with a prefix length: 192.0.2.1/24, 2001:db8::1/64. */
struct ss_prefix {
	struct ss_ipaddr addr;
	uint8_t len;
};

struct ss_cfg_port {
	char name[SS_CFG_NAME_LEN];	/* operator's name, e.g. "inside" */
	/* DPDK device: PCI address "0000:03:00.0" or vdev
	 * "net_af_packet0,iface=veth0"; vdevs are hot-plugged at start. */
	char device[SS_CFG_DEVARGS_LEN];
	uint16_t mtu;			/* IP MTU, default 1500 */
	struct ss_prefix addrs[2 * SS_CFG_MAX_ADDRS];
	uint8_t nb_addrs;
	bool promiscuous;
	bool has_mac;
	struct rte_ether_addr mac;	/* optional override */
	uint16_t rx_desc;		/* power of two 64..4096, default 1024 */
	uint16_t tx_desc;
	unsigned int line;		/* where the entry starts in the file */
};

struct ss_cfg_neigh {
	uint8_t port;			/* index into ports[] */
	struct ss_ipaddr ip;
	struct rte_ether_addr mac;
	unsigned int line;
};

struct ss_cfg_route {
	struct ss_prefix dst;
	bool has_via;
	struct ss_ipaddr via;		/* gateway; unset: on-link */
	uint8_t port;			/* index into ports[] */
	unsigned int line;
};

struct ss_cfg_server {
	uint16_t id;			/* instance-id, < 2^instance_bits */
	unsigned int lcore;		/* worker lcore (several ids may share) */
	unsigned int line;		/* line of its 'lcore' setting */
};

/** How worker lcores poll: "busy" spins; "adaptive" sleeps a little when
 * the ports stay idle (for shared or small machines). */
enum ss_cfg_poll_mode {
	SS_CFG_POLL_BUSY = 0,
	SS_CFG_POLL_ADAPTIVE = 1,
};

struct ss_config {
	char source[256];		/* file name or "<embedded default>" */
	struct ss_cfg_port ports[SS_CFG_MAX_PORTS];
	uint8_t nb_ports;
	struct ss_cfg_neigh neigh[SS_CFG_MAX_NEIGH];
	uint16_t nb_neigh;
	struct ss_cfg_route routes[SS_CFG_MAX_ROUTES];
	uint16_t nb_routes;
	struct ss_cfg_server servers[SS_CFG_MAX_SERVERS];
	uint16_t nb_servers;
	uint8_t instance_bits;		/* 1..8, default 4 */
	uint32_t mbufs;			/* mbuf pool size, default 16383 */
	uint32_t arp_hold_ms;		/* how long packets wait for ARP/ND */
	uint16_t arp_hold_pkts;		/* per neighbour */
	uint32_t icmp_rate;		/* ICMP errors a second, default 1000
					 * (bursts of a tenth of it) */
	enum ss_cfg_poll_mode poll_mode; /* default busy */
	/* RTE_LOG_EMERG..RTE_LOG_DEBUG from log_level; 0 when not set (the
	 * program keeps its own default). */
	uint32_t log_level;
	/* The parsed libconfig tree stays alive for registered sections and
	 * for "show config"; freed by ss_cfg_free(). */
	config_t lc;
	bool lc_valid;
};

/** Where and why a configuration was refused. */
struct ss_cfg_error {
	char file[256];
	int line;			/* 0 when not known */
	char path[256];			/* setting path, e.g. "ports.[1].mtu" */
	char msg[SS_CFG_ERR_LEN];	/* "file:line: path: what" */
};

/**
 * Parser of one top-level section owned by another subsystem.
 * Returns 0 or a negative errno with err filled by ss_cfg_fail().
 * 'section' is NULL when the file has no such section (so the owner can
 * apply defaults or insist that it is present).
 */
typedef int (*ss_cfg_section_fn)(const struct ss_config *cfg,
	const config_setting_t *section, void *arg,
	struct ss_cfg_error *err);

/** Register a top-level section name; at most 16. Parsers run in the
 * order of registration, after the core sections. Returns 0, -EEXIST
 * (name taken, core names included), -ENOSPC or -EINVAL. */
int
ss_cfg_register_section(const char *name, ss_cfg_section_fn parse,
	void *arg);

/**
 * Printer of one registered section for ss_cfg_dump() ("show config").
 * 'section' is NULL when the file has none. It must never print key
 * material. Sections without a printer are listed by name only.
 */
typedef void (*ss_cfg_section_dump_fn)(const struct ss_config *cfg,
	const config_setting_t *section, void *arg, FILE *f);

/** Attach a printer to an already registered section: 0 or -ENOENT. */
int
ss_cfg_register_section_dump(const char *name, ss_cfg_section_dump_fn dump);

/** Forget every registered section (tests). */
void
ss_cfg_unregister_all(void);

/** Parse a file. Returns 0, or -errno with err filled. 'cfg' is
 * overwritten (free a previously loaded one first) and, once loaded, must
 * not be copied or moved: the libconfig tree points into it. On error it
 * is left freed. @include paths are relative to the file's folder. */
int
ss_cfg_load(const char *path, struct ss_config *cfg,
	struct ss_cfg_error *err);

/** Parse text; 'name' is used as the file name in errors. */
int
ss_cfg_load_string(const char *text, const char *name,
	struct ss_config *cfg, struct ss_cfg_error *err);

/** Release what ss_cfg_load() kept. Safe on a zeroed struct. */
void
ss_cfg_free(struct ss_config *cfg);

/** The configuration compiled into the program (config/default.cfg). */
extern const char ss_cfg_default_text[];

/* ---- helpers for section parsers ---------------------------------- */

/** Fill err for setting s (file, line, path) with a printf message;
 * returns -EINVAL. s may be NULL (then only the message is set). */
int
ss_cfg_fail(struct ss_cfg_error *err, const config_setting_t *s,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Refuse any member of group s whose name is not in 'allowed'
 * (NULL-terminated). */
int
ss_cfg_check_keys(const config_setting_t *s, const char *const allowed[],
	struct ss_cfg_error *err);

/* Typed getters. 'required' false: *out is left untouched when absent and
 * 0 is returned. Wrong type or out of range: -EINVAL with err filled. */
int
ss_cfg_get_int(const config_setting_t *group, const char *name,
	bool required, int64_t min, int64_t max, int64_t *out,
	struct ss_cfg_error *err);
int
ss_cfg_get_bool(const config_setting_t *group, const char *name,
	bool required, bool *out, struct ss_cfg_error *err);
/* String copied into out (size len); too long is an error. */
int
ss_cfg_get_str(const config_setting_t *group, const char *name,
	bool required, char *out, size_t len, struct ss_cfg_error *err);
/* Exactly one of the 'choices' (NULL-terminated); *out is its index. */
int
ss_cfg_get_enum(const config_setting_t *group, const char *name,
	bool required, const char *const choices[], int *out,
	struct ss_cfg_error *err);
int
ss_cfg_get_ip(const config_setting_t *group, const char *name,
	bool required, struct ss_ipaddr *out, struct ss_cfg_error *err);
int
ss_cfg_get_prefix(const config_setting_t *group, const char *name,
	bool required, struct ss_prefix *out, struct ss_cfg_error *err);
int
ss_cfg_get_mac(const config_setting_t *group, const char *name,
	bool required, struct rte_ether_addr *out, struct ss_cfg_error *err);
/* Hex string ("0x..." or plain, ':' separators allowed) of exactly 'len'
 * bytes, or of any length up to len when *out_len is not NULL. */
int
ss_cfg_get_hex(const config_setting_t *group, const char *name,
	bool required, uint8_t *out, size_t len, size_t *out_len,
	struct ss_cfg_error *err);
/* Port referenced by name (ports[].name): *out is its index. */
int
ss_cfg_get_port(const struct ss_config *cfg, const config_setting_t *group,
	const char *name, bool required, uint8_t *out,
	struct ss_cfg_error *err);

/* Parse text forms without a config tree (used by the shell too).
 * 0 or -EINVAL; unused bytes of *out are zeroed (memcmp-able). A prefix
 * needs "/LEN"; its host bits are kept as written. */
int
ss_ipaddr_parse(const char *s, struct ss_ipaddr *out);
int
ss_prefix_parse(const char *s, struct ss_prefix *out);
/* "192.0.2.1" / "2001:db8::1"; buf at least INET6_ADDRSTRLEN + 4.
 * Never NULL when len > 0 ("?" for a bad family or short buffer). */
const char *
ss_ipaddr_str(const struct ss_ipaddr *a, char *buf, size_t len);
/* "192.0.2.0/24"; same rules as ss_ipaddr_str. */
const char *
ss_prefix_str(const struct ss_prefix *p, char *buf, size_t len);
/* Same family and equal address. */
bool
ss_ipaddr_equal(const struct ss_ipaddr *a, const struct ss_ipaddr *b);
/* a lies in p (same family, first p->len bits equal). */
bool
ss_prefix_contains(const struct ss_prefix *p, const struct ss_ipaddr *a);
/* "xx:xx:xx:xx:xx:xx" (or '-' separators): 0 or -EINVAL. */
int
ss_mac_parse(const char *s, struct rte_ether_addr *out);

/**
 * Check the servers' lcores against EAL, after rte_eal_init(): each must
 * be enabled and must not be the main (control) lcore. 'enabled' is
 * a wrapper around rte_lcore_is_enabled() (which returns int).
 * 0 or -EINVAL with err naming the server entry's file and line.
 */
int
ss_cfg_check_lcores(const struct ss_config *cfg,
	bool (*enabled)(unsigned int lcore), unsigned int main_lcore,
	struct ss_cfg_error *err);

/** Index of the port named 'name', or -1. */
int
ss_cfg_port_index(const struct ss_config *cfg, const char *name);

/** Print the effective configuration (no key material) to f, in
 * libconfig syntax that loads back to the same core settings; registered
 * sections are printed by their ss_cfg_section_dump_fn. */
void
ss_cfg_dump(const struct ss_config *cfg, FILE *f);

#endif /* SS_CONFIG_H */
