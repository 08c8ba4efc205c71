/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "ss_steer.h"
#include "ss_sa.h"

RTE_LOG_REGISTER(ss_sa_logtype, shardsec.sa, INFO);
#define SS_SA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_sa_logtype, "sa: " fmt "\n", \
		##__VA_ARGS__)

#define SS_SA_MAX_RESERVED 256

struct ss_sa_keys {
	uint8_t len;
	uint8_t key[SS_SA_KEY_MAX];
};

/* What waits in the defer queue for the readers' grace period. */
struct ss_sa_dq_elem {
	struct ss_sa *sa;
	int32_t key_pos;		/* inbound hash slot, -1 if none */
	uint16_t server;
};

struct ss_sa_srv {
	struct rte_hash *in;
	struct ss_sa **out;		/* [max_tunnels] */
	uint16_t id;
	bool live;
} __rte_cache_aligned;

struct ss_sa_db {
	char name[RTE_HASH_NAMESIZE];
	uint16_t nb_servers;
	uint8_t bits;
	uint32_t max_tunnels;
	uint32_t max_sa;
	int socket;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
	uint16_t server_of_id[SS_STEER_MAX_IDS];
	struct ss_sa_dp_ops dp;
	void *dp_arg;
	pthread_mutex_t lock;		/* control plane only */
	TAILQ_HEAD(, ss_sa) sas;
	struct ss_sa_tunnel *tunnels;
	uint32_t reserved[SS_SA_MAX_RESERVED];
	uint32_t nb_reserved;
	/* The same SPIs for the workers (ss_sa_spi_pending): slots that
	 * never move, 0 when free, written with atomic stores; pend_hw is
	 * one past the highest slot ever used. */
	uint32_t pend[SS_SA_MAX_RESERVED];
	uint32_t pend_hw;
	char err[256];
	struct ss_sa_srv *srv;
	/* Bumped when an inbound SA leaves (ss_sa_in_cache); from 1 so
	 * that a zeroed cache entry is never valid. */
	uint64_t in_gen __rte_cache_aligned;
};

void (*ss_sa_test_key_freed)(const uint8_t *key, size_t len);

static const char *const drop_names[SS_SA_DROP_MAX] = {
	[SS_SA_DROP_UNKNOWN_SPI] = "unknown_spi",
	[SS_SA_DROP_WRONG_SERVER] = "wrong_server",
	[SS_SA_DROP_NO_SA] = "no_sa",
	[SS_SA_DROP_NOT_ESP] = "not_esp",
	[SS_SA_DROP_BAD_ENCAP] = "bad_encap",
	[SS_SA_DROP_TRUNCATED] = "truncated",
	[SS_SA_DROP_REPLAY] = "replay",
	[SS_SA_DROP_AUTH_FAILED] = "auth_failed",
	[SS_SA_DROP_BAD_PADDING] = "bad_padding",
	[SS_SA_DROP_SELECTOR_MISMATCH] = "selector_mismatch",
	[SS_SA_DROP_CRYPTO_ERROR] = "crypto_error",
	[SS_SA_DROP_TOO_BIG] = "too_big",
	[SS_SA_DROP_NO_ROOM] = "no_room",
	[SS_SA_DROP_SEQ_OVERFLOW] = "seq_overflow",
	[SS_SA_DROP_EXPIRED] = "expired",
	[SS_SA_DROP_BAD_INNER] = "bad_inner",
	[SS_SA_DROP_BACKEND] = "backend",
	[SS_SA_DROP_PAUSED] = "paused",
	[SS_SA_DROP_NOT_OFFLOADED] = "not_offloaded",
};

static const char *const algo_names[SS_SA_ALGO_MAX] = {
	[SS_SA_ALGO_AES_GCM_128] = "aes-gcm-128",
	[SS_SA_ALGO_AES_GCM_256] = "aes-gcm-256",
	[SS_SA_ALGO_AES_CBC_128_HMAC_SHA256] = "aes-cbc-128-hmac-sha256",
	[SS_SA_ALGO_AES_CBC_256_HMAC_SHA256] = "aes-cbc-256-hmac-sha256",
	[SS_SA_ALGO_NULL_HMAC_SHA256] = "null-hmac-sha256",
};

static const uint8_t algo_key_len[SS_SA_ALGO_MAX] = {
	[SS_SA_ALGO_AES_GCM_128] = 20,
	[SS_SA_ALGO_AES_GCM_256] = 36,
	[SS_SA_ALGO_AES_CBC_128_HMAC_SHA256] = 48,
	[SS_SA_ALGO_AES_CBC_256_HMAC_SHA256] = 64,
	[SS_SA_ALGO_NULL_HMAC_SHA256] = 32,
};

static const char *const backend_names[SS_SA_BACKEND_MAX] = {
	[SS_SA_BACKEND_CPU] = "cpu",
	[SS_SA_BACKEND_LOOKASIDE] = "lookaside",
	[SS_SA_BACKEND_INLINE] = "inline",
	[SS_SA_BACKEND_SWNIC] = "swnic",
	[SS_SA_BACKEND_IPSEC_MB] = "ipsec-mb",
};

const char *
ss_sa_drop_name(unsigned int reason)
{
	return reason < SS_SA_DROP_MAX ? drop_names[reason] : "?";
}

const char *
ss_sa_algo_name(unsigned int algo)
{
	return algo < SS_SA_ALGO_MAX ? algo_names[algo] : "?";
}

const char *
ss_sa_backend_name(unsigned int backend)
{
	return backend < SS_SA_BACKEND_MAX ? backend_names[backend] : "?";
}

int
ss_sa_algo_parse(const char *s, enum ss_sa_algo *out)
{
	unsigned int i;

	for (i = 0; i < SS_SA_ALGO_MAX; i++)
		if (strcasecmp(s, algo_names[i]) == 0) {
			*out = (enum ss_sa_algo)i;
			return 0;
		}
	return -EINVAL;
}

uint8_t
ss_sa_algo_key_len(enum ss_sa_algo algo)
{
	return (unsigned int)algo < SS_SA_ALGO_MAX ? algo_key_len[algo] : 0;
}

static int
db_fail(struct ss_sa_db *db, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
db_fail(struct ss_sa_db *db, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
	SS_SA_LOG(DEBUG, "%s", db->err);
	return rc;
}

const char *
ss_sa_db_errstr(const struct ss_sa_db *db)
{
	return db->err;
}

static void
sa_destroy(struct ss_sa_db *db, struct ss_sa *sa)
{
	if (db->dp.destroy != NULL && sa->dp != NULL)
		db->dp.destroy(db->dp_arg, sa);
	sa->dp = NULL;
	if (sa->keys != NULL) {
		explicit_bzero(sa->keys, sizeof(*sa->keys));
		if (ss_sa_test_key_freed != NULL)
			ss_sa_test_key_freed(sa->keys->key,
				sizeof(sa->keys->key));
		rte_free(sa->keys);
		sa->keys = NULL;
	}
	rte_free(sa);
}

static void
dq_free(void *p, void *e, unsigned int n)
{
	struct ss_sa_db *db = p;
	struct ss_sa_dq_elem *el = e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (el[i].key_pos >= 0)
			rte_hash_free_key_with_position(
				db->srv[el[i].server].in, el[i].key_pos);
		sa_destroy(db, el[i].sa);
	}
}

/* Inbound hash and outbound table of a server index (once). */
static int
srv_tables(struct ss_sa_db *db, uint16_t i)
{
	char name[RTE_HASH_NAMESIZE + 16];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = db->max_sa,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = db->socket,
		/* one writer (control lcore), lock-free readers */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	if (db->srv[i].in == NULL) {
		snprintf(name, sizeof(name), "sa_%.16s_%u", db->name, i);
		db->srv[i].in = rte_hash_create(&hp);
	}
	if (db->srv[i].out == NULL)
		db->srv[i].out = rte_zmalloc_socket("ss_sa_out",
			sizeof(struct ss_sa *) * db->max_tunnels,
			RTE_CACHE_LINE_SIZE, db->socket);
	return db->srv[i].in != NULL && db->srv[i].out != NULL ? 0 :
		-ENOMEM;
}

struct ss_sa_db *
ss_sa_db_create(const struct ss_sa_db_conf *conf, struct rte_rcu_qsbr *qsbr)
{
	struct ss_sa_db *db;
	char name[RTE_HASH_NAMESIZE + 16];
	uint16_t i, slots;

	if (conf == NULL || conf->name == NULL || conf->nb_servers == 0 ||
			conf->instance_bits < 1 ||
			conf->instance_bits > SS_STEER_MAX_BITS ||
			conf->ids == NULL ||
			conf->max_tunnels > SS_SA_MAX_TUNNELS ||
			conf->nb_servers > (1u << conf->instance_bits) ||
			(conf->max_servers != 0 &&
			 conf->max_servers < conf->nb_servers) ||
			conf->max_servers > SS_STEER_MAX_SERVERS) {
		rte_errno = EINVAL;
		return NULL;
	}
	slots = conf->max_servers ? conf->max_servers : conf->nb_servers;
	db = rte_zmalloc_socket("ss_sa_db", sizeof(*db), RTE_CACHE_LINE_SIZE,
		conf->socket);
	if (db == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(db->name, sizeof(db->name), "%s", conf->name);
	db->nb_servers = slots;
	db->bits = conf->instance_bits;
	db->max_tunnels = conf->max_tunnels ? conf->max_tunnels : 64;
	db->max_sa = conf->max_sa_per_server ? conf->max_sa_per_server : 1024;
	db->socket = conf->socket;
	db->qsbr = qsbr;
	db->in_gen = 1;
	pthread_mutex_init(&db->lock, NULL);
	TAILQ_INIT(&db->sas);
	for (i = 0; i < SS_STEER_MAX_IDS; i++)
		db->server_of_id[i] = SS_STEER_OWNER_NONE;
	db->tunnels = rte_zmalloc_socket("ss_sa_tun",
		sizeof(*db->tunnels) * db->max_tunnels, 0, conf->socket);
	db->srv = rte_zmalloc_socket("ss_sa_srv",
		sizeof(*db->srv) * db->nb_servers, RTE_CACHE_LINE_SIZE,
		conf->socket);
	if (db->tunnels == NULL || db->srv == NULL)
		goto nomem;
	for (i = 0; i < conf->nb_servers; i++) {
		uint16_t id = conf->ids[i];

		if (id >= (1u << db->bits) ||
				db->server_of_id[id] != SS_STEER_OWNER_NONE) {
			rte_errno = EINVAL;
			goto fail;
		}
		if (srv_tables(db, i) < 0)
			goto nomem;
		db->server_of_id[id] = i;
		db->srv[i].id = id;
		db->srv[i].live = true;
	}
	if (qsbr != NULL) {
		struct rte_rcu_qsbr_dq_parameters dp = {
			.name = name,
			.size = db->max_sa * db->nb_servers + 64,
			.trigger_reclaim_limit = 0,
			.max_reclaim_size = 32,
			.esize = sizeof(struct ss_sa_dq_elem),
			.free_fn = dq_free,
			.p = db,
			.v = qsbr,
		};

		snprintf(name, sizeof(name), "sa_%.16s_dq", db->name);
		db->dq = rte_rcu_qsbr_dq_create(&dp);
		if (db->dq == NULL)
			goto nomem;
	}
	return db;
nomem:
	rte_errno = ENOMEM;
fail:
	{
		int e = rte_errno;

		ss_sa_db_free(db);
		rte_errno = e;
	}
	return NULL;
}

uint16_t
ss_sa_db_nb_servers(const struct ss_sa_db *db)
{
	return db->nb_servers;
}

uint32_t
ss_sa_db_max_tunnels(const struct ss_sa_db *db)
{
	return db->max_tunnels;
}

uint16_t
ss_sa_db_server_of_spi(const struct ss_sa_db *db, uint32_t spi)
{
	return db->server_of_id[ss_steer_id_get(spi, db->bits)];
}

const uint16_t *
ss_sa_db_owner_table(const struct ss_sa_db *db, uint8_t *bits)
{
	*bits = db->bits;
	return db->server_of_id;
}

uint16_t
ss_sa_db_instance_id(const struct ss_sa_db *db, uint16_t server)
{
	return server < db->nb_servers && db->srv[server].live ?
		db->srv[server].id : 0xffff;
}

int
ss_sa_db_set_dp(struct ss_sa_db *db, const struct ss_sa_dp_ops *ops,
	void *arg)
{
	if (db == NULL || ops == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	if (!TAILQ_EMPTY(&db->sas)) {
		pthread_mutex_unlock(&db->lock);
		return -EBUSY;
	}
	db->dp = *ops;
	db->dp_arg = arg;
	pthread_mutex_unlock(&db->lock);
	return 0;
}

unsigned int
ss_sa_db_reclaim(struct ss_sa_db *db)
{
	unsigned int freed = 0, pending = 0, avail = 0;

	if (db->dq == NULL)
		return 0;
	pthread_mutex_lock(&db->lock);
	rte_rcu_qsbr_dq_reclaim(db->dq, UINT32_MAX, &freed, &pending, &avail);
	pthread_mutex_unlock(&db->lock);
	return pending;
}

void
ss_sa_db_free(struct ss_sa_db *db)
{
	struct ss_sa *sa;
	uint16_t i;

	if (db == NULL)
		return;
	while ((sa = TAILQ_FIRST(&db->sas)) != NULL)
		ss_sa_del_sa(db, sa);
	if (db->dq != NULL) {
		/* Workers may still be inside a read-side section. */
		rte_rcu_qsbr_synchronize(db->qsbr, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(db->dq, UINT32_MAX, NULL, NULL, NULL);
		rte_rcu_qsbr_dq_delete(db->dq);
	}
	if (db->srv != NULL) {
		for (i = 0; i < db->nb_servers; i++) {
			rte_hash_free(db->srv[i].in);
			rte_free(db->srv[i].out);
		}
	}
	rte_free(db->srv);
	rte_free(db->tunnels);
	pthread_mutex_destroy(&db->lock);
	rte_free(db);
}

/* ---- tunnels -------------------------------------------------------- */

uint32_t
ss_sa_tunnel_find(const struct ss_sa_db *db, const char *name)
{
	uint32_t i;

	for (i = 0; i < db->max_tunnels; i++)
		if (db->tunnels[i].used &&
				strcmp(db->tunnels[i].name, name) == 0)
			return i;
	return SS_SA_TUNNEL_NONE;
}

const struct ss_sa_tunnel *
ss_sa_tunnel_get(const struct ss_sa_db *db, uint32_t idx)
{
	if (idx >= db->max_tunnels || !db->tunnels[idx].used)
		return NULL;
	return &db->tunnels[idx];
}

int
ss_sa_tunnel_add(struct ss_sa_db *db, const struct ss_sa_tunnel_params *p,
	uint32_t *idx)
{
	uint32_t i;
	int rc = 0;

	if (p == NULL || p->name[0] == '\0' ||
			memchr(p->name, '\0', sizeof(p->name)) == NULL)
		return db_fail(db, -EINVAL, "tunnel needs a name");
	pthread_mutex_lock(&db->lock);
	if (ss_sa_tunnel_find(db, p->name) != SS_SA_TUNNEL_NONE) {
		rc = db_fail(db, -EEXIST, "tunnel '%s' exists", p->name);
		goto out;
	}
	for (i = 0; i < db->max_tunnels; i++)
		if (!db->tunnels[i].used)
			break;
	if (i == db->max_tunnels) {
		rc = db_fail(db, -ENOSPC, "no room for tunnel '%s' (max %u)",
			p->name, db->max_tunnels);
		goto out;
	}
	memset(&db->tunnels[i], 0, sizeof(db->tunnels[i]));
	memcpy(db->tunnels[i].name, p->name, sizeof(p->name));
	db->tunnels[i].local = p->local;
	db->tunnels[i].peer = p->peer;
	db->tunnels[i].used = true;
	if (idx != NULL)
		*idx = i;
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int
ss_sa_tunnel_del(struct ss_sa_db *db, uint32_t idx)
{
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (idx >= db->max_tunnels || !db->tunnels[idx].used)
		rc = db_fail(db, -ENOENT, "no tunnel %u", idx);
	else if (db->tunnels[idx].nb_sa != 0)
		rc = db_fail(db, -EBUSY, "tunnel '%s' still has %u SAs",
			db->tunnels[idx].name, db->tunnels[idx].nb_sa);
	else
		db->tunnels[idx].used = false;
	pthread_mutex_unlock(&db->lock);
	return rc;
}

/* ---- SPIs ----------------------------------------------------------- */

static bool
spi_reserved(const struct ss_sa_db *db, uint32_t spi)
{
	uint32_t i;

	for (i = 0; i < db->nb_reserved; i++)
		if (db->reserved[i] == spi)
			return true;
	return false;
}

static void
pend_set(struct ss_sa_db *db, uint32_t spi)
{
	uint32_t i;

	for (i = 0; i < SS_SA_MAX_RESERVED; i++)
		if (db->pend[i] == 0) {
			__atomic_store_n(&db->pend[i], spi, __ATOMIC_RELEASE);
			if (i >= db->pend_hw)
				__atomic_store_n(&db->pend_hw, i + 1,
					__ATOMIC_RELEASE);
			return;
		}
}

static void
pend_clear(struct ss_sa_db *db, uint32_t spi)
{
	uint32_t i;

	for (i = 0; i < db->pend_hw; i++)
		if (db->pend[i] == spi) {
			__atomic_store_n(&db->pend[i], 0, __ATOMIC_RELEASE);
			return;
		}
}

bool
ss_sa_spi_pending(const struct ss_sa_db *db, uint32_t spi)
{
	const uint32_t hw = __atomic_load_n(&db->pend_hw, __ATOMIC_ACQUIRE);
	uint32_t i;

	if (spi == 0)
		return false;
	for (i = 0; i < hw; i++)
		if (__atomic_load_n(&db->pend[i], __ATOMIC_RELAXED) == spi)
			return true;
	return false;
}

static bool
spi_live_in(const struct ss_sa_db *db, uint16_t server, uint32_t spi)
{
	return rte_hash_lookup(db->srv[server].in, &spi) >= 0;
}

int
ss_sa_spi_alloc(struct ss_sa_db *db, uint16_t server, uint32_t *spi)
{
	unsigned int tries;
	int rc = -EAGAIN;

	if (server >= db->nb_servers || !db->srv[server].live ||
			spi == NULL)
		return db_fail(db, -EINVAL, "no server %u", server);
	pthread_mutex_lock(&db->lock);
	if (db->nb_reserved == SS_SA_MAX_RESERVED) {
		rc = db_fail(db, -ENOSPC, "too many reserved SPIs");
		goto out;
	}
	/* 2^(32-bits) candidates per server: a free one is found at once
	 * unless the table is nearly full. */
	for (tries = 0; tries < 1000; tries++) {
		uint32_t v = ss_steer_spi_make(db->srv[server].id, db->bits,
			(uint32_t)rte_rand());

		if (v < 256 || spi_live_in(db, server, v) ||
				spi_reserved(db, v))
			continue;
		db->reserved[db->nb_reserved++] = v;
		pend_set(db, v);
		*spi = v;
		rc = 0;
		break;
	}
	if (rc != 0)
		db_fail(db, rc, "no free SPI for server %u", server);
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static void
spi_unreserve(struct ss_sa_db *db, uint32_t spi)
{
	uint32_t i;

	for (i = 0; i < db->nb_reserved; i++)
		if (db->reserved[i] == spi) {
			db->reserved[i] = db->reserved[--db->nb_reserved];
			pend_clear(db, spi);
			return;
		}
}

void
ss_sa_spi_release(struct ss_sa_db *db, uint32_t spi)
{
	pthread_mutex_lock(&db->lock);
	spi_unreserve(db, spi);
	pthread_mutex_unlock(&db->lock);
}

/* ---- SAs ------------------------------------------------------------ */

const uint8_t *
ss_sa_key(const struct ss_sa *sa, uint8_t *len)
{
	if (sa->keys == NULL) {
		*len = 0;
		return NULL;
	}
	*len = sa->keys->len;
	return sa->keys->key;
}

static int
check_params(struct ss_sa_db *db, const struct ss_sa_params *p)
{
	uint8_t fam;
	unsigned int i;

	if (p->server >= db->nb_servers || !db->srv[p->server].live)
		return db_fail(db, -EINVAL, "SPI 0x%08x: no server index %u",
			p->spi, p->server);
	if (p->tunnel >= db->max_tunnels || !db->tunnels[p->tunnel].used)
		return db_fail(db, -EINVAL, "SPI 0x%08x: no tunnel %u",
			p->spi, p->tunnel);
	if (p->spi < 256)
		return db_fail(db, -EINVAL,
			"SPI 0x%08x: 0..255 are reserved (RFC 4303)", p->spi);
	if (p->dir != SS_SA_DIR_IN && p->dir != SS_SA_DIR_OUT)
		return db_fail(db, -EINVAL, "SPI 0x%08x: bad direction",
			p->spi);
	if ((unsigned int)p->algo >= SS_SA_ALGO_MAX)
		return db_fail(db, -EINVAL, "SPI 0x%08x: bad algorithm",
			p->spi);
	if (p->key_len != algo_key_len[p->algo])
		return db_fail(db, -EINVAL,
			"SPI 0x%08x: %s needs a %u-byte key, got %u", p->spi,
			algo_names[p->algo], algo_key_len[p->algo],
			p->key_len);
	if (p->mode != SS_SA_MODE_TUNNEL && p->mode != SS_SA_MODE_TRANSPORT)
		return db_fail(db, -EINVAL, "SPI 0x%08x: bad mode", p->spi);
	if ((unsigned int)p->backend >= SS_SA_BACKEND_MAX)
		return db_fail(db, -EINVAL, "SPI 0x%08x: bad back-end",
			p->spi);
	fam = p->local.family;
	if ((fam != AF_INET && fam != AF_INET6) || p->peer.family != fam)
		return db_fail(db, -EINVAL,
			"SPI 0x%08x: local and peer must be both IPv4 or both IPv6",
			p->spi);
	if (p->mode == SS_SA_MODE_TUNNEL && p->inner_family != 0 &&
			p->inner_family != AF_INET &&
			p->inner_family != AF_INET6)
		return db_fail(db, -EINVAL, "SPI 0x%08x: bad inner family",
			p->spi);
	if (p->dir == SS_SA_DIR_IN && p->replay_window != 0 &&
			(p->replay_window < SS_SA_REPLAY_MIN ||
			 p->replay_window > SS_SA_REPLAY_MAX))
		return db_fail(db, -EINVAL,
			"SPI 0x%08x: replay window %u outside %u..%u", p->spi,
			p->replay_window, SS_SA_REPLAY_MIN, SS_SA_REPLAY_MAX);
	if (p->nb_ts > SS_SA_MAX_TS)
		return db_fail(db, -EINVAL, "SPI 0x%08x: too many selectors",
			p->spi);
	for (i = 0; i < p->nb_ts; i++)
		if (p->ts[i].src.addr.family != 0 &&
				p->ts[i].dst.addr.family != 0 &&
				p->ts[i].src.addr.family !=
				p->ts[i].dst.addr.family)
			return db_fail(db, -EINVAL,
				"SPI 0x%08x: selector %u mixes families",
				p->spi, i);
	if (p->dir == SS_SA_DIR_IN) {
		uint16_t owner = ss_sa_db_server_of_spi(db, p->spi);

		if (owner != p->server)
			return db_fail(db, -EINVAL,
				"inbound SPI 0x%08x carries instance-id %u, not server %u's id %u",
				p->spi, ss_steer_id_get(p->spi, db->bits),
				p->server, db->srv[p->server].id);
		if (spi_live_in(db, p->server, p->spi))
			return db_fail(db, -EEXIST,
				"inbound SPI 0x%08x is in use", p->spi);
	}
	return 0;
}

/* The newest other outbound SA of (tunnel, server), for when the active
 * one goes away. */
static struct ss_sa *
out_successor(struct ss_sa_db *db, const struct ss_sa *gone)
{
	struct ss_sa *sa, *best = NULL;

	TAILQ_FOREACH(sa, &db->sas, next)
		if (sa != gone && sa->dir == SS_SA_DIR_OUT &&
				sa->tunnel == gone->tunnel &&
				sa->server == gone->server)
			best = sa;
	return best;
}

int
ss_sa_add(struct ss_sa_db *db, const struct ss_sa_params *p,
	struct ss_sa **out)
{
	struct ss_sa *sa;
	struct ss_sa **slot;
	char err[200];
	int rc;

	if (db == NULL || p == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	rc = check_params(db, p);
	if (rc != 0)
		goto unlock;
	sa = rte_zmalloc_socket("ss_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE,
		db->socket);
	if (sa == NULL) {
		rc = db_fail(db, -ENOMEM, "no memory for SA");
		goto unlock;
	}
	sa->keys = rte_zmalloc_socket("ss_sa_key", sizeof(*sa->keys), 0,
		db->socket);
	if (sa->keys == NULL) {
		rte_free(sa);
		rc = db_fail(db, -ENOMEM, "no memory for SA");
		goto unlock;
	}
	sa->spi = p->spi;
	sa->dir = p->dir;
	sa->mode = p->mode;
	sa->algo = p->algo;
	sa->backend = p->backend;
	sa->server = p->server;
	sa->instance_id = db->srv[p->server].id;
	sa->tunnel = p->tunnel;
	sa->inner_family = p->mode == SS_SA_MODE_TUNNEL &&
		p->inner_family != 0 ? p->inner_family : p->local.family;
	sa->udp_encap = p->udp_encap;
	sa->esn = p->esn;
	sa->encap_local_port = p->encap_local_port ? p->encap_local_port :
		SS_SA_NATT_PORT;
	sa->encap_peer_port = p->encap_peer_port ? p->encap_peer_port :
		SS_SA_NATT_PORT;
	sa->mtu = p->mtu ? p->mtu : 1500;
	sa->replay_window = p->dir == SS_SA_DIR_IN ?
		(p->replay_window ? p->replay_window : SS_SA_REPLAY_MIN) : 0;
	sa->local = p->local;
	sa->peer = p->peer;
	memcpy(sa->ts, p->ts, sizeof(sa->ts));
	sa->nb_ts = p->nb_ts;
	sa->soft_bytes = p->soft_bytes;
	sa->hard_bytes = p->hard_bytes;
	sa->soft_packets = p->soft_packets;
	sa->hard_packets = p->hard_packets;
	sa->keys->len = p->key_len;
	memcpy(sa->keys->key, p->key, p->key_len);

	if (db->dp.create != NULL) {
		err[0] = '\0';
		rc = db->dp.create(db->dp_arg, sa, p, err, sizeof(err));
		if (rc != 0) {
			sa->dp = NULL;
			sa_destroy(db, sa);
			rc = db_fail(db, rc < 0 ? rc : -EINVAL,
				"SPI 0x%08x: %s", p->spi,
				err[0] ? err : "data plane refused the SA");
			goto unlock;
		}
	}

	if (sa->dir == SS_SA_DIR_IN) {
		rc = rte_hash_add_key_data(db->srv[sa->server].in, &sa->spi,
			sa);
		if (rc < 0) {
			sa_destroy(db, sa);
			rc = db_fail(db, rc, "SPI 0x%08x: inbound table full",
				p->spi);
			goto unlock;
		}
		spi_unreserve(db, sa->spi);
	} else {
		slot = &db->srv[sa->server].out[sa->tunnel];
		if (p->standby && *slot != NULL) {
			/* the current pick stays until activation */
			sa->standby = true;
		} else {
			if (*slot != NULL)
				(*slot)->active = false;
			sa->active = true;
			/* Publish after the SA is fully built. */
			__atomic_store_n(slot, sa, __ATOMIC_RELEASE);
		}
	}
	TAILQ_INSERT_TAIL(&db->sas, sa, next);
	db->tunnels[sa->tunnel].nb_sa++;
	if (out != NULL)
		*out = sa;
	rc = 0;
	SS_SA_LOG(INFO, "added %s SA 0x%08x server %u (id %u) tunnel '%s' %s%s",
		sa->dir == SS_SA_DIR_IN ? "inbound" : "outbound", sa->spi,
		sa->server, sa->instance_id, db->tunnels[sa->tunnel].name,
		algo_names[sa->algo], sa->standby ? " (standby)" : "");
unlock:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static int
del_locked(struct ss_sa_db *db, struct ss_sa *sa)
{
	struct ss_sa_dq_elem el = { .sa = sa, .key_pos = -1,
		.server = sa->server };

	if (sa->dir == SS_SA_DIR_IN) {
		int32_t pos = rte_hash_del_key(db->srv[sa->server].in,
			&sa->spi);

		/* LF mode keeps the slot until readers are done with it. */
		if (pos >= 0)
			el.key_pos = pos;
		/* After the hash: a worker that sees the new generation
		 * looks the SPI up again and no longer finds it. */
		__atomic_fetch_add(&db->in_gen, 1, __ATOMIC_RELEASE);
	} else {
		struct ss_sa **slot = &db->srv[sa->server].out[sa->tunnel];

		if (*slot == sa) {
			struct ss_sa *next = out_successor(db, sa);

			if (next != NULL) {
				next->active = true;
				next->standby = false;
			}
			__atomic_store_n(slot, next, __ATOMIC_RELEASE);
		}
		sa->active = false;
	}
	TAILQ_REMOVE(&db->sas, sa, next);
	db->tunnels[sa->tunnel].nb_sa--;
	SS_SA_LOG(INFO, "deleted %s SA 0x%08x server %u",
		sa->dir == SS_SA_DIR_IN ? "inbound" : "outbound", sa->spi,
		sa->server);
	if (db->dq == NULL) {
		dq_free(db, &el, 1);
		return 0;
	}
	while (rte_rcu_qsbr_dq_enqueue(db->dq, &el) != 0) {
		/* Queue full: wait for readers rather than leak or free
		 * early. */
		rte_rcu_qsbr_synchronize(db->qsbr, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(db->dq, UINT32_MAX, NULL, NULL, NULL);
	}
	return 0;
}

int
ss_sa_activate(struct ss_sa_db *db, uint32_t tunnel, uint32_t spi)
{
	struct ss_sa *sa, **slot;
	int rc = 0;

	if (db == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	TAILQ_FOREACH(sa, &db->sas, next)
		if (sa->dir == SS_SA_DIR_OUT && sa->tunnel == tunnel &&
				sa->spi == spi)
			break;
	if (sa == NULL) {
		rc = db_fail(db, -ENOENT, "no outbound SA 0x%08x in tunnel %u",
			spi, tunnel);
		goto out;
	}
	if (sa->active)
		goto out;
	slot = &db->srv[sa->server].out[sa->tunnel];
	if (*slot != NULL)
		(*slot)->active = false;
	sa->active = true;
	sa->standby = false;
	__atomic_store_n(slot, sa, __ATOMIC_RELEASE);
	SS_SA_LOG(INFO, "outbound SA 0x%08x server %u activated", sa->spi,
		sa->server);
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int
ss_sa_retire(struct ss_sa_db *db, uint32_t spi)
{
	struct ss_sa *sa;
	int rc = 0;

	if (db == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	TAILQ_FOREACH(sa, &db->sas, next)
		if (sa->dir == SS_SA_DIR_IN && sa->spi == spi)
			break;
	if (sa == NULL)
		rc = db_fail(db, -ENOENT, "no inbound SA with SPI 0x%08x",
			spi);
	else
		sa->retiring = true;
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int
ss_sa_del_sa(struct ss_sa_db *db, struct ss_sa *sa)
{
	int rc;

	pthread_mutex_lock(&db->lock);
	rc = del_locked(db, sa);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int
ss_sa_del(struct ss_sa_db *db, uint32_t spi, enum ss_sa_dir dir)
{
	struct ss_sa *sa, *found = NULL;
	int rc;

	pthread_mutex_lock(&db->lock);
	TAILQ_FOREACH(sa, &db->sas, next) {
		if (sa->spi != spi || sa->dir != dir)
			continue;
		if (found != NULL) {
			rc = db_fail(db, -ENOTUNIQ,
				"outbound SPI 0x%08x is used by several tunnels",
				spi);
			goto out;
		}
		found = sa;
	}
	if (found == NULL)
		rc = db_fail(db, -ENOENT, "no %s SA with SPI 0x%08x",
			dir == SS_SA_DIR_IN ? "inbound" : "outbound", spi);
	else
		rc = del_locked(db, found);
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

/* ---- worker side ---------------------------------------------------- */

struct ss_sa *
ss_sa_lookup_in(const struct ss_sa_db *db, uint16_t server, uint32_t spi)
{
	void *data;

	if (server >= db->nb_servers || db->srv[server].in == NULL)
		return NULL;
	if (rte_hash_lookup_data(db->srv[server].in, &spi, &data) < 0)
		return NULL;
	return data;
}

void
ss_sa_lookup_in_bulk(const struct ss_sa_db *db, uint16_t server,
	const uint32_t spi[], uint32_t n, struct ss_sa *sas[])
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	uint32_t i, k, c;

	for (k = 0; k < n; k += c) {
		c = RTE_MIN(n - k, (uint32_t)RTE_HASH_LOOKUP_BULK_MAX);
		for (i = 0; i < c; i++)
			keys[i] = &spi[k + i];
		if (rte_hash_lookup_bulk_data(db->srv[server].in, keys, c,
				&hits, data) < 0)
			hits = 0;
		for (i = 0; i < c; i++)
			sas[k + i] = (hits >> i) & 1 ? data[i] : NULL;
	}
}

uint64_t
ss_sa_in_gen(const struct ss_sa_db *db)
{
	return __atomic_load_n(&db->in_gen, __ATOMIC_ACQUIRE);
}

void
ss_sa_lookup_in_cached(const struct ss_sa_db *db, uint16_t server,
	struct ss_sa_in_cache *c, const uint32_t spi[], uint32_t n,
	struct ss_sa *sas[])
{
	const uint64_t gen = ss_sa_in_gen(db);
	uint32_t miss_spi[RTE_HASH_LOOKUP_BULK_MAX];
	struct ss_sa *found[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t miss[RTE_HASH_LOOKUP_BULK_MAX];
	uint32_t i, nm = 0;
	/* The SPI of the last hit (none yet: no 32-bit value) and its SA.
	 * A burst mostly carries one SPI, and the entries do not change
	 * before the loop is done: the same SPI would hit the same entry
	 * again, so it takes that answer without the probe. */
	uint64_t hspi = UINT64_MAX;
	struct ss_sa *hsa = NULL;

	RTE_ASSERT(n <= RTE_HASH_LOOKUP_BULK_MAX);
	for (i = 0; i < n; i++) {
		struct ss_sa *sa;

		if (spi[i] == hspi) {
			sas[i] = hsa;
		} else if (likely((sa = ss_sa_in_cache_probe(c, gen,
				spi[i])) != NULL)) {
			hsa = sa;
			hspi = spi[i];
			sas[i] = sa;
		} else {
			miss[nm] = (uint8_t)i;
			miss_spi[nm++] = spi[i];
		}
	}
	c->hits += n - nm;
	if (nm == 0)
		return;
	c->misses += nm;
	ss_sa_lookup_in_bulk(db, server, miss_spi, nm, found);
	for (i = 0; i < nm; i++) {
		sas[miss[i]] = found[i];
		ss_sa_in_cache_fill(c, gen, miss_spi[i], found[i]);
	}
}

struct ss_sa *const *
ss_sa_out_table(const struct ss_sa_db *db, uint16_t server)
{
	return db->srv[server].out;
}

/* ---- views ---------------------------------------------------------- */

int
ss_sa_walk(const struct ss_sa_db *db,
	int (*fn)(const struct ss_sa *sa, void *arg), void *arg)
{
	struct ss_sa_db *w = (struct ss_sa_db *)(uintptr_t)db;
	const struct ss_sa *sa;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	TAILQ_FOREACH(sa, &db->sas, next) {
		rc = fn(sa, arg);
		if (rc != 0)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int
ss_sa_format(const struct ss_sa *sa, char *buf, size_t len)
{
	uint64_t drops[SS_SA_DROP_MAX];
	char d[512];
	size_t o = 0;
	unsigned int i;

	memcpy(drops, (const void *)sa->st.drops, sizeof(drops));
	d[0] = '\0';
	for (i = 0; i < SS_SA_DROP_MAX && o < sizeof(d); i++)
		if (drops[i] != 0)
			o += snprintf(d + o, sizeof(d) - o, " %s=%" PRIu64,
				drop_names[i], drops[i]);
	return snprintf(buf, len,
		"spi=0x%08x id=%u server=%u %s %s %s%s%s%s%s backend=%s "
		"%s=%" PRIu64
		" packets=%" PRIu64 " bytes=%" PRIu64 " drops:%s",
		sa->spi, sa->instance_id, sa->server,
		sa->dir == SS_SA_DIR_IN ? "in" : "out",
		algo_names[sa->algo],
		sa->mode == SS_SA_MODE_TUNNEL ? "tunnel" : "transport",
		sa->udp_encap ? " udp-encap" : "",
		sa->esn ? " esn" : "",
		sa->standby ? " standby" : "",
		sa->retiring ? " retiring" : "",
		backend_names[sa->backend],
		sa->dir == SS_SA_DIR_IN ? "replay_top" : "seq",
		sa->dir == SS_SA_DIR_IN ? sa->st.replay_top : sa->st.seq,
		sa->st.packets, sa->st.bytes, d[0] ? d : " none");
}

/* ---- servers added and removed at run time ------------------------- */

bool
ss_sa_db_server_live(const struct ss_sa_db *db, uint16_t server)
{
	return db != NULL && server < db->nb_servers && db->srv[server].live;
}

int
ss_sa_db_server_add(struct ss_sa_db *db, uint16_t server, uint16_t id)
{
	int rc = 0;

	if (db == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	if (server >= db->nb_servers || db->srv[server].live) {
		rc = db_fail(db, -EINVAL, "server index %u is %s", server,
			server >= db->nb_servers ? "out of range" : "in use");
		goto out;
	}
	if (id >= (1u << db->bits)) {
		rc = db_fail(db, -EINVAL,
			"instance-id %u does not fit in %u bits", id,
			db->bits);
		goto out;
	}
	if (db->server_of_id[id] != SS_STEER_OWNER_NONE) {
		rc = db_fail(db, -EEXIST, "instance-id %u is server %u's",
			id, db->server_of_id[id]);
		goto out;
	}
	if (srv_tables(db, server) < 0) {
		rc = db_fail(db, -ENOMEM, "no memory for server %u's tables",
			server);
		goto out;
	}
	db->srv[server].id = id;
	db->srv[server].live = true;
	/* Readers find the index by the id only once it is ready. */
	__atomic_store_n(&db->server_of_id[id], server, __ATOMIC_RELEASE);
	SS_SA_LOG(INFO, "server %u (id %u) added", server, id);
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int
ss_sa_db_server_del(struct ss_sa_db *db, uint16_t server)
{
	struct ss_sa *sa, *tmp;
	uint32_t i;
	int n = 0;

	if (db == NULL)
		return -EINVAL;
	pthread_mutex_lock(&db->lock);
	if (server >= db->nb_servers || !db->srv[server].live) {
		pthread_mutex_unlock(&db->lock);
		return db_fail(db, -EINVAL, "no server %u", server);
	}
	for (sa = TAILQ_FIRST(&db->sas); sa != NULL; sa = tmp) {
		tmp = TAILQ_NEXT(sa, next);
		if (sa->server != server)
			continue;
		del_locked(db, sa);
		n++;
	}
	for (i = 0; i < db->nb_reserved;) {
		if (ss_steer_id_get(db->reserved[i], db->bits) ==
				db->srv[server].id) {
			pend_clear(db, db->reserved[i]);
			db->reserved[i] = db->reserved[--db->nb_reserved];
		} else {
			i++;
		}
	}
	__atomic_store_n(&db->server_of_id[db->srv[server].id],
		SS_STEER_OWNER_NONE, __ATOMIC_RELEASE);
	db->srv[server].live = false;
	SS_SA_LOG(INFO, "server %u (id %u) removed with %d SAs", server,
		db->srv[server].id, n);
	pthread_mutex_unlock(&db->lock);
	return n;
}
