#include "tests/support/faulty_fs.hpp"

namespace itpm::test {
namespace {

class FullDiskFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> file, FullDiskFs& fs)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("No space left on device");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("No space left on device");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("No space left on device");
    return FSWritableFileOwnerWrapper::Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    fs_.wait_while_stalled();
    if (refuse()) return rocksdb::IOStatus::NoSpace("No space left on device");
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    fs_.wait_while_stalled();
    if (refuse()) return rocksdb::IOStatus::NoSpace("No space left on device");
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  bool refuse() {
    if (!fs_.full.load()) return false;
    ++fs_.refused;
    return true;
  }
  FullDiskFs& fs_;
};

}  // namespace

rocksdb::IOStatus FullDiskFs::NewWritableFile(const std::string& name,
                                              const rocksdb::FileOptions& options,
                                              std::unique_ptr<rocksdb::FSWritableFile>* file,
                                              rocksdb::IODebugContext* dbg) {
  if (full.load()) {
    ++refused;
    return rocksdb::IOStatus::NoSpace("No space left on device");
  }
  auto s = target()->NewWritableFile(name, options, file, dbg);
  if (s.ok()) *file = std::make_unique<FullDiskFile>(std::move(*file), *this);
  return s;
}

rocksdb::IOStatus FullDiskFs::ReopenWritableFile(const std::string& name,
                                                 const rocksdb::FileOptions& options,
                                                 std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                 rocksdb::IODebugContext* dbg) {
  auto s = target()->ReopenWritableFile(name, options, file, dbg);
  if (s.ok()) *file = std::make_unique<FullDiskFile>(std::move(*file), *this);
  return s;
}

void FullDiskFs::stall() {
  std::lock_guard lock(stall_mutex_);
  stalled_ = true;
}

void FullDiskFs::resume() {
  {
    std::lock_guard lock(stall_mutex_);
    stalled_ = false;
  }
  stall_changed_.notify_all();
}

void FullDiskFs::wait_while_stalled() {
  std::unique_lock lock(stall_mutex_);
  stall_changed_.wait(lock, [this] { return !stalled_; });
}

rocksdb::IOStatus FullDiskFs::GetFreeSpace(const std::string& path,
                                           const rocksdb::IOOptions& options, uint64_t* free,
                                           rocksdb::IODebugContext* dbg) {
  if (full.load()) {
    *free = 0;
    return rocksdb::IOStatus::OK();
  }
  return target()->GetFreeSpace(path, options, free, dbg);
}

}  // namespace itpm::test
