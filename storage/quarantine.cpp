#include "storage/quarantine.hpp"

#include "storage/key_codec.hpp"

#include <nlohmann/json.hpp>

namespace itpm::storage {

// A quarantined row's value: one JSON line (why, when), then the row's bytes as they were
// stored (which need not be JSON or even UTF-8).
void quarantine(Batch& batch, const QuarantinedRow& row) {
  nlohmann::json head = {{"error", row.error}, {"at", row.at_ms}};
  std::string value = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  value += '\n';
  value += row.row;
  batch.put(Family::quarantine, KeyBuilder().str(row.kind).u64(row.seq).done(), value);
}

std::vector<QuarantinedRow> quarantined_rows(const Store& store) {
  std::vector<QuarantinedRow> out;
  store.scan(Family::quarantine, "", [&](std::string_view key, std::string_view value) {
    QuarantinedRow row;
    KeyReader r(key);
    row.kind = r.str().value_or("");
    row.seq = r.u64().value_or(0);
    auto newline = value.find('\n');
    auto head = nlohmann::json::parse(value.substr(0, newline), nullptr, false);
    if (head.is_object()) {
      if (auto it = head.find("error"); it != head.end() && it->is_string())
        row.error = it->get<std::string>();
      if (auto it = head.find("at"); it != head.end() && it->is_number_integer())
        row.at_ms = it->get<std::int64_t>();
    }
    if (newline != std::string_view::npos) row.row = value.substr(newline + 1);
    out.push_back(std::move(row));
    return true;
  });
  return out;
}

}  // namespace itpm::storage
