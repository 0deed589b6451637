/* infiniband: InfiniBand (and RDMA) devices from /sys/class/infiniband, as node_exporter's infiniband
 * collector (collector/infiniband_linux.go over procfs' InfiniBandClass).
 *
 * Per device: node_infiniband_info (fw_ver required, board_id and hca_type optional). Per port: the
 * state, physical state and rate, the counters/ and (pre-4.5 kernels) counters_ext/ counters, and for
 * mlx5 and irdma devices the hw_counters/ counters. Data counters count per lane and are multiplied by 4,
 * as procfs does. A counter reading "N/A (no PMA)" is left out; an unreadable one (absent, forbidden,
 * not supported) too; any other error reports nothing, as in procfs. */
#include <math.h>
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

struct ib_counter {
	const char *file;
	struct metric_desc desc;
	bool times4; /* per-lane data counter */
};

#define IBC(f, n, h, x) { f, METRIC_DESC("node_infiniband_" n, h, METRIC_COUNTER, "device", "port"), x }

/* counters/, sorted by file name. */
static const struct ib_counter port_counters[] = {
	IBC("VL15_dropped", "vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations.",
	    false),
	IBC("excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total",
	    "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.",
	    false),
	IBC("link_downed", "link_downed_total",
	    "Number of times the link failed to recover from an error state and went down", false),
	IBC("link_error_recovery", "link_error_recovery_total",
	    "Number of times the link successfully recovered from an error state", false),
	IBC("local_link_integrity_errors", "local_link_integrity_errors_total",
	    "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.",
	    false),
	IBC("multicast_rcv_packets", "multicast_packets_received_total",
	    "Number of multicast packets received (including errors)", false),
	IBC("multicast_xmit_packets", "multicast_packets_transmitted_total",
	    "Number of multicast packets transmitted (including errors)", false),
	IBC("port_rcv_constraint_errors", "port_constraint_errors_received_total",
	    "Number of packets received on the switch physical port that are discarded", false),
	IBC("port_rcv_data", "port_data_received_bytes_total", "Number of data octets received on all links", true),
	IBC("port_rcv_discards", "port_discards_received_total",
	    "Number of inbound packets discarded by the port because the port is down or congested", false),
	IBC("port_rcv_errors", "port_errors_received_total",
	    "Number of packets containing an error that were received on this port", false),
	IBC("port_rcv_packets", "port_packets_received_total",
	    "Number of packets received on all VLs by this port (including errors)", false),
	IBC("port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total",
	    "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.", false),
	IBC("port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total",
	    "Number of packets that could not be forwarded by the switch.", false),
	IBC("port_xmit_constraint_errors", "port_constraint_errors_transmitted_total",
	    "Number of packets not transmitted from the switch physical port", false),
	IBC("port_xmit_data", "port_data_transmitted_bytes_total", "Number of data octets transmitted on all links", true),
	IBC("port_xmit_discards", "port_discards_transmitted_total",
	    "Number of outbound packets discarded by the port because the port is down or congested", false),
	IBC("port_xmit_packets", "port_packets_transmitted_total",
	    "Number of packets transmitted on all VLs from this port (including errors)", false),
	IBC("port_xmit_wait", "port_transmit_wait_total",
	    "Number of ticks during which the port had data to transmit but no data was sent during the entire tick",
	    false),
	IBC("symbol_error", "symbol_error_total", "Number of minor link errors detected on one or more physical lanes.",
	    false),
	IBC("unicast_rcv_packets", "unicast_packets_received_total",
	    "Number of unicast packets received (including errors)", false),
	IBC("unicast_xmit_packets", "unicast_packets_transmitted_total",
	    "Number of unicast packets transmitted (including errors)", false),
};

/* counters_ext/, sorted by file name. */
static const struct ib_counter ext_counters[] = {
	IBC("port_multicast_rcv_packets", "legacy_multicast_packets_received_total",
	    "Number of multicast packets received", false),
	IBC("port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total",
	    "Number of multicast packets transmitted", false),
	IBC("port_rcv_data_64", "legacy_data_received_bytes_total", "Number of data octets received on all links", true),
	IBC("port_rcv_packets_64", "legacy_packets_received_total", "Number of data packets received on all links", false),
	IBC("port_unicast_rcv_packets", "legacy_unicast_packets_received_total", "Number of unicast packets received",
	    false),
	IBC("port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total",
	    "Number of unicast packets transmitted", false),
	IBC("port_xmit_data_64", "legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links",
	    true),
	IBC("port_xmit_packets_64", "legacy_packets_transmitted_total", "Number of data packets received on all links",
	    false),
};

/* hw_counters/ of mlx5 and irdma devices (metric name = file name), sorted by file name. */
static const struct ib_counter hw_counters[] = {
	IBC("active_ahs", "active_ahs", "Number of active ahs.", false),
	IBC("active_cqs", "active_cqs", "Number of active_cqs.", false),
	IBC("active_mrs", "active_mrs", "Number of active_mrs.", false),
	IBC("active_mws", "active_mws", "Number of active_mws.", false),
	IBC("active_pds", "active_pds", "Number of active_pds.", false),
	IBC("active_qps", "active_qps", "Number of active_qps.", false),
	IBC("active_rc_qps", "active_rc_qps", "Number of active_rc_qps.", false),
	IBC("active_srqs", "active_srqs", "Number of active_srqs.", false),
	IBC("active_ud_qps", "active_ud_qps", "Number of active_ud_qps.", false),
	IBC("bad_resp_err", "bad_resp_err", "Number of bad_resp_err.", false),
	IBC("db_fifo_register", "db_fifo_register", "Number of db_fifo_register.", false),
	IBC("duplicate_request", "duplicate_request", "Number of duplicate_requests.", false),
	IBC("implied_nak_seq_err", "implied_nak_seq_err", "Number of implied_nak_seq_err.", false),
	IBC("lifespan", "lifespan", "Lifespan.", false),
	IBC("local_ack_timeout_err", "local_ack_timeout_err", "Number of local_ack_timeout_err.", false),
	IBC("local_protection_err", "local_protection_err", "Number of local_protection_err.", false),
	IBC("local_qp_op_err", "local_qp_op_err", "Number of local_qp_op_err.", false),
	IBC("max_retry_exceeded", "max_retry_exceeded", "Number of max_retry_exceeded.", false),
	IBC("mem_mgmt_op_err", "mem_mgmt_op_err", "Number of mem_mgmt_op_err.", false),
	IBC("missing_resp", "missing_resp", "Number of missing_resp.", false),
	IBC("np_cnp_sent", "np_cnp_sent", "Number of np_cnp_sent.", false),
	IBC("np_ecn_marked_roce_packets", "np_ecn_marked_roce_packets", "Number of np_ecn_marked_roce_packets.", false),
	IBC("oos_drop_count", "oos_drop_count", "Number of oos_drop_count.", false),
	IBC("out_of_buffer", "out_of_buffer", "Number of out_of_buffer.", false),
	IBC("out_of_sequence", "out_of_sequence", "Number of out_of_sequence.", false),
	IBC("pacing_alerts", "pacing_alerts", "Number of pacing_alerts.", false),
	IBC("pacing_complete", "pacing_complete", "Number of pacing_complete.", false),
	IBC("pacing_reschedule", "pacing_reschedule", "Number of pacing_reschedule.", false),
	IBC("packet_seq_err", "packet_seq_err", "Number of packet_seq_err.", false),
	IBC("recoverable_errors", "recoverable_errors", "Number of recoverable_errors.", false),
	IBC("remote_access_err", "remote_access_err", "Number of remote_access_err.", false),
	IBC("remote_invalid_req_err", "remote_invalid_req_err", "Number of remote_invalid_req_err.", false),
	IBC("remote_op_err", "remote_op_err", "Number of remote_op_err.", false),
	IBC("req_cqe_error", "req_cqe_error", "Number of req_cqe_error.", false),
	IBC("req_cqe_flush_error", "req_cqe_flush_error", "Number of req_cqe_flush_error.", false),
	IBC("req_remote_access_errors", "req_remote_access_errors", "Number of req_remote_access_errors.", false),
	IBC("req_remote_invalid_request", "req_remote_invalid_request", "Number of req_remote_invalid_request.", false),
	IBC("res_cmp_err", "res_cmp_err", "Number of res_cmp_err.", false),
	IBC("res_cq_load_err", "res_cq_load_err", "Number of res_cq_load_err.", false),
	IBC("res_exceed_max", "res_exceed_max", "Number of res_exceed_max.", false),
	IBC("res_exceeds_wqe", "res_exceeds_wqe", "Number of res_exceeds_wqe.", false),
	IBC("res_invalid_dup_rkey", "res_invalid_dup_rkey", "Number of res_invalid_dup_rkey.", false),
	IBC("res_irrq_oflow", "res_irrq_oflow", "Number of res_irrq_oflow.", false),
	IBC("res_length_mismatch", "res_length_mismatch", "Number of res_length_mismatch.", false),
	IBC("res_mem_err", "res_mem_err", "Number of res_mem_err.", false),
	IBC("res_opcode_err", "res_opcode_err", "Number of res_opcode_err.", false),
	IBC("res_rem_inv_err", "res_rem_inv_err", "Number of res_rem_inv_err.", false),
	IBC("res_rx_domain_err", "res_rx_domain_err", "Number of inbound res_rx_domain_err.", false),
	IBC("res_rx_invalid_rkey", "res_rx_invalid_rkey", "Number of inbound res_rx_invalid_rkey.", false),
	IBC("res_rx_no_perm", "res_rx_no_perm", "Number of inbound res_rx_no_perm.", false),
	IBC("res_rx_pci_err", "res_rx_pci_err", "Number of inbound res_rx_pci_err.", false),
	IBC("res_rx_range_err", "res_rx_range_err", "Number of inbound res_rx_range_err.", false),
	IBC("res_srq_err", "res_srq_err", "Number of res_srq_err.", false),
	IBC("res_srq_load_err", "res_srq_load_err", "Number of res_srq_load_err.", false),
	IBC("res_tx_domain_err", "res_tx_domain_err", "Number of outbound res_tx_domain_err.", false),
	IBC("res_tx_invalid_rkey", "res_tx_invalid_rkey", "Number of outbound res_tx_invalid_rkey.", false),
	IBC("res_tx_no_perm", "res_tx_no_perm", "Number of outbound res_tx_no_perm.", false),
	IBC("res_tx_pci_err", "res_tx_pci_err", "Number of outbound res_tx_pci_err.", false),
	IBC("res_tx_range_err", "res_tx_range_err", "Number of outbound res_tx_range_err.", false),
	IBC("res_unaligned_atomic", "res_unaligned_atomic", "Number of res_unaligned_atomic.", false),
	IBC("res_unsup_opcode", "res_unsup_opcode", "Number of res_unsup_opcode.", false),
	IBC("res_wqe_format_err", "res_wqe_format_err", "Number of res_wqe_format_err.", false),
	IBC("resize_cq_cnt", "resize_cq_cnt", "Number of resize_cq_cnt.", false),
	IBC("resp_cqe_error", "resp_cqe_error", "Number of resp_cqe_error.", false),
	IBC("resp_cqe_flush_error", "resp_cqe_flush_error", "Number of resp_cqe_flush_error.", false),
	IBC("resp_local_length_error", "resp_local_length_error", "Number of resp_local_length_error.", false),
	IBC("resp_remote_access_errors", "resp_remote_access_errors", "Number of resp_remote_access_errors.", false),
	IBC("rnr_nak_retry_err", "rnr_nak_retry_err", "Number of rnr_nak_retry_err.", false),
	IBC("rnr_naks_rcvd", "rnr_naks_rcvd", "Number of rnr_naks_rcvd.", false),
	IBC("roce_adp_retrans", "roce_adp_retrans", "Number of roce_adp_retrans.", false),
	IBC("roce_adp_retrans_to", "roce_adp_retrans_to", "Number of roce_adp_retrans_to.", false),
	IBC("roce_slow_restart", "roce_slow_restart", "Number of roce_slow_restart.", false),
	IBC("roce_slow_restart_cnps", "roce_slow_restart_cnps", "Number of roce_slow_restart_cnps.", false),
	IBC("roce_slow_restart_trans", "roce_slow_restart_trans", "Number of roce_slow_restart_trans.", false),
	IBC("rp_cnp_handled", "rp_cnp_handled", "Number of rp_cnp_handled.", false),
	IBC("rp_cnp_ignored", "rp_cnp_ignored", "Number of rp_cnp_ignored.", false),
	IBC("rx_atomic_req", "rx_atomic_req", "Number of inbound atomic_req packets.", false),
	IBC("rx_atomic_requests", "rx_atomic_requests", "Number of rx_atomic_requests.", false),
	IBC("rx_bytes", "rx_bytes", "Number of inbound data octets rx_bytes.", false),
	IBC("rx_cnp_pkts", "rx_cnp_pkts", "Number of inbound cnp packets.", false),
	IBC("rx_dct_connect", "rx_dct_connect", "Number of inbound dct_connect packets.", false),
	IBC("rx_ecn_marked_pkts", "rx_ecn_marked_pkts", "Number of inbound ecn marked packets.", false),
	IBC("rx_good_bytes", "rx_good_bytes", "Number of inbound good data octets.", false),
	IBC("rx_good_pkts", "rx_good_pkts", "Number of inbound packets rx_good_pkts.", false),
	IBC("rx_icrc_encapsulated", "rx_icrc_encapsulated", "Number of inbound icrc_encapsulated.", false),
	IBC("rx_out_of_buffer", "rx_out_of_buffer", "Number of inbound out_of_buffer.", false),
	IBC("rx_pkts", "rx_pkts", "Number of inbound packets.", false),
	IBC("rx_read_req", "rx_read_req", "Number of inbound read_req.", false),
	IBC("rx_read_requests", "rx_read_requests", "Number of inbound read_requests.", false),
	IBC("rx_read_resp", "rx_read_resp", "Number of inbound read_resp.", false),
	IBC("rx_roce_discards", "rx_roce_discards", "Number of inbound roce discards.", false),
	IBC("rx_roce_errors", "rx_roce_errors", "Number of inbound roce errors.", false),
	IBC("rx_roce_good_bytes", "rx_roce_good_bytes", "Number of inbound roce good data octets", false),
	IBC("rx_roce_good_pkts", "rx_roce_good_pkts", "Number of inbound roce good packets.", false),
	IBC("rx_roce_only_bytes", "rx_roce_only_bytes", "Number of inbound roce only data octets .", false),
	IBC("rx_roce_only_pkts", "rx_roce_only_pkts", "Number of inbound roce only packets.", false),
	IBC("rx_send_req", "rx_send_req", "Number of inbound send_req.", false),
	IBC("rx_write_req", "rx_write_req", "Number of inbound write_req.", false),
	IBC("rx_write_requests", "rx_write_requests", "Number of inbound write_requests.", false),
	IBC("seq_err_naks_rcvd", "seq_err_naks_rcvd", "Number of seq_err_naks_rcvd.", false),
	IBC("to_retransmits", "to_retransmits", "Number of to_retransmits.", false),
	IBC("tx_atomic_req", "tx_atomic_req", "Number of outbound atomic_req.", false),
	IBC("tx_bytes", "tx_bytes", "Number of outbound data octets.", false),
	IBC("tx_cnp_pkts", "tx_cnp_pkts", "Number of outbound cnp packets.", false),
	IBC("tx_pkts", "tx_pkts", "Number of outbound packets.", false),
	IBC("tx_read_req", "tx_read_req", "Number of outbound read_req.", false),
	IBC("tx_read_resp", "tx_read_resp", "Number of outbound read_resp.", false),
	IBC("tx_roce_discards", "tx_roce_discards", "Number of outbound roce discards.", false),
	IBC("tx_roce_errors", "tx_roce_errors", "Number of outbound roce errors.", false),
	IBC("tx_roce_only_bytes", "tx_roce_only_bytes", "Number of roce only outbound data octets", false),
	IBC("tx_roce_only_pkts", "tx_roce_only_pkts", "Number of outbound roce only packets.", false),
	IBC("tx_send_req", "tx_send_req", "Number of outbound send_req.", false),
	IBC("tx_write_req", "tx_write_req", "Number of outbound write_req.", false),
	IBC("unrecoverable_err", "unrecoverable_err", "Number of unrecoverable_err.", false),
	IBC("watermark_ahs", "watermark_ahs", "Number of watermark_ahs.", false),
	IBC("watermark_cqs", "watermark_cqs", "Number of watermark_cqs.", false),
	IBC("watermark_mrs", "watermark_mrs", "Number of watermark_mrs.", false),
	IBC("watermark_mws", "watermark_mws", "Number of watermark_mws.", false),
	IBC("watermark_pds", "watermark_pds", "Number of watermark_pds.", false),
	IBC("watermark_qps", "watermark_qps", "Number of watermark_qps.", false),
	IBC("watermark_rc_qps", "watermark_rc_qps", "Number of watermark_rc_qps.", false),
	IBC("watermark_srqs", "watermark_srqs", "Number of watermark_srqs.", false),
	IBC("watermark_ud_qps", "watermark_ud_qps", "Number of watermark_ud_qps.", false),
};

#define N_PORT ARRAY_SIZE(port_counters)
#define N_EXT ARRAY_SIZE(ext_counters)
#define N_HW ARRAY_SIZE(hw_counters)

METRIC(info_desc, GAUGE, "node_infiniband_info",
       "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.", "device", "board_id",
       "firmware_version", "hca_type");
METRIC(state_desc, GAUGE, "node_infiniband_state_id",
       "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)", "device",
       "port");
METRIC(phys_state_desc, GAUGE, "node_infiniband_physical_state_id",
       "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
       "device", "port");
METRIC(rate_desc, GAUGE, "node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate", "device", "port");

struct ib_value {
	const struct ib_counter *counter;
	uint64_t v;
};

struct ib_port {
	const char *port;
	uint64_t state, phys_state, rate;
	struct ib_value *vals;
	size_t n_vals;
};

struct ib_device {
	const char *name;
	const char *board_id, *fw_ver, *hca_type;
	struct ib_port *ports;
	size_t n_ports;
};

static int cmp_counter(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ib_counter *)elem)->file);
}

/* procfs' parseState: "<id>: <name>", exactly one colon. Returns 0 or -EINVAL. */
static int parse_state(char *s, uint64_t *id)
{
	char *colon = strchr(s, ':');

	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	*colon = '\0';
	return go_parse_uint(go_trim_space(s), 10, 32, id) < 0 ? -EINVAL : 0;
}

/* procfs' parseRate: "100 Gb/sec (4X EDR)" in bytes per second. The number is read as a float32, as
 * procfs reads it (strconv.ParseFloat(s, 32): a finite number beyond float32's range is an error), and
 * converted as Go's uint64() does. */
static int parse_rate(char *s, uint64_t *rate)
{
	char *sp = strchr(s, ' ');
	double v;

	if (!sp)
		return -EINVAL;
	sp[1] = '\0';
	char *num = go_trim_space(s);
	if (go_parse_float(num, &v) < 0)
		return -EINVAL;
	float f = strtof(num, NULL);
	if (isinf(f) && !isinf(v))
		return -EINVAL;
	*rate = go_float_to_uint64((double)f * 125000000);
	return 0;
}

/* Reads the counters of one directory into port. Returns 0, -ENOENT when the directory is absent, or a
 * negative errno with c->err set. */
static int read_counters(struct collect_ctx *c, const char *dir, const struct ib_counter *table, size_t n_table,
			 struct ib_port *port)
{
	char **files;
	ssize_t n = dir_list_regular(dir, &c->ms->arena, &files);

	if (n == -ENOENT)
		return -ENOENT;
	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", dir, strerror((int)-n));
	struct ib_value *vals = arena_alloc(&c->ms->arena, ((size_t)n + port->n_vals + 1) * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (port->n_vals)
		memcpy(vals, port->vals, port->n_vals * sizeof(*vals));
	port->vals = vals;
	for (ssize_t i = 0; i < n; i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]), &c->buf);
		const struct ib_counter *ctr;
		uint64_t v;

		if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -EOPNOTSUPP)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		if (!(ctr = bsearch(files[i], table, n_table, sizeof(*table), cmp_counter)))
			continue;
		if (go_parse_uint(c->buf.p, 0, 64, &v) < 0) {
			/* Counters of ports without a performance management agent. */
			if (strstr(c->buf.p, "N/A (no PMA)"))
				continue;
			return ctx_fail(c, -EINVAL, "%s: invalid number %s", c->path.p, c->buf.p);
		}
		port->vals[port->n_vals].counter = ctr;
		port->vals[port->n_vals++].v = ctr->times4 ? v * 4 : v;
	}
	return 0;
}

static int read_port(struct collect_ctx *c, const char *dev, const char *dir, struct ib_port *port)
{
	uint64_t num;
	int r;

	if (go_parse_uint(port->port, 10, 32, &num) < 0)
		return ctx_fail(c, -EINVAL, "failed to convert %s into uint", port->port);
	static const char *const files[] = { "state", "phys_state", "rate" };
	for (int i = 0; i < 3; i++) {
		ssize_t rd = ctx_read(c, ROOT_NONE, "%s/%s", dir, files[i]);
		if (rd < 0)
			return ctx_fail(c, (int)rd, "read %s: %s", c->path.p, strerror((int)-rd));
		if ((i == 0 && parse_state(c->buf.p, &port->state) < 0) ||
		    (i == 1 && parse_state(c->buf.p, &port->phys_state) < 0) ||
		    (i == 2 && parse_rate(c->buf.p, &port->rate) < 0))
			return ctx_fail(c, -EINVAL, "could not parse %s file in %s", files[i], dir);
	}

	/* Intel irdma (and nvs_) devices have no counters/ directory. */
	if (!startswith(dev, "irdma") && !startswith(dev, "nvs_")) {
		char *cdir = arena_printf(&c->ms->arena, "%s/counters", dir);
		char *edir = arena_printf(&c->ms->arena, "%s/counters_ext", dir);
		if (!cdir || !edir)
			return -ENOMEM;
		if ((r = read_counters(c, cdir, port_counters, N_PORT, port)) < 0) {
			if (r == -ENOENT)
				ctx_fail(c, r, "open %s: %s", cdir, strerror(-r));
			return r;
		}
		if ((r = read_counters(c, edir, ext_counters, N_EXT, port)) < 0 && r != -ENOENT)
			return r;
	}
	if (startswith(dev, "irdma") || startswith(dev, "mlx5_")) {
		char *hdir = arena_printf(&c->ms->arena, "%s/hw_counters", dir);
		if (!hdir)
			return -ENOMEM;
		if ((r = read_counters(c, hdir, hw_counters, N_HW, port)) < 0) {
			if (r == -ENOENT)
				ctx_fail(c, r, "open %s: %s", hdir, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int read_device(struct collect_ctx *c, const char *cdir, struct ib_device *d)
{
	char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, d->name), *pdir;
	char **ports;
	ssize_t n, r;

	if (!dir || !(pdir = arena_printf(&c->ms->arena, "%s/ports", dir)))
		return -ENOMEM;
	/* fw_ver is exposed by every driver since Linux 4.10. */
	if ((r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/fw_ver", dir), &c->buf)) < 0)
		return ctx_fail(c, (int)r, "failed to read HCA firmware version: %s: %s", c->path.p, strerror((int)-r));
	if (!(d->fw_ver = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p))))
		return -ENOMEM;
	d->board_id = d->hca_type = "";
	for (int i = 0; i < 2; i++) {
		const char *f = i ? "hca_type" : "board_id";
		r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, f), &c->buf);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		const char *v = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p));
		if (!v)
			return -ENOMEM;
		*(i ? &d->hca_type : &d->board_id) = v;
	}
	n = dir_list(pdir, &c->ms->arena, &ports);
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to list InfiniBand ports at %s: %s", pdir, strerror((int)-n));
	if (!(d->ports = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*d->ports))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		char *portdir = arena_printf(&c->ms->arena, "%s/%s", pdir, ports[i]);
		int rr;
		if (!portdir)
			return -ENOMEM;
		d->ports[d->n_ports].port = ports[i];
		if ((rr = read_port(c, d->name, portdir, &d->ports[d->n_ports])) < 0)
			return rr;
		d->n_ports++;
	}
	return 0;
}

static int infiniband_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/infiniband");
	struct ib_device *devs;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining InfiniBand class info: %s", strerror((int)-n));
	if (!(devs = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*devs))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		devs[i].name = names[i];
		if ((r = read_device(c, cdir, &devs[i])) < 0) {
			if (r == -ENOENT) {
				log_debug("infiniband statistics not found, skipping", "err", c->err);
				return COLLECTOR_NO_DATA;
			}
			return r;
		}
	}
	for (ssize_t i = 0; i < n; i++) {
		const struct ib_device *d = &devs[i];
		metric_add(metric_family(c->ms, &info_desc), 1, d->name, d->board_id, d->fw_ver, d->hca_type);
		for (size_t k = 0; k < d->n_ports; k++) {
			const struct ib_port *pt = &d->ports[k];
			char port[24];
			uint64_t num = 0;
			go_parse_uint(pt->port, 10, 32, &num);
			snprintf(port, sizeof(port), "%llu", (unsigned long long)num);
			metric_add(metric_family(c->ms, &state_desc), (double)pt->state, d->name, port);
			metric_add(metric_family(c->ms, &phys_state_desc), (double)pt->phys_state, d->name, port);
			metric_add(metric_family(c->ms, &rate_desc), (double)pt->rate, d->name, port);
			for (size_t v = 0; v < pt->n_vals; v++)
				metric_add(metric_family(c->ms, &pt->vals[v].counter->desc), (double)pt->vals[v].v, d->name,
					   port);
		}
	}
	return 0;
}

COLLECTOR(infiniband, .default_on = true);
