#pragma once
// A RocksDB file system for fault tests: everything goes to the real one, except that while
// `full` is set every write to a file (append, flush, sync) fails the way a full disk does
// ("No space left on device"), and while stalled every sync waits (a disk that stops
// answering). Used through RocksDB's own Env (Store::Options::env), so the store under test
// is the real one.

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace itpm::test {

class FullDiskFs : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "ItpmFullDiskFs"; }
  [[nodiscard]] const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* dbg) override;
  // No free space while full (what RocksDB's recovery and the store look at).
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free, rocksdb::IODebugContext* dbg) override;

  std::atomic<bool> full{false};
  std::atomic<int> refused{0};  // writes failed so far

  // While stalled, syncs wait until resumed (also resumed when the file system goes).
  void stall();
  void resume();
  void wait_while_stalled();
  ~FullDiskFs() override { resume(); }

 private:
  std::mutex stall_mutex_;
  std::condition_variable stall_changed_;
  bool stalled_ = false;
};

// A FullDiskFs and the Env that uses it; keep it alive as long as the store.
struct FaultyEnv {
  std::shared_ptr<FullDiskFs> fs = std::make_shared<FullDiskFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
};

}  // namespace itpm::test
