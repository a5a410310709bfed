#include "storage/export.hpp"

#include "storage/key_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <string_view>

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
  // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a
  // formula: typed text must stay text.
  if (value.is_string() && !text.empty() &&
      std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos)
    text.insert(0, "'");
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

namespace {

template <class R>
std::filesystem::path csv_file(const std::filesystem::path& dir) {
  return dir / (std::string(RecordTraits<R>::plural) + ".csv");
}

}  // namespace

std::vector<std::filesystem::path> csv_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for_each_record_type([&]<class R>() { files.push_back(csv_file<R>(dir)); });
  return files;
}

void export_csv(const Store& store, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StoreError("cannot create " + dir.string() + ": " + ec.message());
  for_each_record_type([&]<class R>() { write_csv(records<R>(store), csv_file<R>(dir)); });
}

namespace {

// Every number an export holds is a whole number. nlohmann turns a fraction (or an integer too
// large for 64 bits, which it reads as a double) into an integer field with a bare cast,
// undefined out of range: such numbers are named and refused before any row is read. Walks
// with its own stack, so no nesting depth can exhaust the thread's.
void find_fractions(const json& document, std::vector<std::string>& problems) {
  std::vector<std::pair<const json*, std::string>> todo = {{&document, ""}};
  while (!todo.empty() && problems.size() <= 20) {
    auto [j, path] = std::move(todo.back());
    todo.pop_back();
    if (j->is_number_float()) {
      problems.push_back(path + ": " + j->dump() + " is not a whole number in 64-bit range");
    } else if (j->is_object()) {
      for (const auto& [key, value] : j->items()) todo.emplace_back(&value, path + "/" + key);
    } else if (j->is_array()) {
      for (std::size_t i = 0; i < j->size(); ++i)
        todo.emplace_back(&(*j)[i], path + "/" + std::to_string(i));
    }
  }
}

// The import refused, naming its problems (the first 20).
StoreError refusal(const std::vector<std::string>& problems) {
  std::string text =
      "the export has " + std::to_string(problems.size()) + " problem(s); nothing was imported:";
  for (std::size_t i = 0; i < problems.size() && i < 20; ++i) text += "\n  " + problems[i];
  if (problems.size() > 20) text += "\n  …";
  return StoreError(text);
}

}  // namespace

void import_json(Store& store, const json& document) {
  // json::value throws when a field has another type: each is looked at before it is read.
  auto format = document.is_object() ? document.find("format") : document.end();
  if (format == document.end() || !format->is_string() || *format != format_name) {
    throw StoreError("not an itpm-bot export (no \"format\": \"itpm-bot-export\")");
  }
  auto version = document.find("version");
  if (version != document.end() && !version->is_number_integer()) {
    throw StoreError("the export's format version is not a number (\"version\": 1)");
  }
  if (version != document.end() && version->get<std::int64_t>() > export_format_version) {
    throw StoreError(
        "the export has format version " + std::to_string(version->get<std::int64_t>()) +
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
  std::vector<std::string> problems;
  find_fractions(document, problems);
  if (!problems.empty()) throw refusal(problems);
  try {
    // Every row is checked before anything is written: its fields, what it refers to, and
    // that no sequence is behind a number in use. Exports from before a record type existed
    // lack its list.
    std::set<std::string> programs;
    for (const auto& p : document.value("programs", json::array())) {
      if (p.is_object() && p.contains("key") && p["key"].is_string()) programs.insert(p["key"]);
    }
    json sequences = document.value("sequences", json::object());
    for_each_record_type([&]<class R>() {
      std::string plural(RecordTraits<R>::plural);
      json rows = document.value(plural, json::array());
      if (!rows.is_array()) {
        problems.push_back(plural + " is not a list");
        return;
      }
      std::set<std::string> keys;
      std::uint64_t highest = 0;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        std::string where = plural + "[" + std::to_string(i) + "]";
        R record;
        try {
          record = rows[i].get<R>();
        } catch (const json::exception& e) {
          problems.push_back(where + ": " + e.what());
          continue;
        }
        std::string key = RecordTraits<R>::key(record);
        std::string id = RecordTraits<R>::audit_item(record);
        if (!keys.insert(key).second) problems.push_back(where + ": " + id + " appears twice");
        if constexpr (requires { record.program; }) {
          if (!record.program.empty() && !programs.contains(record.program)) {
            problems.push_back(where + " (" + id + "): program \"" + record.program +
                               "\" is not in the export");
          }
        }
        if constexpr (Sequenced<R>) highest = std::max(highest, RecordTraits<R>::number(record));
        repos.restore(batch, record);
      }
      if constexpr (Sequenced<R>) {
        std::string name(RecordTraits<R>::sequence);
        std::uint64_t next = sequences.contains(name) && sequences[name].is_number_unsigned()
                                 ? sequences[name].get<std::uint64_t>()
                                 : 0;
        if (next < highest) {
          problems.push_back("sequence \"" + name + "\" is " + std::to_string(next) +
                             ", below the highest number in use (" + std::to_string(highest) +
                             "): new items would reuse ids");
        }
      }
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
      if (auto row = escalation_row(seq, entry)) batch.put(row->first, row->second, "");
      batch.put(Family::audit, KeyBuilder().str(item).u64(seq).done(), entry.dump());
    }
    for (const auto& [name, value] : document.at("sequences").items()) {
      batch.put(Family::meta, KeyBuilder().str("seq").str(name).done(),
                KeyBuilder().u64(value.get<std::uint64_t>()).done());
    }
  } catch (const json::exception& e) {
    problems.push_back(e.what());
  }
  if (!problems.empty()) throw refusal(problems);
  if (auto r = store.commit(std::move(batch)); !r)
    throw StoreError("cannot write the import: " + r.error);
  // A bulk load leaves files for RocksDB to sort out, and search postings as one merge operand
  // per decision: done now, so the bot starts on a tidy store instead of compacting while it
  // answers its first commands.
  for (Family f : all_families()) store.compact(f);
}

}  // namespace itpm::storage
