#include "bot/ops/logging.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>
#include <memory>

namespace itpm::bot {
namespace {

// The fields of the line being logged now: set by log_with around its (synchronous) call.
thread_local const LogFields* current_fields = nullptr;

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return 2;
    case spdlog::level::err:
      return 3;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::info:
      return 6;
    default:
      return 7;
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return "critical";
    case spdlog::level::err:
      return "error";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::info:
      return "info";
    default:
      return "debug";
  }
}

// "2026-12-06T15:57:02.123Z"
std::string utc_time(spdlog::log_clock::time_point t) {
  auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(ms),
                     ms.time_since_epoch().count() % 1000);
}

// `<6>` before a line, as journald reads it (sd-daemon(3)).
class PriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    fmt::format_to(std::back_inserter(dest), "<{}>", syslog_priority(msg.level));
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PriorityFlag>();
  }
};

// The fields after a text line's message: " [envelope=… user=… verb=… 12 ms]".
class FieldsFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (current_fields == nullptr) return;
    const LogFields& f = *current_fields;
    std::string text;
    auto add = [&](std::string_view name, const std::string& value) {
      if (!value.empty()) text += fmt::format("{}{}={}", text.empty() ? "" : " ", name, value);
    };
    add("envelope", f.envelope_id);
    add("event", f.event_id);
    add("user", f.user);
    add("verb", f.verb);
    if (f.ms) text += fmt::format("{}{} ms", text.empty() ? "" : " ", *f.ms);
    if (!text.empty()) fmt::format_to(std::back_inserter(dest), " [{}]", text);
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<FieldsFlag>();
  }
};

// One JSON object a line.
class JsonFormatter : public spdlog::formatter {
 public:
  explicit JsonFormatter(bool journald) : journald_(journald) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line = {
        {"ts", utc_time(msg.time)},
        {"level", level_name(msg.level)},
        {"msg", std::string_view(msg.payload.data(), msg.payload.size())}};
    if (const LogFields* f = current_fields) {
      for (auto [name, value] :
           {std::pair{"envelope_id", &f->envelope_id}, std::pair{"event_id", &f->event_id},
            std::pair{"user", &f->user}, std::pair{"verb", &f->verb}}) {
        if (!value->empty()) line[name] = *value;
      }
      if (f->ms) line["ms"] = *f->ms;
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (journald_) fmt::format_to(std::back_inserter(dest), "<{}>", syslog_priority(msg.level));
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(journald_);
  }

 private:
  bool journald_;
};

// The first words of a slash command that name its area and verb ("risk add"), lower case;
// never more, so nothing a person typed about their work reaches the log.
std::string verb_of(const std::string& text) {
  std::string verb;
  std::size_t pos = 0;
  for (int words = 0; words < 2; ++words) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::size_t start = pos;
    while (pos < text.size() &&
           (std::isalpha(static_cast<unsigned char>(text[pos])) != 0 || text[pos] == '-'))
      ++pos;
    if (pos == start || (pos < text.size() && text[pos] != ' ') || pos - start > 20) break;
    std::string word = text.substr(start, pos - start);
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    verb += (verb.empty() ? "" : " ") + word;
  }
  return verb;
}

std::string text_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return "";
    auto it = at->find(key);
    if (it == at->end()) return "";
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

}  // namespace

void setup_logging(LogFormat format, bool journald) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("itpm", sink);
  if (format == LogFormat::json) {
    logger->set_formatter(std::make_unique<JsonFormatter>(journald));
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<PriorityFlag>('*').add_flag<FieldsFlag>('&');
    // Local time with its offset from UTC: "2026-12-06T16:57:02.123+01:00 info  …".
    formatter->set_pattern(std::string(journald ? "%*" : "") + "%Y-%m-%dT%H:%M:%S.%e%z %-5l %v%&");
    logger->set_formatter(std::move(formatter));
  }
  logger->set_level(spdlog::get_level());
  spdlog::set_default_logger(logger);
}

bool logging_to_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  return stream != nullptr && *stream != '\0';
}

LogFields envelope_fields(const Envelope& envelope) {
  LogFields f;
  f.envelope_id = envelope.envelope_id;
  const auto& p = envelope.payload;
  if (envelope.type == "slash_commands") {
    f.user = text_at(p, {"user_id"});
    std::string text = text_at(p, {"text"});
    f.verb = text.find_first_not_of(' ') == std::string::npos ? "help" : verb_of(text);
  } else if (envelope.type == "events_api") {
    f.event_id = text_at(p, {"event_id"});
    f.user = text_at(p, {"event", "user"});
    f.verb = text_at(p, {"event", "type"});
  } else if (envelope.type == "interactive") {
    f.user = text_at(p, {"user", "id"});
    f.verb = text_at(p, {"type"});
  }
  return f;
}

void log_with(spdlog::level::level_enum level, const LogFields& fields, std::string_view message) {
  current_fields = &fields;
  spdlog::log(level, "{}", message);
  current_fields = nullptr;
}

}  // namespace itpm::bot
