// Schema migrations, applied in order when an older database is opened.
#include "storage/database.hpp"
#include "storage/decision_search.hpp"

namespace itpm::storage {
namespace {

void migrate(Store& store, std::uint32_t from) {
  for (std::uint32_t version = from; version < Store::schema_version; ++version) {
    switch (version) {
      case 0:
      case 1:
        // Schema 1 kept one key per search posting; schema 2 packs them per term chunk.
        DecisionSearch(store).rebuild();
        break;
      default:
        throw StoreError("no migration from schema version " + std::to_string(version));
    }
    Batch bump;
    Store::set_schema_version(bump, version + 1);
    if (auto r = store.commit(std::move(bump)); !r)
      throw StoreError("cannot record the migration: " + r.error);
  }
}

}  // namespace

std::unique_ptr<Store> open_database(const std::filesystem::path& dir, Store::Options options) {
  bool follower = !options.follower_dir.empty();
  auto store = Store::open(dir, std::move(options));
  if (std::uint32_t stored = store->stored_schema_version();
      !follower && stored < Store::schema_version) {
    migrate(*store, stored);
  }
  return store;
}

}  // namespace itpm::storage
