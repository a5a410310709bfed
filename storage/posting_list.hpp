#pragma once
// Decision search postings, packed: one value per (term, chunk of 256 decision numbers) holds
// an entry per decision in that chunk. Entries are added and removed with RocksDB merge
// operands, so concurrent or pipelined batches never lose each other's updates.

#include <rocksdb/merge_operator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace itpm::storage::postings {

constexpr std::uint64_t chunk_size = 256;
constexpr std::size_t entry_size = 13;

struct Entry {
  std::uint8_t offset = 0;    // number % chunk_size
  std::uint16_t tf = 0;       // term frequency in the decision
  std::uint16_t length = 0;   // the decision's length in terms
  std::int32_t days = 0;      // the decision's date
  std::uint32_t program = 0;  // a hash of the decision's program
};

// The merge operand that adds (or replaces) or removes an entry.
std::string add_operand(const Entry& e);
std::string remove_operand(std::uint8_t offset);

// Calls visit(entry) for each entry of a chunk value, in offset order.
template <class Visit>
void for_each(std::string_view chunk, Visit&& visit);

Entry decode(const char* p);

// The merge operator for the decision_terms family.
std::shared_ptr<rocksdb::MergeOperator> merge_operator();

template <class Visit>
void for_each(std::string_view chunk, Visit&& visit) {
  for (std::size_t at = 0; at + entry_size <= chunk.size(); at += entry_size)
    visit(decode(chunk.data() + at));
}

}  // namespace itpm::storage::postings
