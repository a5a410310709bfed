#include "storage/import_checks.hpp"

#include "common/iso_date.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace itpm::storage {
namespace {

bool upper_id(std::string_view s, std::string_view first_letters) {
  return s.size() >= 2 && s.size() <= 32 && first_letters.find(s[0]) != std::string_view::npos &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool user_id(std::string_view s) {
  return upper_id(s, "UW");
}

bool channel_id(std::string_view s) {
  return upper_id(s, "CGD");
}

// ^[a-z0-9][a-z0-9-]{1,31}$, as `program add` takes it.
bool program_key(std::string_view s) {
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return s.size() >= 2 && s.size() <= 32 && ok(s[0]) &&
         std::all_of(s.begin() + 1, s.end(), [&](char c) { return ok(c) || c == '-'; });
}

bool date(std::string_view s) {
  return common::days_from_date(s) != 0;
}

// YYYY-MM, a month that exists.
bool month(std::string_view s) {
  return s.size() == 7 && date(std::string(s) + "-01");
}

using Rule = bool (*)(std::string_view);
struct FieldRule {
  std::string_view field;
  Rule valid;
  std::string_view shape;
};

// The fields every record type names alike, and what their values look like. An empty value
// is a field left unset (an optional owner, a milestone with no date yet).
constexpr std::array<FieldRule, 23> rules = {{
    {"owner", user_id, "a Slack user ID like U024BE7LH"},
    {"sponsor", user_id, "a Slack user ID like U024BE7LH"},
    {"created_by", user_id, "a Slack user ID like U024BE7LH"},
    {"resolved_by", user_id, "a Slack user ID like U024BE7LH"},
    {"sent_by", user_id, "a Slack user ID like U024BE7LH"},
    {"by", user_id, "a Slack user ID like U024BE7LH"},
    {"user", user_id, "a Slack user ID like U024BE7LH"},
    {"decided_by", user_id, "Slack user IDs like U024BE7LH"},
    {"channel", channel_id, "a Slack channel ID like C024BE91L"},
    {"program", program_key, "a program key like dr-2027"},
    {"start", date, "a date like 2027-06-30"},
    {"due", date, "a date like 2027-06-30"},
    {"original_due", date, "a date like 2027-06-30"},
    {"done_on", date, "a date like 2027-06-30"},
    {"need_by", date, "a date like 2027-06-30"},
    {"date", date, "a date like 2027-06-30"},
    {"skipped", date, "dates like 2027-06-30"},
    {"from", date, "a date like 2027-06-30"},
    {"to", date, "a date like 2027-06-30"},
    {"day", date, "a date like 2027-06-30"},
    {"until", date, "a date like 2027-06-30"},
    {"delegate", user_id, "a Slack user ID like U024BE7LH"},
    {"month", month, "a month like 2026-11"},
}};

// Fields that are never left empty where a record has them (a key, a day off, an end).
constexpr std::array<std::string_view, 4> never_empty = {"user", "day", "until", "month"};

std::string shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 60) + "…" : text;
}

void check_field(const std::string& path, std::string_view field, const nlohmann::json& value,
                 std::vector<std::string>& problems) {
  for (const auto& rule : rules) {
    if (rule.field != field) continue;
    auto bad = [&](const nlohmann::json& v) {
      return !v.is_string() ||
             (!v.get_ref<const std::string&>().empty() && !rule.valid(v.get<std::string>()));
    };
    bool wrong = value.is_array() ? std::any_of(value.begin(), value.end(), bad) : bad(value);
    if (wrong)
      problems.push_back(path + " is " + shown(value) + ", not " + std::string(rule.shape));
    return;
  }
}

// Every field of `object` (and of the objects in its lists: a milestone's slips), by name.
void check_object(const std::string& prefix, const nlohmann::json& object,
                  std::vector<std::string>& problems) {
  for (const auto& [key, value] : object.items()) {
    std::string path = prefix + key;
    check_field(path, key, value, problems);
    if (value.is_array()) {
      for (const auto& element : value) {
        if (element.is_object()) check_object(path + ".", element, problems);
      }
    }
  }
}

}  // namespace

std::vector<std::string> field_problems(const nlohmann::json& row, const nlohmann::json& as_read) {
  std::vector<std::string> problems;
  if (!row.is_object()) return {"not an object"};
  // The fields are checked as they will be stored and exported again: a field left out reads
  // as its default, which must be sound too (a program without "key" would be stored keyless).
  check_object("", as_read, problems);
  for (auto field : never_empty) {
    auto it = as_read.find(field);
    if (it != as_read.end() && it->is_string() && it->get_ref<const std::string&>().empty())
      problems.push_back(std::string(field) + " is empty");
  }
  if (as_read.contains("key") && as_read.contains("name") &&
      !program_key(as_read.value("key", ""))) {
    problems.push_back("key is " + shown(as_read["key"]) + ", not a program key like dr-2027");
  }
  if (auto severity = as_read.find("severity"); severity != as_read.end()) {
    static constexpr std::array<std::string_view, 4> severities = {"S1", "S2", "S3", "S4"};
    if (!severity->is_string() || std::find(severities.begin(), severities.end(),
                                            severity->get<std::string>()) == severities.end())
      problems.push_back("severity is " + shown(*severity) + ", not S1, S2, S3 or S4");
  }
  if (auto kind = as_read.find("on_kind"); kind != as_read.end()) {
    std::string k = kind->is_string() ? kind->get<std::string>() : "";
    std::string on = as_read.value("on", "");
    bool fits = k == "program"   ? program_key(on)
                : k == "user"    ? user_id(on)
                : k == "channel" ? channel_id(on)
                : k == "team"    ? !on.empty()
                                 : false;
    if (!fits)
      problems.push_back("on " + shown(as_read.value("on", nlohmann::json())) +
                         " does not fit on_kind " + shown(*kind));
  }
  // A month's availability: a percentage.
  if (as_read.contains("month")) {
    auto milli = as_read.value("milli_percent", nlohmann::json());
    if (!milli.is_number_integer() || milli.get<std::int64_t>() < 0 ||
        milli.get<std::int64_t>() > 100'000)
      problems.push_back("milli_percent is " + shown(milli) +
                         ", not thousandths of a percent from 0 to 100000");
  }
  // A status update's colour; a record's status word this build would read as another.
  if (auto status = row.find("status"); status != row.end()) {
    bool colour = row.contains("summary");
    if (colour ? !(status->is_string() &&
                   (*status == "green" || *status == "amber" || *status == "red"))
               : as_read.value("status", nlohmann::json()) != *status) {
      problems.push_back("status " + shown(*status) + " is not one this record can have");
    }
  }
  return problems;
}

}  // namespace itpm::storage
