#include "core/memtable/skip_list.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>

namespace strata {

// A node is this header, preceded in the same arena allocation by its
// `height` forward links (link 0 nearest the header) and followed by its
// entry (invariant 2).
struct SkipList::Node {
  std::atomic<Node*>* link(int level) {
    return std::launder(reinterpret_cast<std::atomic<Node*>*>(this) - 1 - level);
  }
  const char* entry() const { return reinterpret_cast<const char*>(this + 1); }
  char* mutable_entry() { return reinterpret_cast<char*>(this + 1); }

  // Readers: acquire, pairing with the writer's release in SetNext
  // (invariant 3).
  Node* Next(int level) { return link(level)->load(std::memory_order_acquire); }
  void SetNext(int level, Node* node) { link(level)->store(node, std::memory_order_release); }
  // For the writer only, on links no reader can reach yet or that only the
  // writer itself stores to.
  Node* RelaxedNext(int level) { return link(level)->load(std::memory_order_relaxed); }
  void RelaxedSetNext(int level, Node* node) {
    link(level)->store(node, std::memory_order_relaxed);
  }

  // KeyPrefix of the entry's user key in the high 56 bits (most steps of a
  // search are decided by it alone, without decoding the entry; invariant 6)
  // and the node's height in the low 8, so that a node allocated earlier can
  // be linked later (InsertAllocated). The prefix is unused in head_.
  uint64_t tag = 0;
  uint64_t prefix() const { return tag & ~uint64_t{0xFF}; }
  int height() const { return static_cast<int>(tag & 0xFF); }
};

namespace {

// The first 7 bytes of a user key as a big-endian number in the high 56 bits,
// zero-padded, low 8 bits zero. If two keys' prefixes differ, the keys order
// as their prefixes do: the first differing byte decides both, and padding
// (zero) sorts a shorter key before any longer one that extends it. Equal
// prefixes decide nothing.
uint64_t KeyPrefix(std::string_view internal_key) {
  const std::string_view user_key = ExtractUserKey(internal_key);
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(bytes, user_key.data(), std::min<size_t>(user_key.size(), 7));
  uint64_t prefix = 0;
  for (unsigned char b : bytes) prefix = (prefix << 8) | b;
  return prefix;
}

// Orders a node's entry against key (whose KeyPrefix is key_prefix): < 0 when
// the entry comes first.
inline int CompareNodeToKey(const char* entry, uint64_t node_prefix, std::string_view key,
                            uint64_t key_prefix) {
  if (node_prefix != key_prefix) return node_prefix < key_prefix ? -1 : 1;
  return CompareEntryToKey(entry, key);
}

constexpr size_t kLinkBytes = sizeof(std::atomic<void*>);
static_assert(alignof(std::atomic<void*>) <= 8 && alignof(uint64_t) <= 8);

}  // namespace

SkipList::SkipList(Arena* arena)
    : arena_(arena),
      head_(NewNode(kMaxHeight, 0)),
      max_height_(1),
      random_state_(0x9e3779b97f4a7c15ull) {
  for (Node*& f : finger_) f = head_;
}

SkipList::Node* SkipList::NewNode(int height, size_t entry_bytes) {
  static_assert(sizeof(Node) % kLinkBytes == 0, "the entry must start right after the header");
  char* memory = arena_->AllocateAligned(kLinkBytes * height + sizeof(Node) + entry_bytes, 8);
  for (int level = height - 1; level >= 0; --level) {
    new (memory + kLinkBytes * (height - 1 - level)) std::atomic<Node*>(nullptr);
  }
  return new (memory + kLinkBytes * height) Node();
}

char* SkipList::AllocateEntry(size_t bytes) {
  const int height = RandomHeight();
  pending_node_ = NewNode(height, bytes);
  pending_node_->tag = static_cast<uint64_t>(height);
  return pending_node_->mutable_entry();
}

int SkipList::RandomHeight() {
  // xorshift64*: cheap and good enough; the heights only need to be
  // independent of the keys, not unpredictable.
  auto next_random = [this] {
    random_state_ ^= random_state_ >> 12;
    random_state_ ^= random_state_ << 25;
    random_state_ ^= random_state_ >> 27;
    return static_cast<uint32_t>((random_state_ * 0x2545f4914f6cdd1dull) >> 32);
  };
  int height = 1;
  while (height < kMaxHeight && next_random() % kBranching == 0) ++height;
  return height;
}

SkipList::Node* SkipList::FindGreaterOrEqual(std::string_view key, Node** prev) const {
  const uint64_t key_prefix = KeyPrefix(key);
  Node* x = head_;
  int level = max_height_.load(std::memory_order_relaxed) - 1;
  while (true) {
    Node* next = x->Next(level);
    // While next is compared, fetch the node after it: the walk is a chain
    // of cache misses, and this overlaps two of them.
    if (next != nullptr) __builtin_prefetch(next->Next(level));
    if (next != nullptr && CompareNodeToKey(next->entry(), next->prefix(), key, key_prefix) < 0) {
      x = next;  // still before key: keep moving right on this level
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      --level;
    }
  }
}

SkipList::Node* SkipList::FindLessThan(std::string_view key) const {
  const uint64_t key_prefix = KeyPrefix(key);
  Node* x = head_;
  int level = max_height_.load(std::memory_order_relaxed) - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && CompareNodeToKey(next->entry(), next->prefix(), key, key_prefix) < 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

SkipList::Node* SkipList::FindLast() const {
  Node* x = head_;
  int level = max_height_.load(std::memory_order_relaxed) - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

void SkipList::Insert(const char* entry) {
  if (pending_node_ == nullptr || entry != pending_node_->entry()) {
    // Not placed by AllocateEntry: copy it into a node of its own.
    const size_t bytes = EntrySize(entry);
    std::memcpy(AllocateEntry(bytes), entry, bytes);
  }
  Node* const node = pending_node_;
  pending_node_ = nullptr;
  Link(node);
}

void SkipList::InsertAllocated(const char* entry) {
  // The node's header sits right before its entry (invariant 2).
  Node* node = reinterpret_cast<Node*>(const_cast<char*>(entry)) - 1;
  if (node == pending_node_) pending_node_ = nullptr;
  Link(node);
}

void SkipList::Link(Node* node) {
  const int height = node->height();
  const std::string_view key = EntryInternalKey(node->entry());
  const uint64_t key_prefix = KeyPrefix(key);
  node->tag = key_prefix | static_cast<uint64_t>(height);
  Node* prev[kMaxHeight];
  if (CanInsertAfterFinger(key, key_prefix)) {
    FindFromFinger(key, key_prefix, prev);
  } else {
    [[maybe_unused]] Node* successor = FindGreaterOrEqual(key, prev);
    assert(successor == nullptr || CompareEntryToKey(successor->entry(), key) != 0);
  }

  const int max_height = max_height_.load(std::memory_order_relaxed);
  if (height > max_height) {
    for (int level = max_height; level < height; ++level) prev[level] = head_;
    // Publishing the height before the links is fine (invariant 5).
    max_height_.store(height, std::memory_order_relaxed);
  }

  // Bottom-up (invariant 4). The node's own link can be relaxed: the release
  // store that publishes the node orders it before any reader can see it.
  for (int level = 0; level < height; ++level) {
    node->RelaxedSetNext(level, prev[level]->RelaxedNext(level));
    prev[level]->SetNext(level, node);
  }
  // The new finger: the node itself where it has links, its predecessors
  // above that.
  const int levels = std::max(height, max_height);
  for (int level = 0; level < levels; ++level) finger_[level] = level < height ? node : prev[level];
  last_inserted_ = node;
}

bool SkipList::CanInsertAfterFinger(std::string_view key, uint64_t key_prefix) const {
  if (last_inserted_ == nullptr) return false;
  if (CompareNodeToKey(last_inserted_->entry(), last_inserted_->prefix(), key, key_prefix) >= 0) {
    return false;  // not after the last insert
  }
  Node* next = last_inserted_->RelaxedNext(0);
  // Right after it: nothing between the last insert and the key.
  return next == nullptr || CompareNodeToKey(next->entry(), next->prefix(), key, key_prefix) > 0;
}

void SkipList::FindFromFinger(std::string_view key, uint64_t key_prefix, Node** prev) const {
  // Every finger node is before the key, so walking right from it on its
  // level ends at the key's predecessor there; for an ascending stream the
  // walk is almost always zero steps.
  const int max_height = max_height_.load(std::memory_order_relaxed);
  for (int level = 0; level < max_height; ++level) {
    Node* x = finger_[level];
    while (true) {
      Node* next = x->RelaxedNext(level);
      if (next == nullptr ||
          CompareNodeToKey(next->entry(), next->prefix(), key, key_prefix) >= 0) {
        break;
      }
      x = next;
    }
    prev[level] = x;
  }
}

const char* SkipList::LowerBound(std::string_view internal_key) const {
  Node* node = FindGreaterOrEqual(internal_key, nullptr);
  return node == nullptr ? nullptr : node->entry();
}

// ---- Cursor

class SkipList::SkipListCursor final : public SortedContainer::Cursor {
 public:
  explicit SkipListCursor(const SkipList* list) : list_(list) {}

  bool Valid() const override { return node_ != nullptr; }
  const char* entry() const override {
    assert(Valid());
    return node_->entry();
  }
  void Next() override {
    assert(Valid());
    node_ = node_->Next(0);
  }
  void Prev() override {
    assert(Valid());
    node_ = list_->FindLessThan(EntryInternalKey(node_->entry()));
    if (node_ == list_->head_) node_ = nullptr;
  }
  void Seek(std::string_view internal_key) override {
    node_ = list_->FindGreaterOrEqual(internal_key, nullptr);
  }
  void SeekToFirst() override { node_ = list_->head_->Next(0); }
  void SeekToLast() override {
    node_ = list_->FindLast();
    if (node_ == list_->head_) node_ = nullptr;
  }

 private:
  const SkipList* const list_;
  Node* node_ = nullptr;
};

std::unique_ptr<SortedContainer::Cursor> SkipList::NewCursor() const {
  return std::make_unique<SkipListCursor>(this);
}

}  // namespace strata
