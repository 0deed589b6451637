/* xfrm: IPsec transformation error counters from /proc/net/xfrm_stat, as node_exporter's xfrm collector
 * (procfs NewXfrmStat). Each line is "<Name> <count>".
 *
 * node_exporter emits all 28 counters, with 0 for those the kernel does not print; nodex emits the ones
 * the file holds (a counter the kernel lacks is unknown, not zero). Names it does not know are ignored. */
#include "collector.h"
#include "gocompat.h"

static const struct xfrm_stat {
	const char *key;
	struct metric_desc d;
} stats[] = {
#define X(k, n, h) { k, METRIC_DESC("node_xfrm_" n "_packets_total", h, METRIC_COUNTER) }
	X("XfrmAcquireError", "acquire_error", "State hasn’t been fully acquired before use"),
	X("XfrmFwdHdrError", "fwd_hdr_error", "Forward routing of a packet is not allowed"),
	X("XfrmInBufferError", "in_buffer_error", "No buffer is left"),
	X("XfrmInError", "in_error", "All errors not matched by other"),
	X("XfrmInHdrError", "in_hdr_error", "Header error"),
	X("XfrmInNoPols", "in_no_pols", "No policy is found for states e.g. Inbound SAs are correct but no SP is found"),
	X("XfrmInNoStates", "in_no_states",
	  "No state is found i.e. Either inbound SPI, address, or IPsec protocol at SA is wrong"),
	X("XfrmInPolBlock", "in_pol_block", "Policy discards"),
	X("XfrmInPolError", "in_pol_error", "Policy error"),
	X("XfrmInStateExpired", "in_state_expired", "State is expired"),
	X("XfrmInStateInvalid", "in_state_invalid", "State is invalid"),
	X("XfrmInStateMismatch", "in_state_mismatch",
	  "State has mismatch option e.g. UDP encapsulation type is mismatch"),
	X("XfrmInStateModeError", "in_state_mode_error", "Transformation mode specific error"),
	X("XfrmInStateProtoError", "in_state_proto_error", "Transformation protocol specific error e.g. SA key is wrong"),
	X("XfrmInStateSeqError", "in_state_seq_error", "Sequence error i.e. Sequence number is out of window"),
	X("XfrmInTmplMismatch", "in_tmpl_mismatch",
	  "No matching template for states e.g. Inbound SAs are correct but SP rule is wrong"),
	X("XfrmOutBundleCheckError", "out_bundle_check_error", "Bundle check error"),
	X("XfrmOutBundleGenError", "out_bundle_gen_error", "Bundle generation error"),
	X("XfrmOutError", "out_error", "All errors which is not matched others"),
	X("XfrmOutNoStates", "out_no_states", "No state is found"),
	X("XfrmOutPolBlock", "out_pol_block", "Policy discards"),
	X("XfrmOutPolDead", "out_pol_dead", "Policy is dead"),
	X("XfrmOutPolError", "out_pol_error", "Policy error"),
	X("XfrmOutStateExpired", "out_state_expired", "State is expired"),
	X("XfrmOutStateInvalid", "out_state_invalid", "State is invalid, perhaps expired"),
	X("XfrmOutStateModeError", "out_state_mode_error", "Transformation mode specific error"),
	X("XfrmOutStateProtoError", "out_state_proto_error", "Transformation protocol specific error"),
	X("XfrmOutStateSeqError", "out_state_seq_error", "Sequence error i.e. Sequence number overflow"),
#undef X
};

static int cmp_key(const void *k, const void *e)
{
	return strcmp(k, ((const struct xfrm_stat *)e)->key);
}

static int xfrm_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "net/xfrm_stat");
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[3];
		int nf = split_fields(line, f, 3);
		int64_t v;
		const struct xfrm_stat *st;

		if (nf != 2 || go_parse_int(f[1], 10, 64, &v) < 0) {
			bad++;
			continue;
		}
		st = bsearch(f[0], stats, ARRAY_SIZE(stats), sizeof(stats[0]), cmp_key);
		if (st)
			metric_emit(c->ms, &st->d, (double)v);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "%d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(xfrm, .default_on = false);
