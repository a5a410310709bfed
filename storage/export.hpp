#pragma once
// Every record out as one JSON document, and back in. The document has stable field names,
// a fixed order (so an export of an import is byte-identical to the original), the audit log
// and the ID sequences; index rows and search postings are rebuilt on import.

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace itpm::storage {

constexpr int export_format_version = 1;

// The whole store as a JSON document.
nlohmann::json export_json(const Store& store);
// The same document as text (export_json(store).dump(2)), written as the store is read:
// one record in memory at a time.
void write_export(const Store& store, std::ostream& out);

// Every record type as a CSV file in `dir` (programs.csv, risks.csv, decisions.csv, ...; see
// csv_files), one row per record, list fields joined with ';'. For spreadsheets; import reads
// JSON.
void export_csv(const Store& store, const std::filesystem::path& dir);
// The files export_csv writes into `dir`, one per record type.
std::vector<std::filesystem::path> csv_files(const std::filesystem::path& dir);

// How many records of each type an import loaded, by plural name ("risks").
using ImportCounts = std::map<std::string, std::size_t>;

// Loads an export into `store`, which must hold no records. Reads it twice: the first time
// checks every row and what rows say of each other, the second writes them a few thousand at
// a time, then compacts the store. Throws StoreError (with the reason) when the document is
// not an itpm-bot export, a row is wrong or the store is not empty: nothing is written then.
// A failure while writing (a full disk) leaves part of it: import into a new directory.
ImportCounts import_json(Store& store, const nlohmann::json& document);
// The same from a file, holding one row in memory at a time (not the whole export).
ImportCounts import_file(Store& store, const std::filesystem::path& file);

}  // namespace itpm::storage
