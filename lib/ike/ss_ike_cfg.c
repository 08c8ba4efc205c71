/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The "ike" configuration section, proposal strings and identities.
 *
 * ike = {
 *   retransmit_ms = 1000;       # first timeout, doubled per retry
 *   retransmit_tries = 5;       # then the SA is given up
 *   cookie_threshold = 10;      # half-open SAs before COOKIE is demanded
 *   half_open_timeout = 30;     # s
 *   keepalive_interval = 20;    # s, NAT keepalives when behind a NAT
 *   debug_save_keys = "/dir";   # DEBUG ONLY: every IKE and ESP key written
 *                               # to Wireshark key tables there (off if unset)
 *   fragmentation = true;       # RFC 7383 IKE fragmentation, if the peer has it
 *   fragment_size = 1280;       # bytes of IP datagram per fragment (576..9000);
 *                               # without RFC 7383, IP fragments of this size
 *   delete_rekeyed_delay = 5;   # s the inbound SA of a rekeyed pair keeps
 *                               # decrypting after its Delete (0..300, 0: none)
 *   peers = ( {
 *     name = "gw2";
 *     local_addr = "198.51.100.1";  local_port = 500;    # optional port
 *     remote_addr = "203.0.113.2";  # or "%any" (responder only)
 *     local_id = "gw1.example";     # fqdn, user@fqdn, IP, keyid:0x..|text
 *     remote_id = "gw2.example";    # unset or "%any": any identity
 *     auth = "psk" | "pubkey";      # pubkey: X.509, RFC 7427 signatures
 *     psk = "secret" | "0x00112233";  # never printed (auth = "psk")
 *     cert = "gw.pem"; key = "gw.key"; cacert = "ca.pem";  # "pubkey"
 *     ike_proposals = [ "aes256gcm16-prfsha256-ecp256", ... ];
 *     rekey_time = 14400; over_time = 1440; jitter = 1440;   # s
 *     dpd_interval = 30;            # s, 0 off
 *     encap = false;                # pretend NAT: UDP 4500 from IKE_AUTH
 *     children = ( {
 *       name = "net";
 *       local_ts = [ "10.1.0.0/24" ]; remote_ts = [ "10.2.0.0/24" ];
 *       esp_proposals = [ "aes128gcm16-esn", "aes256-sha256-noesn" ];
 *       mode = "tunnel" | "transport";
 *       per_server = true;            # one pair per server
 *       start_action = "start" | "on-demand" | "none";
 *       rekey_time = 3600; life_time = 3960; jitter = 360;  # s
 *       rekey_bytes = 0; rekey_packets = 0;
 *       max_pairs = 0;                # responder: TS_MAX_QUEUE after N
 *     } );
 *   } );
 * };
 *
 * Proposal words: aes128 aes256 (CBC) aes128gcm16 aes256gcm16, sha256
 * (HMAC-SHA2-256-128; also names the PRF if none is given), prfsha256
 * prfsha384 prfsha512, modp2048 ecp256 ecp384 curve25519 (a group in an
 * ESP proposal means PFS for CREATE_CHILD_SA), esn noesn (ESP).
 */

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ss_ike_priv.h"

static int
add16(uint16_t *arr, uint8_t *nb, uint16_t v)
{
	unsigned int i;

	for (i = 0; i < *nb; i++)
		if (arr[i] == v)
			return 0;
	if (*nb >= SS_IKE_MAX_XFORM)
		return -EINVAL;
	arr[(*nb)++] = v;
	return 0;
}

int
ss_ike_proposal_parse(const char *s, bool esp, struct ss_ike_proposal *p)
{
	char buf[256], *tok, *save = NULL;
	bool gcm = false, cbc = false;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	if (s == NULL || strlen(s) >= sizeof(buf) || s[0] == '\0')
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "-", &save); tok != NULL && ret == 0;
		tok = strtok_r(NULL, "-", &save)) {
		uint16_t encr = 0, bits = 0;

		if (!strcmp(tok, "aes128") || !strcmp(tok, "aes256")) {
			encr = SS_IKE_ENCR_AES_CBC;
			bits = tok[3] == '1' ? 128 : 256;
			cbc = true;
		} else if (!strcmp(tok, "aes128gcm16") ||
			!strcmp(tok, "aes256gcm16") ||
			!strcmp(tok, "aes128gcm") || !strcmp(tok, "aes256gcm")) {
			encr = SS_IKE_ENCR_AES_GCM16;
			bits = tok[3] == '1' ? 128 : 256;
			gcm = true;
		}
		if (encr != 0) {
			unsigned int i;

			for (i = 0; i < p->nb_encr; i++)
				if (p->encr[i] == encr &&
					p->encr_bits[i] == bits)
					break;
			if (i < p->nb_encr)
				continue;
			if (p->nb_encr >= SS_IKE_MAX_XFORM)
				return -EINVAL;
			p->encr[p->nb_encr] = encr;
			p->encr_bits[p->nb_encr++] = bits;
		} else if (!strcmp(tok, "sha256")) {
			ret = add16(p->integ, &p->nb_integ,
				SS_IKE_INTEG_HMAC_SHA2_256_128);
		} else if (!strcmp(tok, "prfsha256") && !esp) {
			ret = add16(p->prf, &p->nb_prf,
				SS_IKE_PRF_HMAC_SHA2_256);
		} else if (!strcmp(tok, "prfsha384") && !esp) {
			ret = add16(p->prf, &p->nb_prf,
				SS_IKE_PRF_HMAC_SHA2_384);
		} else if (!strcmp(tok, "prfsha512") && !esp) {
			ret = add16(p->prf, &p->nb_prf,
				SS_IKE_PRF_HMAC_SHA2_512);
		} else if (!strcmp(tok, "modp2048")) {
			ret = add16(p->dh, &p->nb_dh, SS_IKE_DH_MODP2048);
		} else if (!strcmp(tok, "ecp256")) {
			ret = add16(p->dh, &p->nb_dh, SS_IKE_DH_ECP256);
		} else if (!strcmp(tok, "ecp384")) {
			ret = add16(p->dh, &p->nb_dh, SS_IKE_DH_ECP384);
		} else if (!strcmp(tok, "curve25519") ||
			!strcmp(tok, "x25519")) {
			ret = add16(p->dh, &p->nb_dh, SS_IKE_DH_CURVE25519);
		} else if (!strcmp(tok, "esn") && esp) {
			p->esn[p->nb_esn++] = SS_IKE_ESN_YES;
		} else if (!strcmp(tok, "noesn") && esp) {
			p->esn[p->nb_esn++] = SS_IKE_ESN_NO;
		} else {
			return -EINVAL;
		}
		if (p->nb_esn > 2)
			return -EINVAL;
	}
	if (ret < 0 || p->nb_encr == 0)
		return -EINVAL;
	/* AEAD and non-AEAD ciphers need separate proposals */
	if (gcm && cbc)
		return -EINVAL;
	if (gcm && p->nb_integ > 0)
		return -EINVAL;
	if (cbc && p->nb_integ == 0)
		return -EINVAL;
	if (!esp) {
		/* like strongSwan: the integrity algorithm names the PRF */
		if (p->nb_prf == 0 && p->nb_integ > 0)
			p->prf[p->nb_prf++] = SS_IKE_PRF_HMAC_SHA2_256;
		if (p->nb_prf == 0 || p->nb_dh == 0)
			return -EINVAL;
	}
	return 0;
}

int
ss_ike_id_parse(const char *s, struct ss_ike_id *id)
{
	struct ss_ipaddr ip;
	size_t n;

	memset(id, 0, sizeof(*id));
	if (s == NULL || s[0] == '\0')
		return -EINVAL;
	if (!strncmp(s, "keyid:", 6)) {
		const char *h = s + 6;

		id->type = SS_IKE_ID_KEY_ID;
		if (!strncmp(h, "0x", 2)) {
			h += 2;
			n = strlen(h);
			if (n == 0 || n % 2 || n / 2 > SS_IKE_ID_LEN)
				return -EINVAL;
			for (id->len = 0; id->len < n / 2; id->len++) {
				unsigned int v;

				if (!isxdigit((unsigned char)h[2 * id->len]) ||
					!isxdigit((unsigned char)
						h[2 * id->len + 1]) ||
					sscanf(h + 2 * id->len, "%2x", &v) != 1)
					return -EINVAL;
				id->data[id->len] = (uint8_t)v;
			}
			return 0;
		}
		s = h;
	} else if (!strncmp(s, "fqdn:", 5)) {
		id->type = SS_IKE_ID_FQDN;
		s += 5;
	} else if (!strncmp(s, "email:", 6)) {
		id->type = SS_IKE_ID_USER_FQDN;
		s += 6;
	} else if (ss_ipaddr_parse(s, &ip) == 0) {
		id->type = ip.family == AF_INET ? SS_IKE_ID_IPV4 :
			SS_IKE_ID_IPV6;
		id->len = ip.family == AF_INET ? 4 : 16;
		memcpy(id->data, ip.family == AF_INET ?
			(const uint8_t *)&ip.v4 : ip.v6, id->len);
		return 0;
	} else if (strchr(s, '@') != NULL) {
		id->type = SS_IKE_ID_USER_FQDN;
	} else {
		id->type = SS_IKE_ID_FQDN;
	}
	n = strlen(s);
	if (n == 0 || n > SS_IKE_ID_LEN)
		return -EINVAL;
	memcpy(id->data, s, n);
	id->len = (uint8_t)n;
	return 0;
}

static int
ts_from_prefix(const char *s, struct ss_ike_ts *ts)
{
	struct ss_prefix p;
	struct ss_ipaddr a;
	size_t n, i;
	uint8_t *lo = ts->lo, *hi = ts->hi;

	memset(ts, 0, sizeof(*ts));
	if (ss_prefix_parse(s, &p) < 0) {
		if (ss_ipaddr_parse(s, &a) < 0)
			return -EINVAL;
		p.addr = a;
		p.len = a.family == AF_INET ? 32 : 128;
	}
	ts->family = p.addr.family;
	n = p.addr.family == AF_INET ? 4 : 16;
	memcpy(lo, p.addr.family == AF_INET ? (const uint8_t *)&p.addr.v4 :
		p.addr.v6, n);
	if (p.len > n * 8)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned int bits = p.len > i * 8 ?
			RTE_MIN(8u, p.len - (unsigned int)i * 8) : 0;
		uint8_t mask = bits ? (uint8_t)(0xff00 >> bits) : 0;

		lo[i] &= mask;
		hi[i] = lo[i] | (uint8_t)~mask;
	}
	ts->port_lo = 0;
	ts->port_hi = 65535;
	return 0;
}

/* A string or a list/array of strings; calls fn on each. */
static int
for_each_str(const config_setting_t *g, const char *name, bool required,
	int (*fn)(const char *s, void *arg, unsigned int i), void *arg,
	unsigned int max, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	unsigned int i, n;

	if (s == NULL)
		return required ? ss_cfg_fail(err, g,
			"missing required setting '%s'", name) : 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (fn(config_setting_get_string(s), arg, 0) < 0)
			return ss_cfg_fail(err, s, "invalid value '%s'",
				config_setting_get_string(s));
		return 1;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return ss_cfg_fail(err, s, "expected a string or a list");
	n = (unsigned int)config_setting_length(s);
	if (n == 0 && required)
		return ss_cfg_fail(err, s, "empty list");
	if (n > max)
		return ss_cfg_fail(err, s, "at most %u entries", max);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (v == NULL)
			return ss_cfg_fail(err, e, "expected a string");
		if (fn(v, arg, i) < 0)
			return ss_cfg_fail(err, e, "invalid value '%s'", v);
	}
	return (int)n;
}

static int
ike_prop_cb(const char *s, void *arg, unsigned int i)
{
	return ss_ike_proposal_parse(s, false,
		&((struct ss_ike_proposal *)arg)[i]);
}

static int
esp_prop_cb(const char *s, void *arg, unsigned int i)
{
	return ss_ike_proposal_parse(s, true,
		&((struct ss_ike_proposal *)arg)[i]);
}

static int
ts_cb(const char *s, void *arg, unsigned int i)
{
	return ts_from_prefix(s, &((struct ss_ike_ts *)arg)[i]);
}

static int
get_u32(const config_setting_t *g, const char *name, int64_t min, int64_t max,
	uint32_t *out, struct ss_cfg_error *err)
{
	int64_t v = *out;

	if (ss_cfg_get_int(g, name, false, min, max, &v, err) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_child(const config_setting_t *g, struct ss_ike_child_conf *c,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = { "name", "local_ts", "remote_ts",
		"mode", "per_server", "start_action", "esp_proposals",
		"rekey_time", "life_time", "rekey_bytes", "rekey_packets",
		"jitter", "max_pairs", NULL };
	static const char *const modes[] = { "tunnel", "transport", NULL };
	static const char *const starts[] = { "none", "start", "on-demand",
		NULL };
	int mode = 0, start = 1, n;
	int64_t v;

	memset(c, 0, sizeof(*c));
	c->per_server = true;
	c->rekey_time = 3600;
	c->life_time = 3960;
	c->jitter = 360;
	if (ss_cfg_check_keys(g, keys, err) < 0 ||
		ss_cfg_get_str(g, "name", true, c->name, sizeof(c->name),
			err) < 0 ||
		ss_cfg_get_enum(g, "mode", false, modes, &mode, err) < 0 ||
		ss_cfg_get_enum(g, "start_action", false, starts, &start,
			err) < 0 ||
		ss_cfg_get_bool(g, "per_server", false, &c->per_server,
			err) < 0 ||
		get_u32(g, "rekey_time", 0, 86400 * 30, &c->rekey_time,
			err) < 0 ||
		get_u32(g, "life_time", 0, 86400 * 30, &c->life_time, err) < 0 ||
		get_u32(g, "jitter", 0, 86400, &c->jitter, err) < 0)
		return -EINVAL;
	v = 0;
	if (ss_cfg_get_int(g, "max_pairs", false, 0, 65535, &v, err) < 0)
		return -EINVAL;
	c->max_pairs = (uint16_t)v;
	c->transport = mode == 1;
	c->start = start == 0 ? SS_IKE_START_NONE : start == 1 ?
		SS_IKE_START_START : SS_IKE_START_ON_DEMAND;
	v = 0;
	if (ss_cfg_get_int(g, "rekey_bytes", false, 0, INT64_MAX, &v, err) < 0)
		return -EINVAL;
	c->rekey_bytes = (uint64_t)v;
	v = 0;
	if (ss_cfg_get_int(g, "rekey_packets", false, 0, INT64_MAX, &v,
		err) < 0)
		return -EINVAL;
	c->rekey_packets = (uint64_t)v;
	if (c->life_time && c->rekey_time >= c->life_time)
		return ss_cfg_fail(err, g,
			"rekey_time must be below life_time");
	if (c->jitter >= c->rekey_time && c->rekey_time)
		c->jitter = c->rekey_time / 10;
	n = for_each_str(g, "local_ts", true, ts_cb, c->local_ts,
		SS_IKE_MAX_TS, err);
	if (n < 0)
		return n;
	c->nb_local_ts = (uint8_t)n;
	n = for_each_str(g, "remote_ts", true, ts_cb, c->remote_ts,
		SS_IKE_MAX_TS, err);
	if (n < 0)
		return n;
	c->nb_remote_ts = (uint8_t)n;
	n = for_each_str(g, "esp_proposals", false, esp_prop_cb, c->esp,
		SS_IKE_MAX_PROPS, err);
	if (n < 0)
		return n;
	c->nb_esp = (uint8_t)n;
	if (n == 0) {
		ss_ike_proposal_parse("aes128gcm16-esn-noesn", true, &c->esp[0]);
		c->nb_esp = 1;
	}
	return 0;
}

static int
get_addr(const config_setting_t *g, const char *name, const char *pname,
	struct ss_ike_addr *a, bool required, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	int64_t port = 0;

	memset(a, 0, sizeof(*a));
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING &&
		(!strcmp(config_setting_get_string(s), "%any") ||
		 !strcmp(config_setting_get_string(s), "any")))
		s = NULL;
	else if (ss_cfg_get_ip(g, name, required, &a->ip, err) < 0)
		return -EINVAL;
	(void)s;
	if (ss_cfg_get_int(g, pname, false, 1, 65535, &port, err) < 0)
		return -EINVAL;
	a->port = (uint16_t)port;
	return 0;
}

/* psk = "text" or "0x" hex; the caller wipes buf. */
static int
psk_decode(const config_setting_t *s, char *buf, struct ss_ike_peer_conf *p,
	struct ss_cfg_error *err)
{
	unsigned int i;

	if (!strncmp(buf, "0x", 2)) {
		size_t len = strlen(buf + 2);

		for (i = 0; i < len; i++)
			if (!isxdigit((unsigned char)buf[2 + i]))
				break;
		if (len == 0 || len % 2 || i != len ||
			len / 2 > SS_IKE_PSK_MAX)
			return ss_cfg_fail(err, s,
				"psk: bad hex string (0x + 2..%u digits)",
				2 * SS_IKE_PSK_MAX);
		for (i = 0; i < len / 2; i++) {
			unsigned int v;

			sscanf(buf + 2 + 2 * i, "%2x", &v);
			p->psk[i] = (uint8_t)v;
		}
		p->psk_len = (uint16_t)(len / 2);
	} else {
		size_t len = strlen(buf);

		if (len == 0 || len > SS_IKE_PSK_MAX)
			return ss_cfg_fail(err, s, "psk: 1..%u characters",
				SS_IKE_PSK_MAX);
		memcpy(p->psk, buf, len);
		p->psk_len = (uint16_t)len;
	}
	return 0;
}

/* auth = "psk" | "pubkey"; with pubkey, cert/key/cacert must load (the
 * engine loads them again at start-up: this catches a bad file here,
 * with the config line). */
static int
parse_auth(const config_setting_t *g, struct ss_ike_peer_conf *p,
	struct ss_cfg_error *err)
{
	static const char *const files[] = { "cert", "key", "cacert" };
	char *const dst[] = { p->cert, p->key, p->cacert };
	char buf[16] = "psk", why[300];
	struct ike_cred *c;
	unsigned int i;

	if (ss_cfg_get_str(g, "auth", false, buf, sizeof(buf), err) < 0)
		return -EINVAL;
	if (strcmp(buf, "psk") == 0)
		p->auth = SS_IKE_AUTH_PSK;
	else if (strcmp(buf, "pubkey") == 0)
		p->auth = SS_IKE_AUTH_PUBKEY;
	else
		return ss_cfg_fail(err, config_setting_get_member(g, "auth"),
			"auth: \"psk\" or \"pubkey\"");
	for (i = 0; i < RTE_DIM(files); i++) {
		const config_setting_t *f = config_setting_get_member(g,
			files[i]);

		if (f != NULL && p->auth != SS_IKE_AUTH_PUBKEY)
			return ss_cfg_fail(err, f, "%s: only with auth = "
				"\"pubkey\"", files[i]);
		if (ss_cfg_get_str(g, files[i],
			p->auth == SS_IKE_AUTH_PUBKEY, dst[i],
			SS_IKE_PATH_LEN, err) < 0)
			return -EINVAL;
	}
	if (p->auth != SS_IKE_AUTH_PUBKEY)
		return 0;
	c = ike_cred_load(p, why, sizeof(why));
	if (c == NULL)
		return ss_cfg_fail(err, g, "%s", why);
	ike_cred_free(c);
	return 0;
}

static int
parse_peer(const config_setting_t *g, struct ss_ike_peer_conf *p,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = { "name", "local_addr",
		"local_port", "remote_addr", "remote_port", "local_id",
		"remote_id", "auth", "psk", "cert", "key", "cacert",
		"ike_proposals", "rekey_time", "over_time",
		"jitter", "dpd_interval", "encap", "children", NULL };
	char buf[2 * SS_IKE_PSK_MAX + 8];
	const config_setting_t *ch, *s;
	unsigned int i;
	int n;

	memset(p, 0, sizeof(*p));
	p->rekey_time = 14400;
	p->jitter = 1440;
	p->dpd_interval = 30;
	p->over_time = 0;
	if (ss_cfg_check_keys(g, keys, err) < 0 ||
		ss_cfg_get_str(g, "name", true, p->name, sizeof(p->name),
			err) < 0 ||
		get_addr(g, "local_addr", "local_port", &p->local, false,
			err) < 0 ||
		get_addr(g, "remote_addr", "remote_port", &p->remote, false,
			err) < 0 ||
		get_u32(g, "rekey_time", 0, 86400 * 30, &p->rekey_time,
			err) < 0 ||
		get_u32(g, "over_time", 0, 86400, &p->over_time, err) < 0 ||
		get_u32(g, "jitter", 0, 86400, &p->jitter, err) < 0 ||
		get_u32(g, "dpd_interval", 0, 3600, &p->dpd_interval,
			err) < 0 ||
		ss_cfg_get_bool(g, "encap", false, &p->encap, err) < 0)
		return -EINVAL;
	if (p->over_time == 0)
		p->over_time = p->rekey_time / 10;
	if (p->jitter >= p->rekey_time && p->rekey_time)
		p->jitter = p->rekey_time / 10;
	if (p->local.ip.family != 0 && p->remote.ip.family != 0 &&
		p->local.ip.family != p->remote.ip.family)
		return ss_cfg_fail(err, g,
			"local_addr and remote_addr of different families");
	buf[0] = '\0';
	if (ss_cfg_get_str(g, "local_id", false, buf, sizeof(buf), err) < 0)
		return -EINVAL;
	if (buf[0] == '\0') {
		if (p->local.ip.family == 0)
			return ss_cfg_fail(err, g,
				"local_id needed when local_addr is not set");
		p->local_id.type = p->local.ip.family == AF_INET ?
			SS_IKE_ID_IPV4 : SS_IKE_ID_IPV6;
		p->local_id.len = p->local.ip.family == AF_INET ? 4 : 16;
		memcpy(p->local_id.data, p->local.ip.family == AF_INET ?
			(const uint8_t *)&p->local.ip.v4 : p->local.ip.v6,
			p->local_id.len);
	} else if (ss_ike_id_parse(buf, &p->local_id) < 0) {
		return ss_cfg_fail(err, config_setting_get_member(g,
			"local_id"), "invalid identity");
	}
	buf[0] = '\0';
	if (ss_cfg_get_str(g, "remote_id", false, buf, sizeof(buf), err) < 0)
		return -EINVAL;
	if (buf[0] != '\0' && strcmp(buf, "%any") != 0 &&
		ss_ike_id_parse(buf, &p->remote_id) < 0)
		return ss_cfg_fail(err, config_setting_get_member(g,
			"remote_id"), "invalid identity");
	if (parse_auth(g, p, err) < 0)
		return -EINVAL;
	/* the secret itself never goes into an error message */
	s = config_setting_get_member(g, "psk");
	if (ss_cfg_get_str(g, "psk", p->auth == SS_IKE_AUTH_PSK, buf,
		sizeof(buf), err) < 0)
		return -EINVAL;
	if (s != NULL && p->auth != SS_IKE_AUTH_PSK) {
		memset(buf, 0, sizeof(buf));
		return ss_cfg_fail(err, s, "psk: not used with auth = "
			"\"pubkey\"");
	}
	if (s != NULL && psk_decode(s, buf, p, err) < 0) {
		memset(buf, 0, sizeof(buf));
		return -EINVAL;
	}
	memset(buf, 0, sizeof(buf));
	n = for_each_str(g, "ike_proposals", false, ike_prop_cb, p->ike,
		SS_IKE_MAX_PROPS, err);
	if (n < 0)
		return n;
	p->nb_ike = (uint8_t)n;
	if (n == 0) {
		ss_ike_proposal_parse("aes256gcm16-prfsha256-ecp256", false,
			&p->ike[0]);
		p->nb_ike = 1;
	}
	for (i = 0; i < p->nb_ike; i++) {
		unsigned int j;

		for (j = 0; j < p->ike[i].nb_dh; j++)
			if (!ike_dh_supported(p->ike[i].dh[j]))
				return ss_cfg_fail(err, g, "unsupported group");
	}
	ch = config_setting_get_member(g, "children");
	if (ch != NULL) {
		if (!config_setting_is_list(ch) && !config_setting_is_array(ch))
			return ss_cfg_fail(err, ch, "expected a list of groups");
		n = config_setting_length(ch);
		if (n > SS_IKE_MAX_CHILD_CONF)
			return ss_cfg_fail(err, ch, "at most %d children",
				SS_IKE_MAX_CHILD_CONF);
		for (i = 0; i < (unsigned int)n; i++) {
			const config_setting_t *e =
				config_setting_get_elem(ch, i);

			if (!config_setting_is_group(e))
				return ss_cfg_fail(err, e, "expected a group");
			if (parse_child(e, &p->child[i], err) < 0)
				return -EINVAL;
		}
		p->nb_child = (uint8_t)n;
	}
	return 0;
}

int
ss_ike_cfg_parse(const struct ss_config *cfg,
	const config_setting_t *section, struct ss_ike_conf *out,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = { "retransmit_ms",
		"retransmit_tries", "cookie_threshold", "half_open_timeout",
		"keepalive_interval", "debug_save_keys", "fragmentation",
		"fragment_size", "delete_rekeyed_delay", "peers", NULL };
	const config_setting_t *peers, *old;
	uint32_t v;
	unsigned int i, j;
	int n;

	memset(out, 0, sizeof(*out));
	out->instance_bits = cfg != NULL && cfg->instance_bits ?
		cfg->instance_bits : 4;
	out->retransmit_ms = 1000;
	out->retransmit_tries = 5;
	out->cookie_threshold = 10;
	out->half_open_timeout = 30;
	out->keepalive_interval = 20;
	out->fragmentation = true;
	out->fragment_size = 1280;
	out->delete_rekeyed_delay = 5;
	if (section == NULL)
		return 0;
	/* the key export's name says what it is, as macsec's does */
	old = config_setting_get_member(section, "save_keys");
	if (old != NULL)
		return ss_cfg_fail(err, old, "renamed to debug_save_keys "
			"(DEBUG ONLY: it writes every IKE and ESP key to "
			"files)");
	if (ss_cfg_check_keys(section, keys, err) < 0 ||
		get_u32(section, "retransmit_ms", 50, 60000, &out->retransmit_ms,
			err) < 0 ||
		get_u32(section, "half_open_timeout", 1, 3600,
			&out->half_open_timeout, err) < 0 ||
		get_u32(section, "keepalive_interval", 1, 3600,
			&out->keepalive_interval, err) < 0 ||
		get_u32(section, "delete_rekeyed_delay", 0, 300,
			&out->delete_rekeyed_delay, err) < 0 ||
		ss_cfg_get_str(section, "debug_save_keys", false, out->save_keys,
			sizeof(out->save_keys), err) < 0 ||
		ss_cfg_get_bool(section, "fragmentation", false,
			&out->fragmentation, err) < 0)
		return -EINVAL;
	v = out->fragment_size;
	if (get_u32(section, "fragment_size", 576, 9000, &v, err) < 0)
		return -EINVAL;
	out->fragment_size = (uint16_t)v;
	v = out->retransmit_tries;
	if (get_u32(section, "retransmit_tries", 1, 20, &v, err) < 0)
		return -EINVAL;
	out->retransmit_tries = (uint8_t)v;
	v = out->cookie_threshold;
	if (get_u32(section, "cookie_threshold", 0, 65535, &v, err) < 0)
		return -EINVAL;
	out->cookie_threshold = (uint16_t)v;
	peers = config_setting_get_member(section, "peers");
	if (peers == NULL)
		return 0;
	if (!config_setting_is_list(peers))
		return ss_cfg_fail(err, peers, "expected a list of groups");
	n = config_setting_length(peers);
	if (n > SS_IKE_MAX_PEERS)
		return ss_cfg_fail(err, peers, "at most %d peers",
			SS_IKE_MAX_PEERS);
	for (i = 0; i < (unsigned int)n; i++) {
		const config_setting_t *e = config_setting_get_elem(peers, i);

		if (!config_setting_is_group(e))
			return ss_cfg_fail(err, e, "expected a group");
		if (parse_peer(e, &out->peer[i], err) < 0)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(out->peer[j].name, out->peer[i].name))
				return ss_cfg_fail(err, e,
					"duplicate peer name '%s'",
					out->peer[i].name);
	}
	out->nb_peers = (uint8_t)n;
	return 0;
}

static int
section_cb(const struct ss_config *cfg, const config_setting_t *section,
	void *arg, struct ss_cfg_error *err)
{
	return ss_ike_cfg_parse(cfg, section, arg, err);
}

static void
dump_cb(const struct ss_config *cfg, const config_setting_t *section,
	void *arg, FILE *f)
{
	const struct ss_ike_conf *c = arg;
	char a[INET6_ADDRSTRLEN + 4];
	unsigned int i;

	RTE_SET_USED(cfg);
	if (section == NULL)
		return;
	fprintf(f, "ike = {\n\tretransmit_ms = %u;\n\tretransmit_tries = %u;\n"
		"\tcookie_threshold = %u;\n\thalf_open_timeout = %u;\n"
		"\tkeepalive_interval = %u;\n\tfragmentation = %s;\n"
		"\tfragment_size = %u;\n\tdelete_rekeyed_delay = %u;\n",
		c->retransmit_ms, c->retransmit_tries, c->cookie_threshold,
		c->half_open_timeout, c->keepalive_interval,
		c->fragmentation ? "true" : "false", c->fragment_size,
		c->delete_rekeyed_delay);
	fprintf(f, "\t# peers (pre-shared keys are not shown)\n");
	for (i = 0; i < c->nb_peers; i++) {
		const struct ss_ike_peer_conf *p = &c->peer[i];

		fprintf(f, "\t# %s: local %s", p->name,
			p->local.ip.family ? ss_ipaddr_str(&p->local.ip, a,
				sizeof(a)) : "%any");
		fprintf(f, " remote %s, %u children\n",
			p->remote.ip.family ? ss_ipaddr_str(&p->remote.ip, a,
				sizeof(a)) : "%any", p->nb_child);
	}
	fprintf(f, "};\n");
}

int
ss_ike_cfg_register(struct ss_ike_conf *out)
{
	int ret = ss_cfg_register_section("ike", section_cb, out);

	if (ret == 0)
		ss_cfg_register_section_dump("ike", dump_cb);
	return ret;
}
