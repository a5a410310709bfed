#pragma once
// Rows the bot could not process (a scheduled job of an unknown kind or that failed when run, a
// queued post that could not be sent), moved aside with the reason: never retried forever,
// never lost. Operators list them with `itpm-bot quarantine`.

#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::storage {

struct QuarantinedRow {
  std::string kind;  // "job", "post"
  std::uint64_t seq = 0;
  std::string row;  // the row as it was stored
  std::string error;
  std::int64_t at_ms = 0;
};

// Puts `row` (of `kind`, numbered `seq`) into the quarantine within `batch`; the caller removes
// it from where it was in the same batch.
void quarantine(Batch& batch, const QuarantinedRow& row);

// Every quarantined row, by kind, then number.
std::vector<QuarantinedRow> quarantined_rows(const Store& store);

}  // namespace itpm::storage
