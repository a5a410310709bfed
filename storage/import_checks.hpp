#pragma once
// The shape of an imported record's fields, checked before anything is written: an export
// edited by hand must not plant an owner "U1><!channel" that pings everyone each time it is
// shown, a date the bot cannot read, or a status it would silently read as another.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace itpm::storage {

// What is wrong with the fields of `row`, one exported record (an object), given `as_read`,
// the same record as this build read it back (json of the decoded record): Slack user IDs
// (owner, sponsor, by, created_by, decided_by, ...), channel IDs, program keys, dates
// (YYYY-MM-DD), a corrective action's severity, a dependency's kind and target, a status's
// colour, and any value the record type cannot hold (an unknown status reads as another, so
// it differs in `as_read`). Fields are checked in `as_read`, so one left out is checked at the
// default it reads as. Each problem names its field; empty when the row is sound.
[[nodiscard]] std::vector<std::string> field_problems(const nlohmann::json& row,
                                                      const nlohmann::json& as_read);

}  // namespace itpm::storage
