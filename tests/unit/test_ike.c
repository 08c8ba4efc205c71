/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * lib/ike: crypto vectors (RFC 4231, RFC 5903, RFC 7748, NIST CAVP IKEv2
 * KDF), codec round trips and strictness, proposal selection, and the
 * protocol between two (or three) engines wired through their send
 * callbacks: IKE_SA_INIT, IKE_AUTH, per-server CREATE_CHILD_SA, cookies,
 * INVALID_KE, NAT-T, errors, retransmission, DPD, delete, rekeying,
 * X.509 certificate authentication (certificates made here by OpenSSL).
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <rte_common.h>
#include <rte_log.h>

#include "ss_ike.h"
#include "ss_ike_priv.h"
#include "ss_test.h"

static size_t
hx(const char *h, uint8_t *out, size_t len)
{
	return ss_test_hex(h, out, len);
}

/* ---- crypto vectors -------------------------------------------------- */

START_TEST(test_hmac_rfc4231)
{
	static const struct {
		const char *key, *data;
		const char *mac[3];
	} tv[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", {
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		  "faea9ea9076ede7f4af152e8b2fa9cb6",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
		{ "4a656665", "what do ya want for nothing?", {
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
		  "8e2240ca5e69e2c78b3239ecfab21649",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
		{ NULL, "Test Using Larger Than Block-Size Key - Hash Key First", {
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
		  "0c2ef6ab4030fe8296248df163f44952",
		  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
	};
	static const uint16_t prfs[3] = { SS_IKE_PRF_HMAC_SHA2_256,
		SS_IKE_PRF_HMAC_SHA2_384, SS_IKE_PRF_HMAC_SHA2_512 };
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(tv); i++) {
		uint8_t key[131], want[64], got[64];
		size_t kl;

		if (tv[i].key != NULL) {
			kl = hx(tv[i].key, key, sizeof(key));
		} else {
			memset(key, 0xaa, 131);
			kl = 131;
		}
		for (j = 0; j < 3; j++) {
			/* the data split in two parts: the iov path too */
			size_t dl = strlen(tv[i].data);
			struct ike_iov iov[2] = { { tv[i].data, 3 },
				{ tv[i].data + 3, dl - 3 } };
			size_t ml = hx(tv[i].mac[j], want, sizeof(want));

			ck_assert_uint_eq(ml, ike_prf_len(prfs[j]));
			ck_assert_int_eq(ike_prf(prfs[j], key, kl, iov, 2, got),
				0);
			ck_assert_msg(memcmp(got, want, ml) == 0,
				"case %u prf %u", i, prfs[j]);
		}
	}
	ck_assert_int_lt(ike_prf(99, NULL, 0, NULL, 0, NULL), 0);
}
END_TEST

/* NIST CAVP SP 800-135 IKEv2 KDF, HMAC-SHA1, COUNT 0 (ikev2.zip). */
START_TEST(test_kdf_nist_cavp)
{
	uint8_t ni[8], nr[8], g[128], gn[128], want[132], got[132];
	uint8_t seed[20], skd[20];
	uint64_t spi_i = 0x8e5c3ae507221684ull, spi_r = 0xb1f201bb155c3acdull;

	hx("3651fef5c9c35e93", ni, 8);
	hx("c09a8b90a3f04d59", nr, 8);
	hx("d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273"
	   "d79509f37e3ca3eb4fa2fe2a28254e289cd3f34dad4eb4df1a07685a4b8a94fa"
	   "61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033f3cedb026a6873a3"
	   "6455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c",
	   g, 128);
	hx("52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442"
	   "e4fbe429d320c0f33552a17d1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461"
	   "afa78f1159159a64055ac5f6319e29c28eae58cbc6847770f32c3fed1d047504"
	   "84f854790f95e9ec01bc5bc461f24966462e359511329305038e94deb6dd42c2",
	   gn, 128);
	ck_assert_int_eq(ike_skeyseed(IKE_PRF_HMAC_SHA1, ni, 8, nr, 8, g, 128,
		NULL, 0, seed), 0);
	hx("cd2e8050137832245f1dbacc6e4f0a92f94d45d6", want, 20);
	ck_assert(memcmp(seed, want, 20) == 0);
	ck_assert_int_eq(ike_dkm(IKE_PRF_HMAC_SHA1, seed, ni, 8, nr, 8, spi_i,
		spi_r, got, 132), 0);
	hx("6f1b12cad3cbe097b35430356d869d54cddb0198ec859174d53ceb92dddedbe2"
	   "436db69f60977c58fa63bbb667f8d36920b109baae8f6c61a9ac49feda018432"
	   "25d080ec5539d5881a25521ffb2a0a91874a9c0a27fcc2d717eb8963a9e3a89c"
	   "7ab264757284c28cf8c3ca40576f4220b052b1fb8e9ad60ba3c80557323331a8"
	   "cbb89f20", want, 132);
	ck_assert(memcmp(got, want, 132) == 0);
	memcpy(skd, got, 20);
	ck_assert_int_eq(ike_child_dkm(IKE_PRF_HMAC_SHA1, skd, NULL, 0, ni, 8,
		nr, 8, got, 132), 0);
	hx("4727dc0ef94eb326ce131cf282fb652faa638ad0ddae3786a11bcc0309876009"
	   "f8c485de011ad962c5b1ca8a41ff8145445749079c5686e26ffebbc342f06981"
	   "f3da745e11ca0976424d1f8caec623d59dc7186deb20a27b411d1dcb70a36544"
	   "0bf7de905088b0692e8addc094e18d1939bdb67e89798ca6b239e2ccb81c2409"
	   "dac0106c", want, 132);
	ck_assert(memcmp(got, want, 132) == 0);
	ck_assert_int_eq(ike_child_dkm(IKE_PRF_HMAC_SHA1, skd, gn, 128, ni, 8,
		nr, 8, got, 132), 0);
	hx("b109c21ad4c0797768c1cec9e63554681e48f224bca7f23c20c4ea7041983451"
	   "e9aa1d5408656c8a975ff1b9d9a12c75ffeb64bdecb30174664cccb4e14f1c37"
	   "7b7f6d1525af77c7092aac3e47f917ebae8297fb5539d2008ce830823a09cc19"
	   "7361d4a289c72745f6ce9fefe812be5bf55b3200fbb82e41a4a40877d3fe106d"
	   "b909707b", want, 132);
	ck_assert(memcmp(got, want, 132) == 0);
	ck_assert_int_eq(ike_skeyseed(IKE_PRF_HMAC_SHA1, ni, 8, nr, 8, gn, 128,
		skd, 20, seed), 0);
	hx("3b03bce748c96d5e8306918d2ff89b68f0648da3", want, 20);
	ck_assert(memcmp(seed, want, 20) == 0);
}
END_TEST

/* Same KDF with HMAC-SHA2-256; expected values computed at development
 * time with Python's hmac module (an independent implementation):
 *   seed = hmac(Ni|Nr, g, sha256); prf+ by hand over Ni|Nr|SPIi|SPIr. */
#define PY_SKEYSEED \
	"e869103fa90e7f00890492fb19303349257fcecefcfbf72fdc13f5a99a886ae3"
#define PY_DKM \
	"bd815ce85b7ccc70c2a10826b7074eff5cec14a7b2f5f7b05a5a28750622cec0" \
	"63327b35415e593fa2327bceb20ac4043068b36f428ff69a20a2cf11043a4552" \
	"de3468ec634f9d8dab26f407186cde3092b4059f70339eadbf02deeca539aaaf"

START_TEST(test_kdf_sha256_python)
{
	uint8_t ni[32], nr[32], g[64], seed[32], got[96], want[96];
	unsigned int i;

	for (i = 0; i < 32; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(0x80 + i);
	}
	for (i = 0; i < 64; i++)
		g[i] = (uint8_t)(0xff - i);
	ck_assert_int_eq(ike_skeyseed(SS_IKE_PRF_HMAC_SHA2_256, ni, 32, nr,
		32, g, 64, NULL, 0, seed), 0);
	hx(PY_SKEYSEED, want, 32);
	ck_assert(memcmp(seed, want, 32) == 0);
	ck_assert_int_eq(ike_dkm(SS_IKE_PRF_HMAC_SHA2_256, seed, ni, 32, nr,
		32, 0x0102030405060708ull, 0x1112131415161718ull, got, 96), 0);
	hx(PY_DKM, want, 96);
	ck_assert(memcmp(got, want, 96) == 0);
}
END_TEST

START_TEST(test_ecdh_rfc5903)
{
	static const struct {
		uint16_t group;
		const char *i, *gix, *giy, *grx, *gry, *girx;
	} tv[] = {
		{ SS_IKE_DH_ECP256,
		  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
		  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
		  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
		  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
		  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
		  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
		{ SS_IKE_DH_ECP384,
		  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
		  "e35b538041e649ee3faef896783ab194",
		  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
		  "de3ac808acb4bdb4c88732aee95f41aa",
		  "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
		  "eb9fcff3c2c947dae69b4c634573a81c",
		  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
		  "0d1ac43a0336def96fda41d0774a3571",
		  "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
		  "f83fa40142209dff5eaad96db9e6386c",
		  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
		  "d603135569b9e9d09cf5d4a270f59746" },
	};
	unsigned int k;

	for (k = 0; k < RTE_DIM(tv); k++) {
		uint8_t priv[48], pub[96], peer[96], want[48], out[64];
		size_t n = hx(tv[k].i, priv, sizeof(priv)), pl, ol;
		const uint8_t *p;
		struct ike_dh *dh = ike_dh_new(tv[k].group, priv, n);

		ck_assert_ptr_nonnull(dh);
		hx(tv[k].gix, pub, n);
		hx(tv[k].giy, pub + n, n);
		p = ike_dh_pub(dh, &pl);
		ck_assert_uint_eq(pl, 2 * n);
		ck_assert(memcmp(p, pub, pl) == 0);
		hx(tv[k].grx, peer, n);
		hx(tv[k].gry, peer + n, n);
		ck_assert_int_eq(ike_dh_shared(dh, peer, 2 * n, out, &ol), 0);
		hx(tv[k].girx, want, n);
		ck_assert_uint_eq(ol, n);
		ck_assert(memcmp(out, want, n) == 0);
		/* a point off the curve and a wrong length are refused */
		peer[2 * n - 1] ^= 1;
		ck_assert_int_lt(ike_dh_shared(dh, peer, 2 * n, out, &ol), 0);
		ck_assert_int_lt(ike_dh_shared(dh, peer, 2 * n - 1, out, &ol),
			0);
		ike_dh_free(dh);
	}
}
END_TEST

START_TEST(test_x25519_rfc7748)
{
	uint8_t a[32], bpub[32], apub[32], want[32], out[32];
	size_t pl, ol;
	const uint8_t *p;
	struct ike_dh *dh;

	hx("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	   a, 32);
	hx("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	   apub, 32);
	hx("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	   bpub, 32);
	hx("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	   want, 32);
	dh = ike_dh_new(SS_IKE_DH_CURVE25519, a, 32);
	ck_assert_ptr_nonnull(dh);
	p = ike_dh_pub(dh, &pl);
	ck_assert(pl == 32 && memcmp(p, apub, 32) == 0);
	ck_assert_int_eq(ike_dh_shared(dh, bpub, 32, out, &ol), 0);
	ck_assert(ol == 32 && memcmp(out, want, 32) == 0);
	/* small-order point (all zero): refused */
	memset(bpub, 0, 32);
	ck_assert_int_lt(ike_dh_shared(dh, bpub, 32, out, &ol), 0);
	ike_dh_free(dh);
}
END_TEST

START_TEST(test_dh_all_groups)
{
	static const uint16_t g[] = { SS_IKE_DH_MODP2048, SS_IKE_DH_ECP256,
		SS_IKE_DH_ECP384, SS_IKE_DH_CURVE25519 };
	unsigned int k;

	for (k = 0; k < RTE_DIM(g); k++) {
		struct ike_dh *a = ike_dh_new(g[k], NULL, 0);
		struct ike_dh *b = ike_dh_new(g[k], NULL, 0);
		uint8_t s1[256], s2[256];
		size_t l1, l2, pa, pb;
		const uint8_t *qa, *qb;

		ck_assert(a != NULL && b != NULL);
		qa = ike_dh_pub(a, &pa);
		qb = ike_dh_pub(b, &pb);
		ck_assert_uint_eq(pa, ike_dh_pub_len(g[k]));
		ck_assert_int_eq(ike_dh_shared(a, qb, pb, s1, &l1), 0);
		ck_assert_int_eq(ike_dh_shared(b, qa, pa, s2, &l2), 0);
		ck_assert(l1 == l2 && memcmp(s1, s2, l1) == 0);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	/* MODP: 0, 1, p-1 refused (RFC 7296 section 5 / SP 800-56A) */
	{
		struct ike_dh *a = ike_dh_new(SS_IKE_DH_MODP2048, NULL, 0);
		uint8_t y[256], s[256];
		size_t l;

		memset(y, 0, sizeof(y));
		ck_assert_int_lt(ike_dh_shared(a, y, 256, s, &l), 0);
		y[255] = 1;
		ck_assert_int_lt(ike_dh_shared(a, y, 256, s, &l), 0);
		memset(y, 0xff, sizeof(y));	/* > p */
		ck_assert_int_lt(ike_dh_shared(a, y, 256, s, &l), 0);
		ike_dh_free(a);
	}
	ck_assert_ptr_null(ike_dh_new(1, NULL, 0));
}
END_TEST

START_TEST(test_sk_roundtrip)
{
	static const uint16_t ciph[][3] = {
		{ SS_IKE_ENCR_AES_GCM16, 128, SS_IKE_INTEG_NONE },
		{ SS_IKE_ENCR_AES_GCM16, 256, SS_IKE_INTEG_NONE },
		{ SS_IKE_ENCR_AES_CBC, 128, SS_IKE_INTEG_HMAC_SHA2_256_128 },
		{ SS_IKE_ENCR_AES_CBC, 256, SS_IKE_INTEG_HMAC_SHA2_256_128 },
	};
	unsigned int k, len;

	for (k = 0; k < RTE_DIM(ciph); k++) {
		for (len = 0; len < 40; len += 7) {
			uint8_t ek[36], ak[32], inner[64], msg[512], plain[512];
			struct ike_sk_keys key = { ciph[k][0], ciph[k][1],
				ciph[k][2], ek, ak };
			struct ike_buf b;
			struct ike_msg m;
			enum ss_ike_counter why;
			size_t ml;

			memset(ek, 0x11 + k, sizeof(ek));
			memset(ak, 0x22, sizeof(ak));
			ike_buf_init(&b, inner, sizeof(inner));
			{
				uint8_t d[40];

				memset(d, 0x5a, sizeof(d));
				ike_put_simple(&b, PL_NONCE, d, len);
			}
			ck_assert_int_eq(ike_sk_seal(&key, 1, 2, EXCH_IKE_AUTH,
				FLAG_INITIATOR, 1, b.first_np, inner, b.len,
				msg, sizeof(msg), &ml), 0);
			ck_assert_int_eq(ike_msg_parse(msg, ml, &m, &why), 0);
			ck_assert_int_eq(ike_sk_open(&key, &m, plain,
				sizeof(plain), &why), 0);
			ck_assert_uint_eq(m.nb_pl, 2);
			ck_assert_uint_eq(m.pl[1].type, PL_NONCE);
			ck_assert_uint_eq(m.pl[1].len, len);
			/* any flipped bit (header = AAD, IV, data, ICV) */
			msg[20] ^= 1;
			ike_msg_parse(msg, ml, &m, &why);
			ck_assert_int_lt(ike_sk_open(&key, &m, plain,
				sizeof(plain), &why), 0);
			ck_assert_int_eq(why, SS_IKE_CNT_rx_integrity_failed);
			msg[20] ^= 1;
			msg[ml - 1] ^= 0x80;
			ike_msg_parse(msg, ml, &m, &why);
			ck_assert_int_lt(ike_sk_open(&key, &m, plain,
				sizeof(plain), &why), 0);
			msg[ml - 1] ^= 0x80;
			msg[40] ^= 4;
			ike_msg_parse(msg, ml, &m, &why);
			ck_assert_int_lt(ike_sk_open(&key, &m, plain,
				sizeof(plain), &why), 0);
		}
	}
}
END_TEST

/* ---- codec -------------------------------------------------------------- */

START_TEST(test_codec_roundtrip)
{
	uint8_t buf[1024];
	struct ike_buf b;
	struct ike_prop props[2];
	struct ss_ike_proposal p1, p2;
	struct ss_ike_ts ts[2], got[4];
	struct ike_msg m;
	struct ike_sa_pl sa;
	struct ike_notify n;
	struct ike_delete d;
	enum ss_ike_counter why;
	uint8_t spi[4] = { 0x12, 0x34, 0x56, 0x78 }, nb;

	ck_assert_int_eq(ss_ike_proposal_parse("aes128gcm16-aes256gcm16-esn-"
		"noesn", true, &p1), 0);
	ck_assert_int_eq(ss_ike_proposal_parse("aes256-sha256-modp2048",
		true, &p2), 0);
	ike_prop_from_conf(&p1, PROTO_ESP, 1, spi, 4, &props[0]);
	ike_prop_from_conf(&p2, PROTO_ESP, 2, spi, 4, &props[1]);
	memset(ts, 0, sizeof(ts));
	ts[0].family = AF_INET;
	ts[0].port_hi = 65535;
	inet_pton(AF_INET, "10.1.0.0", ts[0].lo);
	inet_pton(AF_INET, "10.1.0.255", ts[0].hi);
	ts[1].family = AF_INET6;
	ts[1].proto = 17;
	ts[1].port_lo = ts[1].port_hi = 2152;
	inet_pton(AF_INET6, "2001:db8::", ts[1].lo);
	inet_pton(AF_INET6, "2001:db8::ffff", ts[1].hi);
	ike_buf_init(&b, buf, sizeof(buf));
	ike_hdr_put(&b, 0x1122334455667788ull, 0x99, EXCH_CREATE_CHILD_SA,
		FLAG_INITIATOR, 7);
	ike_put_sa(&b, props, 2);
	ike_put_ts(&b, PL_TSI, ts, 2);
	ike_put_notify(&b, PROTO_ESP, spi, 4, N_REKEY_SA, "ab", 2);
	{
		size_t o = ike_pl_begin(&b, PL_DELETE);

		ike_put8(&b, PROTO_ESP);
		ike_put8(&b, 4);
		ike_put16(&b, 2);
		ike_put32(&b, 0xdeadbeef);
		ike_put32(&b, 0x01020304);
		ike_pl_end(&b, o);
	}
	ike_hdr_finish(&b);
	ck_assert(!b.err);
	ck_assert_int_eq(ike_msg_parse(buf, b.len, &m, &why), 0);
	ck_assert_uint_eq(m.spi_i, 0x1122334455667788ull);
	ck_assert_uint_eq(m.spi_r, 0x99);
	ck_assert_uint_eq(m.msgid, 7);
	ck_assert_uint_eq(m.nb_pl, 4);
	ck_assert_int_eq(ike_sa_decode(&m.pl[0], &sa), 0);
	ck_assert_uint_eq(sa.nb_prop, 2);
	ck_assert_uint_eq(sa.prop[0].nb_xf, 4);	/* 2 encr + 2 esn */
	ck_assert_uint_eq(sa.prop[0].xf[1].key_bits, 256);
	ck_assert_uint_eq(sa.prop[1].nb_xf, 4);	/* encr integ dh esn */
	ck_assert(memcmp(sa.prop[1].spi, spi, 4) == 0);
	ck_assert_int_eq(ike_ts_decode(&m.pl[1], got, 4, &nb), 0);
	ck_assert_uint_eq(nb, 2);
	ck_assert(memcmp(got, ts, sizeof(ts)) == 0);
	ck_assert(ike_msg_notify(&m, N_REKEY_SA, &n));
	ck_assert(n.spi_size == 4 && n.data_len == 2 && n.data[0] == 'a');
	ck_assert_int_eq(ike_delete_decode(&m.pl[3], &d), 0);
	ck_assert_uint_eq(d.nb_spi, 2);
	ck_assert_uint_eq(d.spis[0], 0xde);
}
END_TEST

/* One well-formed message, then damage it in every way the parser must
 * notice; the named reason is checked each time. */
START_TEST(test_codec_strict)
{
	uint8_t buf[256], m2[256];
	struct ike_buf b;
	struct ike_msg m;
	enum ss_ike_counter why;
	size_t len, i;
	uint8_t nonce[16] = { 0 };

	ike_buf_init(&b, buf, sizeof(buf));
	ike_hdr_put(&b, 1, 0, EXCH_IKE_SA_INIT, FLAG_INITIATOR, 0);
	ike_put_simple(&b, PL_NONCE, nonce, 16);
	ike_put_notify(&b, 0, NULL, 0, N_COOKIE, nonce, 8);
	ike_hdr_finish(&b);
	len = b.len;
	ck_assert_int_eq(ike_msg_parse(buf, len, &m, &why), 0);
	/* every truncation */
	for (i = 0; i < len; i++) {
		ck_assert_int_lt(ike_msg_parse(buf, i, &m, &why), 0);
		ck_assert(why == SS_IKE_CNT_rx_short ||
			why == SS_IKE_CNT_rx_bad_length);
	}
	/* header length says less than the datagram (over-long) */
	memcpy(m2, buf, len);
	m2[len] = 0;
	ck_assert_int_lt(ike_msg_parse(m2, len + 1, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_bad_length);
	/* a payload length running past the message */
	memcpy(m2, buf, len);
	m2[28 + 3] = 200;
	ck_assert_int_lt(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_truncated_payload);
	/* a payload length below the generic header */
	m2[28 + 3] = 3;
	ck_assert_int_lt(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_bad_payload);
	/* payloads that end before the message does */
	memcpy(m2, buf, len);
	m2[28] = PL_NONE;
	ck_assert_int_lt(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_bad_length);
	/* version 1 */
	memcpy(m2, buf, len);
	m2[17] = 0x10;
	ck_assert_int_lt(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_bad_version);
	/* SPIi zero */
	memcpy(m2, buf, len);
	m2[7] = 0;
	ck_assert_int_lt(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_int_eq(why, SS_IKE_CNT_rx_bad_spi);
	/* unknown payload type: skipped, or flagged when critical */
	memcpy(m2, buf, len);
	m2[16] = 200;
	ck_assert_int_eq(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_uint_eq(m.unsupported_critical, 0);
	ck_assert_uint_eq(m.nb_pl, 1);
	m2[28 + 1] = 0x80;
	ck_assert_int_eq(ike_msg_parse(m2, len, &m, &why), 0);
	ck_assert_uint_eq(m.unsupported_critical, 200);
}
END_TEST

START_TEST(test_sa_decode_strict)
{
	uint8_t buf[256];
	struct ike_buf b;
	struct ike_prop p;
	struct ss_ike_proposal c;
	struct ike_msg m;
	struct ike_sa_pl sa;
	enum ss_ike_counter why;
	size_t sa_len;

	ss_ike_proposal_parse("aes256gcm16-prfsha256-ecp256", false, &c);
	ike_prop_from_conf(&c, PROTO_IKE, 1, NULL, 0, &p);
	ike_buf_init(&b, buf, sizeof(buf));
	ike_hdr_put(&b, 1, 0, EXCH_IKE_SA_INIT, FLAG_INITIATOR, 0);
	ike_put_sa(&b, &p, 1);
	ike_hdr_finish(&b);
	ck_assert_int_eq(ike_msg_parse(buf, b.len, &m, &why), 0);
	ck_assert_int_eq(ike_sa_decode(&m.pl[0], &sa), 0);
	sa_len = m.pl[0].len;
	/* proposal length larger than the payload */
	buf[32 + 3] = (uint8_t)(sa_len + 1);
	ck_assert_int_lt(ike_sa_decode(&m.pl[0], &sa), 0);
	buf[32 + 3] = (uint8_t)sa_len;
	/* transform count higher than present */
	buf[32 + 7]++;
	ck_assert_int_lt(ike_sa_decode(&m.pl[0], &sa), 0);
	buf[32 + 7]--;
	/* "more proposals" flag with none following */
	buf[32] = 2;
	ck_assert_int_lt(ike_sa_decode(&m.pl[0], &sa), 0);
	buf[32] = 0;
	/* SPI size larger than the proposal */
	buf[32 + 6] = 9;
	ck_assert_int_lt(ike_sa_decode(&m.pl[0], &sa), 0);
	buf[32 + 6] = 0;
	/* a transform length running outside the proposal */
	buf[40 + 3] = 100;
	ck_assert_int_lt(ike_sa_decode(&m.pl[0], &sa), 0);
	buf[40 + 3] = 12;
	ck_assert_int_eq(ike_sa_decode(&m.pl[0], &sa), 0);
}
END_TEST

/* ---- proposals ------------------------------------------------------------ */

static void
mk_rx(struct ike_sa_pl *rx, uint8_t proto, const char *const *s, bool esp)
{
	uint8_t spi[4] = { 1, 2, 3, 4 };

	memset(rx, 0, sizeof(*rx));
	for (; *s != NULL; s++) {
		struct ss_ike_proposal c;

		ck_assert_int_eq(ss_ike_proposal_parse(*s, esp, &c), 0);
		ike_prop_from_conf(&c, proto, rx->nb_prop + 1, spi,
			esp ? 4 : 0, &rx->prop[rx->nb_prop]);
		rx->nb_prop++;
	}
}

START_TEST(test_proposal_select)
{
	static const char *const init[] = { "aes128-sha256-prfsha384-modp2048",
		"aes256gcm16-prfsha256-ecp384-ecp256",
		"aes128gcm16-prfsha256-curve25519", NULL };
	struct ss_ike_proposal local[2];
	struct ike_sa_pl rx;
	struct ike_alg a;
	int chosen;

	mk_rx(&rx, PROTO_IKE, init, false);
	/* the responder accepts the 2nd and 3rd: the initiator's order wins
	 * (its 2nd), and within it its first acceptable group (ecp256 is
	 * 2nd in the initiator's list but ecp384 is not acceptable) */
	ss_ike_proposal_parse("aes128gcm16-prfsha256-curve25519", false,
		&local[0]);
	ss_ike_proposal_parse("aes256gcm16-prfsha256-ecp256", false,
		&local[1]);
	ck_assert_int_eq(ike_prop_select(&rx, PROTO_IKE, local, 2, &a,
		&chosen), 0);
	ck_assert_int_eq(chosen, 1);
	ck_assert_uint_eq(a.encr_bits, 256);
	ck_assert_uint_eq(a.dh, SS_IKE_DH_ECP256);
	/* nothing acceptable */
	ss_ike_proposal_parse("aes256-sha256-ecp384", false, &local[0]);
	ck_assert_int_eq(ike_prop_select(&rx, PROTO_IKE, local, 1, &a,
		&chosen), -ENOENT);
	/* ESP: ESN preference and PFS */
	{
		static const char *const e[] = { "aes128gcm16-esn-noesn",
			NULL };
		static const char *const e2[] = { "aes128gcm16-ecp256-esn",
			NULL };

		mk_rx(&rx, PROTO_ESP, e, true);
		ss_ike_proposal_parse("aes128gcm16-noesn-esn", true, &local[0]);
		ck_assert_int_eq(ike_prop_select(&rx, PROTO_ESP, local, 1, &a,
			&chosen), 0);
		ck_assert_uint_eq(a.esn, SS_IKE_ESN_YES);
		ss_ike_proposal_parse("aes128gcm16-noesn", true, &local[0]);
		ck_assert_int_eq(ike_prop_select(&rx, PROTO_ESP, local, 1, &a,
			&chosen), 0);
		ck_assert_uint_eq(a.esn, SS_IKE_ESN_NO);
		/* PFS offered, not wanted: refused; wanted: chosen */
		mk_rx(&rx, PROTO_ESP, e2, true);
		ss_ike_proposal_parse("aes128gcm16-esn", true, &local[0]);
		ck_assert_int_lt(ike_prop_select(&rx, PROTO_ESP, local, 1, &a,
			&chosen), 0);
		ss_ike_proposal_parse("aes128gcm16-esn-ecp256", true,
			&local[0]);
		ck_assert_int_eq(ike_prop_select(&rx, PROTO_ESP, local, 1, &a,
			&chosen), 0);
		ck_assert_uint_eq(a.dh, SS_IKE_DH_ECP256);
		/* wrong protocol: nothing */
		ck_assert_int_lt(ike_prop_select(&rx, PROTO_AH, local, 1, &a,
			&chosen), 0);
	}
}
END_TEST

START_TEST(test_proposal_parse)
{
	struct ss_ike_proposal p;

	ck_assert_int_eq(ss_ike_proposal_parse("aes256gcm16-prfsha256-ecp256",
		false, &p), 0);
	ck_assert(p.nb_encr == 1 && p.encr[0] == SS_IKE_ENCR_AES_GCM16 &&
		p.encr_bits[0] == 256 && p.nb_integ == 0 &&
		p.prf[0] == SS_IKE_PRF_HMAC_SHA2_256 &&
		p.dh[0] == SS_IKE_DH_ECP256);
	ck_assert_int_eq(ss_ike_proposal_parse("aes128-sha256-modp2048", false,
		&p), 0);
	ck_assert(p.encr_bits[0] == 128 && p.nb_prf == 1 &&
		p.integ[0] == SS_IKE_INTEG_HMAC_SHA2_256_128);
	ck_assert_int_eq(ss_ike_proposal_parse("aes128gcm16-esn", true, &p),
		0);
	ck_assert(p.nb_esn == 1 && p.esn[0] == SS_IKE_ESN_YES);
	/* refused: no DH for IKE, AEAD + integrity, CBC without integrity,
	 * unknown names, esn in IKE, prf in ESP */
	ck_assert_int_lt(ss_ike_proposal_parse("aes128gcm16-prfsha256", false,
		&p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("aes128gcm16-sha256-ecp256",
		false, &p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("aes128-prfsha256-ecp256",
		false, &p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("3des-sha1-modp1024", false,
		&p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("aes128gcm16-prfsha256-ecp256-"
		"esn", false, &p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("aes128gcm16-prfsha256", true,
		&p), 0);
	ck_assert_int_lt(ss_ike_proposal_parse("", true, &p), 0);
}
END_TEST

START_TEST(test_id_parse)
{
	struct ss_ike_id id;

	ck_assert_int_eq(ss_ike_id_parse("gw.example", &id), 0);
	ck_assert(id.type == SS_IKE_ID_FQDN && id.len == 10);
	ck_assert_int_eq(ss_ike_id_parse("user@example.org", &id), 0);
	ck_assert_uint_eq(id.type, SS_IKE_ID_USER_FQDN);
	ck_assert_int_eq(ss_ike_id_parse("192.0.2.1", &id), 0);
	ck_assert(id.type == SS_IKE_ID_IPV4 && id.len == 4 &&
		id.data[0] == 192 && id.data[3] == 1);
	ck_assert_int_eq(ss_ike_id_parse("2001:db8::1", &id), 0);
	ck_assert(id.type == SS_IKE_ID_IPV6 && id.len == 16);
	ck_assert_int_eq(ss_ike_id_parse("keyid:0x0a0b0c", &id), 0);
	ck_assert(id.type == SS_IKE_ID_KEY_ID && id.len == 3 &&
		id.data[2] == 0x0c);
	ck_assert_int_eq(ss_ike_id_parse("keyid:abc", &id), 0);
	ck_assert(id.type == SS_IKE_ID_KEY_ID && id.len == 3);
	ck_assert_int_lt(ss_ike_id_parse("keyid:0xabc", &id), 0);
	ck_assert_int_lt(ss_ike_id_parse("", &id), 0);
}
END_TEST

/* ---- configuration ---------------------------------------------------------- */

static int
parse_text(const char *text, struct ss_ike_conf *conf, struct ss_cfg_error *e)
{
	config_t lc;
	int ret;

	memset(e, 0, sizeof(*e));
	config_init(&lc);
	ck_assert_msg(config_read_string(&lc, text) == CONFIG_TRUE,
		"libconfig: %s line %d", config_error_text(&lc),
		config_error_line(&lc));
	ret = ss_ike_cfg_parse(NULL, config_lookup(&lc, "ike"), conf, e);
	config_destroy(&lc);
	return ret;
}

START_TEST(test_cfg_parse)
{
	static struct ss_ike_conf c;
	struct ss_cfg_error e;
	static const char ok[] =
		"ike = {\n retransmit_ms = 300;\n peers = ( {\n"
		"  name = \"p\"; local_addr = \"10.0.0.1\";"
		"  remote_addr = \"10.0.0.2\";\n"
		"  remote_id = \"peer@example.org\"; psk = \"0x00ff10\";\n"
		"  ike_proposals = [\"aes128gcm16-prfsha384-ecp384\","
		"   \"aes256-sha256-modp2048\"];\n"
		"  dpd_interval = 5; rekey_time = 100;\n"
		"  children = ( { name = \"c\"; local_ts = [\"10.1.0.0/16\"];"
		"   remote_ts = \"10.2.0.7\"; mode = \"transport\";"
		"   per_server = false; start_action = \"none\"; } );\n"
		" } );\n};\n";

	ck_assert_int_eq(parse_text(ok, &c, &e), 0);
	ck_assert_uint_eq(c.retransmit_ms, 300);
	ck_assert_uint_eq(c.nb_peers, 1);
	ck_assert_uint_eq(c.peer[0].psk_len, 3);
	ck_assert_uint_eq(c.peer[0].psk[1], 0xff);
	ck_assert_uint_eq(c.peer[0].local_id.type, SS_IKE_ID_IPV4);
	ck_assert_uint_eq(c.peer[0].remote_id.type, SS_IKE_ID_USER_FQDN);
	ck_assert_uint_eq(c.peer[0].nb_ike, 2);
	ck_assert_uint_eq(c.peer[0].over_time, 10);
	ck_assert_uint_eq(c.peer[0].child[0].nb_local_ts, 1);
	ck_assert_uint_eq(c.peer[0].child[0].local_ts[0].hi[1], 1);
	ck_assert_uint_eq(c.peer[0].child[0].local_ts[0].hi[2], 255);
	ck_assert_uint_eq(c.peer[0].child[0].remote_ts[0].lo[3], 7);
	ck_assert_uint_eq(c.peer[0].child[0].remote_ts[0].hi[3], 7);
	ck_assert(c.peer[0].child[0].transport);
	ck_assert(!c.peer[0].child[0].per_server);
	ck_assert_uint_eq(c.peer[0].child[0].nb_esp, 1);
	/* RFC 7383 on by default, 1280-byte fragments */
	ck_assert(c.fragmentation);
	ck_assert_uint_eq(c.fragment_size, 1280);
	ck_assert_int_eq(parse_text("ike = { fragmentation = false;\n"
		" fragment_size = 1400; };", &c, &e), 0);
	ck_assert(!c.fragmentation);
	ck_assert_uint_eq(c.fragment_size, 1400);
	ck_assert_int_lt(parse_text("ike = {\n fragment_size = 500; };", &c,
		&e), 0);
	ck_assert_msg(strstr(e.msg, "fragment_size") != NULL && e.line == 2,
		"%s", e.msg);
	/* the key export is named for what it is */
	ck_assert_int_lt(parse_text("ike = {\n save_keys = \"/tmp\"; };", &c,
		&e), 0);
	ck_assert_msg(strstr(e.msg, "renamed to debug_save_keys") != NULL &&
		e.line == 2, "%s", e.msg);
	ck_assert_int_eq(parse_text("ike = { debug_save_keys = \"/tmp\"; };",
		&c, &e), 0);
	ck_assert_str_eq(c.save_keys, "/tmp");
	/* strongSwan's 5 s for a rekeyed pair's inbound SA by default */
	ck_assert_int_eq(parse_text("ike = { };", &c, &e), 0);
	ck_assert_uint_eq(c.delete_rekeyed_delay, 5);
	ck_assert_int_eq(parse_text("ike = { delete_rekeyed_delay = 0; };",
		&c, &e), 0);
	ck_assert_uint_eq(c.delete_rekeyed_delay, 0);
	ck_assert_int_lt(parse_text("ike = {\n\n delete_rekeyed_delay = 301;"
		" };", &c, &e), 0);
	ck_assert_msg(strstr(e.msg, "delete_rekeyed_delay") != NULL &&
		e.line == 3, "%s", e.msg);
	/* errors name the line and path, never the secret */
	ck_assert_int_lt(parse_text("ike = { peers = ( { name = \"p\";\n"
		" local_addr = \"10.0.0.1\"; psk = \"0xzz-secret\"; } ); };",
		&c, &e), 0);
	ck_assert_msg(strstr(e.msg, "psk") != NULL && e.line == 2 &&
		strstr(e.msg, "secret") == NULL, "%s", e.msg);
	ck_assert_int_lt(parse_text("ike = { peers = ( { name = \"p\";\n"
		" local_addr = \"10.0.0.1\"; psk = \"x\";\n"
		" ike_proposals = [\"aes128-ecp256\"]; } ); };", &c, &e), 0);
	ck_assert_msg(e.line == 3 && strstr(e.msg, "aes128-ecp256"), "%s",
		e.msg);
	ck_assert_int_lt(parse_text("ike = { bogus = 1; };", &c, &e), 0);
	ck_assert_int_lt(parse_text("ike = { peers = ( { name = \"p\";"
		" local_addr = \"10.0.0.1\"; psk = \"x\"; children = ( {"
		" name = \"c\"; local_ts = \"10.0.0.0/8\"; } ); } ); };", &c,
		&e), 0);
	ck_assert_msg(strstr(e.msg, "remote_ts") != NULL, "%s", e.msg);
	/* defaults without a section */
	ck_assert_int_eq(ss_ike_cfg_parse(NULL, NULL, &c, &e), 0);
	ck_assert_uint_eq(c.instance_bits, 4);
	ck_assert_uint_eq(c.nb_peers, 0);
}
END_TEST

/* ---- two engines --------------------------------------------------------- */

#define MAXN 3
#define MAXQ 256
#define MAXCH 64

struct rec {
	struct ss_ike_child_sa in, out;
	bool deleted;
	unsigned int order;
	bool activated;			/* standby outbound activated */
	unsigned int act_order;
	bool retired;			/* outbound gone, inbound kept */
	uint64_t retire_ms;
};

struct node {
	struct ss_ike *ike;
	struct ss_ike_addr ip;		/* port unused */
	struct rec ch[MAXCH];
	unsigned int nb_ch, nb_live, nb_del, nb_act, nb_retired;
	unsigned int order;
	char ev[2048];
};

struct qpkt {
	int to;
	struct ss_ike_addr local, remote;
	uint8_t buf[IKE_MAX_MSG + 8];
	size_t len;
};

static struct node nodes[MAXN];
static struct qpkt q[MAXQ];
static unsigned int q_len;
static uint64_t now;
static unsigned int order_ctr;
/* test hooks: drop packets to a node, or record them */
static bool (*drop_fn)(const struct qpkt *p);
static struct qpkt last_sent[MAXN];
static size_t max_sent;		/* the longest datagram since reset */

static int
t_send(void *ctx, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len)
{
	struct node *from = ctx;
	int i;

	for (i = 0; i < MAXN; i++) {
		if (nodes[i].ike == NULL || &nodes[i] == from ||
			!ss_ipaddr_equal(&nodes[i].ip.ip, &remote->ip))
			continue;
		ck_assert_uint_lt(q_len, MAXQ);
		ck_assert_uint_le(len, sizeof(q[0].buf));
		q[q_len].to = i;
		q[q_len].local = *remote;
		q[q_len].remote = *local;
		memcpy(q[q_len].buf, buf, len);
		q[q_len].len = len;
		max_sent = RTE_MAX(max_sent, len);
		last_sent[from - nodes] = q[q_len];
		q_len++;
		return 0;
	}
	return -EHOSTUNREACH;
}

/* A server id whose pairs the "dataplane" refuses (-1: none). */
static int refuse_id = -1;

static int
t_install(void *ctx, const struct ss_ike_child_sa *in,
	const struct ss_ike_child_sa *out)
{
	struct node *n = ctx;
	struct rec *r;

	if (refuse_id >= 0 && in->server_id == refuse_id)
		return -ENOENT;
	ck_assert_uint_lt(n->nb_ch, MAXCH);
	r = &n->ch[n->nb_ch++];
	r->in = *in;
	r->out = *out;
	r->deleted = false;
	r->order = ++order_ctr;
	n->nb_live++;
	return 0;
}

static int
t_delete(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct node *n = ctx;
	unsigned int i;

	for (i = 0; i < n->nb_ch; i++) {
		if (n->ch[i].in.spi == spi_in && !n->ch[i].deleted) {
			ck_assert_uint_eq(n->ch[i].out.spi, spi_out);
			n->ch[i].deleted = true;
			n->ch[i].order = ++order_ctr;
			if (n->ch[i].retired)
				n->nb_retired--;
			else
				n->nb_live--;
			n->nb_del++;
			return 0;
		}
	}
	ck_abort_msg("delete of unknown SPI %08x", spi_in);
	return -ENOENT;
}

/* The node's installed pair with this inbound SPI and outbound SPI. */
static struct rec *
rec_installed(struct node *n, uint32_t spi_in, uint32_t spi_out,
	const char *what)
{
	unsigned int i;

	for (i = 0; i < n->nb_ch; i++) {
		struct rec *r = &n->ch[i];

		if (r->in.spi != spi_in || r->deleted)
			continue;
		ck_assert_uint_eq(r->out.spi, spi_out);
		return r;
	}
	ck_abort_msg("%s of unknown SPI %08x", what, spi_in);
	return NULL;
}

static int
t_activate(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct node *n = ctx;
	struct rec *r = rec_installed(n, spi_in, spi_out, "activate");

	ck_assert_msg(r->out.standby && !r->activated,
		"activate of %08x: not a standby SA", spi_out);
	r->activated = true;
	r->act_order = ++order_ctr;
	n->nb_act++;
	return 0;
}

static void
t_event(void *ctx, const char *msg)
{
	struct node *n = ctx;
	size_t l = strlen(n->ev);

	snprintf(n->ev + l, sizeof(n->ev) - l, "%s\n", msg);
	if (strlen(n->ev) > sizeof(n->ev) - 300)
		memmove(n->ev, n->ev + 1024, sizeof(n->ev) - 1024);
}

/* A replaced pair: its outbound SA goes, its inbound SA stays until
 * child_delete. */
static int
t_retire(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct node *n = ctx;
	struct rec *r = rec_installed(n, spi_in, spi_out, "retire");

	ck_assert_msg(!r->retired, "%08x retired twice", spi_in);
	r->retired = true;
	r->retire_ms = now;
	n->nb_live--;
	n->nb_retired++;
	return 0;
}

static const struct ss_ike_ops t_ops = {
	.send = t_send,
	.child_install = t_install,
	.child_delete = t_delete,
	.event = t_event,
	.child_activate = t_activate,
};

/* the same with child_retire (opts.retire) */
static const struct ss_ike_ops t_ops_retire = {
	.send = t_send,
	.child_install = t_install,
	.child_delete = t_delete,
	.event = t_event,
	.child_activate = t_activate,
	.child_retire = t_retire,
};
static bool use_retire;

static void
pump(void)
{
	unsigned int i = 0, guard = 0;

	while (i < q_len && guard++ < 10000) {
		struct qpkt p = q[i++];

		if (drop_fn != NULL && drop_fn(&p))
			continue;
		if (nodes[p.to].ike != NULL)
			ss_ike_input(nodes[p.to].ike, &p.local, &p.remote,
				p.buf, p.len, now);
		if (i == q_len)
			i = q_len = 0;
	}
	q_len = 0;
}

/* Advance time in steps, running timers and delivering packets. */
static void
run_for(uint64_t ms, uint64_t step)
{
	uint64_t end = now + ms;
	int i;

	while (now < end) {
		now += step;
		for (i = 0; i < MAXN; i++)
			if (nodes[i].ike != NULL)
				ss_ike_timer(nodes[i].ike, now);
		pump();
	}
}

struct opts {
	const char *ike_i, *ike_r, *esp_i, *esp_r;
	const char *psk_i, *psk_r;
	const char *id_i, *id_r;	/* local ids; each side expects the
					 * other's */
	const char *ts_i_local, *ts_i_remote, *ts_r_local, *ts_r_remote;
	const char *extra_i, *extra_r;	/* more peer settings */
	const char *global_i, *global_r;	/* more "ike" settings */
	bool transport_i, transport_r;
	int servers_i, servers_r;
	bool v6;
	bool retire;			/* the ops have child_retire */
};

static void
default_opts(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ike_i = o->ike_r = "aes256gcm16-prfsha256-ecp256";
	o->esp_i = o->esp_r = "aes128gcm16-esn";
	o->psk_i = o->psk_r = "a shared secret";
	o->id_i = "a.example";
	o->id_r = "b.example";
	o->ts_i_local = o->ts_r_remote = "10.1.0.0/24";
	o->ts_i_remote = o->ts_r_local = "10.2.0.0/24";
	o->servers_i = 2;
	o->servers_r = 2;
	o->extra_i = o->extra_r = "";
	o->global_i = o->global_r = "";
}

/* more settings of the child of the next node_make; by default no
 * start at boot, hence no restart after a loss (test_dpd_restart) */
#define CHILD_EXTRA "start_action = \"none\";"
static const char *child_extra = CHILD_EXTRA;

static void
node_make(int idx, const char *ip, const char *peer_ip, const char *ike,
	const char *esp, const char *psk, const char *lid, const char *rid,
	const char *ts_l, const char *ts_r, bool transport, const char *extra,
	const char *global, int servers)
{
	static struct ss_ike_conf conf;
	struct ss_cfg_error e;
	char text[4096], pskline[128] = "";
	int i;

	/* psk NULL: none (certificate authentication in extra) */
	if (psk != NULL)
		snprintf(pskline, sizeof(pskline), "psk = \"%s\";", psk);
	snprintf(text, sizeof(text),
		"ike = { retransmit_ms = 500; retransmit_tries = 3; %s\n"
		" peers = ( { name = \"peer\"; local_addr = \"%s\";\n"
		"  remote_addr = \"%s\"; local_id = \"%s\"; remote_id = \"%s\";\n"
		"  %s ike_proposals = [\"%s\"]; %s %s %s\n"
		"  children = ( { name = \"net\"; local_ts = \"%s\";\n"
		"   remote_ts = \"%s\"; esp_proposals = [\"%s\"];\n"
		"   mode = \"%s\"; rekey_time = 0; life_time = 0; %s } );\n"
		" } ); };\n", global, ip, peer_ip, lid, rid, pskline, ike,
		strstr(extra, "dpd_interval") ? "" : "dpd_interval = 0;",
		strstr(extra, "rekey_time") ? "" : "rekey_time = 0;", extra,
		ts_l, ts_r, esp, transport ? "transport" : "tunnel",
		child_extra);
	ck_assert_msg(parse_text(text, &conf, &e) == 0, "%s", e.msg);
	ss_ike_destroy(nodes[idx].ike);
	memset(&nodes[idx], 0, sizeof(nodes[idx]));
	ss_ipaddr_parse(ip, &nodes[idx].ip.ip);
	nodes[idx].ike = ss_ike_create(&conf, use_retire ? &t_ops_retire :
		&t_ops, &nodes[idx]);
	ck_assert_ptr_nonnull(nodes[idx].ike);
	for (i = 1; i <= servers; i++)
		ck_assert_int_eq(ss_ike_server_add(nodes[idx].ike,
			(uint16_t)i, now), 0);
}

static void
pair_make(const struct opts *o)
{
	const char *a = o->v6 ? "2001:db8::1" : "10.0.0.1";
	const char *b = o->v6 ? "2001:db8::2" : "10.0.0.2";

	memset(nodes, 0, sizeof(nodes));
	q_len = 0;
	drop_fn = NULL;
	use_retire = o->retire;
	now = 1000000;
	node_make(0, a, b, o->ike_i, o->esp_i, o->psk_i, o->id_i, o->id_r,
		o->ts_i_local, o->ts_i_remote, o->transport_i, o->extra_i,
		o->global_i, o->servers_i);
	node_make(1, b, a, o->ike_r, o->esp_r, o->psk_r, o->id_r, o->id_i,
		o->ts_r_local, o->ts_r_remote, o->transport_r, o->extra_r,
		o->global_r, o->servers_r);
}

static void
nodes_free(void)
{
	int i;

	for (i = 0; i < MAXN; i++) {
		ss_ike_destroy(nodes[i].ike);
		nodes[i].ike = NULL;
	}
}

static uint64_t
cnt(int n, enum ss_ike_counter c)
{
	struct ss_ike_stats st;

	ss_ike_get_stats(nodes[n].ike, &st);
	return st.c[c];
}

static unsigned int
nb_sas(int n)
{
	return ss_ike_walk_sas(nodes[n].ike, NULL, NULL);
}

/* Every live child on A has its mirror on B: SPIs crossed, same keys
 * in each direction, same algorithms. Returns the number of live pairs. */
static unsigned int
check_pairs(int a, int b)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < nodes[a].nb_ch; i++) {
		const struct rec *x = &nodes[a].ch[i];
		bool found = false;

		if (x->deleted || x->retired)
			continue;
		for (j = 0; j < nodes[b].nb_ch; j++) {
			const struct rec *y = &nodes[b].ch[j];

			if (y->deleted || y->retired || y->in.spi != x->out.spi)
				continue;
			found = true;
			ck_assert_uint_eq(y->out.spi, x->in.spi);
			ck_assert_uint_eq(x->in.enc_key_len,
				ike_encr_keylen(x->in.encr, x->in.encr_bits));
			ck_assert(x->out.enc_key_len == y->in.enc_key_len &&
				memcmp(x->out.enc_key, y->in.enc_key,
					x->out.enc_key_len) == 0);
			ck_assert(x->in.enc_key_len == y->out.enc_key_len &&
				memcmp(x->in.enc_key, y->out.enc_key,
					x->in.enc_key_len) == 0);
			ck_assert(x->out.auth_key_len == y->in.auth_key_len &&
				memcmp(x->out.auth_key, y->in.auth_key,
					x->out.auth_key_len) == 0);
			ck_assert(x->in.auth_key_len == y->out.auth_key_len &&
				memcmp(x->in.auth_key, y->out.auth_key,
					x->in.auth_key_len) == 0);
			/* the two directions never share a key */
			ck_assert(memcmp(x->in.enc_key, x->out.enc_key,
				x->in.enc_key_len) != 0);
			ck_assert_uint_eq(x->in.encr, y->in.encr);
			ck_assert_uint_eq(x->in.esn, y->in.esn);
			ck_assert_uint_eq(x->in.transport, y->in.transport);
			ck_assert_uint_eq(x->in.encap, y->in.encap);
			/* the inbound SPI carries its server's id */
			ck_assert_uint_eq(x->in.spi >> 28, x->in.server_id);
			ck_assert_uint_eq(y->in.spi >> 28, y->in.server_id);
		}
		ck_assert_msg(found, "no mirror for %08x", x->in.spi);
		n++;
	}
	return n;
}

static unsigned int
live_on_server(int n, uint16_t id)
{
	unsigned int i, c = 0;

	for (i = 0; i < nodes[n].nb_ch; i++)
		if (!nodes[n].ch[i].deleted && !nodes[n].ch[i].retired &&
			nodes[n].ch[i].in.server_id == id)
			c++;
	return c;
}

static void
establish(const struct opts *o, unsigned int want_pairs)
{
	pair_make(o);
	ck_assert_int_eq(ss_ike_initiate(nodes[0].ike, "peer", now), 0);
	ck_assert_int_eq(ss_ike_initiate(nodes[0].ike, "peer", now),
		-EALREADY);
	pump();
	ck_assert_msg(nodes[0].nb_live == want_pairs,
		"A has %u children, want %u\nA:\n%s\nB:\n%s", nodes[0].nb_live,
		want_pairs, nodes[0].ev, nodes[1].ev);
	ck_assert_uint_eq(nodes[1].nb_live, want_pairs);
	ck_assert_uint_eq(check_pairs(0, 1), want_pairs);
	ck_assert_uint_eq(check_pairs(1, 0), want_pairs);
}

START_TEST(test_exchange_per_server)
{
	struct opts o;
	unsigned int s;

	default_opts(&o);
	o.servers_i = 4;
	o.servers_r = 4;
	establish(&o, 4);
	/* one pair per server on the initiator, SPIs with the ids */
	for (s = 1; s <= 4; s++) {
		ck_assert_uint_eq(live_on_server(0, (uint16_t)s), 1);
		/* the responder spread them over its servers too */
		ck_assert_uint_eq(live_on_server(1, (uint16_t)s), 1);
	}
	ck_assert(nodes[0].ch[0].in.esn);
	ck_assert_uint_eq(nodes[0].ch[0].in.encr_bits, 128);
	ck_assert_uint_eq(nodes[0].ch[0].in.nb_src_ts, 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_established), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ike_established), 1);
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	/* show: no keys in the walk output, names and ids present */
	ck_assert_uint_eq(ss_ike_walk_children(nodes[0].ike, NULL, NULL), 4);
	nodes_free();
}
END_TEST

START_TEST(test_exchange_algorithms)
{
	static const char *const combos[][2] = {
		{ "aes128gcm16-prfsha384-ecp384", "aes256gcm16-noesn" },
		{ "aes256-sha256-modp2048", "aes128-sha256-esn" },
		{ "aes128-sha256-prfsha512-curve25519", "aes256-sha256-noesn" },
		{ "aes256gcm16-prfsha256-ecp256", "aes256gcm16-ecp256-esn" },
	};
	unsigned int k;

	for (k = 0; k < RTE_DIM(combos); k++) {
		struct opts o;

		default_opts(&o);
		o.ike_i = o.ike_r = combos[k][0];
		o.esp_i = o.esp_r = combos[k][1];
		establish(&o, 2);
		nodes_free();
	}
}
END_TEST

START_TEST(test_exchange_ids)
{
	static const char *const ids[][2] = {
		{ "gw-a.example", "gw-b.example" },
		{ "alice@example.org", "bob@example.org" },
		{ "10.0.0.1", "10.0.0.2" },
		{ "2001:db8::a", "2001:db8::b" },
		{ "keyid:0x0102", "keyid:peer-b" },
	};
	unsigned int k;

	for (k = 0; k < RTE_DIM(ids); k++) {
		struct opts o;

		default_opts(&o);
		o.id_i = ids[k][0];
		o.id_r = ids[k][1];
		establish(&o, 2);
		nodes_free();
	}
	/* IPv6 outer addresses and selectors */
	{
		struct opts o;

		default_opts(&o);
		o.v6 = true;
		o.ts_i_local = o.ts_r_remote = "2001:db8:1::/64";
		o.ts_i_remote = o.ts_r_local = "2001:db8:2::/64";
		establish(&o, 2);
		ck_assert_uint_eq(nodes[0].ch[0].in.src.ip.family, AF_INET6);
		nodes_free();
	}
}
END_TEST

START_TEST(test_transport_and_narrowing)
{
	struct opts o;

	default_opts(&o);
	o.transport_i = o.transport_r = true;
	/* the initiator asks for more than the responder allows: narrowed */
	o.ts_i_local = "10.1.0.0/16";
	o.ts_i_remote = "10.2.0.0/16";
	o.ts_r_remote = "10.1.5.0/24";
	o.ts_r_local = "10.2.7.0/24";
	establish(&o, 2);
	ck_assert(nodes[0].ch[0].in.transport);
	/* A's outbound source selector is the narrowed 10.1.5.0/24 */
	ck_assert_uint_eq(nodes[0].ch[0].out.src_ts[0].lo[2], 5);
	ck_assert_uint_eq(nodes[0].ch[0].out.src_ts[0].hi[2], 5);
	ck_assert_uint_eq(nodes[0].ch[0].out.dst_ts[0].lo[2], 7);
	nodes_free();
}
END_TEST

START_TEST(test_ts_unacceptable)
{
	struct opts o;

	default_opts(&o);
	o.ts_r_remote = "192.168.0.0/24";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	/* the IKE SA stays, no child anywhere, every try refused */
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(nodes[0].nb_ch, 0);
	ck_assert_uint_eq(nodes[1].nb_ch, 0);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ts_unacceptable), 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ts_unacceptable), 2);
	nodes_free();
}
END_TEST

START_TEST(test_no_proposal_chosen)
{
	struct opts o;

	/* ESP: the IKE SA is kept */
	default_opts(&o);
	o.esp_r = "aes256-sha256-noesn";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nodes[0].nb_ch + nodes[1].nb_ch, 0);
	ck_assert_uint_ge(cnt(0, SS_IKE_CNT_no_proposal_chosen), 1);
	ck_assert_uint_ge(cnt(1, SS_IKE_CNT_no_proposal_chosen), 1);
	nodes_free();
	/* IKE: nothing is kept */
	default_opts(&o);
	o.ike_r = "aes128-sha256-modp2048";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(nb_sas(0), 0);
	ck_assert_uint_eq(nb_sas(1), 0);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_no_proposal_chosen), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_no_proposal_chosen), 1);
	nodes_free();
}
END_TEST

START_TEST(test_auth_failed)
{
	struct opts o;

	/* wrong PSK */
	default_opts(&o);
	o.psk_r = "another secret";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	ck_assert_uint_eq(nodes[0].nb_ch + nodes[1].nb_ch, 0);
	nodes_free();
	/* right PSK, unexpected identity */
	default_opts(&o);
	pair_make(&o);
	node_make(1, "10.0.0.2", "10.0.0.1", o.ike_r, o.esp_r, o.psk_r,
		"b.example", "someone-else.example", o.ts_r_local,
		o.ts_r_remote, false, "", "", 2);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	nodes_free();
}
END_TEST

START_TEST(test_invalid_ke)
{
	struct opts o;

	default_opts(&o);
	o.ike_i = "aes256gcm16-prfsha256-ecp256-modp2048-curve25519";
	o.ike_r = "aes256gcm16-prfsha256-curve25519";
	establish(&o, 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_invalid_ke_sent), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_invalid_ke_rcvd), 1);
	nodes_free();
}
END_TEST

static bool
drop_all_to_b(const struct qpkt *p)
{
	return p->to == 1;
}

START_TEST(test_cookies)
{
	struct opts o;

	default_opts(&o);
	o.global_r = "cookie_threshold = 0;";
	establish(&o, 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_cookies_sent), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_cookies_used), 1);
	nodes_free();
	/* a wrong cookie is answered with a fresh one, no state kept */
	default_opts(&o);
	o.global_r = "cookie_threshold = 0;";
	pair_make(&o);
	drop_fn = drop_all_to_b;
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	drop_fn = NULL;
	{
		struct qpkt p = last_sent[0];
		uint8_t nonce[32] = { 0 };
		struct ike_buf b;
		uint8_t cookie[32];

		/* a forged IKE_SA_INIT carrying a made-up cookie */
		memset(cookie, 0x42, sizeof(cookie));
		ike_buf_init(&b, p.buf, sizeof(p.buf));
		ike_hdr_put(&b, 0x1234, 0, EXCH_IKE_SA_INIT, FLAG_INITIATOR,
			0);
		ike_put_notify(&b, 0, NULL, 0, N_COOKIE, cookie, 32);
		ike_put_simple(&b, PL_NONCE, nonce, 32);
		{
			struct ss_ike_proposal c;
			struct ike_prop pr;
			size_t off;
			uint8_t ke[64] = { 0 };

			ss_ike_proposal_parse("aes256gcm16-prfsha256-ecp256",
				false, &c);
			ike_prop_from_conf(&c, PROTO_IKE, 1, NULL, 0, &pr);
			ike_put_sa(&b, &pr, 1);
			off = ike_pl_begin(&b, PL_KE);
			ike_put16(&b, SS_IKE_DH_ECP256);
			ike_put16(&b, 0);
			ike_put(&b, ke, sizeof(ke));
			ike_pl_end(&b, off);
		}
		ike_hdr_finish(&b);
		ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, b.len,
			now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_cookies_bad), 1);
		ck_assert_uint_eq(nb_sas(1), 0);
	}
	q_len = 0;
	nodes_free();
}
END_TEST

START_TEST(test_nat_encap)
{
	struct opts o;
	unsigned int i;

	default_opts(&o);
	o.extra_i = "encap = true;";
	establish(&o, 2);
	for (i = 0; i < nodes[0].nb_ch; i++) {
		ck_assert(nodes[0].ch[i].in.encap);
		ck_assert_uint_eq(nodes[0].ch[i].out.dst.port, 4500);
		ck_assert(nodes[1].ch[i].in.encap);
	}
	/* IKE_AUTH onwards on 4500 with the non-ESP marker */
	ck_assert_uint_eq(last_sent[0].local.port, 4500);
	ck_assert_uint_eq(last_sent[1].local.port, 4500);
	ck_assert(last_sent[0].buf[0] == 0 && last_sent[0].buf[3] == 0);
	/* A believes it is behind a NAT: keepalives every 20 s; B counts
	 * and drops them */
	run_for(45000, 1000);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_keepalives_sent), 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_nat_keepalive), 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_keepalives_sent), 0);
	/* ESP (non-zero marker) arriving on 4500 is not IKE */
	{
		uint8_t esp[32] = { 0x10, 0, 0, 1 };
		struct ss_ike_addr l = nodes[1].ip, r = nodes[0].ip;

		l.port = r.port = 4500;
		ss_ike_input(nodes[1].ike, &l, &r, esp, sizeof(esp), now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_bad_marker), 1);
	}
	nodes_free();
}
END_TEST

START_TEST(test_malformed_counted)
{
	struct opts o;
	struct qpkt p;
	uint64_t before;

	default_opts(&o);
	establish(&o, 2);
	p = last_sent[0];	/* A's last request to B (CREATE_CHILD_SA) */
	/* replay of the last request: answered from the cache, same bytes */
	before = cnt(1, SS_IKE_CNT_rx_dup_request);
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_dup_request), before + 1);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(nodes[1].nb_live, 2);	/* nothing re-installed */
	q_len = 0;
	/* an old message id (IKE_AUTH's, 1): out of the window */
	p.buf[23] = 1;
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_out_of_window), 1);
	/* a future id is out of the window too */
	p.buf[23] = 40;
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_out_of_window), 2);
	p = last_sent[0];
	/* unknown SPI */
	p.buf[5] ^= 0xff;
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_bad_spi), 1);
	p = last_sent[0];
	/* truncated datagram (header length disagrees) */
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len - 1,
		now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_bad_length), 1);
	/* a 3-byte datagram */
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, 3, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_short), 1);
	/* a new request with a corrupted ICV */
	p.buf[23] = 3;			/* next expected id... */
	ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len, now);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_integrity_failed), 1);
	ck_assert_uint_eq(q_len, 0);
	/* unsupported critical payload in IKE_SA_INIT: answered with the
	 * notify (type in data), and counted */
	{
		uint8_t buf[128];
		struct ike_buf b;
		struct ike_msg m;
		enum ss_ike_counter why;
		struct ike_notify n;
		size_t off;

		ike_buf_init(&b, buf, sizeof(buf));
		ike_hdr_put(&b, 0x77, 0, EXCH_IKE_SA_INIT, FLAG_INITIATOR, 0);
		off = ike_pl_begin(&b, 99);
		buf[off + 1] = 0x80;
		ike_put32(&b, 0);
		ike_pl_end(&b, off);
		ike_hdr_finish(&b);
		ss_ike_input(nodes[1].ike, &p.local, &p.remote, buf, b.len,
			now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_unsupported_critical),
			1);
		ck_assert_uint_eq(q_len, 1);
		ck_assert_int_eq(ike_msg_parse(q[0].buf, q[0].len, &m, &why),
			0);
		ck_assert(ike_msg_notify(&m, N_UNSUPPORTED_CRITICAL_PAYLOAD,
			&n));
		ck_assert(n.data_len == 1 && n.data[0] == 99);
		q_len = 0;
	}
	/* the SAs survived all of it */
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	nodes_free();
}
END_TEST

static unsigned int drops_left;

static bool
drop_some_to_b(const struct qpkt *p)
{
	if (p->to == 1 && drops_left > 0) {
		drops_left--;
		return true;
	}
	return false;
}

static bool
drop_some_to_a(const struct qpkt *p)
{
	if (p->to == 0 && drops_left > 0) {
		drops_left--;
		return true;
	}
	return false;
}

START_TEST(test_retransmit)
{
	static struct qpkt first;
	struct opts o;

	/* two losses: back-off 500, 1000 ms then success */
	default_opts(&o);
	pair_make(&o);
	drop_fn = drop_some_to_b;
	drops_left = 2;
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	first = last_sent[0];
	run_for(499, 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 0);
	run_for(1, 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 1);
	/* a retransmission is the same message, byte for byte */
	ck_assert_uint_eq(last_sent[0].len, first.len);
	ck_assert_mem_eq(last_sent[0].buf, first.buf, first.len);
	run_for(999, 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 1);
	run_for(1, 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 2);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	nodes_free();
	/* a response lost: the responder answers the retransmission from
	 * its cache and never installs twice */
	default_opts(&o);
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	drop_fn = drop_some_to_a;
	drops_left = 1;
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 3, now), 0);
	pump();
	ck_assert_uint_eq(nodes[1].nb_live, 3);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	first = last_sent[1];
	ck_assert_uint_eq(first.buf[18], EXCH_CREATE_CHILD_SA);
	run_for(600, 100);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_dup_request), 1);
	/* the very same bytes again (cached, not a new encryption) */
	ck_assert_uint_eq(last_sent[1].len, first.len);
	ck_assert_mem_eq(last_sent[1].buf, first.buf, first.len);
	ck_assert_uint_eq(nodes[1].nb_ch, 3);
	ck_assert_uint_eq(nodes[0].nb_live, 3);
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	drop_fn = NULL;
	nodes_free();
	/* no answer at all: 3 retransmissions, then the SA is gone */
	default_opts(&o);
	pair_make(&o);
	drop_fn = drop_all_to_b;
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	run_for(500 + 1000 + 2000 + 4000 + 100, 50);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 3);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_timeouts), 1);
	ck_assert_uint_eq(nb_sas(0), 0);
	nodes_free();
}
END_TEST

START_TEST(test_dpd)
{
	struct opts o;

	default_opts(&o);
	o.extra_i = "dpd_interval = 10;";
	establish(&o, 2);
	run_for(25000, 500);
	ck_assert_uint_ge(cnt(0, SS_IKE_CNT_dpd_sent), 2);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_dpd_dead), 0);
	ck_assert_uint_eq(nb_sas(0), 1);
	/* the peer goes silent */
	drop_fn = drop_all_to_b;
	run_for(10000 + 500 + 1000 + 2000 + 4000 + 1000, 250);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_dpd_dead), 1);
	ck_assert_uint_eq(nb_sas(0), 0);
	ck_assert_uint_eq(nodes[0].nb_live, 0);
	ck_assert_uint_eq(nodes[0].nb_del, 2);
	nodes_free();
}
END_TEST

static void
count_child(const struct ss_ike_child_info *c, void *arg)
{
	RTE_SET_USED(c);
	(*(unsigned int *)arg)++;
}

/* A server leaves while the CREATE_CHILD_SA for its pair runs, or the
 * dataplane refuses a pair: the peer's half is deleted (INFORMATIONAL),
 * nothing is installed here, and no delete callback names a pair that
 * was never installed. */
START_TEST(test_server_del_in_flight)
{
	unsigned int nb = 0;
	struct opts o;

	default_opts(&o);
	establish(&o, 2);
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 3, now), 0);
	ck_assert_int_eq(ss_ike_server_del(nodes[0].ike, 3, now), 0);
	pump();
	ck_assert_uint_eq(live_on_server(0, 3), 0);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(nodes[0].nb_del, 0);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_del, 1);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(check_pairs(1, 0), 2);
	ck_assert_ptr_nonnull(strstr(nodes[0].ev, "for server 3 not installed, "
		"deleting it"));
	ss_ike_walk_children(nodes[0].ike, count_child, &nb);
	ck_assert_uint_eq(nb, 2);
	/* the dataplane refuses the pair of a new server */
	refuse_id = 4;
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 4, now), 0);
	pump();
	refuse_id = -1;
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_install_failed), 1);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_del, 2);
	ck_assert_uint_eq(check_pairs(1, 0), 2);
	nb = 0;
	ss_ike_walk_children(nodes[0].ike, count_child, &nb);
	ck_assert_uint_eq(nb, 2);
	nodes_free();
}
END_TEST

/* A peer started at boot (start_action "start") whose IKE SA is lost is
 * initiated again SS_IKE_RESTART_MS later, until it answers; not after
 * an operator's terminate. */
START_TEST(test_dpd_restart)
{
	struct opts o;
	uint64_t t_dead;

	default_opts(&o);
	o.extra_i = "dpd_interval = 2;";
	child_extra = "start_action = \"start\";";
	pair_make(&o);
	child_extra = CHILD_EXTRA;
	ck_assert_int_eq(ss_ike_start_all(nodes[0].ike, now), 1);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* the peer dies: DPD after 2 s, 3 retransmissions */
	drop_fn = drop_all_to_b;
	run_for(2000 + 500 + 1000 + 2000 + 4000 + 250, 250);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_dpd_dead), 1);
	ck_assert_uint_eq(nodes[0].nb_live, 0);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_restarts), 0);
	t_dead = now;
	run_for(SS_IKE_RESTART_MS, 250);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_restarts), 1);
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_ptr_nonnull(strstr(nodes[0].ev,
		"IKE SA lost: initiating again"));
	/* still dead: that try times out, and the next one starts */
	run_for(500 + 1000 + 2000 + 4000 + SS_IKE_RESTART_MS + 250, 250);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_restarts), 2);
	/* the peer is back (a fresh engine, as after a restart) */
	drop_fn = NULL;
	node_make(1, "10.0.0.2", "10.0.0.1", o.ike_r, o.esp_r, o.psk_r,
		o.id_r, o.id_i, o.ts_r_local, o.ts_r_remote, false, "", "", 2);
	run_for(8000, 250);
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(check_pairs(1, 0), 2);
	ck_assert_uint_le(cnt(0, SS_IKE_CNT_restarts), 3);
	ck_assert_uint_gt(now, t_dead);
	/* an operator's terminate is final */
	ck_assert_int_eq(ss_ike_terminate(nodes[0].ike, "peer", now), 0);
	pump();
	run_for(5000, 250);
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	/* without start_action "start": lost is lost */
	nodes_free();
	default_opts(&o);
	o.extra_i = "dpd_interval = 2;";
	establish(&o, 2);
	drop_fn = drop_all_to_b;
	run_for(2000 + 500 + 1000 + 2000 + 4000 + 3000, 250);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_dpd_dead), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_restarts), 0);
	ck_assert_uint_eq(nb_sas(0), 0);
	drop_fn = NULL;
	nodes_free();
}
END_TEST

START_TEST(test_delete_and_terminate)
{
	struct opts o;

	default_opts(&o);
	o.servers_i = 3;
	establish(&o, 3);
	/* a server leaves: its pair is deleted on both sides */
	ck_assert_int_eq(ss_ike_server_del(nodes[0].ike, 2, now), 0);
	ck_assert_int_eq(ss_ike_server_del(nodes[0].ike, 2, now), -ENOENT);
	pump();
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(live_on_server(0, 2), 0);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* and comes back */
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 2, now), 0);
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 2, now), -EEXIST);
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 16, now), -EINVAL);
	pump();
	ck_assert_uint_eq(live_on_server(0, 2), 1);
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	/* the responder ends it */
	ck_assert_int_eq(ss_ike_terminate(nodes[1].ike, "peer", now), 0);
	pump();
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	ck_assert_uint_eq(nodes[0].nb_live + nodes[1].nb_live, 0);
	ck_assert_int_eq(ss_ike_terminate(nodes[1].ike, "peer", now), -ENOENT);
	nodes_free();
}
END_TEST

START_TEST(test_child_rekey)
{
	struct opts o;
	unsigned int i;

	default_opts(&o);
	establish(&o, 2);
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_rekeyed), 2);
	ck_assert_uint_eq(nodes[0].nb_ch, 4);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* make before break: each new pair was installed before its old one
	 * was deleted, on the same server, and names what it replaces */
	for (i = 2; i < 4; i++) {
		const struct rec *n = &nodes[0].ch[i];
		unsigned int j;

		ck_assert(!n->deleted);
		for (j = 0; j < 2; j++) {
			const struct rec *old = &nodes[0].ch[j];

			if (old->in.spi != n->in.replaces_spi)
				continue;
			ck_assert(old->deleted);
			ck_assert_uint_eq(old->in.server_id, n->in.server_id);
		}
	}
	/* the responder may rekey too (soft lifetime there) */
	ck_assert_int_eq(ss_ike_rekey(nodes[1].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(live_on_server(0, 1), 1);
	ck_assert_uint_eq(live_on_server(0, 2), 1);
	nodes_free();
}
END_TEST

static struct rec *
rec_of_in(int n, uint32_t spi)
{
	unsigned int i;

	for (i = 0; i < nodes[n].nb_ch; i++)
		if (nodes[n].ch[i].in.spi == spi)
			return &nodes[n].ch[i];
	return NULL;
}

static bool
drop_info_to_b(const struct qpkt *p)
{
	return p->to == 1 && p->len > 28 && p->buf[18] == EXCH_INFORMATIONAL;
}

static unsigned int nb_standby;

static void
standby_cb(const struct ss_ike_child_info *c, void *arg)
{
	RTE_SET_USED(arg);
	if (strcmp(c->state, "INSTALLED, out standby") == 0)
		nb_standby++;
}

/* RFC 7296 2.8: the responder of a Child SA rekey keeps sending on the
 * old outbound SA until the initiator, which installs its new inbound SA
 * only on the response, has deleted the old pair. */
START_TEST(test_child_rekey_standby)
{
	struct opts o;
	unsigned int i, nb_new = 0;

	default_opts(&o);
	establish(&o, 2);
	ck_assert_uint_eq(nodes[1].nb_act, 0);
	/* B's initial pairs (IKE_AUTH, its own CREATE_CHILD_SA answers) are
	 * no rekeys: never standby */
	for (i = 0; i < nodes[1].nb_ch; i++)
		ck_assert(!nodes[1].ch[i].out.standby);
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* the initiator sends on its new SAs at once */
	for (i = 2; i < nodes[0].nb_ch; i++)
		ck_assert(!nodes[0].ch[i].out.standby);
	for (i = 2; i < nodes[1].nb_ch; i++) {
		const struct rec *n = &nodes[1].ch[i];
		const struct rec *a = rec_of_in(0, n->out.spi);
		const struct rec *old = rec_of_in(1, n->in.replaces_spi);

		ck_assert(n->out.standby && n->activated);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(old);
		/* activated after the initiator installed its inbound SA
		 * and when the old pair was deleted, not before */
		ck_assert_uint_gt(n->act_order, a->order);
		ck_assert(old->deleted);
		ck_assert_uint_gt(n->act_order, n->order);
		nb_new++;
	}
	ck_assert_uint_eq(nb_new, 2);
	ck_assert_uint_eq(nodes[1].nb_act, 2);
	ck_assert_uint_eq(nodes[0].nb_act, 0);
	/* the initiator's Delete is lost for good: B does not wait for
	 * ever, it activates after SS_IKE_STANDBY_MS */
	drop_fn = drop_info_to_b;
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(nodes[1].nb_act, 2);
	run_for(SS_IKE_STANDBY_MS - 1000, 100);
	ck_assert_uint_eq(nodes[1].nb_act, 2);
	nb_standby = 0;
	ss_ike_walk_children(nodes[1].ike, standby_cb, NULL);
	ck_assert_uint_eq(nb_standby, 2);	/* shown in "show ike sa" */
	run_for(1500, 100);
	ck_assert_uint_eq(nodes[1].nb_act, 4);
	nb_standby = 0;
	ss_ike_walk_children(nodes[1].ike, standby_cb, NULL);
	ck_assert_uint_eq(nb_standby, 0);
	ck_assert_ptr_nonnull(strstr(nodes[1].ev,
		"no Delete of the old pair in time"));
	drop_fn = NULL;
	nodes_free();
}
END_TEST

START_TEST(test_child_rekey_lifetime)
{
	struct opts o;

	default_opts(&o);
	pair_make(&o);
	/* soft 20 s with 5 s jitter, hard 60 s */
	{
		/* rebuild A with lifetimes through the config */
		static struct ss_ike_conf conf;
		struct ss_cfg_error e;

		ss_ike_destroy(nodes[0].ike);
		ck_assert_int_eq(parse_text("ike = { peers = ( { name = \"peer\";"
			" local_addr = \"10.0.0.1\"; remote_addr = \"10.0.0.2\";"
			" local_id = \"a.example\"; remote_id = \"b.example\";"
			" psk = \"a shared secret\";"
			" ike_proposals = \"aes256gcm16-prfsha256-ecp256\";"
			" dpd_interval = 0; rekey_time = 0;"
			" children = ( { name = \"net\"; local_ts = \"10.1.0.0/24\";"
			" remote_ts = \"10.2.0.0/24\"; esp_proposals = "
			"\"aes128gcm16-esn\"; rekey_time = 20; jitter = 5;"
			" life_time = 60; rekey_packets = 1000; } ); } ); };",
			&conf, &e), 0);
		nodes[0].ike = ss_ike_create(&conf, &t_ops, &nodes[0]);
		ss_ike_server_add(nodes[0].ike, 1, now);
		ss_ike_server_add(nodes[0].ike, 2, now);
	}
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	run_for(14000, 500);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_rekeyed), 0);
	run_for(6500, 500);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_rekeyed), 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* packet-count lifetime */
	ss_ike_child_usage(nodes[0].ike, nodes[0].ch[2].in.spi, 5000, 1000,
		now);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_rekeyed), 3);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	nodes_free();
}
END_TEST

START_TEST(test_rekey_collision)
{
	struct opts o;
	unsigned int n;

	default_opts(&o);
	o.servers_i = 1;
	establish(&o, 1);
	/* both ends rekey the same pair at once */
	ss_ike_rekey(nodes[0].ike, "peer", true, now);
	ss_ike_rekey(nodes[1].ike, "peer", true, now);
	pump();
	run_for(2000, 100);
	ck_assert_uint_ge(cnt(0, SS_IKE_CNT_rekey_collisions) +
		cnt(1, SS_IKE_CNT_rekey_collisions), 1);
	/* exactly one pair survives, consistent on both sides */
	n = check_pairs(0, 1);
	ck_assert_msg(n == 1, "%u pairs\nA:\n%s\nB:\n%s", n, nodes[0].ev,
		nodes[1].ev);
	ck_assert_uint_eq(check_pairs(1, 0), 1);
	nodes_free();
}
END_TEST

START_TEST(test_ike_rekey)
{
	struct opts o;

	default_opts(&o);
	establish(&o, 2);
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", false, now), 0);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	/* children moved, nothing re-installed or deleted */
	ck_assert_uint_eq(nodes[0].nb_ch, 2);
	ck_assert_uint_eq(nodes[0].nb_del, 0);
	/* the new SA works: a new server gets its pair through it */
	ss_ike_server_add(nodes[0].ike, 3, now);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	/* and the responder can rekey it back */
	ck_assert_int_eq(ss_ike_rekey(nodes[1].ike, "peer", false, now), 0);
	pump();
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 2);
	ss_ike_rekey(nodes[0].ike, "peer", true, now);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	nodes_free();
}
END_TEST

/* ike.delete_rekeyed_delay: the inbound SA of a pair replaced by a rekey
 * outlives the pair's Delete (the peer's packets in flight), on both
 * ends of the rekey, through an IKE SA rekey; a plain Delete and the end
 * of the IKE SA take it at once. */
START_TEST(test_child_rekey_retire)
{
	struct opts o;
	unsigned int i;

	default_opts(&o);
	o.global_i = "delete_rekeyed_delay = 3;";
	o.global_r = "delete_rekeyed_delay = 0;";
	o.retire = true;
	establish(&o, 2);
	ck_assert_uint_eq(nodes[0].nb_retired + nodes[0].nb_del, 0);
	/* A initiates: its old pairs end by the response to its Delete */
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(nodes[0].nb_retired, 2);
	ck_assert_uint_eq(nodes[0].nb_del, 0);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_retired), 2);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_deleted), 2);
	for (i = 0; i < 2; i++)
		ck_assert(nodes[0].ch[i].retired && !nodes[0].ch[i].deleted);
	/* B, with no delay, deleted its old pairs whole */
	ck_assert_uint_eq(nodes[1].nb_retired, 0);
	ck_assert_uint_eq(nodes[1].nb_del, 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_child_retired), 0);
	ck_assert_ptr_nonnull(strstr(nodes[0].ev,
		"inbound kept 3 s for packets in flight"));
	run_for(2800, 100);
	ck_assert_uint_eq(nodes[0].nb_retired, 2);
	run_for(400, 100);
	ck_assert_uint_eq(nodes[0].nb_retired, 0);
	ck_assert_uint_eq(nodes[0].nb_del, 2);
	for (i = 0; i < 2; i++)
		ck_assert(nodes[0].ch[i].deleted &&
			now - nodes[0].ch[i].retire_ms >= 3000);
	/* B initiates: A's old pairs end by B's Delete request */
	ck_assert_int_eq(ss_ike_rekey(nodes[1].ike, "peer", true, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(nodes[0].nb_retired, 2);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_retired), 4);
	/* the IKE SA is rekeyed: the retired SAs move with the pairs */
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", false, now), 0);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(nodes[0].nb_retired, 2);
	/* a server leaves: its retired SA goes at once; its live pair,
	 * replaced by nothing, is deleted whole */
	ck_assert_int_eq(ss_ike_server_del(nodes[0].ike, 2, now), 0);
	pump();
	ck_assert_uint_eq(nodes[0].nb_retired, 1);
	ck_assert_uint_eq(live_on_server(0, 2), 0);
	ck_assert_uint_eq(live_on_server(0, 1), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_retired), 4);
	/* the IKE SA ends: the last retired SA with it, before its time */
	ck_assert_int_eq(ss_ike_terminate(nodes[0].ike, "peer", now), 0);
	pump();
	ck_assert_uint_eq(nodes[0].nb_retired + nodes[0].nb_live, 0);
	ck_assert_uint_eq(nb_sas(0), 0);
	nodes_free();
}
END_TEST

static bool
drop_ccsa_to_a(const struct qpkt *p)
{
	return p->to == 0 && p->len > 28 && p->buf[18] == EXCH_CREATE_CHILD_SA;
}

START_TEST(test_ike_lifetimes)
{
	struct opts o;

	/* soft lifetime: rekeyed by the timer (jitter 0..5 s) */
	default_opts(&o);
	o.extra_i = "rekey_time = 30; over_time = 10; jitter = 5;";
	establish(&o, 2);
	run_for(24000, 500);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 0);
	run_for(6500, 500);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(nb_sas(0), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	nodes_free();
	/* the rekey never completes: the hard lifetime ends the SA before
	 * the retransmissions run out */
	default_opts(&o);
	o.extra_i = "rekey_time = 30; over_time = 1; jitter = 0;";
	establish(&o, 2);
	drop_fn = drop_ccsa_to_a;
	run_for(31500, 250);
	ck_assert_uint_eq(nb_sas(0), 0);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_timeouts), 0);
	ck_assert_ptr_nonnull(strstr(nodes[0].ev, "hard lifetime"));
	ck_assert_uint_eq(nodes[0].nb_live, 0);
	drop_fn = NULL;
	nodes_free();
}
END_TEST

struct sa_spis {
	uint64_t spi_i[4], spi_r[4];
	unsigned int n;
};

static void
spis_cb(const struct ss_ike_sa_info *i, void *arg)
{
	struct sa_spis *x = arg;

	if (x->n < 4) {
		x->spi_i[x->n] = i->spi_i;
		x->spi_r[x->n] = i->spi_r;
	}
	x->n++;
}

static bool
drop_b_ccsa_request_once(const struct qpkt *p)
{
	if (p->to == 0 && drops_left > 0 && p->len > 28 &&
		p->buf[18] == EXCH_CREATE_CHILD_SA &&
		(p->buf[19] & FLAG_RESPONSE) == 0) {
		drops_left--;
		return true;
	}
	return false;
}

static bool
drop_ccsa_response_to_a_once(const struct qpkt *p)
{
	if (p->to == 0 && drops_left > 0 && p->len > 28 &&
		p->buf[18] == EXCH_CREATE_CHILD_SA &&
		(p->buf[19] & FLAG_RESPONSE) != 0) {
		drops_left--;
		return true;
	}
	return false;
}

/* Not a drop: A's timers run just before each CREATE_CHILD_SA response
 * reaches it (in a collision: while the peer's new IKE SA is not yet
 * known to be the survivor or the redundant one). */
static bool
tick_a_before_ccsa_response(const struct qpkt *p)
{
	if (p->to == 0 && p->len > 28 && p->buf[18] == EXCH_CREATE_CHILD_SA &&
		(p->buf[19] & FLAG_RESPONSE) != 0)
		ss_ike_timer(nodes[0].ike, now);
	return false;
}

/* After a simultaneous IKE SA rekey: one IKE SA on each side, the same
 * one, every child on it and none lost, and it works. */
static void
ike_coll_check(const char *what)
{
	struct sa_spis a = { .n = 0 }, b = { .n = 0 };

	ss_ike_walk_sas(nodes[0].ike, spis_cb, &a);
	ss_ike_walk_sas(nodes[1].ike, spis_cb, &b);
	ck_assert_msg(a.n == 1 && b.n == 1, "%s: %u and %u IKE SAs\nA:\n%s\n"
		"B:\n%s", what, a.n, b.n, nodes[0].ev, nodes[1].ev);
	ck_assert(a.spi_i[0] == b.spi_i[0] && a.spi_r[0] == b.spi_r[0]);
	ck_assert_uint_ge(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_ge(cnt(1, SS_IKE_CNT_ike_rekeyed), 1);
	/* the children moved: nothing deleted or installed again but
	 * by the Child SA rekeys */
	ck_assert_uint_eq(nodes[0].nb_del, nodes[0].nb_ch - 2);
	ck_assert_uint_eq(nodes[1].nb_del, nodes[1].nb_ch - 2);
	ck_assert_uint_eq(nodes[0].nb_del, cnt(0, SS_IKE_CNT_child_rekeyed));
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(check_pairs(1, 0), 2);
	/* the survivor carries new exchanges: a third server, a rekey */
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 3, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	ck_assert_int_eq(ss_ike_rekey(nodes[1].ike, "peer", true, now), 0);
	pump();
	run_for(1000, 100);
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	ck_assert_uint_eq(nodes[1].nb_live, 3);
}

/* RFC 7296 2.8.2: both ends rekey the IKE SA at once. Each ends with two
 * new IKE SAs; the one made by the exchange with the lowest nonce is
 * deleted by its initiator, the other's initiator deletes the old SA, and
 * the children end on the survivor. */
START_TEST(test_ike_rekey_collision)
{
	struct opts o;
	unsigned int k;

	for (k = 0; k < 8; k++) {
		default_opts(&o);
		establish(&o, 2);
		ss_ike_rekey(nodes[0].ike, "peer", false, now);
		ss_ike_rekey(nodes[1].ike, "peer", false, now);
		/* queued behind A's IKE rekey: runs on the survivor */
		ss_ike_rekey(nodes[0].ike, "peer", true, now);
		drop_fn = tick_a_before_ccsa_response;
		pump();
		drop_fn = NULL;
		ck_assert_uint_eq(cnt(0, SS_IKE_CNT_child_rekeyed), 2);
		ck_assert_uint_eq(nodes[0].nb_live, 2);
		ck_assert_uint_eq(nodes[0].nb_ch, 4);
		ck_assert_uint_eq(check_pairs(0, 1), 2);
		/* both saw it, resolved without retries */
		ck_assert_uint_eq(cnt(0, SS_IKE_CNT_rekey_collisions), 1);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rekey_collisions), 1);
		ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits) +
			cnt(1, SS_IKE_CNT_retransmits), 0);
		/* exactly one side's own new SA was the redundant one */
		ck_assert_msg((strstr(nodes[0].ev, "ours is redundant") !=
			NULL) + (strstr(nodes[1].ev, "ours is redundant") !=
			NULL) == 1, "A:\n%s\nB:\n%s", nodes[0].ev, nodes[1].ev);
		ck_assert((strstr(nodes[0].ev, "peer's is redundant") !=
			NULL) + (strstr(nodes[1].ev, "peer's is redundant") !=
			NULL) == 1);
		ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 2);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ike_rekeyed), 2);
		/* old and redundant deleted on both sides */
		ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_deleted), 2);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ike_deleted), 2);
		ike_coll_check("simultaneous");
		nodes_free();
	}
	/* the first response to A is lost: either A's own SA is the
	 * redundant one and B ends the old SA first, or B deletes its
	 * redundant SA before A's retransmitted rekey is answered (the
	 * children must survive both) */
	for (k = 0; k < 8; k++) {
		default_opts(&o);
		establish(&o, 2);
		drop_fn = drop_ccsa_response_to_a_once;
		drops_left = 1;
		ss_ike_rekey(nodes[0].ike, "peer", false, now);
		ss_ike_rekey(nodes[1].ike, "peer", false, now);
		pump();
		/* a redundant SA that the peer never made is deleted
		 * after REDUNDANT_WAIT_MS, and its Delete times out */
		run_for(5000 + 500 + 1000 + 2000 + 4000 + 1000, 100);
		drop_fn = NULL;
		ck_assert_uint_eq(drops_left, 0);
		ike_coll_check("response lost");
		nodes_free();
	}
	/* B sees the collision, A does not (B's request is lost once): A
	 * finishes its rekey and deletes the old SA, which ends B's */
	default_opts(&o);
	establish(&o, 2);
	drop_fn = drop_b_ccsa_request_once;
	drops_left = 1;
	ss_ike_rekey(nodes[0].ike, "peer", false, now);
	ss_ike_rekey(nodes[1].ike, "peer", false, now);
	pump();
	run_for(3000, 100);
	drop_fn = NULL;
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rekey_collisions), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_rekey_collisions), 0);
	ike_coll_check("one-sided");
	nodes_free();
}
END_TEST

START_TEST(test_acquire)
{
	struct opts o;

	default_opts(&o);
	o.servers_i = 1;
	child_extra = "start_action = \"on-demand\";";
	pair_make(&o);
	child_extra = CHILD_EXTRA;
	ck_assert_int_eq(ss_ike_acquire(nodes[0].ike, "nope", now), -ENOENT);
	ck_assert_int_eq(ss_ike_acquire(nodes[0].ike, "peer", now), 0);
	ck_assert_int_eq(ss_ike_acquire(nodes[0].ike, "peer", now),
		-EINPROGRESS);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 1);
	/* the peer deletes the pair; the next acquire brings it back */
	ss_ike_server_del(nodes[1].ike, 1, now);
	ss_ike_server_del(nodes[1].ike, 2, now);
	pump();
	ck_assert_uint_eq(nodes[0].nb_live, 0);
	ck_assert_int_eq(ss_ike_acquire(nodes[0].ike, "peer", now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 1);
	nodes_free();
}
END_TEST

START_TEST(test_ts_max_queue)
{
	struct opts o;

	/* RFC 9611: the responder takes at most 2 pairs of these
	 * selectors and says TS_MAX_QUEUE after; the initiator stops */
	default_opts(&o);
	o.servers_i = 4;
	pair_make(&o);
	ss_ike_destroy(nodes[1].ike);
	{
		static struct ss_ike_conf conf;
		struct ss_cfg_error e;

		ck_assert_int_eq(parse_text("ike = { peers = ( { name = \"peer\";"
			" local_addr = \"10.0.0.2\"; remote_addr = \"10.0.0.1\";"
			" local_id = \"b.example\"; remote_id = \"a.example\";"
			" psk = \"a shared secret\";"
			" ike_proposals = \"aes256gcm16-prfsha256-ecp256\";"
			" children = ( { name = \"net\"; local_ts = \"10.2.0.0/24\";"
			" remote_ts = \"10.1.0.0/24\"; esp_proposals = "
			"\"aes128gcm16-esn\"; max_pairs = 2; } ); } ); };",
			&conf, &e), 0);
		nodes[1].ike = ss_ike_create(&conf, &t_ops, &nodes[1]);
	}
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_ts_max_queue), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ts_max_queue), 1);
	/* after the refusal the initiator asked for no more */
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_msgs), 4);
	nodes_free();
}
END_TEST

START_TEST(test_peer_restart)
{
	struct opts o;

	default_opts(&o);
	establish(&o, 2);
	/* A loses all state and comes back (same address, new SPIs) */
	ss_ike_destroy(nodes[0].ike);
	nodes[0].ike = NULL;
	node_make(0, "10.0.0.1", "10.0.0.2", o.ike_i, o.esp_i, o.psk_i,
		o.id_i, o.id_r, o.ts_i_local, o.ts_i_remote, false, "", "", 2);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_peer_restart), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_del, 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	nodes_free();
}
END_TEST

/* INITIAL_CONTACT from the same identity at a new address (remote_addr
 * "%any", remote_id set): the old IKE SA and its pairs go at once. */
START_TEST(test_peer_restart_new_address)
{
	static struct ss_ike_conf conf;
	struct ss_cfg_error e;
	struct opts o;

	default_opts(&o);
	pair_make(&o);
	ss_ike_destroy(nodes[1].ike);
	ck_assert_int_eq(parse_text("ike = { peers = ( { name = \"peer\";"
		" local_addr = \"10.0.0.2\"; remote_addr = \"%any\";"
		" local_id = \"b.example\"; remote_id = \"a.example\";"
		" psk = \"a shared secret\";"
		" ike_proposals = \"aes256gcm16-prfsha256-ecp256\";"
		" children = ( { name = \"net\"; local_ts = \"10.2.0.0/24\";"
		" remote_ts = \"10.1.0.0/24\"; esp_proposals = "
		"\"aes128gcm16-esn\"; start_action = \"none\"; } ); } ); };",
		&conf, &e), 0);
	nodes[1].ike = ss_ike_create(&conf, &t_ops, &nodes[1]);
	ck_assert_ptr_nonnull(nodes[1].ike);
	ss_ike_server_add(nodes[1].ike, 1, now);
	ss_ike_server_add(nodes[1].ike, 2, now);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	/* A comes back from 10.0.0.3 with no memory of the old SA */
	ss_ike_destroy(nodes[0].ike);
	nodes[0].ike = NULL;
	node_make(2, "10.0.0.3", "10.0.0.2", o.ike_i, o.esp_i, o.psk_i,
		o.id_i, o.id_r, o.ts_i_local, o.ts_i_remote, false, "", "", 2);
	ss_ike_initiate(nodes[2].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_peer_restart), 1);
	ck_assert_uint_eq(nb_sas(1), 1);
	ck_assert_uint_eq(nodes[1].nb_del, 2);
	ck_assert_uint_eq(nodes[1].nb_live, 2);
	ck_assert_uint_eq(check_pairs(2, 1), 2);
	ck_assert_uint_eq(check_pairs(1, 2), 2);
	nodes_free();
}
END_TEST

START_TEST(test_half_open_timeout)
{
	struct opts o;

	default_opts(&o);
	pair_make(&o);
	/* the initiator vanishes after IKE_SA_INIT */
	ss_ike_initiate(nodes[0].ike, "peer", now);
	{
		struct qpkt p = q[0];

		q_len = 0;
		ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len,
			now);
		q_len = 0;
		/* retransmitted IKE_SA_INIT: same answer, one SA */
		ss_ike_input(nodes[1].ike, &p.local, &p.remote, p.buf, p.len,
			now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_dup_request), 1);
		q_len = 0;
	}
	ck_assert_uint_eq(nb_sas(1), 1);
	ss_ike_destroy(nodes[0].ike);
	nodes[0].ike = NULL;
	run_for(31000, 1000);
	ck_assert_uint_eq(nb_sas(1), 0);
	nodes_free();
}
END_TEST

static void
spi_cb(const struct ss_ike_sa_info *i, void *arg)
{
	*(uint64_t *)arg = i->spi_i;
}

static uint64_t
sa_spi_i_of(int n)
{
	uint64_t v = 0;

	ss_ike_walk_sas(nodes[n].ike, spi_cb, &v);
	return v;
}

START_TEST(test_key_export)
{
	struct opts o;
	char *ib = NULL, *eb = NULL;
	size_t il = 0, el = 0;
	FILE *fi, *fe;
	char dir[] = "/tmp/ss_ike_keysXXXXXX", glob[128];

	default_opts(&o);
	o.servers_i = 1;
	establish(&o, 1);
	/* not enabled: nothing leaves the engine */
	fi = open_memstream(&ib, &il);
	fe = open_memstream(&eb, &el);
	ck_assert_int_eq(ss_ike_export_keys(nodes[0].ike, fi, fe), -EPERM);
	fclose(fi);
	fclose(fe);
	ck_assert_uint_eq(il + el, 0);
	free(ib);
	free(eb);
	nodes_free();
	/* enabled: esp_sa lines for both directions */
	default_opts(&o);
	o.servers_i = 1;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(glob, sizeof(glob), "debug_save_keys = \"%s\";", dir);
	o.global_r = glob;
	establish(&o, 1);
	ib = eb = NULL;
	fi = open_memstream(&ib, &il);
	fe = open_memstream(&eb, &el);
	ck_assert_int_eq(ss_ike_export_keys(nodes[1].ike, fi, fe), 3);
	fclose(fi);
	fclose(fe);
	/* ikev2_decryption_table: SPIs, keys, Wireshark's names */
	ck_assert_msg(strstr(ib, "AES-GCM-256 with 16 octet ICV [RFC5282]")
		!= NULL && strstr(ib, "NONE [RFC4306]") != NULL, "%s", ib);
	{
		char want[64];

		snprintf(want, sizeof(want), "%016" PRIx64 ",",
			sa_spi_i_of(1));
		ck_assert_msg(strncmp(ib, want, 17) == 0, "%s", ib);
	}
	/* the files the engine keeps up to date */
	{
		char path[300];
		char line[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/esp_sa", dir);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		ck_assert_ptr_nonnull(strstr(line, "\"IPv4\",\"10.0.0."));
		fclose(f);
	}
	{
		char want[64];

		snprintf(want, sizeof(want), "\"0x%08x\"",
			nodes[1].ch[0].in.spi);
		ck_assert_msg(strstr(eb, want) != NULL &&
			strstr(eb, "\"AES-GCM [RFC4106]\",\"0x") &&
			strstr(eb, "\"ANY 128 bit authentication [no "
				"checking]\",\"0x\"\n"), "%s", eb);
	}
	free(ib);
	free(eb);
	nodes_free();
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/esp_sa", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
		unlink(path);
		rmdir(dir);
	}
}
END_TEST

/* ---- X.509 certificate authentication ------------------------------- */

static char cert_dir[64];

static EVP_PKEY *
t_key(bool rsa)
{
	EVP_PKEY *k = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
		EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

/* A certificate for key k named cn, signed by (ca, ca_key) or self;
 * san like "DNS:a.example" or NULL; days < 0: expired. */
static X509 *
t_cert(const char *cn, const char *san, EVP_PKEY *k, X509 *ca,
	EVP_PKEY *ca_key, bool is_ca, int days)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *e;
	static long serial = 1;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, ca != NULL ? X509_get_subject_name(ca) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), days < 0 ?
		-86400L * 30 : -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * days);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&v3, ca != NULL ? ca : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
		is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (san != NULL) {
		e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		ck_assert_ptr_nonnull(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ck_assert_int_gt(X509_sign(x, ca_key != NULL ? ca_key : k,
		EVP_sha256()), 0);
	X509_NAME_free(n);
	return x;
}

static const char *
t_path(const char *name)
{
	static char p[8][128];
	static unsigned int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", cert_dir, name);
	return p[i];
}

static void
t_write(const char *name, X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(t_path(name), "w");

	ck_assert_ptr_nonnull(f);
	if (x != NULL)
		ck_assert_int_eq(PEM_write_X509(f, x), 1);
	if (k != NULL)
		ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0,
			NULL, NULL), 1);
	fclose(f);
}

/* Files in cert_dir: ca.pem (trusted by both), other-ca.pem; per side
 * X in a, b: X.pem/X.key (EC, SAN DNS:X.example), Xrsa.pem/.key (RSA),
 * Xbad.pem (SAN of someone else), Xold.pem (expired), Xrogue.pem (issued
 * by other-ca). */
static void
t_make_certs(void)
{
	EVP_PKEY *ca_k = t_key(false), *oca_k = t_key(false);
	X509 *ca = t_cert("Test CA", NULL, ca_k, NULL, NULL, true, 30);
	X509 *oca = t_cert("Other CA", NULL, oca_k, NULL, NULL, true, 30);
	static const char *const side[] = { "a", "b" };
	unsigned int i;

	if (cert_dir[0] != '\0')
		return;
	snprintf(cert_dir, sizeof(cert_dir), "/tmp/ss-ike-certXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(cert_dir));
	t_write("ca.pem", ca, NULL);
	t_write("other-ca.pem", oca, NULL);
	for (i = 0; i < 2; i++) {
		EVP_PKEY *k = t_key(false), *rk = t_key(true);
		char san[64], name[32], file[48];
		struct { const char *suffix; const char *san; EVP_PKEY *k;
			X509 *ca; EVP_PKEY *cak; int days; } v[] = {
			{ "", san, k, ca, ca_k, 30 },
			{ "rsa", san, rk, ca, ca_k, 30 },
			{ "bad", "DNS:someone.example", k, ca, ca_k, 30 },
			{ "old", san, k, ca, ca_k, -1 },
			{ "rogue", san, k, oca, oca_k, 30 },
		};
		unsigned int j;

		snprintf(san, sizeof(san), "DNS:%s.example", side[i]);
		for (j = 0; j < RTE_DIM(v); j++) {
			X509 *x = t_cert(side[i], v[j].san, v[j].k, v[j].ca,
				v[j].cak, false, v[j].days);

			snprintf(name, sizeof(name), "%s%s", side[i],
				v[j].suffix);
			snprintf(file, sizeof(file), "%s.pem", name);
			t_write(file, x, NULL);
			X509_free(x);
		}
		snprintf(file, sizeof(file), "%s.key", side[i]);
		t_write(file, NULL, k);
		snprintf(file, sizeof(file), "%srsa.key", side[i]);
		t_write(file, NULL, rk);
		EVP_PKEY_free(k);
		EVP_PKEY_free(rk);
	}
	X509_free(ca);
	X509_free(oca);
	EVP_PKEY_free(ca_k);
	EVP_PKEY_free(oca_k);
}

static void
t_rm_certs(void)
{
	char cmd[128];

	if (cert_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cert_dir);
	ck_assert_int_eq(system(cmd), 0);
	cert_dir[0] = '\0';
}

/* extra peer settings for certificate 'cert' (without .pem), its key
 * file 'key' and the trust anchors in 'ca' */
static const char *
t_pubkey(const char *cert, const char *key, const char *ca)
{
	static char buf[4][512];
	static unsigned int i;
	char c[32], k[32];

	i = (i + 1) % 4;
	snprintf(c, sizeof(c), "%s.pem", cert);
	snprintf(k, sizeof(k), "%s.key", key);
	snprintf(buf[i], sizeof(buf[i]), "auth = \"pubkey\"; cert = \"%s\";"
		" key = \"%s\"; cacert = \"%s\";", t_path(c), t_path(k),
		t_path(ca));
	return buf[i];
}

/* Both sides with certificates: a and b, each with the given files. */
static void
t_cert_pair(struct opts *o, const char *ca, const char *key_a,
	const char *key_b, const char *cert_a, const char *cert_b)
{
	default_opts(o);
	o->psk_i = o->psk_r = NULL;
	o->extra_i = t_pubkey(cert_a, key_a, ca);
	o->extra_r = t_pubkey(cert_b, key_b, ca);
}

START_TEST(test_cert_auth)
{
	struct opts o;

	t_make_certs();
	/* ECDSA both ways */
	t_cert_pair(&o, "ca.pem", "a", "b", "a", "b");
	establish(&o, 2);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_established), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_cert_rejected), 0);
	nodes_free();
	/* RSA initiator, ECDSA responder; and the other way round */
	t_cert_pair(&o, "ca.pem", "arsa", "b", "arsa", "b");
	establish(&o, 2);
	nodes_free();
	t_cert_pair(&o, "ca.pem", "a", "brsa", "a", "brsa");
	establish(&o, 2);
	/* an IKE SA rekey on it works as on a PSK SA (no new AUTH) */
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", false, now), 0);
	run_for(2000, 100);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	nodes_free();
	t_rm_certs();
}
END_TEST

/* Fragment 2 of an RFC 7383 set (port 500: no marker in front). */
static bool
is_frag2(const struct qpkt *p)
{
	return p->len > 36 && p->buf[16] == PL_SKF && p->buf[32] == 0 &&
		p->buf[33] == 2;
}

static bool
drop_frag2_to_b(const struct qpkt *p)
{
	return is_frag2(p) && drop_some_to_b(p);
}

static bool
drop_frag2_to_a(const struct qpkt *p)
{
	return is_frag2(p) && drop_some_to_a(p);
}

/* One fragment lost on the first try of IKE_AUTH (b_live: the pairs B
 * has installed by then); one retransmission of the request follows. */
static void
frag_lost(const struct opts *o, bool (*fn)(const struct qpkt *),
	unsigned int b_live)
{
	pair_make(o);
	drop_fn = fn;
	drops_left = 1;
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(nodes[0].nb_live, 0);
	ck_assert_uint_eq(nodes[1].nb_live, b_live);
	run_for(600, 50);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_retransmits), 1);
}

/*
 * RFC 7383 with RSA certificates (IKE_AUTH ~1.5 kB each way) and 576-byte
 * fragments: every datagram fits, both ends reassemble, the children
 * match; a lost fragment of the request is made good by the retransmission
 * (the fragments already there count as duplicates); a lost fragment of
 * the response makes the responder send its cached response once per
 * retransmitted request, not once per fragment; a peer that does not
 * announce it gets whole messages.
 */
START_TEST(test_fragmentation)
{
	struct opts o;

	t_make_certs();
	t_cert_pair(&o, "ca.pem", "arsa", "brsa", "arsa", "brsa");
	o.global_i = o.global_r = "fragment_size = 576;";
	max_sent = 0;
	establish(&o, 2);
	ck_assert_uint_ge(cnt(0, SS_IKE_CNT_tx_fragments), 2);
	ck_assert_uint_ge(cnt(1, SS_IKE_CNT_tx_fragments), 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_reassembled), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_rx_reassembled), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_fragments),
		cnt(0, SS_IKE_CNT_tx_fragments));
	/* IKE message + UDP + IPv4 header within the fragment size */
	ck_assert_uint_le(max_sent + 8 + 20, 576);
	/* forged fragments in the window of B: a bad number, and one that
	 * does not verify; each counted, the SA untouched */
	{
		static struct qpkt x;
		const uint64_t bad = cnt(1, SS_IKE_CNT_rx_fragment_bad);
		const uint64_t integ = cnt(1, SS_IKE_CNT_rx_integrity_failed);
		uint32_t id;

		x = last_sent[0];	/* A's last request, to B */
		id = (uint32_t)x.buf[20] << 24 | x.buf[21] << 16 |
			x.buf[22] << 8 | x.buf[23];
		id++;
		x.buf[20] = id >> 24;
		x.buf[21] = id >> 16;
		x.buf[22] = id >> 8;
		x.buf[23] = id;
		x.buf[16] = PL_SKF;
		x.len = 28 + 8 + 8 + 32 + 16;
		x.buf[24] = 0;
		x.buf[25] = 0;
		x.buf[26] = 0;
		x.buf[27] = (uint8_t)x.len;
		memset(x.buf + 28, 0x5a, x.len - 28);
		x.buf[28] = 0;		/* SKF: next payload, flags */
		x.buf[29] = 0;
		x.buf[30] = 0;
		x.buf[31] = (uint8_t)(x.len - 28);
		x.buf[32] = 0;		/* fragment 0 of 1: invalid */
		x.buf[33] = 0;
		x.buf[34] = 0;
		x.buf[35] = 1;
		ss_ike_input(nodes[1].ike, &x.local, &x.remote, x.buf, x.len,
			now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_fragment_bad), bad + 1);
		x.buf[33] = 1;		/* fragment 1 of 2, junk inside */
		x.buf[35] = 2;
		ss_ike_input(nodes[1].ike, &x.local, &x.remote, x.buf, x.len,
			now);
		ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_integrity_failed),
			integ + 1);
		ck_assert_uint_eq(nb_sas(1), 1);
	}
	/* the next exchanges (small) go whole */
	ck_assert_int_eq(ss_ike_server_add(nodes[0].ike, 3, now), 0);
	pump();
	ck_assert_uint_eq(check_pairs(0, 1), 3);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_reassembled), 1);
	/* an IKE SA rekey keeps it: a big message still fragments */
	ck_assert_int_eq(ss_ike_rekey(nodes[0].ike, "peer", false, now), 0);
	run_for(2000, 100);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_ike_rekeyed), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_fragment_bad), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_rx_fragment_bad), 0);
	nodes_free();

	/* fragment 2 of IKE_AUTH lost on the way to the responder */
	frag_lost(&o, drop_frag2_to_b, 0);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_reassembled), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_dup_request), 0);
	nodes_free();

	/* fragment 2 of the IKE_AUTH response lost: the responder
	 * installed the IKE_AUTH pair, the initiator not */
	frag_lost(&o, drop_frag2_to_a, 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_rx_dup_request), 1);
	ck_assert_uint_eq(nodes[0].nb_live, 2);
	ck_assert_uint_eq(nodes[1].nb_ch, 2);
	ck_assert_uint_eq(check_pairs(0, 1), 2);
	drop_fn = NULL;
	nodes_free();

	/* the responder does not do it: whole messages both ways */
	o.global_r = "fragmentation = false;";
	establish(&o, 2);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_tx_fragments) +
		cnt(1, SS_IKE_CNT_tx_fragments), 0);
	nodes_free();
	t_rm_certs();
}
END_TEST

/* One side's certificate is refused by the other: nothing installed on
 * either side, the reason in the events. */
static void
t_cert_refused(const char *cert_a, const char *ca_b, const char *why)
{
	struct opts o;

	t_cert_pair(&o, "ca.pem", "a", "b", cert_a, "b");
	o.extra_r = t_pubkey("b", "b", ca_b);
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_msg(strstr(nodes[1].ev, why) != NULL, "want '%s' in:\n%s",
		why, nodes[1].ev);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_cert_rejected), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	ck_assert_uint_eq(nodes[0].nb_ch + nodes[1].nb_ch, 0);
	nodes_free();
}

START_TEST(test_cert_refused)
{
	struct opts o;

	t_make_certs();
	t_cert_refused("arogue", "ca.pem", "certificate not trusted: "
		"unable to get local issuer certificate");
	t_cert_refused("a", "other-ca.pem", "certificate not trusted");
	t_cert_refused("aold", "ca.pem", "certificate not trusted: "
		"certificate has expired");
	t_cert_refused("abad", "ca.pem", "identity not in the certificate");
	/* the responder's certificate refused by the initiator */
	t_cert_pair(&o, "ca.pem", "a", "b", "a", "bbad");
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_cert_rejected), 1);
	ck_assert(strstr(nodes[0].ev, "identity not in the certificate"));
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	nodes_free();
	/* certificates on the initiator, PSK on the responder: nothing
	 * announced RFC 7427 hashes, so no signature is made */
	t_cert_pair(&o, "ca.pem", "a", "b", "a", "b");
	o.extra_r = "";
	o.psk_r = "a shared secret";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(0, SS_IKE_CNT_auth_failed), 1);
	ck_assert(strstr(nodes[0].ev, "no SHA2 signature hash"));
	ck_assert_uint_eq(nb_sas(0), 0);
	ck_assert_uint_eq(nodes[0].nb_ch + nodes[1].nb_ch, 0);
	nodes_free();
	/* PSK initiator, certificates on the responder: no CERT */
	t_cert_pair(&o, "ca.pem", "a", "b", "a", "b");
	o.extra_i = "";
	o.psk_i = "a shared secret";
	pair_make(&o);
	ss_ike_initiate(nodes[0].ike, "peer", now);
	pump();
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_auth_failed), 1);
	ck_assert_uint_eq(cnt(1, SS_IKE_CNT_cert_rejected), 1);
	ck_assert(strstr(nodes[1].ev, "no X.509 certificate"));
	ck_assert_uint_eq(nb_sas(0) + nb_sas(1), 0);
	nodes_free();
	t_rm_certs();
}
END_TEST

START_TEST(test_cert_config)
{
	static struct ss_ike_conf c;
	struct ss_cfg_error e;
	char text[2048];
	static const struct {
		const char *auth, *want;
	} bad[] = {
		{ "auth = \"pubkey\"; cert = \"%1$s/a.pem\"; "
		  "key = \"%1$s/b.key\"; cacert = \"%1$s/ca.pem\";",
		  "does not belong to cert" },
		{ "auth = \"pubkey\"; cert = \"%1$s/a.pem\"; "
		  "key = \"%1$s/nonexistent.key\"; cacert = \"%1$s/ca.pem\";",
		  "nonexistent.key: No such file or directory" },
		{ "auth = \"pubkey\"; cert = \"%1$s/a.key\"; "
		  "key = \"%1$s/a.key\"; cacert = \"%1$s/ca.pem\";",
		  "cert " },
		{ "auth = \"pubkey\"; cert = \"%1$s/a.pem\"; "
		  "key = \"%1$s/a.key\";", "cacert" },
		{ "auth = \"pubkey\"; psk = \"x\"; cert = \"%1$s/a.pem\"; "
		  "key = \"%1$s/a.key\"; cacert = \"%1$s/ca.pem\";",
		  "psk: not used with auth = \"pubkey\"" },
		{ "psk = \"x\"; cert = \"%1$s/a.pem\";",
		  "cert: only with auth = \"pubkey\"" },
		{ "auth = \"rsa\"; psk = \"x\";",
		  "auth: \"psk\" or \"pubkey\"" },
	};
	unsigned int i;

	t_make_certs();
	for (i = 0; i < RTE_DIM(bad); i++) {
		char auth[512];

		snprintf(auth, sizeof(auth), bad[i].auth, cert_dir);
		snprintf(text, sizeof(text), "ike = { peers = ( {\n"
			" name = \"p\"; local_addr = \"10.0.0.1\";\n"
			" remote_addr = \"10.0.0.2\"; local_id = \"a.example\";\n"
			" %s\n children = ( { name = \"c\"; local_ts = "
			"\"10.1.0.0/24\"; remote_ts = \"10.2.0.0/24\"; } );\n"
			"} ); };\n", auth);
		ck_assert_int_lt(parse_text(text, &c, &e), 0);
		ck_assert_msg(strstr(e.msg, bad[i].want) != NULL,
			"case %u: want '%s' in '%s'", i, bad[i].want, e.msg);
		/* never key bytes in the message */
		ck_assert(strstr(e.msg, "PRIVATE") == NULL);
	}
	t_rm_certs();
}
END_TEST

static Suite *
ike_suite(void)
{
	Suite *s = suite_create("ike");
	TCase *tc = tcase_create("crypto");

	tcase_add_test(tc, test_hmac_rfc4231);
	tcase_add_test(tc, test_kdf_nist_cavp);
	tcase_add_test(tc, test_kdf_sha256_python);
	tcase_add_test(tc, test_ecdh_rfc5903);
	tcase_add_test(tc, test_x25519_rfc7748);
	tcase_add_test(tc, test_dh_all_groups);
	tcase_add_test(tc, test_sk_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("codec");
	tcase_add_test(tc, test_codec_roundtrip);
	tcase_add_test(tc, test_codec_strict);
	tcase_add_test(tc, test_sa_decode_strict);
	tcase_add_test(tc, test_proposal_select);
	tcase_add_test(tc, test_proposal_parse);
	tcase_add_test(tc, test_id_parse);
	tcase_add_test(tc, test_cfg_parse);
	suite_add_tcase(s, tc);
	tc = tcase_create("protocol");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_exchange_per_server);
	tcase_add_test(tc, test_exchange_algorithms);
	tcase_add_test(tc, test_exchange_ids);
	tcase_add_test(tc, test_transport_and_narrowing);
	tcase_add_test(tc, test_ts_unacceptable);
	tcase_add_test(tc, test_no_proposal_chosen);
	tcase_add_test(tc, test_auth_failed);
	tcase_add_test(tc, test_invalid_ke);
	tcase_add_test(tc, test_cookies);
	tcase_add_test(tc, test_nat_encap);
	tcase_add_test(tc, test_malformed_counted);
	tcase_add_test(tc, test_retransmit);
	tcase_add_test(tc, test_dpd);
	tcase_add_test(tc, test_dpd_restart);
	tcase_add_test(tc, test_delete_and_terminate);
	tcase_add_test(tc, test_server_del_in_flight);
	tcase_add_test(tc, test_child_rekey);
	tcase_add_test(tc, test_child_rekey_standby);
	tcase_add_test(tc, test_child_rekey_lifetime);
	tcase_add_test(tc, test_child_rekey_retire);
	tcase_add_test(tc, test_rekey_collision);
	tcase_add_test(tc, test_ike_rekey);
	tcase_add_test(tc, test_ts_max_queue);
	tcase_add_test(tc, test_ike_lifetimes);
	tcase_add_test(tc, test_ike_rekey_collision);
	tcase_add_test(tc, test_acquire);
	tcase_add_test(tc, test_peer_restart);
	tcase_add_test(tc, test_peer_restart_new_address);
	tcase_add_test(tc, test_half_open_timeout);
	tcase_add_test(tc, test_key_export);
	tcase_add_test(tc, test_cert_auth);
	tcase_add_test(tc, test_fragmentation);
	tcase_add_test(tc, test_cert_refused);
	tcase_add_test(tc, test_cert_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	/* the engine needs no EAL: rte_log works without it */
	rte_log_set_global_level(argc > 1 ? RTE_LOG_DEBUG : RTE_LOG_WARNING);
	(void)argv;
	sr = srunner_create(ike_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
