#pragma once
// Full-text search over decisions: BM25 over postings packed per term and chunk of decision
// numbers (posting_list.hpp), kept in step with every decision write.

#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::storage {

struct SearchHit {
  std::uint64_t number = 0;
  double score = 0;
};

struct SearchQuery {
  std::string words;
  std::string program;  // empty: every program
  std::size_t limit = 20;
};

class DecisionSearch {
 public:
  explicit DecisionSearch(Store& store) : store_(store) {}

  // Decisions matching `query.words`, ranked by BM25, best first; `total` receives how many
  // matched in all.
  [[nodiscard]] std::vector<SearchHit> search(const SearchQuery& query,
                                              std::size_t* total = nullptr) const;

  // Drops every search posting and counter and indexes every decision again, committing as
  // it goes (a migration step; safe to run again if interrupted). Throws StoreError.
  void rebuild();

  // Adds to `problems` every posting without its decision, every decision without its
  // postings, and statistics that do not match the decisions.
  void check(std::vector<std::string>& problems) const;

 private:
  Store& store_;
};

// Search terms of a text: Unicode-aware lowercase words of letters and digits (k8s, p99 and
// s3 stay whole), without common English stop words.
std::vector<std::string> search_terms(std::string_view text);

}  // namespace itpm::storage
