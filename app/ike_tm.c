/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* rte_telemetry views of the IKE control plane: /shardsec/ike (engine and
 * bridge counters, one entry per IKE SA) and /shardsec/ike_children[,PEER]
 * (one entry per Child SA pair, keyed by inbound SPI). The engine lives on the control lcore and
 * is not thread-safe, so the control lcore publishes a snapshot at most
 * every TM_PERIOD_MS; the telemetry thread formats from that snapshot.
 * The control lcore only try-locks: it never waits for the telemetry
 * thread. Snapshots hold SPIs and state, never key material. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "ss_app.h"
#include "ss_ike.h"

#define TM_PERIOD_MS	200
#define TM_MAX_SAS	64
/* A telemetry reply is at most 16 KiB: about 100 children fit. */
#define TM_MAX_CHILDREN	96
#define TM_NAME_LEN	32
#define TM_ADDR_LEN	64

struct tm_sa {
	char peer[TM_NAME_LEN];
	char state[TM_NAME_LEN];
	char remote[TM_ADDR_LEN];
	uint64_t spi_i, spi_r;
	uint64_t age_ms;
	unsigned int nb_children;
	bool initiator, nat;
};

struct tm_child {
	char peer[TM_NAME_LEN];
	char child[TM_NAME_LEN];
	char state[TM_NAME_LEN];
	uint32_t spi_in, spi_out;
	uint64_t age_ms;
	uint16_t server_id;
	bool esn, encap, transport;
};

struct tm_snap {
	uint64_t taken_ms;
	struct ss_ike_stats st;
	uint64_t bridge[SS_APP_IKE_NB_COUNTERS];
	unsigned int nb_sas, nb_children;	/* totals, may exceed arrays */
	struct tm_sa sas[TM_MAX_SAS];
	struct tm_child children[TM_MAX_CHILDREN];
};

static const char *const bridge_names[SS_APP_IKE_NB_COUNTERS] = {
	"bridge_rx", "bridge_rx_bad", "bridge_tx", "bridge_tx_held",
	"bridge_tx_failed", "bridge_installs", "bridge_install_failed",
	"bridge_tx_ip_fragments",
};

static rte_spinlock_t tm_lock = RTE_SPINLOCK_INITIALIZER;
static struct tm_snap tm_pub;		/* under tm_lock */
static struct tm_snap tm_work;		/* control lcore only */
static uint64_t tm_last_ms;
static bool tm_valid;			/* under tm_lock */

static void
copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

static void
sa_cb(const struct ss_ike_sa_info *i, void *arg)
{
	struct tm_snap *t = arg;
	struct tm_sa *o;
	char ip[TM_ADDR_LEN];

	if (t->nb_sas++ >= TM_MAX_SAS)
		return;
	o = &t->sas[t->nb_sas - 1];
	copy_str(o->peer, sizeof(o->peer), i->peer);
	copy_str(o->state, sizeof(o->state), i->state);
	if (i->remote.ip.family == 0)
		copy_str(o->remote, sizeof(o->remote), "%any");
	else
		snprintf(o->remote, sizeof(o->remote), "%s[%u]",
			ss_ipaddr_str(&i->remote.ip, ip, sizeof(ip)),
			i->remote.port);
	o->spi_i = i->spi_i;
	o->spi_r = i->spi_r;
	o->age_ms = i->established_ms != 0 && t->taken_ms >= i->established_ms
		? t->taken_ms - i->established_ms : 0;
	o->nb_children = i->nb_children;
	o->initiator = i->initiator;
	o->nat = i->nat;
}

static void
child_cb(const struct ss_ike_child_info *c, void *arg)
{
	struct tm_snap *t = arg;
	struct tm_child *o;

	if (t->nb_children++ >= TM_MAX_CHILDREN)
		return;
	o = &t->children[t->nb_children - 1];
	copy_str(o->peer, sizeof(o->peer), c->peer);
	copy_str(o->child, sizeof(o->child), c->child);
	copy_str(o->state, sizeof(o->state), c->state);
	o->spi_in = c->spi_in;
	o->spi_out = c->spi_out;
	o->age_ms = c->installed_ms != 0 && t->taken_ms >= c->installed_ms
		? t->taken_ms - c->installed_ms : 0;
	o->server_id = c->server_id;
	o->esn = c->esn;
	o->encap = c->encap;
	o->transport = c->transport;
}

void
ss_app_ike_tm_publish(struct ss_app *app)
{
	const struct ss_ike *ike = ss_app_ike_engine(app);
	uint64_t now = ss_app_ike_now(app);

	if (ike == NULL || (tm_valid && now - tm_last_ms < TM_PERIOD_MS))
		return;
	memset(&tm_work, 0, sizeof(tm_work));
	tm_work.taken_ms = now;
	ss_ike_get_stats(ike, &tm_work.st);
	ss_app_ike_counters(app, tm_work.bridge);
	ss_ike_walk_sas(ike, sa_cb, &tm_work);
	ss_ike_walk_children(ike, child_cb, &tm_work);
	/* Busy reader: publish at the next period instead of waiting. */
	if (!rte_spinlock_trylock(&tm_lock))
		return;
	tm_pub = tm_work;
	tm_valid = true;
	rte_spinlock_unlock(&tm_lock);
	tm_last_ms = now;
}

/* Copies the published snapshot; false when none was published yet. */
static bool
tm_read(struct tm_snap *t)
{
	bool ok;

	rte_spinlock_lock(&tm_lock);
	ok = tm_valid;
	if (ok)
		*t = tm_pub;
	rte_spinlock_unlock(&tm_lock);
	return ok;
}

static void
add_hex(struct rte_tel_data *d, const char *name, uint64_t v, int width)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%0*" PRIx64, width, v);
	rte_tel_data_add_dict_string(d, name, s);
}

/* rte_telemetry nests one level only: the top dict holds the counters
 * and one dict of scalars per SA, keyed by peer and SPI. */
static int
tm_ike(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct tm_snap t;	/* telemetry thread only */
	struct rte_tel_data *cnt;
	unsigned int i, n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (!tm_read(&t))
		return -EAGAIN;
	cnt = rte_tel_data_alloc();
	if (cnt == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "snapshot_ms", t.taken_ms);
	rte_tel_data_add_dict_u64(d, "nb_ike_sas", t.nb_sas);
	rte_tel_data_add_dict_u64(d, "nb_children", t.nb_children);
	rte_tel_data_start_dict(cnt);
	for (i = 0; i < SS_IKE_CNT_MAX; i++)
		rte_tel_data_add_dict_u64(cnt, ss_ike_counter_name(i),
			t.st.c[i]);
	for (i = 0; i < RTE_DIM(bridge_names); i++)
		rte_tel_data_add_dict_u64(cnt, bridge_names[i], t.bridge[i]);
	rte_tel_data_add_dict_container(d, "counters", cnt, 0);
	n = RTE_MIN(t.nb_sas, (unsigned int)TM_MAX_SAS);
	for (i = 0; i < n; i++) {
		const struct tm_sa *s = &t.sas[i];
		struct rte_tel_data *e = rte_tel_data_alloc();
		char key[24];

		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "peer", s->peer);
		rte_tel_data_add_dict_string(e, "state", s->state);
		rte_tel_data_add_dict_string(e, "remote", s->remote);
		add_hex(e, "spi_i", s->spi_i, 16);
		add_hex(e, "spi_r", s->spi_r, 16);
		rte_tel_data_add_dict_int(e, "initiator", s->initiator);
		rte_tel_data_add_dict_int(e, "nat", s->nat);
		rte_tel_data_add_dict_u64(e, "children", s->nb_children);
		rte_tel_data_add_dict_u64(e, "age_ms", s->age_ms);
		snprintf(key, sizeof(key), "ike_sa_%u", i);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

/* One dict per pair, keyed by inbound SPI as /shardsec/sa keys SAs. */
static int
tm_children(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct tm_snap t;	/* telemetry thread only */
	unsigned int i, n;

	RTE_SET_USED(cmd);
	if (!tm_read(&t))
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	n = RTE_MIN(t.nb_children, (unsigned int)TM_MAX_CHILDREN);
	for (i = 0; i < n; i++) {
		const struct tm_child *c = &t.children[i];
		struct rte_tel_data *e;
		char key[16];

		if (params != NULL && params[0] != '\0' &&
				strcmp(params, c->peer) != 0)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "peer", c->peer);
		rte_tel_data_add_dict_string(e, "child", c->child);
		rte_tel_data_add_dict_string(e, "state", c->state);
		add_hex(e, "spi_out", c->spi_out, 8);
		rte_tel_data_add_dict_int(e, "instance_id", c->server_id);
		rte_tel_data_add_dict_int(e, "esn", c->esn);
		rte_tel_data_add_dict_int(e, "udp_encap", c->encap);
		rte_tel_data_add_dict_string(e, "mode",
			c->transport ? "transport" : "tunnel");
		rte_tel_data_add_dict_u64(e, "age_ms", c->age_ms);
		snprintf(key, sizeof(key), "0x%08x", c->spi_in);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

void
ss_app_ike_tm_register(void)
{
	rte_telemetry_register_cmd("/shardsec/ike", tm_ike,
		"IKE engine counters and IKE SAs (no keys)");
	rte_telemetry_register_cmd("/shardsec/ike_children", tm_children,
		"Child SA pairs (SPIs, instance-id, state); param: peer name");
}
