/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Log-linear histogram: 32 linear buckets per power of two, so that
 * percentiles of millions of latency samples cost 15 KiB and no sort. */

#include <string.h>

#include "ss_gen.h"

unsigned int
ss_gen_hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < SS_GEN_HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);	/* >= SUB_BITS */
	return (e - SS_GEN_HIST_SUB_BITS + 1) * SS_GEN_HIST_SUB +
		(unsigned int)((v >> (e - SS_GEN_HIST_SUB_BITS)) &
			(SS_GEN_HIST_SUB - 1));
}

uint64_t
ss_gen_hist_bucket_low(unsigned int idx)
{
	unsigned int e, sub;

	if (idx < SS_GEN_HIST_SUB)
		return idx;
	e = idx / SS_GEN_HIST_SUB + SS_GEN_HIST_SUB_BITS - 1;
	sub = idx % SS_GEN_HIST_SUB;
	return (uint64_t)(SS_GEN_HIST_SUB + sub) << (e - SS_GEN_HIST_SUB_BITS);
}

void
ss_gen_hist_reset(struct ss_gen_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
ss_gen_hist_add(struct ss_gen_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->b[ss_gen_hist_bucket(v)]++;
}

void
ss_gen_hist_merge(struct ss_gen_hist *dst, const struct ss_gen_hist *src)
{
	unsigned int i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (i = 0; i < SS_GEN_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
}

uint64_t
ss_gen_hist_quantile(const struct ss_gen_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The smallest value with at least q of the samples at or below. */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < SS_GEN_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i == SS_GEN_HIST_BUCKETS)
		return h->max;
	lo = ss_gen_hist_bucket_low(i);
	hi = i + 1 < SS_GEN_HIST_BUCKETS ?
		ss_gen_hist_bucket_low(i + 1) - 1 : UINT64_MAX;
	v = lo + (hi - lo) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}
