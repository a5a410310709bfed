#include "storage/posting_list.hpp"

#include <map>

namespace itpm::storage::postings {
namespace {

void encode(std::string& out, const Entry& e) {
  char buf[entry_size];
  buf[0] = static_cast<char>(e.offset >> 8U);
  buf[1] = static_cast<char>(e.offset & 0xffU);
  std::memcpy(buf + 2, &e.tf, 2);
  std::memcpy(buf + 4, &e.length, 2);
  std::memcpy(buf + 6, &e.days, 4);
  std::memcpy(buf + 10, &e.program, 4);
  out.append(buf, entry_size);
}

// Merges packed entries of `entry` bytes, each starting with its offset in the chunk
// (`offset_bytes`, big-endian), without reading the rest: operands are '+' and an entry, or
// '-' and an offset.
class PostingMerge final : public rocksdb::MergeOperator {
 public:
  PostingMerge(std::size_t entry, std::size_t offset_bytes, const char* name)
      : entry_(entry), offset_bytes_(offset_bytes), name_(name) {}

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::map<std::uint32_t, std::string_view> entries;
    if (in.existing_value != nullptr) {
      std::string_view value(in.existing_value->data(), in.existing_value->size());
      for (std::size_t at = 0; at + entry_ <= value.size(); at += entry_)
        entries[offset(value.data() + at)] = value.substr(at, entry_);
    }
    for (const auto& operand : in.operand_list) {
      if (operand.size() == 1 + entry_ && operand[0] == '+') {
        entries[offset(operand.data() + 1)] = std::string_view(operand.data() + 1, entry_);
      } else if (operand.size() == 1 + offset_bytes_ && operand[0] == '-') {
        entries.erase(offset(operand.data() + 1));
      } else {
        return false;  // corrupt operand: RocksDB reports the key as corrupted
      }
    }
    out->new_value.clear();
    out->new_value.reserve(entries.size() * entry_);
    for (const auto& [at, bytes] : entries) out->new_value.append(bytes);
    return true;
  }

  const char* Name() const override { return name_; }

 private:
  [[nodiscard]] std::uint32_t offset(const char* p) const {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < offset_bytes_; ++i) v = v << 8U | static_cast<unsigned char>(p[i]);
    return v;
  }

  std::size_t entry_;
  std::size_t offset_bytes_;
  const char* name_;
};

}  // namespace

std::string add_operand(const Entry& e) {
  std::string out = "+";
  encode(out, e);
  return out;
}

std::string remove_operand(std::uint16_t offset) {
  std::string out = "-";
  out.push_back(static_cast<char>(offset >> 8U));
  out.push_back(static_cast<char>(offset & 0xffU));
  return out;
}

std::shared_ptr<rocksdb::MergeOperator> merge_operator() {
  return std::make_shared<PostingMerge>(entry_size, 2, "itpm.postings.4096");
}

std::shared_ptr<rocksdb::MergeOperator> schema4_merge_operator() {
  return std::make_shared<PostingMerge>(13, 1, "itpm.postings");
}

}  // namespace itpm::storage::postings
