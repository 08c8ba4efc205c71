/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The shell's dynamic-choice token, on a fake list that changes between
 * calls the way the live state does. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "ss_shell_token.h"

static const char *fake[8];
static unsigned int nb_fake;

static int
fake_list(unsigned int idx, char *buf, size_t len, const void *arg)
{
	(void)arg;
	if (idx >= nb_fake)
		return -ENOENT;
	snprintf(buf, len, "%s", fake[idx]);
	return 0;
}

/* Accepts "0x..." hex spelt with upper-case digits, rejects other hex
 * with a reason, gives no reason for anything else. */
static int
fake_check(const char *word, char *err, size_t len, const void *arg)
{
	(void)arg;
	if (strcmp(word, "0xAB") == 0)
		return 0;
	if (strncmp(word, "0x", 2) == 0) {
		snprintf(err, len, "bad hex '%s'", word);
		return -EINVAL;
	}
	return -EINVAL;
}

struct res {
	cmdline_fixed_string_t kw;
	cmdline_fixed_string_t val;
};

static struct ss_shell_token_choice tok_plain =
	SS_SHELL_TOKEN_CHOICE(struct res, val, "port", "ports", NULL,
		fake_list, NULL, NULL);
static struct ss_shell_token_choice tok_fixed =
	SS_SHELL_TOKEN_CHOICE(struct res, val, "port", "ports", "all#json",
		fake_list, fake_check, NULL);

static void
set_fake(unsigned int n, ...)
{
	va_list ap;
	unsigned int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		fake[i] = va_arg(ap, const char *);
	va_end(ap);
	nb_fake = n;
}

#define HDR(t) ((cmdline_parse_token_hdr_t *)&(t))

START_TEST(test_parse_listed)
{
	cmdline_fixed_string_t out;

	set_fake(4, "0", "1", "inside", "outside");
	ss_shell_token_error_reset();
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_plain), "inside",
		out, sizeof(out)), 6);
	ck_assert_str_eq(out, "inside");
	/* stops at the end of the word */
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_plain), "1 json",
		out, sizeof(out)), 1);
	ck_assert_str_eq(out, "1");
	/* completion and ambiguity checks parse without a result */
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_plain), "0\n",
		NULL, 0), 1);
	/* a prefix of a value is not the value */
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain), "ins",
		out, sizeof(out)), 0);
	/* a result buffer too small is refused, not overrun */
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain), "0",
		out, 4), 0);
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain), "",
		out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_parse_error)
{
	cmdline_fixed_string_t out;
	const char *line = "show port info 7";
	const char *pos = NULL;
	char big[300];

	set_fake(2, "0", "1");
	ss_shell_token_error_reset();
	ck_assert_ptr_null(ss_shell_token_error(NULL));
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain),
		line + 15, out, sizeof(out)), 0);
	ck_assert_str_eq(ss_shell_token_error(&pos), "no port 7 (ports: 0,1)");
	ck_assert_ptr_eq(pos, line + 15);
	/* an earlier token's failure does not hide the furthest one */
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain),
		line + 5, out, sizeof(out)), 0);
	ck_assert_str_eq(ss_shell_token_error(&pos), "no port 7 (ports: 0,1)");
	ck_assert_ptr_eq(pos, line + 15);
	ss_shell_token_error_reset();
	ck_assert_ptr_null(ss_shell_token_error(&pos));
	/* empty list */
	set_fake(0);
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain), "3",
		out, sizeof(out)), 0);
	ck_assert_str_eq(ss_shell_token_error(NULL), "no port 3 (ports: none)");
	/* a word longer than the result can hold */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ss_shell_token_error_reset();
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain), big,
		out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(ss_shell_token_error(NULL), "too long"));
}
END_TEST

START_TEST(test_fixed_and_check)
{
	cmdline_fixed_string_t out;

	set_fake(2, "0", "1");
	ss_shell_token_error_reset();
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_fixed), "json",
		out, sizeof(out)), 4);
	ck_assert_str_eq(out, "json");
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_fixed), "all",
		out, sizeof(out)), 3);
	/* accepted by the check */
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_fixed), "0xAB",
		out, sizeof(out)), 4);
	ck_assert_str_eq(out, "0xAB");
	ck_assert_ptr_null(ss_shell_token_error(NULL));
	/* refused by the check with its reason */
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_fixed), "0xzz",
		out, sizeof(out)), 0);
	ck_assert_str_eq(ss_shell_token_error(NULL), "bad hex '0xzz'");
	/* refused without a reason: the generic one, fixed words listed */
	ss_shell_token_error_reset();
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_fixed), "x",
		out, sizeof(out)), 0);
	ck_assert_str_eq(ss_shell_token_error(NULL),
		"no port x (ports: all,json,0,1)");
}
END_TEST

START_TEST(test_complete_live)
{
	char buf[64];

	set_fake(2, "0", "1");
	ck_assert_int_eq(ss_shell_token_choice_get_nb(HDR(tok_plain)), 2);
	ck_assert_int_eq(ss_shell_token_choice_get_nb(HDR(tok_fixed)), 4);
	ck_assert_int_eq(ss_shell_token_choice_get_elt(HDR(tok_fixed), 1, buf,
		sizeof(buf)), 0);
	ck_assert_str_eq(buf, "json");
	ck_assert_int_eq(ss_shell_token_choice_get_elt(HDR(tok_fixed), 3, buf,
		sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_lt(ss_shell_token_choice_get_elt(HDR(tok_fixed), 4, buf,
		sizeof(buf)), 0);
	ck_assert_int_lt(ss_shell_token_choice_get_elt(HDR(tok_fixed), -1, buf,
		sizeof(buf)), 0);
	/* the state changes: so do completion and parsing */
	set_fake(3, "0", "1", "0x10000101");
	ck_assert_int_eq(ss_shell_token_choice_get_nb(HDR(tok_plain)), 3);
	ck_assert_int_eq(ss_shell_token_choice_get_elt(HDR(tok_plain), 2, buf,
		sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0x10000101");
	ck_assert_int_eq(ss_shell_token_choice_parse(HDR(tok_plain),
		"0x10000101", NULL, 0), 10);
	set_fake(1, "1");
	ck_assert_int_lt(ss_shell_token_choice_parse(HDR(tok_plain),
		"0x10000101", NULL, 0), 0);
	ck_assert_int_eq(ss_shell_token_choice_get_help(HDR(tok_plain), buf,
		sizeof(buf)), 0);
	ck_assert_str_eq(buf, "port (1)");
}
END_TEST

/* Through rte_cmdline itself: a command whose last token is a choice. */
static char got[sizeof(cmdline_fixed_string_t)];

static void
cmd_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct res *r = parsed;

	(void)cl;
	(void)data;
	snprintf(got, sizeof(got), "%s", r->val);
}

static cmdline_parse_token_string_t tok_kw =
	TOKEN_STRING_INITIALIZER(struct res, kw, "port");

static cmdline_parse_inst_t cmd_port = {
	.f = cmd_cb,
	.help_str = "port <port>",
	.tokens = { (void *)&tok_kw, (void *)&tok_plain, NULL },
};

static cmdline_parse_ctx_t ctx[] = { &cmd_port, NULL };

START_TEST(test_cmdline)
{
	struct cmdline *cl;
	char dst[64];
	int state = 0, fd;

	fd = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(fd, 0);
	cl = cmdline_new(ctx, "> ", -1, fd);
	ck_assert_ptr_nonnull(cl);
	set_fake(4, "0", "1", "inside", "outside");
	got[0] = '\0';
	ck_assert_int_ge(cmdline_parse(cl, "port outside\n"), 0);
	ck_assert_str_eq(got, "outside");
	ss_shell_token_error_reset();
	ck_assert_int_lt(cmdline_parse(cl, "port 9\n"), 0);
	ck_assert_str_eq(ss_shell_token_error(NULL),
		"no port 9 (ports: 0,1,inside,outside)");
	/* TAB after "port ou": the rest of the only match */
	ck_assert_int_eq(cmdline_complete(cl, "port ou", &state, dst,
		sizeof(dst)), CMDLINE_PARSE_COMPLETED_BUFFER);
	ck_assert_str_eq(dst, "tside ");
	/* the list grew: completion sees the new value */
	set_fake(5, "0", "1", "inside", "outside", "outer");
	state = 0;
	ck_assert_int_eq(cmdline_complete(cl, "port outsi", &state, dst,
		sizeof(dst)), CMDLINE_PARSE_COMPLETED_BUFFER);
	ck_assert_str_eq(dst, "de ");
	cmdline_free(cl);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shell_token");
	TCase *tc = tcase_create("choice");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_listed);
	tcase_add_test(tc, test_parse_error);
	tcase_add_test(tc, test_fixed_and_check);
	tcase_add_test(tc, test_complete_live);
	tcase_add_test(tc, test_cmdline);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
