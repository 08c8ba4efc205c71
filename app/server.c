/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Servers added and removed while the gateway runs ("server add ID LCORE",
 * "server del ID"), on the control lcore.
 *
 * A server is a server index (cfg.servers[i], lib/sa's server i, esp[i],
 * srv[i]) on a worker lcore. The workers read two things that name
 * servers: the steering context (instance-id -> index) and their own
 * server list. Both are immutable objects: a change builds new ones,
 * publishes the pointers (release store), and frees the old ones only
 * after every worker has reported a quiescent state on app->qsbr. The
 * control lcore polls for that grace period with a short deadline, then
 * leaves what is still referenced to ss_app_servers_timer: no lock on
 * the packet path, no worker ever waits, the shell is never held for
 * long. A removed index is reused only after its grace period.
 *
 * Worker lcores and their port queues are fixed at start-up, so a new
 * server must go on a running worker lcore.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_flow.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "ss_app.h"
#ifdef SS_HAVE_IKE
#include "ss_ike.h"
#endif

#define SRV_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: server: " __VA_ARGS__)

#define SRV_RETIRE_MAX 128
/* How long a shell command waits for the workers' grace period before
 * leaving the frees to the timer. */
#define SRV_GRACE_WAIT_US 100000
#define SRV_GRACE_POLL_US 50

enum srv_state {
	SRV_FREE = 0,
	SRV_LIVE,
	SRV_RETIRING,		/* removed; workers may still reference it */
};

/* Something the workers may still reference. */
struct srv_retired {
	void *obj;
	void (*free_fn)(void *obj);
	int index;		/* server index to free, or -1 */
	uint64_t token;
};

static struct {
	uint8_t state[SS_CFG_MAX_SERVERS];
	struct srv_retired r[SRV_RETIRE_MAX];
	unsigned int nb_r;
} sv;

static void
index_release(struct ss_app *app, int s)
{
	ss_esp_server_free(app->esp[s]);
	app->esp[s] = NULL;
	ss_app_hold_free(app, s);
	sv.state[s] = SRV_FREE;
}

/* Free every retired object whose grace period is over. */
static void
reclaim(struct ss_app *app, bool all)
{
	unsigned int i = 0;

	while (i < sv.nb_r) {
		struct srv_retired *r = &sv.r[i];

		if (!all && rte_rcu_qsbr_check(app->qsbr, r->token,
				false) != 1) {
			i++;
			continue;
		}
		if (r->obj != NULL)
			r->free_fn(r->obj);
		if (r->index >= 0)
			index_release(app, r->index);
		sv.r[i] = sv.r[--sv.nb_r];
	}
}

/* Call after the object is unpublished: it is freed once no worker can
 * still see it. */
static void
retire(struct ss_app *app, void *obj, void (*free_fn)(void *), int index)
{
	if (sv.nb_r == SRV_RETIRE_MAX) {
		/* Never reached in practice (each command retires three
		 * things and waits); wait rather than free early. */
		rte_rcu_qsbr_synchronize(app->qsbr, RTE_QSBR_THRID_INVALID);
		reclaim(app, true);
	}
	sv.r[sv.nb_r].obj = obj;
	sv.r[sv.nb_r].free_fn = free_fn;
	sv.r[sv.nb_r].index = index;
	sv.r[sv.nb_r].token = rte_rcu_qsbr_start(app->qsbr);
	sv.nb_r++;
}

/* Poll the grace period for a little while, then free what is free. */
static void
grace_poll(struct ss_app *app)
{
	const uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() / (1000000 / SRV_GRACE_WAIT_US);
	uint64_t token = rte_rcu_qsbr_start(app->qsbr);

	while (rte_rcu_qsbr_check(app->qsbr, token, false) != 1 &&
			rte_get_timer_cycles() < end)
		rte_delay_us_sleep(SRV_GRACE_POLL_US);
	reclaim(app, false);
}

static void
steer_free(void *p)
{
	ss_steer_ctx_free(p);
}

/* Steering context for the live indexes; extra (>= 0) counts as live,
 * gone (>= 0) as not. */
static struct ss_steer_ctx *
steer_build(const struct ss_app *app, int extra, int gone)
{
	uint16_t ids[SS_CFG_MAX_SERVERS];
	uint16_t s, n = app->cfg.nb_servers;

	if (extra >= n)
		n = (uint16_t)(extra + 1);
	for (s = 0; s < n; s++)
		ids[s] = (app->srv_live[s] || s == extra) && s != gone ?
			app->cfg.servers[s].id : SS_STEER_OWNER_NONE;
	return ss_steer_ctx_create_slots(app->cfg.instance_bits, ids, n);
}

static void
steer_publish(struct ss_app *app, struct ss_steer_ctx *ctx)
{
	struct ss_steer_ctx *old = app->steer;

	__atomic_store_n(&app->steer, ctx, __ATOMIC_RELEASE);
	retire(app, old, steer_free, -1);
}

/* The worker's control view (servers[]) as a list it can read. */
static struct ss_srv_list *
list_make(const struct ss_worker *w)
{
	struct ss_srv_list *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->n = w->nb_servers;
	memcpy(l->s, w->servers, sizeof(l->s[0]) * w->nb_servers);
	return l;
}

static void
list_publish(struct ss_app *app, struct ss_worker *w, struct ss_srv_list *l)
{
	struct ss_srv_list *old = w->list;

	__atomic_store_n(&w->list, l, __ATOMIC_RELEASE);
	if (old != NULL)
		retire(app, old, free, -1);
}

/* Ask the NICs for the new steering; what they refuse stays in software
 * (as at start-up, where the report was printed). Devices without
 * rte_flow (af_packet, ring, null) are left alone. */
static void
flows_refresh(struct ss_app *app)
{
	uint16_t q[SS_CFG_MAX_SERVERS];
	char report[512];
	uint16_t s;
	uint8_t p;

	for (s = 0; s < app->cfg.nb_servers; s++)
		q[s] = app->server_worker[s];
	for (p = 0; p < app->nb_ports; p++) {
		struct rte_flow_error ferr;
		int rc;

		memset(&ferr, 0, sizeof(ferr));
		rc = rte_flow_flush(app->port_id[p], &ferr);
		if (rc < 0)
			continue;
		if (ss_steer_flow_install(app->port_id[p], app->steer, q,
				report, sizeof(report)) > 0)
			SRV_LOG(INFO, "port %s: NIC steering %s\n",
				app->cfg.ports[p].name, report);
	}
}

uint16_t
ss_app_servers_live(const struct ss_app *app)
{
	uint16_t s, n = 0;

	for (s = 0; s < app->cfg.nb_servers; s++)
		n += app->srv_live[s];
	return n;
}

int
ss_app_servers_init(struct ss_app *app)
{
	uint16_t s, w;

	memset(&sv, 0, sizeof(sv));
	for (s = 0; s < app->cfg.nb_servers; s++) {
		app->srv_live[s] = true;
		sv.state[s] = SRV_LIVE;
	}
	for (w = 0; w < app->nb_workers; w++) {
		struct ss_srv_list *l = list_make(&app->workers[w]);

		if (l == NULL)
			return -ENOMEM;
		list_publish(app, &app->workers[w], l);
	}
	return 0;
}

void
ss_app_servers_fini(struct ss_app *app)
{
	uint16_t w;

	/* Workers have stopped: nothing is referenced any more. */
	reclaim(app, true);
	for (w = 0; w < app->nb_workers; w++) {
		free(app->workers[w].list);
		app->workers[w].list = NULL;
	}
}

void
ss_app_servers_timer(struct ss_app *app)
{
	if (sv.nb_r != 0)
		reclaim(app, false);
}

static void
worker_list_str(const struct ss_app *app, char *buf, size_t len)
{
	size_t off = 0;
	uint16_t w;

	buf[0] = '\0';
	for (w = 0; w < app->nb_workers && off < len; w++)
		off += snprintf(buf + off, len - off, "%s%u", w ? "," : "",
			app->workers[w].lcore);
}

static void
id_list_str(const struct ss_app *app, char *buf, size_t len)
{
	size_t off = 0;
	uint16_t s;

	buf[0] = '\0';
	for (s = 0; s < app->cfg.nb_servers && off < len; s++)
		if (app->srv_live[s])
			off += snprintf(buf + off, len - off, "%s%u",
				off ? "," : "", app->cfg.servers[s].id);
}

static int
fail(char *err, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

static uint16_t
live_index_of(const struct ss_app *app, uint16_t id)
{
	uint16_t s;

	for (s = 0; s < app->cfg.nb_servers; s++)
		if (app->srv_live[s] && app->cfg.servers[s].id == id)
			return s;
	return SS_STEER_OWNER_NONE;
}

int
ss_app_server_add(struct ss_app *app, uint16_t id, unsigned int lcore,
	char *err, size_t len)
{
	const uint16_t cap = ss_app_server_capacity(&app->cfg);
	struct ss_steer_ctx *ctx;
	struct ss_esp_server *esp;
	struct ss_srv_list *l;
	struct ss_worker *w = NULL;
	char list[128];
	uint16_t s, i;
	int ret;

	if (id >= (1u << app->cfg.instance_bits))
		return fail(err, len, -EINVAL, "server add: id %u does not fit "
			"in instance_bits %u (ids 0..%u)", id,
			app->cfg.instance_bits,
			(1u << app->cfg.instance_bits) - 1);
	s = live_index_of(app, id);
	if (s != SS_STEER_OWNER_NONE)
		return fail(err, len, -EEXIST, "server add: id %u is in use "
			"(server %u on lcore %u)", id, s,
			app->cfg.servers[s].lcore);
	for (i = 0; i < app->nb_workers; i++)
		if (app->workers[i].lcore == lcore)
			w = &app->workers[i];
	if (w == NULL) {
		worker_list_str(app, list, sizeof(list));
		return fail(err, len, -EINVAL, "server add: lcore %u is not a "
			"worker lcore (workers: %s); port queues are per "
			"worker and fixed at start-up", lcore, list);
	}
	reclaim(app, false);
	for (s = 0; s < cap; s++)
		if (sv.state[s] == SRV_FREE)
			break;
	if (s == cap)
		return fail(err, len, -ENOSPC, "server add: no free server "
			"index (%u in use or being released, at most %u)",
			cap, cap);
	ret = ss_sa_db_server_add(app->sadb, s, id);
	if (ret < 0)
		return fail(err, len, ret, "server add: %s",
			ss_sa_db_errstr(app->sadb));
	esp = ss_esp_server_create(app->sadb, s,
		(int)rte_lcore_to_socket_id(lcore));
	if (esp == NULL || ss_app_hold_create(app, s,
			(int)rte_lcore_to_socket_id(lcore)) < 0) {
		ss_esp_server_free(esp);
		ss_sa_db_server_del(app->sadb, s);
		return fail(err, len, -ENOMEM, "server add: no memory for the "
			"ESP context or the hold queues");
	}
	/* Nothing steers to index s yet: fill it in, then publish. */
	memset(&app->srv[s], 0, sizeof(app->srv[s]));
	app->cfg.servers[s].id = id;
	app->cfg.servers[s].lcore = lcore;
	app->cfg.servers[s].line = 0;
	app->esp[s] = esp;
	app->server_worker[s] = w->idx;
	ctx = steer_build(app, s, -1);
	if (ctx == NULL) {
		index_release(app, s);
		ss_sa_db_server_del(app->sadb, s);
		return fail(err, len, -ENOMEM, "server add: cannot build the "
			"steering context");
	}
	w->servers[w->nb_servers++] = s;
	l = list_make(w);
	if (l == NULL) {
		w->nb_servers--;
		ss_steer_ctx_free(ctx);
		index_release(app, s);
		ss_sa_db_server_del(app->sadb, s);
		return fail(err, len, -ENOMEM, "server add: out of memory");
	}
	/* The worker learns the server before anything steers to it. */
	list_publish(app, w, l);
	if (s >= app->cfg.nb_servers)
		app->cfg.nb_servers = (uint16_t)(s + 1);
	app->srv_live[s] = true;
	sv.state[s] = SRV_LIVE;
	steer_publish(app, ctx);
	flows_refresh(app);
	grace_poll(app);
	SRV_LOG(INFO, "server %u (id %u) added on lcore %u\n", s, id, lcore);
#ifdef SS_HAVE_IKE
	if (ss_app_ike_engine(app) != NULL) {
		/* A Child SA pair for it on every established tunnel. */
		ret = ss_ike_server_add(ss_app_ike_engine(app), id,
			ss_app_ike_now(app));
		if (ret < 0)
			SRV_LOG(ERR, "ike: server id %u: %s\n", id,
				strerror(-ret));
	}
#endif
	return 0;
}

int
ss_app_server_del(struct ss_app *app, uint16_t id, char *err, size_t len)
{
	struct ss_steer_ctx *ctx;
	struct ss_srv_list *l;
	struct ss_worker *w;
	char list[256];
	uint16_t s, k;
	int n;

	s = live_index_of(app, id);
	if (s == SS_STEER_OWNER_NONE) {
		id_list_str(app, list, sizeof(list));
		return fail(err, len, -ENOENT, "server del: no server with id "
			"%u (ids: %s)", id, list);
	}
	if (ss_app_servers_live(app) == 1)
		return fail(err, len, -EBUSY, "server del: id %u is the last "
			"server", id);
	ctx = steer_build(app, -1, s);
	if (ctx == NULL)
		return fail(err, len, -ENOMEM, "server del: cannot build the "
			"steering context");
	w = &app->workers[app->server_worker[s]];
	for (k = 0; k < w->nb_servers; k++)
		if (w->servers[k] == s)
			break;
	memmove(&w->servers[k], &w->servers[k + 1],
		sizeof(w->servers[0]) * (w->nb_servers - k - 1u));
	w->nb_servers--;
	l = list_make(w);
	if (l == NULL) {
		w->servers[w->nb_servers++] = s;
		ss_steer_ctx_free(ctx);
		return fail(err, len, -ENOMEM, "server del: out of memory");
	}
#ifdef SS_HAVE_IKE
	/* INFORMATIONAL Delete of its pairs on every tunnel; no new pair
	 * is made for it. */
	if (ss_app_ike_engine(app) != NULL)
		ss_ike_server_del(ss_app_ike_engine(app), id,
			ss_app_ike_now(app));
#endif
	/* From here its id steers nowhere: such packets are counted
	 * (unknown_id) and dropped. */
	steer_publish(app, ctx);
	/* A packet steered by the old context meanwhile finds no server
	 * on the worker: counted (server_gone) and dropped. */
	list_publish(app, w, l);
	app->srv_live[s] = false;
	sv.state[s] = SRV_RETIRING;
	/* Every SA of the server, IKE-made and static, leaves the
	 * dataplane now (keys wiped after the grace period). */
	n = ss_sa_db_server_del(app->sadb, s);
	retire(app, NULL, NULL, s);
	flows_refresh(app);
	grace_poll(app);
	SRV_LOG(INFO, "server %u (id %u) removed, %d SA(s) deleted\n", s, id,
		n);
	return n < 0 ? 0 : n;
}
