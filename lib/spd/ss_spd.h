/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SPD_H
#define SS_SPD_H

/**
 * Security Policy Database: PROTECT / BYPASS / DISCARD by 5-tuple, looked
 * up in bursts with rte_acl (one context per address family).
 *
 * The control lcore adds rules, builds a new immutable snapshot and
 * commits it (one atomic pointer swap); workers load the current snapshot
 * with ss_spd_snapshot_get() (acquire) once per burst. The replaced
 * snapshot is handed back to the caller, who frees it after an RCU grace
 * period (every worker has passed a quiescent point), so a worker never
 * sees a half-built or freed context.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "ss_config.h"

#define SS_SPD_MAX_RULES 8192
#define SS_SPD_NAME_LEN 32
#define SS_SPD_PRIO_MAX 65535

enum ss_spd_action {
	/* 0 is DISCARD so that a zeroed result fails closed */
	SS_SPD_DISCARD = 0,
	SS_SPD_PROTECT = 1,
	SS_SPD_BYPASS = 2,
};

/**
 * Lookup result encoding (uint32_t):
 *   bits 31..30  enum ss_spd_action
 *   bits 29..0   tunnel user value (PROTECT), 0 otherwise
 * SS_SPD_RES_MALFORMED (DISCARD, all tunnel bits set) marks a packet whose
 * headers could not be read; user tunnel values are <= SS_SPD_TUNNEL_MAX.
 */
#define SS_SPD_RES(action, tunnel) \
	((uint32_t)(action) << 30 | ((uint32_t)(tunnel) & 0x3fffffff))
#define SS_SPD_RES_ACTION(r) ((enum ss_spd_action)((uint32_t)(r) >> 30))
#define SS_SPD_RES_TUNNEL(r) ((uint32_t)(r) & 0x3fffffff)
#define SS_SPD_TUNNEL_MAX 0x3ffffffe
#define SS_SPD_RES_MALFORMED SS_SPD_RES(SS_SPD_DISCARD, 0x3fffffff)

/** What tunnel_by_name() returns for an unknown name. */
#define SS_SPD_TUNNEL_NONE UINT32_MAX

/**
 * One policy. Matching: lower 'priority' value wins; among equal
 * priorities the more specific rule wins (longer src + dst prefixes, then
 * a named protocol, then narrowed source, then destination ports).
 * Exact ties between overlapping rules are decided by rte_acl (undefined).
 * Ports are matched for TCP, UDP and SCTP; for ICMP (1) and ICMPv6 (58)
 * the sport range matches the ICMP type and dport the code. Other
 * protocols (and proto 0 = any) must keep the full 0-65535 ranges.
 * Non-first fragments carry no ports: they are looked up with ports 0.
 */
struct ss_spd_rule {
	uint32_t priority;		/* 0..SS_SPD_PRIO_MAX */
	uint8_t family;			/* AF_INET or AF_INET6 */
	struct ss_prefix src, dst;
	uint8_t proto;			/* 0 = any */
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	enum ss_spd_action action;
	uint32_t tunnel;		/* PROTECT: user value <= TUNNEL_MAX */
	char name[SS_SPD_NAME_LEN];
};

struct ss_spd;
struct ss_spd_snapshot;

/** Create an empty SPD (default action BYPASS). NULL + rte_errno. */
struct ss_spd *
ss_spd_create(const char *name, int socket);

/** Free the SPD and its current and pending snapshots; no worker may
 * still use them. */
void
ss_spd_destroy(struct ss_spd *spd);

/** Action when no rule matches (takes effect at the next build). */
int
ss_spd_set_default(struct ss_spd *spd, enum ss_spd_action action,
	uint32_t tunnel);

/**
 * Add a rule (effective after build + commit). The prefixes' host bits
 * are cleared. Returns the rule's id (>= 0, stable: it indexes the hit
 * counters) or -EINVAL (bad rule, duplicate non-empty name), -ENOSPC.
 */
int
ss_spd_add(struct ss_spd *spd, const struct ss_spd_rule *r);

/** Id of the rule with that name, or -ENOENT. */
int
ss_spd_find(const struct ss_spd *spd, const char *name);

/** Remove a rule by name (effective after build + commit). 0/-ENOENT. */
int
ss_spd_del(struct ss_spd *spd, const char *name);

/** Rules currently defined (deleted ones excluded). */
unsigned int
ss_spd_count(const struct ss_spd *spd);

/**
 * Build a new snapshot from the current rules into the pending slot
 * (replacing a pending one that was never committed). The committed
 * snapshot is untouched. Returns 0 or -errno (logged).
 */
int
ss_spd_build(struct ss_spd *spd);

/**
 * Publish the pending snapshot (release store). *old receives the one it
 * replaced (may be NULL): free it with ss_spd_snapshot_free() once no
 * worker can hold it (after an RCU grace period). -ENOENT: nothing built.
 */
int
ss_spd_commit(struct ss_spd *spd, void **old);

/** Free a snapshot returned by ss_spd_commit(). NULL is fine. */
void
ss_spd_snapshot_free(void *old);

/** The committed snapshot (acquire load); NULL before the first commit.
 * Workers call this once per burst. */
const struct ss_spd_snapshot *
ss_spd_snapshot_get(const struct ss_spd *spd);

/**
 * packet_type bit of lib/net's classification (SS_NET_PTYPE_IP4_CHECKED,
 * the same bit): with it and l2_len 14, the packet has an IPv4 header
 * without options, checked, and lies whole in its first segment, pkt_len
 * == data_len == 14 + total length. Lookups then build its key without
 * checking the IP header again (the result is the same).
 */
#define SS_SPD_PTYPE_IP4_CHECKED 0x10000000u

/**
 * Look up n packets (IPv4 and IPv6 mixed). The IP header starts at
 * m[i]->l2_len; SS_SPD_PTYPE_IP4_CHECKED in packet_type, where set, must
 * be true. res[i] is the encoded result (SS_SPD_RES_*). s NULL
 * (nothing committed yet) gives DISCARD for every packet: fail closed.
 */
void
ss_spd_lookup_burst(const struct ss_spd_snapshot *s, struct rte_mbuf **m,
	uint16_t n, uint32_t res[]);

/**
 * Same, and count hits into the worker's own array from
 * ss_spd_hits_alloc() (one increment per packet; no sharing).
 */
void
ss_spd_lookup_burst_hits(const struct ss_spd_snapshot *s,
	struct rte_mbuf **m, uint16_t n, uint32_t res[], uint64_t *hits);

/**
 * A worker's cache of IPv4 lookup results by exact 5-tuple, in front of
 * rte_acl: a flow's later packets skip the classifier. Never shared
 * between workers; entries of an older snapshot never match, so commits
 * need no flush. NULL + rte_errno on failure.
 */
struct ss_spd_cache;

struct ss_spd_cache *
ss_spd_cache_create(int socket);

void
ss_spd_cache_free(struct ss_spd_cache *c);

/** ss_spd_lookup_burst_hits through the worker's cache (NULL: none);
 * hits may be NULL. */
void
ss_spd_lookup_burst_cached(const struct ss_spd_snapshot *s,
	struct ss_spd_cache *cache, struct rte_mbuf **m, uint16_t n,
	uint32_t res[], uint64_t *hits);

/** Lookups answered by the cache and those that went to rte_acl (the
 * owner's counters, read from any thread). */
void
ss_spd_cache_stats(const struct ss_spd_cache *c, uint64_t *hit,
	uint64_t *miss);

/**
 * A zeroed per-worker hit counter array for 'slot' (0..RTE_MAX_LCORE-1,
 * e.g. the worker's lcore id), registered so that ss_spd_walk() sums it.
 * Indexes: rule id + 1; [0] = no rule matched (default action);
 * [SS_SPD_HITS_MALFORMED] = malformed packets. NULL + rte_errno.
 */
#define SS_SPD_HITS_MALFORMED (SS_SPD_MAX_RULES + 1)
#define SS_SPD_HITS_LEN (SS_SPD_MAX_RULES + 2)
uint64_t *
ss_spd_hits_alloc(struct ss_spd *spd, unsigned int slot);

/** Hits of the default action and of malformed packets, all workers. */
void
ss_spd_hits_other(const struct ss_spd *spd, uint64_t *dflt,
	uint64_t *malformed);

/**
 * Call cb for every rule in id order with its hits summed over all
 * workers' arrays (read without locks: a snapshot, not exact). Stops
 * and returns cb's value when it is non-zero; 0 at the end.
 */
int
ss_spd_walk(const struct ss_spd *spd,
	int (*cb)(const struct ss_spd_rule *r, uint64_t hits, void *arg),
	void *arg);

/** "protect", "bypass", "discard". */
const char *
ss_spd_action_name(enum ss_spd_action a);

/**
 * Parse a libconfig list of policies and add them to spd:
 *   ( { name = "to-remote"; src = "192.0.2.0/24"; dst = "203.0.113.0/24";
 *       proto = "udp";      # any icmp icmpv6 tcp udp sctp, or 0..255
 *       sport = "0-65535";  # N or "LO-HI"; tcp/udp/sctp only
 *       dport = 2152;
 *       icmp_type = 8; icmp_code = 0;   # icmp/icmpv6 only
 *       action = "protect"; # "protect" "bypass" "discard"
 *       tunnel = "remote";  # with protect only, resolved by tunnel_by_name
 *       priority = 10;      # 0..65535, lower wins; default 100
 *   } )
 * src / dst default to "any" of the other's family; one is required.
 * name defaults to "policy-N" (N: position in the list). Errors read
 * "FILE:LINE: PATH: WHAT" (ss_cfg_fail). Returns 0 or -EINVAL.
 * Rules are added only; build + commit are the caller's.
 */
int
ss_spd_cfg_parse(const struct ss_config *cfg, const config_setting_t *list,
	struct ss_spd *spd,
	uint32_t (*tunnel_by_name)(const char *name, void *arg), void *arg,
	struct ss_cfg_error *err);

#endif /* SS_SPD_H */
