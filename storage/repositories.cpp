#include "storage/repositories.hpp"

#include "storage/key_codec.hpp"
#include "storage/posting_list.hpp"
#include "storage/utf8.hpp"

#include <algorithm>
#include <cmath>
#include <locale>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

namespace itpm::storage {
namespace {

using nlohmann::json;

constexpr std::uint64_t all_ones = ~std::uint64_t{0};
constexpr std::string_view docs_counter = "decision_docs";
constexpr std::string_view length_counter = "decision_terms";

std::uint64_t newest_first(std::string_view date) {
  return all_ones - static_cast<std::uint64_t>(days_from_date(date));
}

// Records are stored as JSON, and decoding one costs microseconds; lists and agendas decode
// the same records again and again. Decoded records are remembered by their exact stored
// bytes: a changed record has other bytes and is decoded afresh, so what comes back is never
// stale. At most `capacity` per record type, forgotten all at once when full.
template <class R>
class DecodeMemo {
 public:
  std::optional<R> decode(std::string_view raw) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = memo_.find(raw); it != memo_.end()) return it->second;
    }
    auto j = json::parse(raw, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    R record = j.get<R>();
    std::lock_guard lock(mutex_);
    if (memo_.size() >= capacity) memo_.clear();
    memo_.emplace(std::string(raw), record);
    return record;
  }

 private:
  static constexpr std::size_t capacity = 2048;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, R, Hash, std::equal_to<>> memo_;
};

template <class R>
std::optional<R> decode(std::string_view raw) {
  static DecodeMemo<R> memo;
  return memo.decode(raw);
}

template <class R>
std::optional<R> load(const Store& store, Family family, std::string_view key) {
  auto raw = store.get(family, key);
  if (!raw) return std::nullopt;
  return decode<R>(*raw);
}

template <class R>
std::vector<R> load_all(const Store& store, Family family) {
  std::vector<R> out;
  store.scan(family, "", [&](std::string_view, std::string_view value) {
    if (auto record = decode<R>(value)) out.push_back(std::move(*record));
    return true;
  });
  return out;
}

using IndexRows = std::set<std::pair<Family, std::string>>;

std::string primary_key(const Program& p) {
  return p.key;
}
std::string primary_key(const Risk& r) {
  return KeyBuilder().u64(r.number).done();
}
std::string primary_key(const Decision& d) {
  return KeyBuilder().u64(d.number).done();
}

std::string primary_key(const Survey& v) {
  return KeyBuilder().u64(v.number).done();
}
std::string primary_key(const Vote& v) {
  return KeyBuilder().u64(v.survey).str(v.user).done();
}
std::string primary_key(const Allocation& a) {
  return KeyBuilder().str(a.user).str(a.program).done();
}
std::string primary_key(const Action& a) {
  return KeyBuilder().u64(a.number).done();
}
std::string primary_key(const Dependency& d) {
  return KeyBuilder().u64(d.number).done();
}
std::string primary_key(const Milestone& m) {
  return KeyBuilder().u64(m.number).done();
}
std::string primary_key(const Review& r) {
  return KeyBuilder().u64(r.number).done();
}
std::string primary_key(const StatusUpdate& u) {
  return KeyBuilder().str(u.program).u64(all_ones - u.number).done();
}

Family family_of(const Program&) {
  return Family::programs;
}
Family family_of(const Risk&) {
  return Family::risks;
}
Family family_of(const Decision&) {
  return Family::decisions;
}

Family family_of(const Survey&) {
  return Family::surveys;
}
Family family_of(const Vote&) {
  return Family::votes;
}
Family family_of(const Allocation&) {
  return Family::allocations;
}
Family family_of(const Action&) {
  return Family::actions;
}
Family family_of(const Dependency&) {
  return Family::dependencies;
}
Family family_of(const Milestone&) {
  return Family::milestones;
}
Family family_of(const Review&) {
  return Family::reviews;
}
Family family_of(const StatusUpdate&) {
  return Family::status_updates;
}

std::string item_of(const Program& p) {
  return p.key;
}
std::string item_of(const Risk& r) {
  return risk_id(r.number);
}
std::string item_of(const Decision& d) {
  return decision_id(d.number);
}

std::string item_of(const Survey& v) {
  return survey_id(v.number);
}
std::string item_of(const Allocation& a) {
  return a.program;
}
std::string item_of(const Action& a) {
  return action_id(a.number);
}
std::string item_of(const Dependency& d) {
  return dependency_id(d.number);
}
std::string item_of(const Milestone& m) {
  return milestone_id(m.number);
}
std::string item_of(const Review& r) {
  return review_id(r.number);
}
std::string item_of(const StatusUpdate& u) {
  return u.program;
}

IndexRows index_rows(const Program&) {
  return {};
}
IndexRows index_rows(const Survey&) {
  return {};
}
IndexRows index_rows(const Vote&) {
  return {};
}
IndexRows index_rows(const Allocation&) {
  return {};
}
IndexRows index_rows(const Action&) {
  return {};
}
IndexRows index_rows(const Dependency&) {
  return {};
}
IndexRows index_rows(const Milestone&) {
  return {};
}
IndexRows index_rows(const Review&) {
  return {};
}
IndexRows index_rows(const StatusUpdate&) {
  return {};
}

IndexRows index_rows(const Risk& r) {
  auto rank = static_cast<std::uint8_t>(25 - std::clamp(r.score(), 0, 25));
  return {{Family::risks_by_program, KeyBuilder().str(r.program).u8(rank).u64(r.number).done()}};
}

IndexRows index_rows(const Decision& d) {
  std::uint64_t when = newest_first(d.date);
  std::uint64_t order = all_ones - d.number;
  IndexRows rows = {
      {Family::decisions_by_program, KeyBuilder().str(d.program).u64(when).u64(order).done()},
      {Family::decisions_by_date, KeyBuilder().u64(when).u64(order).done()},
  };
  for (const auto& tag : d.tags) {
    rows.emplace(Family::decisions_by_tag, KeyBuilder().str(tag).u64(when).u64(order).done());
  }
  return rows;
}

// The indexed text of a decision and its terms with their frequencies.
std::map<std::string, std::uint16_t> term_counts(const Decision& d, std::uint16_t& length) {
  std::string text = d.title + " " + d.context + " " + d.alternatives;
  for (const auto& t : d.tags) text += " " + t;
  std::map<std::string, std::uint16_t> counts;
  length = 0;
  for (auto& term : search_terms(text)) {
    auto& c = counts[term];
    if (c < 0xffff) ++c;
    if (length < 0xffff) ++length;
  }
  return counts;
}

std::uint32_t program_hash(std::string_view program) {
  std::uint32_t h = 2166136261U;  // FNV-1a
  for (char c : program) h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
  return h;
}

std::string chunk_key(std::string_view term, std::uint64_t number) {
  return KeyBuilder().str(term).u64(number / postings::chunk_size).done();
}

void index_text(Batch& batch, const Decision& d, bool add) {
  std::uint16_t length = 0;
  auto counts = term_counts(d, length);
  postings::Entry entry;
  entry.offset = static_cast<std::uint8_t>(d.number % postings::chunk_size);
  entry.length = length;
  entry.days = static_cast<std::int32_t>(days_from_date(d.date));
  entry.program = program_hash(d.program);
  for (const auto& [term, tf] : counts) {
    entry.tf = tf;
    batch.merge(Family::decision_terms, chunk_key(term, d.number),
                add ? postings::add_operand(entry) : postings::remove_operand(entry.offset));
  }
  batch.add_to_counter(docs_counter, add ? 1 : -1);
  batch.add_to_counter(length_counter, add ? length : -static_cast<std::int64_t>(length));
}

bool same_text(const Decision& a, const Decision& b) {
  return a.title == b.title && a.context == b.context && a.alternatives == b.alternatives &&
         a.tags == b.tags && a.date == b.date && a.program == b.program;
}

// The record and the index rows that changed between `before` and `after`.
template <class R>
void write_record(Batch& batch, const R& after, const R* before) {
  batch.put(family_of(after), primary_key(after), json(after).dump());
  IndexRows old_rows = before != nullptr ? index_rows(*before) : IndexRows{};
  IndexRows new_rows = index_rows(after);
  for (const auto& row : old_rows) {
    if (!new_rows.contains(row)) batch.remove(row.first, row.second);
  }
  for (const auto& row : new_rows) {
    if (!old_rows.contains(row)) batch.put(row.first, row.second, "");
  }
}

void audit_entry(Store& store, Batch& batch, const std::string& item, json before, json after,
                 const Change& change) {
  json entry = {{"v", record_format_version},
                {"item", item},
                {"by", change.by},
                {"at", change.at},
                {"action", change.action},
                {"after", std::move(after)},
                {"before", std::move(before)}};
  batch.put(Family::audit, KeyBuilder().str(item).u64(store.next_sequence("audit", batch)).done(),
            entry.dump());
}

template <class R>
void save_record(Store& store, Batch& batch, const R& after, const R* before,
                 const Change& change) {
  write_record(batch, after, before);
  audit_entry(store, batch, item_of(after), before != nullptr ? json(*before) : json(), json(after),
              change);
}

const std::string& settings_key() {
  static const std::string key = KeyBuilder().str("settings").done();
  return key;
}

const std::ctype<wchar_t>* unicode_ctype() {
  static const std::ctype<wchar_t>* facet = []() -> const std::ctype<wchar_t>* {
    try {
      static const std::locale utf8("C.UTF-8");
      return &std::use_facet<std::ctype<wchar_t>>(utf8);
    } catch (const std::runtime_error&) {
      return nullptr;  // no UTF-8 locale installed: ASCII rules only
    }
  }();
  return facet;
}

const std::set<std::string, std::less<>>& stop_words() {
  static const std::set<std::string, std::less<>> words = {
      "a",  "an", "and", "are", "as",  "at",   "be",   "by", "for", "from", "in",   "is",
      "it", "of", "on",  "or",  "the", "that", "this", "to", "was", "we",   "will", "with"};
  return words;
}

}  // namespace

std::string risk_id(std::uint64_t number) {
  return "R-" + std::to_string(number);
}
std::string decision_id(std::uint64_t number) {
  return "D-" + std::to_string(number);
}
std::string review_id(std::uint64_t number) {
  return "V-" + std::to_string(number);
}
std::string milestone_id(std::uint64_t number) {
  return "M-" + std::to_string(number);
}
std::string dependency_id(std::uint64_t number) {
  return "X-" + std::to_string(number);
}
std::string action_id(std::uint64_t number) {
  return "A-" + std::to_string(number);
}
std::string survey_id(std::uint64_t number) {
  return "Q-" + std::to_string(number);
}

std::vector<std::string> search_terms(std::string_view text) {
  const auto* ctype = unicode_ctype();
  std::vector<std::string> terms;
  std::string current;
  std::size_t current_chars = 0;
  auto flush = [&] {
    if (current_chars >= 2 && !stop_words().contains(current)) terms.push_back(current);
    current.clear();
    current_chars = 0;
  };
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = utf8::next(text, pos);
    auto wc = static_cast<wchar_t>(cp);
    bool word = cp < 0x80 ? std::isalnum(static_cast<int>(cp)) != 0
                          : ctype != nullptr && ctype->is(std::ctype_base::alnum, wc);
    if (!word) {
      flush();
      continue;
    }
    char32_t lower = cp < 0x80 ? static_cast<char32_t>(std::tolower(static_cast<int>(cp)))
                               : static_cast<char32_t>(ctype->tolower(wc));
    if (current_chars < 40) utf8::append(current, lower);
    ++current_chars;
  }
  flush();
  return terms;
}

std::optional<Program> Repositories::program(std::string_view key) const {
  return load<Program>(store_, Family::programs, key);
}

std::vector<Program> Repositories::programs() const {
  return load_all<Program>(store_, Family::programs);
}

std::optional<Risk> Repositories::risk(std::uint64_t number) const {
  return load<Risk>(store_, Family::risks, KeyBuilder().u64(number).done());
}

std::optional<Survey> Repositories::survey(std::uint64_t number) const {
  return load<Survey>(store_, Family::surveys, KeyBuilder().u64(number).done());
}

std::vector<Survey> Repositories::surveys() const {
  return load_all<Survey>(store_, Family::surveys);
}

std::optional<Vote> Repositories::vote(std::uint64_t survey, std::string_view user) const {
  return load<Vote>(store_, Family::votes, KeyBuilder().u64(survey).str(user).done());
}

std::vector<Vote> Repositories::votes(std::uint64_t survey) const {
  std::vector<Vote> out;
  store_.scan(Family::votes, KeyBuilder().u64(survey).done(),
              [&](std::string_view, std::string_view value) {
                auto j = json::parse(value, nullptr, false);
                if (!j.is_discarded()) out.push_back(j.get<Vote>());
                return true;
              });
  return out;
}

std::vector<Allocation> Repositories::allocations() const {
  return load_all<Allocation>(store_, Family::allocations);
}

std::optional<Action> Repositories::action(std::uint64_t number) const {
  return load<Action>(store_, Family::actions, KeyBuilder().u64(number).done());
}

std::vector<Action> Repositories::actions() const {
  return load_all<Action>(store_, Family::actions);
}

std::optional<Dependency> Repositories::dependency(std::uint64_t number) const {
  return load<Dependency>(store_, Family::dependencies, KeyBuilder().u64(number).done());
}

std::vector<Dependency> Repositories::dependencies() const {
  return load_all<Dependency>(store_, Family::dependencies);
}

std::optional<Milestone> Repositories::milestone(std::uint64_t number) const {
  return load<Milestone>(store_, Family::milestones, KeyBuilder().u64(number).done());
}

std::vector<Milestone> Repositories::milestones() const {
  return load_all<Milestone>(store_, Family::milestones);
}

std::optional<Review> Repositories::review(std::uint64_t number) const {
  return load<Review>(store_, Family::reviews, KeyBuilder().u64(number).done());
}

std::vector<Review> Repositories::reviews() const {
  return load_all<Review>(store_, Family::reviews);
}

std::vector<StatusUpdate> Repositories::status_updates(std::string_view program,
                                                       std::size_t limit) const {
  std::vector<StatusUpdate> out;
  if (limit == 0) return out;
  store_.scan(Family::status_updates, KeyBuilder().str(program).done(),
              [&](std::string_view, std::string_view value) {
                auto j = json::parse(value, nullptr, false);
                if (!j.is_discarded()) out.push_back(j.get<StatusUpdate>());
                return out.size() < limit;
              });
  return out;
}

std::vector<Risk> Repositories::risks() const {
  return load_all<Risk>(store_, Family::risks);
}

std::vector<Risk> Repositories::risks_of_program(std::string_view program) const {
  // Lists and agendas ask for the same program's risks over and over between writes: the
  // answer is kept until the next write to the risks family (index rows change only with it).
  std::uint64_t version = store_.version(Family::risks);
  {
    std::lock_guard lock(program_risks_mutex_);
    if (program_risks_.version == version) {
      if (auto it = program_risks_.by_program.find(program); it != program_risks_.by_program.end())
        return it->second;
    }
  }
  std::vector<Risk> out;
  store_.scan(Family::risks_by_program, KeyBuilder().str(program).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.str();
                (void)r.u8();
                if (auto number = r.u64()) {
                  if (auto risk = this->risk(*number)) out.push_back(std::move(*risk));
                }
                return true;
              });
  std::lock_guard lock(program_risks_mutex_);
  if (program_risks_.version != version || program_risks_.by_program.size() >= 64) {
    program_risks_.by_program.clear();
    program_risks_.version = version;
  }
  program_risks_.by_program.insert_or_assign(std::string(program), out);
  return out;
}

std::optional<Decision> Repositories::decision(std::uint64_t number) const {
  return load<Decision>(store_, Family::decisions, KeyBuilder().u64(number).done());
}

std::vector<Decision> Repositories::decisions(const DecisionFilter& filter, std::size_t limit,
                                              std::size_t* total) const {
  Family family = Family::decisions_by_date;
  std::string prefix;
  if (!filter.program.empty()) {
    family = Family::decisions_by_program;
    prefix = KeyBuilder().str(filter.program).done();
  } else if (!filter.tag.empty()) {
    family = Family::decisions_by_tag;
    prefix = KeyBuilder().str(filter.tag).done();
  }
  std::vector<Decision> out;
  std::size_t matched = 0;
  store_.scan(family, prefix, [&](std::string_view key, std::string_view) {
    KeyReader r(key.substr(prefix.size()));
    auto when = r.u64();
    auto order = r.u64();
    if (!when || !order) return true;
    auto days = static_cast<std::int64_t>(all_ones - *when);
    if (filter.until_days != 0 && days > filter.until_days) return true;
    if (filter.since_days != 0 && days < filter.since_days) return false;  // newest first: done
    auto d = decision(all_ones - *order);
    if (!d) return true;
    if (!filter.tag.empty() &&
        std::find(d->tags.begin(), d->tags.end(), filter.tag) == d->tags.end())
      return true;
    if (!filter.by.empty() &&
        std::find(d->decided_by.begin(), d->decided_by.end(), filter.by) == d->decided_by.end() &&
        d->created_by != filter.by) {
      return true;
    }
    ++matched;
    if (out.size() < limit) out.push_back(std::move(*d));
    return true;
  });
  if (total != nullptr) *total = matched;
  return out;
}

std::vector<SearchHit> Repositories::search_decisions(const SearchQuery& query,
                                                      std::size_t* total) const {
  auto terms = search_terms(query.words);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  double docs = static_cast<double>(std::max<std::int64_t>(store_.counter(docs_counter), 1));
  double average_length =
      static_cast<double>(std::max<std::int64_t>(store_.counter(length_counter), 1)) / docs;
  std::uint32_t wanted_program = program_hash(query.program);
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;

  // Scores accumulate in a dense array indexed by decision number; `touched` lists the
  // numbers that scored, so clearing costs only what the query used.
  thread_local std::vector<float> scores;
  thread_local std::vector<std::uint64_t> touched;
  touched.clear();
  std::vector<std::pair<std::uint64_t, postings::Entry>> found;
  for (const auto& term : terms) {
    found.clear();
    std::string prefix = KeyBuilder().str(term).done();
    store_.scan(Family::decision_terms, prefix, [&](std::string_view key, std::string_view value) {
      KeyReader r(key.substr(prefix.size()));
      std::uint64_t base = r.u64().value_or(0) * postings::chunk_size;
      postings::for_each(value,
                         [&](const postings::Entry& e) { found.emplace_back(base + e.offset, e); });
      return true;
    });
    // idf counts every document with the term; the program filter only narrows the results.
    double df = static_cast<double>(found.size());
    double idf = std::log(1.0 + (docs - df + 0.5) / (df + 0.5));
    for (const auto& [number, p] : found) {
      if (!query.program.empty() && p.program != wanted_program) continue;
      if (number >= scores.size())
        scores.resize(std::max<std::size_t>(number + 1, scores.size() * 2), 0.0F);
      double tf = p.tf;
      double norm = k1 * (1.0 - b + b * static_cast<double>(p.length) / average_length);
      if (scores[number] == 0.0F) touched.push_back(number);
      scores[number] += static_cast<float>(idf * tf * (k1 + 1.0) / (tf + norm));
    }
  }
  std::vector<SearchHit> hits;
  hits.reserve(touched.size());
  for (std::uint64_t number : touched) {
    hits.push_back({number, scores[number]});
    scores[number] = 0.0F;
  }
  auto better = [](const SearchHit& a, const SearchHit& b2) {
    return a.score != b2.score ? a.score > b2.score : a.number > b2.number;
  };
  // Confirm the program of the best candidates (the posting holds only a hash of it).
  std::vector<SearchHit> out;
  while (out.size() < query.limit && !hits.empty()) {
    std::size_t take = std::min(hits.size(), query.limit - out.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(take), hits.end(),
                      better);
    for (std::size_t i = 0; i < take; ++i) {
      if (query.program.empty() ||
          (decision(hits[i].number) && decision(hits[i].number)->program == query.program)) {
        out.push_back(hits[i]);
      }
    }
    hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(take));
  }
  if (total != nullptr) *total = out.size() + hits.size();
  return out;
}

namespace {

std::string seen_key(std::string_view id) {
  return KeyBuilder().str("i").str(id).done();
}
std::string expiry_key(std::int64_t at, std::string_view id) {
  return KeyBuilder().str("e").u64(static_cast<std::uint64_t>(at)).str(id).done();
}
std::string job_key(std::int64_t due_ms, std::uint64_t seq) {
  return KeyBuilder().u64(static_cast<std::uint64_t>(due_ms)).u64(seq).done();
}

}  // namespace

void Repositories::restore_settings(Batch& batch, const json& settings) {
  batch.put(Family::meta, settings_key(), settings.dump());
}

json Repositories::settings() const {
  auto raw = store_.get(Family::meta, settings_key());
  if (!raw) return json::object();
  auto j = json::parse(*raw, nullptr, false);
  return j.is_object() ? j : json::object();
}

void Repositories::save_settings(Batch& batch, const json& after, const json& before,
                                 const Change& change) {
  batch.put(Family::meta, settings_key(), after.dump());
  audit_entry(store_, batch, "config", before, after, change);
}

bool Repositories::seen(std::string_view id, std::int64_t now_ms) const {
  auto expiry = store_.get(Family::dedupe, seen_key(id));
  if (!expiry) return false;
  KeyReader r(*expiry);
  return static_cast<std::int64_t>(r.u64().value_or(0)) > now_ms;
}

void Repositories::remember(Batch& batch, std::string_view id, std::int64_t expires_at_ms) {
  if (auto old = store_.get(Family::dedupe, seen_key(id))) {
    KeyReader r(*old);
    batch.remove(Family::dedupe, expiry_key(static_cast<std::int64_t>(r.u64().value_or(0)), id));
  }
  batch.put(Family::dedupe, seen_key(id),
            KeyBuilder().u64(static_cast<std::uint64_t>(expires_at_ms)).done());
  batch.put(Family::dedupe, expiry_key(expires_at_ms, id), "");
}

std::size_t Repositories::expire_seen(std::int64_t now_ms, std::size_t max) {
  Batch batch;
  std::size_t removed = 0;
  std::string prefix = KeyBuilder().str("e").done();
  store_.scan(Family::dedupe, prefix, [&](std::string_view key, std::string_view) {
    KeyReader r(key.substr(prefix.size()));
    auto at = r.u64();
    auto id = r.str();
    if (!at || !id || static_cast<std::int64_t>(*at) > now_ms || removed >= max) return false;
    batch.remove(Family::dedupe, key);
    batch.remove(Family::dedupe, seen_key(*id));
    ++removed;
    return true;
  });
  if (removed > 0 && !store_.commit(std::move(batch))) return 0;
  return removed;
}

std::uint64_t Repositories::enqueue(Batch& batch, const nlohmann::json& message) {
  std::uint64_t seq = store_.next_sequence("outbox", batch);
  batch.put(Family::outbox, KeyBuilder().u64(seq).done(), message.dump());
  return seq;
}

std::vector<OutboxEntry> Repositories::outbox(std::size_t limit) const {
  std::vector<OutboxEntry> out;
  store_.scan(Family::outbox, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    out.push_back(OutboxEntry{r.u64().value_or(0), json::parse(value, nullptr, false)});
    return out.size() < limit;
  });
  return out;
}

void Repositories::dequeue(Batch& batch, std::uint64_t seq) {
  batch.remove(Family::outbox, KeyBuilder().u64(seq).done());
}

std::uint64_t Repositories::schedule(Batch& batch, std::int64_t due_ms, const nlohmann::json& job) {
  std::uint64_t seq = store_.next_sequence("job", batch);
  batch.put(Family::schedule, job_key(due_ms, seq), job.dump());
  return seq;
}

std::vector<ScheduledJob> Repositories::due_jobs(std::int64_t now_ms, std::size_t limit) const {
  std::vector<ScheduledJob> out;
  store_.scan(Family::schedule, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto due = static_cast<std::int64_t>(r.u64().value_or(0));
    if (due > now_ms || out.size() >= limit) return false;
    out.push_back(ScheduledJob{due, r.u64().value_or(0), json::parse(value, nullptr, false)});
    return true;
  });
  return out;
}

std::optional<std::int64_t> Repositories::next_due() const {
  std::optional<std::int64_t> due;
  store_.scan(Family::schedule, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    due = static_cast<std::int64_t>(r.u64().value_or(0));
    return false;
  });
  return due;
}

void Repositories::unschedule(Batch& batch, const ScheduledJob& job) {
  batch.remove(Family::schedule, job_key(job.due_ms, job.seq));
}

void Repositories::rebuild_search_index() {
  auto commit = [&](Batch& batch) {
    if (auto r = store_.commit(std::move(batch)); !r)
      throw StoreError("cannot rebuild the search index: " + r.error);
    batch = Batch();
  };
  Batch batch;
  store_.scan(Family::decision_terms, "", [&](std::string_view key, std::string_view) {
    batch.remove(Family::decision_terms, key);
    if (batch.size() >= 10000) commit(batch);
    return true;
  });
  for (auto name : {docs_counter, length_counter}) {
    batch.put(Family::meta, KeyBuilder().str("ctr").str(name).done(), KeyBuilder().u64(0).done());
  }
  commit(batch);
  store_.scan(Family::decisions, "", [&](std::string_view, std::string_view value) {
    auto j = json::parse(value, nullptr, false);
    if (!j.is_discarded()) index_text(batch, j.get<Decision>(), true);
    if (batch.size() >= 10000) commit(batch);
    return true;
  });
  commit(batch);
}

std::vector<std::string> Repositories::check() const {
  std::vector<std::string> problems;
  IndexRows expected;
  std::set<std::pair<std::string, std::uint64_t>> expected_postings;
  std::uint64_t max_risk = 0;
  std::uint64_t max_decision = 0;
  for (const auto& r : risks()) {
    max_risk = std::max(max_risk, r.number);
    for (auto& row : index_rows(r)) expected.insert(std::move(row));
  }
  std::int64_t docs = 0;
  std::int64_t total_length = 0;
  store_.scan(Family::decisions, "", [&](std::string_view, std::string_view value) {
    auto j = json::parse(value, nullptr, false);
    if (j.is_discarded()) {
      problems.emplace_back("a decision record is not JSON");
      return true;
    }
    auto d = j.get<Decision>();
    max_decision = std::max(max_decision, d.number);
    for (auto& row : index_rows(d)) expected.insert(std::move(row));
    std::uint16_t length = 0;
    for (const auto& [term, tf] : term_counts(d, length)) expected_postings.emplace(term, d.number);
    ++docs;
    total_length += length;
    return true;
  });
  for (Family f : {Family::risks_by_program, Family::decisions_by_program,
                   Family::decisions_by_date, Family::decisions_by_tag}) {
    store_.scan(f, "", [&](std::string_view key, std::string_view) {
      if (expected.erase({f, std::string(key)}) == 0) {
        problems.push_back(std::string(family_name(f)) + ": a row points at no matching record");
      }
      return true;
    });
  }
  for (const auto& [f, key] : expected)
    problems.push_back(std::string(family_name(f)) + ": a record lacks its row");
  store_.scan(Family::decision_terms, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto term = r.str();
    auto chunk = r.u64();
    if (!term || !chunk) {
      problems.emplace_back("decision_terms: a malformed key");
      return true;
    }
    postings::for_each(value, [&](const postings::Entry& e) {
      if (expected_postings.erase({std::string(*term), *chunk * postings::chunk_size + e.offset}) ==
          0) {
        problems.emplace_back("decision_terms: a posting points at no matching decision");
      }
    });
    return true;
  });
  if (!expected_postings.empty()) {
    problems.push_back("decision_terms: " + std::to_string(expected_postings.size()) +
                       " postings missing");
  }
  if (store_.counter(docs_counter) != docs || store_.counter(length_counter) != total_length) {
    problems.emplace_back("search statistics do not match the decisions");
  }
  auto sequence = [&](std::string_view name) {
    auto v = store_.get(Family::meta, KeyBuilder().str("seq").str(name).done());
    std::string raw = v.value_or("");
    KeyReader r(raw);
    return r.u64().value_or(0);
  };
  if (sequence("risk") < max_risk)
    problems.emplace_back("the risk sequence is behind a stored risk");
  if (sequence("decision") < max_decision)
    problems.emplace_back("the decision sequence is behind a stored decision");
  std::uint64_t max_review = 0;
  for (const auto& r : reviews()) max_review = std::max(max_review, r.number);
  if (sequence("review") < max_review)
    problems.emplace_back("the review sequence is behind a stored review");
  std::uint64_t max_milestone = 0;
  for (const auto& m : milestones()) max_milestone = std::max(max_milestone, m.number);
  if (sequence("milestone") < max_milestone)
    problems.emplace_back("the milestone sequence is behind a stored milestone");
  std::uint64_t max_dependency = 0;
  for (const auto& d : dependencies()) max_dependency = std::max(max_dependency, d.number);
  if (sequence("dependency") < max_dependency)
    problems.emplace_back("the dependency sequence is behind a stored dependency");
  std::uint64_t max_action = 0;
  for (const auto& a : actions()) max_action = std::max(max_action, a.number);
  if (sequence("action") < max_action)
    problems.emplace_back("the action sequence is behind a stored action");
  std::uint64_t max_survey = 0;
  std::set<std::uint64_t> survey_numbers;
  for (const auto& v : surveys()) {
    max_survey = std::max(max_survey, v.number);
    survey_numbers.insert(v.number);
  }
  if (sequence("survey") < max_survey)
    problems.emplace_back("the survey sequence is behind a stored survey");
  store_.scan(Family::votes, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    auto number = r.u64();
    if (!number || !survey_numbers.contains(*number))
      problems.emplace_back("votes: a vote points at no survey");
    return true;
  });
  return problems;
}

std::vector<AuditEntry> Repositories::audit(std::string_view item) const {
  std::vector<AuditEntry> out;
  store_.scan(Family::audit, KeyBuilder().str(item).done(),
              [&](std::string_view, std::string_view value) {
                auto j = json::parse(value, nullptr, false);
                if (j.is_discarded()) return true;
                out.push_back(AuditEntry{j.value("item", ""), j.value("by", ""),
                                         j.value("at", std::int64_t{0}), j.value("action", ""),
                                         j.value("before", json()), j.value("after", json())});
                return true;
              });
  return out;
}

void Repositories::restore(Batch& batch, const Program& record) {
  write_record<Program>(batch, record, nullptr);
}

void Repositories::restore(Batch& batch, const Risk& record) {
  write_record<Risk>(batch, record, nullptr);
}

void Repositories::restore(Batch& batch, const Decision& record) {
  write_record<Decision>(batch, record, nullptr);
  index_text(batch, record, true);
}

void Repositories::save(Batch& batch, const Survey& after, const Survey* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::save(Batch& batch, const Vote& after, const Vote* before, const Change& change) {
  // Who voted and when is audited; the score is not, so `audit Q-n` does not show how each
  // person answered.
  write_record(batch, after, before);
  audit_entry(store_, batch, survey_id(after.survey), json(),
              json{{"voter", after.user}, {"vote", before != nullptr ? "changed" : "cast"}},
              change);
}

void Repositories::restore(Batch& batch, const Survey& record) {
  write_record<Survey>(batch, record, nullptr);
}

void Repositories::restore(Batch& batch, const Vote& record) {
  write_record<Vote>(batch, record, nullptr);
}

void Repositories::restore(Batch& batch, const Allocation& record) {
  write_record<Allocation>(batch, record, nullptr);
}

void Repositories::save(Batch& batch, const Allocation& after, const Allocation* before,
                        const Change& change) {
  if (after.percent > 0) {
    save_record(store_, batch, after, before, change);
    return;
  }
  batch.remove(Family::allocations, primary_key(after));
  audit_entry(store_, batch, item_of(after), before != nullptr ? json(*before) : json(), json(),
              change);
}

void Repositories::restore(Batch& batch, const Action& record) {
  write_record<Action>(batch, record, nullptr);
}

void Repositories::save(Batch& batch, const Action& after, const Action* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::restore(Batch& batch, const Dependency& record) {
  write_record<Dependency>(batch, record, nullptr);
}

void Repositories::save(Batch& batch, const Dependency& after, const Dependency* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::restore(Batch& batch, const Milestone& record) {
  write_record<Milestone>(batch, record, nullptr);
}

void Repositories::save(Batch& batch, const Milestone& after, const Milestone* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::restore(Batch& batch, const Review& record) {
  write_record<Review>(batch, record, nullptr);
}

void Repositories::restore(Batch& batch, const StatusUpdate& record) {
  write_record<StatusUpdate>(batch, record, nullptr);
}

void Repositories::save(Batch& batch, const Review& after, const Review* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::save(Batch& batch, const StatusUpdate& update, const Change& change) {
  save_record(store_, batch, update, static_cast<const StatusUpdate*>(nullptr), change);
}

void Repositories::save(Batch& batch, const Program& after, const Program* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::save(Batch& batch, const Risk& after, const Risk* before, const Change& change) {
  save_record(store_, batch, after, before, change);
}

void Repositories::save(Batch& batch, const Decision& after, const Decision* before,
                        const Change& change) {
  save_record(store_, batch, after, before, change);
  if (before == nullptr) {
    index_text(batch, after, true);
  } else if (!same_text(after, *before)) {
    index_text(batch, *before, false);
    index_text(batch, after, true);
  }
}

}  // namespace itpm::storage
