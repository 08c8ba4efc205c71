/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SA_H
#define SS_SA_H

/**
 * IPsec security associations and the SA database.
 *
 * One tunnel (one IKE peer) owns one outbound + one inbound SA per server.
 * Inbound SPIs carry the owning server's instance-id in their high bits
 * (lib/steer), so the server is read from the SPI, then a per-server hash
 * maps SPI -> SA. Outbound SAs sit in a per-server array indexed by tunnel.
 * SAs are added and removed at run time while workers run: readers take
 * no lock, removed SAs are freed (keys wiped) only after every worker has
 * reported a quiescent state on the database's rte_rcu_qsbr variable.
 * The data plane (lib/esp) hangs its crypto state on each SA through
 * ss_sa_db_set_dp(). Config section "ipsec" is parsed by ss_sa_cfg_*.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <rte_common.h>

#include "ss_config.h"

struct rte_rcu_qsbr;
struct rte_hash;

#define SS_SA_NAME_LEN 32
#define SS_SA_KEY_MAX 64
#define SS_SA_MAX_TS 8
#define SS_SA_MAX_TUNNELS 1024
#define SS_SA_REPLAY_MIN 64
#define SS_SA_REPLAY_MAX 4096
#define SS_SA_NATT_PORT 4500
#define SS_SA_TUNNEL_NONE UINT32_MAX	/* same value as SS_SPD_TUNNEL_NONE */

enum ss_sa_dir {
	SS_SA_DIR_IN = 0,
	SS_SA_DIR_OUT = 1,
};

enum ss_sa_mode {
	SS_SA_MODE_TUNNEL = 0,
	SS_SA_MODE_TRANSPORT = 1,
};

/* Key blob layout (IKEv2 KEYMAT order, RFC 7296 2.17: encryption key
 * first, then integrity key): GCM: key || 4-byte salt (RFC 4106 8.1);
 * CBC + HMAC: AES key || 32-byte HMAC key; NULL: 32-byte HMAC key. */
enum ss_sa_algo {
	SS_SA_ALGO_AES_GCM_128 = 0,	/* RFC 4106, 16-byte ICV, key 16+4 */
	SS_SA_ALGO_AES_GCM_256,		/* key 32+4 */
	SS_SA_ALGO_AES_CBC_128_HMAC_SHA256,	/* RFC 3602 + RFC 4868, 16+32 */
	SS_SA_ALGO_AES_CBC_256_HMAC_SHA256,	/* 32+32 */
	SS_SA_ALGO_NULL_HMAC_SHA256,	/* RFC 2410 + RFC 4868, 32 */
	SS_SA_ALGO_MAX
};

/* Crypto back-end of an SA (lib/esp/ss_crypto.h). */
enum ss_sa_backend {
	SS_SA_BACKEND_CPU = 0,		/* rte_cryptodev_sym_cpu_crypto_process */
	SS_SA_BACKEND_LOOKASIDE,	/* cryptodev enqueue/dequeue */
	SS_SA_BACKEND_INLINE,		/* rte_security inline crypto NIC */
	SS_SA_BACKEND_SWNIC,		/* software NIC: key push + ack */
	SS_SA_BACKEND_IPSEC_MB,		/* own ESP + intel-ipsec-mb direct */
	SS_SA_BACKEND_MAX
};

/* What config and IKE use unless told otherwise (tests/bench/run.sh
 * shows why: fewer cycles per packet than "cpu"). */
#define SS_SA_BACKEND_DEFAULT SS_SA_BACKEND_IPSEC_MB

/* Why a packet was dropped; per SA and per server (lib/esp). */
enum ss_sa_drop {
	SS_SA_DROP_UNKNOWN_SPI = 0,	/* no SA for SPI (+ destination) */
	SS_SA_DROP_WRONG_SERVER,	/* SPI's instance-id is another server's */
	SS_SA_DROP_NO_SA,		/* outbound: tunnel has no SA here */
	SS_SA_DROP_NOT_ESP,		/* neither IP proto 50 nor UDP-encap ESP */
	SS_SA_DROP_BAD_ENCAP,		/* UDP encapsulation differs from SA */
	SS_SA_DROP_TRUNCATED,		/* too short / misaligned ciphertext */
	SS_SA_DROP_REPLAY,		/* anti-replay: duplicate or too old */
	SS_SA_DROP_AUTH_FAILED,		/* ICV mismatch */
	SS_SA_DROP_BAD_PADDING,		/* pad bytes or next header wrong */
	SS_SA_DROP_SELECTOR_MISMATCH,	/* inner packet outside SA selectors */
	SS_SA_DROP_CRYPTO_ERROR,	/* crypto device error */
	SS_SA_DROP_TOO_BIG,		/* outbound result above outer MTU */
	SS_SA_DROP_NO_ROOM,		/* mbuf head/tail room too small */
	SS_SA_DROP_SEQ_OVERFLOW,	/* sequence number space exhausted */
	SS_SA_DROP_EXPIRED,		/* hard lifetime reached */
	SS_SA_DROP_BAD_INNER,		/* inner packet malformed / wrong family */
	SS_SA_DROP_BACKEND,		/* back-end not available for packets */
	SS_SA_DROP_PAUSED,		/* key not yet confirmed by the NIC */
	SS_SA_DROP_NOT_OFFLOADED,	/* inline SA: the NIC did not decrypt */
	SS_SA_DROP_MAX
};

/** Traffic selector checked on decrypted inbound packets. */
struct ss_sa_ts {
	struct ss_prefix src;		/* family 0: any */
	struct ss_prefix dst;
	uint8_t proto;			/* 0: any */
	uint16_t sport_lo, sport_hi;	/* 0..65535: any */
	uint16_t dport_lo, dport_hi;
};

/** What the control plane (config, IKE) gives to create an SA. */
struct ss_sa_params {
	uint32_t spi;
	enum ss_sa_dir dir;
	uint16_t server;		/* server index (not instance-id) */
	uint32_t tunnel;		/* tunnel index (ss_sa_tunnel_add) */
	enum ss_sa_algo algo;
	enum ss_sa_mode mode;
	enum ss_sa_backend backend;
	/* Outer addresses in tunnel mode, the endpoints in transport mode. */
	struct ss_ipaddr local;
	struct ss_ipaddr peer;
	/* Tunnel mode: family of the protected packets (AF_INET or
	 * AF_INET6; rte_ipsec binds one inner family to an SA). Transport:
	 * ignored (same as outer). */
	uint8_t inner_family;
	bool udp_encap;
	uint16_t encap_local_port;	/* host order; 0: 4500 */
	uint16_t encap_peer_port;	/* host order; 0: 4500 */
	bool esn;
	uint32_t replay_window;		/* inbound: 64..4096, power of two
					 * rounding by rte_ipsec; 0: 64 */
	uint16_t mtu;			/* outer MTU for outbound; 0: 1500 */
	uint8_t key[SS_SA_KEY_MAX];	/* see enum ss_sa_algo */
	uint8_t key_len;
	struct ss_sa_ts ts[SS_SA_MAX_TS];	/* inbound; none: any */
	uint8_t nb_ts;
	/* 0: no limit. The hard limits hold per packet: a packet is taken
	 * while the SA's counters before it are below both (outbound
	 * checked before encryption, inbound before delivery); the rest
	 * of a burst that reaches one is dropped as "expired". Bytes are
	 * inner packet bytes. The soft flag is set after the burst that
	 * reaches a soft limit. */
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	/* outbound: installed in standby, not the (tunnel, server) pick
	 * while that pick exists, until ss_sa_activate or until the pick is
	 * deleted (rekey responder, RFC 7296 2.8: keep sending on the old
	 * SA until the initiator has deleted it) */
	bool standby;
};

/** Written only by the owning server's worker; read by anyone. */
struct ss_sa_stats {
	uint64_t packets;
	uint64_t bytes;			/* inner (cleartext) bytes */
	uint64_t seq;			/* out: last sequence number sent */
	uint64_t replay_top;		/* in: highest sequence accepted */
	uint64_t drops[SS_SA_DROP_MAX];
	uint8_t soft_expired;
	uint8_t hard_expired;
} __rte_cache_aligned;

struct ss_sa_keys;

/** One SA. Everything but 'st' and 'dp' is read-only once added. */
struct ss_sa {
	uint32_t spi;
	uint8_t dir;			/* enum ss_sa_dir */
	uint8_t mode;			/* enum ss_sa_mode */
	uint8_t algo;			/* enum ss_sa_algo */
	uint8_t backend;		/* enum ss_sa_backend */
	uint16_t server;
	uint16_t instance_id;
	uint32_t tunnel;
	uint8_t inner_family;
	bool udp_encap;
	bool esn;
	uint16_t encap_local_port;	/* host order */
	uint16_t encap_peer_port;
	uint16_t mtu;
	uint32_t replay_window;
	struct ss_ipaddr local;
	struct ss_ipaddr peer;
	struct ss_sa_ts ts[SS_SA_MAX_TS];
	uint8_t nb_ts;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	void *dp;			/* data-plane state (lib/esp) */
	struct ss_sa_keys *keys;	/* opaque; never printed */
	TAILQ_ENTRY(ss_sa) next;	/* control plane list */
	bool active;			/* out: the (tunnel, server) pick */
	bool standby;			/* out: installed, waiting for
					 * ss_sa_activate */
	bool retiring;			/* in: its pair was replaced; it
					 * only decrypts what was already
					 * on the way, then goes */
	struct ss_sa_stats st;
};

struct ss_sa_tunnel_params {
	char name[SS_SA_NAME_LEN];
	struct ss_ipaddr local;
	struct ss_ipaddr peer;
};

struct ss_sa_tunnel {
	char name[SS_SA_NAME_LEN];
	struct ss_ipaddr local;
	struct ss_ipaddr peer;
	bool used;
	uint32_t nb_sa;
};

struct ss_sa_db_conf {
	const char *name;		/* unique per process */
	uint16_t nb_servers;
	uint8_t instance_bits;		/* 1..8 */
	const uint16_t *ids;		/* instance-id of server i */
	uint32_t max_tunnels;		/* <= SS_SA_MAX_TUNNELS; 0: 64 */
	uint32_t max_sa_per_server;	/* inbound hash size; 0: 1024 */
	int socket;
	/* server indexes the database can hold (servers added at run time
	 * with ss_sa_db_server_add); 0: nb_servers */
	uint16_t max_servers;
};

/* Data-plane hooks: create runs on ss_sa_add before the SA is published
 * (non-zero refuses the SA; err explains), destroy after the grace
 * period, before the keys are wiped. */
struct ss_sa_dp_ops {
	int (*create)(void *arg, struct ss_sa *sa,
		const struct ss_sa_params *p, char *err, size_t len);
	void (*destroy)(void *arg, struct ss_sa *sa);
};

struct ss_sa_db;

/**
 * Create a database. qsbr may be NULL only when no other thread reads
 * the database (SAs are then freed at once on delete). Returns NULL with
 * rte_errno set.
 */
struct ss_sa_db *
ss_sa_db_create(const struct ss_sa_db_conf *conf, struct rte_rcu_qsbr *qsbr);

/** Delete every SA, wait for readers (rte_rcu_qsbr_synchronize), free. */
void
ss_sa_db_free(struct ss_sa_db *db);

/** Install the data-plane hooks (before the first ss_sa_add). */
int
ss_sa_db_set_dp(struct ss_sa_db *db, const struct ss_sa_dp_ops *ops,
	void *arg);

/** Free what the readers have released. Returns the number still held. */
unsigned int
ss_sa_db_reclaim(struct ss_sa_db *db);

/** Last control-plane error of this database (a sentence, no keys). */
const char *
ss_sa_db_errstr(const struct ss_sa_db *db);

/** Number of server indexes (max_servers): live or not. */
uint16_t
ss_sa_db_nb_servers(const struct ss_sa_db *db);
uint32_t
ss_sa_db_max_tunnels(const struct ss_sa_db *db);
/** Server index owning an SPI (by its id bits), or 0xffff. */
uint16_t
ss_sa_db_server_of_spi(const struct ss_sa_db *db, uint32_t spi);
/**
 * The table behind ss_sa_db_server_of_spi, for a worker that asks it of
 * every packet without a call: entry spi >> (32 - *bits) is the owner.
 * It stays at this address while the database lives; entries change as
 * servers are added and deleted, as for ss_sa_db_server_of_spi.
 */
const uint16_t *
ss_sa_db_owner_table(const struct ss_sa_db *db, uint8_t *bits);
uint16_t
ss_sa_db_instance_id(const struct ss_sa_db *db, uint16_t server);

/** Add a tunnel; *idx receives its index. -EEXIST for a used name. */
int
ss_sa_tunnel_add(struct ss_sa_db *db, const struct ss_sa_tunnel_params *p,
	uint32_t *idx);
/** Remove a tunnel without SAs (-EBUSY otherwise). */
int
ss_sa_tunnel_del(struct ss_sa_db *db, uint32_t idx);
/** Index of a tunnel by name, or SS_SA_TUNNEL_NONE. */
uint32_t
ss_sa_tunnel_find(const struct ss_sa_db *db, const char *name);
const struct ss_sa_tunnel *
ss_sa_tunnel_get(const struct ss_sa_db *db, uint32_t idx);

/**
 * Allocate an inbound SPI for a server: its instance-id in the high bits,
 * random low bits, never 0..255, never live nor already reserved. The
 * SPI stays reserved until ss_sa_add uses it or ss_sa_spi_release.
 */
int
ss_sa_spi_alloc(struct ss_sa_db *db, uint16_t server, uint32_t *spi);
void
ss_sa_spi_release(struct ss_sa_db *db, uint32_t spi);

/**
 * Whether spi is reserved and its SA not yet added: an SA that is being
 * negotiated, whose peer may already send on it. Any lcore, no lock
 * (reserved SPIs are kept where workers can read them; an SPI stays
 * reserved until its SA is in the inbound table).
 */
bool
ss_sa_spi_pending(const struct ss_sa_db *db, uint32_t spi);

/**
 * Add an SA (keys copied; the caller wipes p). An inbound SPI must carry
 * the server's instance-id and be unused. An outbound SA becomes the
 * (tunnel, server) pick, replacing the previous one (rekey).
 * Returns 0 or -errno (reason in ss_sa_db_errstr).
 */
int
ss_sa_add(struct ss_sa_db *db, const struct ss_sa_params *p,
	struct ss_sa **out);

/**
 * Make a standby outbound SA of a tunnel the (tunnel, server) pick: the
 * workers encrypt with it from now on. 0 (also when it already is the
 * pick), -ENOENT (no outbound SA with that SPI in that tunnel).
 */
int
ss_sa_activate(struct ss_sa_db *db, uint32_t tunnel, uint32_t spi);

/**
 * Mark an inbound SA as retiring (shown by ss_sa_format): a rekey
 * replaced its pair and it is kept only for packets already sent on it.
 * The workers use it as before. 0, -ENOENT.
 */
int
ss_sa_retire(struct ss_sa_db *db, uint32_t spi);

/** Delete by SPI and direction; -ENOENT, -ENOTUNIQ (outbound SPI shared
 * by several tunnels: use ss_sa_del_sa). */
int
ss_sa_del(struct ss_sa_db *db, uint32_t spi, enum ss_sa_dir dir);
int
ss_sa_del_sa(struct ss_sa_db *db, struct ss_sa *sa);

/* ---- worker side (no locks; inside an RCU read-side section) -------- */

/** Inbound SA of 'server' for spi, or NULL. */
struct ss_sa *
ss_sa_lookup_in(const struct ss_sa_db *db, uint16_t server, uint32_t spi);

/*
 * One server's cache of inbound lookups (worker memory, zeroed before
 * use). An entry is valid while no inbound SA was deleted since it was
 * filled (the database's generation), so a cached pointer is never newer
 * than what the hash would return and is freed, like it, only after the
 * worker's next quiescent state.
 */
#define SS_SA_IN_CACHE_SIZE 64	/* power of two */
struct ss_sa_in_cache {
	struct {
		uint64_t gen;
		struct ss_sa *sa;
		uint32_t spi;
	} e[SS_SA_IN_CACHE_SIZE];
	uint64_t hits, misses;
};

/** The generation that cache entries are valid for: read once per burst
 * (acquire), before the probes. */
uint64_t
ss_sa_in_gen(const struct ss_sa_db *db);

static inline uint32_t
ss_sa_in_cache_slot(uint32_t spi)
{
	return (spi ^ spi >> 16) & (SS_SA_IN_CACHE_SIZE - 1);
}

/** The SA that c holds for spi under generation gen, or NULL: a miss
 * (entries are only filled with SAs that were found). For a caller that
 * goes packet by packet: on a miss it asks ss_sa_lookup_in, and enters
 * what was found with ss_sa_in_cache_fill once its burst is done, as
 * ss_sa_lookup_in_cached does; it counts hits and misses itself. */
static inline struct ss_sa *
ss_sa_in_cache_probe(const struct ss_sa_in_cache *c, uint64_t gen,
	uint32_t spi)
{
	const uint32_t h = ss_sa_in_cache_slot(spi);

	if (likely(c->e[h].spi == spi && c->e[h].gen == gen))
		return c->e[h].sa;
	return NULL;
}

static inline void
ss_sa_in_cache_fill(struct ss_sa_in_cache *c, uint64_t gen, uint32_t spi,
	struct ss_sa *sa)
{
	const uint32_t h = ss_sa_in_cache_slot(spi);

	if (sa == NULL)
		return;
	c->e[h].spi = spi;
	c->e[h].gen = gen;
	c->e[h].sa = sa;
}

/** ss_sa_lookup_in_bulk through c: n <= 64. */
void
ss_sa_lookup_in_cached(const struct ss_sa_db *db, uint16_t server,
	struct ss_sa_in_cache *c, const uint32_t spi[], uint32_t n,
	struct ss_sa *sas[]);

/** Bulk form: sas[i] NULL where not found. n <= 64. */
void
ss_sa_lookup_in_bulk(const struct ss_sa_db *db, uint16_t server,
	const uint32_t spi[], uint32_t n, struct ss_sa *sas[]);

/** Outbound SA array of a server, indexed by tunnel (entries may be
 * NULL); read entries with __atomic_load_n(..., __ATOMIC_ACQUIRE). */
struct ss_sa *const *
ss_sa_out_table(const struct ss_sa_db *db, uint16_t server);

/* ---- control-plane views ------------------------------------------- */

/** Call fn for every SA (add order); stops on non-zero return. */
int
ss_sa_walk(const struct ss_sa_db *db,
	int (*fn)(const struct ss_sa *sa, void *arg), void *arg);

/** One-line summary for the shell: SPI, instance-id, server, direction,
 * algorithm, mode, encap, sequence, replay top, packets, bytes, drops.
 * Never key bytes. Returns the snprintf length. */
int
ss_sa_format(const struct ss_sa *sa, char *buf, size_t len);

const char *ss_sa_drop_name(unsigned int reason);
const char *ss_sa_algo_name(unsigned int algo);
const char *ss_sa_backend_name(unsigned int backend);
/** Parse "aes-gcm-128" ...; -EINVAL. */
int ss_sa_algo_parse(const char *s, enum ss_sa_algo *out);
/** Key blob length the algorithm needs; 0 for an unknown one. */
uint8_t ss_sa_algo_key_len(enum ss_sa_algo algo);

/** Read-only access to the key copy for a data-plane hook. */
const uint8_t *
ss_sa_key(const struct ss_sa *sa, uint8_t *len);

/** Test hook: called with the key copy right after it is wiped, just
 * before it is freed. */
extern void (*ss_sa_test_key_freed)(const uint8_t *key, size_t len);

/* ---- servers added and removed at run time ------------------------- */

/**
 * Make the free server index 'server' (< max_servers) live with
 * instance-id 'id' (unused by a live server). Its tables are made the
 * first time the index is used and kept after ss_sa_db_server_del, so an
 * index is reused without allocation. 0, -EINVAL, -EEXIST, -ENOMEM
 * (reason in ss_sa_db_errstr).
 */
int
ss_sa_db_server_add(struct ss_sa_db *db, uint16_t server, uint16_t id);

/**
 * Delete every SA of a live server (keys wiped after the grace period,
 * as ss_sa_del), give back its reserved SPIs and free its instance-id:
 * SAs can no longer be added for it. Returns the number of SAs deleted,
 * or -EINVAL.
 */
int
ss_sa_db_server_del(struct ss_sa_db *db, uint16_t server);

/** Whether a server index is live. */
bool
ss_sa_db_server_live(const struct ss_sa_db *db, uint16_t server);

/* ---- configuration: section "ipsec" --------------------------------- */

#define SS_SA_CFG_MAX_TUNNELS 64
#define SS_SA_CFG_MAX_SAS 512

/*
 * ipsec = {
 *   replay_window = 1024;   # default for inbound SAs (64..4096)
 *   esn = true;             # default for all SAs
 *   backend = "ipsec-mb";   # "ipsec-mb" "cpu" "lookaside" "inline" "swnic"
 *   hold = {                # outbound packets waiting for an SA (lib/hold)
 *     packets = 128;        # per tunnel and server; 0: no hold (drop)
 *     bytes = 262144;       # per tunnel and server
 *     timeout_ms = 5000;    # a packet held this long is answered
 *     queues = 16;          # tunnels held at once per server (1..64)
 *     answer = "drop";      # overflow / timeout: "drop" or "icmp"
 *   };
 *   swnic = {               # software inline NIC (drivers/swnic)
 *     slots = 4096;         # key table entries
 *     latency_us = 200;     # how long it takes to store a key
 *   };
 *   inline = {              # rte_security inline crypto (drivers/inline)
 *     port = "outside";     # the port whose NIC encrypts and decrypts
 *     software = false;     # true: a software inline NIC on that port
 *                           # (drivers/swnic/ss_swnic_sec.h) instead of
 *                           # the PMD's own rte_security context
 *     sessions = 4096;      # rte_security sessions (2..65536)
 *   };
 *   tunnels = ( {
 *     name = "remote"; local = "198.51.100.1"; peer = "198.51.100.2";
 *     mode = "tunnel";      # or "transport"
 *     inner = "ipv4";       # tunnel mode: "ipv4" or "ipv6" (default: outer)
 *     udp_encap = false; encap_local_port = 4500; encap_peer_port = 4500;
 *     mtu = 1500;
 *     local_ts = [ "10.1.0.0/16" ]; remote_ts = [ "10.2.0.0/16" ];
 *     sas = ( { server = 1; dir = "out"; spi = 0x10000101;
 *               algo = "aes-gcm-128"; key = "0x...";
 *               replay_window = 128; esn = false; backend = "cpu"; } ); } );
 *   policies = ( ... );     # parsed by lib/spd (ss_spd_cfg_parse)
 * }
 * 'server' is the instance-id as in servers[].id.
 */
struct ss_sa_cfg_tunnel {
	struct ss_sa_tunnel_params tp;
	uint32_t first_sa;		/* index into sas[] */
	uint32_t nb_sas;
	/* where it was written, for errors found when it is applied */
	const config_setting_t *set;
};

/* Defaults of ipsec.hold, also when the section is absent. */
#define SS_SA_HOLD_PACKETS 128
#define SS_SA_HOLD_BYTES 262144
#define SS_SA_HOLD_TIMEOUT_MS 5000
#define SS_SA_HOLD_QUEUES 16
#define SS_SA_HOLD_MAX_PACKETS 4096	/* lib/hold's SS_HOLD_MAX_PACKETS */
#define SS_SA_HOLD_MAX_QUEUES 64	/* lib/hold's SS_HOLD_MAX_QUEUES */

struct ss_sa_cfg_hold {
	uint32_t packets;		/* 0: no hold, drop as no_sa */
	uint32_t bytes;
	uint32_t timeout_ms;
	uint16_t queues;
	bool icmp;			/* answer with ICMP unreachable */
};

#define SS_SA_SWNIC_SLOTS 4096
#define SS_SA_SWNIC_LATENCY_US 200
#define SS_SA_SWNIC_MAX_SLOTS 65536		/* SS_SWNIC_MAX_SLOTS */
#define SS_SA_SWNIC_MAX_LATENCY_US 10000000	/* SS_SWNIC_MAX_LATENCY_US */

#define SS_SA_INLINE_SESSIONS 4096
#define SS_SA_INLINE_MAX_SESSIONS 65536

struct ss_sa_cfg {
	bool present;
	uint32_t replay_window;
	bool esn;
	enum ss_sa_backend backend;	/* default of static and IKE SAs */
	struct ss_sa_cfg_hold hold;
	/* IPv4 with DF clear, too big once protected: fragmented before
	 * encryption (else dropped and counted) */
	bool fragment;
	/* the software NIC runs when 'swnic' is set or backend is swnic */
	bool swnic;
	uint32_t swnic_slots;
	uint32_t swnic_latency_us;
	/* ipsec.inline: the "inline" back-end runs on that port */
	bool inline_on;
	bool inline_software;
	uint8_t inline_port;		/* index into the config's ports */
	uint32_t inline_sessions;
	struct ss_sa_cfg_tunnel tunnels[SS_SA_CFG_MAX_TUNNELS];
	uint32_t nb_tunnels;
	struct ss_sa_params *sas;	/* nb_sas, malloc'd; keys inside */
	uint32_t nb_sas;
	const config_setting_t *sa_set[SS_SA_CFG_MAX_SAS];	/* of sas[] */
	const config_setting_t *policies;	/* NULL when absent */
};

/** Register the "ipsec" section; out (zeroed, or filled by an earlier
 * load: each parse clears it first) is filled by ss_cfg_load. */
int
ss_sa_cfg_register(struct ss_sa_cfg *out);

/** Wipe keys and free what parsing allocated. */
void
ss_sa_cfg_clear(struct ss_sa_cfg *c);

/** tunnel_by_name for ss_spd_cfg_parse (arg: struct ss_sa_cfg *): the
 * tunnel's position in tunnels[], which equals the index that
 * ss_sa_cfg_apply gives it in an empty database. */
uint32_t
ss_sa_cfg_tunnel_by_name(const char *name, void *arg);

/** Add the configured tunnels and SAs to db. Returns 0 or -errno with
 * err filled: what db (or its data plane) refused, at the file, line and
 * setting of the tunnel or SA (the configuration that c was parsed from
 * must still be loaded). */
int
ss_sa_cfg_apply(const struct ss_sa_cfg *c, struct ss_sa_db *db,
	struct ss_cfg_error *err);

#endif /* SS_SA_H */
