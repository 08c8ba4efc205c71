/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands for log levels: every library logs through its own
 * registered type (shardsec.net, shardsec.ike, ..., DPDK's lib.*, pmd.*),
 * which 'set log-level' changes at run time, like EAL's --log-level. */

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_common.h>
#include <rte_log.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

#define LEVELS "emerg#alert#crit#err#warning#notice#info#debug"

static const char *const level_names[] = {
	[RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert",
	[RTE_LOG_CRIT] = "crit", [RTE_LOG_ERR] = "err",
	[RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
	[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
};

/* rte_log_dump is the only way to list the types in DPDK 22.11; its
 * lines read "id N: NAME, level is LEVEL". Returns the count; calls fn
 * for each. */
static unsigned int
log_types(void (*fn)(const char *name, const char *level, void *arg),
	void *arg)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned int n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return 0;
	rte_log_dump(f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		char name[128], level[32];

		if (sscanf(line, "id %*u: %127[^,], level is %31s", name,
				level) != 2)
			continue;
		if (fn != NULL)
			fn(name, level, arg);
		n++;
	}
	free(buf);
	return n;
}

struct nth {
	unsigned int want, seen;
	char *buf;
	size_t len;
	bool found;
};

static void
nth_cb(const char *name, const char *level, void *arg)
{
	struct nth *a = arg;

	RTE_SET_USED(level);
	if (a->seen++ == a->want) {
		snprintf(a->buf, a->len, "%s", name);
		a->found = true;
	}
}

/* Completion: the registered type names. */
static int
list_types(unsigned int idx, char *buf, size_t len, const void *arg)
{
	struct nth a = { idx, 0, buf, len, false };

	RTE_SET_USED(arg);
	log_types(nth_cb, &a);
	return a.found ? 0 : -ENOENT;
}

struct match {
	const char *pattern;
	unsigned int n;
};

static void
match_cb(const char *name, const char *level, void *arg)
{
	struct match *a = arg;

	RTE_SET_USED(level);
	if (fnmatch(a->pattern, name, 0) == 0)
		a->n++;
}

/* A glob such as "shardsec.*" is accepted when it names a type. */
static int
check_pattern(const char *word, char *err, size_t len, const void *arg)
{
	struct match a = { word, 0 };

	RTE_SET_USED(arg);
	log_types(match_cb, &a);
	if (a.n != 0)
		return 0;
	snprintf(err, len, "no log type matches '%s' (try 'show log-levels')",
		word);
	return -ENOENT;
}

struct cmd_set_log_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t pattern;
	cmdline_fixed_string_t level;
};

static void
cmd_set_log_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_log_result *r = parsed;
	struct match a = { r->pattern, 0 };
	unsigned int lvl;

	RTE_SET_USED(data);
	for (lvl = RTE_LOG_EMERG; lvl <= RTE_LOG_DEBUG; lvl++)
		if (strcmp(level_names[lvl], r->level) == 0)
			break;
	log_types(match_cb, &a);
	if (lvl > RTE_LOG_DEBUG ||
			rte_log_set_level_pattern(r->pattern, lvl) < 0) {
		ss_shell_fail(cl, "set log-level: cannot set %s to %s",
			r->pattern, r->level);
		return;
	}
	cmdline_printf(cl, "log level of %s (%u type(s)) set to %s\n",
		r->pattern, a.n, r->level);
}

static cmdline_parse_token_string_t cmd_set_log_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_result, set, "set");
static cmdline_parse_token_string_t cmd_set_log_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_result, what,
		"log-level");
static struct ss_shell_token_choice cmd_set_log_pattern =
	SS_SHELL_TOKEN_CHOICE(struct cmd_set_log_result, pattern, "log type",
		"log types", NULL, list_types, check_pattern, NULL);
static struct ss_shell_token_choice cmd_set_log_level =
	SS_SHELL_TOKEN_CHOICE(struct cmd_set_log_result, level, "level",
		"levels", LEVELS, NULL, NULL, NULL);

static cmdline_parse_inst_t cmd_set_log = {
	.f = cmd_set_log_parsed,
	.data = NULL,
	.help_str = "set log-level <type|glob> <level>: log level of a "
		"library (shardsec.ike, lib.eal...) at run time",
	.tokens = {
		(void *)&cmd_set_log_set,
		(void *)&cmd_set_log_what,
		(void *)&cmd_set_log_pattern,
		(void *)&cmd_set_log_level,
		NULL,
	},
};

struct cmd_show_log_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

struct show_arg {
	struct cmdline *cl;
	bool json;
	unsigned int n;
};

static void
show_cb(const char *name, const char *level, void *arg)
{
	struct show_arg *a = arg;

	if (a->json)
		cmdline_printf(a->cl, "%s\n  {\"type\": \"%s\", \"level\": "
			"\"%s\"}", a->n++ == 0 ? "" : ",", name, level);
	else
		cmdline_printf(a->cl, "%-32s %s\n", name, level);
}

static void
cmd_show_log_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct show_arg a = { cl, data == SS_SHELL_JSON, 0 };

	RTE_SET_USED(parsed);
	if (a.json)
		cmdline_printf(cl, "[");
	else
		cmdline_printf(cl, "%-32s %s\n", "type", "level");
	log_types(show_cb, &a);
	if (a.json)
		cmdline_printf(cl, "\n]\n");
}

static cmdline_parse_token_string_t cmd_show_log_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_result, show, "show");
static cmdline_parse_token_string_t cmd_show_log_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_result, what,
		"log-levels");
static cmdline_parse_token_string_t cmd_show_log_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_result, json, "json");

static cmdline_parse_inst_t cmd_show_log = {
	.f = cmd_show_log_parsed,
	.data = NULL,
	.help_str = "show log-levels: every log type and its level",
	.tokens = {
		(void *)&cmd_show_log_show,
		(void *)&cmd_show_log_what,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_log_j = {
	.f = cmd_show_log_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show log-levels json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_log_show,
		(void *)&cmd_show_log_what,
		(void *)&cmd_show_log_json,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_log[] = {
	&cmd_set_log,
	&cmd_show_log,
	&cmd_show_log_j,
	NULL,
};

const struct ss_shell_help ss_help_log[] = {
	{ "show log-levels [json]", "every log type (shardsec.*, lib.*, "
		"pmd.*) and its level" },
	{ "set log-level <type|glob> <level>", "change a level at run time "
		"(emerg..debug), e.g. set log-level shardsec.ike debug" },
	{ NULL, NULL },
};
