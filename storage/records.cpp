#include "storage/records.hpp"

namespace itpm::storage {
namespace {

template <class T>
void read(const nlohmann::json& j, const char* key, T& field) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) field = it->get<T>();
}

}  // namespace

void to_json(nlohmann::json& j, const Program& p) {
  j = {{"v", record_format_version},
       {"key", p.key},
       {"name", p.name},
       {"owner", p.owner},
       {"sponsor", p.sponsor},
       {"channel", p.channel},
       {"description", p.description},
       {"start", p.start},
       {"due", p.due},
       {"budget", p.budget},
       {"tags", p.tags},
       {"status", p.status},
       {"close_note", p.close_note},
       {"created_by", p.created_by},
       {"created_at", p.created_at},
       {"closed_at", p.closed_at}};
}

void from_json(const nlohmann::json& j, Program& p) {
  read(j, "key", p.key);
  read(j, "name", p.name);
  read(j, "owner", p.owner);
  read(j, "sponsor", p.sponsor);
  read(j, "channel", p.channel);
  read(j, "description", p.description);
  read(j, "start", p.start);
  read(j, "due", p.due);
  read(j, "budget", p.budget);
  read(j, "tags", p.tags);
  read(j, "status", p.status);
  read(j, "close_note", p.close_note);
  read(j, "created_by", p.created_by);
  read(j, "created_at", p.created_at);
  read(j, "closed_at", p.closed_at);
}

void to_json(nlohmann::json& j, const Risk& r) {
  j = {{"v", record_format_version},
       {"number", r.number},
       {"program", r.program},
       {"title", r.title},
       {"likelihood", r.likelihood},
       {"impact", r.impact},
       {"owner", r.owner},
       {"due", r.due},
       {"mitigation", r.mitigation},
       {"status", r.status},
       {"escalation_level", r.escalation_level},
       {"escalated_at", r.escalated_at},
       {"acked_at", r.acked_at},
       {"escalation_reason", r.escalation_reason},
       {"close_note", r.close_note},
       {"channel", r.channel},
       {"created_by", r.created_by},
       {"created_at", r.created_at},
       {"closed_at", r.closed_at}};
}

void from_json(const nlohmann::json& j, Risk& r) {
  read(j, "number", r.number);
  read(j, "program", r.program);
  read(j, "title", r.title);
  read(j, "likelihood", r.likelihood);
  read(j, "impact", r.impact);
  read(j, "owner", r.owner);
  read(j, "due", r.due);
  read(j, "mitigation", r.mitigation);
  read(j, "status", r.status);
  read(j, "escalation_level", r.escalation_level);
  read(j, "escalated_at", r.escalated_at);
  read(j, "acked_at", r.acked_at);
  read(j, "escalation_reason", r.escalation_reason);
  read(j, "close_note", r.close_note);
  read(j, "channel", r.channel);
  read(j, "created_by", r.created_by);
  read(j, "created_at", r.created_at);
  read(j, "closed_at", r.closed_at);
}

void to_json(nlohmann::json& j, const Decision& d) {
  j = {{"v", record_format_version},
       {"number", d.number},
       {"program", d.program},
       {"title", d.title},
       {"context", d.context},
       {"alternatives", d.alternatives},
       {"tags", d.tags},
       {"decided_by", d.decided_by},
       {"date", d.date},
       {"channel", d.channel},
       {"message_ts", d.message_ts},
       {"permalink", d.permalink},
       {"supersedes", d.supersedes},
       {"superseded_by", d.superseded_by},
       {"created_by", d.created_by},
       {"created_at", d.created_at}};
}

void from_json(const nlohmann::json& j, Decision& d) {
  read(j, "number", d.number);
  read(j, "program", d.program);
  read(j, "title", d.title);
  read(j, "context", d.context);
  read(j, "alternatives", d.alternatives);
  read(j, "tags", d.tags);
  read(j, "decided_by", d.decided_by);
  read(j, "date", d.date);
  read(j, "channel", d.channel);
  read(j, "message_ts", d.message_ts);
  read(j, "permalink", d.permalink);
  read(j, "supersedes", d.supersedes);
  read(j, "superseded_by", d.superseded_by);
  read(j, "created_by", d.created_by);
  read(j, "created_at", d.created_at);
}

void to_json(nlohmann::json& j, const Review& r) {
  j = {{"v", record_format_version},
       {"number", r.number},
       {"program", r.program},
       {"every", r.every},
       {"zone", r.zone},
       {"channel", r.channel},
       {"remind", r.remind},
       {"skipped", r.skipped},
       {"anchor", r.anchor},
       {"next_at", r.next_at},
       {"last_at", r.last_at},
       {"status", r.status},
       {"created_by", r.created_by},
       {"created_at", r.created_at},
       {"cancelled_at", r.cancelled_at}};
}

void from_json(const nlohmann::json& j, Review& r) {
  read(j, "number", r.number);
  read(j, "program", r.program);
  read(j, "every", r.every);
  read(j, "zone", r.zone);
  read(j, "channel", r.channel);
  read(j, "remind", r.remind);
  read(j, "skipped", r.skipped);
  read(j, "anchor", r.anchor);
  read(j, "next_at", r.next_at);
  read(j, "last_at", r.last_at);
  read(j, "status", r.status);
  read(j, "created_by", r.created_by);
  read(j, "created_at", r.created_at);
  read(j, "cancelled_at", r.cancelled_at);
}

void to_json(nlohmann::json& j, const StatusUpdate& u) {
  j = {{"v", record_format_version},
       {"number", u.number},
       {"program", u.program},
       {"status", u.status},
       {"summary", u.summary},
       {"by", u.by},
       {"at", u.at}};
}

void from_json(const nlohmann::json& j, StatusUpdate& u) {
  read(j, "number", u.number);
  read(j, "program", u.program);
  read(j, "status", u.status);
  read(j, "summary", u.summary);
  read(j, "by", u.by);
  read(j, "at", u.at);
}

void to_json(nlohmann::json& j, const Slip& s) {
  j = {{"from", s.from}, {"to", s.to}, {"reason", s.reason}, {"by", s.by}, {"at", s.at}};
}

void from_json(const nlohmann::json& j, Slip& s) {
  read(j, "from", s.from);
  read(j, "to", s.to);
  read(j, "reason", s.reason);
  read(j, "by", s.by);
  read(j, "at", s.at);
}

void to_json(nlohmann::json& j, const Milestone& m) {
  j = {{"v", record_format_version},
       {"number", m.number},
       {"program", m.program},
       {"title", m.title},
       {"owner", m.owner},
       {"due", m.due},
       {"original_due", m.original_due},
       {"slips", m.slips},
       {"status", m.status},
       {"done_on", m.done_on},
       {"channel", m.channel},
       {"created_by", m.created_by},
       {"created_at", m.created_at},
       {"done_at", m.done_at}};
}

void from_json(const nlohmann::json& j, Milestone& m) {
  read(j, "number", m.number);
  read(j, "program", m.program);
  read(j, "title", m.title);
  read(j, "owner", m.owner);
  read(j, "due", m.due);
  read(j, "original_due", m.original_due);
  read(j, "slips", m.slips);
  read(j, "status", m.status);
  read(j, "done_on", m.done_on);
  read(j, "channel", m.channel);
  read(j, "created_by", m.created_by);
  read(j, "created_at", m.created_at);
  read(j, "done_at", m.done_at);
}

void to_json(nlohmann::json& j, const Dependency& d) {
  j = {{"v", record_format_version},
       {"number", d.number},
       {"program", d.program},
       {"on_kind", d.on_kind},
       {"on", d.on},
       {"what", d.what},
       {"need_by", d.need_by},
       {"status", d.status},
       {"channel", d.channel},
       {"created_by", d.created_by},
       {"created_at", d.created_at},
       {"resolved_by", d.resolved_by},
       {"resolved_at", d.resolved_at}};
}

void from_json(const nlohmann::json& j, Dependency& d) {
  read(j, "number", d.number);
  read(j, "program", d.program);
  read(j, "on_kind", d.on_kind);
  read(j, "on", d.on);
  read(j, "what", d.what);
  read(j, "need_by", d.need_by);
  read(j, "status", d.status);
  read(j, "channel", d.channel);
  read(j, "created_by", d.created_by);
  read(j, "created_at", d.created_at);
  read(j, "resolved_by", d.resolved_by);
  read(j, "resolved_at", d.resolved_at);
}

void to_json(nlohmann::json& j, const Action& a) {
  j = {{"v", record_format_version}, {"number", a.number},         {"title", a.title},
       {"severity", a.severity},     {"incident", a.incident},     {"owner", a.owner},
       {"program", a.program},       {"slo_days", a.slo_days},     {"due", a.due},
       {"status", a.status},         {"done_on", a.done_on},       {"breach_level", a.breach_level},
       {"channel", a.channel},       {"created_by", a.created_by}, {"created_at", a.created_at},
       {"done_at", a.done_at}};
}

void from_json(const nlohmann::json& j, Action& a) {
  read(j, "number", a.number);
  read(j, "title", a.title);
  read(j, "severity", a.severity);
  read(j, "incident", a.incident);
  read(j, "owner", a.owner);
  read(j, "program", a.program);
  read(j, "slo_days", a.slo_days);
  read(j, "due", a.due);
  read(j, "status", a.status);
  read(j, "done_on", a.done_on);
  read(j, "breach_level", a.breach_level);
  read(j, "channel", a.channel);
  read(j, "created_by", a.created_by);
  read(j, "created_at", a.created_at);
  read(j, "done_at", a.done_at);
}

void to_json(nlohmann::json& j, const Allocation& a) {
  j = {{"v", record_format_version}, {"user", a.user}, {"program", a.program},
       {"percent", a.percent},       {"by", a.by},     {"at", a.at}};
}

void from_json(const nlohmann::json& j, Allocation& a) {
  read(j, "user", a.user);
  read(j, "program", a.program);
  read(j, "percent", a.percent);
  read(j, "by", a.by);
  read(j, "at", a.at);
}

void to_json(nlohmann::json& j, const Survey& v) {
  j = {{"v", record_format_version}, {"number", v.number},           {"program", v.program},
       {"channel", v.channel},       {"message_ts", v.message_ts},   {"zone", v.zone},
       {"status", v.status},         {"replaced_by", v.replaced_by}, {"sent_by", v.sent_by},
       {"sent_at", v.sent_at},       {"closed_at", v.closed_at}};
}

void from_json(const nlohmann::json& j, Survey& v) {
  read(j, "number", v.number);
  read(j, "program", v.program);
  read(j, "channel", v.channel);
  read(j, "message_ts", v.message_ts);
  read(j, "zone", v.zone);
  read(j, "status", v.status);
  read(j, "replaced_by", v.replaced_by);
  read(j, "sent_by", v.sent_by);
  read(j, "sent_at", v.sent_at);
  read(j, "closed_at", v.closed_at);
}

void to_json(nlohmann::json& j, const Vote& v) {
  j = {{"v", record_format_version},
       {"survey", v.survey},
       {"user", v.user},
       {"score", v.score},
       {"at", v.at}};
}

void from_json(const nlohmann::json& j, Vote& v) {
  read(j, "survey", v.survey);
  read(j, "user", v.user);
  read(j, "score", v.score);
  read(j, "at", v.at);
}

}  // namespace itpm::storage
