#include "storage/export.hpp"

#include "storage/import_checks.hpp"
#include "storage/key_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <variant>

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

// Every audit entry as an export lists it: its stored JSON with its sequence as "seq".
void audit_rows(const Store& store, const std::function<void(json)>& visit) {
  store.scan(Family::audit, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    (void)r.str();
    auto entry = json::parse(value, nullptr, false);
    if (entry.is_discarded()) return true;
    entry["seq"] = r.u64().value_or(0);
    visit(std::move(entry));
    return true;
  });
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
  // formula: typed text must stay text, in every cell (tags and lists joined too); only a
  // number is written as it is.
  if (!value.is_number() && !text.empty() &&
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

// Every ID sequence's next number, by name.
json stored_sequences(const Store& store) {
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
  return sequences;
}

}  // namespace

json export_json(const Store& store) {
  json document = {{"format", format_name},
                   {"version", export_format_version},
                   {"schema", Store::schema_version}};
  for_each_record_type(
      [&]<class R>() { document[std::string(RecordTraits<R>::plural)] = records<R>(store); });
  json audit = json::array();
  audit_rows(store, [&](json entry) { audit.push_back(std::move(entry)); });
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
  document["sequences"] = stored_sequences(store);
  return document;
}

namespace {

// `text` (a value dumped with an indent of 2) as it reads `depth` levels down: each line after
// the first indented by 2 * depth more. JSON text holds no raw line break inside a string.
std::string indented(const std::string& text, int depth) {
  std::string pad(static_cast<std::size_t>(2 * depth), ' ');
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

void write_export(const Store& store, std::ostream& out) {
  // The members in the order a JSON object keeps them (by name), each written as it is read:
  // the bytes are export_json(store).dump(2)'s, without the document in memory.
  using Rows = std::function<void(const std::function<void(const json&)>&)>;
  std::map<std::string, std::variant<json, Rows>> members;
  members["format"] = json(std::string(format_name));
  members["version"] = json(export_format_version);
  members["schema"] = json(Store::schema_version);
  for_each_record_type([&]<class R>() {
    members[std::string(RecordTraits<R>::plural)] = Rows([&store](const auto& row) {
      store.scan(RecordTraits<R>::family, "", [&](std::string_view, std::string_view value) {
        auto j = json::parse(value, nullptr, false);
        if (!j.is_discarded()) row(j);
        return true;
      });
    });
  });
  members["audit"] = Rows(
      [&store](const auto& row) { audit_rows(store, [&](const json& entry) { row(entry); }); });
  members["schedule"] = Rows([&store](const auto& row) {
    for (auto& job : all_jobs(store)) {
      if (!job.job.is_discarded())
        row(json{{"due", static_cast<std::uint64_t>(job.due_ms)},
                 {"seq", job.seq},
                 {"job", std::move(job.job)}});
    }
  });
  members["settings"] = stored_settings(store);
  members["sequences"] = stored_sequences(store);
  out << "{";
  bool first_member = true;
  for (const auto& [name, value] : members) {
    out << (first_member ? "\n" : ",\n") << "  " << json(name).dump() << ": ";
    first_member = false;
    if (const auto* whole = std::get_if<json>(&value)) {
      out << indented(whole->dump(2), 1);
      continue;
    }
    bool first_row = true;
    std::get<Rows>(value)([&](const json& row) {
      out << (first_row ? "[\n    " : ",\n    ") << indented(row.dump(2), 2);
      first_row = false;
    });
    out << (first_row ? "[]" : "\n  ]");
  }
  out << "\n}";
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

namespace {

// An export read member by member: `member` gets each top-level member that is not a list of
// rows, whole; `row` gets the rows of the lists (the record types, "audit", "schedule") one at
// a time. A source can be read more than once.
class ExportSource {
 public:
  using Member = std::function<void(const std::string& name, json value)>;
  using Row = std::function<void(const std::string& list, std::size_t index, json row)>;
  virtual ~ExportSource() = default;
  virtual void read(const Member& member, const Row& row) = 0;
};

bool is_row_list(std::string_view name) {
  bool found = name == "audit" || name == "schedule";
  for_each_record_type([&]<class R>() { found = found || name == RecordTraits<R>::plural; });
  return found;
}

// A document already in memory.
class DocumentSource : public ExportSource {
 public:
  explicit DocumentSource(const json& document) : document_(document) {}
  void read(const Member& member, const Row& row) override {
    for (const auto& [name, value] : document_.items()) {
      if (!value.is_array() || !is_row_list(name)) {
        member(name, value);
        continue;
      }
      for (std::size_t i = 0; i < value.size(); ++i) row(name, i, value[i]);
    }
  }

 private:
  const json& document_;
};

// A file read with one row in memory at a time: the text of each value is cut out by
// following brackets and strings, then parsed on its own.
class FileSource : public ExportSource {
 public:
  explicit FileSource(std::filesystem::path file) : file_(std::move(file)) {}

  void read(const Member& member, const Row& row) override {
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw StoreError("cannot read " + file_.string());
    in_ = &in;
    offset_ = 0;
    expect('{', "the export is not a JSON object");
    if (next() == '}') {
      take();
    } else {
      for (;;) {
        if (next() != '"') fail("a member name");
        auto name = parse(value_text()).get<std::string>();
        expect(':', "':' after a member name");
        if (next() == '[' && is_row_list(name)) {
          take();
          if (next() == ']') {
            take();
          } else {
            for (std::size_t i = 0;; ++i) {
              row(name, i, parse(value_text()));
              int c = take();
              if (c == ']') break;
              if (c != ',') fail("',' or ']' between rows");
            }
          }
        } else {
          member(name, parse(value_text()));
        }
        int c = take();
        if (c == '}') break;
        if (c != ',') fail("',' or '}' between members");
      }
    }
    if (next() != std::char_traits<char>::eof()) fail("the end of the document");
  }

 private:
  // The next character that is not white space, left unread.
  int next() {
    for (;;) {
      int c = in_->peek();
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c;
      in_->get();
      ++offset_;
    }
  }
  int take() {
    int c = next();
    in_->get();
    ++offset_;
    return c;
  }
  void expect(char wanted, const char* what) {
    if (take() != wanted) fail(what);
  }
  [[noreturn]] void fail(const std::string& wanted) const {
    throw StoreError(file_.string() + " is not a valid export: expected " + wanted + " near byte " +
                     std::to_string(offset_));
  }
  json parse(const std::string& text) const {
    auto value = json::parse(text, nullptr, false);
    if (value.is_discarded()) fail("a JSON value");
    return value;
  }
  // The text of the next value: a string, an object or array (to its closing bracket), or a
  // number or word.
  std::string value_text() {
    std::string text;
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    next();
    for (;;) {
      int c = in_->peek();
      if (c == std::char_traits<char>::eof()) fail("the rest of a value");
      if (!in_string && depth == 0 && !text.empty() &&
          (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t'))
        return text;
      in_->get();
      ++offset_;
      text += static_cast<char>(c);
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
          if (depth == 0) return text;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth < 0) fail("a value");
        if (depth == 0) return text;
      }
    }
  }

  std::filesystem::path file_;
  std::istream* in_ = nullptr;
  std::size_t offset_ = 0;
};

// Everything the first reading learns: the problems, and what the checks across rows need.
struct Checked {
  std::vector<std::string> problems;
  std::optional<json> format;
  std::optional<json> version;
  json sequences;
  std::set<std::string> programs;
  // program -> the first row naming it, and how many do
  std::map<std::string, std::pair<std::string, std::size_t>> program_used_at;
  std::map<std::string, std::set<std::string>> keys;  // list -> record keys
  std::map<std::string, std::uint64_t> highest;       // sequence name -> highest number
  ImportCounts counts;
};

template <class R>
void check_row(const json& value, const std::string& where, Checked& c) {
  using T = RecordTraits<R>;
  R record;
  try {
    record = value.get<R>();
  } catch (const json::exception& e) {
    c.problems.push_back(where + ": " + e.what());
    return;
  }
  std::string id = T::audit_item(record);
  for (auto& problem : field_problems(value, json(record)))
    c.problems.push_back(where + " (" + id + "): " + problem);
  if (!c.keys[std::string(T::plural)].insert(T::key(record)).second)
    c.problems.push_back(where + ": " + id + " appears twice");
  if constexpr (requires { record.program; }) {
    if (!record.program.empty()) {
      auto [it, added] = c.program_used_at.try_emplace(record.program, where + " (" + id + ")", 0);
      ++it->second.second;
    }
  }
  if constexpr (std::is_same_v<R, Program>) c.programs.insert(record.key);
  if constexpr (Sequenced<R>) {
    auto& h = c.highest[std::string(T::sequence)];
    h = std::max(h, T::number(record));
  }
}

// The first reading: every row and member checked, nothing written.
Checked check_export(ExportSource& source) {
  Checked c;
  source.read(
      [&](const std::string& name, json value) {
        std::vector<std::string> fractions;
        find_fractions(value, fractions);
        for (auto& f : fractions) c.problems.push_back("/" + name + f);
        if (name == "format")
          c.format = std::move(value);
        else if (name == "version")
          c.version = std::move(value);
        else if (name == "sequences")
          c.sequences = std::move(value);
        else if (is_row_list(name)) {
          c.problems.push_back(name + " is not a list");
        } else if (name == "settings" && !value.is_object()) {
          c.problems.emplace_back("settings is not an object");
        }
      },
      [&](const std::string& list, std::size_t index, json row) {
        std::vector<std::string> fractions;
        find_fractions(row, fractions);
        std::string at = "/" + list + "/" + std::to_string(index);
        for (auto& f : fractions) c.problems.push_back(at + f);
        if (!fractions.empty()) return;  // not read further: a fraction in an integer field
        std::string where = list + "[" + std::to_string(index) + "]";
        if (list == "audit") {
          if (!row.is_object() || !row.contains("seq") || !row["seq"].is_number_unsigned() ||
              !row.contains("item") || !row["item"].is_string())
            c.problems.push_back(where + ": an audit entry needs \"seq\" and \"item\"");
          return;
        }
        if (list == "schedule") {
          if (!row.is_object() || !row.contains("due") || !row["due"].is_number_integer() ||
              !row.contains("seq") || !row["seq"].is_number_unsigned() || !row.contains("job"))
            c.problems.push_back(where + ": a job needs \"due\", \"seq\" and \"job\"");
          return;
        }
        ++c.counts[list];
        for_each_record_type([&]<class R>() {
          if (list == RecordTraits<R>::plural) check_row<R>(row, where, c);
        });
      });
  return c;
}

// A whole number of 0 or more.
bool whole(const json& value) {
  return value.is_number_unsigned() ||
         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

// The refusals that need the whole export: what it is, its version, references between rows,
// the sequences. Throws the first kind at once, the rest with the rows' problems.
void check_across(Checked& c) {
  if (!c.format || !c.format->is_string() || *c.format != format_name) {
    throw StoreError("not an itpm-bot export (no \"format\": \"itpm-bot-export\")");
  }
  if (c.version && !c.version->is_number_integer()) {
    throw StoreError("the export's format version is not a number (\"version\": 1)");
  }
  if (c.version && c.version->get<std::int64_t>() > export_format_version) {
    throw StoreError(
        "the export has format version " + std::to_string(c.version->get<std::int64_t>()) +
        ", newer than this build reads (" + std::to_string(export_format_version) + ")");
  }
  for (const auto& [program, used] : c.program_used_at) {
    const auto& [where, rows] = used;
    if (c.programs.contains(program)) continue;
    c.problems.push_back(where + ": program \"" + program + "\" is not in the export" +
                         (rows > 1 ? " (nor for " + std::to_string(rows - 1) + " more rows)" : ""));
  }
  if (!c.sequences.is_object()) {
    c.problems.emplace_back("sequences is missing or not an object");
    c.sequences = json::object();
  }
  for (const auto& [name, highest] : c.highest) {
    std::uint64_t next = c.sequences.contains(name) && whole(c.sequences[name])
                             ? c.sequences[name].get<std::uint64_t>()
                             : 0;
    if (next < highest) {
      c.problems.push_back("sequence \"" + name + "\" is " + std::to_string(next) +
                           ", below the highest number in use (" + std::to_string(highest) +
                           "): new items would reuse ids");
    }
  }
  for (const auto& [name, value] : c.sequences.items()) {
    if (!whole(value)) c.problems.push_back("sequence \"" + name + "\" is not a whole number");
  }
  if (!c.problems.empty()) throw refusal(c.problems);
}

// The second reading: every row written, a few thousand per batch.
void write_rows(ExportSource& source, Store& store, const json& sequences) {
  Repositories repos(store);
  Batch batch;
  auto flush = [&] {
    if (auto r = store.commit(std::move(batch)); !r)
      throw StoreError("cannot write the import: " + r.error);
    batch = Batch();
  };
  source.read(
      [&](const std::string& name, json value) {
        if (name == "settings" && !value.empty()) repos.restore_settings(batch, value);
      },
      [&](const std::string& list, std::size_t, json row) {
        if (list == "audit") {
          std::uint64_t seq = row.at("seq").get<std::uint64_t>();
          std::string item = current_audit_item(row.at("item").get<std::string>());
          row["item"] = item;
          row.erase("seq");
          for (const auto& index : escalation_rows(seq, row))
            batch.put(index.first, index.second, "");
          batch.put(Family::audit, KeyBuilder().str(item).u64(seq).done(), row.dump());
        } else if (list == "schedule") {
          JobQueue::restore(batch, ScheduledJob{row.at("due").get<std::int64_t>(),
                                                row.at("seq").get<std::uint64_t>(),
                                                row.at("job"),
                                                {}});
        } else {
          for_each_record_type([&]<class R>() {
            if (list == RecordTraits<R>::plural) repos.restore(batch, row.get<R>());
          });
        }
        if (batch.size() >= 5000) flush();
      });
  for (const auto& [name, value] : sequences.items()) {
    batch.put(Family::meta, KeyBuilder().str("seq").str(name).done(),
              KeyBuilder().u64(value.get<std::uint64_t>()).done());
  }
  flush();
  // Status updates come newest first, so each program's health row is its oldest's by now.
  repos.rewrite_health_rows();
  // A bulk load leaves files for RocksDB to sort out, and search postings as one merge operand
  // per decision: done now, so the bot starts on a tidy store instead of compacting while it
  // answers its first commands.
  for (Family f : all_families()) store.compact(f);
}

ImportCounts import_from(Store& store, ExportSource& source) {
  bool empty = true;
  auto holds_rows = [&](Family f) {
    store.scan(f, "", [&](std::string_view, std::string_view) { return empty = false; });
  };
  for_each_record_type([&]<class R>() { holds_rows(RecordTraits<R>::family); });
  holds_rows(Family::schedule);
  holds_rows(Family::audit);
  Checked checked = check_export(source);
  check_across(checked);
  if (!empty)
    throw StoreError(
        "the target database already holds records; import into an empty data directory");
  try {
    write_rows(source, store, checked.sequences);
  } catch (const json::exception& e) {
    // Every row passed the first reading: the file changed in between.
    throw StoreError(std::string("the export changed while it was imported: ") + e.what());
  }
  return checked.counts;
}

}  // namespace

ImportCounts import_json(Store& store, const json& document) {
  if (!document.is_object())
    throw StoreError("not an itpm-bot export (no \"format\": \"itpm-bot-export\")");
  DocumentSource source(document);
  return import_from(store, source);
}

ImportCounts import_file(Store& store, const std::filesystem::path& file) {
  FileSource source(file);
  return import_from(store, source);
}

}  // namespace itpm::storage
