#include "storage/export.hpp"

#include "storage/key_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"

#include <fstream>

namespace itpm::storage {
namespace {

using nlohmann::json;

constexpr std::string_view format_name = "itpm-bot-export";

// The stored JSON of every record of type R, in key order.
template <class R>
json records(const Store& store) {
  json out = json::array();
  store.scan(RecordTraits<R>::family, "", [&](std::string_view, std::string_view value) {
    auto j = json::parse(value, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
    return true;
  });
  return out;
}

std::string csv_cell(const json& value) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_array()) {
    for (const auto& v : value)
      text += (text.empty() ? "" : ";") + (v.is_string() ? v.get<std::string>() : v.dump());
  } else if (!value.is_null()) {
    text = value.dump();
  }
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void write_csv(const json& rows, const std::filesystem::path& file) {
  std::ofstream out(file);
  if (!out) throw StoreError("cannot write " + file.string());
  if (rows.empty()) return;
  std::vector<std::string> columns;
  for (const auto& [key, value] : rows.front().items()) {
    if (key != "v") columns.push_back(key);
  }
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
  out << "\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i)
      out << (i ? "," : "") << csv_cell(row.value(columns[i], json()));
    out << "\n";
  }
}

}  // namespace

json export_json(const Store& store) {
  json document = {{"format", format_name},
                   {"version", export_format_version},
                   {"schema", Store::schema_version}};
  for_each_record_type(
      [&]<class R>() { document[std::string(RecordTraits<R>::plural)] = records<R>(store); });
  json audit = json::array();
  store.scan(Family::audit, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    (void)r.str();
    auto entry = json::parse(value, nullptr, false);
    if (entry.is_discarded()) return true;
    entry["seq"] = r.u64().value_or(0);
    audit.push_back(std::move(entry));
    return true;
  });
  document["audit"] = std::move(audit);
  json jobs = json::array();
  for (auto& job : all_jobs(store)) {
    if (!job.job.is_discarded())
      jobs.push_back({{"due", static_cast<std::uint64_t>(job.due_ms)},
                      {"seq", job.seq},
                      {"job", std::move(job.job)}});
  }
  document["schedule"] = std::move(jobs);
  document["settings"] = stored_settings(store);
  json sequences = json::object();
  store.scan(Family::meta, KeyBuilder().str("seq").done(),
             [&](std::string_view key, std::string_view value) {
               KeyReader r(key);
               (void)r.str();
               auto name = r.str();
               KeyReader v(value);
               if (name) sequences[std::string(*name)] = v.u64().value_or(0);
               return true;
             });
  document["sequences"] = std::move(sequences);
  return document;
}

void export_csv(const Store& store, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StoreError("cannot create " + dir.string() + ": " + ec.message());
  for_each_record_type([&]<class R>() {
    write_csv(records<R>(store), dir / (std::string(RecordTraits<R>::plural) + ".csv"));
  });
}

void import_json(Store& store, const json& document) {
  if (!document.is_object() || document.value("format", "") != format_name) {
    throw StoreError("not an itpm-bot export (no \"format\": \"itpm-bot-export\")");
  }
  if (document.value("version", 0) > export_format_version) {
    throw StoreError(
        "the export has format version " + std::to_string(document.value("version", 0)) +
        ", newer than this build reads (" + std::to_string(export_format_version) + ")");
  }
  bool empty = true;
  auto holds_rows = [&](Family f) {
    store.scan(f, "", [&](std::string_view, std::string_view) { return empty = false; });
  };
  for_each_record_type([&]<class R>() { holds_rows(RecordTraits<R>::family); });
  holds_rows(Family::schedule);
  holds_rows(Family::audit);
  if (!empty)
    throw StoreError(
        "the target database already holds records; import into an empty data directory");
  Repositories repos(store);
  Batch batch;
  try {
    // Exports from before a record type existed lack its list.
    for_each_record_type([&]<class R>() {
      for (const auto& j : document.value(std::string(RecordTraits<R>::plural), json::array()))
        repos.restore(batch, j.get<R>());
    });
    for (const auto& row : document.value("schedule", json::array())) {
      JobQueue::restore(batch, ScheduledJob{row.at("due").get<std::int64_t>(),
                                            row.at("seq").get<std::uint64_t>(),
                                            row.at("job"),
                                            {}});
    }
    if (auto settings = document.value("settings", json::object()); !settings.empty())
      repos.restore_settings(batch, settings);
    for (auto entry : document.at("audit")) {
      std::uint64_t seq = entry.at("seq").get<std::uint64_t>();
      std::string item = entry.at("item").get<std::string>();
      entry.erase("seq");
      batch.put(Family::audit, KeyBuilder().str(item).u64(seq).done(), entry.dump());
    }
    for (const auto& [name, value] : document.at("sequences").items()) {
      batch.put(Family::meta, KeyBuilder().str("seq").str(name).done(),
                KeyBuilder().u64(value.get<std::uint64_t>()).done());
    }
  } catch (const json::exception& e) {
    throw StoreError(std::string("malformed export: ") + e.what());
  }
  if (auto r = store.commit(std::move(batch)); !r)
    throw StoreError("cannot write the import: " + r.error);
}

}  // namespace itpm::storage
