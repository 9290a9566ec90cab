#include "prompb_init.h"

void stackbridge_prompb_init_request(Prometheus__WriteRequest *request) {
    Prometheus__WriteRequest initial = PROMETHEUS__WRITE_REQUEST__INIT;
    *request = initial;
}

void stackbridge_prompb_init_series(Prometheus__TimeSeries *series, size_t count) {
    Prometheus__TimeSeries initial = PROMETHEUS__TIME_SERIES__INIT;
    for (size_t i = 0; i < count; i++) series[i] = initial;
}

void stackbridge_prompb_init_labels(Prometheus__Label *labels, size_t count) {
    Prometheus__Label initial = PROMETHEUS__LABEL__INIT;
    for (size_t i = 0; i < count; i++) labels[i] = initial;
}

void stackbridge_prompb_init_samples(Prometheus__Sample *samples, size_t count) {
    Prometheus__Sample initial = PROMETHEUS__SAMPLE__INIT;
    for (size_t i = 0; i < count; i++) samples[i] = initial;
}
