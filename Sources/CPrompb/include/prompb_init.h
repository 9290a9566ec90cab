/* Initialisers for the generated remote-write messages: the generated *_INIT macros are struct
 * initialisers, which Swift cannot import, so these set arrays of messages to them. */
#ifndef STACKBRIDGE_PROMPB_INIT_H
#define STACKBRIDGE_PROMPB_INIT_H

#include <stddef.h>
#include "remote.pb-c.h"

void stackbridge_prompb_init_request(Prometheus__WriteRequest *request);
void stackbridge_prompb_init_series(Prometheus__TimeSeries *series, size_t count);
void stackbridge_prompb_init_labels(Prometheus__Label *labels, size_t count);
void stackbridge_prompb_init_samples(Prometheus__Sample *samples, size_t count);

#endif
