#include "bot/ops/operator_commands.hpp"

#include "bot/dashboard_site.hpp"
#include "bot/ops/doctor.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/calendar/ical.hpp"

#include "storage/database.hpp"
#include "storage/export.hpp"
#include "storage/quarantine.hpp"
#include "storage/repositories.hpp"
#include "storage/store.hpp"

#include <date/date.h>

#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

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

// A store of a schema this build does not read as it is: never worth a retry.
class OtherSchema : public StoreError {
 public:
  using StoreError::StoreError;
};

// Opens the database for reading only, as a follower (a read-only instance beside whatever
// else has it open): nothing is written, no migration runs, and a running bot is not
// disturbed. A store of another schema is refused, naming the binary it needs.
std::unique_ptr<Store> open_for_reading(const std::filesystem::path& data_dir,
                                        std::unique_ptr<FollowerDir>& follower) {
  if (!std::filesystem::exists(data_dir / "CURRENT")) {
    throw StoreError("no itpm-bot database in " + data_dir.string());
  }
  follower = std::make_unique<FollowerDir>();
  Store::Options options;
  options.follower_dir = follower->path();
  std::unique_ptr<Store> store;
  try {
    store = Store::open(data_dir, options);
  } catch (const StoreError& e) {
    // A table this build keeps is missing: an older itpm-bot's store, not migrated yet.
    if (std::string(e.what()).find("Column family not found") == std::string::npos) throw;
  }
  std::uint32_t stored = store ? store->stored_schema_version() : 0;
  if (store && stored == Store::schema_version) return store;
  std::string needed =
      store && stored > Store::schema_version
          ? "a newer itpm-bot (schema " + std::to_string(stored) + "): use that version"
          : "an older itpm-bot: use that version, or start this one (schema " +
                std::to_string(Store::schema_version) +
                ") on it once, which migrates it; read-only commands never change a store";
  throw OtherSchema(data_dir.string() + " was written by " + needed);
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

// A folder beside `target` (same file system) where a restore or import is built; removed
// unless swap_into moved it into place.
class Staging {
 public:
  Staging(const std::filesystem::path& target, const std::string& what)
      : path_(target.parent_path() /
              (target.filename().string() + "." + what + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_.parent_path());
  }
  ~Staging() {
    std::error_code ignored;
    if (!moved_) std::filesystem::remove_all(path_, ignored);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Puts the staged folder at `target`: what was there is moved aside first and deleted only
  // once the staged one is in place (put back if that fails).
  void swap_into(const std::filesystem::path& target) {
    std::filesystem::path old = target.string() + ".old-" + std::to_string(::getpid());
    bool had_old = std::filesystem::exists(target);
    if (had_old) std::filesystem::rename(target, old);
    try {
      std::filesystem::rename(path_, target);
    } catch (const std::filesystem::filesystem_error&) {
      if (had_old) std::filesystem::rename(old, target);
      throw;
    }
    moved_ = true;
    if (had_old) std::filesystem::remove_all(old);
  }

 private:
  std::filesystem::path path_;
  bool moved_ = false;
};

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
    } catch (const OtherSchema& e) {
      return fail(e.what());
    } catch (const StoreError& e) {
      if (attempt == attempts) return fail(e.what());
      std::cerr << "itpm-bot: backup attempt " << attempt
                << " failed while the database was changing (" << e.what() << "); retrying\n";
    }
  }
}

int run_restore(const std::filesystem::path& backup_dir, const std::filesystem::path& data_dir,
                bool force) {
  namespace fs = std::filesystem;
  try {
    auto backups = fs::weakly_canonical(backup_dir);
    auto data = fs::weakly_canonical(data_dir);
    auto inside = [](const fs::path& a, const fs::path& b) {
      auto rel = a.lexically_relative(b);
      return !rel.empty() && *rel.begin() != "..";
    };
    if (inside(backups, data) || inside(data, backups)) {
      return fail("the backup folder and the data directory must be apart (" + backup_dir.string() +
                  ", " + data_dir.string() + "): restoring would overwrite the backups");
    }
    bool replacing = has_entries(data_dir);
    if (replacing) {
      if (!force) {
        return fail(data_dir.string() +
                    " is not empty; restoring would replace its data. Add --force to do so.");
      }
      // Opening proves it is an itpm-bot database that no running bot holds.
      auto probe = Store::open(data_dir);
    }
    // Restored and checked beside the old data, which is replaced only once that worked.
    auto staging = Staging(data, "restoring");
    auto info = Store::restore_latest(backup_dir, staging.path());
    {
      auto restored = storage::open_database(staging.path());
      auto problems = storage::Repositories(*restored).check();
      if (!problems.empty())
        return fail("the restored backup " + std::to_string(info.id) +
                    " is inconsistent, nothing was replaced: " + problems.front());
    }
    staging.swap_into(data);
    std::cout << "restored backup " << info.id << " into " << data_dir.string()
              << (replacing ? " (the data it held was replaced)" : "") << "\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  } catch (const fs::filesystem_error& e) {
    return fail(e.what());
  }
}

int run_export(const std::filesystem::path& data_dir, const std::string& format,
               const std::string& out, bool force) {
  namespace fs = std::filesystem;
  if (format != "json" && format != "csv") {
    std::cerr << "itpm-bot: --format must be json or csv, got " << format << "\n";
    return 2;
  }
  try {
    std::unique_ptr<FollowerDir> follower;
    auto store = open_for_reading(data_dir, follower);
    if (format == "csv") {
      fs::path dir = out.empty() ? "itpm-export" : out;
      if (fs::is_symlink(dir)) return fail(dir.string() + " is a symlink; give a real folder");
      if (!fs::exists(dir)) {
        fs::create_directories(dir);
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
      }
      auto files = storage::csv_files(dir);
      for (const auto& file : files) {
        if (fs::is_symlink(file)) return fail(file.string() + " is a symlink; not written");
        if (fs::exists(file) && !force)
          return fail(file.string() + " exists; add --force to replace it");
        fs::remove(file);  // a new file, created 0600 below
      }
      storage::export_csv(*store, dir);
      for (const auto& file : files)
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace);
      std::cerr << "wrote " << files.size() << " CSV files in " << dir.string() << "\n";
      return 0;
    }
    if (out.empty()) {
      storage::write_export(*store, std::cout);
      std::cout << "\n";
      return std::cout.good() ? 0 : 1;
    }
    fs::path file = out;
    if (fs::is_symlink(file)) return fail(file.string() + " is a symlink; not written");
    if (fs::exists(file) && !force)
      return fail(file.string() + " exists; add --force to replace it");
    // Written 0600 beside the target, then renamed over it: never half a file, never through
    // a link.
    fs::path parent = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    std::string temp = (parent / (file.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(temp.data());
    if (fd < 0) return fail("cannot write in " + parent.string());
    bool ok = false;
    {
      // Written as the store is read (one record in memory at a time), then synced.
      std::ofstream text(temp, std::ios::binary | std::ios::trunc);
      storage::write_export(*store, text);
      text << "\n";
      text.flush();
      ok = text.good();
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      fs::remove(temp);
      return fail("cannot write " + file.string());
    }
    fs::rename(temp, file);
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  } catch (const fs::filesystem_error& e) {
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

std::vector<ChannelUse> channels_in_use(const std::filesystem::path& data_dir,
                                        const std::string& escalation_channel) {
  std::unique_ptr<FollowerDir> follower;
  auto store = open_for_reading(data_dir, follower);
  storage::Repositories repos(*store);
  std::vector<ChannelUse> uses;
  std::set<std::string> seen;
  auto add = [&](const std::string& channel, std::string why) {
    if (!channel.empty() && seen.insert(channel).second) uses.push_back({channel, std::move(why)});
  };
  commands::Policy base;
  base.escalation_channel = escalation_channel;
  add(commands::effective_policy(base, repos.settings()).escalation_channel,
      "the escalation channel");
  for (const auto& program : repos.all<storage::Program>()) {
    if (program.status == storage::ProgramStatus::open)
      add(program.channel, "program " + program.key);
  }
  return uses;
}

int run_import(const std::filesystem::path& data_dir, const std::filesystem::path& file) {
  if (!std::ifstream(file, std::ios::binary)) return fail("cannot read " + file.string());
  try {
    if (has_entries(data_dir)) {
      return fail(data_dir.string() + " is not empty; import into a new or empty data directory");
    }
    // Imported and checked beside the target, which appears only once that worked.
    auto target = std::filesystem::weakly_canonical(data_dir);
    auto staging = Staging(target, "importing");
    storage::ImportCounts counts;
    {
      auto store = storage::open_database(staging.path());
      counts = storage::import_file(*store, file);
      auto problems = storage::Repositories(*store).check();
      if (!problems.empty()) {
        std::string text = "the imported data is inconsistent; nothing was imported:";
        for (std::size_t i = 0; i < problems.size() && i < 20; ++i) text += "\n  " + problems[i];
        return fail(text);
      }
    }
    staging.swap_into(target);
    std::cout << "imported " << counts["programs"] << " programs, " << counts["risks"] << " risks, "
              << counts["decisions"] << " decisions into " << data_dir.string() << "\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(e.what());
  }
}

int run_holidays_import(const std::filesystem::path& data_dir, const std::filesystem::path& file,
                        const std::string& program) {
  constexpr std::uintmax_t max_bytes = 4U << 20U;
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail("cannot read " + file.string() + ": " + ec.message());
  if (size > max_bytes) return fail(file.string() + " is larger than 4 MiB; split it by year");
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto read = commands::read_ical_holidays(text);
  if (!read.error.empty()) return fail(file.string() + " is " + read.error);
  if (!has_entries(data_dir)) return fail("no bot data in " + data_dir.string());
  try {
    auto store = storage::open_database(data_dir);
    storage::Repositories repos(*store);
    if (!program.empty() && !repos.find<storage::Program>(program))
      return fail("no program " + program + " in " + data_dir.string());
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    storage::Batch batch;
    std::size_t added = 0;
    std::size_t there = 0;
    for (const auto& d : read.days) {
      if (repos.find<storage::Holiday>(program, d.day)) {
        ++there;
        continue;
      }
      repos.save(batch, storage::Holiday{program, d.day, d.name, "", now}, nullptr,
                 storage::Change{"itpm", now, "import"});
      ++added;
    }
    if (added > 0 && !store->commit(std::move(batch))) return fail("the holidays were not saved");
    std::cout << "imported " << added << " holidays for "
              << (program.empty() ? std::string("everyone") : program + "'s channels") << " ("
              << there << " already there), skipped " << read.skipped.size() << " events\n";
    for (std::size_t i = 0; i < read.skipped.size() && i < 20; ++i)
      std::cout << "  skipped " << read.skipped[i] << "\n";
    if (read.skipped.size() > 20) std::cout << "  … and " << read.skipped.size() - 20 << " more\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(std::string(e.what()) + " (stop the bot while importing holidays)");
  }
}

int run_rotate_dashboard_key(const std::filesystem::path& data_dir) {
  if (!has_entries(data_dir)) return fail("no bot data in " + data_dir.string());
  try {
    auto store = storage::open_database(data_dir);
    storage::Repositories repos(*store);
    storage::Batch batch;
    repos.set_dashboard_key(batch, new_dashboard_key());
    if (!store->commit(std::move(batch))) return fail("the new key was not saved");
    std::cout << "dashboard key rotated in " << data_dir.string()
              << ": every link given before no longer opens (403); start the bot, and people "
                 "ask for new ones with /itpm dashboard\n";
    return 0;
  } catch (const StoreError& e) {
    return fail(std::string(e.what()) + " (stop the bot while rotating the key)");
  }
}

}  // namespace itpm::bot
