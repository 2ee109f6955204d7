#include "core/write_batch.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

struct Recorder : WriteBatch::Handler {
  std::string log;
  void Put(std::string_view k, std::string_view v) override {
    log += "Put(" + std::string(k) + "," + std::string(v) + ")";
  }
  void Delete(std::string_view k) override { log += "Delete(" + std::string(k) + ")"; }
  void DeleteRange(std::string_view s, std::string_view e) override {
    log += "DeleteRange(" + std::string(s) + "," + std::string(e) + ")";
  }
};

TEST(WriteBatchTest, EmptyBatch) {
  WriteBatch b;
  EXPECT_EQ(b.Count(), 0u);
  Recorder r;
  EXPECT_TRUE(b.Iterate(&r).ok());
  EXPECT_EQ(r.log, "");
}

TEST(WriteBatchTest, OperationsInOrderWithSequence) {
  WriteBatch b;
  b.Put("k1", "v1");
  b.Delete("k2");
  b.Put("k1", "");
  b.SetSequence(100);
  EXPECT_EQ(b.Count(), 3u);
  EXPECT_EQ(b.Sequence(), 100u);
  Recorder r;
  ASSERT_TRUE(b.Iterate(&r).ok());
  EXPECT_EQ(r.log, "Put(k1,v1)Delete(k2)Put(k1,)");
}

TEST(WriteBatchTest, AppendConcatenates) {
  WriteBatch a, b;
  a.Put("a", "1");
  b.Delete("b");
  b.Put("c", "3");
  a.Append(b);
  EXPECT_EQ(a.Count(), 3u);
  Recorder r;
  ASSERT_TRUE(a.Iterate(&r).ok());
  EXPECT_EQ(r.log, "Put(a,1)Delete(b)Put(c,3)");
}

TEST(WriteBatchTest, DamagedContentsAreCorruption) {
  WriteBatch b;
  b.Put("key", "value");
  std::string contents(b.Contents());

  WriteBatch truncated;
  ASSERT_TRUE(truncated.SetContents(contents.substr(0, contents.size() - 2)).ok());
  Recorder r;
  EXPECT_TRUE(truncated.Iterate(&r).IsCorruption());

  std::string bad_kind = contents;
  bad_kind[kWriteBatchHeaderBytes] = 7;
  WriteBatch k;
  ASSERT_TRUE(k.SetContents(bad_kind).ok());
  EXPECT_TRUE(k.Iterate(&r).IsCorruption());

  std::string bad_count = contents;
  bad_count[8] = 5;
  WriteBatch c;
  ASSERT_TRUE(c.SetContents(bad_count).ok());
  EXPECT_TRUE(c.Iterate(&r).IsCorruption());

  WriteBatch tiny;
  EXPECT_TRUE(tiny.SetContents("abc").IsCorruption());
}

TEST(WriteBatchTest, RangeDeletesKeepTheirPlaceAndEmptyOnesAreNotAdded) {
  WriteBatch b;
  b.Put("a", "1");
  b.DeleteRange("b", "d");
  b.DeleteRange("x", "x");  // empty
  b.DeleteRange("z", "y");  // reversed
  b.Delete("c");
  EXPECT_EQ(b.Count(), 3u);
  EXPECT_TRUE(b.HasRangeDeletion());
  EXPECT_EQ(b.ByteSize(), WriteBatch().ByteSizeAfterPut(1, 1) + 1 + 2 + 2 + 1 + 2);
  Recorder r;
  ASSERT_TRUE(b.Iterate(&r).ok());
  EXPECT_EQ(r.log, "Put(a,1)DeleteRange(b,d)Delete(c)");
  WriteBatch copy;
  copy.Append(b);
  EXPECT_TRUE(copy.HasRangeDeletion());
  b.Clear();
  EXPECT_FALSE(b.HasRangeDeletion());
}

TEST(WriteBatchTest, AnEmptyRangeReadBackIsCorruption) {
  WriteBatch b;
  b.DeleteRange("b", "d");
  std::string bytes(b.Contents());
  // Swap start and end: "b" and "d" are one byte each, right after the kind.
  const size_t start = kWriteBatchHeaderBytes + 2, end = start + 2;
  std::swap(bytes[start], bytes[end]);
  WriteBatch damaged;
  ASSERT_TRUE(damaged.SetContents(bytes).ok());
  Recorder r;
  EXPECT_TRUE(damaged.Iterate(&r).IsCorruption());
}

// Validate: the one check of a batch read back from a log.
TEST(WriteBatchTest, ValidateChecksCountAndSequenceRange) {
  WriteBatch b;
  b.Put("a", "1");
  b.Delete("b");
  b.DeleteRange("c", "d");
  b.SetSequence(7);
  WriteBatch read;
  ASSERT_TRUE(read.SetContents(b.Contents()).ok());
  EXPECT_TRUE(read.Validate().ok());

  // The count says one more operation than the batch holds.
  std::string rep(b.Contents());
  rep[8] = 4;
  ASSERT_TRUE(read.SetContents(rep).ok());
  EXPECT_TRUE(read.Validate().IsCorruption());

  // Three operations from the largest sequence number on would wrap.
  b.SetSequence(kMaxSequenceNumber - 1);
  ASSERT_TRUE(read.SetContents(b.Contents()).ok());
  Status s = read.Validate();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("sequence"), std::string::npos) << s.ToString();
  b.SetSequence(kMaxSequenceNumber - 2);  // the last one is the largest: fits
  ASSERT_TRUE(read.SetContents(b.Contents()).ok());
  EXPECT_TRUE(read.Validate().ok());

  // A sequence number beyond 56 bits, with no operations, is harmless.
  WriteBatch empty;
  empty.SetSequence(~uint64_t{0});
  ASSERT_TRUE(read.SetContents(empty.Contents()).ok());
  EXPECT_TRUE(read.Validate().ok());
}

}  // namespace
}  // namespace strata
