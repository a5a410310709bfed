#pragma once
// Every record out as one JSON document, and back in. The document has stable field names,
// a fixed order (so an export of an import is byte-identical to the original), the audit log
// and the ID sequences; index rows and search postings are rebuilt on import.

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

namespace itpm::storage {

constexpr int export_format_version = 1;

// The whole store as a JSON document.
nlohmann::json export_json(const Store& store);

// Every record type as a CSV file in `dir` (programs.csv, risks.csv, decisions.csv, ...; see
// csv_files), one row per record, list fields joined with ';'. For spreadsheets; import reads
// JSON.
void export_csv(const Store& store, const std::filesystem::path& dir);
// The files export_csv writes into `dir`, one per record type.
std::vector<std::filesystem::path> csv_files(const std::filesystem::path& dir);

// Loads an export into `store`, which must hold no records. Throws StoreError (with the
// reason) when the document is not an itpm-bot export or the store is not empty; nothing is
// written then.
void import_json(Store& store, const nlohmann::json& document);

}  // namespace itpm::storage
