/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Crypto devices and the built-in back-ends (cpu, lookaside), plus the
 * inline / swnic slots that refuse SAs until a driver fills them. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "ss_crypto.h"
#include "ss_esp_priv.h"
#include "ss_esp_mb.h"

#define GCM_NAME "crypto_aesni_gcm0"
#define MB_NAME "crypto_aesni_mb0"
#define QP_DESC 2048
#define NB_SESSIONS 8192

static struct {
	int gcm;
	int mb;
	unsigned int nb_qp;
	struct rte_mempool *pool;
} cdev = { -1, -1, 0, NULL };

int
ss_crypto_dev_gcm(void)
{
	return cdev.gcm;
}

int
ss_crypto_dev_mb(void)
{
	return cdev.mb;
}

unsigned int
ss_crypto_nb_qp(void)
{
	return cdev.nb_qp;
}

struct rte_mempool *
ss_crypto_sess_pool(void)
{
	return cdev.pool;
}

static int
dev_get(const char *name, int socket, unsigned int nb_qp)
{
	char args[64];
	int id;

	id = rte_cryptodev_get_dev_id(name);
	if (id >= 0)
		return id;
	snprintf(args, sizeof(args), "max_nb_queue_pairs=%u,socket_id=%d",
		nb_qp, socket < 0 ? 0 : socket);
	if (rte_vdev_init(name, args) != 0) {
		SS_ESP_LOG(ERR, "cannot create %s (is the ipsec_mb crypto PMD "
			"installed?)", name);
		return -ENODEV;
	}
	return rte_cryptodev_get_dev_id(name);
}

static int
dev_setup(int id, int socket, unsigned int nb_qp)
{
	struct rte_cryptodev_config conf = {
		.socket_id = socket,
		.nb_queue_pairs = (uint16_t)nb_qp,
	};
	struct rte_cryptodev_qp_conf qc = {
		.nb_descriptors = QP_DESC,
		.mp_session = cdev.pool,
	};
	struct rte_cryptodev_info info;
	unsigned int q;
	int rc;

	rte_cryptodev_info_get((uint8_t)id, &info);
	if (info.max_nb_queue_pairs < nb_qp) {
		SS_ESP_LOG(ERR, "%s has %u queue pairs, %u needed",
			info.driver_name, info.max_nb_queue_pairs, nb_qp);
		return -ENOSPC;
	}
	rte_cryptodev_stop((uint8_t)id);
	rc = rte_cryptodev_configure((uint8_t)id, &conf);
	if (rc != 0)
		return rc;
	for (q = 0; q < nb_qp; q++) {
		rc = rte_cryptodev_queue_pair_setup((uint8_t)id, (uint16_t)q,
			&qc, socket);
		if (rc != 0)
			return rc;
	}
	return rte_cryptodev_start((uint8_t)id);
}

int
ss_esp_crypto_init(int socket, unsigned int nb_qp)
{
	unsigned int sz;
	int rc;

	if (nb_qp == 0)
		nb_qp = 1;
	if (cdev.pool != NULL)
		return nb_qp <= cdev.nb_qp ? 0 : -EALREADY;
	cdev.gcm = dev_get(GCM_NAME, socket, nb_qp);
	cdev.mb = dev_get(MB_NAME, socket, nb_qp);
	if (cdev.gcm < 0 || cdev.mb < 0) {
		cdev.gcm = cdev.mb = -1;
		return -ENODEV;
	}
	sz = RTE_MAX(rte_cryptodev_sym_get_private_session_size(
			(uint8_t)cdev.gcm),
		rte_cryptodev_sym_get_private_session_size((uint8_t)cdev.mb));
	cdev.pool = rte_cryptodev_sym_session_pool_create("ss_esp_sess",
		NB_SESSIONS, sz, 0, 0, socket);
	if (cdev.pool == NULL) {
		SS_ESP_LOG(ERR, "no memory for the crypto session pool");
		return -ENOMEM;
	}
	rc = dev_setup(cdev.gcm, socket, nb_qp);
	if (rc == 0)
		rc = dev_setup(cdev.mb, socket, nb_qp);
	if (rc != 0) {
		SS_ESP_LOG(ERR, "crypto device set-up failed: %s",
			strerror(-rc));
		rte_mempool_free(cdev.pool);
		cdev.pool = NULL;
		return rc;
	}
	cdev.nb_qp = nb_qp;
	SS_ESP_LOG(INFO, "crypto: %s (dev %d), %s (dev %d), %u queue pairs",
		GCM_NAME, cdev.gcm, MB_NAME, cdev.mb, nb_qp);
	return 0;
}

void
ss_esp_crypto_fini(void)
{
	if (cdev.pool == NULL)
		return;
	rte_cryptodev_stop((uint8_t)cdev.gcm);
	rte_cryptodev_stop((uint8_t)cdev.mb);
	rte_cryptodev_close((uint8_t)cdev.gcm);
	rte_cryptodev_close((uint8_t)cdev.mb);
	rte_vdev_uninit(GCM_NAME);
	rte_vdev_uninit(MB_NAME);
	rte_mempool_free(cdev.pool);
	cdev.pool = NULL;
	cdev.gcm = cdev.mb = -1;
	cdev.nb_qp = 0;
}

/* ---- shared session handling ---------------------------------------- */

static int
session_on(int dev, struct ss_esp_sa *esa, struct rte_crypto_sym_xform *xf,
	char *err, size_t len)
{
	if (cdev.pool == NULL) {
		snprintf(err, len, "crypto not initialised "
			"(ss_esp_crypto_init)");
		return -ENODEV;
	}
	esa->cs = rte_cryptodev_sym_session_create((uint8_t)dev, xf,
		cdev.pool);
	if (esa->cs == NULL) {
		snprintf(err, len, "crypto session refused by device %d: %s",
			dev, rte_strerror(rte_errno));
		return -rte_errno ? -rte_errno : -EINVAL;
	}
	esa->dev_id = (uint8_t)dev;
	return 0;
}

static void
session_destroy(struct ss_esp_sa *esa)
{
	if (esa->cs != NULL)
		rte_cryptodev_sym_session_free(esa->dev_id, esa->cs);
	esa->cs = NULL;
}

static void
op_status_from_errno(struct rte_crypto_op *op, int32_t st)
{
	if (st == 0)
		op->status = RTE_CRYPTO_OP_STATUS_SUCCESS;
	else if (st == EBADMSG)
		op->status = RTE_CRYPTO_OP_STATUS_AUTH_FAILED;
	else
		op->status = RTE_CRYPTO_OP_STATUS_ERROR;
}

/* ---- cpu ------------------------------------------------------------ */

static int
cpu_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	const bool gcm = sa->algo == SS_SA_ALGO_AES_GCM_128 ||
		sa->algo == SS_SA_ALGO_AES_GCM_256;

	return session_on(gcm ? cdev.gcm : cdev.mb, esa, xf, err, len);
}

/* The ops of one SA share their layout, so one offset set (taken from
 * the first op) describes all of them, as rte_ipsec's own cpu path does. */
static uint16_t
cpu_process(struct ss_esp_server *srv, struct ss_esp_sa *esa,
	struct rte_crypto_op *ops[], uint16_t n)
{
	struct rte_crypto_vec vec[SS_ESP_BURST];
	struct rte_crypto_sgl sgl[SS_ESP_BURST];
	struct rte_crypto_va_iova_ptr iv[SS_ESP_BURST];
	struct rte_crypto_va_iova_ptr dg[SS_ESP_BURST];
	struct rte_crypto_va_iova_ptr aad[SS_ESP_BURST];
	int32_t st[SS_ESP_BURST];
	struct rte_crypto_sym_vec sv = {
		.num = n, .src_sgl = sgl, .iv = iv, .digest = dg,
		.aad = aad, .status = st,
	};
	union rte_crypto_sym_ofs ofs = { .raw = 0 };
	uint16_t i;

	RTE_SET_USED(srv);
	if (n == 0)
		return 0;
	if (!esa->aead) {
		const struct rte_crypto_sym_op *s = ops[0]->sym;
		uint32_t ae = s->auth.data.offset + s->auth.data.length;
		uint32_t ce = s->cipher.data.offset + s->cipher.data.length;

		ofs.ofs.cipher.head = (uint16_t)(s->cipher.data.offset -
			s->auth.data.offset);
		ofs.ofs.cipher.tail = (uint16_t)(ae - ce);
	}
	for (i = 0; i < n; i++) {
		struct rte_crypto_sym_op *s = ops[i]->sym;
		struct rte_mbuf *m = s->m_src;
		uint32_t off, dlen;

		if (esa->aead) {
			off = s->aead.data.offset;
			dlen = s->aead.data.length;
			dg[i].va = s->aead.digest.data;
			aad[i].va = s->aead.aad.data;
		} else {
			off = s->auth.data.offset;
			dlen = s->auth.data.length;
			dg[i].va = s->auth.digest.data;
			aad[i].va = NULL;
		}
		vec[i].base = rte_pktmbuf_mtod_offset(m, void *, off);
		vec[i].iova = rte_pktmbuf_iova_offset(m, off);
		vec[i].len = dlen;
		sgl[i].vec = &vec[i];
		sgl[i].num = 1;
		iv[i].va = rte_crypto_op_ctod_offset(ops[i], void *,
			SS_ESP_IV_OFS);
		st[i] = 0;
	}
	rte_cryptodev_sym_cpu_crypto_process(esa->dev_id, esa->cs, ofs, &sv);
	for (i = 0; i < n; i++)
		op_status_from_errno(ops[i], st[i]);
	return n;
}

static const struct ss_crypto_backend be_cpu = {
	.name = "cpu",
	.session_create = cpu_session_create,
	.session_destroy = session_destroy,
	.process = cpu_process,
};

/* ---- lookaside ------------------------------------------------------ */

static int
la_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	if (sa->server >= cdev.nb_qp) {
		snprintf(err, len, "lookaside needs queue pair %u but the "
			"crypto devices have %u", sa->server, cdev.nb_qp);
		return -ENOSPC;
	}
	return session_on(cdev.mb, esa, xf, err, len);
}

/* Synchronous round trip: the burst is handed back complete, so nothing
 * of an SA is in flight once the call returns (RCU stays simple). */
static uint16_t
la_process(struct ss_esp_server *srv, struct ss_esp_sa *esa,
	struct rte_crypto_op *ops[], uint16_t n)
{
	struct rte_crypto_op *done[SS_ESP_BURST];
	uint16_t qp = ss_esp_server_qp(srv);
	uint16_t enq = 0, deq = 0, i;
	uint32_t spins = 0;

	for (i = 0; i < n; i++)
		ops[i]->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	while (deq < n) {
		if (enq < n)
			enq += rte_cryptodev_enqueue_burst(esa->dev_id, qp,
				ops + enq, n - enq);
		i = rte_cryptodev_dequeue_burst(esa->dev_id, qp, done + deq,
			n - deq);
		deq += i;
		if (i == 0 && ++spins > 100000000u)
			break;	/* device stuck: report below */
	}
	/* ops[] keep their identity; statuses were set by the device. */
	for (i = 0; i < n; i++)
		if (ops[i]->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED)
			ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
	return n;
}

static const struct ss_crypto_backend be_lookaside = {
	.name = "lookaside",
	.session_create = la_session_create,
	.session_destroy = session_destroy,
	.process = la_process,
};

/* ---- slots without an implementation -------------------------------- */

static int
inline_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	RTE_SET_USED(esa);
	RTE_SET_USED(sa);
	RTE_SET_USED(xf);
	snprintf(err, len, "back-end 'inline' (rte_security inline IPsec "
		"on the NIC) needs its driver (drivers/inline), which the "
		"program starts when ipsec.inline is configured");
	SS_ESP_LOG(ERR, "%s", err);
	return -ENOTSUP;
}

static int
swnic_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	RTE_SET_USED(esa);
	RTE_SET_USED(sa);
	RTE_SET_USED(xf);
	snprintf(err, len, "back-end 'swnic' (software inline NIC with key "
		"push and acknowledgement) needs its driver (drivers/swnic), "
		"which the program starts when ipsec.swnic is configured");
	SS_ESP_LOG(ERR, "%s", err);
	return -ENOTSUP;
}

static uint16_t
none_process(struct ss_esp_server *srv, struct ss_esp_sa *esa,
	struct rte_crypto_op *ops[], uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(srv);
	RTE_SET_USED(esa);
	for (i = 0; i < n; i++)
		ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
	return n;
}

static void
none_destroy(struct ss_esp_sa *esa)
{
	RTE_SET_USED(esa);
}

static const struct ss_crypto_backend be_inline = {
	.name = "inline",
	.session_create = inline_session_create,
	.session_destroy = none_destroy,
	.process = none_process,
};

static const struct ss_crypto_backend be_swnic = {
	.name = "swnic",
	.session_create = swnic_session_create,
	.session_destroy = none_destroy,
	.process = none_process,
};

static const struct ss_crypto_backend *backends[SS_SA_BACKEND_MAX] = {
	[SS_SA_BACKEND_CPU] = &be_cpu,
	[SS_SA_BACKEND_LOOKASIDE] = &be_lookaside,
	[SS_SA_BACKEND_INLINE] = &be_inline,
	[SS_SA_BACKEND_SWNIC] = &be_swnic,
	[SS_SA_BACKEND_IPSEC_MB] = &ss_esp_mb_backend,
};

int
ss_crypto_backend_register(enum ss_sa_backend which,
	const struct ss_crypto_backend *be)
{
	if ((unsigned int)which >= SS_SA_BACKEND_MAX || be == NULL ||
			be->session_create == NULL ||
			(be->process == NULL && !be->own_esp &&
				!be->inline_crypto) ||
			be->session_destroy == NULL)
		return -EINVAL;
	backends[which] = be;
	return 0;
}

const struct ss_crypto_backend *
ss_crypto_backend_get(enum ss_sa_backend which)
{
	return (unsigned int)which < SS_SA_BACKEND_MAX ? backends[which] :
		NULL;
}
