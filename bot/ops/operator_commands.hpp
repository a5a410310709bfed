#pragma once
// The operator's subcommands: backup, restore, export, import, quarantine, holidays import. Each
// prints one line per outcome and returns the process exit code (0 done, 1 failed, 2 bad
// arguments).

#include <filesystem>
#include <string>

namespace itpm::bot {

// Backs up DATA_DIR into BACKUP_DIR (RocksDB BackupEngine), verifies the new backup and keeps
// the newest `keep`. Works while the bot runs (it then reads as a follower).
int run_backup(const std::filesystem::path& data_dir, const std::filesystem::path& backup_dir,
               int keep);

// Restores the newest backup into DATA_DIR; refuses a non-empty DATA_DIR unless `force`, and
// always refuses one that a running bot holds.
int run_restore(const std::filesystem::path& backup_dir, const std::filesystem::path& data_dir,
                bool force);

// Writes every record as JSON (to `out`, or stdout when empty) or as CSV files (into the
// folder `out`, default ./itpm-export). Files are 0600 in folders it creates 0700; a file
// that exists is replaced only with `force`, and a symlink never is (nor written through).
int run_export(const std::filesystem::path& data_dir, const std::string& format,
               const std::string& out, bool force);

// Loads a JSON export into an empty DATA_DIR.
int run_import(const std::filesystem::path& data_dir, const std::filesystem::path& file);

// Lists the rows the bot moved to the quarantine (jobs and posts it could not process), with
// why and when, and the row as stored. Works while the bot runs.
int run_quarantine_list(const std::filesystem::path& data_dir);

// Adds the all-day events of an iCalendar file as holidays of the workspace (or of `program`)
// to DATA_DIR; days already there are kept. Says what it added and which events it left out.
// Needs the bot stopped (the store takes one process).
int run_holidays_import(const std::filesystem::path& data_dir, const std::filesystem::path& file,
                        const std::string& program);

// `rotate-dashboard-key --data-dir D` (bot stopped): a new dashboard signing key, so that every
// link given before opens no page (403). Exit 0, or 1 with one line.
int run_rotate_dashboard_key(const std::filesystem::path& data_dir);

}  // namespace itpm::bot
