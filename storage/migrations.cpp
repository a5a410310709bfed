// Schema migrations, applied in order when an older database is opened.
#include "storage/repositories.hpp"
#include "storage/store.hpp"

namespace itpm::storage {

void migrate(Store& store, std::uint32_t from) {
  for (std::uint32_t version = from; version < Store::schema_version; ++version) {
    switch (version) {
      case 0:
      case 1:
        // Schema 1 kept one key per search posting; schema 2 packs them per term chunk.
        Repositories(store).rebuild_search_index();
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

}  // namespace itpm::storage
