#include "storage/posting_list.hpp"

#include <cstring>
#include <map>

namespace itpm::storage::postings {
namespace {

void encode(std::string& out, const Entry& e) {
  char buf[entry_size];
  buf[0] = static_cast<char>(e.offset);
  std::memcpy(buf + 1, &e.tf, 2);
  std::memcpy(buf + 3, &e.length, 2);
  std::memcpy(buf + 5, &e.days, 4);
  std::memcpy(buf + 9, &e.program, 4);
  out.append(buf, entry_size);
}

class PostingMerge final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::map<std::uint8_t, Entry> entries;
    if (in.existing_value != nullptr) {
      for_each(std::string_view(in.existing_value->data(), in.existing_value->size()),
               [&](const Entry& e) { entries[e.offset] = e; });
    }
    for (const auto& operand : in.operand_list) {
      if (operand.size() == 1 + entry_size && operand[0] == '+') {
        Entry e = decode(operand.data() + 1);
        entries[e.offset] = e;
      } else if (operand.size() == 2 && operand[0] == '-') {
        entries.erase(static_cast<std::uint8_t>(operand[1]));
      } else {
        return false;  // corrupt operand: RocksDB reports the key as corrupted
      }
    }
    out->new_value.clear();
    out->new_value.reserve(entries.size() * entry_size);
    for (const auto& [offset, e] : entries) encode(out->new_value, e);
    return true;
  }

  const char* Name() const override { return "itpm.postings"; }
};

}  // namespace

Entry decode(const char* p) {
  Entry e;
  e.offset = static_cast<std::uint8_t>(p[0]);
  std::memcpy(&e.tf, p + 1, 2);
  std::memcpy(&e.length, p + 3, 2);
  std::memcpy(&e.days, p + 5, 4);
  std::memcpy(&e.program, p + 9, 4);
  return e;
}

std::string add_operand(const Entry& e) {
  std::string out = "+";
  encode(out, e);
  return out;
}

std::string remove_operand(std::uint8_t offset) {
  return std::string("-") + static_cast<char>(offset);
}

std::shared_ptr<rocksdb::MergeOperator> merge_operator() {
  return std::make_shared<PostingMerge>();
}

}  // namespace itpm::storage::postings
