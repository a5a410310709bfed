#pragma once
// The process_* metrics Prometheus' client libraries export, read from /proc/self at scrape
// time: CPU seconds, resident and virtual memory, open and maximum file descriptors, start
// time. Linux only; a figure /proc does not give is left out.

#include <string>

namespace itpm::bot {

// The families in Prometheus text format (HELP, TYPE and one sample each).
std::string render_process_metrics();

}  // namespace itpm::bot
