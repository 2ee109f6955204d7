// File numbers: names beyond the counter's range are recognised as not ours,
// version edits cannot push the counter past it, and no numbered file is
// ever created over one already on disk, whatever the counter says.
#include <gtest/gtest.h>

#include <set>

#include "core/db/db.h"
#include "core/env.h"
#include "core/filename.h"
#include "core/version/version_edit.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

TEST(FileNameTest, NumbersBeyondTheCounterAreOutOfRange) {
  uint64_t n = 0;
  EXPECT_EQ(ParseFileName("000123.sst", &n), FileKind::kTable);
  EXPECT_EQ(n, 123u);
  EXPECT_EQ(ParseFileName(TableFileName("", kMaxFileNumber).substr(1), &n), FileKind::kTable);
  EXPECT_EQ(n, kMaxFileNumber);
  EXPECT_EQ(ParseFileName(std::to_string(kMaxFileNumber + 1) + ".log", &n),
            FileKind::kOutOfRange);
  EXPECT_EQ(ParseFileName("18446744073709551615.dbtmp", &n), FileKind::kOutOfRange);
  EXPECT_EQ(ParseFileName("184467440737095516150.sst", &n), FileKind::kOutOfRange);
  EXPECT_EQ(ParseFileName("MANIFEST-18446744073709551615", &n), FileKind::kOutOfRange);
  EXPECT_EQ(ParseFileName("18446744073709551615.txt", &n), FileKind::kUnknown);
  EXPECT_EQ(ParseFileName("-1.sst", &n), FileKind::kUnknown);
  EXPECT_EQ(ParseFileName("+1.sst", &n), FileKind::kUnknown);
  EXPECT_EQ(ParseFileName(".sst", &n), FileKind::kUnknown);
}

TEST(FileNameTest, VersionEditsCannotCarryNumbersBeyondTheCounter) {
  VersionEdit edit;
  edit.SetNextFileNumber(uint64_t{0} - 1);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  EXPECT_TRUE(decoded.DecodeFrom(encoded).IsCorruption());

  VersionEdit table;
  FileMetaData f;
  f.number = kMaxFileNumber + 1;
  f.smallest = std::string(8, '\0');
  f.largest = std::string(8, '\0');
  table.AddFile(1, f);
  encoded.clear();
  table.EncodeTo(&encoded);
  EXPECT_TRUE(decoded.DecodeFrom(encoded).IsCorruption());
}

TEST(FileNameTest, ExclusiveCreateNeverReplacesAFile) {
  test::TempDir dir;
  Env* env = Env::Default();
  const std::string path = dir.Sub("000007.sst");
  {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env->NewExclusiveWritableFile(path, &f).ok());
    ASSERT_TRUE(f->Append("precious").ok());
    ASSERT_TRUE(f->Close().ok());
  }
  std::unique_ptr<WritableFile> again;
  Status s = env->NewExclusiveWritableFile(path, &again);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(again, nullptr);
  std::string data;
  ASSERT_TRUE(ReadFileToString(env, path, &data).ok());
  EXPECT_EQ(data, "precious");
}

// An Env that hides some names from directory listings, so the database's
// counter cannot know about them: the situation a file created behind its
// back (or a counter gone wrong) leaves.
class HidingEnv : public EnvWrapper {
 public:
  HidingEnv() : EnvWrapper(Env::Default()) {}
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    STRATA_RETURN_IF_ERROR(EnvWrapper::GetChildren(dir, names));
    std::erase_if(*names, [&](const std::string& n) { return hidden.count(n) > 0; });
    return Status::OK();
  }
  std::set<std::string> hidden;
};

TEST(FileNumberTest, ADatabaseNeverWritesOverAFileItDidNotCount) {
  test::TempDir dir;
  HidingEnv env;
  Options o = test::SmallOptions();
  o.env = &env;
  std::shared_ptr<DB> db;
  ASSERT_TRUE(DB::Open(o, dir.path(), &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "k", "v").ok());
  db.reset();

  // Plant a file under every name the next open and flush could choose.
  Env* posix = Env::Default();
  std::vector<std::string> planted;
  for (uint64_t n = 1; n < 40; ++n) {
    for (const std::string& path : {TableFileName(dir.path(), n), LogFileName(dir.path(), n),
                                    ManifestFileName(dir.path(), n)}) {
      if (posix->FileExists(path)) continue;
      std::unique_ptr<WritableFile> f;
      ASSERT_TRUE(posix->NewWritableFile(path, &f).ok());
      ASSERT_TRUE(f->Append("not yours").ok());
      ASSERT_TRUE(f->Close().ok());
      planted.push_back(path);
      env.hidden.insert(path.substr(dir.path().size() + 1));
    }
  }

  // Opening needs a new manifest and log; each creation meets a planted
  // file and fails rather than truncate it.
  Status s = DB::Open(o, dir.path(), &db);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("exists"), std::string::npos) << s.ToString();
  db.reset();
  for (const auto& path : planted) {
    std::string data;
    ASSERT_TRUE(ReadFileToString(posix, path, &data).ok());
    EXPECT_EQ(data, "not yours") << path;
  }
}

// Found by the crash tests once files were created exclusively: an open
// killed after it wrote its new manifest, before CURRENT named it, leaves a
// manifest numbered past what the old manifest records; the next open's new
// manifest took that number and failed ("File exists").
TEST(FileNumberTest, LeftoverFilesOfAKilledOpenDoNotBlockTheNext) {
  test::TempDir dir;
  Options o = test::SmallOptions();
  std::shared_ptr<DB> db;
  ASSERT_TRUE(DB::Open(o, dir.path(), &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "k", "v").ok());
  db.reset();
  uint64_t highest = 0;
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(dir.path(), &names).ok());
  for (const auto& name : names) {
    uint64_t n;
    if (ParseFileName(name, &n) != FileKind::kUnknown) highest = std::max(highest, n);
  }
  for (uint64_t n = highest + 1; n < highest + 6; ++n) {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(Env::Default()->NewWritableFile(ManifestFileName(dir.path(), n), &f).ok());
    ASSERT_TRUE(f->Close().ok());
  }
  Status s = DB::Open(o, dir.path(), &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string v;
  ASSERT_TRUE(db->Get(ReadOptions(), "k", &v).ok());
  EXPECT_EQ(v, "v");
  db.reset();

  // The same for the first open of a new database, killed before CURRENT.
  test::TempDir fresh;
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(Env::Default()->NewWritableFile(ManifestFileName(fresh.path(), 1), &f).ok());
  ASSERT_TRUE(f->Close().ok());
  s = DB::Open(o, fresh.path(), &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace strata
