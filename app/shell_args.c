/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The live values the shell's choice tokens complete and check: ports,
 * servers, SPIs by direction, neighbours, addresses. Runs on the control
 * lcore, which owns these tables. */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

int
ss_shell_list_ports(unsigned int idx, char *buf, size_t len, const void *arg)
{
	RTE_SET_USED(arg);
	if (idx < ss_app.nb_ports) {
		snprintf(buf, len, "%u", idx);
		return 0;
	}
	idx -= ss_app.nb_ports;
	if (idx < ss_app.nb_ports) {
		snprintf(buf, len, "%s", ss_app.cfg.ports[idx].name);
		return 0;
	}
	return -ENOENT;
}

int
ss_shell_list_servers(unsigned int idx, char *buf, size_t len,
	const void *arg)
{
	unsigned int n = 0;
	uint16_t s;

	RTE_SET_USED(arg);
	for (s = 0; s < ss_app.cfg.nb_servers; s++) {
		if (!ss_app.srv_live[s] || n++ != idx)
			continue;
		snprintf(buf, len, "%u", ss_app.cfg.servers[s].id);
		return 0;
	}
	return -ENOENT;
}

int
ss_shell_server_index(const char *id)
{
	uint16_t s;

	for (s = 0; s < ss_app.cfg.nb_servers; s++) {
		char v[8];

		if (!ss_app.srv_live[s])
			continue;
		snprintf(v, sizeof(v), "%u", ss_app.cfg.servers[s].id);
		if (strcmp(v, id) == 0)
			return s;
	}
	return -ENOENT;
}

/* ---- SPIs ------------------------------------------------------------- */

struct spi_look {
	uintptr_t dir;		/* 0 any, else enum ss_sa_dir + 1 */
	unsigned int idx;	/* the idx-th matching SA */
	unsigned int seen;
	uint32_t spi;		/* find this one (when want) */
	bool want;
	bool found;
};

static int
spi_cb(const struct ss_sa *sa, void *arg)
{
	struct spi_look *l = arg;

	if (l->dir != 0 && sa->dir != l->dir - 1)
		return 0;
	if (l->want) {
		if (sa->spi == l->spi) {
			l->found = true;
			return 1;
		}
		return 0;
	}
	if (l->seen++ == l->idx) {
		l->spi = sa->spi;
		l->found = true;
		return 1;
	}
	return 0;
}

int
ss_shell_list_spis(unsigned int idx, char *buf, size_t len, const void *arg)
{
	struct spi_look l = { .dir = (uintptr_t)arg, .idx = idx };

	if (ss_app.sadb == NULL)
		return -ENOENT;
	ss_sa_walk(ss_app.sadb, spi_cb, &l);
	if (!l.found)
		return -ENOENT;
	snprintf(buf, len, "0x%08" PRIx32, l.spi);
	return 0;
}

int
ss_shell_spi_parse(const char *word, uint32_t *spi)
{
	unsigned long long v;
	char *end;

	if (word[0] == '\0' || word[0] == '-' || word[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(word, &end, 16);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*spi = (uint32_t)v;
	return 0;
}

int
ss_shell_check_spi(const char *word, char *err, size_t len, const void *arg)
{
	const struct ss_shell_token_choice_data d = { .fixed = NULL,
		.list = ss_shell_list_spis, .arg = arg };
	struct spi_look l = { .dir = (uintptr_t)arg, .want = true };
	const char *dir = l.dir == 0 ? "" : l.dir == SS_SA_DIR_IN + 1 ?
		"in " : "out ";
	char all[256];

	if (ss_shell_spi_parse(word, &l.spi) < 0) {
		snprintf(err, len, "malformed SPI '%s' (hex, e.g. 0x10000101)",
			word);
		return -EINVAL;
	}
	if (ss_app.sadb != NULL)
		ss_sa_walk(ss_app.sadb, spi_cb, &l);
	if (l.found)
		return 0;
	ss_shell_token_choice_join(&d, all, sizeof(all));
	snprintf(err, len, "no %sSA with SPI 0x%08" PRIx32 " (SPIs: %s)", dir,
		l.spi, all);
	return -ENOENT;
}

/* ---- neighbours and addresses ------------------------------------------ */

struct neigh_look {
	unsigned int idx;
	unsigned int seen;
	struct ss_ipaddr ip;
	bool found;
};

static int
neigh_idx_cb(const struct ss_net_neigh_info *n, void *arg)
{
	struct neigh_look *l = arg;

	if (l->seen++ != l->idx)
		return 0;
	l->ip = n->ip;
	l->found = true;
	return 1;
}

int
ss_shell_list_neigh(unsigned int idx, char *buf, size_t len,
	const void *arg)
{
	struct neigh_look l = { .idx = idx };

	RTE_SET_USED(arg);
	ss_net_neigh_walk(neigh_idx_cb, &l);
	if (!l.found)
		return -ENOENT;
	ss_ipaddr_str(&l.ip, buf, len);
	return 0;
}

static int
neigh_eq_cb(const struct ss_net_neigh_info *n, void *arg)
{
	struct neigh_look *l = arg;

	if (!ss_ipaddr_equal(&n->ip, &l->ip))
		return 0;
	l->found = true;
	return 1;
}

int
ss_shell_check_addr(const char *word, char *err, size_t len,
	const void *arg)
{
	struct ss_ipaddr a;

	RTE_SET_USED(arg);
	if (ss_ipaddr_parse(word, &a) < 0) {
		snprintf(err, len, "malformed address '%s' (IPv4 or IPv6, "
			"e.g. 192.0.2.1 or 2001:db8::1)", word);
		return -EINVAL;
	}
	return 0;
}

int
ss_shell_check_neigh(const char *word, char *err, size_t len,
	const void *arg)
{
	const struct ss_shell_token_choice_data d = {
		.list = ss_shell_list_neigh };
	struct neigh_look l = { 0 };
	char all[256], abuf[INET6_ADDRSTRLEN + 8];
	int ret;

	ret = ss_shell_check_addr(word, err, len, arg);
	if (ret < 0)
		return ret;
	ss_ipaddr_parse(word, &l.ip);
	ss_net_neigh_walk(neigh_eq_cb, &l);
	if (l.found)
		return 0;
	ss_shell_token_choice_join(&d, all, sizeof(all));
	snprintf(err, len, "no neighbour %s (neighbours: %s)",
		ss_ipaddr_str(&l.ip, abuf, sizeof(abuf)), all);
	return -ENOENT;
}
