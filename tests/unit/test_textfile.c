/* textfile: node_exporter's textfile cases (two files, no files, missing directory, timestamps, types,
 * inconsistent labels, histograms and summaries with extra label dimensions, glob over directories, HELP
 * merging) with our own fixture files, plus the parser's edge cases. The collector runs with the fixture
 * root as working directory, so the file labels are the relative paths given in the flags. */
#include <fcntl.h>
#include <sys/stat.h>

#include "exposition.h"
#include "gocompat.h"
#include "harness.h"

extern const struct collector collector_textfile;

#define MTIME 1700000000

struct tf_case {
	const char *name;
	struct tfile files[TEST_MAX_FILES];
	const char *args[TEST_MAX_ARGS];
	const char *expect; /* the whole exposition */
};

static const struct tf_case cases[] = {
	{ "two files, one without .prom",
	  { { "tf/two/app.prom", "app_jobs_waiting{queue=\"mail\"} 3\napp_jobs_waiting_total{queue=\"print\"} 7\n" },
	    { "tf/two/backup.prom", "backup_last_success{host=\"db1\"} 1.6e+09\n" },
	    { "tf/two/README.txt", "not a metrics file\n" } },
	  { "--collector.textfile.directory=tf/two/" },
	  "# HELP app_jobs_waiting Metric read from tf/two/app.prom\n"
	  "# TYPE app_jobs_waiting untyped\n"
	  "app_jobs_waiting{queue=\"mail\"} 3\n"
	  "# HELP app_jobs_waiting_total Metric read from tf/two/app.prom\n"
	  "# TYPE app_jobs_waiting_total untyped\n"
	  "app_jobs_waiting_total{queue=\"print\"} 7\n"
	  "# HELP backup_last_success Metric read from tf/two/backup.prom\n"
	  "# TYPE backup_last_success untyped\n"
	  "backup_last_success{host=\"db1\"} 1.6e+09\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/two/app.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/two/backup.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "no metric files",
	  { { "tf/empty/notes.txt", "nothing\n" } },
	  { "--collector.textfile.directory=tf/empty" },
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "no directory configured", { { "tf", NULL } }, { NULL },
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "nonexistent directory", { { "tf", NULL } }, { "--collector.textfile.directory=tf/missing" },
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 1\n" },
	{ "client-side timestamp drops the whole file",
	  { { "tf/ts/a.prom", "ok_metric 1\nstamped_metric 2 1700000000000\n" },
	    { "tf/ts/b.prom", "other_metric 5\n" } },
	  { "--collector.textfile.directory=tf/ts" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/ts/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 1\n"
	  "# HELP other_metric Metric read from tf/ts/b.prom\n"
	  "# TYPE other_metric untyped\n"
	  "other_metric 5\n" },
	{ "counter and summary in one file",
	  { { "tf/types/m.prom",
	      "# HELP rpc_calls_total Calls made.\n"
	      "# TYPE rpc_calls_total counter\n"
	      "rpc_calls_total{method=\"get\"} 10\n"
	      "rpc_calls_total{method=\"put\"} 4\n"
	      "\n"
	      "# HELP rpc_latency_seconds Latency of calls.\n"
	      "# TYPE rpc_latency_seconds summary\n"
	      "rpc_latency_seconds{method=\"get\",quantile=\"0.5\"} 2.5e-06\n"
	      "rpc_latency_seconds{method=\"get\",quantile=\"0.99\"} 1.2e-05\n"
	      "rpc_latency_seconds_sum{method=\"get\"} 123456.75\n"
	      "rpc_latency_seconds_count{method=\"get\"} 9.87654321e+08\n"
	      "rpc_latency_seconds{method=\"put\",quantile=\"0.99\"} 0.25\n"
	      "rpc_latency_seconds{method=\"put\",quantile=\"0.5\"} 0.125\n"
	      "rpc_latency_seconds_sum{method=\"put\"} 12.5\n"
	      "rpc_latency_seconds_count{method=\"put\"} 64\n" } },
	  { "--collector.textfile.directory=tf/types" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/types/m.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP rpc_calls_total Calls made.\n"
	  "# TYPE rpc_calls_total counter\n"
	  "rpc_calls_total{method=\"get\"} 10\n"
	  "rpc_calls_total{method=\"put\"} 4\n"
	  "# HELP rpc_latency_seconds Latency of calls.\n"
	  "# TYPE rpc_latency_seconds summary\n"
	  "rpc_latency_seconds{method=\"get\",quantile=\"0.5\"} 2.5e-06\n"
	  "rpc_latency_seconds{method=\"get\",quantile=\"0.99\"} 1.2e-05\n"
	  "rpc_latency_seconds_sum{method=\"get\"} 123456.75\n"
	  "rpc_latency_seconds_count{method=\"get\"} 9.87654321e+08\n"
	  "rpc_latency_seconds{method=\"put\",quantile=\"0.5\"} 0.125\n"
	  "rpc_latency_seconds{method=\"put\",quantile=\"0.99\"} 0.25\n"
	  "rpc_latency_seconds_sum{method=\"put\"} 12.5\n"
	  "rpc_latency_seconds_count{method=\"put\"} 64\n" },
	{ "inconsistent label names are filled with empty values",
	  { { "tf/inc/m.prom",
	      "# HELP web_hits_total Hits.\n"
	      "# TYPE web_hits_total counter\n"
	      "web_hits_total{code=\"200\",path=\"/\"} 5\n"
	      "web_hits_total{code=\"200\", vhost=\"a\"} 2\n"
	      "web_hits_total{code=\"404\"} 1\n"
	      "# TYPE worker_threads gauge\n"
	      "worker_threads{pool=\"io\"} 8\n"
	      "worker_threads 2\n" } },
	  { "--collector.textfile.directory=tf/inc" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/inc/m.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP web_hits_total Hits.\n"
	  "# TYPE web_hits_total counter\n"
	  "web_hits_total{code=\"200\",path=\"\",vhost=\"a\"} 2\n"
	  "web_hits_total{code=\"200\",path=\"/\",vhost=\"\"} 5\n"
	  "web_hits_total{code=\"404\",path=\"\",vhost=\"\"} 1\n"
	  "# HELP worker_threads Metric read from tf/inc/m.prom\n"
	  "# TYPE worker_threads gauge\n"
	  "worker_threads{pool=\"\"} 2\n"
	  "worker_threads{pool=\"io\"} 8\n" },
	{ "histogram with an extra label dimension",
	  { { "tf/hist/h.prom",
	      "# HELP job_duration_seconds Job run time.\n"
	      "# TYPE job_duration_seconds histogram\n"
	      "job_duration_seconds_bucket{job=\"a\",le=\"0.5\"} 1\n"
	      "job_duration_seconds_bucket{job=\"a\",le=\"5\"} 4\n"
	      "job_duration_seconds_bucket{job=\"a\",le=\"+Inf\"} 6\n"
	      "job_duration_seconds_sum{job=\"a\"} 31.5\n"
	      "job_duration_seconds_count{job=\"a\"} 6\n"
	      "job_duration_seconds_bucket{job=\"b\",le=\"0.5\"} 0\n"
	      "job_duration_seconds_bucket{job=\"b\",le=\"5\"} 1.5e+06\n"
	      "job_duration_seconds_sum{job=\"b\"} 2.5e+06\n"
	      "job_duration_seconds_count{job=\"b\"} 2e+06\n" } },
	  { "--collector.textfile.directory=tf/hist" },
	  "# HELP job_duration_seconds Job run time.\n"
	  "# TYPE job_duration_seconds histogram\n"
	  "job_duration_seconds_bucket{job=\"a\",le=\"0.5\"} 1\n"
	  "job_duration_seconds_bucket{job=\"a\",le=\"5\"} 4\n"
	  "job_duration_seconds_bucket{job=\"a\",le=\"+Inf\"} 6\n"
	  "job_duration_seconds_sum{job=\"a\"} 31.5\n"
	  "job_duration_seconds_count{job=\"a\"} 6\n"
	  "job_duration_seconds_bucket{job=\"b\",le=\"0.5\"} 0\n"
	  "job_duration_seconds_bucket{job=\"b\",le=\"5\"} 1.5e+06\n"
	  "job_duration_seconds_bucket{job=\"b\",le=\"+Inf\"} 2e+06\n"
	  "job_duration_seconds_sum{job=\"b\"} 2.5e+06\n"
	  "job_duration_seconds_count{job=\"b\"} 2e+06\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/hist/h.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "summary with an extra label on one quantile, over a glob of two directories",
	  { { "tf/g1_extra/s.prom",
	      "# HELP rule_eval_seconds Rule evaluation time.\n"
	      "# TYPE rule_eval_seconds summary\n"
	      "rule_eval_seconds{kind=\"alert\",quantile=\"0.5\",group=\"x\"} 0.001\n"
	      "rule_eval_seconds{kind=\"alert\",quantile=\"0.9\"} 0.002\n"
	      "rule_eval_seconds_sum{kind=\"alert\"} 10\n"
	      "rule_eval_seconds_count{kind=\"alert\"} 5000\n" },
	    { "tf/g2_extra/c.prom", "# HELP cron_runs_total Cron runs.\n# TYPE cron_runs_total counter\ncron_runs_total 3\n" },
	    { "tf/g3_other/ignored.prom", "not_read 1\n" } },
	  { "--collector.textfile.directory=tf/*_extra" },
	  "# HELP cron_runs_total Cron runs.\n"
	  "# TYPE cron_runs_total counter\n"
	  "cron_runs_total 3\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/g1_extra/s.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/g2_extra/c.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP rule_eval_seconds Rule evaluation time.\n"
	  "# TYPE rule_eval_seconds summary\n"
	  "rule_eval_seconds{group=\"\",kind=\"alert\",quantile=\"0.9\"} 0.002\n"
	  "rule_eval_seconds_sum{group=\"\",kind=\"alert\"} 10\n"
	  "rule_eval_seconds_count{group=\"\",kind=\"alert\"} 5000\n"
	  "rule_eval_seconds{group=\"x\",kind=\"alert\",quantile=\"0.5\"} 0.001\n"
	  "rule_eval_seconds_sum{group=\"x\",kind=\"alert\"} 0\n"
	  "rule_eval_seconds_count{group=\"x\",kind=\"alert\"} 0\n" },
	{ "two directories given as two flags",
	  { { "tf/d1/a.prom", "a_metric 1\n" }, { "tf/d2/b.prom", "b_metric 2\n" } },
	  { "--collector.textfile.directory=tf/d1", "--collector.textfile.directory=./tf/d2" },
	  "# HELP a_metric Metric read from tf/d1/a.prom\n"
	  "# TYPE a_metric untyped\n"
	  "a_metric 1\n"
	  "# HELP b_metric Metric read from tf/d2/b.prom\n"
	  "# TYPE b_metric untyped\n"
	  "b_metric 2\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/d1/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/d2/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "merge: same help",
	  { { "tf/m/a.prom", "# HELP queue_len Queue length.\n# TYPE queue_len gauge\nqueue_len{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# HELP queue_len Queue length.\n# TYPE queue_len gauge\nqueue_len{q=\"b\"} 2\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP queue_len Queue length.\n"
	  "# TYPE queue_len gauge\n"
	  "queue_len{q=\"a\"} 1\n"
	  "queue_len{q=\"b\"} 2\n" },
	{ "merge: different help drops the later family and is an error",
	  { { "tf/m/a.prom", "# HELP queue_len Queue length.\n# TYPE queue_len gauge\nqueue_len{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# HELP queue_len Length of the queue.\n# TYPE queue_len gauge\nqueue_len{q=\"b\"} 2\n" },
	    { "tf/m/c.prom", "# HELP queue_len Queue length.\n# TYPE queue_len gauge\nqueue_len{q=\"c\"} 3\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/c.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 1\n"
	  "# HELP queue_len Queue length.\n"
	  "# TYPE queue_len gauge\n"
	  "queue_len{q=\"a\"} 1\n" },
	{ "merge: no help in either file lists both",
	  { { "tf/m/a.prom", "# TYPE queue_len gauge\nqueue_len{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# TYPE queue_len gauge\nqueue_len{q=\"b\"} 2\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP queue_len Metric read from tf/m/a.prom, tf/m/b.prom\n"
	  "# TYPE queue_len gauge\n"
	  "queue_len{q=\"a\"} 1\n"
	  "queue_len{q=\"b\"} 2\n" },
	{ "merge: an empty HELP is no HELP",
	  { { "tf/m/a.prom", "# HELP queue_len \n# TYPE queue_len gauge\nqueue_len{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# HELP queue_len\n# TYPE queue_len gauge\nqueue_len{q=\"b\"} 2\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP queue_len Metric read from tf/m/a.prom, tf/m/b.prom\n"
	  "# TYPE queue_len gauge\n"
	  "queue_len{q=\"a\"} 1\n"
	  "queue_len{q=\"b\"} 2\n" },
	{ "merge: first file without help, second with: the second family loses at gathering",
	  { { "tf/m/a.prom", "queue_len{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# HELP queue_len Queue length.\nqueue_len{q=\"b\"} 2\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP queue_len Metric read from tf/m/a.prom, tf/m/b.prom\n"
	  "# TYPE queue_len untyped\n"
	  "queue_len{q=\"a\"} 1\n" },
	{ "merge: other type in a later file is dropped at gathering",
	  { { "tf/m/a.prom", "# HELP jobs Jobs.\n# TYPE jobs counter\njobs{q=\"a\"} 1\n" },
	    { "tf/m/b.prom", "# HELP jobs Jobs.\n# TYPE jobs gauge\njobs{q=\"b\"} 2\n" } },
	  { "--collector.textfile.directory=tf/m" },
	  "# HELP jobs Jobs.\n"
	  "# TYPE jobs counter\n"
	  "jobs{q=\"a\"} 1\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/m/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n" },
	{ "duplicate series: the first one is kept, no error",
	  { { "tf/dup/a.prom", "temp{room=\"x\"} 20\ntemp{room=\"x\"} 21\n" },
	    { "tf/dup/b.prom", "temp{room=\"x\"} 22\ntemp{room=\"y\"} 23\n" } },
	  { "--collector.textfile.directory=tf/dup" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/dup/a.prom\"} 1.7e+09\n"
	  "node_textfile_mtime_seconds{file=\"tf/dup/b.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP temp Metric read from tf/dup/a.prom, tf/dup/b.prom\n"
	  "# TYPE temp untyped\n"
	  "temp{room=\"x\"} 20\n"
	  "temp{room=\"y\"} 23\n" },
	{ "escapes, whitespace and special values",
	  { { "tf/esc/m.prom",
	      "# A plain comment\n"
	      "#\n"
	      "  # HELP esc_metric Line one\\nline two \\\\ and a \\\"quote\\\".\n"
	      "esc_metric{path=\"C:\\\\dir\",msg=\"say \\\"hi\\\"\\nbye\",empty=\"\"} +Inf\n"
	      "\t spaced_metric  {  a = \"1\" , b=\"2\", }   -1.5e-7\n"
	      "nan_metric NaN\n"
	      "neg_inf_metric -inf\n"
	      "colon:metric:name 1e3\n" } },
	  { "--collector.textfile.directory=tf/esc" },
	  "# HELP colon:metric:name Metric read from tf/esc/m.prom\n"
	  "# TYPE colon:metric:name untyped\n"
	  "colon:metric:name 1000\n"
	  "# HELP esc_metric Line one\\nline two \\\\ and a \"quote\".\n"
	  "# TYPE esc_metric untyped\n"
	  "esc_metric{empty=\"\",msg=\"say \\\"hi\\\"\\nbye\",path=\"C:\\\\dir\"} +Inf\n"
	  "# HELP nan_metric Metric read from tf/esc/m.prom\n"
	  "# TYPE nan_metric untyped\n"
	  "nan_metric NaN\n"
	  "# HELP neg_inf_metric Metric read from tf/esc/m.prom\n"
	  "# TYPE neg_inf_metric untyped\n"
	  "neg_inf_metric -Inf\n"
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/esc/m.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP spaced_metric Metric read from tf/esc/m.prom\n"
	  "# TYPE spaced_metric untyped\n"
	  "spaced_metric{a=\"1\",b=\"2\"} -1.5e-07\n" },
	{ "histogram buckets out of order, summary quantile repeated, sample of the family name",
	  { { "tf/dist/m.prom",
	      "# TYPE req_size_bytes histogram\n"
	      "req_size_bytes_bucket{le=\"1000\"} 9\n"
	      "req_size_bytes_bucket{le=\"100\"} 2\n"
	      "req_size_bytes_count 10\n"
	      "req_size_bytes_sum 4096\n"
	      "# TYPE resp_time summary\n"
	      "resp_time{quantile=\"0.5\"} 1\n"
	      "resp_time{quantile=\"0.5\"} 3\n"
	      "resp_time_count 7.9\n"
	      "resp_time 99\n" } },
	  { "--collector.textfile.directory=tf/dist" },
	  "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
	  "# TYPE node_textfile_mtime_seconds gauge\n"
	  "node_textfile_mtime_seconds{file=\"tf/dist/m.prom\"} 1.7e+09\n"
	  "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
	  "# TYPE node_textfile_scrape_error gauge\n"
	  "node_textfile_scrape_error 0\n"
	  "# HELP req_size_bytes Metric read from tf/dist/m.prom\n"
	  "# TYPE req_size_bytes histogram\n"
	  "req_size_bytes_bucket{le=\"100\"} 2\n"
	  "req_size_bytes_bucket{le=\"1000\"} 9\n"
	  "req_size_bytes_bucket{le=\"+Inf\"} 10\n"
	  "req_size_bytes_sum 4096\n"
	  "req_size_bytes_count 10\n"
	  "# HELP resp_time Metric read from tf/dist/m.prom\n"
	  "# TYPE resp_time summary\n"
	  "resp_time{quantile=\"0.5\"} 3\n"
	  "resp_time_sum 0\n"
	  "resp_time_count 7\n" },
};

/* Files that must each be rejected as a whole (scrape_error 1, nothing else from them). */
static const char *const bad_files[] = {
	"no_newline 1",                                  /* the last line must end with a newline */
	"trailing_space 1 \n",                           /* a blank after the value starts a timestamp */
	"bad_value 1x\n",
	"hex_value 0x10\n",
	"underscore_value 1_000\n",
	"huge_value 1e400\n",
	"signed_nan +NaN\n",
	"m{a=\"1\"} 1 123\n",                             /* timestamp */
	"m 1 123 extra\n",
	"m 1 12.5\n",                                    /* timestamps are integers */
	"# HELP m one\n# HELP m two\nm 1\n",
	"# TYPE m counter\n# TYPE m gauge\nm 1\n",
	"m 1\n# TYPE m counter\n",                        /* TYPE after samples */
	"# TYPE m bogus\nm 1\n",
	"# TYPE m counter \nm 1\n",                       /* trailing blank in the type */
	"# TYPE m gauge_histogram\nm 1\n",
	"m{a=\"\\q\"} 1\n",                               /* unknown escape */
	"m{a=\"1\",a=\"2\"} 1\n",
	"m{__name__=\"x\"} 1\n",
	"m{__reserved=\"x\"} 1\n",
	"m{1a=\"x\"} 1\n",
	"m{a=x} 1\n",
	"m{a=\"x\" b=\"y\"} 1\n",
	"m{a=\"x\n",
	"1m 1\n",
	"{\"m\"} 1\n",
	"m{a=\"\xff\"} 1\n",                              /* label values must be UTF-8 */
	"# TYPE s summary\ns{quantile=\"high\"} 1\n",
	"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
	"# HELP m bad \\t escape\nm 1\n",
	"m\n",
	"# HELP",                                        /* end of input inside a comment */
	"m 1\r\n",                                     /* a CR is part of the value, as in Go */
	"# HELP m bad \xff\xfe help\nm 1\n",               /* HELP must be UTF-8 (Prometheus refuses the scrape) */
	"# HELP m cut \xc3\nm 1\n",
	"# HELP m surrogate \xed\xa0\x80\nm 1\n",
};

/* Files that parse (scrape_error stays 0). */
static const char *const good_files[] = {
	"",
	"\n\n",
	"# just a comment\n",
	"# HELP m\n",
	"# HELP m only help, no samples\n",
	"m{} 1\n",
	"m{a=\"1\",} 1\n",
	"m{a=\"1\"}1\n",
	"m .5\n",
	"m 5.\n",
	"m +5\n",
	"m 1e-400\n",
	"m -Infinity\n",
};

static int touch_all(const char *root, const struct tfile *files)
{
	char path[1024];
	struct timespec ts[2] = { { MTIME, 0 }, { MTIME, 0 } };

	for (size_t i = 0; i < TEST_MAX_FILES && files[i].path; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i].path);
		if (files[i].content && utimensat(AT_FDCWD, path, ts, 0) < 0)
			return -1;
	}
	return 0;
}

static void set_args(const char *const *args)
{
	char err[256];

	flags_set_defaults(collector_textfile.flags);
	for (size_t a = 0; a < TEST_MAX_ARGS && args[a]; a++) {
		const char *eq = strchr(args[a], '=');
		char name[200];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - args[a] - 2), args[a] + 2);
		struct flag *sets[1] = { collector_textfile.flags };
		struct flag *f = flag_find(sets, 1, name);
		CHECK(f != NULL);
		if (f)
			CHECK(flag_set(f, eq + 1, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
	}
}

/* Runs the collector in root and returns its whole exposition in out. */
static int run_in_root(const struct tfile *files, size_t n, const char *const *args, struct strbuf *out)
{
	char cwd[1024];
	const char *root = test_make_root(files, n);

	if (!root || touch_all(root, files) < 0 || !getcwd(cwd, sizeof(cwd)) || chdir(root) < 0)
		return -EIO;
	set_args(args);
	int r = test_run_collector(&collector_textfile, out);
	if (chdir(cwd) < 0)
		r = -EIO;
	return r;
}

static void run_cases(void)
{
	struct strbuf out = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = 0;
		while (n < TEST_MAX_FILES && cases[i].files[n].path)
			n++;
		int r = run_in_root(cases[i].files, n, cases[i].args, &out);
		CHECK_INT(r, 0);
		if (!out.p || !streq(out.p, cases[i].expect))
			fprintf(stderr, "case: %s\n", cases[i].name);
		CHECK_STR(out.p ? out.p : "", cases[i].expect);
		/* Every error that sets scrape_error is also reported for the log. */
		if (strstr(cases[i].expect, "node_textfile_scrape_error 1\n") && !test_last_warn[0])
			fprintf(stderr, "case %s: scrape_error 1 but no problem reported\n", cases[i].name);
		CHECK(!strstr(cases[i].expect, "node_textfile_scrape_error 1\n") || test_last_warn[0]);
	}
	sb_free(&out);
}

/* One bad file next to a good one: the bad one is dropped, the good one served, scrape_error is 1. */
static void run_file_checks(void)
{
	struct strbuf out = { 0 };
	const char *args[TEST_MAX_ARGS] = { "--collector.textfile.directory=d" };

	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++) {
		struct tfile files[] = { { "d/bad.prom", bad_files[i] }, { "d/good.prom", "good_metric 1\n" }, { NULL } };
		int r = run_in_root(files, 2, args, &out);
		CHECK_INT(r, 0);
		bool ok = out.p && strstr(out.p, "node_textfile_scrape_error 1\n") && strstr(out.p, "good_metric 1\n") &&
			  !strstr(out.p, "file=\"d/bad.prom\"") && !strstr(out.p, "\nm{") && !strstr(out.p, "\nm ");
		if (!ok)
			fprintf(stderr, "bad file %zu accepted or mishandled:\n%s\n--- output:\n%s\n", i, bad_files[i],
				out.p ? out.p : "");
		CHECK(ok);
		/* The log names the file. */
		if (!strstr(test_last_warn, "d/bad.prom"))
			fprintf(stderr, "bad file %zu: reported \"%s\"\n", i, test_last_warn);
		CHECK(strstr(test_last_warn, "d/bad.prom") != NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good_files); i++) {
		struct tfile files[] = { { "d/ok.prom", good_files[i] }, { NULL } };
		int r = run_in_root(files, 1, args, &out);
		CHECK_INT(r, 0);
		bool ok = out.p && strstr(out.p, "node_textfile_scrape_error 0\n") && strstr(out.p, "file=\"d/ok.prom\"");
		if (!ok)
			fprintf(stderr, "good file %zu rejected:\n%s\n--- output:\n%s\n", i, good_files[i], out.p ? out.p : "");
		CHECK(ok);
		CHECK_STR(test_last_warn, "");
	}
	sb_free(&out);
}

/* A FIFO named *.prom must not block the collector; it counts as an error. A directory named *.prom too. */
static void run_fifo(void)
{
	struct strbuf out = { 0 };
	const char *args[TEST_MAX_ARGS] = { "--collector.textfile.directory=d" };
	struct tfile files[] = { { "d/ok.prom", "ok_metric 1\n" }, { "d/dir.prom", NULL }, { NULL } };
	char path[1024], cwd[1024];
	const char *root = test_make_root(files, 2);

	CHECK(root != NULL);
	snprintf(path, sizeof(path), "%s/d/fifo.prom", root);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(root) == 0);
	set_args(args);
	int r = test_run_collector(&collector_textfile, &out);
	CHECK(chdir(cwd) == 0);
	CHECK_INT(r, 0);
	CHECK(out.p && strstr(out.p, "node_textfile_scrape_error 1\n") && strstr(out.p, "ok_metric 1\n"));
	sb_free(&out);
}

/* Issue 14, defect 2: a file name that is not UTF-8 would land in the HELP "Metric read from ..." and in
 * the file label of node_textfile_mtime_seconds, and Prometheus refuses a scrape with either. Such a file
 * is an error of its own; the other files are served. */
static void run_bad_name(void)
{
	struct strbuf out = { 0 };
	const char *args[TEST_MAX_ARGS] = { "--collector.textfile.directory=d" };
	struct tfile files[] = { { "d/ok.prom", "ok_metric 1\n" }, { "d/b\xff\xfe.prom", "bad_name_metric 2\n" }, { NULL } };

	int r = run_in_root(files, 2, args, &out);
	CHECK_INT(r, 0);
	CHECK(out.p && utf8_valid(out.p));
	CHECK(out.p && strstr(out.p, "node_textfile_scrape_error 1\n") && strstr(out.p, "ok_metric 1\n"));
	CHECK(out.p && !strstr(out.p, "bad_name_metric"));
	CHECK(strstr(test_last_warn, "not valid UTF-8") != NULL);
	sb_free(&out);
}

/* Issue 14, defect 3: whatever a file says, nodex's own families win. A file's family named like one
 * the textfile collector reports itself is dropped in the run; one named like a family of another
 * collector or of nodex's own metrics is dropped by the yield hook, which the scrape calls with those
 * sets. Either way scrape_error is 1 and the clash is reported. */
static void run_own_families(void)
{
	const struct metric_desc success_desc = METRIC_DESC(
		"node_scrape_collector_success", "node_exporter: Whether a collector succeeded.", METRIC_GAUGE, "collector");
	const char *args[TEST_MAX_ARGS] = { "--collector.textfile.directory=d" };
	struct tfile files[] = { { "d/own.prom", "# TYPE node_textfile_scrape_error counter\nnode_textfile_scrape_error 0\n" },
				 { "d/self.prom", "# TYPE node_scrape_collector_success counter\nnode_scrape_collector_success 5\n" },
				 { "d/ok.prom", "ok_metric 1\n" },
				 { NULL } };
	struct metric_set own = { 0 }, ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct strbuf out = { 0 };
	char cwd[1024];
	const char *root = test_make_root(files, 3);

	CHECK(root && touch_all(root, files) == 0 && getcwd(cwd, sizeof(cwd)) && chdir(root) == 0);
	set_args(args);
	CHECK_INT(collector_textfile.collect(&ctx), 0);
	CHECK(chdir(cwd) == 0);
	CHECK(strstr(ctx.warn, "node_textfile_scrape_error dropped") != NULL);
	metric_add(metric_family(&own, &success_desc), 1, "cpu");
	struct metric_set *own_sets[1] = { &own };
	CHECK(collector_textfile.yield != NULL);
	if (collector_textfile.yield)
		collector_textfile.yield(&ctx, own_sets, 1);
	struct metric_set *sets[2] = { &own, &ms };
	struct expo e = { 0 };
	CHECK_INT(expo_render(&e, &out, sets, 2), 0);
	CHECK_INT(e.n_errors, 0);
	CHECK_STR(out.p, "# HELP node_scrape_collector_success node_exporter: Whether a collector succeeded.\n"
			 "# TYPE node_scrape_collector_success gauge\n"
			 "node_scrape_collector_success{collector=\"cpu\"} 1\n"
			 "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
			 "# TYPE node_textfile_mtime_seconds gauge\n"
			 "node_textfile_mtime_seconds{file=\"d/ok.prom\"} 1.7e+09\n"
			 "node_textfile_mtime_seconds{file=\"d/own.prom\"} 1.7e+09\n"
			 "node_textfile_mtime_seconds{file=\"d/self.prom\"} 1.7e+09\n"
			 "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
			 "# TYPE node_textfile_scrape_error gauge\n"
			 "node_textfile_scrape_error 1\n"
			 "# HELP ok_metric Metric read from d/ok.prom\n"
			 "# TYPE ok_metric untyped\n"
			 "ok_metric 1\n");
	expo_free(&e);
	collector_textfile.fini();
	metric_set_free(&own);
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
}

/* A large file: many series and a long histogram, to exercise the hash tables. */
static void run_large(void)
{
	struct strbuf content = { 0 }, out = { 0 };
	const char *args[TEST_MAX_ARGS] = { "--collector.textfile.directory=d" };

	sb_puts(&content, "# TYPE big_hist histogram\n");
	for (int s = 0; s < 200; s++) {
		for (int b = 0; b < 10; b++)
			sb_printf(&content, "big_hist_bucket{series=\"%d\",le=\"%d\"} %d\n", s, b, b);
		sb_printf(&content, "big_hist_count{series=\"%d\"} 10\nbig_hist_sum{series=\"%d\"} 1\n", s, s);
	}
	for (int i = 0; i < 5000; i++)
		sb_printf(&content, "big_gauge{i=\"%d\"} %d\n", i, i);
	struct tfile files[] = { { "d/big.prom", content.p }, { NULL } };
	int r = run_in_root(files, 1, args, &out);
	CHECK_INT(r, 0);
	CHECK(out.p && strstr(out.p, "node_textfile_scrape_error 0\n"));
	CHECK(out.p && strstr(out.p, "big_hist_bucket{series=\"199\",le=\"+Inf\"} 10\n"));
	CHECK(out.p && strstr(out.p, "big_gauge{i=\"4999\"} 4999\n"));
	size_t lines = 0;
	for (const char *p = out.p; p && *p; p++)
		lines += *p == '\n';
	/* 200 * (10 buckets + +Inf + sum + count) + 5000 + HELP/TYPE lines and own metrics */
	CHECK_INT(lines, 200 * 13 + 5000 + 4 + 3 + 3);
	sb_free(&content);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	run_cases();
	run_file_checks();
	run_fifo();
	run_bad_name();
	run_own_families();
	run_large();
	test_remove_root();
	return test_summary(argv[0]);
}
