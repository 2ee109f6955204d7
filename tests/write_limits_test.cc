// The engine's own size limit on writes: DB::Write refuses a batch past
// kMaxWriteBatchBytes before it joins the write queue, so the refusal stops
// nothing (issue 14: such a batch used to fail inside the write path, where
// every failure stops writes). The C ABI refuses earlier still, entry by
// entry (capi_promises_test.cc); this is what a C++ caller, or a batch
// built by group commit, meets.
#include <gtest/gtest.h>

#include "core/db/db.h"
#include "core/wal/log_format.h"
#include "core/write_batch.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

TEST(WriteLimitsTest, ABatchPastTheLimitIsRefusedAndStopsNothing) {
  static_assert(kMaxWriteBatchBytes <= log::kMaxPayloadBytes);
  test::TempDir dir;
  std::shared_ptr<DB> db;
  ASSERT_TRUE(DB::Open(test::SmallOptions(), dir.path(), &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "before", "1").ok());
  {
    // Two values of 1 GiB: the encoding's few bytes per entry take it just
    // past 2 GiB.
    WriteBatch batch;
    const std::string gib(size_t{1} << 30, 'x');
    batch.Put("a", gib);
    batch.Put("b", gib);
    ASSERT_GT(batch.ByteSize(), kMaxWriteBatchBytes);
    ASSERT_LT(batch.ByteSize(), kMaxWriteBatchBytes + 64);
    Status s = db->Write(WriteOptions(), batch);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("nothing was written"), std::string::npos) << s.ToString();
  }
  std::string v;
  EXPECT_TRUE(db->Get(ReadOptions(), "a", &v).IsNotFound());
  ASSERT_TRUE(db->Put(WriteOptions(), "after", "2").ok());
  ASSERT_TRUE(db->Get(ReadOptions(), "after", &v).ok());
  EXPECT_EQ(v, "2");
  ASSERT_TRUE(db->Flush().ok());
}

}  // namespace
}  // namespace strata
