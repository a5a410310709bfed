#pragma once
// Decision search postings, packed: one value per (term, chunk of 4,096 decision numbers)
// holds an entry per decision in that chunk, in number order (decision_postings). Entries are
// added and removed with RocksDB merge operands, so concurrent or pipelined batches never lose
// each other's updates. A three-word query over a million decisions reads ~700 keys.
//
// Before schema 5, decision_terms held them in chunks of 256 with a one-byte offset; its merge
// operator stays so that RocksDB can compact what an older store holds there until the
// migration has removed it.

#include <rocksdb/merge_operator.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace itpm::storage::postings {

constexpr std::uint64_t chunk_size = 4096;
constexpr std::size_t entry_size = 14;

struct Entry {
  std::uint16_t offset = 0;   // number % chunk_size
  std::uint16_t tf = 0;       // term frequency in the decision
  std::uint16_t length = 0;   // the decision's length in terms
  std::int32_t days = 0;      // the decision's date
  std::uint32_t program = 0;  // a hash of the decision's program
};

// The merge operand that adds (or replaces) or removes an entry.
std::string add_operand(const Entry& e);
std::string remove_operand(std::uint16_t offset);

// The entry at `p` (entry_size bytes): the offset big-endian (entries sort by it), the rest
// as the machine holds them.
inline Entry decode(const char* p) {
  Entry e;
  e.offset = static_cast<std::uint16_t>(static_cast<unsigned char>(p[0]) << 8U |
                                        static_cast<unsigned char>(p[1]));
  std::memcpy(&e.tf, p + 2, 2);
  std::memcpy(&e.length, p + 4, 2);
  std::memcpy(&e.days, p + 6, 4);
  std::memcpy(&e.program, p + 10, 4);
  return e;
}

// Calls visit(entry) for each entry of a chunk value, in offset order.
template <class Visit>
void for_each(std::string_view chunk, Visit&& visit) {
  for (std::size_t at = 0; at + entry_size <= chunk.size(); at += entry_size)
    visit(decode(chunk.data() + at));
}

// The merge operator of decision_postings, and that of schema 4's decision_terms.
std::shared_ptr<rocksdb::MergeOperator> merge_operator();
std::shared_ptr<rocksdb::MergeOperator> schema4_merge_operator();

}  // namespace itpm::storage::postings
