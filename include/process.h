/* process_* metrics about nodex itself, from the real /proc/self (not --path.procfs), with
 * client_golang's process collector's names, help and units. */
#ifndef NODEX_PROCESS_H
#define NODEX_PROCESS_H

#include "arena.h"
#include "metric.h"

/* Appends the process_* families to ms. Families whose source cannot be read are left out. */
void process_collect(struct metric_set *ms, struct strbuf *scratch);

#endif
