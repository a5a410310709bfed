#include "storage/export.hpp"

#include "storage/key_codec.hpp"
#include "storage/repositories.hpp"

#include <fstream>

namespace itpm::storage {
namespace {

using nlohmann::json;

constexpr std::string_view format_name = "itpm-bot-export";

json records(const Store& store, Family family) {
  json out = json::array();
  store.scan(family, "", [&](std::string_view, std::string_view value) {
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
  json settings = json::object();
  if (auto raw = store.get(Family::meta, KeyBuilder().str("settings").done())) {
    settings = json::parse(*raw, nullptr, false);
    if (!settings.is_object()) settings = json::object();
  }
  json jobs = json::array();
  store.scan(Family::schedule, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto job = json::parse(value, nullptr, false);
    if (!job.is_discarded())
      jobs.push_back({{"due", r.u64().value_or(0)}, {"seq", r.u64().value_or(0)}, {"job", job}});
    return true;
  });
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
  return {{"format", format_name},
          {"version", export_format_version},
          {"schema", Store::schema_version},
          {"programs", records(store, Family::programs)},
          {"risks", records(store, Family::risks)},
          {"decisions", records(store, Family::decisions)},
          {"milestones", records(store, Family::milestones)},
          {"dependencies", records(store, Family::dependencies)},
          {"actions", records(store, Family::actions)},
          {"allocations", records(store, Family::allocations)},
          {"surveys", records(store, Family::surveys)},
          {"votes", records(store, Family::votes)},
          {"reviews", records(store, Family::reviews)},
          {"status_updates", records(store, Family::status_updates)},
          {"schedule", std::move(jobs)},
          {"settings", std::move(settings)},
          {"audit", std::move(audit)},
          {"sequences", std::move(sequences)}};
}

void export_csv(const Store& store, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StoreError("cannot create " + dir.string() + ": " + ec.message());
  write_csv(records(store, Family::programs), dir / "programs.csv");
  write_csv(records(store, Family::risks), dir / "risks.csv");
  write_csv(records(store, Family::decisions), dir / "decisions.csv");
  write_csv(records(store, Family::milestones), dir / "milestones.csv");
  write_csv(records(store, Family::dependencies), dir / "dependencies.csv");
  write_csv(records(store, Family::actions), dir / "actions.csv");
  write_csv(records(store, Family::allocations), dir / "allocations.csv");
  write_csv(records(store, Family::surveys), dir / "surveys.csv");
  write_csv(records(store, Family::votes), dir / "votes.csv");
  write_csv(records(store, Family::reviews), dir / "reviews.csv");
  write_csv(records(store, Family::status_updates), dir / "status_updates.csv");
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
  for (Family f :
       {Family::programs, Family::risks, Family::decisions, Family::milestones,
        Family::dependencies, Family::actions, Family::allocations, Family::surveys, Family::votes,
        Family::reviews, Family::status_updates, Family::schedule, Family::audit}) {
    bool empty = true;
    store.scan(f, "", [&](std::string_view, std::string_view) { return empty = false; });
    if (!empty)
      throw StoreError(
          "the target database already holds records; import into an empty data directory");
  }
  Repositories repos(store);
  Batch batch;
  try {
    for (const auto& p : document.at("programs")) repos.restore(batch, p.get<Program>());
    for (const auto& r : document.at("risks")) repos.restore(batch, r.get<Risk>());
    for (const auto& d : document.at("decisions")) repos.restore(batch, d.get<Decision>());
    // Exports from before reviews existed lack these lists.
    for (const auto& m : document.value("milestones", json::array()))
      repos.restore(batch, m.get<Milestone>());
    for (const auto& a : document.value("allocations", json::array()))
      repos.restore(batch, a.get<Allocation>());
    for (const auto& a : document.value("actions", json::array()))
      repos.restore(batch, a.get<Action>());
    for (const auto& d : document.value("dependencies", json::array()))
      repos.restore(batch, d.get<Dependency>());
    for (const auto& v : document.value("surveys", json::array()))
      repos.restore(batch, v.get<Survey>());
    for (const auto& v : document.value("votes", json::array()))
      repos.restore(batch, v.get<Vote>());
    for (const auto& r : document.value("reviews", json::array()))
      repos.restore(batch, r.get<Review>());
    for (const auto& u : document.value("status_updates", json::array()))
      repos.restore(batch, u.get<StatusUpdate>());
    for (const auto& row : document.value("schedule", json::array())) {
      batch.put(Family::schedule,
                KeyBuilder()
                    .u64(row.at("due").get<std::uint64_t>())
                    .u64(row.at("seq").get<std::uint64_t>())
                    .done(),
                row.at("job").dump());
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
