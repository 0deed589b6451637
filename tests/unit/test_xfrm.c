#include "harness.h"

extern const struct collector collector_xfrm;

static const struct collector_case cases[] = {
	{ "kernel 6.x",
	  { { "proc/net/xfrm_stat", "XfrmInError                     1\n"
				    "XfrmInBufferError               0\n"
				    "XfrmInHdrError                  0\n"
				    "XfrmInNoStates                  17\n"
				    "XfrmInStateProtoError           0\n"
				    "XfrmInStateModeError            0\n"
				    "XfrmInStateSeqError             2\n"
				    "XfrmInStateExpired              0\n"
				    "XfrmInStateMismatch             0\n"
				    "XfrmInStateInvalid              0\n"
				    "XfrmInTmplMismatch              0\n"
				    "XfrmInNoPols                    4\n"
				    "XfrmInPolBlock                  0\n"
				    "XfrmInPolError                  0\n"
				    "XfrmOutError                    0\n"
				    "XfrmOutBundleGenError           0\n"
				    "XfrmOutBundleCheckError         0\n"
				    "XfrmOutNoStates                 3\n"
				    "XfrmOutStateProtoError          0\n"
				    "XfrmOutStateModeError           0\n"
				    "XfrmOutStateSeqError            0\n"
				    "XfrmOutStateExpired             0\n"
				    "XfrmOutPolBlock                 0\n"
				    "XfrmOutPolDead                  0\n"
				    "XfrmOutPolError                 0\n"
				    "XfrmFwdHdrError                 0\n"
				    "XfrmOutStateInvalid             0\n"
				    "XfrmAcquireError                9\n"
				    "XfrmOutStateDirError            0\n"
				    "XfrmInStateDirError             0\n" } },
	  .expect = "node_xfrm_acquire_error_packets_total 9\n"
		    "node_xfrm_fwd_hdr_error_packets_total 0\n"
		    "node_xfrm_in_buffer_error_packets_total 0\n"
		    "node_xfrm_in_error_packets_total 1\n"
		    "node_xfrm_in_hdr_error_packets_total 0\n"
		    "node_xfrm_in_no_pols_packets_total 4\n"
		    "node_xfrm_in_no_states_packets_total 17\n"
		    "node_xfrm_in_pol_block_packets_total 0\n"
		    "node_xfrm_in_pol_error_packets_total 0\n"
		    "node_xfrm_in_state_expired_packets_total 0\n"
		    "node_xfrm_in_state_invalid_packets_total 0\n"
		    "node_xfrm_in_state_mismatch_packets_total 0\n"
		    "node_xfrm_in_state_mode_error_packets_total 0\n"
		    "node_xfrm_in_state_proto_error_packets_total 0\n"
		    "node_xfrm_in_state_seq_error_packets_total 2\n"
		    "node_xfrm_in_tmpl_mismatch_packets_total 0\n"
		    "node_xfrm_out_bundle_check_error_packets_total 0\n"
		    "node_xfrm_out_bundle_gen_error_packets_total 0\n"
		    "node_xfrm_out_error_packets_total 0\n"
		    "node_xfrm_out_no_states_packets_total 3\n"
		    "node_xfrm_out_pol_block_packets_total 0\n"
		    "node_xfrm_out_pol_dead_packets_total 0\n"
		    "node_xfrm_out_pol_error_packets_total 0\n"
		    "node_xfrm_out_state_expired_packets_total 0\n"
		    "node_xfrm_out_state_invalid_packets_total 0\n"
		    "node_xfrm_out_state_mode_error_packets_total 0\n"
		    "node_xfrm_out_state_proto_error_packets_total 0\n"
		    "node_xfrm_out_state_seq_error_packets_total 0\n" },
	/* Counters the kernel does not print are not invented. */
	{ "older kernel", { { "proc/net/xfrm_stat", "XfrmInError 5\nXfrmOutError 6\n" } },
	  .expect = "node_xfrm_in_error_packets_total 5\nnode_xfrm_out_error_packets_total 6\n" },
	{ "no xfrm", { { "proc/net", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/net/xfrm_stat", "" } }, .expect = "" },
	{ "malformed",
	  { { "proc/net/xfrm_stat", "XfrmInError 5 6\nXfrmInHdrError\nXfrmInNoPols x\nXfrmOutPolDead 2\nXfrmAcq" } },
	  .expect = "node_xfrm_out_pol_dead_packets_total 2\n", .expect_fail = 1 },
	{ "huge", { { "proc/net/xfrm_stat", "XfrmInError 9223372036854775807\n" } },
	  .expect = "node_xfrm_in_error_packets_total 9.223372036854776e+18\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_xfrm, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
