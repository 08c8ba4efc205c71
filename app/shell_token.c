/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The dynamic-choice shell token (ss_shell_token.h). */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse.h>
#include <rte_common.h>

#include "ss_shell_token.h"

#define TOKEN_ERR_LEN 768
#define TOKEN_VAL_LEN 128

struct cmdline_token_ops ss_shell_token_choice_ops = {
	.parse = ss_shell_token_choice_parse,
	.complete_get_nb = ss_shell_token_choice_get_nb,
	.complete_get_elt = ss_shell_token_choice_get_elt,
	.get_help = ss_shell_token_choice_get_help,
};

static char token_err[TOKEN_ERR_LEN];
static const char *token_err_pos;

void
ss_shell_token_error_reset(void)
{
	token_err[0] = '\0';
	token_err_pos = NULL;
}

const char *
ss_shell_token_error(const char **pos)
{
	if (token_err[0] == '\0')
		return NULL;
	if (pos != NULL)
		*pos = token_err_pos;
	return token_err;
}

/* Keep the error of the token that got furthest: several commands may
 * try the same line, and the one that matched most words is meant. */
static void
token_error_set(const char *pos, const char *msg)
{
	if (token_err[0] != '\0' && token_err_pos != NULL &&
			pos < token_err_pos)
		return;
	snprintf(token_err, sizeof(token_err), "%s", msg);
	token_err_pos = pos;
}

static unsigned int
word_len(const char *buf)
{
	unsigned int n = 0;

	while (!cmdline_isendoftoken(buf[n]))
		n++;
	return n;
}

/* The idx-th word of "a#b#c", or -ENOENT. */
static int
fixed_get(const char *fixed, unsigned int idx, char *buf, size_t len)
{
	const char *p = fixed, *e;

	if (p == NULL)
		return -ENOENT;
	while (idx > 0) {
		p = strchr(p, '#');
		if (p == NULL)
			return -ENOENT;
		p++;
		idx--;
	}
	e = strchr(p, '#');
	if (e == NULL)
		e = p + strlen(p);
	if ((size_t)(e - p) >= len)
		return -ENOSPC;
	memcpy(buf, p, e - p);
	buf[e - p] = '\0';
	return 0;
}

static unsigned int
fixed_nb(const char *fixed)
{
	unsigned int n = 1;

	if (fixed == NULL || fixed[0] == '\0')
		return 0;
	for (; *fixed != '\0'; fixed++)
		if (*fixed == '#')
			n++;
	return n;
}

/* The idx-th value: the fixed words, then the listed ones. */
static int
value_get(const struct ss_shell_token_choice_data *d, unsigned int idx,
	char *buf, size_t len)
{
	const unsigned int nf = fixed_nb(d->fixed);

	if (idx < nf)
		return fixed_get(d->fixed, idx, buf, len);
	if (d->list == NULL)
		return -ENOENT;
	return d->list(idx - nf, buf, len, d->arg);
}

void
ss_shell_token_choice_join(const struct ss_shell_token_choice_data *d,
	char *buf, size_t len)
{
	char v[TOKEN_VAL_LEN];
	size_t off = 0;
	unsigned int i;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; value_get(d, i, v, sizeof(v)) == 0; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? "," : "", v);

		if (n < 0 || (size_t)n >= len - off) {
			/* too many to list: say so */
			if (len > 4)
				snprintf(buf + len - 4, 4, "...");
			return;
		}
		off += n;
	}
	if (i == 0)
		snprintf(buf, len, "none");
}

int
ss_shell_token_choice_parse(cmdline_parse_token_hdr_t *tk, const char *buf,
	void *res, unsigned int ressize)
{
	const struct ss_shell_token_choice *t =
		(const struct ss_shell_token_choice *)tk;
	const struct ss_shell_token_choice_data *d = &t->data;
	char word[sizeof(cmdline_fixed_string_t)];
	char v[TOKEN_VAL_LEN];
	char msg[TOKEN_ERR_LEN];
	unsigned int n, i;
	bool ok = false;

	if (tk == NULL || buf == NULL || *buf == '\0')
		return -1;
	if (res != NULL && ressize < sizeof(cmdline_fixed_string_t))
		return -1;
	n = word_len(buf);
	if (n == 0)
		return -1;
	if (n >= sizeof(word)) {
		snprintf(msg, sizeof(msg), "%s too long (%u characters, at "
			"most %zu)", d->what, n, sizeof(word) - 1);
		token_error_set(buf, msg);
		return -1;
	}
	memcpy(word, buf, n);
	word[n] = '\0';
	for (i = 0; !ok && value_get(d, i, v, sizeof(v)) == 0; i++)
		ok = strcmp(v, word) == 0;
	if (!ok && d->check != NULL) {
		msg[0] = '\0';
		ok = d->check(word, msg, sizeof(msg), d->arg) == 0;
		if (!ok && msg[0] != '\0') {
			/* the check said why */
			token_error_set(buf, msg);
			return -1;
		}
	}
	if (!ok) {
		char all[256];

		ss_shell_token_choice_join(d, all, sizeof(all));
		snprintf(msg, sizeof(msg), "no %s %s (%s: %s)", d->what, word,
			d->plural, all);
		token_error_set(buf, msg);
		return -1;
	}
	if (res != NULL)
		memcpy((char *)res, word, n + 1);
	return (int)n;
}

int
ss_shell_token_choice_get_nb(cmdline_parse_token_hdr_t *tk)
{
	const struct ss_shell_token_choice *t =
		(const struct ss_shell_token_choice *)tk;
	char v[TOKEN_VAL_LEN];
	int n = 0;

	if (tk == NULL)
		return 0;
	while (value_get(&t->data, n, v, sizeof(v)) == 0)
		n++;
	return n;
}

int
ss_shell_token_choice_get_elt(cmdline_parse_token_hdr_t *tk, int idx,
	char *dst, unsigned int size)
{
	const struct ss_shell_token_choice *t =
		(const struct ss_shell_token_choice *)tk;

	if (tk == NULL || dst == NULL || idx < 0)
		return -1;
	return value_get(&t->data, (unsigned int)idx, dst, size) == 0 ? 0 : -1;
}

int
ss_shell_token_choice_get_help(cmdline_parse_token_hdr_t *tk, char *dst,
	unsigned int size)
{
	const struct ss_shell_token_choice *t =
		(const struct ss_shell_token_choice *)tk;
	char all[128];

	if (tk == NULL || dst == NULL || size == 0)
		return -1;
	ss_shell_token_choice_join(&t->data, all, sizeof(all));
	snprintf(dst, size, "%s (%s)", t->data.what, all);
	return 0;
}
