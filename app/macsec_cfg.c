/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The "macsec" section: one entry per MACsec port.
 *
 *   macsec = {
 *     debug_save_keys = "/dir";   # DEBUG ONLY: SAKs written to
 *                                 # /dir/macsec_keys (off if unset)
 *     ports = ( {
 *       port = "outside";         # a port of 'ports', at most once
 *       cak = "0x00..";           # 16 or 32 bytes; never printed
 *       ckn = "0x..";             # 1..32 bytes (the CA's name)
 *       cipher = "gcm-aes-128";   # gcm-aes-256, gcm-aes-xpn-128/256
 *       confidentiality = true;   # false: integrity only
 *       priority = 16;            # key server priority, lower wins;
 *                                 # 255: never key server
 *       port_id = 1;              # SCI = port MAC | port_id
 *       replay_window = 0;        # 0..4096 (0: strictly in order)
 *       validate = "strict";      # "check", "disabled"
 *       hello_ms = 2000;  life_ms = 6000;
 *       sak_rekey_s = 0;          # key server: new SAK every (0: off)
 *       cak_renew_s = 0;          # key server: renew the CAK (0: off)
 *       hold_packets = 128;       # frames held until the first SAK is
 *       hold_ms = 5000;           # in use (0: dropped), and how long
 *       server = 0;               # instance-id whose lcore runs the SecY
 *     } );
 *   };
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "ss_app_macsec.h"
#include "ss_hold.h"
#include "macsec_priv.h"

struct ss_app_msec ss_app_msec_state;

void
ss_app_msec_wipe_cfg(struct ss_app_msec *ms)
{
	uint8_t i;

	for (i = 0; i < SS_CFG_MAX_PORTS; i++)
		explicit_bzero(&ms->p[i].c, sizeof(ms->p[i].c));
	ms->n = 0;
	ms->save_keys[0] = '\0';
}

static const char *const cipher_names[] = { "gcm-aes-128", "gcm-aes-256",
	"gcm-aes-xpn-128", "gcm-aes-xpn-256", NULL };
static const char *const validate_names[] = { "disabled", "check",
	"strict", NULL };

const char *
ss_app_macsec_cipher_name(enum ss_macsec_cipher c)
{
	return (unsigned int)c < RTE_DIM(cipher_names) - 1 ?
		cipher_names[c] : "?";
}

const char *
ss_app_macsec_validate_name(enum ss_macsec_validate v)
{
	return (unsigned int)v < RTE_DIM(validate_names) - 1 ?
		validate_names[v] : "?";
}

uint8_t
ss_app_macsec_nb_ports(void)
{
	return ss_app_msec_state.n;
}

struct ss_app_msec_port *
ss_app_macsec_port(uint8_t i)
{
	return i < ss_app_msec_state.n ? &ss_app_msec_state.p[i] : NULL;
}

struct ss_app_msec_port *
ss_app_macsec_by_port(uint8_t port)
{
	uint8_t i;

	for (i = 0; i < ss_app_msec_state.n; i++)
		if (ss_app_msec_state.p[i].c.port == port)
			return &ss_app_msec_state.p[i];
	return NULL;
}

static int
server_by_id(const struct ss_config *cfg, int64_t id)
{
	uint16_t s;

	for (s = 0; s < cfg->nb_servers; s++)
		if (cfg->servers[s].id == id)
			return s;
	return -1;
}

static int
port_parse(const struct ss_config *cfg, const config_setting_t *e,
	struct ss_app_msec_cfg *c, struct ss_cfg_error *err)
{
	static const char *const keys[] = { "port", "cak", "ckn", "cipher",
		"confidentiality", "priority", "port_id", "replay_window",
		"validate", "hello_ms", "life_ms", "sak_rekey_s",
		"cak_renew_s", "hold_packets", "hold_ms", "server", NULL };
	int64_t v;
	size_t len;
	int i, ret;

	memset(c, 0, sizeof(*c));
	c->line = config_setting_source_line(e);
	c->cipher = SS_MACSEC_GCM_AES_128;
	c->confidentiality = true;
	c->priority = 16;
	c->port_id = 1;
	c->validate = SS_MACSEC_VALIDATE_STRICT;
	c->hello_ms = 2000;
	c->life_ms = 6000;
	c->server = cfg->nb_servers > 0 ? cfg->servers[0].id : 0;
	ret = ss_cfg_check_keys(e, keys, err);
	if (ret < 0)
		return ret;
	ret = ss_cfg_get_port(cfg, e, "port", true, &c->port, err);
	if (ret < 0)
		return ret;
	ret = ss_cfg_get_hex(e, "cak", true, c->cak, sizeof(c->cak), &len,
		err);
	if (ret < 0)
		return ret;
	c->cak_len = (uint8_t)len;
	if (len != 16 && len != 32) {
		memset(c->cak, 0, sizeof(c->cak));
		return ss_cfg_fail(err, config_setting_get_member(e, "cak"),
			"a CAK is 16 or 32 bytes, got %zu", len);
	}
	ret = ss_cfg_get_hex(e, "ckn", true, c->ckn, sizeof(c->ckn), &len,
		err);
	if (ret < 0)
		return ret;
	c->ckn_len = (uint8_t)len;
	i = (int)c->cipher;
	ret = ss_cfg_get_enum(e, "cipher", false, cipher_names, &i, err);
	if (ret < 0)
		return ret;
	c->cipher = (enum ss_macsec_cipher)i;
	if ((c->cipher == SS_MACSEC_GCM_AES_128 ||
			c->cipher == SS_MACSEC_GCM_AES_XPN_128) !=
			(c->cak_len == 16))
		return ss_cfg_fail(err, config_setting_get_member(e, "cipher"),
			"%s needs a %u-byte CAK (the SAK is as long as the "
			"CAK)", cipher_names[c->cipher], c->cak_len == 16 ?
			32 : 16);
	ret = ss_cfg_get_bool(e, "confidentiality", false,
		&c->confidentiality, err);
	if (ret < 0)
		return ret;
	v = c->priority;
	ret = ss_cfg_get_int(e, "priority", false, 0, 255, &v, err);
	if (ret < 0)
		return ret;
	c->priority = (uint8_t)v;
	v = c->port_id;
	ret = ss_cfg_get_int(e, "port_id", false, 1, 65535, &v, err);
	if (ret < 0)
		return ret;
	c->port_id = (uint16_t)v;
	v = 0;
	ret = ss_cfg_get_int(e, "replay_window", false, 0, 4096, &v, err);
	if (ret < 0)
		return ret;
	c->replay_window = (uint32_t)v;
	c->replay_protect = true;
	i = (int)c->validate;
	ret = ss_cfg_get_enum(e, "validate", false, validate_names, &i, err);
	if (ret < 0)
		return ret;
	c->validate = (enum ss_macsec_validate)i;
	v = c->hello_ms;
	ret = ss_cfg_get_int(e, "hello_ms", false, 100, 60000, &v, err);
	if (ret < 0)
		return ret;
	c->hello_ms = (uint32_t)v;
	v = c->life_ms;
	ret = ss_cfg_get_int(e, "life_ms", false, 300, 600000, &v, err);
	if (ret < 0)
		return ret;
	c->life_ms = (uint32_t)v;
	if (c->life_ms <= c->hello_ms)
		return ss_cfg_fail(err, config_setting_get_member(e,
			"life_ms") != NULL ? config_setting_get_member(e,
			"life_ms") : e, "life_ms (%u) must exceed hello_ms "
			"(%u)", c->life_ms, c->hello_ms);
	v = 0;
	ret = ss_cfg_get_int(e, "sak_rekey_s", false, 0, 86400 * 365, &v,
		err);
	if (ret < 0)
		return ret;
	c->sak_rekey_s = (uint32_t)v;
	v = 0;
	ret = ss_cfg_get_int(e, "cak_renew_s", false, 0, 86400 * 365, &v,
		err);
	if (ret < 0)
		return ret;
	c->cak_renew_s = (uint32_t)v;
	v = 128;
	ret = ss_cfg_get_int(e, "hold_packets", false, 0, SS_HOLD_MAX_PACKETS,
		&v, err);
	if (ret < 0)
		return ret;
	c->hold_packets = (uint32_t)v;
	v = 5000;
	ret = ss_cfg_get_int(e, "hold_ms", false, 1, 600000, &v, err);
	if (ret < 0)
		return ret;
	c->hold_ms = (uint32_t)v;
	v = c->server;
	ret = ss_cfg_get_int(e, "server", false, 0, 255, &v, err);
	if (ret < 0)
		return ret;
	if (server_by_id(cfg, v) < 0)
		return ss_cfg_fail(err, config_setting_get_member(e,
			"server"), "no server has instance-id %" PRId64, v);
	c->server = (uint16_t)v;
	return 0;
}

static int
section_parse(const struct ss_config *cfg, const config_setting_t *sec,
	void *arg, struct ss_cfg_error *err)
{
	static const char *const keys[] = { "debug_save_keys", "ports",
		NULL };
	struct ss_app_msec *ms = arg;
	const config_setting_t *l;
	unsigned int i, j, n;
	int ret;

	ss_app_msec_wipe_cfg(ms);
	if (sec == NULL)
		return 0;
	ret = ss_cfg_check_keys(sec, keys, err);
	if (ret < 0)
		return ret;
	ret = ss_cfg_get_str(sec, "debug_save_keys", false, ms->save_keys,
		sizeof(ms->save_keys), err);
	if (ret < 0)
		return ret;
	l = config_setting_get_member(sec, "ports");
	if (l == NULL)
		return ss_cfg_fail(err, sec, "missing required setting "
			"'ports'");
	if (!config_setting_is_list(l))
		return ss_cfg_fail(err, l, "expected a list ( {...}, ... )");
	n = (unsigned int)config_setting_length(l);
	if (n > SS_CFG_MAX_PORTS)
		return ss_cfg_fail(err, l, "at most %u MACsec ports, got %u",
			SS_CFG_MAX_PORTS, n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);

		if (!config_setting_is_group(e))
			return ss_cfg_fail(err, e, "expected a group { ... }");
		ret = port_parse(cfg, e, &ms->p[i].c, err);
		if (ret < 0) {
			ss_app_msec_wipe_cfg(ms);
			return ret;
		}
		for (j = 0; j < i; j++)
			if (ms->p[j].c.port == ms->p[i].c.port) {
				ret = ss_cfg_fail(err, config_setting_get_member(
					e, "port"), "port '%s' is already a "
					"MACsec port (line %d)",
					cfg->ports[ms->p[i].c.port].name,
					ms->p[j].c.line);
				ss_app_msec_wipe_cfg(ms);
				return ret;
			}
		ms->n = (uint8_t)(i + 1);
	}
	return 0;
}

/* "show config": everything but the CAK. */
static void
section_dump(const struct ss_config *cfg, const config_setting_t *sec,
	void *arg, FILE *f)
{
	const struct ss_app_msec *ms = &ss_app_msec_state;
	uint8_t i, k;

	RTE_SET_USED(sec);
	RTE_SET_USED(arg);
	if (ms->n == 0)
		return;
	fprintf(f, "macsec = {\n");
	if (ms->save_keys[0] != '\0')
		fprintf(f, "\tdebug_save_keys = \"%s\";\n", ms->save_keys);
	fprintf(f, "\tports = (\n");
	for (i = 0; i < ms->n; i++) {
		const struct ss_app_msec_cfg *c = &ms->p[i].c;

		fprintf(f, "\t\t{\n\t\t\tport = \"%s\";\n\t\t\tcak = "
			"\"<%u bytes, not shown>\";\n\t\t\tckn = \"0x",
			cfg->ports[c->port].name, c->cak_len);
		for (k = 0; k < c->ckn_len; k++)
			fprintf(f, "%02x", c->ckn[k]);
		fprintf(f, "\";\n\t\t\tcipher = \"%s\";\n\t\t\t"
			"confidentiality = %s;\n\t\t\tpriority = %u;\n\t\t\t"
			"port_id = %u;\n\t\t\treplay_window = %u;\n\t\t\t"
			"validate = \"%s\";\n\t\t\thello_ms = %u;\n\t\t\t"
			"life_ms = %u;\n\t\t\tsak_rekey_s = %u;\n\t\t\t"
			"cak_renew_s = %u;\n\t\t\thold_packets = %u;\n\t\t\t"
			"hold_ms = %u;\n\t\t\tserver = %u;\n\t\t}%s\n",
			cipher_names[c->cipher],
			c->confidentiality ? "true" : "false", c->priority,
			c->port_id, c->replay_window,
			validate_names[c->validate], c->hello_ms, c->life_ms,
			c->sak_rekey_s, c->cak_renew_s, c->hold_packets,
			c->hold_ms, c->server,
			i + 1 < ms->n ? "," : "");
	}
	fprintf(f, "\t);\n};\n");
}

int
ss_app_macsec_register(struct ss_app *app)
{
	int ret;

	RTE_SET_USED(app);
	ss_app_msec_wipe_cfg(&ss_app_msec_state);
	ret = ss_cfg_register_section("macsec", section_parse,
		&ss_app_msec_state);
	if (ret == 0)
		ret = ss_cfg_register_section_dump("macsec", section_dump);
	if (ret < 0)
		fprintf(stderr, "shardsec: cannot register 'macsec': %s\n",
			strerror(-ret));
	return ret;
}
