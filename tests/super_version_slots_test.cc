// SuperVersionSlots: a thread's slot keeps its SuperVersion and table
// readers between reads, and loses both when the database publishes a new
// SuperVersion, even while the slot is in use.
#include "core/db/super_version_slots.h"

#include <gtest/gtest.h>

#include <thread>

namespace strata {
namespace {

class SuperVersionSlotsTest : public ::testing::Test {
 protected:
  // Hands out `current_`, counting the loads.
  SuperVersionSlots::Lease Acquire() {
    return slots_.Acquire([this] {
      ++loads_;
      return std::shared_ptr<const SuperVersion>(current_);
    });
  }

  SuperVersionSlots slots_;
  std::shared_ptr<SuperVersion> current_ = std::make_shared<SuperVersion>();
  int loads_ = 0;
};

TEST_F(SuperVersionSlotsTest, AThreadLoadsOnceAndThenReadsFromItsSlot) {
  for (int i = 0; i < 5; ++i) {
    SuperVersionSlots::Lease lease = Acquire();
    ASSERT_TRUE(lease);
    EXPECT_EQ(lease->sv, current_);
  }
  EXPECT_EQ(loads_, 1);
  // The slot's reference is the only one besides ours.
  EXPECT_EQ(current_.use_count(), 2);
}

TEST_F(SuperVersionSlotsTest, InvalidateDropsWhatTheSlotsHold) {
  { SuperVersionSlots::Lease lease = Acquire(); }
  std::shared_ptr<SuperVersion> old = current_;
  current_ = std::make_shared<SuperVersion>();
  slots_.Invalidate();
  EXPECT_EQ(old.use_count(), 1);
  SuperVersionSlots::Lease lease = Acquire();
  EXPECT_EQ(lease->sv, current_);
  EXPECT_EQ(loads_, 2);
}

TEST_F(SuperVersionSlotsTest, AStateInvalidatedWhileInUseIsDroppedOnReturn) {
  std::shared_ptr<SuperVersion> old = current_;
  {
    SuperVersionSlots::Lease lease = Acquire();
    current_ = std::make_shared<SuperVersion>();
    slots_.Invalidate();
    // The lease still reads the state it took.
    EXPECT_EQ(lease->sv, old);
    EXPECT_EQ(old.use_count(), 2);
  }
  EXPECT_EQ(old.use_count(), 1);  // not put back
  SuperVersionSlots::Lease lease = Acquire();
  EXPECT_EQ(lease->sv, current_);
  EXPECT_EQ(loads_, 2);
}

TEST_F(SuperVersionSlotsTest, ASlotInUseIsRefusedNotShared) {
  SuperVersionSlots::Lease first = Acquire();
  ASSERT_TRUE(first);
  // The same thread maps to the same slot: the second borrower must read
  // the slow way rather than share a state another user may change.
  SuperVersionSlots::Lease second = Acquire();
  EXPECT_FALSE(second);
}

TEST_F(SuperVersionSlotsTest, ThreadsHaveSlotsOfTheirOwn) {
  SuperVersionSlots::Lease mine = Acquire();
  ASSERT_TRUE(mine);
  bool other_had_one = false;
  std::thread([&] { other_had_one = static_cast<bool>(Acquire()); }).join();
  EXPECT_TRUE(other_had_one);
}

TEST_F(SuperVersionSlotsTest, TablesKeptAreFoundByNumberAndDroppedWithTheState) {
  auto reader = std::shared_ptr<TableReader>(reinterpret_cast<TableReader*>(0x1000),
                                             [](TableReader*) {});
  std::weak_ptr<TableReader> watch = reader;
  {
    SuperVersionSlots::Lease lease = Acquire();
    EXPECT_EQ(lease->FindTable(7), nullptr);
    lease->KeepTable(7, std::move(reader));
    EXPECT_NE(lease->FindTable(7), nullptr);
    // A number that maps to the same entry is not mistaken for it.
    EXPECT_EQ(lease->FindTable(7 + SuperVersionSlots::kTables), nullptr);
  }
  EXPECT_NE(Acquire()->FindTable(7), nullptr);
  slots_.Invalidate();
  EXPECT_TRUE(watch.expired());
}

TEST_F(SuperVersionSlotsTest, GetsAreSummedOverSlots) {
  Acquire().CountGet();
  Acquire().CountGet();
  std::thread([&] { Acquire().CountGet(); }).join();
  EXPECT_EQ(slots_.Gets(), 3u);
}

}  // namespace
}  // namespace strata
