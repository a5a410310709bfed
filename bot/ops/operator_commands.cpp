#include "bot/ops/operator_commands.hpp"

#include "storage/database.hpp"
#include "storage/export.hpp"
#include "storage/quarantine.hpp"
#include "storage/repositories.hpp"
#include "storage/store.hpp"

#include <date/date.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

namespace itpm::bot {
namespace {

using storage::Store;
using storage::StoreError;

// A temporary folder for a follower's own state, removed when done.
class FollowerDir {
 public:
  FollowerDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "itpm-follower-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw StoreError("cannot create a temporary folder");
    path_ = pattern;
  }
  ~FollowerDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  FollowerDir(const FollowerDir&) = delete;
  FollowerDir& operator=(const FollowerDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

bool is_locked(const StoreError& e) {
  return std::string(e.what()).find("lock") != std::string::npos;
}

// Opens the database for reading: directly, or as a follower when a running bot holds it.
std::unique_ptr<Store> open_for_reading(const std::filesystem::path& data_dir,
                                        std::unique_ptr<FollowerDir>& follower) {
  if (!std::filesystem::exists(data_dir / "CURRENT")) {
    throw StoreError("no itpm-bot database in " + data_dir.string());
  }
  try {
    return storage::open_database(data_dir);
  } catch (const StoreError& e) {
    if (!is_locked(e)) throw;
  }
  follower = std::make_unique<FollowerDir>();
  Store::Options options;
  options.follower_dir = follower->path();
  return Store::open(data_dir, options);
}

bool has_entries(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec);
}

int fail(const std::string& message) {
  std::cerr << "itpm-bot: " << message << "\n";
  return 1;
}

// A follower's backup may miss a WAL file that the running bot deletes after a flush, which
// would leave out writes the follower had seen. So it proves itself: restored into a scratch
// folder it must hold every write up to the follower's sequence number and pass the
// integrity check. A backup that does not is deleted and taken again.
void prove_backup(const std::filesystem::path& backup_dir, std::uint32_t id,
                  std::uint64_t needed_sequence) {
  FollowerDir scratch;
  Store::restore_latest(backup_dir, scratch.path() / "db");
  auto restored = storage::open_database(scratch.path() / "db");
  auto problems = storage::Repositories(*restored).check();
  if (restored->latest_sequence() >= needed_sequence && problems.empty()) return;
  restored.reset();
  Store::delete_backup(backup_dir, id);
  throw StoreError(problems.empty() ? "the backup missed writes made while it was taken"
                                    : "the backup is inconsistent: " + problems.front());
}

}  // namespace

int run_backup(const std::filesystem::path& data_dir, const std::filesystem::path& backup_dir,
               int keep) {
  constexpr int attempts = 5;
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<FollowerDir> follower;
    try {
      auto store = open_for_reading(data_dir, follower);
      std::uint64_t seen = store->latest_sequence();
      auto info = store->backup(backup_dir, keep);
      if (follower != nullptr) prove_backup(backup_dir, info.id, seen);
      std::cout << "backup " << info.id << " written to " << backup_dir.string() << " ("
                << info.size << " bytes, verified; keeping the newest " << keep << ")\n";
      return 0;
    } catch (const StoreError& e) {
      if (follower == nullptr || attempt == attempts) return fail(e.what());
      std::cerr << "itpm-bot: backup attempt " << attempt
                << " failed while the database was changing (" << e.what() << "); retrying\n";
    }
  }
}

int run_restore(const std::filesystem::path& backup_dir, const std::filesystem::path& data_dir,
                bool force) {
  try {
    if (has_entries(data_dir)) {
      if (!force) {
        return fail(data_dir.string() +
                    " is not empty; restoring would replace its data. Add --force to do so.");
      }
      // Opening proves no running bot holds it; then clear it for the restore.
      { auto probe = Store::open(data_dir); }
      for (const auto& entry : std::filesystem::directory_iterator(data_dir))
        std::filesystem::remove_all(entry);
    }
    auto info = Store::restore_latest(backup_dir, data_dir);
    std::cout << "restored backup " << info.id << " into " << data_dir.string() << "\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(e.what());
  }
}

int run_export(const std::filesystem::path& data_dir, const std::string& format,
               const std::string& out) {
  if (format != "json" && format != "csv") {
    std::cerr << "itpm-bot: --format must be json or csv, got " << format << "\n";
    return 2;
  }
  try {
    std::unique_ptr<FollowerDir> follower;
    auto store = open_for_reading(data_dir, follower);
    if (format == "csv") {
      std::filesystem::path dir = out.empty() ? "itpm-export" : out;
      storage::export_csv(*store, dir);
      std::cerr << "wrote programs.csv, risks.csv and decisions.csv in " << dir.string() << "\n";
      return 0;
    }
    std::string text = storage::export_json(*store).dump(2) + "\n";
    if (out.empty()) {
      std::cout << text;
      return std::cout.good() ? 0 : 1;
    }
    std::ofstream file(out, std::ios::binary);
    file << text;
    if (!file) return fail("cannot write " + out);
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  }
}

int run_quarantine_list(const std::filesystem::path& data_dir) {
  try {
    std::unique_ptr<FollowerDir> follower;
    auto store = open_for_reading(data_dir, follower);
    auto rows = storage::quarantined_rows(*store);
    for (const auto& row : rows) {
      auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(row.at_ms));
      std::cout << row.kind << " " << row.seq << " moved aside "
                << date::format("%Y-%m-%d %H:%M:%S UTC",
                                std::chrono::floor<std::chrono::seconds>(at))
                << ": " << row.error << "\n  "
                << nlohmann::json(row.row).dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace)
                << "\n";
    }
    std::cerr << rows.size() << " row(s) in the quarantine of " << data_dir.string() << "\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  }
}

int run_import(const std::filesystem::path& data_dir, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("cannot read " + file.string());
  auto document = nlohmann::json::parse(in, nullptr, false);
  if (document.is_discarded()) return fail(file.string() + " is not JSON");
  try {
    auto store = storage::open_database(data_dir);
    storage::import_json(*store, document);
    std::cout << "imported " << document["programs"].size() << " programs, "
              << document["risks"].size() << " risks, " << document["decisions"].size()
              << " decisions into " << data_dir.string() << "\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  }
}

}  // namespace itpm::bot
