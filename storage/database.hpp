#pragma once
// Opening a data directory for the bot and its operator commands: the store, brought up to
// this build's schema. Migrations sit one layer above Store (they read and write through the
// repositories), so store.cpp knows nothing of records.

#include "storage/store.hpp"

#include <filesystem>
#include <memory>

namespace itpm::storage {

// Opens (or creates) the database in `dir` and migrates an older schema forward, one step
// at a time, each step ending with a write of its new version. Throws StoreError.
std::unique_ptr<Store> open_database(const std::filesystem::path& dir, Store::Options options = {});

}  // namespace itpm::storage
