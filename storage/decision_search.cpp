#include "storage/decision_search.hpp"

#include "common/iso_date.hpp"
#include "common/utf8.hpp"
#include "storage/key_codec.hpp"
#include "storage/posting_list.hpp"
#include "storage/record_codec.hpp"
#include "storage/record_traits.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <locale>
#include <map>
#include <set>

namespace itpm::storage {
namespace {

using common::days_from_date;
using nlohmann::json;

constexpr std::uint64_t all_ones = ~std::uint64_t{0};
constexpr std::string_view docs_counter = "decision_docs";
constexpr std::string_view length_counter = "decision_terms";

std::uint64_t newest_first(std::string_view date) {
  return all_ones - static_cast<std::uint64_t>(days_from_date(date));
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
  entry.offset = static_cast<std::uint16_t>(d.number % postings::chunk_size);
  entry.length = length;
  entry.days = static_cast<std::int32_t>(days_from_date(d.date));
  entry.program = program_hash(d.program);
  for (const auto& [term, tf] : counts) {
    entry.tf = tf;
    batch.merge(Family::decision_postings, chunk_key(term, d.number),
                add ? postings::add_operand(entry) : postings::remove_operand(entry.offset));
  }
  batch.add_to_counter(docs_counter, add ? 1 : -1);
  batch.add_to_counter(length_counter, add ? length : -static_cast<std::int64_t>(length));
}

bool same_text(const Decision& a, const Decision& b) {
  return a.title == b.title && a.context == b.context && a.alternatives == b.alternatives &&
         a.tags == b.tags && a.date == b.date && a.program == b.program;
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

std::string decision_program(const Store& store, std::uint64_t number) {
  auto raw = store.get(Family::decisions, RecordTraits<Decision>::key(number));
  auto d = raw ? decode_record<Decision>(*raw) : std::nullopt;
  return d ? d->program : std::string();
}

}  // namespace

IndexRows RecordTraits<Decision>::index_rows(const Decision& d) {
  std::uint64_t when = newest_first(d.date);
  std::uint64_t order = all_ones - d.number;
  IndexRows rows = {
      {Family::decisions_by_program, KeyBuilder().str(d.program).u64(when).u64(order).done()},
      {Family::decisions_by_date, KeyBuilder().u64(when).u64(order).done()},
  };
  for (const auto& tag : d.tags) {
    rows.emplace(Family::decisions_by_tag, KeyBuilder().str(tag).u64(when).u64(order).done());
  }
  for (const auto& person : d.decided_by) {
    rows.emplace(Family::decisions_by_person, KeyBuilder().str(person).u64(when).u64(order).done());
  }
  if (!d.created_by.empty()) {
    rows.emplace(Family::decisions_by_person,
                 KeyBuilder().str(d.created_by).u64(when).u64(order).done());
  }
  return rows;
}

void RecordTraits<Decision>::after_write(Batch& batch, const Decision* before,
                                         const Decision& after) {
  if (before == nullptr) {
    index_text(batch, after, true);
  } else if (!same_text(after, *before)) {
    index_text(batch, *before, false);
    index_text(batch, after, true);
  }
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
    char32_t cp = common::utf8::next(text, pos);
    auto wc = static_cast<wchar_t>(cp);
    bool word = cp < 0x80 ? std::isalnum(static_cast<int>(cp)) != 0
                          : ctype != nullptr && ctype->is(std::ctype_base::alnum, wc);
    if (!word) {
      flush();
      continue;
    }
    char32_t lower = cp < 0x80 ? static_cast<char32_t>(std::tolower(static_cast<int>(cp)))
                               : static_cast<char32_t>(ctype->tolower(wc));
    if (current_chars < 40) common::utf8::append(current, lower);
    ++current_chars;
  }
  flush();
  return terms;
}

std::vector<SearchHit> DecisionSearch::search(const SearchQuery& query, std::size_t* total) const {
  auto terms = search_terms(query.words);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  double docs = static_cast<double>(std::max<std::int64_t>(store_.counter(docs_counter), 1));
  double average_length =
      static_cast<double>(std::max<std::int64_t>(store_.counter(length_counter), 1)) / docs;
  std::uint32_t wanted_program = program_hash(query.program);
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;

  // Each term's posting chunks are copied as they are (its document count, for idf, is known
  // only after reading them all). Then the lists are walked together a chunk (4,096 decision
  // numbers) at a time: a chunk's scores add up in a small array that stays in cache, and
  // each scored decision is offered to the hits once.
  struct TermList {
    std::string bytes;
    std::vector<std::pair<std::uint64_t, std::size_t>> chunks;  // chunk number, end in bytes
    float scale = 0;                                            // idf * (k1 + 1)
    std::size_t next = 0;                                       // the chunk to score next
  };
  thread_local std::vector<TermList> lists_memory;  // kept: its buffers are megabytes
  auto& lists = lists_memory;
  if (lists.size() < terms.size()) lists.resize(terms.size());
  for (std::size_t t = 0; t < terms.size(); ++t) {
    auto& list = lists[t];
    list.bytes.clear();
    list.chunks.clear();
    list.next = 0;
    std::string prefix = KeyBuilder().str(terms[t]).done();
    store_.scan(
        Family::decision_postings, prefix, [&](std::string_view key, std::string_view value) {
          KeyReader r(key.substr(prefix.size()));
          list.bytes.append(value.substr(0, value.size() - value.size() % postings::entry_size));
          list.chunks.emplace_back(r.u64().value_or(0), list.bytes.size());
          return true;
        });
    // idf counts every document with the term; the program filter only narrows the results.
    double df = static_cast<double>(list.bytes.size() / postings::entry_size);
    list.scale = static_cast<float>((k1 + 1.0) * std::log(1.0 + (docs - df + 0.5) / (df + 0.5)));
  }
  // BM25's tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average)), per posting.
  auto fixed = static_cast<float>(k1 * (1.0 - b));
  auto per_length = static_cast<float>(k1 * b / average_length);
  bool filtered = !query.program.empty();
  auto better = [](const SearchHit& a, const SearchHit& b2) {
    return a.score != b2.score ? a.score > b2.score : a.number > b2.number;
  };
  // Unfiltered, every scored decision is a hit: the best `limit` stay in a heap whose top is
  // the worst kept. Filtered, each is a candidate whose program is confirmed below.
  std::vector<SearchHit> best;
  std::vector<SearchHit> hits;
  std::size_t scored = 0;
  auto offer = [&](SearchHit hit) {
    ++scored;
    if (filtered) {
      hits.push_back(hit);
    } else if (best.size() < query.limit) {
      best.push_back(hit);
      std::push_heap(best.begin(), best.end(), better);
    } else if (query.limit > 0 && better(hit, best.front())) {
      std::pop_heap(best.begin(), best.end(), better);
      best.back() = hit;
      std::push_heap(best.begin(), best.end(), better);
    }
  };
  std::array<float, postings::chunk_size> chunk_scores{};
  constexpr std::size_t words = postings::chunk_size / 64;
  while (true) {
    auto chunk = all_ones;
    for (std::size_t t = 0; t < terms.size(); ++t) {
      if (lists[t].next < lists[t].chunks.size())
        chunk = std::min(chunk, lists[t].chunks[lists[t].next].first);
    }
    if (chunk == all_ones) break;
    std::array<std::uint64_t, words> seen{};
    for (std::size_t t = 0; t < terms.size(); ++t) {
      auto& list = lists[t];
      if (list.next == list.chunks.size() || list.chunks[list.next].first != chunk) continue;
      std::size_t at = list.next == 0 ? 0 : list.chunks[list.next - 1].second;
      std::size_t end = list.chunks[list.next].second;
      ++list.next;
      for (; at < end; at += postings::entry_size) {
        auto p = postings::decode(list.bytes.data() + at);
        if (filtered && p.program != wanted_program) continue;
        auto tf = static_cast<float>(p.tf);
        float score = list.scale * tf / (tf + fixed + per_length * static_cast<float>(p.length));
        std::uint64_t bit = std::uint64_t{1} << (p.offset % 64U);
        auto& word = seen[p.offset / 64U];
        chunk_scores[p.offset] = (word & bit) != 0 ? chunk_scores[p.offset] + score : score;
        word |= bit;
      }
    }
    for (std::size_t w = 0; w < words; ++w) {
      for (auto bits = seen[w]; bits != 0; bits &= bits - 1) {
        auto offset = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        offer({chunk * postings::chunk_size + offset, chunk_scores[offset]});
      }
    }
  }
  if (!filtered) {
    std::sort_heap(best.begin(), best.end(), better);
    if (total != nullptr) *total = scored;
    return best;
  }
  // Confirm the program of the best candidates (the posting holds only a hash of it).
  std::vector<SearchHit> out;
  while (out.size() < query.limit && !hits.empty()) {
    std::size_t take = std::min(hits.size(), query.limit - out.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(take), hits.end(),
                      better);
    for (std::size_t i = 0; i < take; ++i) {
      if (decision_program(store_, hits[i].number) == query.program) out.push_back(hits[i]);
    }
    hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(take));
  }
  if (total != nullptr) *total = out.size() + hits.size();
  return out;
}

void DecisionSearch::rebuild() {
  auto commit = [&](Batch& batch) {
    if (auto r = store_.commit(std::move(batch)); !r)
      throw StoreError("cannot rebuild the search index: " + r.error);
    batch = Batch();
  };
  Batch batch;
  for (Family f : {Family::decision_terms, Family::decision_postings}) {
    store_.scan(f, "", [&](std::string_view key, std::string_view) {
      batch.remove(f, key);
      if (batch.size() >= 10000) commit(batch);
      return true;
    });
  }
  for (auto name : {docs_counter, length_counter}) {
    batch.put(Family::meta, KeyBuilder().str("ctr").str(name).done(), KeyBuilder().u64(0).done());
  }
  commit(batch);
  store_.scan(Family::decisions, "", [&](std::string_view, std::string_view value) {
    if (auto d = parse_record<Decision>(value)) index_text(batch, *d, true);
    if (batch.size() >= 10000) commit(batch);
    return true;
  });
  commit(batch);
  store_.compact(Family::decision_terms);
  store_.compact(Family::decision_postings);
}

void DecisionSearch::check(std::vector<std::string>& problems) const {
  std::set<std::pair<std::string, std::uint64_t>> expected;
  std::int64_t docs = 0;
  std::int64_t total_length = 0;
  store_.scan(Family::decisions, "", [&](std::string_view, std::string_view value) {
    auto d = parse_record<Decision>(value);
    if (!d) return true;  // reported with the records
    std::uint16_t length = 0;
    for (const auto& [term, tf] : term_counts(*d, length)) expected.emplace(term, d->number);
    ++docs;
    total_length += length;
    return true;
  });
  store_.scan(Family::decision_terms, "", [&](std::string_view, std::string_view) {
    problems.emplace_back("decision_terms: rows left from before schema 5");
    return false;
  });
  store_.scan(Family::decision_postings, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto term = r.str();
    auto chunk = r.u64();
    if (!term || !chunk) {
      problems.emplace_back("decision_postings: a malformed key");
      return true;
    }
    postings::for_each(value, [&](const postings::Entry& e) {
      if (expected.erase({std::string(*term), *chunk * postings::chunk_size + e.offset}) == 0)
        problems.emplace_back("decision_postings: a posting points at no matching decision");
    });
    return true;
  });
  if (!expected.empty())
    problems.push_back("decision_postings: " + std::to_string(expected.size()) +
                       " postings missing");
  if (store_.counter(docs_counter) != docs || store_.counter(length_counter) != total_length)
    problems.emplace_back("search statistics do not match the decisions");
}

}  // namespace itpm::storage
