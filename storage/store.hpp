#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::storage {

// Column families in their frozen order. New families are appended, never reordered or
// removed: the order is how an existing database maps names to handles.
enum class Family : std::uint8_t {
  meta,
  programs,
  risks,
  decisions,
  reviews,
  milestones,
  status_updates,
  audit,
  outbox,
  schedule,
  dedupe,
};

// Every family, in frozen order.
const std::vector<Family>& all_families();
std::string_view family_name(Family family);

// Thrown when the database cannot be opened or is of a schema this build cannot read.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One RocksDB instance with the project's column families. Opening creates a missing
// database, migrates an older schema forward and refuses a newer one (StoreError).
class Store {
 public:
  static constexpr std::uint32_t schema_version = 1;

  // Opens (or creates) the database in `dir`. Throws StoreError with a readable message.
  static std::unique_ptr<Store> open(const std::filesystem::path& dir);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The schema version recorded in the database's meta family.
  [[nodiscard]] std::uint32_t stored_schema_version() const;
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Impl;
  Store(std::filesystem::path dir, std::unique_ptr<Impl> impl);

  std::filesystem::path dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace itpm::storage
