#pragma once
// How the bot logs: text (an ISO time with its UTC offset, the level, the message) or JSON (one
// object a line: ts in UTC RFC 3339, level, msg, and envelope_id, event_id, user, verb, ms where
// a line is about an envelope), for log shippers. Under systemd (JOURNAL_STREAM set) each line
// starts with its syslog priority (<3> for errors ...), so journald files it at that level.

#include "bot/slack/envelope.hpp"

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>

namespace itpm::bot {

enum class LogFormat { text, json };

// Installs the default logger on stderr in `format`; `journald`: prefix syslog priorities.
void setup_logging(LogFormat format, bool journald);
// True when stderr goes to the journal (systemd sets JOURNAL_STREAM).
bool logging_to_journal();

// What a line is about, beside its message (JSON fields; the text format appends them).
struct LogFields {
  std::string envelope_id;
  std::string event_id;
  std::string user;
  std::string verb;  // "risk add", "block_actions", "app_mention": never the text people typed
  std::optional<long long> ms;
};

// The fields of an envelope: its id, the event id, who sent it and what it asks for.
LogFields envelope_fields(const Envelope& envelope);

// Logs `message` at `level` with `fields`.
void log_with(spdlog::level::level_enum level, const LogFields& fields, std::string_view message);

}  // namespace itpm::bot
